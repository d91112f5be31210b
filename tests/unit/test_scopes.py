"""The HubSpot scopes README.md tells a partner to grant are the ones `cosell setup` checks, and the ones
docs/CONTRACTS.md sources. (The integration world's token holds exactly these, so every use-case test also
shows the sync needs no other: tests/integration/sync_world.py.)"""

from __future__ import annotations

import re
from pathlib import Path

from cosell.hubspot.client import HubSpotAuthError
from cosell.sync.onboarding.setup import SCOPE_CHECKS

ROOT = Path(__file__).parents[2]
SCOPE = re.compile(r"^\| `(crm\.[a-z.]+)`", flags=re.MULTILINE)


def section(path: Path, heading: str) -> str:
    text = path.read_text()
    return text.split(heading, 1)[1].split("\n#", 1)[0]


def test_the_readme_lists_every_scope_setup_checks_and_no_other() -> None:
    listed = SCOPE.findall(section(ROOT / "README.md", "**HubSpot scopes.**"))
    assert sorted(listed) == sorted({check.scope for check in SCOPE_CHECKS})


def test_the_contracts_source_every_scope() -> None:
    table = section(ROOT / "docs" / "CONTRACTS.md", "### HubSpot scopes")
    sourced = {scope for row in table.splitlines() for scope in re.findall(r"`(crm\.[a-z.]+)`", row)}
    assert sourced == {check.scope for check in SCOPE_CHECKS}


def test_a_missing_scopes_answer_names_the_scopes_hubspot_asks_for() -> None:
    # HubSpot's body (HubSpot/hubspot-api-nodejs#50, #268): granular scopes, or the older `requiredScopes`.
    granular = [{"context": {"requiredGranularScopes": ["crm.objects.companies.write"]}}]
    older = [{"context": {"requiredScopes": ["contacts"]}}]
    assert HubSpotAuthError(403, "no", category="MISSING_SCOPES", errors=granular).missing_scopes == [
        "crm.objects.companies.write"
    ]
    assert HubSpotAuthError(403, "no", category="MISSING_SCOPES", errors=older).missing_scopes == ["contacts"]
    assert (
        HubSpotAuthError(401, "no", category="INVALID_AUTHENTICATION", errors=granular).missing_scopes == []
    )
