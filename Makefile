# The two commands of the README: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first python3.10 that really runs (a pyenv shim may exist without 3.10 being selected).
PYTHON ?= $(shell for c in $$HOME/.pyenv/versions/3.10*/bin/python3.10 $$(command -v python3.10); do \
	  "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { echo "$$c"; break; }; \
	done)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

export RASA_PORT ?= 5005
export ACTIONS_PORT ?= 5055
export STAFF_PORT ?= 8000
export BOT_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bot.db
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Python's byte-code caches (pytest's rewritten test modules among them) in __pycache__/, even where
# the environment sets PYTHONDONTWRITEBYTECODE: without them each test process compiled the project and
# rewrote ~190 test modules again, 9 s a process (`make check` 96 s, 77 s once the caches exist).
unexport PYTHONDONTWRITEBYTECODE

MODEL := models/current.tar.gz
# The model depends on the training data, the configuration, the domain and the code of the
# custom NLU components; `make run` retrains exactly when one of them changed.
MODEL_INPUTS := config.yml domain.yml $(wildcard data/*/*.yml) \
	bot/language/text.py bot/language/letters.py $(wildcard bot/nlu/*.py)

.PHONY: help install lock train run run-prod haproxy profile shell interactive test check fast-tests unit-tests validate evaluate story-test benchmark browser check-data compare-spacy clean

help:
	@echo "make run    - install, train if needed, start the assistant (REST on port $(RASA_PORT), staff pages on $(STAFF_PORT))"
	@echo "make test   - install and run every check (unit, data, live servers, browser, NLU evaluation, stories)"
	@echo "make check  - the edit-test loop: unit tests and data checks; no server, no training, no browser"
	@echo "make run-prod - RASA_REPLICAS Rasa servers and ACTIONS_REPLICAS action servers behind HAProxy, on PostgreSQL and Redis"
	@echo "make install | lock | train | shell | interactive | check-data | evaluate | story-test | benchmark | clean"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Python 3.10 was not found (Rasa 3.6 needs 3.8-3.10)."; \
	  echo "Install it, e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv',"; \
	  echo "or run: make PYTHON=/path/to/python3.10 ..."; exit 1; fi
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --upgrade "pip==24.0"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

install: $(INSTALLED)

# After a deliberate upgrade in the venv: record the exact versions again, then run `make test`.
lock: $(INSTALLED)
	@{ sed -n '1,3p' constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.new
	@mv constraints.new constraints.txt

# Rasa's data validation is `make validate` (in `make check` and `make test`), not repeated here:
# it took a tenth of the training time.
$(MODEL): $(MODEL_INPUTS) | $(INSTALLED)
	@mkdir -p var
	$(BIN)/python scripts/timed.py "training" $(BIN)/rasa train --skip-validation --fixed-model-name current --out models

train: $(MODEL)

run: $(MODEL)
	@mkdir -p var
	@scripts/run.sh

# The production profile on this machine (README, "Scaling"): the replicas behind HAProxy, the
# conversations in PostgreSQL, Rasa's locks in Redis.
PROD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
PROD_LOCK_STORE_URL ?= redis://127.0.0.1:6379/1
RASA_REPLICAS ?= 2
ACTIONS_REPLICAS ?= 2

run-prod: $(MODEL) haproxy
	@mkdir -p var
	@BOT_DATABASE_URL=$(PROD_DATABASE_URL) BOT_LOCK_STORE_URL=$(PROD_LOCK_STORE_URL) RASA_REPLICAS=$(RASA_REPLICAS) \
	  ACTIONS_REPLICAS=$(ACTIONS_REPLICAS) scripts/run.sh

# Debian's HAProxy, installed when missing and we are root (the production profile's load balancer).
haproxy:
	@command -v haproxy >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y --no-install-recommends haproxy >/dev/null 2>&1 || \
	    { apt-get update >/dev/null && apt-get install -y --no-install-recommends haproxy >/dev/null; }; \
	  else echo "HAProxy is missing (sudo apt-get install haproxy): make run-prod needs it."; exit 1; fi; }

shell: $(MODEL)
	@mkdir -p var
	@scripts/run.sh shell

# `rasa interactive` with the action server and the current model (TRAINING.md, section 8).
interactive: $(MODEL)
	@mkdir -p var
	@scripts/run.sh interactive

validate: $(INSTALLED)
	$(BIN)/rasa data validate

# Rasa's validation, then the project's own checks of the data and the domain (bot/training/datacheck.py).
check-data: validate
	$(BIN)/python -m bot.training.datacheck

evaluate: $(MODEL)
	$(BIN)/python -m bot.training.evaluation --model $(MODEL) --min-accuracy 0.90 --min-stripped 0.90 \
	  --min-letters 0.87 --min-letters-stripped 0.87 --max-letters-fallback 0.10

story-test: $(MODEL)
	$(BIN)/rasa test core --stories tests/stories --model $(MODEL) --endpoints endpoints.yml \
	  --fail-on-prediction-errors --out results/stories

# Tokenizer comparison reported in the README: pyvi word segmentation (spaCy blank "vi") against
# the diacritic-insensitive tokenizer, same classifier settings, same held-out set.
compare-spacy: $(INSTALLED)
	$(BIN)/python -c "import spacy; spacy.blank('vi').to_disk('var/spacy-vi')"
	for v in spacy folded; do \
	  $(BIN)/rasa train nlu --config experiments/config-$$v.yml --out var/experiments --fixed-model-name $$v && \
	  $(BIN)/python -m bot.training.evaluation --model var/experiments/$$v.tar.gz --results results/compare-$$v \
	    --min-accuracy 0 --min-stripped 0 || exit 1; \
	done

# BENCHMARK_ARGS, e.g. "--seconds 10 --no-stock" (scripts/benchmark.py --help)
benchmark: $(MODEL)
	$(BIN)/python scripts/benchmark.py $(BENCHMARK_ARGS)

# cProfile of messages at the start of a conversation and at its 200th turn (results/profile-after.txt)
profile: $(MODEL)
	$(BIN)/python scripts/profile_message.py

# The browser of the end-to-end test of the staff pages: Debian's Chromium, installed when missing
# and we are root (Playwright's own browser download needs the internet). Without it the test skips.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
	    { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }; \
	  else echo "Chromium is missing (sudo apt-get install chromium): the browser test will be skipped."; fi; }

# Every check. The benchmark is no check (it prints figures; README, "Measurements"): `make benchmark`.
# The NLU evaluation and the story tests each keep one core busy: side by side on two cores.
test: $(INSTALLED)
	$(MAKE) check-data
	$(MAKE) train
	$(MAKE) browser
	-$(MAKE) haproxy  # for the production profile's test, which is skipped with the reason without it
	$(MAKE) unit-tests
	$(BIN)/pytest -m live -n auto --dist loadfile
	$(MAKE) --jobs=2 --output-sync=target evaluate story-test

# The edit-test loop: Rasa's data validation beside the tests that start no server, train no model
# and drive no browser (pytest marker `live`, tests/conftest.py); the project's data checks are among
# them (tests/test_datacheck.py).
check: $(INSTALLED)
	$(MAKE) --jobs=2 --output-sync=target validate fast-tests

# The same tests on SQLite only: their PostgreSQL and Redis variants (marker `server`) are make test's.
fast-tests: $(INSTALLED)
	$(BIN)/pytest -m "not live and not server" -q -n auto

# On every core (pytest-xdist): these tests share no server, port or file.
unit-tests: $(INSTALLED)
	$(BIN)/pytest -m "not live" -q -n auto

clean:
	rm -rf models results/nlu results/stories var/*.db .pytest_cache
