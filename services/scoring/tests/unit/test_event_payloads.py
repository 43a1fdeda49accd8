"""Every payload the domain hands back validates against its declaration in shared.events.scoring."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from scoring_builders import TODAY, complete_items

from scoring.domain import (
    MODEL_V1,
    Emit,
    Profile,
    award,
    new_certificate_state,
    new_draft,
    observe_score,
    publish,
    put_requirement,
    renew,
    revoke,
    score,
    tick,
)
from shared.events import new_event

pytestmark = pytest.mark.unit

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def publishable(emitted):
    return [new_event(e.type, e.payload, producer="scoring", now=NOW) for e in emitted]


def test_score_changed_payload_is_valid():
    s = score(MODEL_V1, Profile("lib1"), complete_items("submitted")[:5], 25, TODAY)
    [event] = publishable([Emit("score.changed", s.changed_payload())])
    assert event.payload["status"] == "in_progress"
    assert event.payload["missing"] == list(s.missing_da)
    assert event.payload["dimensions"]["drift"]["provisional"] == pytest.approx(s.dimensions["drift"][0], abs=1e-4)


def test_certificate_and_readiness_payloads_are_valid():
    verified = score(MODEL_V1, Profile("lib1"), complete_items("approved"), 25, TODAY)
    state, ready = observe_score(new_certificate_state("lib1"), verified, NOW, library_name="Roskilde")
    state, awarded = award(state, verified, awarded_by="assessor-1", now=NOW)
    state, due = tick(state, datetime(2025, 5, 1, tzinfo=UTC))
    lapsed_state, lapsed = tick(state, datetime(2025, 8, 1, tzinfo=UTC))
    _, renewed = renew(
        lapsed_state,
        renewed_by="a",
        now=datetime(2025, 9, 1, tzinfo=UTC),
        action_plan_approved_at="2025-08-15T00:00:00+00:00",
    )
    _, revoked = revoke(state, revoked_by="a", reason="Misbrug af logo", now=NOW)
    events = publishable([*ready, *awarded, *due, *lapsed, *renewed, *revoked])
    assert [e.type for e in events] == [
        "library.ready_for_review",
        "certificate.awarded",
        "certificate.checkin_due",
        "certificate.lapsed",
        "certificate.renewed",
        "certificate.revoked",
    ]
    assert events[2].payload == {
        "certificate_id": state.certificate_id,
        "library_id": "lib1",
        "due_on": "2025-06-01",
        "days_before": 60,
    }


def test_model_published_payload_is_valid():
    draft = put_requirement(new_draft(MODEL_V1), replace(MODEL_V1.requirement("C2"), target=3))
    _, emitted = publish(draft, previous=MODEL_V1, published_by="admin", now=NOW)
    [event] = publishable([emitted])
    assert event.payload["changes"] == [{"requirement_id": "C2", "field": "target", "old": 2, "new": 3}]
