# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 5000
# The site's address that residents' phones open, printed on welcome sheets (with its QR code) and in e-mails;
# empty: TIMEBANK_BASE_URL from instance/config.py or the environment.
BASE_URL ?=
TRANSLATIONS := timebank/translations
export FLASK_APP := timebank

.PHONY: run test install translations messages bench bench-ledger bench-listings bench-report bench-pages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Running needs only the application; the test tools (browser, PostgreSQL driver…) come with `make test`.
$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

install: $(STAMP) translations

# Compiled catalogues are build products: made from the .po files on every install.
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d $(TRANSLATIONS)

run: install
	$(BIN)/timebank db upgrade
	$(BIN)/timebank demo load --if-empty
	@echo
	@echo "  Timebank is starting on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	@echo "  Welcome sheets and e-mails give the address $(or $(BASE_URL),$(TIMEBANK_BASE_URL),of TIMEBANK_BASE_URL (http://127.0.0.1:5000 unless set))."
	@echo "  For phones on your network: make run HOST=0.0.0.0 BASE_URL=http://<this computer's address>:$(PORT)"
	@echo
	$(if $(BASE_URL),TIMEBANK_BASE_URL=$(BASE_URL) )$(BIN)/timebank run --host $(HOST) --port $(PORT)

test: install $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print figures next to a floor measured in the same run (see docs/BENCHMARKS.md).
bench: bench-ledger bench-listings bench-report

bench-ledger: install $(TEST_STAMP)
	$(BIN)/python -m tests.perf.bench_ledger $(BENCH_ARGS)

bench-listings: install $(TEST_STAMP)
	$(BIN)/python -m tests.perf.bench_listings $(BENCH_ARGS)

bench-report: install $(TEST_STAMP)
	$(BIN)/python -m tests.perf.bench_report $(BENCH_ARGS)

# Every main page under gunicorn next to a bare Flask + Jinja page (BENCH_ARGS="--scale 20000,100000,1000000,50000").
bench-pages: install $(TEST_STAMP)
	$(BIN)/python -m tests.perf.bench_pages $(BENCH_ARGS)

# Extract the strings of the code and templates, and merge them into each catalogue.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* __pycache__" --no-location --sort-output -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

clean:
	rm -rf $(VENV) .pytest_cache
