"""A function's code and settings, loaded by its first request, are left out of garbage collections after."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from cosell.handlers import runtime

if TYPE_CHECKING:
    import pytest

WEBHOOK_ENVIRONMENT = {
    "ENVIRONMENT": "development",
    "AWS_REGION": "us-east-1",
    "HUBSPOT_WEBHOOK_SECRET": "local-secret",
    "SYNC_QUEUE_URL": "http://127.0.0.1:9/123456789012/sync.fifo",
}


def test_the_first_settings_load_freezes_what_is_loaded_once_per_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in WEBHOOK_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    freezes: list[int] = []
    monkeypatch.setattr(runtime.gc, "freeze", lambda: freezes.append(len(gc.get_objects())))
    runtime._long_lived_from_now_on.cache_clear()
    runtime.reset()
    try:
        runtime.webhook_settings()
        runtime.reset()  # a test's new environment: the settings are read again, nothing is frozen again
        runtime.webhook_settings()
    finally:
        runtime.reset()
    assert len(freezes) == 1
    assert freezes[0] > 10_000  # the imports' objects were there to freeze
