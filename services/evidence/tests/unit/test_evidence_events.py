import pytest
from evidence_builders import ASSESSOR, COORDINATOR, MEMBER, NOW

from evidence.domain import (
    Actor,
    answer_clarification,
    create_plan,
    edit_item,
    review_item,
    review_plan,
    share_case,
    submit_item,
    submit_plan,
    withdraw_item,
)
from evidence.domain.snapshots import evidence_event
from shared.events import evidence as declared  # noqa: F401 - registers the event types
from shared.events.base import CATALOGUE

pytestmark = pytest.mark.unit

EVENT_TYPES = {
    "evidence.submitted",
    "evidence.revised",
    "evidence.withdrawn",
    "evidence.reviewed",
    "evidence.clarification_requested",
    "evidence.clarification_answered",
    "action_plan.submitted",
    "action_plan.approved",
    "action_plan.clarification_requested",
    "case.shared",
}


def assert_valid(event):
    schema = CATALOGUE[event.type].schema()
    assert schema.validate(event.payload) == {}, (event.type, schema.validate(event.payload))


def test_every_evidence_event_type_is_declared_with_a_version_and_description():
    for name in EVENT_TYPES:
        assert CATALOGUE[name].version == 1 and CATALOGUE[name].description


def test_every_event_the_domain_produces_matches_its_declared_schema(draft, submitted, approved, questioned):
    outcomes = [
        edit_item(approved, {"participants": 41}, MEMBER, based_on=approved.revision, now=NOW),
        withdraw_item(submitted, MEMBER, based_on=submitted.revision, now=NOW),
        review_item(
            submitted,
            ASSESSOR,
            based_on=submitted.revision,
            now=NOW,
            decision="clarification_requested",
            comment="?",
            deadline="2025-03-11",
        ),
        answer_clarification(questioned, MEMBER, based_on=questioned.revision, now=NOW, message="!"),
        share_case(submitted, COORDINATOR, case_id="c", based_on=submitted.revision, now=NOW)[1],
    ]
    goals = [{"dimension": d, "title": "Mål", "sdgs": [4]} for d in ("formidling", "faellesskaber", "drift")]
    plan = create_plan({"start_year": 2025, "goals": goals}, MEMBER, plan_id="p", now=NOW).new
    plan_submitted = submit_plan(plan, MEMBER, based_on=1, now=NOW)
    outcomes += [
        plan_submitted,
        review_plan(plan_submitted.new, ASSESSOR, based_on=2, now=NOW, decision="approved"),
        review_plan(
            plan_submitted.new,
            ASSESSOR,
            based_on=2,
            now=NOW,
            decision="clarification_requested",
            comment="?",
            deadline="2025-05-01",
        ),
    ]
    produced = [e for o in outcomes for e in o.events]
    assert {e.type for e in produced} | {"evidence.submitted"} == EVENT_TYPES
    for event in produced:
        assert_valid(event)


def test_the_submitted_event_carries_everything_scoring_and_notification_need(submitted):
    from evidence.domain import submit_item

    resubmitted = submit_item(
        withdraw_item(submitted, MEMBER, based_on=submitted.revision, now=NOW).new,
        MEMBER,
        based_on=submitted.revision + 1,
        now=NOW,
    )
    [event] = resubmitted.events
    assert_valid(event)
    loaded = CATALOGUE["evidence.submitted"].schema().load(event.payload)
    item = loaded["item"]
    assert item["revision"] == 4 and item["status"] == "submitted"
    for field in (
        "kind",
        "title",
        "dimension",
        "sdgs",
        "targets",
        "date",
        "participants",
        "age_groups",
        "partners",
        "co_created",
        "public",
        "library_name",
        "submitted_by",
    ):
        assert item[field] not in (None, []), field


def test_a_payload_whose_ids_disagree_with_its_snapshot_is_invalid(submitted):
    event = evidence_event("evidence.submitted", submitted, Actor.of(MEMBER))
    event.payload["revision"] = 99
    assert "revision" in CATALOGUE["evidence.submitted"].schema().validate(event.payload)


def test_identifying_fields_are_repeated_on_top_for_consumers_that_mail(questioned):
    withdrawn = withdraw_item(questioned, MEMBER, based_on=questioned.revision, now=NOW).new
    [event] = submit_item(withdrawn, COORDINATOR, based_on=withdrawn.revision, now=NOW).events
    payload = event.payload
    assert (payload["title"], payload["kind"], payload["status"]) == ("Reparationscafé", "activity", "submitted")
    assert payload["library_name"] == "Aarhus Bibliotekerne"
    assert payload["submitted_by"] == {"person_id": "p-anna", "name": "Anna Holm", "email": "anna@aakb.dk"}
    assert payload["submitted_by"] == payload["item"]["submitted_by"]
