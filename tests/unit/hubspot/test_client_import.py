"""The client ships in the Lambda: importing it must not drag in the local stack or a second HTTP library."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import cosell.hubspot.client
print(json.dumps(sorted(sys.modules)))
"""


def test_client_imports_only_lambda_dependencies() -> None:
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", PROBE], capture_output=True, check=True, text=True).stdout
    )

    top_level = {name.split(".")[0] for name in loaded}
    assert not top_level & {"werkzeug", "cosell_local", "httpx", "requests", "hubspot", "moto", "boto3"}
    assert "urllib3" in top_level
