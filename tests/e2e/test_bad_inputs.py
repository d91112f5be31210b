"""The bad-input corpus (tests/fixtures/bad_inputs/), played through the real handlers on the local stack: every
webhook case is answered 2xx, 400 or 401 with its reason (never 5xx, nothing queued for a refused one), and
every deal that cannot sync says which field to fix (what the mapping leaves out is a warning instead); none
makes an opportunity it should not. AWS referrals with bad payloads (invitations.json) and malformed Partner
Central and HubSpot answers (answers.json, served by the emulators for the calls a case names) crash nothing
and lose nothing: a failing message's error names what is wrong, and it succeeds once the answers are right
again or waits in the DLQ with that reason; the deal ends in step, or shows what to fix."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cosell.domain.to_hubspot import ContactFields
from cosell.hubspot.models import DEAL_TO_CONTACT, DEAL_TO_PRIMARY_COMPANY, AssociationInput, SearchFilter
from cosell.hubspot.records import find_or_create_contacts
from cosell.hubspot.signature import sign_v3
from cosell.observability import SERVICE_NAME
from cosell.store.failures import FailureStore
from cosell.sync.batch import BatchFailedError
from cosell_local.demo.rep import deal_properties
from cosell_local.malformed import MalformedAnswer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cosell_local.runner.sqs_event_source import QueueRun
    from tests.e2e.conftest import World

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
WEBHOOKS = json.loads((CORPUS / "webhooks.json").read_text())
DEALS = json.loads((CORPUS / "deals.json").read_text())
INVITATIONS = json.loads((CORPUS / "invitations.json").read_text())
ANSWERS = json.loads((CORPUS / "answers.json").read_text())
PLAYED = INVITATIONS + ANSWERS


def test_the_corpus_has_sixty_cases_or_more() -> None:
    assert len(WEBHOOKS) + len(DEALS) + len(PLAYED) >= 60
    assert {case["flow"] for case in PLAYED} == {"referral", "create", "update"}
    assert len({case["name"] for case in [*WEBHOOKS, *DEALS, *PLAYED]}) == len(WEBHOOKS) + len(DEALS) + len(
        PLAYED
    )


def _stamp(name: str, now_ms: int) -> str:
    return {
        "$NOW": str(now_ms),
        "$NOW_SECONDS": str(now_ms // 1000),
        "$IN_TEN_MINUTES": str(now_ms + 10 * 60 * 1000),
        "$SIX_MINUTES_AGO": str(now_ms - 6 * 60 * 1000),
    }.get(name, name)


def _with_now(value: Any, now_ms: int) -> Any:
    if value == "$NOW":
        return now_ms
    if isinstance(value, list):
        return [_with_now(item, now_ms) for item in value]
    if isinstance(value, dict):
        return {key: _with_now(item, now_ms) for key, item in value.items()}
    return value


def _body(case: dict[str, Any], key: str, now_ms: int) -> bytes:
    if key == "body" and "raw" in case:
        return str(case["raw"]).encode()
    if key == "body" and "raw_hex" in case:
        return bytes.fromhex(case["raw_hex"])
    if key == "body" and "raw_bytes" in case:
        return b"[" + b" " * (int(case["raw_bytes"]) - 2) + b"]"
    events = _with_now(case.get(key, case.get("body")), now_ms)
    if isinstance(events, list) and "repeat" in case:
        events = events * int(case["repeat"])
    return json.dumps(events).encode()


@pytest.mark.parametrize("case", WEBHOOKS, ids=[case["name"] for case in WEBHOOKS])
def test_a_bad_webhook_is_answered_with_its_reason_and_nothing_is_queued(
    world: World, case: dict[str, Any]
) -> None:
    now_ms = time.time_ns() // 1_000_000
    timestamp = _stamp(case.get("timestamp", "$NOW"), now_ms)
    body = _body(case, "body", now_ms)
    signed = _body(case, "signed_body", now_ms) if "signed_body" in case else body
    signature = sign_v3(
        case.get("secret", world.stack.webhook_secret), "POST", world.stack.webhook_url, signed, timestamp
    )
    headers = case.get("headers") or {
        "X-HubSpot-Signature-v3": "$SIGNATURE",
        "X-HubSpot-Request-Timestamp": "$NOW",
    }
    headers = {
        name: signature if value == "$SIGNATURE" else (timestamp if value == "$NOW" else value)
        for name, value in headers.items()
    }
    answer = world.http.request(
        "POST", world.stack.webhook_url, body=body, headers={"Content-Type": "application/json", **headers}
    )
    expected = case["status"] if isinstance(case["status"], list) else [case["status"]]
    assert answer.status in expected, answer.data
    reply = json.loads(answer.data)
    if answer.status == 200:
        assert reply == {"queued": case.get("queued", 0)}
    else:
        assert case["message"] in reply["message"], reply
        assert reply["message"]  # a refusal always says why
    assert world.queued_messages() == case.get("queued", 0)


def _slug(name: str) -> str:
    """A case's name as a host name's label (its company's domain) and an e-mail's local part."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower())[:40].strip("-")


def _without_empty(properties: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in properties.items() if value != ""}


@pytest.mark.parametrize("case", DEALS, ids=[case["name"] for case in DEALS])
def test_a_deal_that_cannot_sync_says_which_field_to_fix(world: World, case: dict[str, Any]) -> None:
    client = world.rep.client
    slug = _slug(case["name"])
    associations = []
    if case.get("company", {}) is not None:
        company = {
            "name": "BigCorp Inc.",
            "domain": "bigcorp.example",
            "industry": "COMPUTER_SOFTWARE",
            "country": "US",
        }
        made = client.create_company(_without_empty(company | case.get("company", {})))
        associations.append(AssociationInput(to_id=made.id, type_id=DEAL_TO_PRIMARY_COMPANY))
    person = case.get("contact") or {"firstname": "Casey", "phone": "+1 415 555 0134"}
    contact = client.create_contact(_without_empty({"email": f"{slug}@bigcorp.example", **person}))
    associations.append(AssociationInput(to_id=contact.id, type_id=DEAL_TO_CONTACT))
    deal = deal_properties(f"Corpus {slug} #AWS", **case.get("deal", {}))
    deal_id = client.create_deal(_without_empty(deal), associations).id
    world.settle()

    shown = world.integration.get_deal(
        deal_id, ["aws_sync_status", "aws_sync_error", "aws_sync_warnings"]
    ).properties
    if "error" in case:
        assert shown["aws_sync_status"] == "Error", shown
        assert case["error"] in (shown["aws_sync_error"] or ""), shown["aws_sync_error"]
        # Only a problem of a field Partner Central can do without (`opportunity`) lets one be created.
        assert len(world.opportunities_for(deal_id)) == (1 if case.get("opportunity") else 0)
    else:
        assert shown["aws_sync_status"] == case["status"], shown
        assert case["warning"] in (shown["aws_sync_warnings"] or ""), shown["aws_sync_warnings"]
        assert len(world.opportunities_for(deal_id)) == 1


# --- referrals and malformed answers, played through the worker ---------------------------------------------

DEAL_SHOWN = ["dealname", "amount", "deal_currency_code", "aws_sync_status", "aws_sync_error", "aws_sync_warnings",
              "aws_invitation_status", "aws_opportunity_id", "aws_sync_waiting"]  # fmt: skip
EDITED_AMOUNT = "70000"


class _Errors(logging.Handler):
    """What the worker logs at ERROR (a failing message's exception, redacted as every line is)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(f"{record.getMessage()}\n{record.exc_text or ''}")


@pytest.fixture
def logged_errors() -> Iterator[list[str]]:
    handler = _Errors()
    logger = logging.getLogger(SERVICE_NAME)
    logger.addHandler(handler)
    yield handler.texts
    logger.removeHandler(handler)


def _script(world: World, answers: list[dict[str, Any]]) -> int:
    """The case's malformed answers, waiting for their calls; how many calls they are for."""
    for scripted in answers:
        if scripted["api"] == "partner_central":
            world.stack.partner_central.control.answer_next(
                scripted["operation"], times=scripted["times"], **scripted["answer"]
            )
        else:
            world.stack.hubspot.faults.answer_next(
                MalformedAnswer.from_json(scripted["answer"]),
                times=scripted["times"],
                path_prefix=scripted["path"],
                method=scripted["method"],
            )
    return sum(scripted["times"] for scripted in answers)


def _answers_left(world: World) -> int:
    return (
        world.stack.partner_central.control.answers_left()["AnswersLeft"]
        + world.stack.hubspot.faults.answers_left()
    )


def _start(
    world: World, case: dict[str, Any], slug: str
) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """The case's first move (its deal, or AWS's referral): the deal id or the invitation id, and for an update
    the opportunity as it was before."""
    control = world.stack.partner_central.control
    if case["flow"] == "referral":
        if "existing_contact" in case:
            email = case["existing_contact"]
            find_or_create_contacts(
                world.rep.client, [ContactFields(email, {"email": email, "firstname": "Pat"})]
            )
        website = {
            "Payload": {"OpportunityInvitation": {"Customer": {"WebsiteUrl": f"https://{slug}.example"}}}
        }
        fields = _merged(website, case.get("invitation", {}))
        return None, str(control.create_opportunity_invitation(world.stack.catalog, fields)["Id"]), None
    deal_id = world.create_deal(f"Corpus {slug} #AWS", company_domain=f"{slug}.example")
    if case["flow"] == "create":
        return deal_id, None, None
    world.settle()
    before = world.opportunities_for(deal_id)[0]
    world.rep.update_deal(deal_id, amount=EDITED_AMOUNT)
    return deal_id, None, before


def _merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        merged[key] = (
            _merged(merged[key], value)
            if isinstance(value, dict) and isinstance(merged.get(key), dict)
            else value
        )
    return merged


def _crashes(run: QueueRun) -> list[str]:
    """Invocations that raised anything but the worker's report that every message of its batch failed (how a
    batch of failed messages counts as the function's error: each one's error is logged, and recorded)."""
    return [
        repr(i.error)
        for i in run.invocations
        if i.error is not None and not isinstance(i.error, BatchFailedError)
    ]


@pytest.mark.parametrize("case", PLAYED, ids=[case["name"] for case in PLAYED])
def test_a_bad_referral_or_a_malformed_answer_crashes_nothing_and_loses_nothing(
    world: World, case: dict[str, Any], logged_errors: list[str]
) -> None:
    slug = _slug(case["name"])
    parked_before = {message["MessageId"] for message in world.stack.dlq_messages()}
    deliveries_before = len(world.stack.hubspot.webhooks.deliveries if world.stack.hubspot.webhooks else [])
    deal_id, invitation_id, before = _start(world, case, slug)
    scripted = _script(world, case.get("answers", []))
    run = world.stack.process_queue_until_idle(timeout=120)
    left = _answers_left(world)
    world.stack.partner_central.control.configure_faults()  # what the test reads next is Partner Central's own
    world.stack.hubspot.faults.reset()

    assert left < scripted or not scripted, "no call asked for the malformed answers: the case tests nothing"
    assert _crashes(run) == []
    deliveries = (world.stack.hubspot.webhooks.deliveries if world.stack.hubspot.webhooks else [])[
        deliveries_before:
    ]
    assert [d.status for d in deliveries if d.status is None or d.status >= 500] == []
    if "failure" in case:
        assert any(case["failure"] in text for text in logged_errors), logged_errors
    parked = [message for message in world.stack.dlq_messages() if message["MessageId"] not in parked_before]
    if case.get("dlq"):  # still malformed after every retry: waiting in the DLQ, saying why
        failures = FailureStore(world.stack.client("dynamodb"), world.stack.state_table_name)
        reasons = [getattr(failures.get(message["Body"]), "last_error", "") for message in parked]
        assert any(case["failure"] in reason for reason in reasons), reasons
    else:
        assert parked == []

    if invitation_id is not None:
        found = world.integration.find_deals(
            [[SearchFilter(property_name="aws_invitation_id", operator="EQ", value=invitation_id)]],
            DEAL_SHOWN,
        )
        assert len(found) == (0 if case.get("dlq") else 1)
        deal_id = found[0].id if found else None
    if deal_id is None:
        return
    if case["flow"] == "create":
        assert len(world.opportunities_for(deal_id)) == (0 if case.get("dlq") else 1)
    if before is not None:
        (after,) = world.opportunities_for(deal_id)
        assert after["LifeCycle"].get("Stage") == before["LifeCycle"]["Stage"]  # nothing blanked
        assert after["LifeCycle"].get("TargetCloseDate") == before["LifeCycle"]["TargetCloseDate"]
        edited = not case.get("dlq") and case.get("edited", True)
        spend = after["Project"]["ExpectedCustomerSpend"] == before["Project"]["ExpectedCustomerSpend"]
        assert spend is not edited  # the rep's edit reached Partner Central, unless its message is parked
    if case.get("dlq"):
        return
    shown = world.integration.get_deal(deal_id, DEAL_SHOWN, ["companies", "contacts"])
    for name, value in case.get("deal", {"aws_sync_status": "Synced"}).items():
        if value is None:
            assert not shown.get(name), f"{name}: {shown.get(name)!r}"
        else:
            assert value in (shown.get(name) or ""), (
                f"{name}: {shown.get(name)!r}, error {shown.get('aws_sync_error')!r}, waiting "
                f"{shown.get('aws_sync_waiting')!r}, referral {shown.get('aws_invitation_status')!r}"
            )
    _shown_records(world, case, shown.associated_ids("companies"), shown.associated_ids("contacts"))
    if "note" in case:
        notes = world.timeline(deal_id, "notes", "hs_note_body,hs_timestamp")
        assert any(case["note"] in note["hs_note_body"] for note in notes), notes


def _shown_records(world: World, case: dict[str, Any], companies: list[str], contacts: list[str]) -> None:
    """The company and contact the referral's deal is associated with hold what the case says."""
    for kind, ids, read in (
        ("company", companies, world.integration.get_company),
        ("contact", contacts, world.integration.get_contact),
    ):
        if kind not in case:
            continue
        expected = case[kind]
        records = [read(record_id, list(expected)).properties for record_id in ids]
        assert any(all(record.get(n) == v for n, v in expected.items()) for record in records), records
    if "one_contact" in case:
        email = case["one_contact"]
        found = world.integration.find_contacts(
            [[SearchFilter(property_name="email", operator="EQ", value=email)]]
        )
        assert len(found) == 1
        assert found[0].id in contacts
