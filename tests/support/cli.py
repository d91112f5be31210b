"""What a `cosell` command printed, while a local stack runs in the same process: its handlers print their
metrics (EMF lines) to the same stdout, as in Lambda, and those are not the command's output."""

from __future__ import annotations


def without_metrics(out: str) -> str:
    return "".join(line for line in out.splitlines(keepends=True) if not line.startswith('{"_aws"'))
