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
    # Moved on in Partner Central by a colleague (step 5); the deal followed.
    ("rep", "Acme Data Platform #AWS", "decisionmakerboughtin", "Business Validation"),
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

    # Updates both ways, each with exactly the writes it needs, then none more.
    step_4 = _section(out, "4. ", "5. ")
    assert re.search(r"\[HubSpot rep\] +raised the amount of deal \d+ from 60000 to 90000", step_4)
    assert "ExpectedCustomerSpend 7500.00 USD Monthly, TargetCloseDate 2027-12-15" in step_4
    assert "cosell wrote: 1 × UpdateOpportunity\n" in step_4
    step_5 = _section(out, "5. ", "6. ")
    assert re.search(r"\[PC user\] +moved O\d{10} from Technical Validation to Business Validation", step_5)
    assert "'1 × pull; deal updated'" in step_5
    assert "dealstage: decisionmakerboughtin" in step_5
    assert "aws_next_steps: AWS account manager joins the customer's architecture review" in step_5
    assert "cosell wrote: 1 × HubSpot deal update\n" in step_5
    step_6 = _section(out, "6. ", "Both systems now")
    assert "'1 × hold; deal updated'" in step_6
    assert "aws_sync_waiting: waiting: opportunity is In review; Amount and currency will be sent" in step_6
    assert "ExpectedCustomerSpend 10000.00 USD Monthly" in step_6
    assert "aws_review_status: Submitted" in step_6  # the update under Action Required: back to review
    assert "aws_review_comments: Confirm the expected monthly spend with the customer." in step_6
    assert "cosell wrote: 1 × UpdateOpportunity, 1 × HubSpot deal update\n" in step_6
    settled = re.findall(r"the scheduled sweep, run now: (.*); cosell wrote since: (.*)$", out, re.MULTILINE)
    assert len(settled) == 3
    assert all(written == "nothing" for _, written in settled)
    assert "in step: nothing to write" in out

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
    # cosell's: two creates, two acceptances, two updates (a retried write takes another slot).
    assert int(writes.group(1)) >= 6
    assert "  Healthy." in out

    # The audit trail of the deal the story updated, as `cosell audit deal` prints it.
    audit = _section(out, "cosell audit deal ", "Where to look next")
    for action in ("create opportunity", "update opportunity", "hold", "update deal"):
        assert re.search(
            rf"^  \S+ \S+ UTC  {action}  deal \d+ ↔ opportunity O\d{{10}} \(Sandbox\)$", audit, re.M
        )
    assert "trigger: eventbridge:Opportunity Updated" in audit
    assert re.search(r"^  cosell audit deal \d+ +what the sync wrote or decided", out, re.MULTILINE)
    assert re.search(r"^All \d+ expected outcomes happened", out, re.MULTILINE)

    # The functions' logs went to the file, not into the timeline.
    assert '"message"' not in out
    logged = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    assert any(record.get("message") == "reconciled" for record in logged)


def _section(out: str, heading: str, next_heading: str) -> str:
    """The timeline from the line starting with `heading` to the one starting with `next_heading`."""
    found = re.search(
        rf"^{re.escape(heading)}.*?(?=^{re.escape(next_heading)})", out, re.MULTILINE | re.DOTALL
    )
    assert found, f"no section {heading!r} in:\n{out}"
    return found.group(0)
