"""`--stack NAME` reads the same before or after a command's action, for every command that takes one."""

from __future__ import annotations

import pytest

from cosell.cli.main import build_parser

COMMANDS = [
    ["status"],
    ["audit", "deal", "42"],
    ["audit", "export", "--since", "2026-01-01", "--format", "csv"],
    ["conflicts", "list"],
    ["conflicts", "resolve", "7", "--all", "hubspot"],
    ["dlq", "list"],
    ["dlq", "replay", "--all"],
    ["privacy", "erase", "--email", "jane@example.com"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_the_stack_may_be_named_before_or_after_the_action(command: list[str]) -> None:
    parser = build_parser()
    head, rest = command[:1], command[1:]
    before = parser.parse_args([*head, "--stack", "cosell-prod", *rest])
    after = parser.parse_args([*command, "--stack", "cosell-prod"])
    neither = parser.parse_args(command)
    assert before.stack == after.stack == "cosell-prod"
    assert neither.stack is None
