"""Every operation of botocore's model answers: implemented, or a clear NotImplemented listed in the docs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botocore import xform_name

from cosell_local.partner_central import model
from cosell_local.partner_central.operations import is_read
from tests.integration.partner_central.conftest import TASK_DELAY, create, error_of, make_client, update_body

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi, PartnerCentralEmulator

EMULATORS_DOC = Path(__file__).parents[3] / "docs" / "EMULATORS.md"


def documented_not_implemented() -> set[str]:
    """The operations listed under "### Not implemented" in the Partner Central section of docs/EMULATORS.md."""
    text = EMULATORS_DOC.read_text()
    section = text.split("## Partner Central", 1)[1].split("\n## ", 1)[0]
    listing = section.split("### Not implemented", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^- `(\w+)`", listing, flags=re.MULTILINE))


Scenario = dict[str, str]


def scenario(pc: PartnerCentralSellingAPIClient, control: ControlApi) -> Scenario:
    """One of everything: an engaged opportunity with a snapshot job, invitations, an accepted lead."""
    # The submission's snapshot job takes a snapshot only with a job role in the settings.
    pc.put_selling_system_settings(
        Catalog="Sandbox", ResourceSnapshotJobRoleIdentifier="ResourceSnapshotJobRole"
    )
    opportunity = create(pc)
    pc.associate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=opportunity,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    pc.start_engagement_from_opportunity_task(
        Catalog="Sandbox",
        ClientToken="engage",
        Identifier=opportunity,
        AwsSubmission={"InvolvementType": "Co-Sell"},
    )
    control.advance_clock(TASK_DELAY)
    task = pc.list_engagement_from_opportunity_tasks(Catalog="Sandbox")["TaskSummaries"][0]
    draft = create(pc, ClientToken="draft")
    pc.associate_opportunity(
        Catalog="Sandbox",
        OpportunityIdentifier=draft,
        RelatedEntityType="Solutions",
        RelatedEntityIdentifier="S-1234567",
    )
    stopped_job = pc.create_resource_snapshot_job(
        Catalog="Sandbox",
        ClientToken="stopped-job",
        EngagementIdentifier=task["EngagementId"],
        ResourceType="Opportunity",
        ResourceIdentifier=opportunity,
        ResourceSnapshotTemplateIdentifier="AwsOpportunitySummaryFullView",
    )["Id"]
    lead = control.create_lead_invitation("Sandbox")
    pc.accept_engagement_invitation(Catalog="Sandbox", Identifier=lead["Id"])
    return {
        "opportunity": opportunity,
        "draft": draft,
        "stopped_job": stopped_job,
        "engagement": task["EngagementId"],
        "job": task["ResourceSnapshotJobId"],
        "arn": pc.get_opportunity(Catalog="Sandbox", Identifier=opportunity)["Arn"],
        "invitation": control.create_opportunity_invitation("Sandbox")["Id"],
        "to_reject": control.create_opportunity_invitation("Sandbox")["Id"],
        "to_accept": control.create_opportunity_invitation("Sandbox")["Id"],
        "lead_engagement": lead["EngagementId"],
    }


def snapshot_target(s: Scenario) -> dict[str, Any]:
    return {
        "Catalog": "Sandbox",
        "EngagementIdentifier": s["engagement"],
        "ResourceType": "Opportunity",
        "ResourceIdentifier": s["opportunity"],
        "ResourceSnapshotTemplateIdentifier": "OpportunitySummaryView",
    }


SANDBOX = {"Catalog": "Sandbox"}
REQUESTS: dict[str, Callable[[Scenario], dict[str, Any]]] = {
    "AcceptEngagementInvitation": lambda s: SANDBOX | {"Identifier": s["to_accept"]},
    "AssignOpportunity": lambda s: (
        SANDBOX
        | {
            "Identifier": s["draft"],
            "Assignee": {
                "Email": "a@partner.example",
                "FirstName": "A",
                "LastName": "B",
                "BusinessTitle": "PartnerAccountManager",
            },
        }
    ),
    "AssociateOpportunity": lambda s: (
        SANDBOX
        | {
            "OpportunityIdentifier": s["draft"],
            "RelatedEntityType": "AwsProducts",
            "RelatedEntityIdentifier": "AmazonS3",
        }
    ),
    "CreateOpportunity": lambda s: {
        "Catalog": "Sandbox",
        "ClientToken": "minimal",
        "Customer": {"Account": {"CompanyName": "Min", "WebsiteUrl": "https://min.example"}},
    },
    "CreateResourceSnapshot": lambda s: snapshot_target(s) | {"ClientToken": "snapshot"},
    "CreateResourceSnapshotJob": lambda s: snapshot_target(s) | {"ClientToken": "job"},
    "DeleteResourceSnapshotJob": lambda s: SANDBOX | {"ResourceSnapshotJobIdentifier": s["stopped_job"]},
    "DisassociateOpportunity": lambda s: (
        SANDBOX
        | {
            "OpportunityIdentifier": s["opportunity"],
            "RelatedEntityType": "Solutions",
            "RelatedEntityIdentifier": "S-1234567",
        }
    ),
    "GetAwsOpportunitySummary": lambda s: SANDBOX | {"RelatedOpportunityIdentifier": s["opportunity"]},
    "GetEngagement": lambda s: SANDBOX | {"Identifier": s["engagement"]},
    "GetEngagementInvitation": lambda s: SANDBOX | {"Identifier": s["invitation"]},
    "GetOpportunity": lambda s: SANDBOX | {"Identifier": s["opportunity"]},
    "GetResourceSnapshot": snapshot_target,
    "GetResourceSnapshotJob": lambda s: SANDBOX | {"ResourceSnapshotJobIdentifier": s["job"]},
    "GetSellingSystemSettings": lambda s: SANDBOX,
    "ListEngagementByAcceptingInvitationTasks": lambda s: SANDBOX,
    "ListEngagementFromOpportunityTasks": lambda s: SANDBOX,
    "ListEngagementInvitations": lambda s: SANDBOX | {"ParticipantType": "RECEIVER"},
    "ListEngagementMembers": lambda s: SANDBOX | {"Identifier": s["engagement"]},
    "ListEngagementResourceAssociations": lambda s: SANDBOX,
    "ListEngagements": lambda s: SANDBOX,
    "ListOpportunities": lambda s: SANDBOX,
    "ListOpportunityFromEngagementTasks": lambda s: SANDBOX,
    "ListResourceSnapshotJobs": lambda s: SANDBOX,
    "ListResourceSnapshots": lambda s: SANDBOX | {"EngagementIdentifier": s["engagement"]},
    "ListSolutions": lambda s: SANDBOX,
    "ListTagsForResource": lambda s: {"ResourceArn": s["arn"]},
    "PutSellingSystemSettings": lambda s: SANDBOX | {"ResourceSnapshotJobRoleIdentifier": "SnapshotRole"},
    "RejectEngagementInvitation": lambda s: (
        SANDBOX | {"Identifier": s["to_reject"], "RejectionReason": "Not a fit"}
    ),
    "SearchOpportunities": lambda s: SANDBOX,
    "StartEngagementByAcceptingInvitationTask": lambda s: (
        SANDBOX | {"ClientToken": "accept", "Identifier": s["invitation"]}
    ),
    "StartEngagementFromOpportunityTask": lambda s: (
        SANDBOX
        | {
            "ClientToken": "engage",
            "Identifier": s["opportunity"],
            "AwsSubmission": {"InvolvementType": "Co-Sell"},
        }
    ),
    "StartOpportunityFromEngagementTask": lambda s: (
        SANDBOX | {"ClientToken": "lead", "Identifier": s["lead_engagement"], "ContextIdentifier": "1"}
    ),
    "StartResourceSnapshotJob": lambda s: SANDBOX | {"ResourceSnapshotJobIdentifier": s["job"]},
    "StopResourceSnapshotJob": lambda s: SANDBOX | {"ResourceSnapshotJobIdentifier": s["job"]},
    "SubmitOpportunity": lambda s: SANDBOX | {"Identifier": s["draft"], "InvolvementType": "Co-Sell"},
    "TagResource": lambda s: {"ResourceArn": s["arn"], "Tags": [{"Key": "k", "Value": "v"}]},
    "UntagResource": lambda s: {"ResourceArn": s["arn"], "TagKeys": ["k"]},
    "UpdateOpportunity": lambda s: SANDBOX,  # built from GetOpportunity below
}


def test_the_documented_list_is_what_the_emulator_leaves_out(emulator: PartnerCentralEmulator) -> None:
    implemented = set(emulator.control.implemented_operations())
    assert implemented | documented_not_implemented() == set(model.operation_names())
    assert implemented & documented_not_implemented() == set()
    assert implemented == set(REQUESTS)


@pytest.mark.parametrize("operation", model.operation_names())
def test_every_operation_answers(
    pc: PartnerCentralSellingAPIClient, control: ControlApi, emulator: PartnerCentralEmulator, operation: str
) -> None:
    if operation in documented_not_implemented():
        unchecked = make_client(emulator.url, parameter_validation=False)
        with pytest.raises(unchecked.exceptions.ClientError) as excinfo:
            getattr(unchecked, xform_name(operation))(Catalog="Sandbox")
        assert error_of(excinfo)["Error"]["Code"] == "NotImplemented"
        assert error_of(excinfo)["ResponseMetadata"]["HTTPStatusCode"] == 501
        assert "docs/EMULATORS.md" in error_of(excinfo)["Error"]["Message"]
        return
    ids = scenario(pc, control)
    request = REQUESTS[operation](ids)
    if operation == "UpdateOpportunity":
        request = update_body(dict(pc.get_opportunity(Catalog="Sandbox", Identifier=ids["draft"])))
    control.freeze_clock()  # no work falls due between the two looks at the state
    emulator.backend.run_due_work()
    before = (json.dumps(emulator.backend.state.as_json()), emulator.backend.ids.saved_state())
    answer = getattr(pc, xform_name(operation))(**request)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert control.calls(operation)[-1]["Error"] is None
    # A read is never saved (Backend.transaction): it must change nothing that a restart would lose.
    if is_read(operation):
        assert (json.dumps(emulator.backend.state.as_json()), emulator.backend.ids.saved_state()) == before
