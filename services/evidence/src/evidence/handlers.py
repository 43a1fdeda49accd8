"""Commands and events -> domain -> store + outbox, each in one transaction.

Every command loads the document inside the transaction, checks that the caller may see it (else
NotFound: another library's item is answered exactly like a missing one), lets the domain decide,
writes the result conditionally on the revision it was based on, and emits the domain's events.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from evidence import domain as d
from evidence import store as st
from evidence.config import Settings
from evidence.domain.lifecycle import Outcome
from shared.events import Event
from shared.identity import Identity
from shared.mongo import ServiceStore, Tx

Clock = Callable[[], datetime]
CONSUMER = "evidence"


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def not_found(what_da: str = "Bidraget", what_en: str = "The evidence") -> d.NotFound:
    return d.NotFound("not_found", f"{what_da} findes ikke.", f"{what_en} does not exist.")


def actor_of(identity: Identity) -> d.Actor:
    """The domain's view of the signed identity; anonymous callers are refused as not found."""
    if identity.role not in d.ROLES:
        raise not_found()
    return d.Actor(identity.person_id, identity.role, identity.library_id, identity.name or None,
                   identity.email or None)


def may_see_library(identity: Identity, library_id: str) -> bool:
    return identity.may_act_for(library_id)


def check_library(identity: Identity, library_id: str) -> None:
    """Tenant check for /libraries/{id}/...: staff of another library get 404."""
    if not may_see_library(identity, library_id):
        raise d.NotFound("library_not_found", "Biblioteket findes ikke.", "The library does not exist.")


@dataclass
class Result:
    """What a command returns to the view: the stored document and the fields left unsaved."""

    doc: dict
    problems: list[d.EvidenceError] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


@dataclass
class EvidenceService:
    """The evidence service's commands and queries over one store, with an injectable clock."""

    store: ServiceStore
    clock: Clock = utc_now

    @property
    def db(self):
        return self.store.db

    # -- plumbing ---------------------------------------------------------------------------------

    def _emit(self, tx: Tx, outcome: Outcome) -> None:
        for event in outcome.events:
            tx.emit(event.type, event.payload)

    def _load_item(self, tx: Tx | None, item_id: str, identity: Identity) -> dict:
        item = st.get_item(self.db, tx.session if tx else None, item_id)
        if item is None or identity.role not in d.ROLES or not d.can_view(item, actor_of(identity)):
            raise not_found()
        return item

    def _item_command(self, item_id: str, identity: Identity,
                      step: Callable[[dict, d.Actor, datetime], Outcome]) -> Result:
        def run(tx: Tx) -> Result:
            item = self._load_item(tx, item_id, identity)
            outcome = step(item, actor_of(identity), self.clock())
            if outcome.doc.get("revision") != item["revision"]:
                st.save_item(tx.db, tx.session, outcome.doc, item["revision"])
            self._emit(tx, outcome)
            return Result(outcome.doc, outcome.problems)

        return self.store.transact(run)

    # -- items ------------------------------------------------------------------------------------

    def create_item(self, library_id: str, data: Mapping[str, Any], identity: Identity) -> Result:
        """Start a draft; refused whole (nothing stored) if any field is invalid."""
        check_library(identity, library_id)
        actor = actor_of(identity)
        if actor.is_staff:
            _, problems = d.validate_draft(data)
            if problems:
                raise d.InvalidEvidence(problems)

        def run(tx: Tx) -> Result:
            outcome = d.create_item(data, actor, item_id=new_id(), now=self.clock(),
                                    library_name=st.library_name(tx.db, tx.session, library_id))
            st.save_item(tx.db, tx.session, outcome.doc, 0)
            return Result(outcome.doc)

        return self.store.transact(run)

    def get_item(self, item_id: str, identity: Identity) -> dict:
        return self._load_item(None, item_id, identity)

    def list_items(self, library_id: str, identity: Identity, **filters: Any) -> tuple[list[dict], int]:
        check_library(identity, library_id)
        return st.list_items(self.db, library_id, **filters)

    def edit_item(self, item_id: str, changes: Mapping[str, Any], based_on: int, identity: Identity) -> Result:
        """Save every valid field (conditional on `based_on`); report the invalid ones."""
        return self._item_command(item_id, identity, lambda item, actor, now: d.edit_item(
            item, changes, actor, based_on=based_on, now=now))

    def submit_item(self, item_id: str, based_on: int, identity: Identity) -> Result:
        return self._item_command(item_id, identity, lambda item, actor, now: d.submit_item(
            item, actor, based_on=based_on, now=now))

    def withdraw_item(self, item_id: str, based_on: int, identity: Identity, reason: str | None = None) -> Result:
        return self._item_command(item_id, identity, lambda item, actor, now: d.withdraw_item(
            item, actor, based_on=based_on, now=now, reason=reason))

    def review_item(self, item_id: str, identity: Identity, *, decision: str, comment: str | None,
                    deadline: Any, based_on: int | None) -> Result:
        return self._item_command(item_id, identity, lambda item, actor, now: d.review_item(
            item, actor, based_on=item["revision"] if based_on is None else based_on, now=now,
            decision=decision, comment=comment, deadline=deadline))

    def post_to_thread(self, item_id: str, identity: Identity, *, message: str, answer: bool,
                       based_on: int | None, changes: Mapping[str, Any] | None) -> Result:
        """Answer the question (resubmits) or add a message to the open thread."""
        def step(item: dict, actor: d.Actor, now: datetime) -> Outcome:
            if answer:
                return d.answer_clarification(item, actor, based_on=item["revision"] if based_on is None else based_on,
                                              now=now, message=message, changes=changes)
            return d.post_message(item, actor, now=now, message=message, based_on=based_on)

        return self._item_command(item_id, identity, step)

    def share_item(self, item_id: str, based_on: int | None, identity: Identity) -> Result:
        """Publish a shared case from a submitted or approved item."""
        def run(tx: Tx) -> Result:
            item = self._load_item(tx, item_id, identity)
            case, outcome = d.share_case(item, actor_of(identity), case_id=new_id(),
                                         based_on=item["revision"] if based_on is None else based_on,
                                         now=self.clock())
            st.insert_case(tx.db, tx.session, case)
            st.save_item(tx.db, tx.session, outcome.doc, item["revision"])
            self._emit(tx, outcome)
            return Result(case, extra={"item": outcome.doc})

        return self.store.transact(run)

    # -- shared cases -----------------------------------------------------------------------------

    def get_case(self, case_id: str) -> dict:
        case = st.get_case(self.db, None, case_id)
        if case is None:
            raise not_found("Den delte erfaring", "The shared case")
        return case

    def copy_case(self, case_id: str, library_id: str, identity: Identity, *, into: str = "evidence") -> Result:
        """Copy a shared case into a new draft item, or as a goal into the library's action plan."""
        check_library(identity, library_id)
        actor = actor_of(identity)
        d.identity.require_staff_of(actor, library_id, "kopiere erfaringer", "copy shared cases")

        def run(tx: Tx) -> Result:
            case = st.get_case(tx.db, tx.session, case_id)
            if case is None:
                raise not_found("Den delte erfaring", "The shared case")
            now, name = self.clock(), st.library_name(tx.db, tx.session, library_id)
            if into == "plan":
                goal = {k: case.get(k) for k in ("dimension", "title", "sdgs", "targets")}
                plan = st.get_plan(tx.db, tx.session, library_id)
                if plan is None:
                    outcome = d.create_plan({"goals": [goal]}, actor, plan_id=new_id(), now=now, library_name=name)
                    st.save_plan(tx.db, tx.session, outcome.doc, 0)
                else:
                    outcome = d.edit_plan(plan, {"goals": [*plan.get("goals", []), goal]}, actor,
                                          based_on=plan["revision"], now=now)
                    st.save_plan(tx.db, tx.session, outcome.doc, plan["revision"])
                if outcome.problems:
                    raise d.InvalidEvidence(outcome.problems)
                return Result(outcome.doc)
            outcome = d.copy_case(case, actor, item_id=new_id(), now=now, library_name=name)
            st.save_item(tx.db, tx.session, outcome.doc, 0)
            return Result(outcome.doc, outcome.problems)

        return self.store.transact(run)

    # -- action plans -----------------------------------------------------------------------------

    def get_plan(self, library_id: str, identity: Identity) -> dict:
        check_library(identity, library_id)
        plan = st.get_plan(self.db, None, library_id)
        if plan is None:
            raise not_found("Handleplanen", "The action plan")
        return plan

    def put_plan(self, library_id: str, data: Mapping[str, Any], based_on: int | None, identity: Identity) -> Result:
        """Create the plan (first save) or apply valid changes to it, conditional on `based_on`."""
        check_library(identity, library_id)
        actor = actor_of(identity)

        def run(tx: Tx) -> Result:
            plan = st.get_plan(tx.db, tx.session, library_id)
            now = self.clock()
            if plan is None:
                if based_on not in (None, 0):
                    raise st._stale(based_on)
                outcome = d.create_plan(data, actor, plan_id=new_id(), now=now,
                                        library_name=st.library_name(tx.db, tx.session, library_id))
                st.save_plan(tx.db, tx.session, outcome.doc, 0)
                return Result(outcome.doc, outcome.problems)
            outcome = d.edit_plan(plan, data, actor, based_on=plan["revision"] if based_on is None else based_on,
                                  now=now)
            if outcome.doc["revision"] != plan["revision"]:
                st.save_plan(tx.db, tx.session, outcome.doc, plan["revision"])
            self._emit(tx, outcome)
            return Result(outcome.doc, outcome.problems)

        return self.store.transact(run)

    def _plan_command(self, library_id: str, identity: Identity,
                      step: Callable[[dict, d.Actor, datetime], Outcome]) -> Result:
        check_library(identity, library_id)

        def run(tx: Tx) -> Result:
            plan = st.get_plan(tx.db, tx.session, library_id)
            if plan is None:
                raise not_found("Handleplanen", "The action plan")
            outcome = step(plan, actor_of(identity), self.clock())
            st.save_plan(tx.db, tx.session, outcome.doc, plan["revision"])
            self._emit(tx, outcome)
            return Result(outcome.doc)

        return self.store.transact(run)

    def submit_plan(self, library_id: str, based_on: int | None, identity: Identity) -> Result:
        return self._plan_command(library_id, identity, lambda plan, actor, now: d.submit_plan(
            plan, actor, based_on=plan["revision"] if based_on is None else based_on, now=now))

    def review_plan(self, library_id: str, identity: Identity, *, decision: str, comment: str | None,
                    deadline: Any, based_on: int | None) -> Result:
        return self._plan_command(library_id, identity, lambda plan, actor, now: d.review_plan(
            plan, actor, based_on=plan["revision"] if based_on is None else based_on, now=now,
            decision=decision, comment=comment, deadline=deadline))

    def answer_plan(self, library_id: str, identity: Identity, *, message: str, based_on: int | None,
                    changes: Mapping[str, Any] | None) -> Result:
        return self._plan_command(library_id, identity, lambda plan, actor, now: d.answer_plan_clarification(
            plan, actor, based_on=plan["revision"] if based_on is None else based_on, now=now,
            message=message, changes=changes))

    # -- queries across libraries ----------------------------------------------------------------

    def review_queue(self, identity: Identity, page: int, per_page: int) -> tuple[list[dict], int, list[dict]]:
        if identity.role not in ("assessor", "administrator"):
            raise d.Forbidden("not_assessor", "Kun bedømmere ser køen.", "Only assessors see the review queue.")
        items, total = st.submitted_items(self.db, page=page, per_page=per_page)
        return items, total, st.submitted_plans(self.db)

    def search_cases(self, **query: Any) -> tuple[list[dict], int]:
        return st.search_cases(self.db, **query)

    def public_items(self, library_id: str) -> tuple[list[dict], str | None]:
        return st.public_items(self.db, library_id), st.library_name(self.db, None, library_id)

    def export(self, library_id: str, identity: Identity) -> tuple[list[dict], dict | None, str | None]:
        check_library(identity, library_id)
        return (st.all_items(self.db, library_id), st.get_plan(self.db, None, library_id),
                st.library_name(self.db, None, library_id))


# -- events consumed ------------------------------------------------------------------------------


def on_person_erased(store: ServiceStore, event: Event, settings: Settings) -> None:
    """Replace an erased person's name and e-mail wherever items and plans record them."""
    person_id = event.payload["person_id"]

    def run(tx: Tx) -> int:
        changed = 0
        for collection, doc in list(st.documents_naming(tx.db, tx.session, person_id)):
            new, did_change = d.erase_person(doc, person_id)
            if did_change:
                st.replace_document(tx.db, tx.session, collection, new)
                changed += 1
        return changed

    store.transact(run, inbox=(CONSUMER, event.id))


def on_library_named(store: ServiceStore, event: Event, settings: Settings) -> None:
    """Keep the library names shown on items and carried by events (newest version wins)."""
    p = event.payload
    store.transact(lambda tx: st.upsert_library(tx.db, tx.session, p["library_id"], p["name"], p["version"]),
                   inbox=(CONSUMER, event.id))


EVENT_HANDLERS: dict[str, Callable[[ServiceStore, Event, Settings], None]] = {
    "person.erased": on_person_erased,
    "library.registered": on_library_named,
    "library.updated": on_library_named,
}
