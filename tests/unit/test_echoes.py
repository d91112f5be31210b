"""The echo of a pair's own creation (cosell.sync.deals.echoes): dropped, unless the pair still waits for its
first sync with the deal (a referral's opportunity)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cosell.domain.reconcile import Snapshot
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.store.state import Link
from cosell.sync.deals.echoes import creation_echo


def request(*kinds: str) -> SyncRequest:
    return SyncRequest(
        subject=Subject.OPPORTUNITY,
        object_id="O1",
        triggers=tuple(Trigger(source="eventbridge", kind=kind, occurred_at_ms=1) for kind in kinds),
        correlation_id="c",
    )


def ports(link: Link | None) -> Any:
    return SimpleNamespace(links=SimpleNamespace(link_for_deal=lambda deal_id: link))


def link(hubspot: dict[str, Any]) -> Link:
    return Link("7", "O1", "Sandbox", {}, "2026-12-02T00:00:00+00:00", Snapshot(hubspot, {"Title": "t"}))


@pytest.mark.parametrize(
    ("kinds", "pair", "echo"),
    [
        (("Opportunity Created",), link({"Title": "t"}), True),  # made by the deal's create, or synced since
        (("Opportunity Created",), link({}), False),  # a referral's: its deal's first sync is still due
        (("Opportunity Created",), None, False),  # no pair (yet)
        (("Opportunity Created", "Opportunity Updated"), link({"Title": "t"}), False),  # something changed
        (("Opportunity Updated",), link({"Title": "t"}), False),
    ],
)
def test_only_the_creation_of_a_synced_pair_is_an_echo(
    kinds: tuple[str, ...], pair: Link | None, echo: bool
) -> None:
    assert creation_echo(request(*kinds), "7", ports(pair)) is echo
