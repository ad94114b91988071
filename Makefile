# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TRANSLATIONS := timebank/translations
export FLASK_APP := timebank

.PHONY: run test install translations messages bench bench-ledger bench-listings bench-report clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogues are build products: made from the .po files on every install.
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d $(TRANSLATIONS)

run: install
	$(BIN)/timebank db upgrade
	$(BIN)/timebank demo load --if-empty
	@echo
	@echo "  Timebank is starting on http://127.0.0.1:5000  (Ctrl+C to stop)"
	@echo
	$(BIN)/timebank run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print figures next to a floor measured in the same run (see docs/BENCHMARKS.md).
bench: bench-ledger bench-listings bench-report

bench-ledger: install
	$(BIN)/python -m tests.perf.bench_ledger $(BENCH_ARGS)

bench-listings: install
	$(BIN)/python -m tests.perf.bench_listings $(BENCH_ARGS)

bench-report: install
	$(BIN)/python -m tests.perf.bench_report $(BENCH_ARGS)

# Extract the strings of the code and templates, and merge them into each catalogue.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* __pycache__" --no-location --sort-output -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

clean:
	rm -rf $(VENV) .pytest_cache
