# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a building block.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: test lint typecheck cfn-lint pytest demo build bench clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	touch $@

test: lint typecheck cfn-lint pytest

lint: $(INSTALLED)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(INSTALLED)
	$(BIN)/mypy

cfn-lint: $(INSTALLED)
	$(BIN)/cfn-lint template.yaml infra/iam-role.yaml

pytest: $(INSTALLED)
	$(BIN)/pytest

# The whole sync on this machine, played as a short story; exits non-zero if an outcome did not happen.
demo: $(INSTALLED)
	$(BIN)/python -m cosell_local.demo

# The deployable artifact for python3.12 / x86_64, built without Docker from manylinux wheels.
# PYTHON312=/path/to/python3.12 also precompiles bytecode (faster cold starts; docs/BENCHMARKS.md).
build: $(INSTALLED)
	$(BIN)/python bench/build_artifact.py --out .build/lambda $(if $(PYTHON312),--precompile-with $(PYTHON312))

# Measures artifact size and handler cold-start imports, and Partner Central writes per HubSpot change
# (about 4 minutes on the local stack); see docs/BENCHMARKS.md.
bench: $(INSTALLED)
	$(BIN)/python bench/artifact.py
	$(BIN)/python bench/update_writes.py

clean:
	rm -rf .build .mypy_cache .ruff_cache .pytest_cache
