# Two commands: `make serve` sets up and runs iamd; `make test` sets up and runs every test.
# `make reliability` runs the fuzzer, tamper suite, slow-client test and races (tools/reliability/).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
JS_DIR := tests/functional/js
# pytest-xdist workers, one per core: a test and its server subprocess take turns on a core, so a
# worker per core keeps them busy; `--dist loadfile` keeps a module (and its module-scoped
# servers) on one worker.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: serve test bench reliability lint install install-test js clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(JS_DIR)/node_modules/.installed: $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

js: $(JS_DIR)/node_modules/.installed

serve: install
	$(BIN)/iamd serve

test: install-test js
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy src/iamd
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --durations=20 \
		--cov --cov-report=term:skip-covered

bench: install-test
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Hostile traffic against fresh servers: protocol fuzzer, SigV4 tampering, slow clients, races.
reliability: install-test
	$(BIN)/python -m tools.reliability

clean:
	rm -rf $(VENV) $(JS_DIR)/node_modules iamd-data
