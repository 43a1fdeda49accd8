"""Every review transition over HTTP, each checked on the real exchange (pika observer), plus the
audit trail, illegal transitions (409 naming the state) and the review queue."""

from datetime import UTC, datetime

import pytest

from conftest import ACTIVITY, BO

pytestmark = [pytest.mark.integration, pytest.mark.wire(
    "evidence.clarification_answered", "evidence.clarification_requested", "evidence.reviewed", "evidence.revised",
    "evidence.submitted", "evidence.withdrawn",
)]


def _of(item_id):
    return lambda e: e["payload"]["item_id"] == item_id


def test_submit_question_answer_approve_edit_and_resubmit_each_emit_their_event(anna, assessor, wire):
    item = anna.create()
    iid = item["id"]
    r = anna.post(f"/evidence/{iid}/submit", json={"revision": 1})
    assert r.status_code == 200 and r.get_json()["status"] == "submitted"
    submitted = wire.wait_for("evidence.submitted", _of(iid))[0]
    assert submitted["payload"]["revision"] == 2 and submitted["payload"]["item"]["status"] == "submitted"
    assert submitted["payload"]["submitted_by"]["email"] == "anna@aakb.dk"
    assert submitted["_delivery_mode"] == 2

    r = assessor.post(f"/evidence/{iid}/review", json={"decision": "clarification_requested",
                                                       "comment": "Hvor mange var børn?", "deadline": "2025-04-01",
                                                       "revision": 2})
    assert r.status_code == 200 and r.get_json()["status"] == "clarification_requested"
    assert r.get_json()["deadline"] == "2025-04-01"
    asked = wire.wait_for("evidence.clarification_requested", _of(iid))[0]["payload"]
    assert asked["revision"] == 3 and asked["deadline"] == "2025-04-01" and asked["message"] == "Hvor mange var børn?"
    assert wire.wait_for("evidence.reviewed", _of(iid))[0]["payload"]["decision"] == "clarification_requested"

    r = anna.post(f"/evidence/{iid}/thread", json={"message": "12 børn", "answer": True, "revision": 3,
                                                   "changes": {"age_groups": ["children", "adults"]}})
    assert r.status_code == 201 and r.get_json()["item"]["status"] == "submitted"
    thread = anna.get(f"/evidence/{iid}/thread").get_json()
    assert [m["side"] for m in thread["messages"]] == ["assessor", "library"]
    answered = wire.wait_for("evidence.clarification_answered", _of(iid))[0]["payload"]
    assert answered["revision"] == 4 and answered["changed_fields"] == ["age_groups"]

    r = assessor.post(f"/evidence/{iid}/review", json={"decision": "approved", "revision": 4})
    assert r.get_json()["status"] == "approved"
    approved = wire.wait_for("evidence.reviewed", lambda e: e["payload"]["decision"] == "approved")[0]["payload"]
    assert approved["revision"] == 5 and approved["reviewer"]["person_id"] == "p-dorte"

    # Editing approved evidence opens a new revision that must be reviewed again.
    r = anna.patch(f"/evidence/{iid}", json={"revision": 5, "participants": 45})
    assert r.status_code == 200 and r.get_json()["status"] == "draft" and r.get_json()["revision"] == 6
    revised = wire.wait_for("evidence.revised", _of(iid))[0]["payload"]
    assert revised["previous_status"] == "approved" and revised["changed_fields"] == ["participants"]
    anna.post(f"/evidence/{iid}/submit", json={"revision": 6})
    again = wire.wait_for("evidence.submitted", _of(iid), count=2)[1]["payload"]
    assert again["revision"] == 7 and again["resubmission"] is True

    audit = anna.get(f"/evidence/{iid}/audit").get_json()["entries"]
    assert [(e["action"], e["to_status"]) for e in audit] == [
        ("create", "draft"), ("submit", "submitted"), ("review", "clarification_requested"),
        ("answer", "submitted"), ("review", "approved"), ("edit", "draft"), ("submit", "submitted")]
    assert audit[5]["by"]["name"] == "Anna Holm" and audit[5]["changed"] == ["participants"] and audit[5]["at"]


def test_rejection_and_withdrawal_emit_their_events(anna, assessor, as_, wire):
    rejected, withdrawn = anna.create(), anna.create({**ACTIVITY, "title": "Byttemarked"})
    for item in (rejected, withdrawn):
        anna.post(f"/evidence/{item['id']}/submit", json={"revision": 1})
    r = assessor.post(f"/evidence/{rejected['id']}/review", json={"decision": "rejected", "comment": "Ikke SDG"})
    assert r.get_json()["status"] == "rejected"
    event = wire.wait_for("evidence.reviewed", _of(rejected["id"]))[0]["payload"]
    assert event["decision"] == "rejected" and event["comment"] == "Ikke SDG" and event["revision"] == 3
    r = as_(BO).post(f"/evidence/{withdrawn['id']}/withdraw", json={"revision": 2, "reason": "Fejl"})
    assert r.get_json()["status"] == "withdrawn"
    event = wire.wait_for("evidence.withdrawn", _of(withdrawn["id"]))[0]["payload"]
    assert event["previous_status"] == "submitted" and event["revision"] == 3 and event["reason"] == "Fejl"


def test_illegal_transitions_are_409_naming_the_current_state(anna, assessor):
    item = anna.create()
    iid = item["id"]
    r = assessor.post(f"/evidence/{iid}/review", json={"decision": "approved"})
    assert r.status_code == 409 and r.get_json()["current_state"] == "draft"
    anna.post(f"/evidence/{iid}/submit", json={"revision": 1})
    assessor.post(f"/evidence/{iid}/review", json={"decision": "approved"})
    r = anna.post(f"/evidence/{iid}/withdraw", json={"revision": 3})
    assert r.status_code == 409 and r.get_json()["current_state"] == "approved"
    assert "approved" in r.get_json()["detail_en"]
    r = anna.post(f"/evidence/{iid}/submit", json={"revision": 3})
    assert r.status_code == 409 and r.get_json()["current_state"] == "approved"


def test_only_assessors_decide_and_only_the_library_submits(anna, assessor):
    item = anna.create()
    anna.post(f"/evidence/{item['id']}/submit", json={"revision": 1})
    r = anna.post(f"/evidence/{item['id']}/review", json={"decision": "approved"})
    assert r.status_code == 403
    assert assessor.post(f"/evidence/{item['id']}/withdraw", json={"revision": 2}).status_code == 403
    assert anna.get(f"/evidence/{item['id']}").get_json()["status"] == "submitted"


def test_a_clarification_needs_a_future_deadline(anna, assessor):
    item = anna.create()
    anna.post(f"/evidence/{item['id']}/submit", json={"revision": 1})
    r = assessor.post(f"/evidence/{item['id']}/review", json={"decision": "clarification_requested",
                                                               "comment": "Hvorfor?", "deadline": "2025-03-01"})
    assert r.status_code == 422 and r.get_json()["field"] == "deadline"
    assert anna.get(f"/evidence/{item['id']}").get_json()["status"] == "submitted"


def test_the_review_queue_lists_submitted_items_oldest_first_for_assessors_only(clock, anna, assessor):
    ids = []
    for day, title in ((3, "Senest"), (1, "Først"), (2, "Midt")):
        item = anna.create({**ACTIVITY, "title": title})
        clock.now = datetime(2025, 3, day, 9, 0, tzinfo=UTC)
        anna.post(f"/evidence/{item['id']}/submit", json={"revision": 1})
        ids.append(item["id"])
    anna.create({**ACTIVITY, "title": "Kladde"})
    queue = assessor.get("/review-queue").get_json()
    assert [i["title"] for i in queue["items"]] == ["Først", "Midt", "Senest"] and queue["total"] == 3
    assert anna.get("/review-queue").status_code == 403
