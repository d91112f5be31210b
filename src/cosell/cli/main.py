"""The `cosell` operator command. Not deployed: it runs on an operator's machine or in CI."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TYPE_CHECKING

from cosell.config import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Sequence

# Commands whose argument parsing belongs to the local-stack package; imported only when used, so that an
# operator without the `local` extra still has the rest of the CLI.
_LOCAL_COMMANDS = {
    "emulate": "run emulators of HubSpot or Partner Central on this machine",
    "local": "run the whole stack on this machine (`cosell local up`)",
}


# Operator commands: each module has `configure(parser)` and `run(args) -> int`.
_OPERATOR_COMMANDS = {
    "setup": ("cosell.cli.setup", "create cosell's HubSpot properties and check access (idempotent)"),
    "status": ("cosell.cli.status", "sync health: links, errors by reason, DLQ depth, quota used today"),
    "audit": ("cosell.cli.audit", "what the sync wrote or decided, per deal or opportunity; exports"),
    "conflicts": ("cosell.cli.conflicts", "manual conflicts waiting for an operator: list them, pick a side"),
    "link": ("cosell.cli.link", "link a deal to a Partner Central opportunity that already exists"),
    "plan": (
        "cosell.cli.plan",
        "what a sync would do now, per deal and opportunity, and its cost; writes nothing",
    ),
    "unlink": ("cosell.cli.unlink", "stop syncing a deal and its opportunity (both stay as they are)"),
    "dlq": ("cosell.cli.dlq", "the dead-letter queue: list, show, replay or drop its messages"),
    "privacy": ("cosell.cli.privacy", "personal data: erase one person from cosell's tables"),
    "backfill": (
        "cosell.cli.backfill",
        "what existed before cosell: tagged deals get their opportunity, opportunities their deal (resumable)",
    ),
    "rotate-secret": (
        "cosell.cli.rotate_secret",
        "store a new HubSpot access token or client secret where the functions read it",
    ),
    "solutions": (
        "cosell.cli.solutions",
        "the solution catalog, and which solutions a deal's opportunity would carry (and why)",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cosell", description="Operate the HubSpot ↔ Partner Central sync.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in _OPERATOR_COMMANDS.items():
        command = commands.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(module_name)
        module.configure(command)
        command.set_defaults(run=module.run)
    for name, help_text in _LOCAL_COMMANDS.items():
        commands.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in _LOCAL_COMMANDS:
        try:
            from cosell_local.cli import main as local_main  # the local extra is optional
        except ImportError as error:
            print(
                f"cosell {args[0]} needs the local extra: pip install 'cosell[local]' ({error})",
                file=sys.stderr,
            )
            return 2
        return local_main(args)
    parsed = build_parser().parse_args(args)
    try:
        exit_code: int = parsed.run(parsed)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
