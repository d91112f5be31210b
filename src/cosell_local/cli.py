"""`cosell emulate NAME ...`: each emulator owns its own options."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

EMULATORS = {
    "partner-central": "cosell_local.partner_central.cli",
    "hubspot": "cosell_local.hubspot.cli",
}


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] not in EMULATORS:
        print(f"usage: cosell emulate {{{','.join(EMULATORS)}}} [options]", file=sys.stderr)
        return 2
    module = importlib.import_module(EMULATORS[argv[0]])
    exit_code: int = module.main(list(argv[1:]))
    return exit_code
