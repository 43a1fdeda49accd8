"""The action plan (draft, submit, clarification, approval, new version) and shared cases (share,
search, copy as a draft or into the plan), with their events on the real exchange."""

import pytest

from conftest import ACTIVITY, CARL

pytestmark = [pytest.mark.integration, pytest.mark.wire(
    "action_plan.approved", "action_plan.clarification_requested", "action_plan.submitted", "case.shared",
)]

GOALS = [
    {"dimension": "formidling", "title": "Fire SDG-udstillinger om året", "sdgs": [4], "targets": ["4.7"]},
    {"dimension": "faellesskaber", "title": "Reparationscafé hver måned", "sdgs": [12]},
    {"dimension": "drift", "title": "Halvér energiforbruget", "sdgs": [7, 13]},
]


def test_an_action_plan_is_drafted_submitted_questioned_answered_approved_and_versioned(anna, assessor, wire):
    r = anna.put("/libraries/lib-aarhus/action-plan", json={"start_year": 2025, "goals": GOALS[:1]})
    assert r.status_code == 200
    plan = r.get_json()
    assert (plan["start_year"], plan["end_year"], plan["status"], plan["revision"]) == (2025, 2027, "draft", 1)
    r = anna.post("/libraries/lib-aarhus/action-plan/submit", json={"revision": 1})
    assert r.status_code == 422 and r.get_json()["field"] == "goals"  # a dimension has no goal yet
    r = anna.put("/libraries/lib-aarhus/action-plan", json={"revision": 1, "goals": GOALS})
    assert r.get_json()["revision"] == 2
    r = anna.post("/libraries/lib-aarhus/action-plan/submit", json={"revision": 2})
    assert r.get_json()["status"] == "submitted"
    submitted = wire.wait_for("action_plan.submitted")[0]["payload"]
    assert submitted["revision"] == 3 and len(submitted["plan"]["goals"]) == 3
    assert [p["id"] for p in assessor.get("/review-queue").get_json()["plans"]] == [plan["id"]]

    r = assessor.post("/libraries/lib-aarhus/action-plan/review",
                      json={"decision": "clarification_requested", "comment": "Hvordan måles energien?",
                            "deadline": "2025-04-15"})
    assert r.get_json()["status"] == "clarification_requested"
    asked = wire.wait_for("action_plan.clarification_requested")[0]["payload"]
    assert asked["deadline"] == "2025-04-15" and asked["revision"] == 4
    r = anna.post("/libraries/lib-aarhus/action-plan/thread", json={"message": "Månedlige målinger", "answer": True})
    assert r.status_code == 201 and r.get_json()["plan"]["status"] == "submitted"
    assert wire.wait_for("action_plan.submitted", count=2)[1]["payload"]["message"] == "Månedlige målinger"

    r = assessor.post("/libraries/lib-aarhus/action-plan/review", json={"decision": "approved"})
    assert r.get_json()["approved_version"] == 1
    approved = wire.wait_for("action_plan.approved")[0]["payload"]
    assert approved["status"] == "approved" and approved["version"] == 1

    # Changing an approved plan drafts version 2; version 1 is kept.
    r = anna.put("/libraries/lib-aarhus/action-plan", json={"revision": 6, "start_year": 2026})
    body = r.get_json()
    assert (body["version"], body["status"], body["approved_version"]) == (2, "draft", 1)
    assert body["previous_versions"][0]["version"] == 1
    export = anna.get("/libraries/lib-aarhus/export").get_json()
    assert export["action_plan"]["approved_version"] == 1


def test_an_invalid_goal_is_422_naming_it_and_the_rest_of_the_plan_is_saved(anna):
    bad = {"dimension": "drift", "title": "Mål", "sdgs": [18]}
    r = anna.put("/libraries/lib-aarhus/action-plan", json={"start_year": 2025, "goals": [GOALS[0], bad]})
    assert r.status_code == 422 and r.get_json()["field"] == "goals.1.sdgs"
    plan = anna.get("/libraries/lib-aarhus/action-plan").get_json()
    assert plan["start_year"] == 2025 and [g["title"] for g in plan["goals"]] == [GOALS[0]["title"]]


def test_only_an_assessor_approves_a_plan(anna):
    anna.put("/libraries/lib-aarhus/action-plan", json={"start_year": 2025, "goals": GOALS})
    anna.post("/libraries/lib-aarhus/action-plan/submit", json={"revision": 1})
    r = anna.post("/libraries/lib-aarhus/action-plan/review", json={"decision": "approved"})
    assert r.status_code == 403


def test_a_shared_case_is_found_by_others_and_copied_into_their_draft_and_plan(anna, assessor, as_, wire):
    item = anna.create()
    r = anna.post(f"/evidence/{item['id']}/share", json={"revision": 1})
    assert r.status_code == 409 and r.get_json()["current_state"] == "draft"  # share once submitted
    anna.post(f"/evidence/{item['id']}/submit", json={"revision": 1})
    r = anna.post(f"/evidence/{item['id']}/share", json={"revision": 2})
    assert r.status_code == 201
    case = r.get_json()
    assert case["item"]["shared_case_id"] == case["id"]
    shared = wire.wait_for("case.shared")[0]["payload"]
    assert shared["case_id"] == case["id"] and shared["revision"] == 3

    carl = as_(CARL)
    found = carl.get("/shared-cases?q=reparation").get_json()
    assert [c["id"] for c in found["items"]] == [case["id"]]
    assert carl.get("/shared-cases?q=bibliotekarmøde").get_json()["total"] == 0
    assert "Anna" not in str(carl.get(f"/shared-cases/{case['id']}").get_json())

    r = carl.post(f"/shared-cases/{case['id']}/copy", json={"library_id": "lib-odense"})
    assert r.status_code == 201
    copy = r.get_json()
    assert (copy["library_id"], copy["status"], copy["title"]) == ("lib-odense", "draft", ACTIVITY["title"])
    assert copy["copied_from"]["case_id"] == case["id"] and copy["participants"] is None
    r = carl.post(f"/shared-cases/{case['id']}/copy", json={"library_id": "lib-odense", "into": "plan"})
    assert r.status_code == 201 and r.get_json()["goals"][0]["title"] == ACTIVITY["title"]
    # Not into someone else's library.
    assert carl.post(f"/shared-cases/{case['id']}/copy", json={"library_id": "lib-aarhus"}).status_code == 404
