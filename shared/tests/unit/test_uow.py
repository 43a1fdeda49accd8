"""The in-memory unit of work keeps the contract of the MongoDB one: all or nothing, events only
on commit, an inbox mark answered once."""

from dataclasses import dataclass, field

import pytest
from chora_testing.uow import FakeUnitOfWork
from pymongo.errors import DuplicateKeyError

from shared.mongo import AlreadyProcessed
from shared.uow import duplicate_key_fields

pytestmark = pytest.mark.unit


@dataclass
class Counter:
    values: dict[str, int] = field(default_factory=dict)


def test_a_failed_run_leaves_the_repositories_and_the_outbox_as_they_were():
    uow = FakeUnitOfWork(Counter({"a": 1}))

    def fails(work):
        work.repos.values["a"] = 2
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        uow.run(fails)
    assert uow.repos.values == {"a": 1} and uow.outbox == [] and uow.commits == 0


def test_an_event_answered_once_is_refused_the_second_time():
    uow = FakeUnitOfWork(Counter())

    def bump(work):
        work.repos.values["n"] = work.repos.values.get("n", 0) + 1

    uow.run(bump, inbox=("scoring", "e1"))
    with pytest.raises(AlreadyProcessed):
        uow.run(bump, inbox=("scoring", "e1"))
    assert uow.repos.values == {"n": 1}


def test_duplicate_key_fields_reads_the_index_from_the_error_not_its_text():
    exc = DuplicateKeyError("E11000 whatever the text", 11000, {"keyPattern": {"isil": 1}, "keyValue": {"isil": "x"}})
    assert duplicate_key_fields(exc) == ("isil",)
    assert duplicate_key_fields(ValueError("isil")) is None
