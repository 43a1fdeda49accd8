"""Certificates over time, model versions, profiles and tenancy, on the real app and store (events
applied through the service's bus; what is emitted observed on the wire)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from scoring_events import (
    case_shared,
    evidence_payload,
    full_evidence,
    headers,
    library,
    plan_approved,
    snapshot,
)

from scoring import scheduler, store
from scoring.domain import MODEL_V1, score
from scoring.domain.commands import CreateModelDraft, PublishModel, UpdateModelDraft
from shared.events import new_event

pytestmark = [pytest.mark.integration, pytest.mark.wire(
    "certificate.checkin_due", "certificate.lapsed", "certificate.revoked", "model.published", "score.changed",
)]


def deliver(app, settings, type_, payload):
    evt = new_event(type_, payload, producer="upstream")
    app.extensions["scoring"].bus.handle_event(evt)
    return evt


def at(day):
    return datetime.combine(day, datetime.min.time(), UTC)


def certified_library(app, settings, library_id="lib-c"):
    deliver(app, settings, "library.registered", library(library_id))
    for snap in full_evidence(library_id):
        deliver(app, settings, *evidence_payload(snap))
    deliver(app, settings, "case.shared", case_shared(library_id))
    deliver(app, settings, "action_plan.approved", plan_approved(library_id))
    res = app.test_client().post(f"/libraries/{library_id}/certification", json={"decision": "award"},
                                 headers=headers(settings, "assessor"))
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def test_the_scheduler_sends_a_checkin_reminder_once_and_lapses_an_overdue_certificate(app, service, clock,
                                                                                    scoring_settings, wire):
    cert = certified_library(app, scoring_settings)
    anniversary = date.fromisoformat(cert["valid_until"]).replace(year=date.today().year + 1)
    client = app.test_client()
    clock.set(at(anniversary - timedelta(days=59)))
    for _ in range(3):
        scheduler.run_once(service)
    due = wire.wait_for("certificate.checkin_due")[0]["payload"]
    assert (due["days_before"], due["due_on"]) == (60, anniversary.isoformat())
    anon = headers(scoring_settings, "anonymous")
    assert client.get(f"/public/certificates/{cert['certificate_id']}", headers=anon).get_json()["status"] == \
        "checkin_due"

    clock.set(at(anniversary + timedelta(days=31)))
    assert scheduler.run_once(service)["events"] == 1
    assert scheduler.run_once(service)["events"] == 0
    wire.wait_for("certificate.lapsed")
    time.sleep(1.0)
    assert len(wire.of_type("certificate.checkin_due")) == 1
    assert len(wire.of_type("certificate.lapsed")) == 1
    assert client.get(f"/public/certificates/{cert['certificate_id']}", headers=anon).get_json()["status"] == "lapsed"
    assert client.get("/public/libraries", headers=anon).get_json()["libraries"] == []


def test_an_annual_checkin_keeps_the_certificate_valid_and_revoking_ends_it(app, clock, scoring_settings, wire):
    cert = certified_library(app, scoring_settings)
    anniversary = date.fromisoformat(cert["valid_until"]).replace(year=date.today().year + 1)
    client, assessor = app.test_client(), headers(scoring_settings, "assessor")
    clock.set(at(anniversary - timedelta(days=10)))
    assert client.get("/libraries/lib-c/certificate", headers=assessor).get_json()["actions"] == ["check_in", "revoke"]
    res = client.post("/libraries/lib-c/certification", json={"decision": "check_in"}, headers=assessor)
    assert (res.status_code, res.get_json()["status"], res.get_json()["actions"]) == (200, "certified", ["revoke"])
    no_reason = client.post("/libraries/lib-c/certification", json={"decision": "revoke"}, headers=assessor)
    assert no_reason.status_code == 422 and no_reason.mimetype == "application/problem+json"
    res = client.post("/libraries/lib-c/certification", json={"decision": "revoke", "reason": "Snyd"},
                      headers=assessor)
    assert res.status_code == 200
    wire.wait_for("certificate.revoked")
    public = client.get(f"/public/certificates/{cert['certificate_id']}", headers=headers(scoring_settings, "anonymous"))
    assert public.get_json()["status"] == "revoked"


def test_a_certification_request_without_a_decision_is_refused_naming_the_field(app, scoring_settings, service):
    deliver(app, scoring_settings, "library.registered", library("lib-d"))
    client, assessor = app.test_client(), headers(scoring_settings, "assessor")
    for body in ({}, {"reason": "Godt arbejde"}, {"decision": None}):
        res = client.post("/libraries/lib-d/certification", json=body, headers=assessor)
        assert (res.status_code, res.mimetype, res.get_json()["field"]) == (422, "application/problem+json",
                                                                            "decision")
    assert client.get("/libraries/lib-d/certificate", headers=assessor).get_json()["history"] == \
        service.uow.repos.libraries.get("lib-d").certificate.to_dict()["history"]
    assert client.get("/libraries/lib-d/certificate", headers=assessor).get_json()["certificate_id"] is None


def test_award_is_refused_while_evidence_is_only_submitted(app, scoring_settings):
    deliver(app, scoring_settings, "library.registered", library("lib-s"))
    for snap in full_evidence("lib-s", status="submitted"):
        deliver(app, scoring_settings, *evidence_payload(snap))
    deliver(app, scoring_settings, "case.shared", case_shared("lib-s"))
    deliver(app, scoring_settings, "action_plan.approved", plan_approved("lib-s"))
    res = app.test_client().post("/libraries/lib-s/certification", json={"decision": "award"},
                                 headers=headers(scoring_settings, "assessor"))
    assert res.status_code == 409
    assert res.get_json()["detail_en"].startswith("Every requirement must be met by approved evidence")


def test_publishing_a_model_version_rescores_every_library(app, service, scoring_settings, wire):
    db = service.runtime.open_store().db
    for lib_id in ("lib-1", "lib-2"):
        deliver(app, scoring_settings, "library.registered", library(lib_id))
    for sdgs in ([4], [5], [13]):
        deliver(app, scoring_settings, *evidence_payload(snapshot("lib-1", "communication", "formidling",
                                                                   sdgs=sdgs)))
    client, admin = app.test_client(), headers(scoring_settings, "administrator")
    draft = client.post("/models", headers=admin)
    assert draft.status_code == 201 and draft.get_json()["version"] == 2
    assert draft.get_json()["actions"] == ["edit", "preview", "publish"]
    reqs = [r.to_dict() for r in MODEL_V1.requirements]
    bad = [{**r, "target": -1} if r["id"] == "F2" else r for r in reqs]
    refused = client.put("/models/2", json={"requirements": bad}, headers=admin)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["field"] == "requirements.5.target"
    fractional = [{**r, "target": 2.5} if r["id"] == "F2" else r for r in reqs]
    refused = client.put("/models/2", json={"requirements": fractional}, headers=admin)
    assert refused.status_code == 422 and "F2" in refused.get_json()["detail"]
    no_drift = client.put("/models/2", json={"requirements": [r for r in reqs if r["dimension"] != "drift"]},
                          headers=admin)
    assert no_drift.status_code == 422 and "drift" in no_drift.get_json()["detail_en"]

    easier = [{**r, "target": 3} if r["id"] == "F2" else r for r in reqs]
    assert client.put("/models/2", json={"requirements": easier}, headers=admin).status_code == 200
    assert client.get("/models/2/preview", headers=admin).get_json()["changes"] == [
        {"requirement_id": "F2", "field": "target", "old": 5, "new": 3}]
    published = client.post("/models/2/publish", headers=admin)
    assert published.status_code == 200 and published.get_json()["rescored"] == 2
    event = wire.wait_for("model.published")[0]["payload"]
    assert event["version"] == 2 and event["changes"][0]["requirement_id"] == "F2"
    # Both payloads changed (F2's target is in them); waiting for one only raced with the second.
    rescored = wire.wait_for("score.changed", lambda e: e["payload"]["model_version"] == 2, count=2)
    assert sorted(e["payload"]["library_id"] for e in rescored) == ["lib-1", "lib-2"]
    assert {r["target"] for e in rescored for r in e["payload"]["requirements"] if r["id"] == "F2"} == {3}
    assert {d["score"]["model_version"] for d in db[store.LIBRARIES].find()} == {2}
    f2 = next(r for r in client.get("/libraries/lib-1/progress", headers=admin).get_json()["requirements"]
              if r["id"] == "F2")
    assert (f2["achieved"], f2["target"], f2["progress"]) == (3, 3, 1)
    assert client.put("/models/2", json={"requirements": easier}, headers=admin).status_code == 409
    assert client.get("/models/2", headers=admin).get_json()["actions"] == []


def test_assessor_adjustments_are_kept_with_their_reason_and_change_the_target(app, scoring_settings, wire):
    deliver(app, scoring_settings, "library.registered", library("lib-small", staff_count=6))
    client = app.test_client()
    assessor = headers(scoring_settings, "assessor", person_id="p-assessor")
    profile = client.get("/libraries/lib-small/requirements", headers=assessor).get_json()
    c1 = next(r for r in profile["requirements"] if r["id"] == "C1")
    assert (c1["model_target"], c1["target"], c1["source"]) == (3, 2, "scaled")  # a small library
    for target, reason in ((1, "Lille filial"), (2, "Ny aftale")):
        res = client.post("/libraries/lib-small/requirements/C1/adjustments",
                          json={"target": target, "reason": reason}, headers=assessor)
        assert res.status_code == 201
    c1 = next(r for r in client.get("/libraries/lib-small/requirements", headers=assessor).get_json()["requirements"]
              if r["id"] == "C1")
    assert (c1["target"], c1["source"], c1["actions"]) == (2, "adjusted", ["adjust"])
    assert [(a["target"], a["reason"], a["author"]) for a in c1["adjustments"]] == [
        (1, "Lille filial", "p-assessor"), (2, "Ny aftale", "p-assessor")]
    no_reason = client.post("/libraries/lib-small/requirements/C1/adjustments", json={"target": 1, "reason": " "},
                            headers=assessor)
    assert no_reason.status_code == 422 and no_reason.get_json()["detail_en"] == "An adjustment needs a reason"
    coordinator = headers(scoring_settings, "coordinator", "lib-small")
    assert client.post("/libraries/lib-small/requirements/C1/adjustments", json={"target": 1, "reason": "x"},
                       headers=coordinator).status_code == 403


def test_staff_see_only_their_own_librarys_progress(app, scoring_settings):
    deliver(app, scoring_settings, "library.registered", library("lib-own"))
    deliver(app, scoring_settings, "library.registered", library("lib-other"))
    client = app.test_client()
    member = headers(scoring_settings, "member", "lib-own")
    assert client.get("/libraries/lib-own/progress", headers=member).status_code == 200
    other = client.get("/libraries/lib-other/progress", headers=member)
    assert other.status_code == 404 and other.mimetype == "application/problem+json"
    assert client.get("/libraries/lib-own/progress").status_code == 401
    assert client.get("/figures", headers=member).status_code == 403


def test_national_figures_count_certified_and_in_progress_libraries(app, scoring_settings):
    certified_library(app, scoring_settings, "lib-f1")
    deliver(app, scoring_settings, "library.registered", library("lib-f2", municipality="Odense"))
    deliver(app, scoring_settings, *evidence_payload(snapshot("lib-f2", "activity", "faellesskaber",
                                                               participants=40, partners=["DN"])))
    client, assessor = app.test_client(), headers(scoring_settings, "assessor")
    f = client.get("/figures", headers=assessor).get_json()
    assert (f["libraries"], f["certified"], f["in_progress"]) == (2, 1, 1)
    assert f["by_municipality"]["Roskilde"]["certified"] == 1
    assert f["by_municipality"]["Odense"]["in_progress"] == 1
    assert f["participants"] == 36  # approved items only: lib-f1's three activities of 12
    csv_text = client.get("/figures.csv", headers=assessor).get_data(as_text=True)
    assert csv_text.splitlines()[1].startswith("total,,2,1,1,")


def _from_scratch(service, library_id, now):
    """What scoring the library's items from scratch under the current model gives."""
    repos = service.uow.repos
    lib = repos.libraries.get(library_id)
    items = repos.evidence.get(library_id).items()
    return score(repos.current_model(), lib.profile, items, lib.staff_count, now.date()).changed_payload()


@pytest.mark.parametrize("change", ["target", "filter"])
def test_a_publish_rescores_from_stored_counts_or_recounts_and_both_equal_scoring_from_scratch(
        app, service, clock, scoring_settings, monkeypatch, change):
    for lib_id in ("lib-p", "lib-q"):
        deliver(app, scoring_settings, "library.registered", library(lib_id))
    for snap in full_evidence("lib-p"):
        deliver(app, scoring_settings, *evidence_payload(snap))
    deliver(app, scoring_settings, *evidence_payload(snapshot("lib-q", "activity", "faellesskaber", sdgs=[4])))
    clock.advance(hours=1)  # later the same day: the stored counts still hold
    draft, _ = service.bus.handle(CreateModelDraft("admin"))
    reqs = [r.to_dict() for r in MODEL_V1.requirements]
    first = reqs[0]
    if change == "target":
        reqs[0] = {**first, "target": first["target"] + 1, "weight": 2}
    else:  # what counts changes: only items created together with citizens
        reqs[0] = {**first, "filters": {**first["filters"], "co_created": True}}
    service.bus.handle(UpdateModelDraft(draft.version, tuple(reqs), "admin"))
    # The evidence is read only when it must be counted again.
    evidence_reads = []
    between = store.Evidence.between
    monkeypatch.setattr(store.Evidence, "between",
                        lambda self, first, last: evidence_reads.append((first, last)) or between(self, first, last))
    result = service.bus.handle(PublishModel(draft.version, "admin"))
    assert result["rescored"] == 2
    assert bool(evidence_reads) == (change == "filter")
    for lib_id in ("lib-p", "lib-q"):
        stored = service.uow.repos.libraries.get(lib_id).score
        assert stored.model_version == draft.version
        assert stored.changed_payload() == _from_scratch(service, lib_id, clock())


def cohort(cohort_id: str, name: str, version: int, state: str = "open") -> dict:
    return {"cohort_id": cohort_id, "version": version, "name": name, "start_year": 2026, "end_year": None,
            "state": state, "changed": ["name"] if version > 1 else []}


def enrolled(library_id: str, cohort_id: str, cohort_name: str) -> dict:
    return {"enrolment_id": f"e-{library_id}", "version": 1, "library_id": library_id, "library_name": "Roskilde Bibliotek",
            "municipality": "Roskilde", "cohort_id": cohort_id, "cohort_name": cohort_name, "start_year": 2026,
            "end_year": None, "started_at": "2026-02-01T10:00:00+00:00"}


def test_national_figures_show_a_cohorts_current_name_from_the_cohort_events(app, scoring_settings):
    deliver(app, scoring_settings, "cohort.created", cohort("k26", "Forløb 2026", 1))
    deliver(app, scoring_settings, "library.registered", library("lib-k1"))
    deliver(app, scoring_settings, "enrolment.started", enrolled("lib-k1", "k26", "Forløb 2026"))
    deliver(app, scoring_settings, "library.registered", library("lib-k2"))
    deliver(app, scoring_settings, "enrolment.started", enrolled("lib-k2", "k-unknown", "Navn ved tilmelding"))
    deliver(app, scoring_settings, "cohort.updated", cohort("k26", "Forløb 2026-2028", 3))
    deliver(app, scoring_settings, "cohort.updated", cohort("k26", "Forløb 2026 (gammelt navn)", 2))  # late: ignored
    client, assessor = app.test_client(), headers(scoring_settings, "assessor")
    f = client.get("/figures", headers=assessor).get_json()
    assert f["cohorts"] == {"k26": "Forløb 2026-2028", "k-unknown": "Navn ved tilmelding"}
    assert f["by_cohort"]["k26"]["libraries"] == 1
    rows = client.get("/figures.csv", headers=assessor).get_data(as_text=True).splitlines()
    assert rows[0].endswith(",participants,name")
    assert [r for r in rows if r.startswith("cohort,k26,")] == ["cohort,k26,1,0,0,0,0,Forløb 2026-2028"]


def test_the_review_queue_follows_the_lookup_kept_with_each_library_write(app, scoring_settings):
    for lib_id in ("lib-r1", "lib-r2"):
        deliver(app, scoring_settings, "library.registered", library(lib_id))
    for snap in full_evidence("lib-r2", status="submitted"):
        deliver(app, scoring_settings, *evidence_payload(snap))
    deliver(app, scoring_settings, "case.shared", case_shared("lib-r2"))
    deliver(app, scoring_settings, "action_plan.approved", plan_approved("lib-r2"))
    client, assessor = app.test_client(), headers(scoring_settings, "assessor")
    queue = client.get("/review-queue", headers=assessor).get_json()
    assert [q["library_id"] for q in (queue.get("libraries") if isinstance(queue, dict) else queue)] == ["lib-r2"]
    deliver(app, scoring_settings, "library.withdrawn", {**library("lib-r2", status="withdrawn", version=2),
                                                          "withdrawn_at": "2026-03-01T10:00:00+00:00"})
    queue = client.get("/review-queue", headers=assessor).get_json()
    assert (queue.get("libraries") if isinstance(queue, dict) else queue) == []
