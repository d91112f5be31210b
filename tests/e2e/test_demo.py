"""`make demo` runs `python -m cosell_local.demo`: it must play its whole story, check it, and say so."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# A safety net for a hung stack, not a performance assertion: the demo takes seconds.
HANG_TIMEOUT_SECONDS = 600

DEAL_ROWS = (
    ("rep", "Acme Data Platform #AWS", "presentationscheduled", "Technical Validation"),
    ("rep", "Umbrella Cloud Migration #AWS", "presentationscheduled", "Technical Validation"),
    ("AWS referral", "Globex SAP migration #AWS", "appointmentscheduled", "Prospect"),
    ("AWS referral", "Initech analytics on AWS #AWS", "appointmentscheduled", "Prospect"),
)


def test_the_demo_plays_its_story_and_every_outcome_happens(tmp_path: Path) -> None:
    log_file = tmp_path / "demo.log"
    finished = subprocess.run(
        [sys.executable, "-m", "cosell_local.demo", "--log-file", str(log_file)],
        capture_output=True,
        text=True,
        timeout=HANG_TIMEOUT_SECONDS,
        check=False,
    )
    out = finished.stdout
    assert finished.returncode == 0, out + finished.stderr
    assert "✗" not in out

    # The timeline says who did what.
    assert re.search(r'\[HubSpot rep\] +created deal \d+ "Acme Data Platform #AWS"', out)
    assert "aws_sync_error: Deal description: Partner Central needs the customer's business problem" in out
    assert re.search(r'\[AWS\] +referred "Globex Corporation" \(invitation engi-\w+\)', out)
    assert out.count("accepted the referral; HubSpot deal") == 2
    assert "nothing new, still one deal per referral" in out
    assert "'already linked'" in out
    assert "changes in Partner Central are not pulled into HubSpot yet" in out

    # Both systems side by side: every deal Synced, each with its own opportunity.
    opportunity_ids = []
    for origin, name, hubspot_stage, partner_central_stage in DEAL_ROWS:
        row = re.search(
            rf"^  (\d+) +{origin} +{re.escape(name)} +{hubspot_stage} +Synced +(O\d{{10}}) +"
            rf"{partner_central_stage}$",
            out,
            re.MULTILINE,
        )
        assert row, f"no Synced row for {name!r} in:\n{out}"
        opportunity_ids.append(row.group(2))
    assert len(set(opportunity_ids)) == len(DEAL_ROWS)

    # cosell status on the same stack.
    assert re.search(r"^  Links \(deal ↔ opportunity\): +4$", out, re.MULTILINE)
    assert re.search(r"^  Deals made from AWS referrals: +2$", out, re.MULTILINE)
    assert re.search(r"^  Dead-letter queue: +0$", out, re.MULTILINE)
    writes = re.search(r"^  Partner Central writes today: +(\d+) of 10,000", out, re.MULTILINE)
    assert writes
    assert int(writes.group(1)) >= 4  # two creates, two acceptances (a retried write takes another slot)
    assert "  Healthy." in out
    assert re.search(r"^All \d+ expected outcomes happened", out, re.MULTILINE)

    # The functions' logs went to the file, not into the timeline.
    assert '"message"' not in out
    logged = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    assert any(record.get("message") == "reconciled" for record in logged)
