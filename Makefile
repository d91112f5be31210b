# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a building block.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# checkov pins its own versions of libraries the project also uses (boto3 among them) and brings a large tree:
# it gets a virtualenv of its own, so installing or upgrading it can never change what cosell runs and is
# tested with. The marker names the version, so a new pin reinstalls.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV ?= .venv-checkov
CHECKOV_INSTALLED := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

.PHONY: test lint typecheck cfn-lint checkov pytest demo build bench clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local,cli]'
	touch $@

$(CHECKOV_INSTALLED):
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

test: lint typecheck cfn-lint checkov pytest

lint: $(INSTALLED)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(INSTALLED)
	$(BIN)/mypy

# Informational checks too (explicit DeletionPolicy and UpdateReplacePolicy on what holds state, ...).
cfn-lint: $(INSTALLED)
	$(BIN)/cfn-lint --include-checks I -- template.yaml infra/iam-role.yaml

# Any failed check fails, and so does a template checkov cannot parse (it exits 0 on those: its JSON summary
# counts them). Each skip sits in the template beside its resource, with its reason. No update check, no
# download: nothing leaves the machine.
checkov: $(CHECKOV_INSTALLED)
	mkdir -p .build
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(CHECKOV_VENV)/bin/checkov --framework cloudformation --skip-download \
		--compact --quiet -f template.yaml -f infra/iam-role.yaml -o cli -o json --output-file-path console,.build/checkov.json
	$(CHECKOV_VENV)/bin/python -c 'import json, sys; n = json.load(open(sys.argv[1]))["summary"]["parsing_errors"]; \
		sys.exit(f"checkov could not parse {n} template(s)" if n else 0)' .build/checkov.json

# The suite mostly waits, so it runs in PYTEST_WORKERS processes (each with its own local stack); 0 runs it in
# this one (for a debugger, or pytest's own output order).
PYTEST_WORKERS ?= 3
pytest: $(INSTALLED)
	$(BIN)/pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist worksteal)

# The whole sync on this machine, played as a short story; exits non-zero if an outcome did not happen.
demo: $(INSTALLED)
	$(BIN)/python -m cosell_local.demo

# The deployable artifact for python3.12 / x86_64, built without Docker from manylinux wheels.
# Bytecode is precompiled with a python3.12 (PATH or pyenv; PYTHON312=/path/to/python3.12 to choose): faster
# cold starts (docs/BENCHMARKS.md). Without one the build says so and ships source only.
build: $(INSTALLED)
	$(BIN)/python bench/build_artifact.py --out .build/lambda $(if $(PYTHON312),--python $(PYTHON312))

# Every bench (bench/all.py; about an hour, most of it the 1,000-deal backfill at AWS's real quotas), then a
# table of each figure beside its reference measured in the same run; docs/BENCHMARKS.md.
bench: $(INSTALLED)
	$(BIN)/python bench/all.py

clean:
	rm -rf .build .mypy_cache .ruff_cache .pytest_cache
