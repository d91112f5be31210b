"""`python -m cosell_local.demo` (`make demo`): the whole sync on this machine, played as a short story.

Starts a local stack (docs/LOCAL.md), plays the story (cosell_local.demo.story) as a timeline on stdout,
prints both systems side by side, `cosell status`, the audit trail of the deal the story updated, and where to
look next. Exits 1 if an expected outcome did not happen.
The functions' JSON logs go to a file (named at the start), so the timeline stays readable.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from cosell_local.demo.report import print_audit_trail, print_next_steps, print_side_by_side, print_status
from cosell_local.demo.story import Story
from cosell_local.demo.timeline import LOCAL, Checks, Timeline, WorkerLog

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType
    from typing import TextIO


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cosell_local.demo",
        description="Run the whole sync on this machine and play a short story through it.",
    )
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="leave the stack up after the story (URLs printed) until Ctrl-C",
    )
    parser.add_argument(
        "--log-file", type=Path, help="where the functions' JSON logs go (default: a new temporary file)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    log_path = arguments.log_file or _new_log_file()
    timeline_out = _take_stdout(log_path)
    timeline = Timeline(timeline_out)
    timeline.line(
        "cosell demo: HubSpot ↔ AWS Partner Central, all on this machine (nothing reaches the internet)"
    )
    timeline.line(f"The functions' JSON logs: {log_path}")

    # Imported here: moto and the emulators take a few seconds to import; the first lines come first.
    from cosell_local.partner_central import EmulatorConfig
    from cosell_local.runner import LocalStack

    checks = Checks(timeline)
    with LocalStack(
        # Visibility timeouts (180 s) pass in 0.5 s, the invitation poll (5 min) fires every 5 s, HubSpot's
        # webhook back-off is compressed; Partner Central's 1 write/s is not: the pacer keeps it.
        queue_time_scale=360,
        schedule_time_scale=60,
        hubspot_time_scale=100,
        partner_central=EmulatorConfig(task_delay_seconds=0.5),
    ) as stack:
        timeline.say(LOCAL, "stack up: moto's server (AWS), both emulators, the functions of template.yaml")
        story = Story(stack, timeline, checks, WorkerLog(log_path))
        try:
            story.play()
            print_side_by_side(story, timeline)
            print_status(story, timeline)
            print_audit_trail(story, timeline)
        except Exception as error:  # noqa: BLE001 - the demo reports any failure as a failed outcome
            traceback.print_exc()
            checks.failed.append(f"the story ran to its end (it stopped: {type(error).__name__}: {error})")
        print_next_steps(
            stack, timeline, log_path, keep_running=arguments.keep_running, deal_id=story.updated_deal
        )
        _summarise(checks, timeline, time.monotonic() - timeline.started)
        if arguments.keep_running:
            _wait_for_interrupt(timeline)
    return 1 if checks.failed else 0


def _new_log_file() -> Path:
    descriptor, name = tempfile.mkstemp(prefix="cosell-demo-", suffix=".log")
    os.close(descriptor)  # kept after the run, for the reader
    return Path(name)


class _WholeLines(io.TextIOBase):
    """sys.stdout for many threads: each thread's text is written out a whole line at a time. print() writes
    its text and its newline in two calls, and Powertools' metrics print while another thread logs: without
    this, two JSON lines can end up in one."""

    def __init__(self, target: TextIO) -> None:
        self._target = target
        self._pending = threading.local()
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        pending = getattr(self._pending, "text", "") + text
        complete, _, self._pending.text = pending.rpartition("\n")
        if complete:
            with self._lock:
                self._target.write(complete + "\n")
                self._target.flush()
        return len(text)

    def flush(self) -> None:
        with self._lock:
            self._target.flush()


def _take_stdout(log_path: Path) -> TextIO:
    """The timeline keeps the terminal; whatever else prints on stdout (the handlers' JSON logs, which write
    to sys.stdout as in Lambda) and the runner's log lines go to the log file."""
    timeline_out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", errors="replace")
    log_file = log_path.open("a", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(log_file.fileno(), sys.stdout.fileno())
    sys.stdout = _WholeLines(log_file)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per HTTP request
    # The handlers' Powertools logger filters "cosell*" records out of the root logger's handlers: the
    # runner's logger gets the file handler directly.
    runner_logger = logging.getLogger("cosell_local")
    runner_logger.addHandler(handler)
    runner_logger.propagate = False
    return timeline_out


def _summarise(checks: Checks, timeline: Timeline, seconds: float) -> None:
    timeline.line()
    if checks.failed:
        timeline.line(
            f"DEMO FAILED after {seconds:.0f}s: {len(checks.failed)} expected outcome(s) did not happen:"
        )
        for outcome in checks.failed:
            timeline.line(f"  ✗ {outcome}")
    else:
        timeline.line(f"All {checks.passed} expected outcomes happened ({seconds:.0f}s).")


def _wait_for_interrupt(timeline: Timeline) -> None:
    def stop(signal_number: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell starts background jobs with SIGINT ignored, and `kill -INT` should still stop it.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    timeline.line("The stack keeps running; Ctrl-C stops it.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        timeline.line("Stopping the local stack.")


if __name__ == "__main__":
    sys.exit(main())
