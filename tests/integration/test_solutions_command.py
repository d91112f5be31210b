"""`cosell solutions list|match` with the functions' environment of a local stack (its state table on moto, the
Partner Central emulator's catalog, deals in the HubSpot emulator)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from cosell.cli.main import main
from cosell_local.demo.rep import Rep
from cosell_local.partner_central import EmulatorConfig
from cosell_local.runner import LocalStack
from tests.support.cli import without_metrics

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(
        poll_in_background=False, run_schedules=False, partner_central=EmulatorConfig(tick_seconds=0)
    ) as running:
        yield running


@pytest.fixture(scope="module")
def rep(stack: LocalStack) -> Rep:
    return Rep.sign_in(stack.hubspot)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["solutions", *args])
    captured = capsys.readouterr()
    return code, without_metrics(captured.out), captured.err


def test_list_shows_the_active_catalog_by_name(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "3 active solutions in the Sandbox catalog:"
    assert [line.split()[0] for line in lines[1:4]] == ["S-0000001", "S-0000002", "S-1234567"]
    assert "Managed Data Platform" in lines[1]
    assert "--all" in lines[-1]


def test_list_all_as_json_is_every_status_and_nothing_else_on_stdout(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "list", "--all", "--json")
    assert code == 0
    body = json.loads(out)
    assert body["catalog"] == "Sandbox"
    assert [solution["id"] for solution in body["solutions"]] == [
        "S-0000004",
        "S-0000003",
        "S-0000001",
        "S-0000002",
        "S-1234567",
    ]
    assert {solution["status"] for solution in body["solutions"]} == {"Active", "Inactive", "Draft"}


def test_refresh_reads_the_catalog_again_the_cache_otherwise(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "list")  # cached
    stack.partner_central.control.add_solution(stack.catalog, "S-0000042", "Zeta Observability")
    lists_before = len(stack.partner_central.control.calls("ListSolutions"))
    assert "S-0000042" not in _run(capsys, "list")[1]
    assert len(stack.partner_central.control.calls("ListSolutions")) == lists_before
    code, out, _ = _run(capsys, "list", "--refresh")
    assert code == 0
    assert out.splitlines()[-2].split()[0] == "S-0000042"  # last by name
    assert len(stack.partner_central.control.calls("ListSolutions")) == lists_before + 1


def test_match_explains_the_ranking(
    stack: LocalStack, rep: Rep, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAPPING_RULES", json.dumps({"solution_match_threshold": 10}))
    deal_id = rep.create_deal(
        "BigCorp managed data platform",
        description="Consolidate the customer's data warehouses on a managed data platform on AWS.",
        aws_customer_use_case="Data Warehouse",
        dealstage="contractsent",  # Committed: AWS needs a solution
    )
    code, out, _ = _run(capsys, "match", deal_id, "--json")
    assert code == 0
    body = json.loads(out)
    assert body["chosen_by"] == "matcher"
    chosen = [match["id"] for match in body["matches"] if match["score"] >= 10]
    assert body["solution_ids"] == chosen
    assert chosen[0] == "S-0000001"
    assert "Data Warehouse" in body["matches"][0]["reasons"][0]

    code, out, _ = _run(capsys, "match", deal_id)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Deal {deal_id}, Sandbox catalog."
    assert lines[1].startswith("Solutions: S-0000001 (Managed Data Platform)")
    assert lines[1].endswith(", chosen by the matcher.")
    assert lines[2] == "The matcher's ranking (it chooses solutions scoring 10 or more):"
    assert lines[3].split()[1:] == ["S-0000001", "Managed", "Data", "Platform", "←", "chosen"]
    assert "Data Warehouse" in lines[4]


def test_match_exits_1_when_the_deal_names_an_unknown_solution(
    stack: LocalStack, rep: Rep, capsys: pytest.CaptureFixture[str]
) -> None:
    deal_id = rep.create_deal("BigCorp migration", aws_solution_ids="S-0000002; S-0000099")
    code, out, _ = _run(capsys, "match", deal_id)
    assert code == 1
    assert "chosen by the deal's AWS solution ids" in out
    assert "S-0000099 is not an active solution" in out


def test_match_of_an_unknown_or_malformed_deal_id_exits_2(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # The local stack's functions log to stderr too (they run in this process): the command's line is last.
    code, out, err = _run(capsys, "match", "987654321987")
    assert (code, out, err.splitlines()[-1]) == (2, "", "no deal 987654321987 in HubSpot")
    code, _, err = _run(capsys, "match", "deal-1")
    assert code == 2
    assert err.splitlines()[-1].startswith("dealId: a HubSpot deal id is digits only")


def test_a_missing_setting_is_named(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATE_TABLE_NAME")
    code, _, err = _run(capsys, "list")
    assert code == 2
    assert "STATE_TABLE_NAME" in err
