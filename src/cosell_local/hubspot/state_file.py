"""The portal on disk: a snapshot and a journal of what was written since, so a write costs what it wrote.

A kill (SIGKILL, at any point) loses no acknowledged write: each write request appends one entry to the journal
(the records, association keys and registries it wrote, the clock, how the undelivered webhooks changed) before
its answer is sent. An entry is a length and a pickle, flushed to the OS, so a kill leaves whole entries and at
most a torn last one, which is ignored: that write was never answered. Now and then the journal is folded into a
new snapshot (write-then-rename) and starts over, and so on every start. Entries are numbered and a snapshot
says up to which one it holds, so a kill between the two steps replays nothing twice.
"""

from __future__ import annotations

import pickle
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from cosell_local.state_files import write_atomically

from .webhooks import replay_backlog

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from .account import Account, AccountChanges
    from .webhooks import BacklogChanges, WebhookDispatcher

_LENGTH = struct.Struct(">Q")
# Folding the journal costs a snapshot; waiting until the journal is as large as the snapshot keeps that cost
# per byte journaled constant, however large the portal grows (and a small portal is not folded every few writes).
_MIN_JOURNAL_BYTES = 1 << 20


@dataclass
class SavedPortal:
    account: Account
    webhooks: dict[str, Any] | None  # WebhookDispatcher.saved()


@dataclass(frozen=True)
class _Entry:
    sequence: int  # a snapshot holds every entry up to its own `sequence`
    account: AccountChanges
    webhooks: BacklogChanges | None


class PortalStateFile:
    """A snapshot at `path` and its journal at `path` + ".journal"."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self._sequence = 0  # of the last entry written
        self._snapshot_bytes = 0
        self._journal_bytes = 0
        self._journal: BinaryIO | None = None

    def load(self) -> SavedPortal | None:
        """The snapshot with the journal replayed onto it; None without a snapshot."""
        if not self.path.exists():
            return None
        snapshot = pickle.loads(self.path.read_bytes())  # noqa: S301 - our own file
        portal = SavedPortal(snapshot["account"], snapshot["webhooks"])
        self._sequence = snapshot["sequence"]
        backlog: list[BacklogChanges] = []
        for entry in self._entries():
            if entry.sequence <= self._sequence:
                continue  # a kill came after the snapshot was written and before the journal started over
            portal.account.apply(entry.account)
            if entry.webhooks is not None:
                backlog.append(entry.webhooks)
            self._sequence = entry.sequence
        if portal.webhooks is not None:
            portal.webhooks = replay_backlog(portal.webhooks, backlog)
        return portal

    def write_snapshot(self, account: Account, webhooks: WebhookDispatcher | None) -> None:
        """The whole portal, and an empty journal. Call it under the account's lock."""
        account.take_changes()  # the snapshot holds them
        snapshot = {
            "account": account,
            "webhooks": webhooks.saved(track_changes=True) if webhooks else None,
            "sequence": self._sequence,
        }
        data = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(self.path, data)
        self._snapshot_bytes = len(data)
        # Also drops a torn last entry, which would otherwise hide the entries appended after it.
        journal = self._open_journal()
        journal.seek(0)
        journal.truncate()
        self._journal_bytes = 0

    def append(self, account: Account, webhooks: WebhookDispatcher | None) -> None:
        """What was written since the last call, before it is answered. Call it under the account's lock."""
        if self._journal_bytes >= max(self._snapshot_bytes, _MIN_JOURNAL_BYTES):
            self.write_snapshot(account, webhooks)
            return
        self._sequence += 1
        entry = _Entry(
            self._sequence, account.take_changes(), webhooks.backlog_changes() if webhooks else None
        )
        payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        journal = self._open_journal()
        journal.write(_LENGTH.pack(len(payload)) + payload)
        # In the OS's hands, a kill of this process loses nothing; only a power loss would need os.fsync.
        journal.flush()
        self._journal_bytes += _LENGTH.size + len(payload)

    def close(self) -> None:
        """Let go of the journal (every entry is flushed already); the next write opens it again."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _open_journal(self) -> BinaryIO:
        if self._journal is None:
            self._journal = self.journal_path.open("ab")
        return self._journal

    def _entries(self) -> Iterator[_Entry]:
        data = self.journal_path.read_bytes() if self.journal_path.exists() else b""
        offset = 0
        while offset + _LENGTH.size <= len(data):
            (size,) = _LENGTH.unpack_from(data, offset)
            start = offset + _LENGTH.size
            if start + size > len(data):
                return  # the torn last entry of a write the kill interrupted, never answered
            entry: _Entry = pickle.loads(data[start : start + size])  # noqa: S301 - our own file
            yield entry
            offset = start + size
