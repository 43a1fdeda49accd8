"""Integration tests of the registration service: its Flask app (test client) on a real SecantusDB,
its outbox relay publishing to the real RabbitMQ, and the pika `wire` observer asserting what
reached the exchange. Identities are signed exactly as the gateway signs them."""

from __future__ import annotations

import uuid

import pytest
from registration_http import Api, Clock

from registration.bootstrap import SERVICE


@pytest.fixture
def settings(settings_for):
    return settings_for("registration")


@pytest.fixture
def make_api(settings):
    """Start an app (and its relay) on the test's settings; stopped at the end of the test."""
    apps = []

    def make(**changes) -> Api:
        chosen = settings.with_changes(**changes) if changes else settings
        app = SERVICE.create_app(chosen)
        apps.append(app)
        return Api(app, chosen)

    yield make
    for app in apps:
        app.extensions["chora_runtime"].stop()


@pytest.fixture
def api(make_api) -> Api:
    made = make_api()
    made.handlers.clock = Clock()
    return made


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
