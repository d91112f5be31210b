"""The audit trail names people only by pseudonym: no e-mail, phone or name survives into a stored record."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.audit import AuditAction, AuditRecord, FieldChange
from cosell.domain.pseudonyms import pseudonym, pseudonymised_record

emails = st.from_regex(r"[a-z][a-z0-9._]{2,20}@[a-z][a-z0-9-]{2,20}\.(com|de|example)", fullmatch=True)
phones = st.one_of(
    st.from_regex(r"\+1[2-9]\d{9}", fullmatch=True),
    st.from_regex(r"\([2-9]\d{2}\) [2-9]\d{2}-\d{4}", fullmatch=True),
)
names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=6, max_size=20).map(lambda name: f"Zq{name}")
people = st.fixed_dictionaries(
    {"Email": emails, "Phone": phones, "FirstName": names, "LastName": names, "BusinessTitle": names}
)


def _record(before: object, after: object, detail: str) -> AuditRecord:
    return AuditRecord(
        at=datetime(2026, 12, 2, tzinfo=UTC),
        action=AuditAction.UPDATE_OPPORTUNITY,
        catalog="Sandbox",
        trigger="hubspot_webhook:deal.propertyChange",
        correlation_id="c-1",
        deal_id="101",
        opportunity_id="O1234567890",
        changes=(FieldChange("contacts", before, after), FieldChange("stage", "Prospect", "Qualified")),
        detail=detail,
    )


@given(before=st.lists(people, max_size=3), after=st.lists(people, min_size=1, max_size=3), stranger=people)
def test_no_contact_detail_survives_and_each_person_keeps_one_pseudonym(
    before: list[dict[str, str]], after: list[dict[str, str]], stranger: dict[str, str]
) -> None:
    detail = f"owner {stranger['Email']} reachable at {stranger['Phone']}"
    stored = json.dumps(pseudonymised_record(_record(before, after, detail)).to_json())
    for person in [*before, *after, stranger]:
        for value in person.values():
            assert value not in stored
        assert pseudonym(person["Email"]) in stored
    assert "O1234567890" in stored and "Qualified" in stored  # noqa: PT018 (what compliance reads stays)


@given(email=emails)
def test_the_pseudonym_is_the_same_however_the_address_is_written(email: str) -> None:
    assert pseudonym(email) == pseudonym(f"  {email.upper()} ")
    assert pseudonym(email) != pseudonym("x" + email)
