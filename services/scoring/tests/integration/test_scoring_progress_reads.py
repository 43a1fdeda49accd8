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
