"""The Lambda artifact keeps botocore models only for the services the code creates clients for."""

from __future__ import annotations

import ast
import importlib.util

from tests.support.cfn import ROOT

_spec = importlib.util.spec_from_file_location("build_artifact", ROOT / "bench" / "build_artifact.py")
assert _spec is not None
assert _spec.loader is not None
build_artifact = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_artifact)

# Services the Powertools utilities cosell uses create clients for on their own.
POWERTOOLS_SERVICES = {"ssm", "secretsmanager"}


def services_the_code_creates_clients_for() -> set[str]:
    services: set[str] = set()
    package = ROOT / "src" / "cosell"
    for path in package.rglob("*.py"):
        if set(path.relative_to(package).parts) & set(build_artifact.EXCLUDED_PACKAGES):
            continue  # not in the artifact (the operator CLI): its clients need no model there
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"client", "create_client", "resource"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                services.add(str(node.args[0].value))
    return services


def test_every_service_the_code_uses_keeps_its_botocore_model() -> None:
    used = services_the_code_creates_clients_for() | POWERTOOLS_SERVICES
    assert {"partnercentral-selling", "sqs", "sts"} <= used
    assert used <= build_artifact.BOTOCORE_SERVICES


def test_the_operator_cli_and_the_emulators_stay_out() -> None:
    assert "cli" in build_artifact.EXCLUDED_PACKAGES
    requirements = " ".join(build_artifact.runtime_requirements())
    for local_only in ("moto", "werkzeug", "flask"):
        assert local_only not in requirements
