"""Many callers at once: one lock per call keeps ids unique and ClientToken idempotency exact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from tests.integration.partner_central.conftest import create, update

if TYPE_CHECKING:
    from mypy_boto3_partnercentral_selling import PartnerCentralSellingAPIClient

    from cosell_local.partner_central import ControlApi


def test_concurrent_creates_with_one_token_make_one_opportunity(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda _: create(pc, ClientToken="shared"), range(16)))
    assert len(set(ids)) == 1
    assert len(control.events("Opportunity Created")) == 1


def test_concurrent_creates_with_distinct_tokens_get_distinct_ids(
    pc: PartnerCentralSellingAPIClient, control: ControlApi
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda index: create(pc, ClientToken=f"token-{index}"), range(16)))
    assert len(set(ids)) == 16
    assert len(pc.list_opportunities(Catalog="Sandbox", MaxResults=100)["OpportunitySummaries"]) == 16


def test_concurrent_read_then_write_updates_never_lose_a_successful_write(
    pc: PartnerCentralSellingAPIClient,
) -> None:
    identifier = create(pc)

    def attempt(index: int) -> bool:
        try:
            update(pc, identifier, LifeCycle__NextSteps=f"Writer {index}")
        except pc.exceptions.ConflictException:
            return False
        return True

    # Each writer reads then writes; whoever writes first moves LastModifiedDate, so later writes that read
    # before it conflict. At least one succeeds and the record holds a successful writer's value.
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    winners = {f"Writer {index}" for index, won in enumerate(outcomes) if won}
    assert winners
    assert pc.get_opportunity(Catalog="Sandbox", Identifier=identifier)["LifeCycle"]["NextSteps"] in winners
