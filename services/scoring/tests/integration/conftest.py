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
from shared.runtime import Runtime


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
    """Another service's runtime: events stored in its outbox reach the wire through its relay."""
    runtime = Runtime(settings_for("upstream"))
    runtime.open_store()
    runtime.start_relay()
    yield runtime
    runtime.stop()
