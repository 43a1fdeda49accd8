# Two commands on a fresh machine: `make run` (the whole platform, embedded) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVICES := registration evidence scoring notification gateway
STAMP := $(VENV)/.installed
PYPROJECTS := shared/pyproject.toml testing/pyproject.toml $(foreach s,$(SERVICES),services/$(s)/pyproject.toml) requirements-dev.txt

.PHONY: venv run test test-unit test-integration test-e2e test-browser bench lint broker browser clean

venv: $(STAMP)

$(STAMP): $(PYPROJECTS)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -U pip
	$(BIN)/pip install -q --disable-pip-version-check -e shared -e testing $(foreach s,$(SERVICES),-e services/$(s)) -r requirements-dev.txt
	touch $(STAMP)

# RabbitMQ is used when reachable; `make run` falls back to the in-memory transport otherwise.
run: venv
	$(BIN)/python deploy/embedded.py

broker:
	@bash deploy/ensure-rabbitmq.sh

# Debian's Chromium for the portal tests (never a browser downloaded by a test tool).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

test: venv broker browser
	$(BIN)/pytest -q

test-unit: venv
	$(BIN)/pytest -q -m unit

test-integration: venv broker
	$(BIN)/pytest -q -m integration

test-e2e: venv broker browser
	$(BIN)/pytest -q -m "e2e or browser"

bench: venv broker
	$(BIN)/python -m tests.bench

lint: venv
	$(BIN)/ruff check shared services tests deploy
	$(BIN)/mypy shared/src $(wildcard $(foreach s,$(SERVICES),services/$(s)/src/$(s)/domain*))
	$(BIN)/mypy shared/src services/evidence/src/evidence

clean:
	rm -rf $(VENV) .run
