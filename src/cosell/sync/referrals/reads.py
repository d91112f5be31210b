"""The Partner Central reads a referral needs, each paced with the worker's other reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cosell.partner_central.invitations import is_received

if TYPE_CHECKING:
    from cosell.sync.ports import Ports


def read_invitation(invitation_id: str, ports: Ports) -> Any:
    return ports.partner_central.get_engagement_invitation(
        Catalog=ports.config.catalog, Identifier=invitation_id
    )


def received(invitation: Any, ports: Ports) -> bool:
    """Whether this partner received the invitation (events also come for the ones it sent)."""
    return is_received(ports.partner_central, ports.config.catalog, invitation)
