# The two commands of the README: `make run` and `make test` (plus `make bench`).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install run test lint bench messages clean

$(PY_STAMP): pyproject.toml
	@test -x $(BIN)/python || $$(scripts/find-python.sh) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(PY_STAMP) $(NODE_STAMP)

## make run: migrate, load the demo alliance, serve on :8000 with a Celery worker and beat.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/honcho -f Procfile start

lint: install
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r yichuan alliance proposals volunteers notifications announcements dashboard audit

## make test: everything the suite needs, then lint, migration check and the whole suite.
test: install
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r yichuan alliance proposals volunteers notifications announcements dashboard audit
	DJANGO_SETTINGS_MODULE=yichuan.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: the portal at district scale against the machine's limits (docs/benchmarks.md).
## BENCH_SUGGESTIONS=1000000 for a million; PostgreSQL on 127.0.0.1:5432 or DATABASE_URL.
bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

## make messages: the English catalogue from the templates and code, filled from scripts/en.tsv
## (it stops with the msgids that have no line there), and every catalogue of locale/ compiled.
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=node_modules --ignore=staticfiles --ignore=var
	$(BIN)/python scripts/translate_en.py
	$(BIN)/python manage.py compilemessages -l en -l zh_Hans --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules staticfiles var
