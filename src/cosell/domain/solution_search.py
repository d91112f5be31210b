"""Searching the partner's solution catalog: what a request asks for, which solutions match it, in which order,
one page at a time. Pure.

- **What matches**: `q` is free text; every word of it must appear (case-insensitive, anywhere) in the
  solution's name or category. `category` is one category, compared case-insensitively. `status` is one of
  Partner Central's statuses (default `Active`, the only ones an opportunity can carry) or `all`.
- **Order**: by name (case-insensitive), then id: stable, and what an operator scans for.
- **Pages**: `next` is an opaque token naming the last solution of the previous page (its place in the order)
  and the search it belongs to. A page starts after that place, so paging through a catalog that changes
  meanwhile never repeats a solution and never skips one that was there all along; a token used with another
  search is refused rather than answered with a page of something else.

A request that cannot be answered raises `InvalidRequestError`, which names each parameter and what is wrong with
it, in the caller's words (the API answers 400 with them).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cosell.domain.solutions import ACTIVE

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from cosell.domain.solutions import Solution

STATUSES = (ACTIVE, "Inactive", "Draft")  # ListSolutions' SolutionStatus
ALL = "all"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_TEXT = 200  # longer than any name or category worth searching for
SOLUTION_ID = re.compile(r"^S-[0-9]{1,19}$")  # Partner Central's SolutionIdentifier
DEAL_ID = re.compile(r"^[0-9]{1,20}$")  # HubSpot record ids are digits
_TOKEN_VERSION = 1


@dataclass(frozen=True)
class ParameterProblem:
    parameter: str  # as the caller spelled it: a query parameter or a path parameter
    problem: str


class InvalidRequestError(ValueError):
    """The request cannot be answered as asked; each problem names its parameter."""

    def __init__(self, problems: Sequence[ParameterProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "; ".join(f"{p.parameter}: {p.problem}" for p in self.problems)

    def body(self) -> dict[str, Any]:
        """What the API answers with it."""
        return {
            "message": self.message,
            "errors": [{"parameter": p.parameter, "problem": p.problem} for p in self.problems],
        }


def _words(text: str | None) -> tuple[str, ...]:
    return tuple((text or "").casefold().split())


def _normal(text: str) -> str:
    return " ".join(_words(text))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"must be text (got {value!r})")
    text = " ".join(value.split())
    if len(text) > MAX_TEXT:
        raise ValueError(f"at most {MAX_TEXT} characters (got {len(text)})")
    return text or None


@dataclass(frozen=True)
class _Cursor:
    """Where a page ends: the last solution's place in the order, and the search it was a page of."""

    name_key: str
    solution_id: str
    search: str


class SolutionQuery(BaseModel):
    """GET /solutions' query parameters, validated. Build it with `parse_query`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    PARAMETERS: ClassVar[tuple[str, ...]] = ("q", "category", "status", "limit", "next")

    q: str | None = None
    category: str | None = None
    status: str = ACTIVE  # one of STATUSES, or ALL
    limit: int = DEFAULT_LIMIT
    next: str | None = None

    @field_validator("q", "category", mode="before")
    @classmethod
    def _free_text(cls, value: object) -> str | None:
        return _text(value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: object) -> str:
        text = str(value).strip()
        if text.casefold() == ALL:
            return ALL
        for status in STATUSES:
            if text.casefold() == status.casefold():
                return status
        raise ValueError(f"must be one of {', '.join(STATUSES)} or {ALL} (got {text!r})")

    @field_validator("limit", mode="before")
    @classmethod
    def _limit(cls, value: object) -> int:
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_LIMIT:
            raise ValueError(f"must be a whole number from 1 to {MAX_LIMIT} (got {text!r})")
        return int(text)

    @field_validator("next", mode="before")
    @classmethod
    def _token(cls, value: object) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        _decode(text)  # raises when it is not one of ours
        return text

    @property
    def search_key(self) -> str:
        """What identifies this search across its pages (everything but `limit` and `next`)."""
        canonical = json.dumps([_normal(self.q or ""), _normal(self.category or ""), self.status])
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def matches(self, solution: Solution) -> bool:
        if self.status != ALL and solution.status != self.status:
            return False
        if self.category is not None and _normal(solution.category) != _normal(self.category):
            return False
        haystack = f"{solution.name} {solution.category}".casefold()
        return all(word in haystack for word in _words(self.q))


def order_key(solution: Solution) -> tuple[str, str]:
    return (solution.name.casefold(), solution.id)


def _encode(cursor: _Cursor) -> str:
    raw = json.dumps([_TOKEN_VERSION, cursor.name_key, cursor.solution_id, cursor.search]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_NOT_OURS = "is not a paging token of this API: pass the previous page's next unchanged"


def _decode(token: str) -> _Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, name_key, solution_id, search = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise ValueError(_NOT_OURS) from error
    if version != _TOKEN_VERSION or not all(
        isinstance(part, str) for part in (name_key, solution_id, search)
    ):
        raise ValueError(_NOT_OURS)
    return _Cursor(name_key, solution_id, search)


def _problems(error: ValidationError) -> list[ParameterProblem]:
    found = []
    for detail in error.errors():
        parameter = str(detail["loc"][0]) if detail["loc"] else "query"
        if detail["type"] == "extra_forbidden":
            problem = f"not a parameter of this route (it takes {', '.join(SolutionQuery.PARAMETERS)})"
        else:
            problem = str(detail["msg"]).removeprefix("Value error, ")
        found.append(ParameterProblem(parameter, problem))
    return found


def parse_query(parameters: Mapping[str, str] | None) -> SolutionQuery:
    """GET /solutions' query string (one value per name, as API Gateway's queryStringParameters)."""
    try:
        query = SolutionQuery.model_validate(dict(parameters or {}))
    except ValidationError as error:
        raise InvalidRequestError(_problems(error)) from None
    if query.next is not None and _decode(query.next).search != query.search_key:
        raise InvalidRequestError(
            [
                ParameterProblem(
                    "next",
                    "belongs to another search: keep q, category and status as they were while paging",
                )
            ]
        )
    return query


def solution_id(text: str) -> str:
    """GET /solutions/{id}'s id."""
    if not SOLUTION_ID.match(text):
        raise InvalidRequestError(
            [ParameterProblem("id", f"a solution id is S- and 1 to 19 digits (got {text!r})")]
        )
    return text


def deal_id(text: str) -> str:
    """GET /deals/{dealId}/solution-matches' dealId."""
    if not DEAL_ID.match(text):
        raise InvalidRequestError(
            [ParameterProblem("dealId", f"a HubSpot deal id is digits only (got {text[:40]!r})")]
        )
    return text


def select(catalog: Iterable[Solution], query: SolutionQuery) -> list[Solution]:
    """Every solution that matches, in order, each id once (the first entry of a duplicated id wins)."""
    seen: set[str] = set()
    found = []
    for solution in catalog:
        if solution.id not in seen:
            seen.add(solution.id)
            if query.matches(solution):
                found.append(solution)
    return sorted(found, key=order_key)


@dataclass(frozen=True)
class Page:
    solutions: tuple[Solution, ...]
    total: int  # matching solutions across every page, as the catalog is now
    next: str | None  # the token of the following page; None on the last


def search(catalog: Iterable[Solution], query: SolutionQuery) -> Page:
    """One page of the matching solutions: those after `query.next`'s place, at most `query.limit`."""
    matching = select(catalog, query)
    remaining = matching
    if query.next is not None:
        cursor = _decode(query.next)
        after = (cursor.name_key, cursor.solution_id)
        remaining = [solution for solution in matching if order_key(solution) > after]
    page = remaining[: query.limit]
    token = None
    if len(remaining) > len(page):
        last = page[-1]
        token = _encode(_Cursor(*order_key(last), query.search_key))
    return Page(tuple(page), len(matching), token)
