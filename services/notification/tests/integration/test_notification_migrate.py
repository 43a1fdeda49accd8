"""Start-up work is migrate's alone: an API or a consumer on an unmigrated database creates no
index, is not ready and serves nothing until `migrate.run` brought it to the schema version;
migrating again changes nothing. Also the scheduler's own entry point. Real SecantusDB, RabbitMQ
and SMTP."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from notification_testkit import evidence, seed_library, wait_until

from notification import api, consumer, migrate, scheduler
from notification.bootstrap import bootstrap
from notification.store import INDEXES, SCHEMA_VERSION
from shared.runtime import Runtime

pytestmark = pytest.mark.integration

NOT_MIGRATED = f"version {SCHEMA_VERSION} needed, found none: run python -m notification.migrate"


@pytest.fixture
def fresh(settings_for, smtp, run_prefix):
    """The service's settings on a database nothing has touched yet (not the harness's)."""
    return settings_for("notification", mongo_db=f"{run_prefix}_fresh_notification", smtp_host="127.0.0.1",
                        smtp_port=smtp.port, mail_poll_interval=0.05)


def snapshot(db):
    return {name: (db[name].index_information(), sorted(map(str, db[name].find())))
            for name in sorted(db.list_collection_names())}


def test_an_api_on_an_unmigrated_database_is_not_ready_and_refuses_requests_until_migrated(fresh, harness):
    service = bootstrap(fresh)
    try:
        client = api.create_app(service=service).test_client()
        admin = harness.headers()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json["checks"]["schema"] == NOT_MIGRATED
        refused = client.get("/deliveries", headers=admin)
        assert refused.status_code == 503 and refused.mimetype == "application/problem+json"
        assert refused.json["code"] == "not_migrated" and NOT_MIGRATED in refused.json["detail_en"]
        assert client.get("/healthz").status_code == 200 and client.get("/openapi.json").status_code == 200
        assert not set(INDEXES) & set(service.runtime.open_store().db.list_collection_names())

        migrate.run(fresh)
        assert client.get("/readyz").status_code == 200
        assert client.get("/deliveries", headers=admin).json["total"] == 0
    finally:
        service.stop()


def test_migrating_twice_changes_nothing_the_second_time(fresh):
    migrate.run(fresh)
    service = bootstrap(fresh)
    try:
        db = service.runtime.open_store().db
        first = snapshot(db)
        assert db.schema.find_one({"_id": "notification"})["version"] == SCHEMA_VERSION
        assert "dedup_key_unique" in db.mails.index_information()
        migrate.run(fresh)
        assert snapshot(db) == first
    finally:
        service.stop()


def test_migrate_refuses_a_database_a_newer_release_migrated(fresh):
    migrate.run(fresh)
    service = bootstrap(fresh)
    try:
        service.runtime.open_store().db.schema.update_one({"_id": "notification"}, {"$set": {"version": 99}})
        with pytest.raises(RuntimeError, match="newer"):
            migrate.run(fresh)
        assert service.schema_status() == f"version {SCHEMA_VERSION} needed, found 99: run python -m notification.migrate"
    finally:
        service.stop()


def test_a_consumer_waits_for_the_migration_and_then_consumes(fresh, smtp, settings_for, caplog):
    service = bootstrap(fresh)
    stop = threading.Event()
    starting = threading.Thread(target=consumer.start, args=(service,), kwargs={"stop": stop}, daemon=True)
    producer = Runtime(settings_for("registration"))
    try:
        starting.start()
        assert wait_until(lambda: "waiting for the database to be migrated" in caplog.text)
        assert starting.is_alive() and service.runtime.consumer is None  # nothing consumes yet
        migrate.run(fresh)
        starting.join(15)
        assert not starting.is_alive() and service.runtime.consumer.ready.wait(10)
        # It consumes now: an event published on the bus is mailed.
        producer.open_store().emit_now("library.registered", {
            "library_id": "L1", "version": 1, "name": "Aarhus", "municipality": "Aarhus", "kind": "folkebibliotek",
            "isil": "DK-100001", "staff_count": 4, "status": "pending", "open_branch_count": 0,
            "registered_at": "2025-03-01T10:00:00+00:00",
            "coordinator": {"person_id": "P1", "name": "Pia", "email": "pia@aarhus.dk", "language": "da",
                            "role": "coordinator"},
            "confirmation_token": "t1", "token_expires_at": "2025-03-03T10:00:00+00:00"})
        producer.start_relay()
        assert smtp.box.wait_for(lambda m: "pia@aarhus.dk" in str(m["To"]))
    finally:
        stop.set()
        producer.stop()
        service.stop()


def test_the_scheduler_once_plans_what_is_due_and_refuses_an_unmigrated_database(fresh, monkeypatch, harness):
    for name, value in {"CHORA_MONGO_URL": fresh.mongo_url, "CHORA_NOTIFICATION_MONGO_DB": fresh.mongo_db,
                        "CHORA_AMQP_URL": fresh.amqp_url, "CHORA_AMQP_PREFIX": fresh.amqp_prefix,
                        "CHORA_SECRET_KEY": fresh.secret_key}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match="not ready"):
        scheduler.main(["--once"])
    # The harness's database, migrated, with a question due in two days (the Copenhagen day of now).
    monkeypatch.setenv("CHORA_NOTIFICATION_MONGO_DB", harness.settings.mongo_db)
    seed_library(harness)
    deadline = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    harness.handle("evidence.clarification_requested", evidence(
        {"message": "Hvor mange deltog?", "deadline": deadline}, status="clarification_requested"), "evidence")
    scheduler.main(["--once"])
    assert sorted(m["person_id"] for m in harness.mails(event_type="clarification.deadline_soon")) == [
        "P1", "P2", "P3"]
    scheduler.main(["--once"])  # idempotent
    assert len(harness.mails(event_type="clarification.deadline_soon")) == 3


def test_the_scheduler_loop_in_this_process_stops_with_its_service(harness):
    seed_library(harness)
    deadline = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    harness.handle("evidence.clarification_requested", evidence(
        {"message": "Hvor mange deltog?", "deadline": deadline}, status="clarification_requested"), "evidence")
    thread = scheduler.start(harness.service)
    assert wait_until(lambda: len(harness.mails(event_type="clarification.deadline_soon")) == 3)
    harness.service.stop()
    assert not thread.is_alive()
