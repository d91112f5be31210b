"""The client's retry decisions where no server answers, and its error parsing of odd bodies."""

from __future__ import annotations

import socket

import pytest
import urllib3

from cosell.hubspot.client import HubSpotClient, HubSpotError, HubSpotUnavailableError, RetryPolicy


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_connection_errors_are_retried_then_raised_as_unavailable() -> None:
    sleeps: list[float] = []
    client = HubSpotClient(
        lambda: "t",
        base_url=f"http://127.0.0.1:{_closed_port()}",
        sleep=sleeps.append,
        jitter=lambda: 1.0,
        retry=RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=3.0),
        timeout=1.0,
    )

    with pytest.raises(HubSpotUnavailableError) as failure:
        client.create_deal({"dealname": "x"})

    assert failure.value.status == 0
    assert sleeps == [1.0, 2.0, 3.0, 3.0]  # doubling, capped at max_delay


class _Canned:
    """A PoolManager stand-in answering one fixed response."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body
        self.calls = 0

    def request(self, *_: object, **__: object) -> urllib3.HTTPResponse:
        self.calls += 1
        return urllib3.HTTPResponse(body=self.body, status=self.status, preload_content=True)


@pytest.mark.parametrize("body", [b"<html>Bad gateway</html>", b"[1, 2]", b""])
def test_non_json_error_bodies_still_raise_typed_errors(body: bytes) -> None:
    canned = _Canned(418, body)
    client = HubSpotClient(lambda: "t", http=canned, sleep=lambda _: None)  # type: ignore[arg-type]

    with pytest.raises(HubSpotError) as failure:
        client.list_pipelines()

    assert failure.value.status == 418
    assert failure.value.message == "HTTP 418"
    assert canned.calls == 1  # a 4xx other than 423/429 is not retried
