"""Partner Central's answers, checked where they arrive: two botocore hooks on the client
(`register_answer_checks`).

A 200 whose body is not JSON, lacks a member, holds one of the wrong type, or holds a value outside its value
set where cosell decides on it, fails the call with `MalformedAnswerError` naming the operation and each
member. Without the check such an answer surfaced as a KeyError deep in a use case, closed a referral whose
status it did not know, or was written back: UpdateOpportunity replaces the whole record, so a read missing
`LifeCycle` blanked the opportunity's stage and close date (tests/fixtures/bad_inputs/answers.json).

The contract is botocore's model (required members and types; docs/CONTRACTS.md, "Partner Central's answers")
and what cosell needs beyond it (`NEEDED`, `DECIDED_ON`). Values are never quoted but for the decided-on ones
(statuses), so no personal data reaches a log line or `cosell dlq`. The call fails without a retry: the queue
retries the message, and parks it in the DLQ with this reason if the answers stay malformed.

The check runs before botocore parses the answer (`before-parse`): a malformed body is replaced by `{}`, which
botocore parses without tripping on it (a string where it expects an object raised AttributeError inside
botocore), and the problems are carried in the parsed answer to `after-call`, which raises. So the attempt
ends as every other does: the hooks that follow it (the pacer's `answered`, freeing its budget) still run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.utils import parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from botocore.client import BaseClient
    from botocore.model import OperationModel, Shape

_FLAG = "cosell:malformed-answer"  # the problems, from before-parse to after-call, in the parsed answer

_TASK = ("TaskId", "TaskStatus")
_TASK_SUMMARIES = ("TaskSummaries[].TaskId", "TaskSummaries[].TaskStatus")
# Members the model leaves optional that cosell reads. GetOpportunity's are what UpdateOpportunity sends back
# (read-merge-write): a read without them would blank them in Partner Central.
NEEDED: Mapping[str, tuple[str, ...]] = {
    "GetOpportunity": ("Customer", "Project", "LifeCycle.Stage"),
    "GetEngagementInvitation": ("Status", "PayloadType", "EngagementId", "ExpirationDate"),
    "StartEngagementByAcceptingInvitationTask": _TASK,
    "StartOpportunityFromEngagementTask": _TASK,
    "StartEngagementFromOpportunityTask": _TASK,
    "ListEngagementByAcceptingInvitationTasks": _TASK_SUMMARIES,
    "ListOpportunityFromEngagementTasks": _TASK_SUMMARIES,
    "ListEngagementFromOpportunityTasks": _TASK_SUMMARIES,
}
# Members cosell branches on: a value the model does not list would be taken for another one (an unknown
# invitation status for a rejection), so it fails the call instead.
DECIDED_ON: Mapping[str, tuple[str, ...]] = {
    "GetEngagementInvitation": ("Status", "PayloadType"),
    "StartEngagementByAcceptingInvitationTask": ("TaskStatus",),
    "StartOpportunityFromEngagementTask": ("TaskStatus",),
    "StartEngagementFromOpportunityTask": ("TaskStatus",),
    "ListEngagementByAcceptingInvitationTasks": ("TaskSummaries[].TaskStatus",),
    "ListOpportunityFromEngagementTasks": ("TaskSummaries[].TaskStatus",),
    "ListEngagementFromOpportunityTasks": ("TaskSummaries[].TaskStatus",),
}
_MAX_PROBLEMS = 5
_JSON_TYPES: Mapping[str, tuple[type | tuple[type, ...], str]] = {
    "structure": (dict, "an object"),
    "map": (dict, "an object"),
    "list": (list, "a list"),
    "string": (str, "a string"),
    "blob": (str, "a string"),
    "boolean": (bool, "true or false"),
    "integer": (int, "an integer"),
    "long": (int, "an integer"),
    "float": ((int, float), "a number"),
    "double": ((int, float), "a number"),
}


class MalformedAnswerError(Exception):
    """Partner Central answered a call with what its contract does not allow; the message names each problem."""

    def __init__(self, operation: str, problems: list[str]) -> None:
        shown = problems[:_MAX_PROBLEMS] + (
            [f"{len(problems) - _MAX_PROBLEMS} more"] if len(problems) > _MAX_PROBLEMS else []
        )
        super().__init__(f"Partner Central's {operation} answer is malformed: {'; '.join(shown)}")
        self.operation = operation
        self.problems = problems


def register_answer_checks(client: BaseClient) -> None:
    events = client.meta.events
    events.register("before-parse.partnercentral-selling", _flag_malformed)
    events.register("after-call.partnercentral-selling", _raise_if_malformed)


def answer_problems(operation_model: OperationModel, response_dict: Mapping[str, Any]) -> list[str]:
    """What is wrong with a successful answer, for cosell; nothing for an error answer, which botocore reads
    (an HTML 502 from a gateway is a 502, retried)."""
    if response_dict.get("status_code", 200) >= 300:
        return []
    raw = response_dict.get("body") or b"{}"
    try:
        document = json.loads(raw)
    except ValueError:
        content_type = response_dict.get("headers", {}).get("content-type", "no content type")
        return [f"the body is not JSON ({len(raw)} bytes, {content_type})"]
    shape = operation_model.output_shape
    if shape is None:
        return []
    return list(problems_of(shape, document, "")) or _missing_or_unknown(
        operation_model.name, shape, document
    )


def _flag_malformed(
    operation_model: OperationModel,
    response_dict: dict[str, Any],
    customized_response_dict: dict[str, Any],
    **_: Any,
) -> None:
    problems = answer_problems(operation_model, response_dict)
    if problems:
        response_dict["body"] = b"{}"
        customized_response_dict[_FLAG] = problems


def _raise_if_malformed(model: OperationModel, parsed: dict[str, Any], **_: Any) -> None:
    problems = parsed.pop(_FLAG, None)
    if problems:
        raise MalformedAnswerError(model.name, problems)


def problems_of(shape: Shape, value: Any, path: str) -> Iterator[str]:
    """What in `value` botocore's `shape` does not allow: types and required members, not value sets."""
    where = path or "the answer"
    kind = shape.type_name
    if kind == "timestamp":
        if not _is_timestamp(value):
            yield f"{where} is not a date and time"
        return
    expected = _JSON_TYPES.get(kind)
    if expected is None:
        return  # documents and unions: any JSON
    types, described = expected
    if not isinstance(value, types) or (isinstance(value, bool) and kind != "boolean"):
        yield f"{where} is not {described}"
        return
    model: Any = shape  # StructureShape, ListShape or MapShape by its type name
    if kind == "structure" and isinstance(value, dict):
        for name in model.required_members:
            if value.get(name) is None:
                yield f"{_join(path, name)} is missing"
        for name, member in model.members.items():
            if value.get(name) is not None:
                yield from problems_of(member, value[name], _join(path, name))
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from problems_of(model.member, item, f"{path}[{index}]")
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from problems_of(model.value, item, _join(path, str(key)))


def _missing_or_unknown(operation: str, shape: Shape, document: dict[str, Any]) -> list[str]:
    """What cosell needs beyond the model: `NEEDED` present, `DECIDED_ON` within the model's value set."""
    problems = [
        f"{where} is missing"
        for path in NEEDED.get(operation, ())
        for where, value in _at(document, path)
        if value is None
    ]
    for path in DECIDED_ON.get(operation, ()):
        known = _value_set(shape, path)
        problems += [
            f"{where} is {str(value)[:40]!r}, not one of {', '.join(sorted(known))}"
            for where, value in _at(document, path)
            if value is not None and value not in known
        ]
    return problems


def _at(document: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Each place `path` names (`[]` is every item of a list), and its value there (None if absent)."""
    places: list[tuple[str, Any]] = [("", document)]
    for part in path.split("."):
        name, every = part.removesuffix("[]"), part.endswith("[]")
        reached = []
        for where, value in places:
            inner = value.get(name) if isinstance(value, dict) else None
            here = _join(where, name)
            if every:
                reached += [(f"{here}[{index}]", item) for index, item in enumerate(inner or [])]
            else:
                reached.append((here, inner))
        places = reached
    return iter(places)


def _value_set(shape: Any, path: str) -> frozenset[str]:
    for part in path.split("."):
        shape = shape.members[part.removesuffix("[]")]
        if part.endswith("[]"):
            shape = shape.member
    return frozenset(shape.enum)


def _is_timestamp(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    try:
        parse_timestamp(str(value))  # botocore's own parser: what it cannot read, it would raise on
    except (ValueError, OverflowError, RuntimeError):  # RuntimeError: an epoch beyond any time zone's
        return False
    return True


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
