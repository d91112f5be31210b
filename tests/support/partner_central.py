"""Playing a partner user in Partner Central, beside the sync: an opportunity made by another tool, an edit in
the console. Through the client, as a user's own tool would call it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cosell.domain.mapping_rules import MappingRules
from cosell.domain.synced_fields import set_path
from cosell.domain.to_partner_central import map_deal
from cosell.hubspot.deal_reader import DealReader
from cosell.partner_central.schema import update_members, vocabulary

if TYPE_CHECKING:
    from collections.abc import Callable

    from cosell.hubspot.client import HubSpotClient
    from cosell_local.partner_central.control import ControlApi


def existing_opportunity(
    client: Any, hubspot: HubSpotClient, catalog: str, deal_id: str, changes: dict[str, Any]
) -> str:
    """An opportunity made outside cosell for the deal's customer: the deal's own fields (cosell's default
    mapping), with `changes` by member path."""
    deals = DealReader(hubspot)
    view = deals.view(deals.read_deal(deal_id))
    fields = map_deal(view, MappingRules(), vocabulary(), datetime.now(UTC).date()).fields
    assert fields is not None, "the deal must map"
    for path, value in changes.items():
        set_path(fields, path, value)
    made = written(
        client,
        lambda: client.create_opportunity(Catalog=catalog, ClientToken=f"other-tool-{deal_id}", **fields),
    )
    return str(made["Id"])


def console_update(
    client: Any,
    control: ControlApi,
    catalog: str,
    opportunity_id: str,
    change: Callable[[dict[str, Any]], None],
) -> None:
    """A partner user edits the opportunity in Partner Central: read, change, write the whole record."""
    record = control.opportunity(catalog, opportunity_id)
    body = {
        name: value
        for name, value in record.items()
        if name in update_members() and name not in ("Catalog", "Identifier", "LastModifiedDate")
    }
    for name in ("ReviewStatus", "ReviewComments", "ReviewStatusReason", "NextStepsHistory"):
        body["LifeCycle"].pop(name, None)
    change(body)
    written(
        client,
        lambda: client.update_opportunity(
            Catalog=catalog, Identifier=opportunity_id, LastModifiedDate=record["LastModifiedDate"], **body
        ),
    )


def written(client: Any, write: Callable[[], Any]) -> Any:
    """`write()`'s answer, sent again while throttled, as a user's tool would: the partner's 1 write/s is
    shared with cosell's own writes."""
    for _attempt in range(5):
        try:
            return write()
        except client.exceptions.ThrottlingException:
            time.sleep(1)
    raise AssertionError("Partner Central kept throttling the partner user's tool")
