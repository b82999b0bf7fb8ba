# The two commands of the README: `make site` and `make test`. Both set up what they
# need first (system packages, a virtual environment with the project installed).
PYTHON ?= python3
PYTEST_ARGS ?=
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: site test setup setup-test system system-test bench clean

site: setup
	$(BIN)/coe validate
	$(BIN)/coe build --strict

test: setup-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: system $(VENV)/.installed
setup-test: system-test $(VENV)/.installed

system:
	@sh scripts/system-packages.sh site

system-test:
	@sh scripts/system-packages.sh test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,pagefind]'
	@touch $@

bench: setup
	$(BIN)/python benchmarks/bench_validate.py

clean:
	rm -rf $(VENV) site .cache .pytest_cache
