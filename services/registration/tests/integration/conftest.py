"""Integration tests of the registration service: its Flask app (test client) on a real SecantusDB
migrated by registration.migrate, its outbox relay publishing to the real RabbitMQ, and the pika
`wire` observer asserting what reached the exchange. Identities are signed exactly as the gateway
signs them; the handlers' clock is a settable one given to bootstrap."""

from __future__ import annotations

import uuid

import pytest
from registration_http import Api, Clock

from registration import migrate
from registration.api import create_app
from registration.bootstrap import bootstrap


@pytest.fixture
def settings(settings_for):
    return settings_for("registration")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_api(settings, clock):
    """Migrate the test's database, then start an app (and its relay) on it; stopped at the end."""
    services = []

    def make(*, migrated: bool = True, **changes) -> Api:
        chosen = settings.with_changes(**changes) if changes else settings
        if migrated:
            migrate.run(chosen)
        service = bootstrap(chosen, clock=clock)
        services.append(service)
        return Api(create_app(service=service), service)

    yield make
    for service in services:
        service.stop()


@pytest.fixture
def api(make_api) -> Api:
    return make_api()


@pytest.fixture
def active_library(api, wire):
    """A registered and confirmed library: (library_id, coordinator person_id)."""
    wire.watch("library.registered")
    isil = f"DK-{uuid.uuid4().int % 1_000_000:06d}"
    resp = api.register(isil=isil, email=f"koord-{isil.lower()}@bib.example")
    assert resp.status_code == 201, resp.json
    ids = resp.json
    evt = wire.wait_for("library.registered", lambda e: e["payload"]["library_id"] == ids["library_id"])[0]
    confirmed = api.call("POST", "/email-confirmations", {"token": evt["payload"]["confirmation_token"]})
    assert confirmed.status_code == 200, confirmed.json
    return ids["library_id"], ids["person_id"]
