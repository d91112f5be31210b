"""Associations v4: HubSpot-defined type ids, primary company, both directions, batch read up to 1,000."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import not_found, validation_error
from .routing import (
    Route,
    batch_envelope,
    batch_inputs,
    int_arg,
    object_scope,
    offset_arg,
    standard_error,
)
from .schema import object_type
from .store import Change

if TYPE_CHECKING:
    from .account import Account
    from .routing import (
        ApiRequest,
        Reply,
    )
    from .schema import ObjectType
    from .store import Actor

BATCH_READ_LIMIT = 1000
BATCH_WRITE_LIMIT = 100
PAGE_LIMIT = 500


@dataclass(frozen=True)
class AssociationType:
    type_id: int
    from_type: str
    to_type: str
    inverse_id: int
    primary: bool = False

    @property
    def label(self) -> str | None:
        return "Primary" if self.primary else None

    @property
    def v3_name(self) -> str:
        """The `type` the v3 `associations` query parameter reports: unlabeled pairs carry `_unlabeled`."""
        base = f"{object_type(self.from_type).singular}_to_{object_type(self.to_type).singular}"
        has_primary_variant = any(t.primary for t in _BY_PAIR.get((self.from_type, self.to_type), []))
        return base + ("_unlabeled" if has_primary_variant and not self.primary else "")


def _pair(
    from_type: str, to_type: str, type_id: int, inverse_id: int, *, primary: bool = False
) -> list[AssociationType]:
    return [
        AssociationType(type_id, from_type, to_type, inverse_id, primary),
        AssociationType(inverse_id, to_type, from_type, type_id, primary),
    ]


# HubSpot-defined association type ids (developers.hubspot.com/docs/api/crm/associations/v4).
ASSOCIATION_TYPES: tuple[AssociationType, ...] = tuple(
    _pair("deals", "companies", 341, 342)
    + _pair("deals", "companies", 5, 6, primary=True)
    + _pair("deals", "contacts", 3, 4)
    + _pair("contacts", "companies", 279, 280)
    + _pair("contacts", "companies", 1, 2, primary=True)
    + _pair("notes", "deals", 214, 213)
    + _pair("notes", "companies", 190, 189)
    + _pair("notes", "contacts", 202, 201)
    + _pair("tasks", "deals", 216, 215)
    + _pair("tasks", "companies", 192, 191)
    + _pair("tasks", "contacts", 204, 203)
)
_BY_ID = {t.type_id: t for t in ASSOCIATION_TYPES}
_BY_PAIR: dict[tuple[str, str], list[AssociationType]] = {}
for _type in ASSOCIATION_TYPES:
    _BY_PAIR.setdefault((_type.from_type, _type.to_type), []).append(_type)


def association_type(
    type_id: int, from_type: ObjectType, to_type: ObjectType | None = None
) -> AssociationType:
    found = _BY_ID.get(type_id)
    if found is None or found.from_type != from_type.name or (to_type and found.to_type != to_type.name):
        target = to_type.name if to_type else "?"
        raise validation_error(
            f"{type_id} is not a valid association type between {from_type.name} and {target}",
            [{"message": f"invalid associationTypeId {type_id}", "code": "INVALID_ASSOCIATION_TYPE"}],
        )
    return found


def default_association_type(from_type: ObjectType, to_type: ObjectType) -> AssociationType:
    candidates = [t for t in _BY_PAIR.get((from_type.name, to_type.name), []) if not t.primary]
    if not candidates:
        raise validation_error(f"{from_type.name} cannot be associated with {to_type.name}")
    return candidates[0]


Edge = tuple[str, str, str, str, int]  # from type, from id, to type, to id, type id
LinkKey = tuple[str, str, str]  # from type, from id, to type


class AssociationStore:
    def __init__(self) -> None:
        # (from type, from id, to type) -> to id -> type ids, kept in both directions.
        self._links: dict[LinkKey, dict[str, set[int]]] = {}
        self._written: set[LinkKey] = set()  # keys written since `take_written()`

    def targets(self, from_type: str, from_id: str, to_type: str) -> dict[str, set[int]]:
        return self._links.get((from_type, from_id, to_type), {})

    def take_written(self) -> dict[LinkKey, dict[str, set[int]] | None]:
        """The targets of every key written since the last call (None: never had any), as they are now:
        what a journal entry keeps. They are live: pickle them before the account's lock is released."""
        written, self._written = self._written, set()
        return {key: self._links.get(key) for key in written}

    def put_written(self, links: dict[LinkKey, dict[str, set[int]] | None]) -> None:
        """Replay what `take_written` returned: each key's targets replace the ones it had."""
        for key, targets in links.items():
            if targets is None:
                self._links.pop(key, None)
            else:
                self._links[key] = targets

    def add(self, from_id: str, to_id: str, kind: AssociationType) -> tuple[list[Edge], list[Edge]]:
        """Add it, its inverse and the unlabeled type a primary implies; return (added, removed)."""
        removed: list[Edge] = []
        if kind.primary:
            removed = self._drop_other_primary(from_id, to_id, kind)
        wanted = [kind]
        if kind.primary:
            wanted.append(default_association_type_by_name(kind.from_type, kind.to_type))
        added: list[Edge] = []
        for each in wanted:
            for edge in ((kind.from_type, from_id, kind.to_type, to_id, each.type_id),
                         (kind.to_type, to_id, kind.from_type, from_id, each.inverse_id)):  # fmt: skip
                self._written.add(edge[:3])
                types = self._links.setdefault(edge[:3], {}).setdefault(edge[3], set())
                if edge[4] not in types:
                    types.add(edge[4])
                    added.append(edge)
        return added, removed

    def remove_pair(self, from_type: str, from_id: str, to_type: str, to_id: str) -> list[Edge]:
        removed: list[Edge] = []
        for a_type, a_id, b_type, b_id in (
            (from_type, from_id, to_type, to_id),
            (to_type, to_id, from_type, from_id),
        ):
            self._written.add((a_type, a_id, b_type))
            types = self._links.get((a_type, a_id, b_type), {}).pop(b_id, set())
            removed.extend((a_type, a_id, b_type, b_id, type_id) for type_id in sorted(types))
        return removed

    def _drop_other_primary(self, from_id: str, to_id: str, kind: AssociationType) -> list[Edge]:
        """A record has one primary company: a new primary moves the label off the old one."""
        removed: list[Edge] = []
        for other_id, types in self.targets(kind.from_type, from_id, kind.to_type).items():
            if other_id != to_id and kind.type_id in types:
                types.discard(kind.type_id)
                self._links[(kind.to_type, other_id, kind.from_type)][from_id].discard(kind.inverse_id)
                self._written.update(
                    {(kind.from_type, from_id, kind.to_type), (kind.to_type, other_id, kind.from_type)}
                )
                removed += [(kind.from_type, from_id, kind.to_type, other_id, kind.type_id),
                            (kind.to_type, other_id, kind.from_type, from_id, kind.inverse_id)]  # fmt: skip
        return removed


def default_association_type_by_name(from_type: str, to_type: str) -> AssociationType:
    return next(t for t in _BY_PAIR[(from_type, to_type)] if not t.primary)


def association_changes(edges: list[Edge], *, removed: bool, actor: Actor, now_ms: int) -> list[Change]:
    """One webhook-worthy change per side and type, as HubSpot fires them."""
    changes = []
    for from_type, from_id, to_type, to_id, type_id in edges:
        kind = _BY_ID[type_id]
        source = object_type(from_type)
        details = {
            "associationType": f"{source.singular}_TO_{object_type(to_type).singular}".upper(),
            "fromObjectId": int(from_id),
            "toObjectId": int(to_id),
            "associationRemoved": removed,
            "isPrimaryAssociation": kind.primary,
        }
        changes.append(Change("associationChange", source, from_id, actor, now_ms, details))
    return changes


def labelled_targets(targets: dict[str, set[int]]) -> list[dict[str, Any]]:
    return [
        {
            "toObjectId": to_id,
            "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": _BY_ID[type_id].label}
                for type_id in sorted(types)
            ],
        }
        for to_id, types in sorted(targets.items(), key=lambda item: int(item[0]))
        if types
    ]


def v3_association_results(targets: dict[str, set[int]]) -> list[dict[str, str]]:
    return [
        {"id": to_id, "type": _BY_ID[type_id].v3_name}
        for to_id, types in sorted(targets.items(), key=lambda item: int(item[0]))
        for type_id in sorted(types)
    ]


# --- handlers ---------------------------------------------------------------------------------------------


def _require_record(account: Account, kind: ObjectType, object_id: str) -> None:
    if account.crm.get(kind, object_id) is None:
        raise not_found(f"No {kind.singular} with id {object_id} exists")


def _list(request: ApiRequest) -> Reply:
    from_type = object_type(request.params["objectType"])
    to_type = object_type(request.params["toObjectType"])
    _require_record(request.account, from_type, request.params["objectId"])
    limit = int_arg(request, "limit", PAGE_LIMIT, PAGE_LIMIT)
    offset = offset_arg(request)
    targets = request.account.associations.targets(from_type.name, request.params["objectId"], to_type.name)
    everything = labelled_targets(targets)
    page = everything[offset : offset + limit]
    body: dict[str, Any] = {"results": page}
    if offset + limit < len(everything):
        body["paging"] = {"next": {"after": str(offset + limit)}}
    return 200, body


def _create_labelled(request: ApiRequest) -> Reply:
    from_type = object_type(request.params["objectType"])
    to_type = object_type(request.params["toObjectType"])
    specs = request.body
    if not isinstance(specs, list) or not specs:
        raise validation_error("Invalid input JSON: expected a list of association specs")
    kinds = [association_type(spec_type_id(spec), from_type, to_type) for spec in specs]
    return 201, _associate(
        request, from_type, request.params["objectId"], to_type, request.params["toObjectId"], kinds
    )


def _create_default(request: ApiRequest) -> Reply:
    from_type = object_type(request.params["fromObjectType"])
    to_type = object_type(request.params["toObjectType"])
    kind = default_association_type(from_type, to_type)
    from_id, to_id = request.params["fromObjectId"], request.params["toObjectId"]
    _associate(request, from_type, from_id, to_type, to_id, [kind])
    now = request.account.clock.now_iso()
    result = {
        "from": {"id": from_id},
        "to": {"id": to_id},
        "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": kind.type_id},
    }
    return batch_envelope([result], [], now, now)


def _associate(
    request: ApiRequest,
    from_type: ObjectType,
    from_id: str,
    to_type: ObjectType,
    to_id: str,
    kinds: list[AssociationType],
) -> dict[str, Any]:
    account = request.account
    _require_record(account, from_type, from_id)
    _require_record(account, to_type, to_id)
    account.associate(from_id, to_id, kinds, request.actor)
    labels = [kind.label for kind in kinds if kind.label]
    return {
        "fromObjectTypeId": from_type.type_id,
        "fromObjectId": int(from_id),
        "toObjectTypeId": to_type.type_id,
        "toObjectId": int(to_id),
        "labels": labels,
    }


def _delete(request: ApiRequest) -> Reply:
    from_type = object_type(request.params["objectType"])
    to_type = object_type(request.params["toObjectType"])
    request.account.dissociate(
        from_type, request.params["objectId"], to_type, request.params["toObjectId"], request.actor
    )
    return 204, None


def _batch_read(request: ApiRequest) -> Reply:
    from_type = object_type(request.params["fromObjectType"])
    to_type = object_type(request.params["toObjectType"])
    started = request.account.clock.now_iso()
    results, errors = [], []
    for item in batch_inputs(request, BATCH_READ_LIMIT):
        from_id = str(item.get("id", ""))
        targets = request.account.associations.targets(from_type.name, from_id, to_type.name)
        labelled = labelled_targets(targets)
        if labelled:
            results.append({"from": {"id": from_id}, "to": labelled})
        else:
            message = f"No {to_type.name} is associated with {from_type.singular} {from_id}."
            errors.append(standard_error("OBJECT_NOT_FOUND", message, {"fromObjectId": [from_id]}))
    return batch_envelope(results, errors, started, request.account.clock.now_iso())


def _batch_create(request: ApiRequest) -> Reply:
    from_type = object_type(request.params["fromObjectType"])
    to_type = object_type(request.params["toObjectType"])
    started = request.account.clock.now_iso()
    inputs = batch_inputs(request, BATCH_WRITE_LIMIT)
    planned = []
    for item in inputs:
        kinds = [association_type(spec_type_id(spec), from_type, to_type) for spec in item.get("types", [])]
        if not kinds:
            raise validation_error("Each input needs at least one association type in `types`")
        planned.append((_object_id(item, "from"), _object_id(item, "to"), kinds))
    results = [
        _associate(request, from_type, from_id, to_type, to_id, kinds) for from_id, to_id, kinds in planned
    ]
    _, body = batch_envelope(results, [], started, request.account.clock.now_iso())
    return 201, body


def _batch_archive(request: ApiRequest) -> Reply:
    from_type = object_type(request.params["fromObjectType"])
    to_type = object_type(request.params["toObjectType"])
    for item in batch_inputs(request, BATCH_WRITE_LIMIT):
        from_id = _object_id(item, "from")
        for target in item.get("to", []):
            request.account.dissociate(from_type, from_id, to_type, str(target.get("id", "")), request.actor)
    return 204, None


def spec_type_id(spec: Any) -> int:
    if not isinstance(spec, dict) or not isinstance(spec.get("associationTypeId"), int):
        raise validation_error("Each association spec needs an integer `associationTypeId`")
    category = spec.get("associationCategory", "HUBSPOT_DEFINED")
    if category != "HUBSPOT_DEFINED":
        raise validation_error(f"Association category {category} has no type {spec['associationTypeId']}")
    type_id: int = spec["associationTypeId"]
    return type_id


def _object_id(item: dict[str, Any], side: str) -> str:
    ref = item.get(side)
    if not isinstance(ref, dict) or "id" not in ref:
        raise validation_error(f"Each input needs `{side}.id`")
    return str(ref["id"])


_READ, _WRITE = object_scope("read"), object_scope("write")
ROUTES = [
    Route("GET", "/crm/v4/objects/<objectType>/<objectId>/associations/<toObjectType>", _list, _READ),
    Route(
        "PUT",
        "/crm/v4/objects/<objectType>/<objectId>/associations/<toObjectType>/<toObjectId>",
        _create_labelled,
        _WRITE,
    ),
    Route(
        "DELETE",
        "/crm/v4/objects/<objectType>/<objectId>/associations/<toObjectType>/<toObjectId>",
        _delete,
        _WRITE,
    ),
    Route(
        "PUT",
        "/crm/v4/objects/<fromObjectType>/<fromObjectId>/associations/default/<toObjectType>/<toObjectId>",
        _create_default,
        _WRITE,
    ),
    Route("POST", "/crm/v4/associations/<fromObjectType>/<toObjectType>/batch/read", _batch_read, _READ),
    Route("POST", "/crm/v4/associations/<fromObjectType>/<toObjectType>/batch/create", _batch_create, _WRITE),
    Route(
        "POST", "/crm/v4/associations/<fromObjectType>/<toObjectType>/batch/archive", _batch_archive, _WRITE
    ),
]
