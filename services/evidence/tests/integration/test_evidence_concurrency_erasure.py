"""Two clients editing one draft (separate apps, separate MongoDB connections): a stale revision
is 409 and no write is lost silently. person.erased, delivered over RabbitMQ to the consumer,
replaces the person's name in audit trails and threads, once."""

import threading
import time

import pytest

from conftest import ANNA, BO, Caller
from evidence import consumer
from evidence.api import create_app
from evidence.bootstrap import bootstrap
from shared.events import new_event
from shared.mongo import AlreadyProcessed
from shared.runtime import Runtime

pytestmark = pytest.mark.integration


@pytest.fixture
def second_app(service, settings):
    """A second process's app: its own service, its own MongoDB connection."""
    other = bootstrap(settings)
    yield create_app(service=other)
    other.stop()


def test_a_stale_revision_is_409_and_both_edits_survive_after_a_reload(anna, second_app, settings):
    bo = Caller(second_app.test_client(), settings.secret_key, BO)
    item = anna.create()
    seen_by_bo = bo.get(f"/evidence/{item['id']}").get_json()
    assert anna.patch(f"/evidence/{item['id']}", json={"revision": 1, "title": "Annas titel"}).status_code == 200
    stale = bo.patch(f"/evidence/{item['id']}", json={"revision": seen_by_bo["revision"], "participants": 99})
    assert stale.status_code == 409 and stale.get_json()["field"] == "revision"
    current = bo.get(f"/evidence/{item['id']}").get_json()
    assert current["title"] == "Annas titel" and current["participants"] == 40  # Bo's edit not applied
    ok = bo.patch(f"/evidence/{item['id']}", json={"revision": current["revision"], "participants": 99})
    assert ok.status_code == 200
    final = anna.get(f"/evidence/{item['id']}").get_json()
    assert (final["title"], final["participants"], final["revision"]) == ("Annas titel", 99, 3)


def test_simultaneous_edits_on_one_revision_let_exactly_one_win(anna, app, second_app, settings):
    item = anna.create()
    apps = [app, second_app] * 3
    results: list[tuple[int, int]] = []
    barrier = threading.Barrier(len(apps))

    def edit(n, flask_app):
        caller = Caller(flask_app.test_client(), settings.secret_key, ANNA)
        barrier.wait()
        r = caller.patch(f"/evidence/{item['id']}", json={"revision": 1, "participants": n})
        results.append((n, r.status_code))

    threads = [threading.Thread(target=edit, args=(n, a)) for n, a in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [n for n, status in results if status == 200]
    assert len(results) == len(apps) and len(winners) == 1
    assert sorted(status for _, status in results) == [200] + [409] * (len(apps) - 1)
    stored = anna.get(f"/evidence/{item['id']}").get_json()
    assert stored["participants"] == winners[0] and stored["revision"] == 2
    assert len(anna.get(f"/evidence/{item['id']}/audit").get_json()["entries"]) == 2


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_person_erased_replaces_the_name_in_audit_trails_and_threads_once(anna, assessor, settings, settings_for, db):
    item = anna.create()
    iid = item["id"]
    anna.post(f"/evidence/{iid}/submit", json={"revision": 1})
    assessor.post(f"/evidence/{iid}/review", json={"decision": "clarification_requested", "comment": "Hvem?",
                                                   "deadline": "2025-04-01"})
    anna.post(f"/evidence/{iid}/thread", json={"message": "Anna svarer", "answer": True})
    plan = anna.put("/libraries/lib-aarhus/action-plan", json={"start_year": 2025})
    assert plan.status_code == 200

    consuming = bootstrap(settings)
    consumer.start(consuming)
    producer = Runtime(settings_for("registration"))
    try:
        assert consuming.runtime.consumer.ready.wait(10)
        store = producer.open_store()
        evt = store.transact(lambda tx: tx.emit("person.erased", {"person_id": "p-anna", "library_id": "lib-aarhus"}))
        producer.start_relay()
        assert wait_until(lambda: db.inbox.count_documents({"event_id": evt.id}) == 1)
        doc = db.items.find_one({"_id": iid})
        text = str(doc)
        assert "Anna Holm" not in text and "anna@aakb.dk" not in text
        assert doc["audit"][0]["by"]["name"] == "Slettet bruger" and doc["thread"][1]["by"]["name"] == "Slettet bruger"
        assert doc["thread"][1]["text"] == "Anna svarer"  # the record stays, only the name goes
        assert doc["thread"][0]["by"]["name"] == "Dorte Ravn"  # other people untouched
        assert "Anna Holm" not in str(db.plans.find_one({"library_id": "lib-aarhus"}))
        # Redelivered: no second effect (the inbox already has it).
        assert db.inbox.count_documents({}) == 1
        revision = doc["revision"]
        again = new_event("person.erased", {"person_id": "p-anna", "library_id": "lib-aarhus"},
                          producer="registration")
        object.__setattr__(again, "id", evt.id)
        with pytest.raises(AlreadyProcessed):
            consuming.bus.handle_event(again)
        assert db.items.find_one({"_id": iid})["revision"] == revision
    finally:
        producer.stop()
        consuming.stop()
