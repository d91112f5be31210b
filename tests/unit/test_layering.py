"""The layout's rules, read from the source's own imports (docs/ARCHITECTURE.md, "Layout"):
- no import circle inside src/cosell;
- no adapter (hubspot/, partner_central/, store/, queue/) imports the use cases (sync/) or the handlers;
- domain/ imports nothing outside itself but the standard library and pydantic.
Every import counts, those made only for type checking too: a type is a dependency."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SOURCE / "cosell"
ADAPTERS = ("cosell.hubspot", "cosell.partner_central", "cosell.store", "cosell.queue", "cosell.sns")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The modules a file imports (absolute names; `from a import b` counts a.b when a.b is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module_name(path) for path in PACKAGE.rglob("*.py")}
GRAPH = {
    _module_name(path): {name for name in _imports(path) if name in MODULES} for path in PACKAGE.rglob("*.py")
}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_graph_is_read() -> None:
    assert "cosell.sync.deals.push" in GRAPH
    assert "cosell.sync.deals.pair" in GRAPH["cosell.sync.deals.push"]


def test_no_import_circle() -> None:
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            cycle = (*path[path.index(module) :], module)
            pytest.fail("import circle: " + " → ".join(cycle))
        if module in done:
            return
        for imported in sorted(GRAPH.get(module, ())):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, ())


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapters_do_not_import_use_cases_or_handlers(adapter: str) -> None:
    offending = {
        f"{module} → {imported}"
        for module, imports in GRAPH.items()
        if _within(module, adapter)
        for imported in imports
        if _within(imported, "cosell.sync") or _within(imported, "cosell.handlers")
    }
    assert not offending


def test_domain_imports_only_itself_the_standard_library_and_pydantic() -> None:
    allowed_third_party = {"pydantic"}
    offending = set()
    for path in (PACKAGE / "domain").rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "cosell":
                if not _within(name, "cosell.domain"):
                    offending.add(f"{_module_name(path)} → {name}")
            elif (
                top not in sys.stdlib_module_names and top not in allowed_third_party and top != "__future__"
            ):
                offending.add(f"{_module_name(path)} → {name}")
    assert not offending
