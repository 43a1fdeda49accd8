import pytest
from scoring_builders import reviewed, submitted, withdrawn

from scoring.domain import InvalidEvidenceEvent, Projection, apply, empty_projection

pytestmark = pytest.mark.unit


def fold(events, library_id="lib1"):
    projection = empty_projection(library_id)
    for e in events:
        projection = apply(projection, e)
    return projection


def only(projection):
    [item] = projection.items()
    return item


def test_a_submitted_item_appears_with_its_content():
    item = only(
        fold(
            [
                submitted(
                    "i1",
                    kind="activity",
                    dimension="faellesskaber",
                    sdgs=[13, 4, 13],
                    partners=[" DN ", "Lokalråd"],
                    age_groups=["children", "martians"],
                    co_created=True,
                    participants=25,
                    date="2024-03-05",
                )
            ]
        )
    )
    assert (item.id, item.revision, item.status) == ("i1", 1, "submitted")
    assert item.sdgs == (4, 13)
    assert item.partners == ("DN", "Lokalråd")
    assert item.age_groups == ("children",)
    assert (item.co_created, item.participants, item.date) == (True, 25, "2024-03-05")


def test_sdg_targets_count_as_their_goal():
    assert only(fold([submitted("i1", sdgs=["4.7", "12.a", 18])])).sdgs == (4, 12)


def test_a_review_of_an_older_revision_is_ignored():
    events = [submitted("i1"), submitted("i1", revision=2, title="ny"), reviewed("i1", 1, "approved")]
    item = only(fold(events))
    assert (item.revision, item.status, item.title) == (2, "submitted", "ny")


def test_a_decision_beats_clarification_at_the_same_revision_whatever_the_order():
    a = fold([submitted("i1"), reviewed("i1", 1, "approved"), reviewed("i1", 1, "clarification_requested")])
    b = fold([reviewed("i1", 1, "clarification_requested"), reviewed("i1", 1, "approved"), submitted("i1")])
    assert a == b
    assert only(a).status == "approved"


def test_withdrawal_beats_approval_at_the_same_revision():
    assert only(fold([withdrawn("i1", 1), submitted("i1"), reviewed("i1", 1, "approved")])).status == "withdrawn"


def test_a_review_that_overtakes_its_revision_waits_for_the_content():
    projection = fold([submitted("i1"), reviewed("i1", 2, "approved")])
    assert projection.items() == []
    item = only(apply(projection, submitted("i1", revision=2, title="rev 2")))
    assert (item.revision, item.status, item.title) == (2, "approved", "rev 2")


def test_applying_the_same_event_twice_changes_nothing():
    once = fold([submitted("i1"), reviewed("i1", 1, "rejected")])
    assert apply(once, reviewed("i1", 1, "rejected")) is once


def test_action_plans_are_items_of_kind_action_plan():
    events = [
        {"type": "action_plan.submitted", "payload": {"library_id": "lib1", "action_plan_id": "p1", "revision": 1}},
        {
            "type": "action_plan.approved",
            "payload": {
                "library_id": "lib1",
                "action_plan_id": "p1",
                "revision": 1,
                "approved_at": "2024-02-01T10:00:00+00:00",
            },
        },
    ]
    item = only(fold(events))
    assert (item.kind, item.status, item.decided_at) == ("action_plan", "approved", "2024-02-01T10:00:00+00:00")


def test_staff_share_is_a_percentage_and_counts_are_converted():
    assert only(fold([submitted("i1", kind="staff_training", staff_share=80)])).staff_share == 80
    assert only(fold([submitted("i1", kind="staff_training", staff_trained=8, staff_total=10)])).staff_share == 80


def test_a_staff_share_above_one_hundred_percent_is_refused():
    with pytest.raises(InvalidEvidenceEvent):
        fold([submitted("i1", kind="staff_training", staff_share=120)])


def test_an_event_for_another_library_is_refused():
    with pytest.raises(InvalidEvidenceEvent) as caught:
        fold([submitted("i1", library_id="lib2")])
    assert "lib2" in caught.value.message_da


def test_an_event_without_revision_is_refused_except_a_first_submission():
    assert only(fold([{"type": "evidence.submitted", "payload": {"item_id": "i1", "kind": "activity"}}])).revision == 1
    with pytest.raises(InvalidEvidenceEvent):
        fold([{"type": "evidence.reviewed", "payload": {"item_id": "i1", "decision": "approved"}}])


def test_unrelated_event_types_leave_the_projection_alone():
    projection = fold([submitted("i1")])
    assert apply(projection, {"type": "library.registered", "payload": {"library_id": "lib1"}}) is projection


def test_projection_survives_a_round_trip_through_a_plain_dict():
    projection = fold([submitted("i1", sdgs=[1]), reviewed("i1", 1, "approved"), submitted("i2", revision=2)])
    assert Projection.from_dict(projection.to_dict()) == projection
