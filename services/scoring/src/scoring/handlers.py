"""The scoring handlers: one function per command and per consumed event, each loading through the
unit of work, letting the domain decide, saving and emitting in one commit (with the inbox mark
for an event). COMMAND_HANDLERS and EVENT_HANDLERS are the one table the bus dispatches by.

Every re-score goes through `_rescore` (one library, its items counted) or `_rescore_outdated`
(many libraries in batches, from the counts kept with their scores where those still hold).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scoring.domain import (
    Library,
    LibraryNotFound,
    Model,
    ModelNotEditable,
    ModelNotFound,
    Projection,
    Requirement,
    adjust,
    apply,
    award,
    complete_checkin,
    new_draft,
    new_library,
    publish,
    renew,
    revoke,
    tick,
    validate_model,
)
from scoring.domain.certificate import CertificateState
from scoring.domain.commands import (
    AdjustRequirement,
    AwardCertificate,
    CompleteCheckIn,
    CreateModelDraft,
    PublishModel,
    RenewCertificate,
    RescoreOutdated,
    RevokeCertificate,
    TickCertificates,
    UpdateModelDraft,
)
from scoring.domain.emit import Emit
from scoring.domain.evidence import EVENT_TYPES as EVIDENCE_EVENT_TYPES
from scoring.domain.library import (
    enrolled,
    enrolment_ended,
    registered,
    rescored,
    rescored_from_items,
    stored_counts,
    with_evidence,
)
from scoring.domain.model import DRAFT
from shared.events import Event
from shared.uow import UnitOfWork, Work

if TYPE_CHECKING:  # the repositories' type only; handlers and views get them from the unit of work
    from scoring.store import Repositories

Clock = Callable[[], datetime]
# The inbox marks of this service's consumer.
CONSUMER = "scoring"
# Libraries re-scored per transaction when many are.
BATCH_SIZE = 200


# -- helpers shared by the handlers ---------------------------------------------------------------


def _existing(work: Work[Repositories], library_id: str) -> Library:
    library = work.repos.libraries.get(library_id)
    if library is None:
        raise LibraryNotFound(library_id)
    return library


def _emit(work: Work[Repositories], events: list[Emit]) -> None:
    for e in events:
        work.emit(e.type, e.payload)


def _rescore(work: Work[Repositories], library: Library, now: datetime,
             projection: Projection | None = None) -> Library:
    """Count the library's items, score it, save it and emit what changed."""
    model = work.repos.current_model()
    projection = projection if projection is not None else work.repos.evidence.get(library.library_id)
    library, events = rescored_from_items(library, model, projection.items(), now)
    library = with_evidence(library, projection)
    work.repos.libraries.save(library)
    _emit(work, events)
    return library


# -- consumed events -------------------------------------------------------------------------------


def _library_event(work: Work[Repositories], event: Event, now: datetime) -> None:
    """library.registered / activated / updated / withdrawn: keep the newest snapshot, re-score."""
    library_id = event.payload["library_id"]
    library = work.repos.libraries.get(library_id) or new_library(library_id, now)
    updated = registered(library, event.type, event.payload)
    if updated is not None:  # None: an older snapshot than the one held (order guard)
        _rescore(work, updated, now)


def _enrolment_started(work: Work[Repositories], event: Event, now: datetime) -> None:
    library_id = event.payload["library_id"]
    library = work.repos.libraries.get(library_id) or new_library(library_id, now)
    updated = enrolled(library, event.payload)
    if updated is not None:
        _rescore(work, updated, now)


def _enrolment_withdrawn(work: Work[Repositories], event: Event, now: datetime) -> None:
    library_id = event.payload["library_id"]
    library = work.repos.libraries.get(library_id) or new_library(library_id, now)
    _rescore(work, enrolment_ended(library, event.payload), now)


def _cohort_event(work: Work[Repositories], event: Event, now: datetime) -> None:
    """cohort.created / cohort.updated: keep the newest name for the figures (nothing to re-score)."""
    work.repos.cohorts.save_if_newer(event.payload)


def _evidence_event(work: Work[Repositories], event: Event, now: datetime) -> None:
    """evidence.*, action_plan.*, case.shared: fold into the projection; re-score if it moved."""
    library_id = event.payload["library_id"]
    before = work.repos.evidence.get(library_id)
    after = apply(before, event)
    if after == before:
        return  # a duplicate or an older revision: nothing to score
    work.repos.evidence.save(after)
    _rescore(work, work.repos.libraries.get(library_id) or new_library(library_id, now), now, after)


_IN_WORK: dict[str, Callable[[Work[Repositories], Event, datetime], None]] = {
    "library.registered": _library_event,
    "library.activated": _library_event,
    "library.updated": _library_event,
    "library.withdrawn": _library_event,
    "enrolment.started": _enrolment_started,
    "enrolment.withdrawn": _enrolment_withdrawn,
    "cohort.created": _cohort_event,
    "cohort.updated": _cohort_event,
    **{t: _evidence_event for t in sorted(EVIDENCE_EVENT_TYPES)},
}


def handle_event(event: Event, uow: UnitOfWork[Repositories], clock: Clock) -> None:
    """Apply one consumed event, re-score and mark it in the inbox, in one commit."""
    now = clock()
    uow.run(lambda work: _IN_WORK[event.type](work, event, now), inbox=(CONSUMER, event.id))


def handle_batch(events: list[Event], uow: UnitOfWork[Repositories], clock: Clock) -> None:
    """The events already waiting, in one commit marking each in the inbox.

    Evidence events are folded into their library's projection in order and each library is
    scored once, at the end (or before another event about it, which scores it itself): under
    load a library's burst of evidence costs one read, one score and one write. If any event was
    processed already the commit fails and the consumer handles them one by one.
    """
    now = clock()

    def work(w: Work[Repositories]) -> None:
        folded: dict[str, tuple[Projection, Projection]] = {}

        def settle(library_id: str | None = None) -> None:
            for lid in [library_id] if library_id is not None else list(folded):
                if lid in folded:
                    before, after = folded.pop(lid)
                    if after != before:
                        w.repos.evidence.save(after)
                        _rescore(w, w.repos.libraries.get(lid) or new_library(lid, now), now, after)

        for event in events:
            if event.type in EVIDENCE_EVENT_TYPES:
                lid = event.payload["library_id"]
                if lid not in folded:
                    current = w.repos.evidence.get(lid)
                    folded[lid] = (current, current)
                before, after = folded[lid]
                folded[lid] = (before, apply(after, event))
            else:
                settle(event.payload.get("library_id"))
                _IN_WORK[event.type](w, event, now)
        settle()

    uow.run(work, inbox=[(CONSUMER, e.id) for e in events])


# -- requirement profiles --------------------------------------------------------------------------


def adjust_requirement(cmd: AdjustRequirement, uow: UnitOfWork[Repositories], clock: Clock) -> tuple[Library, Model]:
    """Record an assessor's adjustment (kept forever) and re-score the library."""
    now = clock()

    def work(w: Work[Repositories]) -> tuple[Library, Model]:
        library = _existing(w, cmd.library_id)
        model = w.repos.current_model()
        profile = adjust(library.profile, model, cmd.requirement_id, cmd.target, reason=cmd.reason, author=cmd.by,
                         at=now.isoformat())
        return _rescore(w, replace(library, profile=profile), now), model

    return uow.run(work)


# -- certificates ----------------------------------------------------------------------------------


def _decide(uow: UnitOfWork[Repositories], library_id: str,
            decision: Callable[[Work[Repositories], Library], tuple[CertificateState, list[Emit]]]) -> Library:
    def work(w: Work[Repositories]) -> Library:
        library = _existing(w, library_id)
        state, events = decision(w, library)
        library = replace(library, certificate=state)
        w.repos.libraries.save(library)
        _emit(w, events)
        return library

    return uow.run(work)


def award_certificate(cmd: AwardCertificate, uow: UnitOfWork[Repositories], clock: Clock) -> Library:
    """Certify a library ready for review whose every requirement is met by approved evidence."""
    now = clock()
    return _decide(uow, cmd.library_id, lambda w, lib: award(
        lib.certificate, w.repos.score_now(lib, w.repos.current_model(), now), awarded_by=cmd.by, now=now))


def renew_certificate(cmd: RenewCertificate, uow: UnitOfWork[Repositories], clock: Clock) -> Library:
    """Renew for 3 years, with an action plan approved after the certificate's cycle began."""
    now = clock()
    return _decide(uow, cmd.library_id, lambda w, lib: renew(
        lib.certificate, renewed_by=cmd.by, now=now, action_plan_approved_at=lib.plan_approved_at))


def revoke_certificate(cmd: RevokeCertificate, uow: UnitOfWork[Repositories], clock: Clock) -> Library:
    now = clock()
    return _decide(uow, cmd.library_id, lambda w, lib: revoke(
        lib.certificate, revoked_by=cmd.by, reason=cmd.reason, now=now))


def complete_check_in(cmd: CompleteCheckIn, uow: UnitOfWork[Repositories], clock: Clock) -> Library:
    now = clock()
    return _decide(uow, cmd.library_id, lambda w, lib: complete_checkin(lib.certificate, by=cmd.by, now=now))


# -- model versions --------------------------------------------------------------------------------


def _model(work: Work[Repositories], version: int) -> Model:
    model = work.repos.models.get(version)
    if model is None:
        raise ModelNotFound(version)
    return model


def create_model_draft(cmd: CreateModelDraft, uow: UnitOfWork[Repositories], clock: Clock) -> tuple[Model, bool]:
    """A new draft from the current model, or the open draft (then True: it existed)."""
    now = clock()

    def work(w: Work[Repositories]) -> tuple[Model, bool]:
        existing = w.repos.models.open_draft()
        if existing is not None:
            return existing, True
        base = w.repos.current_model()
        draft = new_draft(base, w.repos.models.latest_version() + 1, by=cmd.by, at=now.isoformat())
        w.repos.models.add(draft)
        return draft, False

    return uow.run(work)


def update_model_draft(cmd: UpdateModelDraft, uow: UnitOfWork[Repositories], clock: Clock) -> Model:
    """Replace a draft's requirements; a model that cannot be scored is refused with every reason."""
    now = clock()

    def work(w: Work[Repositories]) -> Model:
        draft = _model(w, cmd.version)
        if draft.status != DRAFT:
            raise ModelNotEditable(
                f"Model version {cmd.version} er udgivet og kan ikke ændres",
                f"Model version {cmd.version} is published and cannot be changed", "version",
            )
        candidate = replace(draft, requirements=tuple(Requirement.from_dict(r) for r in cmd.requirements),
                            updated_by=cmd.by, updated_at=now.isoformat())
        validate_model(candidate)
        w.repos.models.save(candidate)
        return candidate

    return uow.run(work)


def publish_model(cmd: PublishModel, uow: UnitOfWork[Repositories], clock: Clock) -> dict[str, Any]:
    """Publish a draft (model.published with its changes), then re-score every library under it."""
    now = clock()

    def work(w: Work[Repositories]) -> dict[str, Any]:
        draft = _model(w, cmd.version)
        published, event = publish(draft, previous=w.repos.models.current(), published_by=cmd.by, now=now)
        w.repos.models.save(published)
        w.emit(event.type, event.payload)
        return event.payload

    payload = uow.run(work)
    totals = _rescore_outdated(uow, now, BATCH_SIZE)
    return {"version": cmd.version, "changes": payload["changes"], "rescored": totals["libraries"],
            "changed": totals["changed"]}


# -- the scheduler's work --------------------------------------------------------------------------


def tick_certificates(cmd: TickCertificates, uow: UnitOfWork[Repositories], clock: Clock) -> dict[str, int]:
    """Send the check-in reminders and lapse the certificates whose day has come, each once."""
    now = clock()
    due = uow.repos.libraries.due_for_tick(now.date().isoformat())

    sent = 0
    for library_id in due:
        def work(w: Work[Repositories], library_id: str = library_id) -> int:
            library = w.repos.libraries.get(library_id)
            if library is None:
                return 0
            state, events = tick(library.certificate, now)
            if state == library.certificate:
                return 0
            w.repos.libraries.save(replace(library, certificate=state))
            _emit(w, events)
            return len(events)

        sent += uow.run(work)
    return {"certificates": len(due), "events": sent}


def rescore_outdated(cmd: RescoreOutdated, uow: UnitOfWork[Repositories], clock: Clock) -> dict[str, int]:
    """Re-score the libraries whose score is of an older model version (a publication that did not
    finish) or of an earlier day (date windows move)."""
    return _rescore_outdated(uow, clock(), cmd.batch_size)


def _rescore_outdated(uow: UnitOfWork[Repositories], now: datetime, batch_size: int) -> dict[str, int]:
    """Re-score the outdated libraries `batch_size` per commit.

    Their ids are listed first; each batch then reads its span of libraries (still outdated) and,
    only if some must be counted again, their evidence, with one range query each, scores them in
    memory and writes the changed fields with one bulk write, with the batch's events.
    """
    today = now.date().isoformat()
    ids = uow.repos.libraries.outdated_ids(uow.repos.current_model().version, today)
    totals = {"libraries": 0, "changed": 0}
    for start in range(0, len(ids), batch_size):
        first, last = ids[start], ids[min(start + batch_size, len(ids)) - 1]

        def work(w: Work[Repositories], first: str = first, last: str = last) -> tuple[int, int]:
            model = w.repos.current_model()
            libraries = w.repos.libraries.outdated_between(model.version, today, first, last)
            # A version that changes only targets, weights or texts is scored from the counts kept
            # with each score; the evidence is read only when it must be counted again.
            counts = {lib.library_id: stored_counts(lib, model, now) for lib in libraries}
            projections = w.repos.evidence.between(first, last) if None in counts.values() else {}
            scored, changed = [], 0
            for library in libraries:
                known = counts[library.library_id]
                if known is not None:
                    new, events = rescored(library, model, known, now)
                else:
                    projection = projections.get(library.library_id) or Projection(library.library_id)
                    new, events = rescored_from_items(library, model, projection.items(), now)
                    new = with_evidence(new, projection)
                scored.append(new)
                _emit(w, events)
                changed += any(e.type == "score.changed" for e in events)
            w.repos.libraries.save_all(scored)
            return len(libraries), changed

        n, changed = uow.run(work)
        totals["libraries"] += n
        totals["changed"] += changed
    return totals


COMMAND_HANDLERS: dict[type, Callable[..., Any]] = {
    AdjustRequirement: adjust_requirement,
    AwardCertificate: award_certificate,
    RenewCertificate: renew_certificate,
    RevokeCertificate: revoke_certificate,
    CompleteCheckIn: complete_check_in,
    CreateModelDraft: create_model_draft,
    UpdateModelDraft: update_model_draft,
    PublishModel: publish_model,
    TickCertificates: tick_certificates,
    RescoreOutdated: rescore_outdated,
}
EVENT_HANDLERS: dict[str, Callable[..., Any]] = dict.fromkeys(_IN_WORK, handle_event)
