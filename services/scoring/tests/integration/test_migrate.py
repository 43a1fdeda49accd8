"""Start-up work happens only in scoring.migrate: an app or a consumer on an unmigrated database
refuses to serve (readiness says why), serves once the database is migrated, and migrating again
changes nothing."""

from __future__ import annotations

import threading
import time

import pytest
from scoring_events import headers, library

from scoring import consumer as scoring_consumer
from scoring import migrate, store
from scoring.api import create_app
from scoring.bootstrap import bootstrap
from shared.events import new_event

pytestmark = pytest.mark.integration


def test_an_app_on_an_unmigrated_database_answers_503_until_it_is_migrated(scoring_settings, clock):
    service = bootstrap(scoring_settings, clock=clock)
    try:
        client = create_app(service=service).test_client()
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json()["checks"]["schema"] == \
            f"version {store.SCHEMA_VERSION} needed, found 0: run python -m scoring.migrate"
        refused = client.get("/models", headers=headers(scoring_settings, "assessor"))
        assert (refused.status_code, refused.mimetype) == (503, "application/problem+json")
        assert refused.get_json()["code"] == "schema_not_ready"
        assert client.get("/openapi.json").status_code == 200

        migrate.run(scoring_settings)
        assert client.get("/readyz").status_code == 200
        models = client.get("/models", headers=headers(scoring_settings, "assessor")).get_json()["models"]
        assert [(m["version"], m["status"]) for m in models] == [(1, "published")]
    finally:
        service.stop()


@pytest.mark.wire("score.changed")
def test_a_consumer_on_an_unmigrated_database_starts_consuming_once_it_is_migrated(scoring_settings, clock, wire,
                                                                                   upstream):
    service = bootstrap(scoring_settings, clock=clock)
    try:
        scoring_consumer.start(service)
        assert service.runtime.consumer is None  # waiting for the schema, not consuming
        migrate.run(scoring_settings)
        deadline = time.monotonic() + 20
        while service.runtime.consumer is None and time.monotonic() < deadline:
            threading.Event().wait(0.05)  # the waiting thread looks again every 2 s
        assert service.runtime.consumer is not None and service.runtime.consumer.ready.wait(10)
        upstream.emit("library.registered", library("lib-1"))
        wire.wait_for("score.changed", lambda e: e["payload"]["library_id"] == "lib-1", timeout=20)
    finally:
        service.stop()


def _snapshot(db):
    return {name: (sorted(map(repr, db[name].find())), db[name].index_information())
            for name in sorted(db.list_collection_names())}


def test_migrating_twice_changes_nothing_the_second_time(scoring_settings, clock):
    migrate.run(scoring_settings)
    service = bootstrap(scoring_settings, clock=clock)
    try:
        service.bus.handle_event(new_event("library.registered", library("lib-1"), producer="upstream"))
        db = service.runtime.open_store().db
        before = _snapshot(db)
        migrate.run(scoring_settings)
        assert _snapshot(db) == before
        assert set(db[store.LIBRARIES].index_information()) > {"_id_"}
    finally:
        service.stop()
