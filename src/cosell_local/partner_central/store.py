"""Emulator state, kept apart per catalog, as plain JSON-ready records so it can be saved to a file."""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cosell_local.state_files import write_atomically

if TYPE_CHECKING:
    from pathlib import Path

Json = dict[str, Any]

CATALOGS = ("AWS", "Sandbox")

# The seeded solutions catalog; S-1234567 is the test solution AWS documents for the Sandbox.
SEED_SOLUTIONS = (
    ("S-1234567", "Sandbox Test Solution", "Active", "Software Product"),
    ("S-0000001", "Managed Data Platform", "Active", "Managed Services"),
    ("S-0000002", "Migration Factory", "Active", "Consulting Services"),
    ("S-0000003", "Legacy Connector", "Inactive", "Software Product"),
    ("S-0000004", "Analytics Accelerator", "Draft", "Software Product"),
)
SOLUTIONS_CREATED = "2024-01-15T09:00:00.000Z"


def seed_solutions(catalog: str) -> dict[str, Json]:
    return {
        identifier: {
            "Catalog": catalog,
            "Id": identifier,
            "Arn": identifier,
            "Name": name,
            "Status": status,
            "Category": category,
            "CreatedDate": SOLUTIONS_CREATED,
        }
        for identifier, name, status, category in SEED_SOLUTIONS
    }


@dataclass
class CatalogState:
    name: str
    opportunities: dict[str, Json] = field(default_factory=dict)
    # "<Operation>:<ClientToken>" → {"Fingerprint": canonical request, "Result": response or task id}
    client_tokens: dict[str, Json] = field(default_factory=dict)
    # Opportunity id → the AWS-side view returned by GetAwsOpportunitySummary.
    aws_summaries: dict[str, Json] = field(default_factory=dict)
    invitations: dict[str, Json] = field(default_factory=dict)
    engagements: dict[str, Json] = field(default_factory=dict)
    tasks: dict[str, Json] = field(default_factory=dict)
    resource_associations: list[Json] = field(default_factory=list)
    snapshots: list[Json] = field(default_factory=list)
    snapshot_jobs: dict[str, Json] = field(default_factory=dict)
    solutions: dict[str, Json] = field(default_factory=dict)
    settings: Json = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.solutions:
            self.solutions = seed_solutions(self.name)


@dataclass
class State:
    catalogs: dict[str, CatalogState] = field(
        default_factory=lambda: {name: CatalogState(name) for name in CATALOGS}
    )
    # Resource ARN → tags; ARNs already name their catalog.
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    # How far the emulator's clock is ahead of the wall clock when saved, so a restart continues its time.
    clock_offset_seconds: float = 0.0
    # The identifier generator's random state, so a restarted emulator never hands out an id again.
    id_generator_state: list[Any] | None = None

    def as_json(self) -> Json:
        """The state as one JSON document: a view of the records, not a copy (they are JSON already, and a
        deep copy was most of a save's time at a thousand opportunities, each write saving the state)."""
        return {
            "catalogs": {name: dict(vars(catalog)) for name, catalog in self.catalogs.items()},
            "tags": self.tags,
            "clock_offset_seconds": self.clock_offset_seconds,
            "id_generator_state": self.id_generator_state,
        }

    @classmethod
    def from_json(cls, data: Json) -> State:
        return cls(
            catalogs={name: CatalogState(**catalog) for name, catalog in data["catalogs"].items()},
            tags=data.get("tags", {}),
            clock_offset_seconds=float(data.get("clock_offset_seconds", 0.0)),
            id_generator_state=data.get("id_generator_state"),
        )


def load_state(path: Path) -> State:
    if not path.exists():
        return State()
    return State.from_json(json.loads(path.read_text(encoding="utf-8")))


def save_state(state: State, path: Path) -> None:
    write_atomically(path, json.dumps(state.as_json()).encode())


class IdGenerator:
    """Identifiers shaped like AWS's (`O` + digits, `eng-` + 14 base-36 characters, ...), seeded."""

    _BASE36 = string.digits + string.ascii_lowercase

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def saved_state(self) -> list[Any]:
        version, internal, gauss = self._random.getstate()
        return [version, list(internal), gauss]

    def restore(self, saved: list[Any]) -> None:
        version, internal, gauss = saved
        self._random.setstate((version, tuple(internal), gauss))

    def opportunity(self) -> str:
        return "O" + str(self._random.randrange(1_000_000_000, 10_000_000_000))

    def prefixed(self, prefix: str, length: int) -> str:
        return prefix + "".join(self._random.choice(self._BASE36) for _ in range(length))

    def uuid(self) -> str:
        value = "".join(self._random.choice("0123456789abcdef") for _ in range(32))
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
