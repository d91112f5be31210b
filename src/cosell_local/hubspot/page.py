"""The read-only page at `/`: deals with their AWS properties, notes and tasks, for people watching a demo."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .schema import object_type

if TYPE_CHECKING:
    from .account import Account
    from .store import CrmObject

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#213343}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #cbd6e2;padding:.3rem .6rem;"
    "text-align:left;vertical-align:top}th{background:#f5f8fa}.muted{color:#7c98b6}"
)


def render(account: Account) -> str:
    deals = object_type("deals")
    records = sorted(account.crm.all(deals), key=lambda r: int(r.id))
    sections = [_deal_section(account, record) for record in records] or [
        '<p class="muted">No deals yet.</p>'
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>HubSpot emulator</title>"
        f"<style>{_STYLE}</style></head><body><h1>HubSpot emulator · portal {account.portal_id}</h1>"
        f"<p class='muted'>{len(records)} deal(s). Read-only; refresh to update.</p>"
        f"{''.join(sections)}</body></html>"
    )


def _deal_section(account: Account, deal: CrmObject) -> str:
    props = deal.properties
    aws_rows = (
        "".join(
            f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>"
            for name, value in sorted(props.items())
            if name.startswith("aws_")
        )
        or "<tr><td class='muted'>no aws_ properties</td></tr>"
    )
    summary = " · ".join(
        escape(f"{label}: {props[name]}")
        for name, label in (("dealstage", "stage"), ("amount", "amount"), ("closedate", "close"))
        if name in props
    )
    return (
        f"<h2>{escape(props.get('dealname', '(unnamed deal)'))} <small class='muted'>#{deal.id}</small></h2>"
        f"<p>{summary}</p><table>{aws_rows}</table>"
        + _activities(account, deal, "notes", "hs_note_body")
        + _activities(account, deal, "tasks", "hs_task_subject", "hs_task_status")
    )


def _activities(account: Account, deal: CrmObject, kind_name: str, *shown: str) -> str:
    kind = object_type(kind_name)
    linked = account.associations.targets("deals", deal.id, kind.name)
    records = [r for r in (account.crm.get(kind, object_id) for object_id in sorted(linked)) if r is not None]
    if not records:
        return ""
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{escape(r.properties.get(name, ''))}</td>" for name in ("hs_timestamp", *shown))
        + "</tr>"
        for r in records
    )
    return f"<h3>{kind_name.title()}</h3><table>{rows}</table>"
