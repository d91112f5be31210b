"""The chaos run, short and seeded (bench/chaos.py runs it at scale): faults on both emulators (HubSpot's
webhooks duplicated, reordered and lost among them), worker invocations killed at seeded points and one SIGKILL
of the whole stack; nothing lost, nothing doubled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell_local.chaos import ChaosPlan, run

if TYPE_CHECKING:
    from pathlib import Path


def test_a_short_chaos_run_loses_and_duplicates_nothing_and_converges(tmp_path: Path) -> None:
    # Usually converged in about a minute. A referral whose worker was killed between its deal's create and its
    # claim's record waits out the claim's lease (2 minutes, cosell.handlers.runtime) before it is taken over:
    # the timeout leaves room for that and its takeover.
    report = run(ChaosPlan(deals=20, referrals=4, seed=17, timeout_seconds=300), tmp_path)
    assert report.stack_killed
    assert sum(report.faults_injected.values()) > 0  # the run was under faults
    assert report.faults_injected["HubSpot webhooks lost"] > 0  # brought back by the HubSpot sweep
    assert (report.lost, report.duplicated, report.converged_percent) == (0, 0, 100.0)
    assert not [line for line in report.dlq if "UNEXPLAINED" in line]
