"""People in the audit trail as pseudonyms: what compliance needs to read, without contact details in clear.

The audit trail is kept seven years; the people it mentions (the contacts and the owner of an opportunity)
may ask to be forgotten long before. So a stored record names a person by `person:<digest>`, the first 16
hex digits of SHA-256 over the normalised e-mail address: a timeline still shows that contact A was replaced
by contact B, and every record of one person is found from their address. Names, phones and titles are not
kept at all; an address elsewhere in a value or in the detail text becomes its pseudonym.

Unkeyed, on purpose: a key would have to outlive the records (seven years) and every rotation, and a
pseudonym must be computable by an operator answering an erasure request. The trade-off is written down in
SECURITY.md: whoever can read the trail and guesses an address can confirm it is there.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cosell.domain.audit import FieldChange

if TYPE_CHECKING:
    from cosell.domain.audit import AuditRecord

PREFIX = "person:"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Phones as people write them: a leading + or separators between digit groups (bare digit runs are ids).
_PHONE = re.compile(r"\+\d[\d ().-]{6,}\d|\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")
# Keys of a person entry (Partner Central's Contact and OpportunityTeam members) that are personal.
_PERSONAL_KEYS = frozenset({"email", "phone", "firstname", "lastname", "businesstitle", "name"})


def pseudonym(email: str) -> str:
    return PREFIX + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def _text(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub(lambda found: pseudonym(found.group(0)), text))


def pseudonymised(value: Any) -> Any:
    """`value` with every person in it as their pseudonym (a person entry without an e-mail: `person:?`)."""
    if isinstance(value, dict):
        keys = {str(key).lower(): key for key in value}
        if keys.keys() & {"email", "firstname", "lastname", "phone"}:
            email = value.get(keys["email"]) if "email" in keys else None
            rest = {k: pseudonymised(v) for k, v in value.items() if str(k).lower() not in _PERSONAL_KEYS}
            return {"person": pseudonym(str(email)) if email else f"{PREFIX}?", **rest}
        return {key: pseudonymised(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [pseudonymised(item) for item in value]
    if isinstance(value, str):
        return _text(value)
    return value


def pseudonymised_record(record: AuditRecord) -> AuditRecord:
    return replace(
        record,
        detail=_text(record.detail),
        changes=tuple(
            FieldChange(change.field, pseudonymised(change.before), pseudonymised(change.after))
            for change in record.changes
        ),
    )


ERASED = "[erased]"
ERASED_PERSON = PREFIX + "erased"


def mentions(value: Any, email: str) -> bool:
    """Whether `value` (any JSON value) names the person: their address, or their pseudonym."""
    text = json.dumps(value, default=str).lower()
    return email.strip().lower() in text or pseudonym(email) in text


def erased_text(text: str, email: str) -> str:
    """`text` with the person's address and pseudonym replaced."""
    address = re.compile(re.escape(email.strip()), re.IGNORECASE)
    return address.sub(ERASED, text).replace(pseudonym(email), ERASED_PERSON)


def without_person(sides: dict[str, dict[str, Any]], email: str) -> dict[str, dict[str, Any]]:
    """A pair's last-synced values (`{"hubspot": {...}, "partner_central": {...}}`) without every field that
    names the person, dropped from both sides together. A field no side remembers reads as "no memory": the
    deal's value is not a change, Partner Central's is kept, so the next reconcile writes to neither system
    because of the erasure (cosell.domain.reconcile.decide)."""
    named = {field for values in sides.values() for field, value in values.items() if mentions(value, email)}
    return {side: {f: v for f, v in values.items() if f not in named} for side, values in sides.items()}
