import pytest
from evidence_builders import ASSESSOR, COORDINATOR, MEMBER, NOW, OTHER_LIBRARY

from evidence.domain import (
    Conflict,
    Forbidden,
    InvalidEvidence,
    answer_plan_clarification,
    create_plan,
    edit_plan,
    review_plan,
    submit_plan,
    validate_plan_draft,
)

pytestmark = pytest.mark.unit

GOALS = [
    {"dimension": "formidling", "title": "Fire SDG-udstillinger om året", "sdgs": [4], "targets": ["4.7"]},
    {"dimension": "faellesskaber", "title": "Reparationscafé hver måned", "sdgs": [12]},
    {"dimension": "drift", "title": "20 % mindre energi", "sdgs": [7, 13], "targets": ["7.3"]},
]


@pytest.fixture
def plan():
    return create_plan({"start_year": 2025, "goals": GOALS}, COORDINATOR, plan_id="plan-1", now=NOW).new


def test_a_plan_covers_three_years(plan):
    assert (plan.start_year, plan.end_year) == (2025, 2027)
    assert plan.version == 1 and plan.status == "draft"


def test_a_draft_plan_keeps_valid_goals_and_reports_invalid_ones():
    clean, errors = validate_plan_draft({"goals": [GOALS[0], {"dimension": "drift", "title": "x", "sdgs": [18]}]})
    assert len(clean["goals"]) == 1
    assert [e.field for e in errors] == ["goals.1.sdgs"]


def test_a_plan_needs_a_goal_in_every_dimension_to_be_submitted():
    partial = create_plan({"start_year": 2025, "goals": GOALS[:2]}, MEMBER, plan_id="p", now=NOW).new
    with pytest.raises(InvalidEvidence) as caught:
        submit_plan(partial, MEMBER, based_on=1, now=NOW)
    assert [p.code for p in caught.value.problems] == ["dimension_without_goal"]
    assert "drift" in caught.value.problems[0].message_da


def test_a_goal_target_must_belong_to_one_of_its_sdgs_on_submit():
    goals = [*GOALS[:2], {"dimension": "drift", "title": "Energi", "sdgs": [7], "targets": ["13.2"]}]
    plan = create_plan({"start_year": 2025, "goals": goals}, MEMBER, plan_id="p", now=NOW).new
    with pytest.raises(InvalidEvidence) as caught:
        submit_plan(plan, MEMBER, based_on=1, now=NOW)
    assert caught.value.problems[0].field == "goals.2.targets"


def test_submit_approve_and_revise_an_action_plan(plan):
    submitted = submit_plan(plan, MEMBER, based_on=1, now=NOW)
    assert [e.type for e in submitted.events] == ["action_plan.submitted"]
    approved = review_plan(submitted.new, ASSESSOR, based_on=2, now=NOW, decision="approved", comment="Fin plan")
    assert approved.new.status == "approved" and approved.new.approved_version == 1
    [event] = approved.events
    assert event.type == "action_plan.approved" and event.payload["plan"]["goals"][2]["targets"] == ["7.3"]
    revised = edit_plan(
        approved.new,
        {"goals": GOALS[:2] + [{**GOALS[2], "title": "30 % mindre energi"}]},
        COORDINATOR,
        based_on=3,
        now=NOW,
    )
    assert revised.new.status == "draft" and revised.new.version == 2
    assert revised.new.approved_version == 1  # the approved version stays in force meanwhile
    assert revised.new.previous_versions[0].goals[2].title == "20 % mindre energi"
    assert revised.events == []


def test_a_plan_clarification_is_answered_by_resubmitting(plan):
    submitted = submit_plan(plan, MEMBER, based_on=1, now=NOW).new
    asked = review_plan(
        submitted,
        ASSESSOR,
        based_on=2,
        now=NOW,
        decision="clarification_requested",
        comment="Hvordan måles energien?",
        deadline="2025-04-15",
    )
    assert asked.new.status == "clarification_requested"
    [event] = asked.events
    assert event.type == "action_plan.clarification_requested" and event.payload["submitter"]["person_id"] == "p-bo"
    answered = answer_plan_clarification(asked.new, COORDINATOR, based_on=3, now=NOW, message="Via elmåleren.")
    assert answered.new.status == "submitted" and answered.new.revision == 4
    assert answered.events[0].type == "action_plan.submitted"


def test_plans_follow_the_same_permissions_and_state_rules(plan):
    with pytest.raises(Forbidden):
        edit_plan(plan, {"start_year": 2026}, OTHER_LIBRARY, based_on=1, now=NOW)
    with pytest.raises(Forbidden):
        review_plan(plan, COORDINATOR, based_on=1, now=NOW, decision="approved")
    with pytest.raises(Conflict) as caught:
        review_plan(plan, ASSESSOR, based_on=1, now=NOW, decision="approved")
    assert "kladde" in caught.value.message_da
    with pytest.raises(Conflict):
        edit_plan(plan, {"start_year": 2026}, MEMBER, based_on=0, now=NOW)
