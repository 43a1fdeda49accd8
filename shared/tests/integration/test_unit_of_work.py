"""The MongoDB unit of work on a real SecantusDB: the repositories' change, the outbox and the
inbox mark in one commit; nothing of a failed run is kept."""

import pytest
from pymongo.errors import DuplicateKeyError

from shared.mongo import OUTBOX, AlreadyProcessed
from shared.runtime import Runtime
from shared.uow import MongoUnitOfWork, duplicate_key_fields

pytestmark = pytest.mark.integration


class Tallies:
    """A tiny repository over one collection, bound to the unit of work's session."""

    def __init__(self, db, session):
        self.collection, self.session = db.tallies, session

    def bump(self, key: str) -> None:
        self.collection.update_one({"_id": key}, {"$inc": {"n": 1}}, upsert=True, session=self.session)

    def add(self, key: str) -> None:
        self.collection.insert_one({"_id": key, "n": 0}, session=self.session)

    def count(self, key: str) -> int:
        doc = self.collection.find_one({"_id": key}, session=self.session)
        return doc["n"] if doc else 0


@pytest.fixture
def uow(settings_for):
    runtime = Runtime(settings_for("source"))
    yield MongoUnitOfWork(runtime.open_store(), Tallies)
    runtime.stop()


def test_the_change_its_events_and_the_inbox_mark_commit_together(uow):
    def work(w):
        w.repos.bump("a")
        w.emit("test.pinged", {"key": "a"})

    uow.run(work, inbox=("source", "event-1"))
    assert uow.repos.count("a") == 1
    assert [e["type"] for d in uow.store.db[OUTBOX].find() for e in d["events"]] == ["test.pinged"]
    with pytest.raises(AlreadyProcessed):
        uow.run(work, inbox=("source", "event-1"))
    assert uow.repos.count("a") == 1


def test_a_run_that_fails_keeps_neither_its_change_nor_its_events(uow):
    uow.run(lambda w: w.repos.add("b"))
    outbox_before = uow.store.db[OUTBOX].count_documents({})

    def collides(w):
        w.repos.bump("c")
        w.emit("test.pinged", {"key": "c"})
        w.repos.add("b")  # already there: the unique _id refuses it

    with pytest.raises(DuplicateKeyError) as caught:
        uow.run(collides)
    assert duplicate_key_fields(caught.value) == ("_id",)
    assert uow.repos.count("c") == 0
    assert uow.store.db[OUTBOX].count_documents({}) == outbox_before
