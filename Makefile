# huiyi — the two commands a newcomer needs: `make serve` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_NUM_THREADS ?= 2
export ANONYMIZED_TELEMETRY := False

.PHONY: serve lint test test-fast test-soak test-llama eval bench install browser office llama clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

## Set up, ingest seeds/ into ./data on first start, serve on http://127.0.0.1:8000
serve: install
	$(BIN)/huiyi serve

## Lint and types (ruff, mypy; configured in pyproject.toml): zero findings
lint: install
	$(BIN)/ruff check huiyi tests benchmarks scripts
	$(BIN)/mypy

## Lint, every test tier (fast, soak, browser, office, llama) and the eval gate (what CI runs)
test: install lint browser office llama
	$(BIN)/python -m pytest -q -p no:cacheprovider
	$(BIN)/huiyi eval --out .cache/eval-out

## Unit and integration tests without the browser, office and real-model tiers
test-fast: install lint
	$(BIN)/python -m pytest -q -m "not browser and not llama and not office and not soak"

## The reliability tier alone: soak, kill -9, hostile inputs, API fuzzing (minutes)
test-soak: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -m soak

eval: install
	$(BIN)/huiyi eval

bench: install
	$(BIN)/python benchmarks/run_all.py

## Debian chromium for the browser tests (root, as on CI)
browser:
	bash scripts/install_browser.sh

## LibreOffice Writer, poppler-utils and CJK fonts for the 纪要 rendering tests (root, as on CI)
office:
	bash scripts/install_office.sh

## llama-cpp-python[server] + the tiny gemma GGUF for the real-model tier (compiles once, then cached)
llama: install
	bash scripts/llama_server.sh install

clean:
	rm -rf data .cache eval-report.json eval-report.md
