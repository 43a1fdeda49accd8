"""Scoring integration tests use for real: SecantusDB (a fresh database per test), RabbitMQ
(per-test exchange and queues) with the scoring consumer and relay running in-process, a pika
observer of the exchange (`wire`), and Flask's test client on the real app."""

from __future__ import annotations

import pytest

from scoring.bootstrap import SERVICE
from shared.runtime import Runtime


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
    """Another service's runtime: events stored in its outbox reach the wire through its relay."""
    runtime = Runtime(settings_for("upstream"))
    runtime.open_store()
    runtime.start_relay()
    yield runtime
    runtime.stop()
