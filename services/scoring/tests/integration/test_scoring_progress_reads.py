"""The progress read path: it reuses the published model head for a few seconds, yet a model
published in the same process is used at once; and its answer is exactly the documented one."""

from __future__ import annotations

import pytest
from marshmallow import RAISE
from scoring_events import evidence_payload, full_evidence, headers, library

from scoring.domain import MODEL_V1
from scoring.schemas import Progress, RequirementProgress
from shared.events import new_event

pytestmark = pytest.mark.integration


def deliver(service, type_, payload):
    service.bus.handle_event(new_event(type_, payload, producer="upstream"))


def test_progress_uses_a_model_published_in_this_process_at_once(app, service, scoring_settings):
    deliver(service, "library.registered", library("lib-1"))
    client, admin = app.test_client(), headers(scoring_settings, "administrator")

    def f2():
        body = client.get("/libraries/lib-1/progress", headers=admin).get_json()
        return body["model_version"], next(r["target"] for r in body["requirements"] if r["id"] == "F2")

    assert f2() == (1, 5)
    assert client.post("/models", headers=admin).status_code == 201
    easier = [{**r.to_dict(), "target": 3} if r.id == "F2" else r.to_dict() for r in MODEL_V1.requirements]
    assert client.put("/models/2", json={"requirements": easier}, headers=admin).status_code == 200
    assert client.post("/models/2/publish", headers=admin).status_code == 200
    assert f2() == (2, 3)


def test_the_progress_answer_has_exactly_the_documented_shape(app, service, scoring_settings):
    deliver(service, "library.registered", library("lib-shape"))
    for snap in full_evidence("lib-shape")[:3]:
        deliver(service, *evidence_payload(snap))
    client = app.test_client()
    for lang, role in (("da", "coordinator"), ("en", "assessor")):
        res = client.get(f"/libraries/lib-shape/progress?lang={lang}",
                         headers=headers(scoring_settings, role, "lib-shape"))
        body = res.get_json()
        Progress(unknown=RAISE).load(body)  # no field the document does not describe
        assert set(body) == set(Progress().fields)  # and every field it describes
        assert all(set(r) == set(RequirementProgress().fields) for r in body["requirements"])
        # Counts stay whole numbers on the wire (the portal shows "3", not "3.0").
        assert '"achieved":1,' in res.get_data(as_text=True).replace(" ", "")
