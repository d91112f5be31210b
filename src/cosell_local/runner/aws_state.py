"""A stack's DynamoDB items and SQS messages on moto, kept in a directory across a kill of the whole process.

moto keeps its state in this process's memory and has no persistence of its own. Every write moto applies to
one of the stack's tables or queues is journaled before moto answers it: the item as it is after the write
(or its absence), the message as it was sent (or its deletion). A journal line is appended and flushed in one
`write`, so a SIGKILL leaves whole lines and at most a torn last one, which is ignored: what is lost is only
a request moto had not answered, which its caller retries, as after an AWS outage. The journal is folded into
a snapshot (write-then-rename) now and then, and on a clean stop.

Not kept: a message's visibility and receive count since it was sent (after a restart every message is
visible again, as if its consumer had died), and what the runner provisions anew on start (queues, tables,
the rule, the secrets).
"""

from __future__ import annotations

import functools
import json
import threading
from typing import TYPE_CHECKING, Any

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.sqs.models import Message, Queue, sqs_backends

from cosell_local.runner.lambda_runtime import ACCOUNT_ID
from cosell_local.runner.moto_server import WRITING, make_dynamodb_writes_atomic
from cosell_local.state_files import write_atomically

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

Json = dict[str, Any]

SNAPSHOT = "aws.json"
JOURNAL = "aws.journal"
_COMPACT_EVERY = 20_000  # journal lines; a snapshot of a stack's state takes well under a second


class AwsStateJournal:
    """The items of the tables and the messages of the queues whose names start with `prefix`."""

    def __init__(self, directory: Path, prefix: str, region: str) -> None:
        self._snapshot = directory / SNAPSHOT
        self._journal_path = directory / JOURNAL
        self._prefix = prefix
        self._region = region
        self._lock = threading.Lock()
        self.items: dict[str, dict[str, Json]] = {}  # table → key (canonical JSON) → item, DynamoDB JSON
        self.messages: dict[str, Json] = {}  # message id → the message as sent, in sending order
        self._lines = 0
        self._load()
        directory.mkdir(parents=True, exist_ok=True)
        self._journal = self._journal_path.open("a", encoding="utf-8")

    def owns(self, name: str) -> bool:
        return name.startswith(self._prefix)

    # --- recording (from moto's threads) ---

    def item_written(self, table: str, key: Json, item: Json | None) -> None:
        self._append({"table": table, "key": _canonical(key), "item": item})

    def message_sent(self, message_id: str, record: Json) -> None:
        self._append({"message": message_id, "record": record})

    def message_deleted(self, message_id: str) -> None:
        self._append({"message": message_id, "record": None})

    def _append(self, entry: Json) -> None:
        with self._lock:
            _apply(self.items, self.messages, entry)
            self._journal.write(json.dumps(entry, separators=(",", ":")) + "\n")
            self._journal.flush()
            self._lines += 1
            if self._lines >= _COMPACT_EVERY:
                self._compact()

    # --- snapshot and restart ---

    def close(self) -> None:
        with self._lock:
            self._compact()
            self._journal.close()

    def _compact(self) -> None:
        # The snapshot holds every journaled change, so the journal can start over; a kill between the two
        # steps replays lines the snapshot already has, each an image of its item or message.
        snapshot = {"items": self.items, "messages": self.messages}
        write_atomically(self._snapshot, json.dumps(snapshot, separators=(",", ":")).encode())
        self._journal.seek(0)
        self._journal.truncate()
        self._lines = 0

    def _load(self) -> None:
        if self._snapshot.exists():
            snapshot = json.loads(self._snapshot.read_text(encoding="utf-8"))
            self.items, self.messages = snapshot["items"], snapshot["messages"]
        if self._journal_path.exists():
            for line in self._journal_path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    break  # the torn last line of a write the kill interrupted: moto never answered it
                _apply(self.items, self.messages, entry)

    def restore_into_moto(self) -> None:
        """Put the kept items and messages into the stack's tables and queues, just provisioned (empty)."""
        dynamodb = dynamodb_backends[ACCOUNT_ID][self._region]
        for table, items in self.items.items():
            for item in items.values():
                dynamodb.put_item(table, item)
        sqs = sqs_backends[ACCOUNT_ID][self._region]
        for message_id, record in self.messages.items():
            queue = sqs.get_queue(record["queue"])
            message = Message(message_id, record["body"], record["system_attributes"])
            message.message_attributes = record["message_attributes"]
            message.group_id = record["group_id"]
            message.deduplication_id = record["deduplication_id"]
            message.sequence_number = record["sequence_number"]
            message.sent_timestamp = record["sent_timestamp"]
            message.approximate_receive_count = record["receive_count"]
            queue._messages.append(message)


def _canonical(key: Json) -> str:
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


def _apply(items: dict[str, dict[str, Json]], messages: dict[str, Json], entry: Json) -> None:
    if "table" in entry:
        table = items.setdefault(entry["table"], {})
        if entry["item"] is None:
            table.pop(entry["key"], None)
        else:
            table[entry["key"]] = entry["item"]
    elif entry["record"] is None:
        messages.pop(entry["message"], None)
    else:
        messages.pop(entry["message"], None)  # moved to the DLQ: the latest queue, last in sending order
        messages[entry["message"]] = entry["record"]


# --- hooks on moto's models: every write, from any request thread, reaches the journal owning its name ---

_JOURNALS: list[AwsStateJournal] = []
# A message's sending and its deletion journaled in the order they happened, never a deletion first.
_QUEUE_WRITES = threading.Lock()
_installed = False
_install_lock = threading.Lock()


def keep(journal: AwsStateJournal) -> None:
    """Journal moto's writes to the journal's tables and queues from now on."""
    _install()
    with _install_lock:
        _JOURNALS.append(journal)


def forget(journal: AwsStateJournal) -> None:
    with _install_lock:
        if journal in _JOURNALS:
            _JOURNALS.remove(journal)


def _owner(name: str) -> AwsStateJournal | None:
    return next((journal for journal in list(_JOURNALS) if journal.owns(name)), None)


def _item_key(backend: DynamoDBBackend, table_name: str, attributes: Json) -> Json:
    table = backend.get_table(table_name)
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    return {name: attributes[name] for name in names}


def _record_item(backend: DynamoDBBackend, table_name: str, key: Json) -> None:
    journal = _owner(table_name)
    if journal is None:
        return
    hash_value, range_value = backend.get_keys_value(backend.get_table(table_name), key)
    item = backend.get_table(table_name).get_item(hash_value, range_value)
    journal.item_written(table_name, key, None if item is None else item.to_json()["Attributes"])


def _written_keys(backend: DynamoDBBackend, method: str, args: tuple[Any, ...]) -> list[tuple[str, Json]]:
    if method == "transact_write_items":
        found = []
        for transact_item in args[0]:
            ((kind, request),) = transact_item.items()
            if kind == "ConditionCheck":
                continue
            key = (
                request["Key"]
                if "Key" in request
                else _item_key(backend, request["TableName"], request["Item"])
            )
            found.append((request["TableName"], key))
        return found
    table_name, attributes = args[0], args[1]
    key = _item_key(backend, table_name, attributes) if method == "put_item" else attributes
    return [(table_name, key)]


def _journaled_write(method: str, write: Callable[..., Any]) -> Callable[..., Any]:
    def journaled(backend: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with WRITING:  # the write and its journal line in one order
            result = write(backend, *args, **kwargs)
            if _JOURNALS:
                for table_name, key in _written_keys(backend, method, args):
                    _record_item(backend, table_name, key)
            return result

    functools.update_wrapper(journaled, write)
    journaled.journaled = True  # type: ignore[attr-defined]
    return journaled


def _message_record(queue: Queue, message: Message) -> Json:
    return {
        "queue": queue.name,
        "body": message.body,
        "system_attributes": message.system_attributes,
        "message_attributes": message.message_attributes,
        "group_id": message.group_id,
        "deduplication_id": message.deduplication_id,
        "sequence_number": message.sequence_number,
        "sent_timestamp": message.sent_timestamp,
        "receive_count": message.approximate_receive_count,
    }


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        make_dynamodb_writes_atomic()
        for method in ("put_item", "update_item", "delete_item", "transact_write_items"):
            setattr(DynamoDBBackend, method, _journaled_write(method, getattr(DynamoDBBackend, method)))

        add_message = Queue.add_message
        delete_message = Queue.delete_message

        def journaled_add(queue: Queue, message: Message) -> None:
            with _QUEUE_WRITES:
                add_message(queue, message)
                journal = _owner(queue.name)
                # Appended last unless deduplicated (every add is under this lock): no search of the queue.
                if journal is not None and queue._messages and queue._messages[-1] is message:
                    journal.message_sent(message.id, _message_record(queue, message))

        def journaled_delete(queue: Queue, receipt_handle: str) -> None:
            with _QUEUE_WRITES:
                deleted = [m.id for m in queue._messages if m.had_receipt_handle(receipt_handle)]
                delete_message(queue, receipt_handle)
                journal = _owner(queue.name)
                if journal is not None:
                    for message_id in deleted:
                        journal.message_deleted(message_id)

        setattr(Queue, "add_message", journaled_add)  # noqa: B010
        setattr(Queue, "delete_message", journaled_delete)  # noqa: B010
        _installed = True
