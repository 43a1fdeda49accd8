"""The handlers through the bus on in-memory repositories (FakeUnitOfWork): what each consumed
event and each command changes, read back through the views, and what it emits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from scoring_events import case_shared, evidence_payload, full_evidence, library, plan_approved, snapshot

from scoring import views
from scoring.domain import MODEL_V1, InvalidModel, InvalidTransition, LibraryNotFound, ModelNotEditable
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
from shared.events import new_event
from shared.mongo import AlreadyProcessed

pytestmark = pytest.mark.unit


def deliver(bus, type_, payload, at=None):
    event = new_event(type_, payload, producer="upstream", now=at)
    bus.handle_event(event)
    return event


def ready_library(bus, library_id="lib-1", status="approved"):
    deliver(bus, "library.registered", library(library_id))
    for snap in full_evidence(library_id, status=status):
        deliver(bus, *evidence_payload(snap))
    deliver(bus, "case.shared", case_shared(library_id))
    deliver(bus, "action_plan.approved", plan_approved(library_id))


def scores(uow, library_id):
    return [e.payload for e in uow.emitted("score.changed") if e.payload["library_id"] == library_id]


def test_a_registered_library_is_scored_at_zero_and_told_what_is_missing(bus, uow, clock):
    deliver(bus, "library.registered", library("lib-1"))
    [first] = scores(uow, "lib-1")
    assert (first["provisional"], first["status"]) == (0, "not_started")
    body = views.progress("lib-1", "en", "coordinator", uow, clock())
    assert body["overall"]["provisional"] == 0 and body["missing"]
    assert body["actions"] == [] and all(r["actions"] == [] for r in body["requirements"])


def test_evidence_moves_the_score_and_a_redelivered_event_changes_nothing(bus, uow, clock):
    deliver(bus, "library.registered", library("lib-1"))
    event = deliver(bus, *evidence_payload(snapshot("lib-1", "communication", "formidling", sdgs=[4, 13])))
    assert scores(uow, "lib-1")[-1]["sdgs"] == [4, 13]
    with pytest.raises(AlreadyProcessed):
        bus.handle_event(event)
    assert len(scores(uow, "lib-1")) == 2
    assert views.progress("lib-1", "da", "assessor", uow, clock())["sdgs"]["provisional"] == [4, 13]


def test_an_older_registration_snapshot_does_not_overwrite_a_newer_one(bus, uow):
    deliver(bus, "library.updated", {**library("lib-1", name="Nyt navn", version=3), "changed_fields": ["name"]})
    deliver(bus, "library.registered", library("lib-1", name="Gammelt navn", version=1))
    assert uow.repos.libraries.get("lib-1").name == "Nyt navn"


def test_a_withdrawn_enrolment_that_overtook_its_start_keeps_the_library_out_of_the_cohort(bus, uow):
    deliver(bus, "library.registered", library("lib-1"))
    enrolment = {"enrolment_id": "e1", "version": 1, "library_id": "lib-1", "library_name": "Roskilde Bibliotek",
                 "municipality": "Roskilde", "cohort_id": "k1", "cohort_name": "Forløb", "start_year": 2026,
                 "end_year": None, "started_at": "2026-02-01T10:00:00+00:00"}
    deliver(bus, "enrolment.withdrawn", {**{k: enrolment[k] for k in ("enrolment_id", "version", "library_id",
                                                                       "cohort_id", "cohort_name")},
                                         "withdrawn_at": "2026-03-01T10:00:00+00:00", "reason": "withdrawn"})
    deliver(bus, "enrolment.started", enrolment)
    assert uow.repos.libraries.get("lib-1").cohort_id is None


def test_a_library_meeting_every_requirement_is_announced_ready_once_and_queued(bus, uow, clock):
    ready_library(bus)
    deliver(bus, *evidence_payload(snapshot("lib-1", "activity", "formidling", status="approved", sdgs=[1])))
    assert len(uow.emitted("library.ready_for_review")) == 1
    queue = views.review_queue(uow)
    assert [q["library_id"] for q in queue] == ["lib-1"] and queue[0]["ready_since"] == clock().isoformat()


def test_an_assessor_may_award_only_once_every_requirement_is_verified(bus, uow, clock):
    ready_library(bus, status="submitted")
    assert views.certificate("lib-1", "assessor", uow, clock())["actions"] == []
    with pytest.raises(InvalidTransition):
        bus.handle(AwardCertificate("lib-1", "p-assessor"))
    for snap in full_evidence("lib-1", status="approved"):  # new items, approved
        deliver(bus, *evidence_payload(snap))
    assert views.certificate("lib-1", "assessor", uow, clock())["actions"] == ["award"]
    assert views.certificate("lib-1", "coordinator", uow, clock())["actions"] == []
    library_after = bus.handle(AwardCertificate("lib-1", "p-assessor"))
    [awarded] = uow.emitted("certificate.awarded")
    assert awarded.payload["certificate_id"] == library_after.certificate.certificate_id
    public = views.public_certificate(awarded.payload["certificate_id"], uow, clock())
    assert (public["status"], public["library_name"]) == ("valid", "Roskilde Bibliotek")
    assert views.progress("lib-1", "da", "assessor", uow, clock())["actions"] == ["revoke"]


def awarded(bus, uow):
    ready_library(bus)
    return bus.handle(AwardCertificate("lib-1", "p-assessor")).certificate


def on(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


def test_the_scheduler_sends_a_checkin_reminder_once_and_lapses_an_overdue_certificate(bus, uow, clock):
    cert = awarded(bus, uow)
    anniversary = date.fromisoformat(cert.cycle_start).replace(year=date.fromisoformat(cert.cycle_start).year + 1)
    clock.set(on(anniversary - timedelta(days=61)))
    assert bus.handle(TickCertificates()) == {"certificates": 0, "events": 0}  # not due yet: not even looked at
    clock.set(on(anniversary - timedelta(days=59)))
    for _ in range(3):
        bus.handle(TickCertificates())
    [due] = uow.emitted("certificate.checkin_due")
    assert (due.payload["days_before"], due.payload["due_on"]) == (60, anniversary.isoformat())
    assert views.certificate("lib-1", "assessor", uow, clock())["actions"] == ["check_in", "revoke"]
    clock.set(on(anniversary + timedelta(days=31)))
    bus.handle(TickCertificates())
    bus.handle(TickCertificates())
    assert len(uow.emitted("certificate.lapsed")) == 1
    assert len(uow.emitted("certificate.checkin_due")) == 1  # the 14-day reminder was skipped as late
    assert views.public_certificate(cert.certificate_id, uow, clock())["status"] == "lapsed"
    assert views.directory(None, uow, clock()) == []


def test_an_annual_checkin_keeps_the_certificate_and_revoking_needs_a_reason(bus, uow, clock):
    cert = awarded(bus, uow)
    anniversary = date.fromisoformat(cert.cycle_start).replace(year=date.fromisoformat(cert.cycle_start).year + 1)
    clock.set(on(anniversary - timedelta(days=10)))
    assert bus.handle(CompleteCheckIn("lib-1", "p-assessor")).certificate.checkins_done == (1,)
    with pytest.raises(InvalidTransition):
        bus.handle(RevokeCertificate("lib-1", "p-assessor", " "))
    bus.handle(RevokeCertificate("lib-1", "p-assessor", "Snyd"))
    assert views.public_certificate(cert.certificate_id, uow, clock())["status"] == "revoked"
    assert views.certificate("lib-1", "assessor", uow, clock())["actions"] == []


def test_a_lapsed_certificate_is_renewed_only_with_an_action_plan_approved_since(bus, uow, clock):
    cert = awarded(bus, uow)
    start = date.fromisoformat(cert.cycle_start)
    clock.set(on(start.replace(year=start.year + 1) + timedelta(days=40)))
    bus.handle(TickCertificates())
    assert views.certificate("lib-1", "assessor", uow, clock())["actions"] == ["revoke"]
    with pytest.raises(InvalidTransition):
        bus.handle(RenewCertificate("lib-1", "p-assessor"))
    deliver(bus, "action_plan.approved", plan_approved("lib-1", "plan-2"), at=clock())
    assert views.certificate("lib-1", "assessor", uow, clock())["actions"] == ["renew", "revoke"]
    renewed = bus.handle(RenewCertificate("lib-1", "p-assessor")).certificate
    assert (renewed.status, renewed.cycle) == ("certified", 2)


def test_an_adjustment_is_kept_with_its_reason_and_changes_the_target(bus, uow):
    deliver(bus, "library.registered", library("lib-small", staff_count=6))
    for target, reason in ((1, "Lille filial"), (2, "Ny aftale")):
        bus.handle(AdjustRequirement("lib-small", "C1", target, reason, "p-assessor"))
    c1 = next(r for r in views.requirements("lib-small", "assessor", uow)["requirements"] if r["id"] == "C1")
    assert (c1["target"], c1["source"], c1["actions"]) == (2, "adjusted", ["adjust"])
    assert [(a["target"], a["reason"]) for a in c1["adjustments"]] == [(1, "Lille filial"), (2, "Ny aftale")]
    assert next(r for r in scores(uow, "lib-small")[-1]["requirements"] if r["id"] == "C1")["target"] == 2


def test_a_command_about_an_unknown_library_is_refused(bus):
    with pytest.raises(LibraryNotFound):
        bus.handle(AdjustRequirement("nope", "C1", 1, "x", "p-assessor"))


def test_a_draft_is_edited_previewed_and_published_and_every_library_rescored(bus, uow, clock):
    for lib_id in ("lib-1", "lib-2"):
        deliver(bus, "library.registered", library(lib_id))
    draft, existed = bus.handle(CreateModelDraft("p-admin"))
    assert (draft.version, draft.based_on, existed) == (2, 1, False)
    assert bus.handle(CreateModelDraft("p-admin"))[1] is True  # the open draft
    assert views.model(2, "administrator", uow)["actions"] == ["edit", "preview", "publish"]
    reqs = [r.to_dict() for r in MODEL_V1.requirements]
    with pytest.raises(InvalidModel):
        bus.handle(UpdateModelDraft(2, tuple(r for r in reqs if r["dimension"] != "drift"), "p-admin"))
    easier = tuple({**r, "target": 3} if r["id"] == "F2" else r for r in reqs)
    bus.handle(UpdateModelDraft(2, easier, "p-admin"))
    assert views.preview_model(2, uow, clock())["changes"] == [
        {"requirement_id": "F2", "field": "target", "old": 5, "new": 3}]
    result = bus.handle(PublishModel(2, "p-admin"))
    assert (result["rescored"], result["changed"]) == (2, 2)
    assert uow.emitted("model.published")[0].payload["changes"][0]["requirement_id"] == "F2"
    assert {s["model_version"] for lid in ("lib-1", "lib-2") for s in scores(uow, lid)[-1:]} == {2}
    assert views.model(2, "administrator", uow)["actions"] == []
    with pytest.raises(ModelNotEditable):
        bus.handle(UpdateModelDraft(2, easier, "p-admin"))


def test_the_daily_rescore_and_an_interrupted_publication_are_finished_by_rescoring_outdated_scores(bus, uow, clock):
    for lib_id in ("lib-1", "lib-2"):
        deliver(bus, "library.registered", library(lib_id))
    assert bus.handle(RescoreOutdated()) == {"libraries": 0, "changed": 0}  # scored today, current model
    # A publication whose re-scoring stopped before the libraries: the model is published, the scores are not.
    uow.repos.models.save(replace(MODEL_V1, version=2))
    assert bus.handle(RescoreOutdated())["libraries"] == 2
    assert {uow.repos.libraries.get(lid).score.model_version for lid in ("lib-1", "lib-2")} == {2}
    clock.advance(days=1)
    assert bus.handle(RescoreOutdated())["libraries"] == 2  # date windows move: counted again
    assert bus.handle(RescoreOutdated())["libraries"] == 0
