"""pytest fixtures for integration and end-to-end tests on real servers.

Uses for real: a SecantusDB daemon (one per test session, a fresh database per test), the
RabbitMQ at CHORA_TEST_AMQP_URL (default 127.0.0.1:5672) with an exchange and queues named
uniquely per test, an aiosmtpd SMTP server per test, and a pika observer of the exchange bound
to the routing keys a test names (`@pytest.mark.wire("library.registered", ...)` or `wire.watch`).
"""

from __future__ import annotations

import os
import uuid

import flask
import pytest

from chora_testing.identity import SigningClient
from chora_testing.servers import Secantus, SmtpSink
from chora_testing.settings import settings_of
from chora_testing.users import BrokerUsers
from chora_testing.wire import WireObserver, delete_prefixed, run_queues
from shared.config import ServiceSettings
from shared.events.sealing import Sealer
from shared.runtime import broker_reachable

TEST_AMQP_URL = os.environ.get("CHORA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
TEST_DELAYS = (1, 2)
TEST_SEAL_KEY = "dGVzdC1vbmx5LWV2ZW50LXNlYWwta2V5LTMyLWJ5dGU="  # a Fernet key for tests only


def pytest_configure(config):
    config.addinivalue_line("markers", "wire(*routing_keys): what the test's wire observer binds")
    # Every Flask test client signs the identities tests name with chora_testing.identity.as_caller.
    flask.Flask.test_client_class = SigningClient


@pytest.fixture(scope="session")
def secantus(tmp_path_factory):
    server = Secantus(str(tmp_path_factory.mktemp("secantus-data"))).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def amqp_url() -> str:
    state = broker_reachable(TEST_AMQP_URL)
    if state != "ok":
        pytest.fail(f"RabbitMQ is not reachable at {TEST_AMQP_URL} ({state}); start it: rabbitmq-server -detached")
    return TEST_AMQP_URL


@pytest.fixture
def run_prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings_for(secantus, amqp_url, run_prefix):
    """Build a service's settings pointing at this test's servers and names."""
    used: set[str] = set()

    def make(service: str, **changes) -> ServiceSettings:
        used.add(service)
        base = settings_of(service, {
            "CHORA_MONGO_URL": secantus.url,
            "CHORA_DB_PREFIX": run_prefix,
            "CHORA_AMQP_URL": amqp_url,
            "CHORA_AMQP_PREFIX": run_prefix,
            "CHORA_RETRY_DELAYS": ",".join(map(str, TEST_DELAYS)),
            "CHORA_RELAY_POLL_INTERVAL": "0.5",
            "CHORA_RELAY_GRACE": "1",
            "CHORA_SECRET_KEY": "test-secret",
            "CHORA_EVENT_SEAL_KEY": TEST_SEAL_KEY,
        })
        return base.with_changes(**changes) if changes else base

    yield make
    # Every queue of this run's prefix, also those of a whole platform a test started with it.
    delete_prefixed(amqp_url, run_prefix, run_queues(run_prefix, used))


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def wire(request, amqp_url, run_prefix):
    keys = [key for mark in request.node.iter_markers("wire") for key in mark.args]
    observer = WireObserver(amqp_url, f"{run_prefix}.events", keys, sealer=Sealer(TEST_SEAL_KEY)).start()
    yield observer
    observer.stop()


@pytest.fixture
def broker_users(amqp_url, run_prefix):
    """Per-service RabbitMQ accounts for this run (rabbitmqctl), removed afterwards."""
    users = BrokerUsers(amqp_url, run_prefix)
    yield users
    users.remove()
