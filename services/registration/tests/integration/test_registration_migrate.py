"""The start-up work as a job (`registration.migrate`), on a real SecantusDB: an API on an unmigrated
database is not ready and serves nothing (nor creates anything), migrate makes it serve, and a
second migrate changes nothing."""

import pytest
from pymongo import MongoClient

from registration import migrate

pytestmark = pytest.mark.integration

NEEDED = "version 1 needed, found none: run python -m registration.migrate"


def snapshot(db):
    """Every document and index of the database, in a comparable form."""
    return {name: (sorted(map(repr, db[name].find())), sorted(db[name].index_information()))
            for name in sorted(db.list_collection_names())}


def test_an_unmigrated_database_answers_503_until_migrate_has_run(make_api, settings):
    api = make_api(migrated=False)
    ready = api.client.get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["schema"] == NEEDED
    assert ready.json["checks"]["mongodb"] == "ok"
    refused = api.call("GET", "/municipalities")
    assert refused.status_code == 503 and refused.mimetype == "application/problem+json"
    assert refused.json["code"] == "schema_not_ready" and "migrate" in refused.json["detail_en"]
    assert api.register(isil="DK-404404").status_code == 503
    # An API process creates no index and writes nothing of the service's (the relay keeps its lease).
    assert set(api.db.list_collection_names()) <= {"outbox_lock"}
    assert all(set(api.db[name].index_information()) == {"_id_"} for name in api.db.list_collection_names())

    migrate.run(settings)
    assert api.client.get("/readyz").status_code == 200
    assert api.call("GET", "/municipalities").status_code == 200
    assert api.register(isil="DK-404404").status_code == 201


def test_a_second_migrate_changes_nothing(settings, secantus):
    chosen = settings.with_changes(seed_demo=True, bootstrap_admin_email="admin@chora.example",
                                   bootstrap_admin_password="et langt admin kodeord")
    migrate.run(chosen)
    client = MongoClient(secantus.url, tz_aware=True)
    db = client[chosen.mongo_db]
    first = snapshot(db)
    assert db.libraries.count_documents({}) == 20 and db.cohorts.count_documents({}) == 2
    assert db.people.count_documents({"role": "administrator"}) == 1 and db.schema.find_one()["version"] == 1
    assert "unique_isil" in first["libraries"][1] and "signin_failures_ttl" in first["signin_failures"][1]
    migrate.run(chosen)
    assert snapshot(db) == first
    client.close()
