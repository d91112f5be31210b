"""What one save of the Partner Central emulator's state costs, by the number of opportunities it holds.

    python bench/emulator_save.py [--opportunities 1200] [--runs 10]

With a state file the emulator saves its whole state after every write, under the lock every call waits on
(docs/EMULATORS.md). The state's records are JSON already; a save used to deep-copy them first
(`dataclasses.asdict`). The figures: a save as it is (`save_state`) and as it was (the copy, then the same
encoding), each divided by `json.dumps` of the same records (the floor: the encoding alone), measured in the
same run. The records are opportunity-shaped (project, customer, life cycle, team) with a client token each,
as CreateOpportunity leaves them; their size, not their content, is what a save costs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ratios import ratio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cosell_local.partner_central.store import State, save_state  # noqa: E402 - after the path
from cosell_local.state_files import write_atomically  # noqa: E402

OPPORTUNITY: dict[str, Any] = {
    "Project": {"Title": "x" * 80, "CustomerBusinessProblem": "y" * 300, "DeliveryModels": ["SaaS or PaaS"],
                "ExpectedCustomerSpend": [{"Amount": "100", "CurrencyCode": "USD", "Frequency": "Monthly",
                                           "TargetCompany": "AWS"}]},
    "Customer": {"Account": {"CompanyName": "Acme", "Address": {"City": "X", "CountryCode": "US"},
                             "Industry": "Other"},
                 "Contacts": [{"Email": "a@b.example", "FirstName": "A", "LastName": "B"}]},
    "LifeCycle": {"Stage": "Prospect", "TargetCloseDate": "2027-01-01", "ReviewStatus": "Pending Submission"},
    "OpportunityTeam": [{"Email": "owner@partner.example"}],
    "Marketing": {"Source": "None"},
}  # fmt: skip


def _median(call: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opportunities", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=10)
    arguments = parser.parse_args()
    state = State()
    catalog = state.catalogs["AWS"]
    for number in range(arguments.opportunities):
        catalog.opportunities[f"O{number}"] = json.loads(json.dumps(OPPORTUNITY))
        catalog.client_tokens[f"CreateOpportunity:token-{number}"] = {"Fingerprint": "f" * 100,
                                                                     "Result": {"Id": f"O{number}"}}  # fmt: skip
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "state.json"
        floor = _median(lambda: json.dumps(state.as_json()), arguments.runs)
        now = _median(lambda: save_state(state, path), arguments.runs)
        copied = _median(
            lambda: write_atomically(path, json.dumps(dataclasses.asdict(state)).encode()), arguments.runs
        )
    print(
        f"{arguments.opportunities} opportunities: encoding {floor * 1000:.1f} ms, save {now * 1000:.1f} ms, "
        f"save with the copy {copied * 1000:.1f} ms ({arguments.runs} runs)"
    )
    reference = "json.dumps of the records"
    ratio(
        f"emulator save, {arguments.opportunities} opportunities",
        round(now / floor, 2),
        reference,
        round(floor, 4),
    )
    ratio(
        f"emulator save with a deep copy first (as it was), {arguments.opportunities} opportunities",
        round(copied / floor, 2),
        reference,
        round(floor, 4),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
