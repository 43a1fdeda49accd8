"""Integration tests of the evidence service. Real: the Flask app built by the service's own entry
points (migrate.run, bootstrap, api.create_app) on a real SecantusDB (GridFS included), its outbox
relay publishing to the real RabbitMQ exchange, observed with pika (`wire`) where events are
checked. Identities are signed exactly as the gateway signs them. Only the clock is the test's."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from chora_testing.identity import as_caller

from evidence import migrate
from evidence.api import create_app
from evidence.bootstrap import bootstrap
from shared.identity import Identity

ANNA = Identity("p-anna", "coordinator", "lib-aarhus", "Anna Holm", "anna@aakb.dk")
BO = Identity("p-bo", "member", "lib-aarhus", "Bo Berg", "bo@aakb.dk")
CARL = Identity("p-carl", "coordinator", "lib-odense", "Carl Dam", "carl@odense.dk")
DORTE = Identity("p-dorte", "assessor", None, "Dorte Ravn", "dorte@chora2030.dk")
ANONYMOUS = Identity("anonymous", "anonymous")

ACTIVITY = {
    "kind": "activity",
    "title": "Reparationscafé",
    "description": "Borgere reparerer cykler og tøj sammen med frivillige.",
    "dimension": "faellesskaber",
    "sdgs": [12, 13],
    "targets": ["12.5"],
    "date": "2025-02-01",
    "participants": 40,
    "age_groups": ["adults", "seniors"],
    "partners": [{"name": "Repair Café Aarhus", "kind": "association"}],
    "co_created": True,
    "links": ["https://aakb.dk/arrangementer/reparationscafe"],
    "public": True,
}


@dataclass
class Caller:
    """A Flask test client acting as one signed identity."""

    client: object
    secret: str
    identity: Identity

    def _headers(self, extra=None):
        return {**as_caller(self.identity), **(extra or {})}

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, path, json=None, **kw):
        return self.client.put(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def upload(self, item_id, data: bytes, filename: str, content_type="application/octet-stream", **form):
        body = {"file": (io.BytesIO(data), filename, content_type), **{k: str(v) for k, v in form.items()}}
        return self.client.post(f"/evidence/{item_id}/attachments", data=body, content_type="multipart/form-data",
                                headers=self._headers())

    # -- shortcuts ---------------------------------------------------------------------------------
    def create(self, data=None, library_id=None):
        r = self.post(f"/libraries/{library_id or self.identity.library_id}/evidence", json=data or ACTIVITY)
        assert r.status_code == 201, r.get_json()
        return r.get_json()


@pytest.fixture
def settings(settings_for):
    return settings_for("evidence")


class Clock:
    """The test's clock: it says what `now` is set to."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    # A fixed clock keeps deadlines and dates predictable.
    return Clock(datetime(2025, 3, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
def service(settings, clock):
    migrate.run(settings)
    service = bootstrap(settings, clock=clock)
    yield service
    service.stop()


@pytest.fixture
def app(service):
    return create_app(service=service)


@pytest.fixture
def db(service):
    return service.store.db


@pytest.fixture
def as_(app, settings):
    """as_(ANNA) -> a Caller signed as Anna on the app's test client."""
    return lambda identity: Caller(app.test_client(), settings.secret_key, identity)


@pytest.fixture
def anna(as_):
    return as_(ANNA)


@pytest.fixture
def assessor(as_):
    return as_(DORTE)
