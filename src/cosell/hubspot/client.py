"""A thin typed HubSpot client over urllib3, for the Lambda: small import cost, bounded retries.

Never logs tokens, bodies or query strings (they can carry personal data); logs method, path and status.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlencode

import urllib3
from pydantic import BaseModel, ValidationError

from cosell.metrics import Metric, count

from .models import (
    Association,
    AssociationInput,
    AssociationRow,
    Company,
    Contact,
    CrmObject,
    Deal,
    Note,
    Owner,
    Page,
    Pipeline,
    PropertyDefinition,
    PropertyGroup,
    SearchFilter,
    SearchPage,
    Task,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from datetime import datetime

    from .models import ObjectTypeName

DEFAULT_BASE_URL = "https://api.hubapi.com"
BATCH_LIMIT = 100  # CRM object batch read/create/update
# A read with property history: 50 records a request, the page HubSpot allows with histories on its list
# endpoint (a history can be long).
HISTORY_BATCH_LIMIT = 50
# The property holding when a record last changed (contacts name it apart).
MODIFIED_PROPERTY: dict[str, str] = {
    "deals": "hs_lastmodifieddate",
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
}
ASSOCIATION_BATCH_LIMIT = 1000  # associations v4 batch read
SEARCH_PAGE_LIMIT = 200
SEARCH_RESULT_LIMIT = 10_000  # a search's results HubSpot pages through, at most
NOTE_TO_DEAL = 214
TASK_TO_DEAL = 216

log = logging.getLogger(__name__)
_Record = TypeVar("_Record", bound=CrmObject)
_Answer = TypeVar("_Answer", bound=BaseModel)
_Call = tuple[str, str, dict[str, Any]]  # method, path, and _exchange's options (query, body)


class HubSpotError(Exception):
    """A HubSpot error answer (or a failure to get one), with HubSpot's category and message."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        category: str | None = None,
        correlation_id: str | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(f"HubSpot {status}{f' {category}' if category else ''}: {message}")
        self.status = status
        self.message = message
        self.category = category
        self.correlation_id = correlation_id
        self.errors = list(errors)


class HubSpotAuthError(HubSpotError):
    """401 (token unknown or expired) or 403 (e.g. MISSING_SCOPES)."""

    @property
    def missing_scopes(self) -> list[str]:
        """The scopes a MISSING_SCOPES answer names (`errors[].context.requiredGranularScopes`, or the older
        `requiredScopes`): one or more of them is needed."""
        if self.category != "MISSING_SCOPES":
            return []
        return [
            str(scope)
            for problem in self.errors
            for key in ("requiredGranularScopes", "requiredScopes")
            for scope in (problem.get("context") or {}).get(key) or ()
        ]


class HubSpotNotFoundError(HubSpotError):
    pass


class HubSpotConflictError(HubSpotError):
    """409, e.g. creating a property that exists."""


class HubSpotValidationError(HubSpotError):
    """400: the request itself is wrong; retrying cannot help."""

    @property
    def refused_properties(self) -> set[str]:
        """The properties whose values HubSpot refused: named in `errors[].context.propertyName`, or in the
        JSON list HubSpot appends to "Property values were not valid: "."""
        names = {
            str(name)
            for problem in self.errors
            for name in (problem.get("context") or {}).get("propertyName") or ()
        }
        _, _, listed = self.message.partition("Property values were not valid: ")
        try:
            problems = json.loads(listed) if listed else []
        except ValueError:
            problems = []
        if isinstance(problems, list):
            names |= {str(p["name"]) for p in problems if isinstance(p, dict) and "name" in p}
        return names


class HubSpotRateLimitError(HubSpotError):
    def __init__(
        self, status: int, message: str, *, policy_name: str | None, interval_ms: int | None
    ) -> None:
        super().__init__(status, message, category="RATE_LIMIT")
        self.policy_name = policy_name
        self.interval_ms = interval_ms

    @property
    def is_daily(self) -> bool:
        return self.policy_name == "DAILY"


class HubSpotUnavailableError(HubSpotError):
    """5xx, 423 Locked or no connection: transient, retried before it reaches the caller."""


class HubSpotAnswerError(HubSpotError):
    """A 2xx answer cosell cannot read: not JSON, not the shape HubSpot documents, or a paging cursor that
    does not move on. Not retried here (a create it answers may have happened): the message's retry reads
    again. The message names the call and the first problem, never a value."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    locked_delay: float = 2.0  # HubSpot: after a 423, wait at least 2 s
    rate_limit_interval: float = 10.0  # when a 429 lacks X-HubSpot-RateLimit-Interval-Milliseconds


class HubSpotClient:
    """`token` is called for each attempt, so a rotated token (fetched from SSM) is picked up."""

    def __init__(
        self,
        token: Callable[[], str],
        *,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        http: urllib3.PoolManager | None = None,
    ) -> None:
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self._timeout = urllib3.Timeout(total=timeout)
        self._sleep = sleep
        self._jitter = jitter
        self._http = http or urllib3.PoolManager(maxsize=4)

    # --- CRM objects ---

    def get_deal(
        self, deal_id: str, properties: Sequence[str] = (), associations: Sequence[str] = ()
    ) -> Deal:
        return self._get_object("deals", deal_id, properties, associations, Deal)

    def get_company(self, company_id: str, properties: Sequence[str] = ()) -> Company:
        return self._get_object("companies", company_id, properties, (), Company)

    def get_contact(self, contact_id: str, properties: Sequence[str] = ()) -> Contact:
        return self._get_object("contacts", contact_id, properties, (), Contact)

    def batch_read_deals(self, ids: Iterable[str], properties: Sequence[str] = ()) -> list[Deal]:
        return self._batch_read("deals", ids, properties, Deal)

    def batch_read_companies(self, ids: Iterable[str], properties: Sequence[str] = ()) -> list[Company]:
        return self._batch_read("companies", ids, properties, Company)

    def batch_read_contacts(self, ids: Iterable[str], properties: Sequence[str] = ()) -> list[Contact]:
        return self._batch_read("contacts", ids, properties, Contact)

    def create_deal(
        self, properties: Mapping[str, str], associations: Sequence[AssociationInput] = ()
    ) -> Deal:
        return self._create("deals", properties, associations, Deal)

    def create_company(self, properties: Mapping[str, str]) -> Company:
        return self._create("companies", properties, (), Company)

    def create_contact(self, properties: Mapping[str, str]) -> Contact:
        return self._create("contacts", properties, (), Contact)

    def update_deal(self, deal_id: str, properties: Mapping[str, str]) -> Deal:
        return self._update("deals", deal_id, properties, Deal)

    def batch_update_deals(self, updates: Mapping[str, Mapping[str, str]]) -> list[Deal]:
        """Each deal id with its properties, 100 deals a request. HubSpot refuses a whole batch (400) when
        one input is invalid."""
        written: list[Deal] = []
        for chunk in _chunks(list(updates), BATCH_LIMIT):
            inputs = [{"id": deal_id, "properties": dict(updates[deal_id])} for deal_id in chunk]
            _, deals = self._page(
                Deal, "POST", "/crm/v3/objects/deals/batch/update", {"body": {"inputs": inputs}}
            )
            written += deals
        return written

    def update_contact(self, contact_id: str, properties: Mapping[str, str]) -> Contact:
        return self._update("contacts", contact_id, properties, Contact)

    def update_company(self, company_id: str, properties: Mapping[str, str]) -> Company:
        return self._update("companies", company_id, properties, Company)

    def search_deals(
        self,
        filter_groups: Sequence[Sequence[SearchFilter]],
        properties: Sequence[str] = (),
        *,
        sort: str | None = None,
        limit: int = 100,
        after: str | None = None,
    ) -> SearchPage:
        """One page. `sort` is a property name, prefixed with "-" for descending."""
        page, deals = self._page(Deal, *self._search("deals", filter_groups, properties, sort, limit, after))
        return SearchPage(total=page.total or 0, results=deals, next_after=page.next_after)

    def find_deals(
        self, filter_groups: Sequence[Sequence[SearchFilter]], properties: Sequence[str] = ()
    ) -> list[Deal]:
        """Every match, page by page (HubSpot stops at 10,000)."""
        return self._find_all("deals", filter_groups, properties, Deal)

    def find_companies(
        self, filter_groups: Sequence[Sequence[SearchFilter]], properties: Sequence[str] = ()
    ) -> list[Company]:
        return self._find_all("companies", filter_groups, properties, Company)

    def find_contacts(
        self, filter_groups: Sequence[Sequence[SearchFilter]], properties: Sequence[str] = ()
    ) -> list[Contact]:
        return self._find_all("contacts", filter_groups, properties, Contact)

    def find_modified(
        self,
        object_type: ObjectTypeName,
        since: datetime,
        filter_groups: Sequence[Sequence[SearchFilter]] = ((),),
        properties: Sequence[str] = (),
    ) -> list[CrmObject]:
        """The records of `object_type` last modified at or after `since` (and matching one of
        `filter_groups`), oldest first: the first 10,000, where HubSpot's search ends (it refuses a page after
        that); a caller keeping a cursor goes on from the last one the next time."""
        modified = SearchFilter(
            property_name=MODIFIED_PROPERTY[object_type], operator="GTE", value=_epoch_ms(since)
        )
        groups = [[*group, modified] for group in filter_groups]
        return self._every_page(
            CrmObject,
            lambda after: self._search(
                object_type, groups, properties, MODIFIED_PROPERTY[object_type], SEARCH_PAGE_LIMIT, after
            ),
            most=SEARCH_RESULT_LIMIT,
        )

    def batch_read_history(
        self, object_type: ObjectTypeName, ids: Iterable[str], properties: Sequence[str]
    ) -> list[CrmObject]:
        """The records with every value `properties` had, newest first, each with its time and source."""
        return self._batch_read(object_type, ids, (), CrmObject, history=properties)

    # --- notes and tasks ---

    def create_note(self, deal_id: str, body: str, timestamp: datetime) -> Note:
        properties = {"hs_note_body": body, "hs_timestamp": _epoch_ms(timestamp)}
        return self._create("notes", properties, [_to_deal(deal_id, NOTE_TO_DEAL)], Note)

    def create_task(
        self,
        deal_id: str,
        subject: str,
        *,
        due: datetime,
        body: str = "",
        priority: str = "MEDIUM",
        status: str = "NOT_STARTED",
        owner_id: str | None = None,
    ) -> Task:
        properties = {
            "hs_task_subject": subject,
            "hs_task_body": body,
            "hs_timestamp": _epoch_ms(due),
            "hs_task_priority": priority,
            "hs_task_status": status,
        }
        if owner_id:
            properties["hubspot_owner_id"] = owner_id
        return self._create("tasks", properties, [_to_deal(deal_id, TASK_TO_DEAL)], Task)

    # --- associations v4 ---

    def list_associations(
        self, from_type: ObjectTypeName, from_id: str, to_type: ObjectTypeName
    ) -> list[Association]:
        path = f"/crm/v4/objects/{from_type}/{_segment(from_id)}/associations/{to_type}"
        return self._every_page(
            Association,
            lambda after: ("GET", path, {"query": {"limit": "500", **({"after": after} if after else {})}}),
        )

    def batch_read_associations(
        self, from_type: ObjectTypeName, to_type: ObjectTypeName, ids: Iterable[str]
    ) -> dict[str, list[Association]]:
        """Every requested id is a key; ids without associations map to an empty list."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, list[Association]] = {object_id: [] for object_id in wanted}
        for chunk in _chunks(wanted, ASSOCIATION_BATCH_LIMIT):
            _, rows = self._page(
                AssociationRow,
                "POST",
                f"/crm/v4/associations/{from_type}/{to_type}/batch/read",
                {"body": {"inputs": [{"id": object_id} for object_id in chunk]}},
            )
            found.update((row.from_.id, row.to) for row in rows)
        return found

    def associate(
        self,
        from_type: ObjectTypeName,
        from_id: str,
        to_type: ObjectTypeName,
        to_id: str,
        type_ids: Sequence[int],
    ) -> None:
        path = f"/crm/v4/objects/{from_type}/{_segment(from_id)}/associations/{to_type}/{_segment(to_id)}"
        specs = [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id} for type_id in type_ids
        ]
        self._exchange("PUT", path, body=specs)

    def remove_association(
        self, from_type: ObjectTypeName, from_id: str, to_type: ObjectTypeName, to_id: str
    ) -> None:
        path = f"/crm/v4/objects/{from_type}/{_segment(from_id)}/associations/{to_type}/{_segment(to_id)}"
        self._exchange("DELETE", path)

    # --- pipelines, owners, properties ---

    def list_pipelines(self) -> list[Pipeline]:
        return self._page(Pipeline, "GET", "/crm/v3/pipelines/deals")[1]

    def list_owners(self, email: str | None = None) -> list[Owner]:
        def page(after: str | None) -> _Call:
            query = {
                "limit": "100",
                **({"email": email} if email else {}),
                **({"after": after} if after else {}),
            }
            return "GET", "/crm/v3/owners", {"query": query}

        return self._every_page(Owner, page)

    def list_properties(self, object_type: ObjectTypeName) -> list[PropertyDefinition]:
        return self._page(PropertyDefinition, "GET", f"/crm/v3/properties/{object_type}")[1]

    def get_property(self, object_type: ObjectTypeName, name: str) -> PropertyDefinition | None:
        try:
            return self._call(PropertyDefinition, "GET", f"/crm/v3/properties/{object_type}/{_segment(name)}")
        except HubSpotNotFoundError:
            return None

    def create_property(
        self, object_type: ObjectTypeName, definition: PropertyDefinition
    ) -> PropertyDefinition:
        """Raises HubSpotConflictError when it exists: read first."""
        payload = definition.model_dump(by_alias=True, exclude_none=True, exclude={"hubspot_defined"})
        path = f"/crm/v3/properties/{object_type}"
        return self._call(PropertyDefinition, "POST", path, body=payload, creates=True)

    def list_property_groups(self, object_type: ObjectTypeName) -> list[PropertyGroup]:
        return self._page(PropertyGroup, "GET", f"/crm/v3/properties/{object_type}/groups")[1]

    def create_property_group(self, object_type: ObjectTypeName, group: PropertyGroup) -> PropertyGroup:
        payload = group.model_dump(by_alias=True, include={"name", "label", "display_order"})
        path = f"/crm/v3/properties/{object_type}/groups"
        return self._call(PropertyGroup, "POST", path, body=payload, creates=True)

    # --- access ---

    def check_write_access(self, path: str) -> None:
        """PATCH nothing to `path`, a record that cannot exist: HubSpot checks the token's scopes for the
        endpoint before it looks for the record (docs/CONTRACTS.md, "HubSpot scopes"), so a missing scope
        raises HubSpotAuthError, and HubSpot's 404 (or 400 for the empty body) says the write is allowed.
        Nothing is written, so nothing is left behind and no webhook fires."""
        try:
            self._exchange("PATCH", path, body={})
        except (HubSpotNotFoundError, HubSpotValidationError):
            return

    # --- plumbing ---

    def _get_object(
        self,
        object_type: ObjectTypeName,
        object_id: str,
        properties: Sequence[str],
        associations: Sequence[str],
        model: type[_Record],
    ) -> _Record:
        query = {
            name: ",".join(values)
            for name, values in (("properties", properties), ("associations", associations))
            if values
        }
        return self._call(model, "GET", f"/crm/v3/objects/{object_type}/{_segment(object_id)}", query=query)

    def _search(
        self,
        object_type: ObjectTypeName,
        filter_groups: Sequence[Sequence[SearchFilter]],
        properties: Sequence[str],
        sort: str | None = None,
        limit: int = 100,
        after: str | None = None,
    ) -> _Call:
        """The search call for one page."""
        request: dict[str, Any] = {
            "filterGroups": [
                {"filters": [f.model_dump(by_alias=True, exclude_none=True) for f in group]}
                for group in filter_groups
            ],
            "properties": list(properties),
            "limit": min(limit, SEARCH_PAGE_LIMIT),
        }
        if sort:
            direction = "DESCENDING" if sort.startswith("-") else "ASCENDING"
            request["sorts"] = [{"propertyName": sort.lstrip("-"), "direction": direction}]
        if after:
            request["after"] = after
        return "POST", f"/crm/v3/objects/{object_type}/search", {"body": request}

    def _find_all(
        self,
        object_type: ObjectTypeName,
        filter_groups: Sequence[Sequence[SearchFilter]],
        properties: Sequence[str],
        model: type[_Record],
    ) -> list[_Record]:
        return self._every_page(
            model,
            lambda after: self._search(
                object_type, filter_groups, properties, limit=SEARCH_PAGE_LIMIT, after=after
            ),
        )

    def _batch_read(
        self,
        object_type: ObjectTypeName,
        ids: Iterable[str],
        properties: Sequence[str],
        model: type[_Record],
        history: Sequence[str] = (),
    ) -> list[_Record]:
        """Missing ids are left out (HubSpot answers 207 with an OBJECT_NOT_FOUND error for them)."""
        found: list[_Record] = []
        for chunk in _chunks(list(dict.fromkeys(ids)), HISTORY_BATCH_LIMIT if history else BATCH_LIMIT):
            request = {
                "inputs": [{"id": object_id} for object_id in chunk],
                "properties": list(properties),
                "propertiesWithHistory": list(history),
            }
            found += self._page(
                model, "POST", f"/crm/v3/objects/{object_type}/batch/read", {"body": request}
            )[1]
        return found

    def _update(
        self, object_type: ObjectTypeName, object_id: str, properties: Mapping[str, str], model: type[_Record]
    ) -> _Record:
        path = f"/crm/v3/objects/{object_type}/{_segment(object_id)}"
        return self._call(model, "PATCH", path, body={"properties": properties})

    def _create(
        self,
        object_type: ObjectTypeName,
        properties: Mapping[str, str],
        associations: Sequence[AssociationInput],
        model: type[_Record],
    ) -> _Record:
        payload = {
            "properties": dict(properties),
            "associations": [
                {
                    "to": {"id": link.to_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": link.type_id}],
                }
                for link in associations
            ],
        }
        return self._call(model, "POST", f"/crm/v3/objects/{object_type}", body=payload, creates=True)

    def _call(self, model: type[_Answer], method: str, path: str, **options: Any) -> _Answer:
        """One call whose answer is one `model`."""
        status, document = self._exchange(method, path, **options)
        return _validated(model, document, status, f"{method} {path}")

    def _page(
        self, model: type[_Answer], method: str, path: str, options: Mapping[str, Any] | None = None
    ) -> tuple[Page, list[_Answer]]:
        """One call whose answer is a page of `model`s: the page (its cursor, a search's total) and its items."""
        status, document = self._exchange(method, path, **(options or {}))
        call = f"{method} {path}"
        page = _validated(Page, document, status, call)
        items = [
            _validated(model, item, status, call, f"results.{index}")
            for index, item in enumerate(page.results)
        ]
        return page, items

    def _every_page(
        self, model: type[_Answer], call: Callable[[str | None], _Call], most: int | None = None
    ) -> list[_Answer]:
        """Every item of a paged list; `call(after)` is the call for the page after the cursor `after`; at
        `most` items it stops. A cursor already followed would loop forever: HubSpotAnswerError instead."""
        found: list[_Answer] = []
        followed: set[str] = set()
        after: str | None = None
        while True:
            method, path, options = call(after)
            page, items = self._page(model, method, path, options)
            found += items
            after = page.next_after
            if after is None or (most is not None and len(found) >= most):
                return found
            if after in followed:
                raise HubSpotAnswerError(
                    200, f"{method} {path}: paging.next.after repeats a cursor already followed"
                )
            followed.add(after)

    def _exchange(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        creates: bool = False,
    ) -> tuple[int, Any]:
        """One API call with retries: the answer's status and its JSON (None when empty). `creates`: HubSpot
        has no idempotency key, so a create is retried only when HubSpot certainly did not act (429, 423, 503,
        or no connection made); after a 500, 502, 504 or a lost answer the record may exist, and the caller
        must look before creating again."""
        url = self._base_url + path + (f"?{urlencode(query)}" if query else "")
        encoded = None if body is None else json.dumps(body).encode()
        for attempt in range(1, self._retry.max_attempts + 1):
            headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
            if encoded is not None:
                headers["Content-Type"] = "application/json"
            try:
                response = self._http.request(
                    method,
                    url,
                    body=encoded,
                    headers=headers,
                    timeout=self._timeout,
                    retries=False,
                    redirect=False,
                )
            except urllib3.exceptions.HTTPError as failure:
                error: HubSpotError = HubSpotUnavailableError(0, f"no answer: {type(failure).__name__}")
                never_sent = isinstance(
                    failure, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
                )
                delay: float | None = self._backoff(attempt) if never_sent or not creates else None
            else:
                if response.status < 400:
                    log.debug("hubspot %s %s -> %s", method, path, response.status)
                    return response.status, _json_of(response, f"{method} {path}")
                error = _error_from(response)
                ambiguous = creates and response.status >= 500 and response.status != 503
                delay = None if ambiguous else self._delay_for(error, attempt)
            if delay is None or attempt == self._retry.max_attempts:
                raise error
            log.warning(
                "hubspot %s %s failed (%s); retry %d in %.1f s", method, path, error.status, attempt, delay
            )
            self._sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    def _delay_for(self, error: HubSpotError, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when retrying cannot help."""
        if isinstance(error, HubSpotRateLimitError):
            if error.is_daily:
                return None  # the daily budget only refills with time: let the caller park the work
            interval = error.interval_ms / 1000 if error.interval_ms else self._retry.rate_limit_interval
            # The window is rolling: after one full interval every counted call has left it.
            return interval * (1 + 0.1 * self._jitter())
        if error.status == 423:
            return max(self._retry.locked_delay, self._backoff(attempt))
        if isinstance(error, HubSpotUnavailableError):
            return self._backoff(attempt)
        return None

    def _backoff(self, attempt: int) -> float:
        ceiling: float = min(self._retry.max_delay, self._retry.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + self._jitter() * ceiling / 2


def _error_from(response: urllib3.BaseHTTPResponse) -> HubSpotError:
    try:
        body = json.loads(response.data) if response.data else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = response.status
    message = str(body.get("message") or f"HTTP {status}")
    if status == 429:
        count(Metric.HUBSPOT_RATE_LIMITED)
        interval = response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
        return HubSpotRateLimitError(
            status,
            message,
            policy_name=body.get("policyName"),
            interval_ms=int(interval) if interval and interval.isdigit() else None,
        )
    kind: type[HubSpotError] = HubSpotError
    if status in (401, 403):
        kind = HubSpotAuthError
    elif status == 404:
        kind = HubSpotNotFoundError
    elif status == 409:
        kind = HubSpotConflictError
    elif status == 400:
        kind = HubSpotValidationError
    elif status == 423 or status >= 500:
        kind = HubSpotUnavailableError
    return kind(
        status,
        message,
        category=body.get("category"),
        correlation_id=body.get("correlationId"),
        errors=body.get("errors") or [],
    )


def _json_of(response: urllib3.BaseHTTPResponse, call: str) -> Any:
    if not response.data:
        return None
    try:
        return json.loads(response.data)
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise HubSpotAnswerError(
            response.status, f"{call}: the answer is not JSON ({len(response.data)} bytes, {kind})"
        ) from None


def _validated(model: type[_Answer], document: Any, status: int, call: str, where: str = "") -> _Answer:
    """`document` as `model`, or HubSpotAnswerError naming the call, the member and what is wrong with it
    (pydantic's message, without the value: answers hold personal data)."""
    try:
        return model.model_validate(document)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        member = ".".join(str(part) for part in (where, *first["loc"]) if part != "") or "the answer"
        others = invalid.error_count() - 1
        more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
        raise HubSpotAnswerError(status, f"{call}: {member}: {first['msg']}{more}") from None


def _segment(value: str) -> str:
    return quote(value, safe="")


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _epoch_ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _to_deal(deal_id: str, type_id: int) -> AssociationInput:
    return AssociationInput(to_id=deal_id, type_id=type_id)
