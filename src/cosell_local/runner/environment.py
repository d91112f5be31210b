"""The handlers' environment: the template's Globals variables with local values, set on this process.

Variable names come from template.yaml; their values from the local parameters and the provisioned
resources (a `*_SOURCE` variable names its secret on moto's Secrets Manager, read at run time as deployed).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cosell_local.runner.provision import ProvisionedStack
    from cosell_local.runner.template import StackTemplate


def function_environment(template: StackTemplate, stack: ProvisionedStack) -> dict[str, str]:
    return {name: str(stack.resolve(value)) for name, value in template.global_environment().items()}


class ProcessEnvironment:
    """Sets variables on `os.environ` (None: unset) and puts back what was there before."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def apply(self, values: Mapping[str, str | None]) -> None:
        for name, value in values.items():
            self._saved.setdefault(name, os.environ.get(name))
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _forget_cached_dependencies()

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()
        _forget_cached_dependencies()


def _forget_cached_dependencies() -> None:
    # Handlers cache settings and clients built from the environment; a new environment needs new ones.
    from cosell.handlers import runtime

    runtime.reset()
