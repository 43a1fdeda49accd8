"""The progress read path: it reads only what it needs of the library and reuses the published model
head for a few seconds, yet a model published in the same process is used at once."""

from __future__ import annotations

import pytest
from scoring_it_events import headers, library

from scoring import handlers
from scoring.domain import MODEL_V1
from shared.events import new_event

pytestmark = pytest.mark.integration


def test_progress_uses_a_model_published_in_this_process_at_once(app, scoring_settings):
    evt = new_event("library.registered", library("lib-1"), producer="upstream")
    handlers.EVENT_HANDLERS["library.registered"](app.extensions["chora_store"], evt, scoring_settings)
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


def test_the_progress_answer_has_exactly_the_documented_shape(app, scoring_settings):
    from marshmallow import RAISE
    from scoring_it_events import evidence_payload, full_evidence

    from scoring.api import ProgressSchema

    def deliver(type_, payload):
        handlers.EVENT_HANDLERS[type_](app.extensions["chora_store"], new_event(type_, payload, producer="upstream"),
                                       scoring_settings)

    deliver("library.registered", library("lib-shape"))
    for snap in full_evidence("lib-shape")[:3]:
        deliver(*evidence_payload(snap))
    client = app.test_client()
    for lang in ("da", "en"):
        body = client.get(f"/libraries/lib-shape/progress?lang={lang}",
                          headers=headers(scoring_settings, "coordinator", "lib-shape")).get_json()
        ProgressSchema(unknown=RAISE).load(body)  # no field the document does not describe
        assert set(body) == set(ProgressSchema().fields)  # and every field it describes
        assert ProgressSchema().dump(body) == body  # in the documented types
