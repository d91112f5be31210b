"""The line each bench prints for `make bench`'s table (bench/all.py): a figure beside its reference.

This machine is shared and noisy, and another reader's is not this one: a time means little alone. Each
figure goes with the reference it was measured against in the same run (`import boto3`, the quota, moto's own
floor), so the ratio holds where the absolute figure does not. A figure with no reference is a count or an
arithmetic result that does not depend on the machine (requests per deal, dollars from list prices).
"""

from __future__ import annotations

import json

PREFIX = "RATIO "


def ratio(
    figure: str, value: float, reference: str | None = None, reference_value: float | None = None
) -> None:
    print(
        PREFIX
        + json.dumps(
            {"figure": figure, "value": value, "reference": reference, "reference_value": reference_value}
        ),
        flush=True,
    )
