"""Use case: prepare HubSpot for cosell (property group and properties) and check access, idempotently.

Run by `cosell setup`. Reads before it writes, so a second run creates nothing and says so. Access checks
probe every HubSpot scope the sync uses (`SCOPE_CHECKS`, the list README.md gives), reads with a read and
writes with a write that changes nothing, and name each scope that is missing; the Partner Central check
assumes the service role with its ExternalId,
then reads the selling system settings: without a resource snapshot job role, the other partners in the
partner's engagements keep seeing outdated snapshots of its opportunities (a warning, and how to fix it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cosell.hubspot import properties
from cosell.hubspot.client import HubSpotAuthError, HubSpotError
from cosell.hubspot.models import SearchFilter

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_partnercentral_selling.client import PartnerCentralSellingAPIClient

    from cosell.domain.vocabulary import Vocabulary
    from cosell.hubspot.client import HubSpotClient


@dataclass
class SetupReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    passed_checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # works, but something a partner expects does not

    @property
    def ok(self) -> bool:
        return not self.failed_checks

    def lines(self) -> list[str]:
        lines = [f"created   {name}" for name in self.created]
        if self.unchanged:
            lines.append(f"unchanged {len(self.unchanged)} already present: {', '.join(self.unchanged)}")
        if not self.created:
            lines.append("nothing to create: HubSpot is already set up")
        lines += [f"ok        {check}" for check in self.passed_checks]
        lines += [f"WARNING   {warning}" for warning in self.warnings]
        lines += [f"FAILED    {check}" for check in self.failed_checks]
        return lines


def ensure_deal_properties(hubspot: HubSpotClient, vocabulary: Vocabulary, report: SetupReport) -> None:
    groups = {group.name for group in hubspot.list_property_groups("deals")}
    if properties.GROUP.name in groups:
        report.unchanged.append(f"group {properties.GROUP.name}")
    else:
        hubspot.create_property_group("deals", properties.GROUP)
        report.created.append(f"group {properties.GROUP.name}")
    existing = {definition.name for definition in hubspot.list_properties("deals")}
    for definition in properties.deal_properties(vocabulary):
        if definition.name in existing:
            report.unchanged.append(definition.name)
        else:
            hubspot.create_property("deals", definition)
            report.created.append(f"property {definition.name}")


@dataclass(frozen=True)
class ScopeCheck:
    """One HubSpot scope the sync uses, what for (as `cosell setup` prints it), and a call that needs it."""

    scope: str
    used_for: str
    probe: Callable[[HubSpotClient], object]


def _writes(path: str) -> Callable[[HubSpotClient], object]:
    return lambda hubspot: hubspot.check_write_access(path)


_ANY_DEAL = [[SearchFilter(property_name="dealname", operator="HAS_PROPERTY")]]
_NO_RECORD = "0"  # HubSpot's record ids start at 1
SCOPE_CHECKS = (
    ScopeCheck("crm.objects.deals.read", "read and search deals", lambda h: h.search_deals(_ANY_DEAL, limit=1)),
    ScopeCheck("crm.objects.deals.read", "read deal pipelines", lambda h: h.list_pipelines()),
    ScopeCheck("crm.objects.deals.write", "write the sync's status to deals, create deals from AWS referrals", _writes(f"/crm/v3/objects/deals/{_NO_RECORD}")),
    ScopeCheck("crm.objects.companies.read", "read a deal's company", lambda h: h.batch_read_companies([_NO_RECORD])),
    ScopeCheck("crm.objects.companies.write", "create an AWS referral's company", _writes(f"/crm/v3/objects/companies/{_NO_RECORD}")),
    ScopeCheck("crm.objects.contacts.read", "read a deal's contacts", lambda h: h.batch_read_contacts([_NO_RECORD])),
    ScopeCheck("crm.objects.contacts.write", "create an AWS referral's contacts", _writes(f"/crm/v3/objects/contacts/{_NO_RECORD}")),
    ScopeCheck("crm.objects.contacts.write", "create notes on deals", _writes(f"/crm/v3/objects/notes/{_NO_RECORD}")),
    ScopeCheck("crm.objects.contacts.write", "create tasks for the deal's owner", _writes(f"/crm/v3/objects/tasks/{_NO_RECORD}")),
    ScopeCheck("crm.objects.owners.read", "read deal owners (the opportunity team)", lambda h: h.list_owners()),
    ScopeCheck("crm.schemas.deals.read", "read deal properties", lambda h: h.list_properties("deals")),
    ScopeCheck("crm.schemas.deals.write", "create cosell's deal properties", _writes("/crm/v3/properties/deals/cosell_write_check")),
)  # fmt: skip


def check_hubspot_access(hubspot: HubSpotClient, report: SetupReport) -> None:
    """Every scope of `SCOPE_CHECKS`, each failure naming the scope HubSpot says is missing."""
    for check in SCOPE_CHECKS:
        name = f"HubSpot {check.scope}: {check.used_for}"
        try:
            check.probe(hubspot)
        except HubSpotAuthError as error:
            if error.status == 403 and error.category == "MISSING_SCOPES":
                missing = " or ".join(error.missing_scopes) or check.scope
                report.failed_checks.append(
                    f"{name}: the token lacks scope {missing}; add it to the private app's scopes"
                )
            else:
                report.failed_checks.append(f"{name}: HubSpot refused the token: {error}")
        except HubSpotError as error:
            report.failed_checks.append(f"{name}: {error}")
        else:
            report.passed_checks.append(name)


def check_partner_central_role(
    assume_role: Callable[[], PartnerCentralSellingAPIClient], report: SetupReport
) -> PartnerCentralSellingAPIClient | None:
    """The client acting as the service role, or None (the failure reported)."""
    try:
        client = assume_role()
    except Exception as error:  # noqa: BLE001 - any failure here is the answer the operator needs
        report.failed_checks.append(f"Partner Central: assume the service role: {error}")
        return None
    report.passed_checks.append("Partner Central: assume the service role")
    return client


def check_snapshot_job_role(
    client: PartnerCentralSellingAPIClient, catalog: str, report: SetupReport, *, set_to: str | None = None
) -> None:
    """Whether the selling system settings name a resource snapshot job role; `set_to` sets it first."""
    check = f"Partner Central: resource snapshot job role of the {catalog} catalog"
    try:
        if set_to is not None:
            client.put_selling_system_settings(Catalog=catalog, ResourceSnapshotJobRoleIdentifier=set_to)
            report.created.append(f"{check}: {set_to}")
        role = client.get_selling_system_settings(Catalog=catalog).get("ResourceSnapshotJobRoleArn")
    except Exception as error:  # noqa: BLE001 - AWS's refusal is the answer the operator needs
        report.failed_checks.append(f"{check}: {error}")
        return
    if role:
        report.passed_checks.append(f"{check}: {role}")
        return
    report.warnings.append(
        f"{check}: none is set, so the other partners in your engagements do not see your changes to your "
        f"opportunities (they keep the last snapshot). Fix: cosell setup --snapshot-job-role <the "
        f"ResourceSnapshotJobRoleArn output of the infra/iam-role.yaml stack>"
    )
