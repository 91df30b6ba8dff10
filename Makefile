# Meridian: everything a fresh clone needs is done by these targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
WORKERS ?= 3
PYTEST_ARGS ?=
APT_PACKAGES_RUN  := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk postgresql-client
APT_PACKAGES_TEST := gettext chromium libharfbuzz-subset0 fonts-noto-cjk postgresql-client

.PHONY: run test install system-deps system-deps-test lint format bench messages messages-update prepare clean

$(BIN)/.installed: requirements/lock.txt pyproject.toml package-lock.json
	@command -v npm >/dev/null || scripts/apt-ensure nodejs npm
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-virtualenv -r requirements/lock.txt
	$(BIN)/pip install --quiet --require-virtualenv --no-deps -e .
	touch $@

install: $(BIN)/.installed

# Debian packages: gettext compiles the translations; Chromium and CJK fonts are for the browser tests.
system-deps:
	@scripts/apt-ensure $(APT_PACKAGES_RUN)

system-deps-test:
	@scripts/apt-ensure $(APT_PACKAGES_TEST)

messages: install system-deps
	cd meridian && ../$(BIN)/meridian compilemessages --verbosity 0

# After changing user-facing strings: extract them into the Chinese catalogue, then translate the new entries.
messages-update: install system-deps
	cd meridian && ../$(BIN)/meridian makemessages -l zh_Hans --no-location --no-obsolete \
		--ignore tests --ignore static

prepare: messages
	$(BIN)/meridian migrate --no-input --verbosity 1
	$(BIN)/meridian collectstatic --no-input --verbosity 0
	$(BIN)/meridian load-reference
	$(BIN)/meridian demo-data --if-empty

# The web server, one background worker and the scheduler together; Ctrl-C stops all three.
# Links in e-mails and the verification address printed on documents follow where `make run` serves,
# unless SITE_URL names the public address.
SITE_URL ?= http://$(HOST):$(PORT)

run: prepare
	@echo "Meridian is starting on http://$(HOST):$(PORT)/"
	SITE_URL=$(SITE_URL) $(BIN)/meridian serve-all --bind $(HOST):$(PORT) --workers $(WORKERS) --timeout 300

# Only a background worker, or only the scheduler (for servers that run them apart from the web server).
.PHONY: worker scheduler
worker: install
	$(BIN)/meridian worker

scheduler: install
	$(BIN)/meridian scheduler

test: install system-deps-test messages
	$(BIN)/pytest -n 2 --dist load --durations=25 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/meridian check --fail-level WARNING
	$(BIN)/meridian makemigrations --check --dry-run --verbosity 1
	$(BIN)/lint-imports
	$(BIN)/python scripts/mypy-baseline check

# After fixing type errors, or when accepting the current ones: rewrite the committed mypy baseline.
.PHONY: mypy-baseline
mypy-baseline: install
	$(BIN)/python scripts/mypy-baseline update

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# wrk drives the public pages with 50 connections to compare them with a bare view (bench/ratios.py).
bench: install messages
	@scripts/apt-ensure wrk
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var/static
