"""Requests that bring nothing new about a pair (cosell.sync.deals.echoes): the echo of its own creation,
dropped unless the pair still waits for its first sync with the deal (a referral's opportunity); HubSpot changes
its last sync had read; the deal showing its own link."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cosell.domain.reconcile import Snapshot
from cosell.queue.messages import Subject, SyncRequest, Trigger
from cosell.store.state import Link
from cosell.sync.deals.echoes import creation_echo, partner_central_unchanged, seen_by_last_sync


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


SEEN_MS = 1_000_000


def webhook(*triggers: Trigger) -> SyncRequest:
    return SyncRequest(subject=Subject.HUBSPOT_DEAL, object_id="7", triggers=triggers, correlation_id="c")


def change(kind: str, at_ms: int, **fields: Any) -> Trigger:
    return Trigger(source="hubspot_webhook", kind=kind, occurred_at_ms=at_ms, **fields)


def synced(seen_ms: int | None = SEEN_MS) -> Link:
    return replace(link({"Title": "t"}), hubspot_seen_ms=seen_ms)


@pytest.mark.parametrize(
    ("triggers", "seen"),
    [
        # The company and contact made with the deal, before the sync read it: seen.
        ((change("company.propertyChange", SEEN_MS - 5, property_name="name"),), True),
        ((change("deal.associationChange", SEEN_MS - 1), change("contact.propertyChange", 10)), True),
        # At or after what the sync read: not known to be seen.
        ((change("deal.propertyChange", SEEN_MS, property_name="amount"),), False),
        ((change("company.propertyChange", SEEN_MS - 5), change("deal.propertyChange", SEEN_MS + 1)), False),
        # cosell's own write-back of the link, or the rep typing the linked id again; another id is adoption.
        (
            (
                change(
                    "deal.propertyChange",
                    SEEN_MS + 9,
                    property_name="aws_opportunity_id",
                    property_value="O1",
                ),
            ),
            True,
        ),
        (
            (
                change(
                    "deal.propertyChange",
                    SEEN_MS + 9,
                    property_name="aws_opportunity_id",
                    property_value="O2",
                ),
            ),
            False,
        ),
        (
            (
                change(
                    "deal.propertyChange", SEEN_MS - 9, property_name="aws_opportunity_id", property_value=""
                ),
            ),
            False,
        ),
        # Never taken as seen: a merge, a deletion, a restore, Partner Central, the sweep, an operator.
        ((change("deal.merge", 1, merged_object_ids=("8",)),), False),
        ((change("deal.propertyChange", 1, merged_object_ids=("8",)),), False),
        ((change("contact.deletion", 1),), False),
        ((change("deal.restore", 1),), False),
        ((Trigger(source="eventbridge", kind="Opportunity Updated", occurred_at_ms=1),), False),
        ((Trigger(source="schedule", kind="sweep", occurred_at_ms=1),), False),
        # The HubSpot sweep's changes, as a lost webhook would have named them: a value the deal was created
        # with carries the very `updatedAt` the sync read, which the read saw; a later one was not read.
        ((Trigger(source="schedule", kind="deal.propertyChange", occurred_at_ms=SEEN_MS),), True),
        ((Trigger(source="schedule", kind="contact.propertyChange", occurred_at_ms=SEEN_MS - 3),), True),
        ((Trigger(source="schedule", kind="deal.propertyChange", occurred_at_ms=SEEN_MS + 1),), False),
        ((Trigger(source="operator", kind="resolve", occurred_at_ms=1),), False),
    ],
)
def test_changes_the_last_sync_read_are_seen_and_nothing_else(
    triggers: tuple[Trigger, ...], seen: bool
) -> None:
    assert seen_by_last_sync(webhook(*triggers), synced()) is seen


def test_a_pair_whose_last_sync_is_not_known_takes_no_change_as_seen() -> None:
    old = webhook(change("company.propertyChange", 1))
    assert seen_by_last_sync(old, synced(None)) is False
    assert seen_by_last_sync(old, synced(2)) is True
    # A referral's deal, linked before its first sync: its link id shown is no reason to skip that sync.
    shown = webhook(change("deal.propertyChange", 9, property_name="aws_opportunity_id", property_value="O1"))
    assert seen_by_last_sync(shown, synced(None)) is False


LEFT_AT = "2026-12-02T10:00:00.123000+00:00"


class Opportunities:
    """GetOpportunity answering one opportunity, or that it is gone."""

    def __init__(self, opportunity: dict[str, Any] | None) -> None:
        self.opportunity = opportunity
        self.reads = 0

    def get_opportunity(self, **_: Any) -> dict[str, Any]:
        self.reads += 1
        if self.opportunity is None:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "gone"}}, "Get")
        return self.opportunity


def opportunity(modified: Any, review_status: str = "Pending Submission") -> dict[str, Any]:
    return {
        "LastModifiedDate": modified,
        "LifeCycle": {"ReviewStatus": review_status},
        "Origin": "Partner Referral",
    }


@pytest.mark.parametrize(
    ("kinds", "answer", "left", "unchanged"),
    [
        # botocore's datetime and the stored ISO text name the same instant: the pair's own echo.
        (("Opportunity Updated",), opportunity(datetime.fromisoformat(LEFT_AT)), LEFT_AT, True),
        (("Opportunity Updated", "Opportunity Updated"), opportunity(LEFT_AT), LEFT_AT, True),
        (("Opportunity Updated",), opportunity("2026-12-02T10:00:01.000Z"), LEFT_AT, False),  # someone wrote
        (
            ("Opportunity Updated",),
            opportunity(LEFT_AT, "Submitted"),
            LEFT_AT,
            False,
        ),  # AWS's summary may move
        (("Opportunity Updated",), opportunity(LEFT_AT), None, False),  # not known how the last sync left it
        (("Opportunity Updated", "Opportunity Accepted"), opportunity(LEFT_AT), LEFT_AT, False),
        (("Opportunity Updated",), None, LEFT_AT, False),  # gone: the pair's sync says so on the deal
    ],
)
def test_an_opportunity_as_the_last_sync_left_it_is_that_syncs_echo(
    kinds: tuple[str, ...], answer: dict[str, Any] | None, left: str | None, unchanged: bool
) -> None:
    partner_central = Opportunities(answer)
    pair = replace(link({"Title": "t"}), partner_central_seen=left)
    ports = SimpleNamespace(partner_central=partner_central)
    events = SyncRequest(
        subject=Subject.HUBSPOT_DEAL,
        object_id="7",
        triggers=tuple(Trigger(source="eventbridge", kind=kind, occurred_at_ms=1) for kind in kinds),
        correlation_id="c",
    )
    assert partner_central_unchanged(events, pair, ports) is unchanged


def test_a_hubspot_change_costs_no_partner_central_read_to_be_told_apart() -> None:
    partner_central = Opportunities(opportunity(LEFT_AT))
    pair = replace(link({"Title": "t"}), partner_central_seen=LEFT_AT)
    edit = webhook(change("deal.propertyChange", 5, property_name="amount"))
    assert partner_central_unchanged(edit, pair, SimpleNamespace(partner_central=partner_central)) is False
    assert partner_central.reads == 0
