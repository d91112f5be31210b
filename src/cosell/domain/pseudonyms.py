"""People in the audit trail as pseudonyms: what compliance needs to read, without contact details in clear.

The audit trail is kept seven years; the people it mentions (the contacts and the owner of an opportunity)
may ask to be forgotten long before. So a stored record names a person by `person:<digest>`, the first 16
hex digits of SHA-256 over a fixed label and the normalised e-mail address: a timeline still shows that contact A was replaced
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


# A fixed label before the address: a bare SHA-256 of an e-mail is what hashed mailing lists exchange, so
# the pseudonyms could be looked up in them.
_LABEL = b"cosell-person:"


def pseudonym(email: str) -> str:
    return PREFIX + hashlib.sha256(_LABEL + email.strip().lower().encode()).hexdigest()[:16]


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


def _address(email: str) -> re.Pattern[str]:
    # The whole address, not part of a longer one (erasing ann@x.com leaves joann@x.com alone).
    return re.compile(rf"(?<![A-Za-z0-9._%+-]){re.escape(email.strip())}(?![A-Za-z0-9.-])", re.IGNORECASE)


def mentions(value: Any, email: str) -> bool:
    """Whether `value` (any JSON value) names the person: their address, or their pseudonym."""
    text = json.dumps(value, default=str)
    return bool(_address(email).search(text)) or pseudonym(email) in text


def erased_text(text: str, email: str) -> str:
    """`text` with the person's address and pseudonym replaced."""
    return _address(email).sub(ERASED, text).replace(pseudonym(email), ERASED_PERSON)


def without_person(value: Any, email: str) -> Any:
    """`value` (any JSON value) without the person: an entry that names them (a contact, a team member) is
    left out of its list, whole, so no name or phone of theirs stays and what remains is still what the
    system holds once they are erased there; any other text has their address replaced.

    Applied to a pair's last-synced values, both sides lose the entry together. Once the person is erased in
    HubSpot and Partner Central (first, as the runbook says), each side's current value equals what is left,
    so the erasure is no change; any other change to the same field (another contact added) still is."""
    if isinstance(value, list):
        return [
            without_person(item, email)
            for item in value
            if not (isinstance(item, dict) and mentions(item, email))
        ]
    if isinstance(value, dict):
        return {key: without_person(item, email) for key, item in value.items()}
    if isinstance(value, str):
        return erased_text(value, email)
    return value
