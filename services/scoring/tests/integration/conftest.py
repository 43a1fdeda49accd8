"""Scoring integration tests use for real: SecantusDB (a fresh database per test, migrated by
scoring.migrate as production is), RabbitMQ (per-test exchange and queues) with the scoring
consumer and outbox relay running in-process, a pika observer of the exchange (`wire`), and
Flask's test client on the real app. Only the clock is the test's (tests/fakes.py FakeClock)."""

from __future__ import annotations

import pytest

from scoring import consumer as scoring_consumer
from scoring import migrate
from scoring.api import create_app
from scoring.bootstrap import bootstrap
from shared.events import CATALOGUE
from shared.runtime import Runtime


class Upstream:
    """The services scoring consumes from (registration, evidence): each event is emitted through
    the outbox and relay of its producer's runtime, as only its producer may emit it."""

    def __init__(self, settings_for):
        self.runtimes = {name: Runtime(settings_for(name)) for name in ("registration", "evidence")}
        for runtime in self.runtimes.values():
            runtime.open_store()
            runtime.start_relay()

    def emit(self, type_, payload):
        store = self.runtimes[CATALOGUE[type_].producer].open_store()
        return store.transact(lambda tx: tx.emit(type_, payload))

    def stop(self):
        for runtime in self.runtimes.values():
            runtime.stop()


@pytest.fixture
def scoring_settings(settings_for):
    return settings_for("scoring")


@pytest.fixture
def service(scoring_settings, clock):
    """The scoring service on a migrated database, with the test's clock."""
    migrate.run(scoring_settings)
    built = bootstrap(scoring_settings, clock=clock)
    yield built
    built.stop()


@pytest.fixture
def app(service):
    return create_app(service=service)


@pytest.fixture
def consumer(scoring_settings, clock, service):
    """The consumer in a service of its own (as its own process runs it), on the same database."""
    built = bootstrap(scoring_settings, clock=clock)
    scoring_consumer.start(built)
    assert built.runtime.consumer is not None and built.runtime.consumer.ready.wait(10), \
        "scoring consumer did not connect"
    yield built
    built.stop()


@pytest.fixture
def upstream(settings_for):
    """The producers' runtimes: events stored in their outboxes reach the wire through their relays."""
    upstream = Upstream(settings_for)
    yield upstream
    upstream.stop()
