"""Handlers of the events the evidence service consumes, each once (the inbox marks it in the
same commit as its effect)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence import domain as d
from shared.events import Event
from shared.uow import Work

from .common import CONSUMER, Uow

if TYPE_CHECKING:
    from evidence.store import Repositories


def erase_person(event: Event, uow: Uow) -> None:
    """Replace an erased person's name and e-mail wherever items and plans record them."""
    person_id = event.payload["person_id"]

    def work(w: Work[Repositories]) -> None:
        for item in w.repos.items.naming(person_id):
            erased_item, changed = d.erase_person(item, person_id)
            if changed:
                w.repos.items.save(erased_item, item.revision)
        for plan in w.repos.plans.naming(person_id):
            erased_plan, changed = d.erase_person(plan, person_id)
            if changed:
                w.repos.plans.save(erased_plan, plan.revision)

    uow.run(work, inbox=(CONSUMER, event.id))


def record_library_name(event: Event, uow: Uow) -> None:
    """Keep the library names shown on items and carried by events (the newest version wins)."""
    p = event.payload
    uow.run(lambda w: w.repos.libraries.record(p["library_id"], p["name"], p["version"]),
            inbox=(CONSUMER, event.id))
