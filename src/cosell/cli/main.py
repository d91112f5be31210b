"""The `cosell` operator command. Not deployed: it runs on an operator's machine or in CI."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

# Commands whose argument parsing belongs to the local-stack package; imported only when used, so that an
# operator without the `local` extra still has the rest of the CLI.
_LOCAL_COMMANDS = {
    "emulate": "run emulators of HubSpot or Partner Central on this machine",
    "local": "run the whole stack on this machine (`cosell local up`)",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cosell", description="Operate the HubSpot ↔ Partner Central sync.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
    build_parser().parse_args(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
