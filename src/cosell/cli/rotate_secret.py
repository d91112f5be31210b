"""`cosell rotate-secret access-token|webhook-secret`: store a new HubSpot token or client secret.

The new value is read from standard input (piped, or typed at a prompt that does not echo it), never from the
command line, where it would stay in the shell's history. It goes where the functions read it (the
`HUBSPOT_ACCESS_TOKEN_SOURCE` / `HUBSPOT_WEBHOOK_SECRET_SOURCE` of their environment): into its member of the
stack's one HubSpot secret, the other member kept. The functions pick it up within five minutes; a client
secret is used at once by the next delivery it signs, and the one it replaced stays accepted for the overlap
window (docs/OPERATIONS.md, "Rotating secrets"). Exit status: 0 stored, 2 nothing to store or a configuration
error.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import TYPE_CHECKING

from pydantic import TypeAdapter, ValidationError

from cosell import secrets
from cosell.config import SecretReference

if TYPE_CHECKING:
    import argparse

SOURCES = {
    "access-token": "HUBSPOT_ACCESS_TOKEN_SOURCE",
    "webhook-secret": "HUBSPOT_WEBHOOK_SECRET_SOURCE",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "which",
        choices=sorted(SOURCES),
        help="the private app's access token, or the app's client secret (which signs webhooks)",
    )


def run(args: argparse.Namespace) -> int:
    variable = SOURCES[args.which]
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    try:
        reference = TypeAdapter(SecretReference).validate_python(os.environ.get(variable))
    except ValidationError:
        print(
            f"cosell rotate-secret: {variable} must name the secret (the functions' value, e.g. "
            f"<HubSpotSecret ARN>#{'accessToken' if args.which == 'access-token' else 'webhookSecret'})",
            file=sys.stderr,
        )
        return 2
    if not region:
        print("cosell rotate-secret: AWS_REGION must name the stack's region", file=sys.stderr)
        return 2
    value = (getpass.getpass(f"New {args.which}: ") if sys.stdin.isatty() else sys.stdin.readline()).strip()
    if not value:
        print(f"cosell rotate-secret: no {args.which} given: nothing stored", file=sys.stderr)
        return 2
    try:
        secrets.store(reference, value, region)
    except ValueError as error:
        print(f"cosell rotate-secret: {error}", file=sys.stderr)
        return 2
    print(f"{args.which} stored in {reference.partition('#')[0]}: the functions read it within five minutes.")
    return 0
