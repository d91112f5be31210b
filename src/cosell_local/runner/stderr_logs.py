"""The local stack's log: every line on stderr, the runner's and the handlers' alike (stdout carries the
stack's ready line, or a child environment's answers)."""

from __future__ import annotations

import logging
import sys


def log_to_stderr(level: str) -> None:
    def stderr_handler() -> logging.Handler:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        return handler

    logging.basicConfig(level=level, handlers=[stderr_handler()])
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request lines
    # The handlers' Powertools logger filters every "cosell*" record out of the root logger's handlers (it
    # expects to be the only "cosell" logger), which would silence the runner: it gets a handler of its own.
    runner_logger = logging.getLogger("cosell_local")
    runner_logger.addHandler(stderr_handler())
    runner_logger.propagate = False
