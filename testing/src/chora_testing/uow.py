"""An in-memory unit of work with the contract of shared.uow.MongoUnitOfWork, for handler tests
that need no server: the work runs on in-memory repositories, is undone if it raises, and its
events are kept as the outbox a relay would publish."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Generic, TypeVar

from shared.events import Event
from shared.mongo import AlreadyProcessed
from shared.uow import InboxMark, Work

R = TypeVar("R")
T = TypeVar("T")


class FakeUnitOfWork(Generic[R]):
    """Runs work on in-memory repositories; a failed run leaves them as they were."""

    def __init__(self, repos: R, producer: str = "test"):
        self._repos = repos
        self.producer = producer
        self.outbox: list[Event] = []
        self.inbox: set[InboxMark] = set()
        self.commits = 0

    @property
    def repos(self) -> R:
        return self._repos

    def run(self, fn: Callable[[Work[R]], T], *, inbox: InboxMark | list[InboxMark] | None = None) -> T:
        marks = [inbox] if isinstance(inbox, tuple) else list(inbox or [])
        if isinstance(inbox, tuple) and inbox in self.inbox:
            raise AlreadyProcessed(inbox[1])
        if any(mark in self.inbox for mark in marks):
            raise AlreadyProcessed(next(m for m in marks if m in self.inbox)[1])
        # The work changes a copy; the copy replaces the repositories only when it succeeds.
        working = copy.deepcopy(self._repos)
        work = Work(working, self.producer)
        result = fn(work)
        self._repos = working
        self.outbox.extend(work.events)
        self.inbox.update(marks)
        self.commits += 1
        return result

    def emitted(self, type_: str | None = None) -> list[Event]:
        """The committed events, optionally of one type."""
        return [e for e in self.outbox if type_ is None or e.type == type_]
