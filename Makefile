# chungtay — two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## run: create the venv, initialise the embedded store, load the demo if empty, serve the API
run: $(STAMP)
	$(BIN)/chungtay init
	$(BIN)/chungtay demo --if-empty
	$(BIN)/chungtay serve

## test: the whole suite (SQLite and PostgreSQL; CHUNGTAY_REQUIRE_POSTGRES=1 makes PostgreSQL mandatory)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

## bench: benchmarks, each beside a raw-SQL baseline measured in the same run
bench: $(STAMP)
	$(BIN)/python -m bench --out var/bench.json

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis
