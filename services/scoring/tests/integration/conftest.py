"""Scoring integration tests use for real: SecantusDB (a fresh database per test), RabbitMQ
(per-test exchange and queues) with the scoring consumer and relay running in-process, a pika
observer of the exchange (`wire`), and Flask's test client on the real app."""

from __future__ import annotations

import pytest

from scoring.bootstrap import SERVICE
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
def app(scoring_settings):
    app = SERVICE.create_app(scoring_settings)
    yield app
    app.extensions["chora_runtime"].stop()


@pytest.fixture
def consumer(scoring_settings):
    runtime = SERVICE.start_consumer(scoring_settings)
    assert runtime.consumer.ready.wait(10), "scoring consumer did not connect"
    yield runtime
    runtime.stop()


@pytest.fixture
def upstream(settings_for):
    """The producers' runtimes: events stored in their outboxes reach the wire through their relays."""
    upstream = Upstream(settings_for)
    yield upstream
    upstream.stop()
