# Two commands on a fresh machine: `make run` (the whole platform, embedded) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVICES := registration evidence scoring notification gateway
STAMP := $(VENV)/.installed
PYPROJECTS := pyproject.toml shared/pyproject.toml testing/pyproject.toml $(wildcard services/*/pyproject.toml)
# uv installs and locks the workspace (pyproject.toml); it lives in its own small venv.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON := $(PY)
export UV_PROJECT_ENVIRONMENT := $(VENV)
# The cache and the venv are often on different file systems here; copy without warning.
export UV_LINK_MODE := copy
# Extra arguments for `make lock`, e.g. LOCK_ARGS=--upgrade or LOCK_ARGS="--upgrade-package kombu".
LOCK_ARGS ?=

.PHONY: venv lock dockerfiles portal-assets run test test-unit test-integration test-e2e test-browser bench fuzz lint broker browser clean

# Exactly what uv.lock says, nothing else (uv sync removes what the lock does not name). Refuses,
# rather than resolving anew, when a pyproject.toml changed after the last `make lock`. Then the
# portal's assets.
venv: $(STAMP) portal-assets

# requirements-dev.txt is named only so that a merge bringing it back stops here, with the message below.
$(STAMP): $(UV) uv.lock $(PYPROJECTS) $(wildcard requirements-dev.txt)
	@test ! -e requirements-dev.txt || { echo "requirements-dev.txt is no longer read: move its lines into [dependency-groups] dev in pyproject.toml, then run 'make lock'" >&2; exit 1; }
	@$(UV) lock --check -q || { echo "uv.lock is out of date with the pyproject.toml files: run 'make lock' and commit uv.lock" >&2; exit 1; }
	$(UV) sync --locked --all-packages --all-extras -q
	touch $(STAMP)

# Re-resolve after a pyproject.toml changed (keeps every other pin); then `make venv` and commit uv.lock.
lock: $(UV)
	$(UV) lock $(LOCK_ARGS)

# services/*/Dockerfile from the one template (tests/deploy/test_images.py checks they are in sync).
dockerfiles:
	$(PY) deploy/docker/render.py

$(UV): requirements-uv.txt
	test -x $(TOOLS)/bin/python || $(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --disable-pip-version-check --require-hashes -r requirements-uv.txt
	touch $(UV)

# The portal's assets: DKFDS (npm) copied into the gateway's static files; its catalogues compiled.
portal-assets: $(STAMP)
	cd services/gateway && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	$(BIN)/pybabel compile -d services/gateway/src/gateway/translations

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

# Fuzz every OpenAPI document long (issue 12): CHORA_FUZZ_EXAMPLES requests per operation, caller and kind.
fuzz: venv broker
	CHORA_FUZZ_EXAMPLES=$${CHORA_FUZZ_EXAMPLES:-40} $(BIN)/pytest -q -s tests/e2e/fuzz_openapi.py

bench: venv broker
	$(BIN)/python -m tests.bench

lint: venv
	$(BIN)/ruff check shared services tests deploy
	$(BIN)/mypy shared/src $(foreach s,$(SERVICES),services/$(s)/src/$(s))

clean:
	rm -rf $(VENV) $(TOOLS) .run
