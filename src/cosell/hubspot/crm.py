"""The HubSpot calls the use cases make, as a Protocol: `cosell.hubspot.client.HubSpotClient` is the real one,
and a test may pass any object with these methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime

    from cosell.hubspot.models import (
        Association,
        AssociationInput,
        Company,
        Contact,
        CrmObject,
        Deal,
        Note,
        ObjectTypeName,
        SearchFilter,
        Task,
    )


class HubSpotCrm(Protocol):
    def get_deal(
        self, deal_id: str, properties: Sequence[str] = (), associations: Sequence[str] = ()
    ) -> Deal: ...
    def create_deal(
        self, properties: Mapping[str, str], associations: Sequence[AssociationInput] = ()
    ) -> Deal: ...
    def update_deal(self, deal_id: str, properties: Mapping[str, str]) -> Deal: ...
    def create_company(self, properties: Mapping[str, str]) -> Company: ...
    def create_contact(self, properties: Mapping[str, str]) -> Contact: ...
    def find_deals(
        self, filter_groups: Sequence[Sequence[SearchFilter]], properties: Sequence[str] = ()
    ) -> list[Deal]: ...
    def find_companies(
        self, filter_groups: Sequence[Sequence[SearchFilter]], properties: Sequence[str] = ()
    ) -> list[Company]: ...
    def find_contacts(
        self, filter_groups: Sequence[Sequence[SearchFilter]], properties: Sequence[str] = ()
    ) -> list[Contact]: ...
    def find_modified(
        self,
        object_type: ObjectTypeName,
        since: datetime,
        filter_groups: Sequence[Sequence[SearchFilter]] = ((),),
        properties: Sequence[str] = (),
    ) -> list[CrmObject]: ...
    def batch_read_history(
        self, object_type: ObjectTypeName, ids: Iterable[str], properties: Sequence[str]
    ) -> list[CrmObject]: ...
    def create_note(self, deal_id: str, body: str, timestamp: datetime) -> Note: ...
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
    ) -> Task: ...
    def list_associations(
        self, from_type: ObjectTypeName, from_id: str, to_type: ObjectTypeName
    ) -> list[Association]: ...
    def batch_read_associations(
        self, from_type: ObjectTypeName, to_type: ObjectTypeName, ids: Iterable[str]
    ) -> dict[str, list[Association]]: ...
    def associate(
        self,
        from_type: ObjectTypeName,
        from_id: str,
        to_type: ObjectTypeName,
        to_id: str,
        type_ids: Sequence[int],
    ) -> None: ...
