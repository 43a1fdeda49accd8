"""Start-up work happens only in `python -m evidence.migrate`: an API or a consumer on a database
that was never migrated refuses to serve (readiness 503 with the reason, requests 503) and starts
once it is migrated; running the migration again changes nothing."""

import time

import pytest

from conftest import ANNA, Caller
from evidence import consumer, migrate
from evidence.api import create_app
from evidence.bootstrap import bootstrap

pytestmark = pytest.mark.integration


def wait_until(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def unmigrated(settings):
    service = bootstrap(settings)
    yield service
    service.stop()


def everything_in(db) -> dict:
    """Every collection of the database with its indexes and documents."""
    return {name: (db[name].index_information(), sorted(db[name].find(), key=repr))
            for name in sorted(db.list_collection_names())}


def test_an_unmigrated_database_is_not_served_until_migrate_has_run(unmigrated, settings):
    app = create_app(service=unmigrated)
    client = app.test_client()
    anna = Caller(client, settings.secret_key, ANNA)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["schema"] == "version 1 needed, found none: run python -m evidence.migrate"
    refused = anna.get("/libraries/lib-aarhus/evidence")
    assert refused.status_code == 503 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["code"] == "schema_not_ready" and "migrate" in refused.get_json()["detail_en"]
    assert client.get("/healthz").status_code == 200
    # The API created nothing of the service's (the relay keeps only its own lease).
    assert set(unmigrated.store.db.list_collection_names()) <= {"outbox_lock"}

    migrate.run(settings)
    assert client.get("/readyz").status_code == 200
    assert anna.get("/libraries/lib-aarhus/evidence").get_json()["total"] == 0


def test_the_consumer_waits_for_the_migration_before_it_consumes(unmigrated, settings):
    consumer.start(unmigrated)
    assert unmigrated.runtime.consumer is None  # not attached to its queue
    migrate.run(settings)
    assert wait_until(lambda: unmigrated.runtime.consumer is not None and unmigrated.runtime.consumer.ready.is_set())


def test_migrating_again_changes_nothing(settings, unmigrated):
    migrate.run(settings)
    db = unmigrated.store.db
    first = everything_in(db)
    assert "items" in first and first["schema"][1] == [{"_id": "version", "version": 1}]
    migrate.run(settings)
    assert everything_in(db) == first
