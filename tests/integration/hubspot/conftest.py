"""One HubSpot emulator per test session, wiped before each test; plain-HTTP and cosell-client access."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import urllib3

from cosell.hubspot.client import HubSpotClient, RetryPolicy
from cosell_local.hubspot import AccessToken, HubSpotEmulator

if TYPE_CHECKING:
    from collections.abc import Iterator

TOKEN = "pat-na1-integration"
REP_TOKEN = "rep-ada"
DEALS_READ_ONLY_TOKEN = "pat-na1-deals-read-only"


@dataclass
class Answer:
    status: int
    body: Any
    headers: urllib3.HTTPHeaderDict


class Api:
    """Plain HTTP against the emulator, no cosell code involved."""

    def __init__(self, base_url: str, token: str | None = TOKEN) -> None:
        self.base_url = base_url
        self.token = token
        self._http = urllib3.PoolManager()

    def as_token(self, token: str | None) -> Api:
        return Api(self.base_url, token)

    def call(self, method: str, path: str, body: Any = None) -> Answer:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        encoded = None if body is None else json.dumps(body).encode()
        response = self._http.request(
            method, self.base_url + path, body=encoded, headers=headers, retries=False
        )
        parsed = json.loads(response.data) if response.data else None
        return Answer(response.status, parsed, response.headers)

    def get(self, path: str) -> Answer:
        return self.call("GET", path)

    def post(self, path: str, body: Any) -> Answer:
        return self.call("POST", path, body)

    def patch(self, path: str, body: Any) -> Answer:
        return self.call("PATCH", path, body)

    def put(self, path: str, body: Any = None) -> Answer:
        return self.call("PUT", path, body)

    def delete(self, path: str) -> Answer:
        return self.call("DELETE", path)

    def create(self, object_type: str, properties: dict[str, str], **extra: Any) -> dict[str, Any]:
        answer = self.post(f"/crm/v3/objects/{object_type}", {"properties": properties, **extra})
        assert answer.status == 201, answer.body
        created: dict[str, Any] = answer.body
        return created


@pytest.fixture(scope="session")
def emulator() -> Iterator[HubSpotEmulator]:
    server = HubSpotEmulator(
        tokens=[TOKEN, AccessToken(DEALS_READ_ONLY_TOKEN, scopes=frozenset({"crm.objects.deals.read"}))]
    )
    server.add_rep_token(REP_TOKEN)
    with server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_portal(emulator: HubSpotEmulator) -> None:
    emulator.reset()
    emulator.clock.freeze(False)


@pytest.fixture
def api(emulator: HubSpotEmulator) -> Api:
    return Api(emulator.base_url)


@pytest.fixture
def sleeps(emulator: HubSpotEmulator) -> list[float]:
    """Seconds the client chose to sleep; each sleep moves the emulator's clock instead of waiting."""
    return []


@pytest.fixture
def client(emulator: HubSpotEmulator, sleeps: list[float]) -> HubSpotClient:
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        emulator.advance_clock(seconds)

    return HubSpotClient(
        lambda: TOKEN,
        base_url=emulator.base_url,
        sleep=sleep,
        jitter=lambda: 0.5,
        retry=RetryPolicy(max_attempts=4),
    )
