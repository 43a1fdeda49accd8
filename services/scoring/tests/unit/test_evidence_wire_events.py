"""The projection reads the evidence service's real payloads (full snapshot, revision per write)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_builders import TODAY
from scoring_wire import evidence, plan, snapshot

from scoring.domain import MODEL_V1, Item, Profile, apply, empty_projection, score
from shared.events import new_event

pytestmark = pytest.mark.unit


def fold(events):
    projection = empty_projection("lib1")
    for e in events:
        projection = apply(projection, e)
    return projection


def test_the_snapshot_gives_content_and_status_and_percent_staff_share():
    events = [
        evidence(
            "evidence.submitted",
            snapshot(
                "i1",
                1,
                "submitted",
                kind="staff_training",
                dimension="drift",
                staff_share=92.5,
                date="2024-04-01",
                partners=["DN"],
            ),
        ),
        evidence(
            "evidence.reviewed",
            snapshot(
                "i1",
                2,
                "approved",
                kind="staff_training",
                dimension="drift",
                staff_share=92.5,
                date="2024-04-01",
                partners=["DN"],
            ),
        ),
    ]
    [item] = fold(reversed(events)).items()
    assert (item.revision, item.status, item.staff_share, item.partners, item.date) == (
        2,
        "approved",
        92.5,
        ("DN",),
        "2024-04-01",
    )


def test_an_approved_item_reopened_as_draft_stops_counting_until_resubmitted():
    approved = evidence("evidence.reviewed", snapshot("i1", 2, "approved", co_created=True))
    reopened = evidence("evidence.revised", snapshot("i1", 3, "draft", co_created=True), previous_status="approved")
    [item] = fold([reopened, approved]).items()
    assert item.status == "draft"
    c1 = {r.id: r for r in score(MODEL_V1, Profile("lib1"), [item], 25, TODAY).requirements}["C1"]
    assert (c1.achieved, c1.verified_achieved) == (0, 0)


def test_an_adopted_action_plan_keeps_counting_while_its_next_version_is_reviewed():
    events = [
        plan("action_plan.submitted", "p1", 1, "submitted"),
        plan("action_plan.approved", "p1", 2, "approved", at=datetime(2024, 2, 1, tzinfo=UTC)),
        plan("action_plan.submitted", "p1", 4, "submitted", version=2),
    ]
    projection = fold(events)
    [item] = projection.items()
    assert (item.kind, item.status) == ("action_plan", "approved")
    assert projection.latest_plan_approval() == "2024-02-01T00:00:00+00:00"
    approved_again = apply(
        projection, plan("action_plan.approved", "p1", 5, "approved", version=2, at=datetime(2027, 4, 1, tzinfo=UTC))
    )
    assert approved_again.latest_plan_approval() == "2027-04-01T00:00:00+00:00"


def test_a_shared_case_counts_as_knowledge_shared_with_other_libraries():
    case = new_event(
        "case.shared",
        {
            "case_id": "k1",
            "item_id": "i1",
            "library_id": "lib1",
            "revision": 4,
            "kind": "activity",
            "title": "Byttemarked",
            "dimension": "faellesskaber",
            "sdgs": [12],
            "actor": {"person_id": "p1", "role": "coordinator"},
        },
        producer="evidence",
    )
    projection = fold([case, case])
    [item] = projection.items()
    assert (item.id, item.kind, item.status, item.sdgs) == ("case:k1", "shared_case", "approved", (12,))
    d4 = {r.id: r for r in score(MODEL_V1, Profile("lib1"), [item], 25, TODAY).requirements}["D4"]
    assert d4.verified_progress == 1


def test_both_events_of_a_clarification_request_land_on_the_same_state():
    snap = snapshot("i1", 2, "clarification_requested")
    a = evidence(
        "evidence.reviewed",
        snap,
        decision="clarification_requested",
        comment="Hvor mange deltog?",
        deadline="2024-06-01",
    )
    b = evidence("evidence.clarification_requested", snap, message="Hvor mange deltog?", deadline="2024-06-01")
    assert fold([a, b]).items() == fold([b, a]).items()
    assert fold([a, b]).items()[0].status == "clarification_requested"


# The evidence service's workflow: every write bumps the revision and publishes the snapshot.
TRANSITIONS = {
    "submitted": [
        ("evidence.reviewed", "approved"),
        ("evidence.reviewed", "rejected"),
        ("evidence.reviewed", "clarification_requested"),
        ("evidence.withdrawn", "withdrawn"),
    ],
    "clarification_requested": [("evidence.clarification_answered", "submitted"), ("evidence.withdrawn", "withdrawn")],
    "approved": [("evidence.revised", "draft")],
    "rejected": [("evidence.revised", "draft")],
    "draft": [("evidence.submitted", "submitted")],
    "withdrawn": [],
}

contents = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["activity", "communication", "shared_case", "staff_training"]),
        "dimension": st.sampled_from(["formidling", "faellesskaber", "drift"]),
        "sdgs": st.lists(st.integers(1, 17), max_size=3, unique=True),
        "partners": st.lists(st.sampled_from(["DN", "Skolen", "Lokalrådet"]), max_size=2, unique=True),
        "age_groups": st.lists(st.sampled_from(["children", "adults", "seniors"]), max_size=2, unique=True),
        "co_created": st.booleans(),
        "date": st.sampled_from(["2023-08-01", "2024-05-01"]),
        "staff_share": st.none() | st.sampled_from([50.0, 95.0]),
    }
)


@st.composite
def wire_history(draw, item_id):
    content = draw(contents)
    status, revision = "submitted", 1
    events = [evidence("evidence.submitted", snapshot(item_id, revision, status, **content))]
    for _ in range(draw(st.integers(0, 5))):
        options = TRANSITIONS[status]
        if not options:
            break
        type_, status = draw(st.sampled_from(options))
        revision += 1
        if type_ == "evidence.revised":
            content = draw(contents)
        extra = {"decision": status} if type_ == "evidence.reviewed" else {}
        if type_ == "evidence.clarification_answered":
            extra = {"message": "Svar"}
        events.append(evidence(type_, snapshot(item_id, revision, status, **content), **extra))
    final = Item(
        id=item_id,
        kind=content["kind"],
        revision=revision,
        status=status,
        dimension=content["dimension"],
        sdgs=tuple(sorted(content["sdgs"])),
        partners=tuple(sorted(content["partners"])),
        age_groups=tuple(sorted(content["age_groups"])),
        co_created=content["co_created"],
        date=content["date"],
        staff_share=content["staff_share"],
        title="Reparationscafé",
    )
    return events, final


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_real_events_in_any_order_with_duplicates_score_like_the_final_snapshots(data):
    histories = [data.draw(wire_history(f"item-{n}")) for n in range(data.draw(st.integers(1, 4)))]
    events = [e for history, _ in histories for e in history]
    delivered = data.draw(st.permutations(events + data.draw(st.lists(st.sampled_from(events), max_size=6))))
    finals = sorted((final for _, final in histories), key=lambda i: i.id)
    items = [replace_decided(i) for i in fold(delivered).items()]
    assert items == finals
    assert score(MODEL_V1, Profile("lib1"), fold(delivered).items(), 25, TODAY) == score(
        MODEL_V1, Profile("lib1"), finals, 25, TODAY
    )


def replace_decided(item):
    # decided_at comes from the envelope time, which the final snapshot does not carry.
    return replace(item, decided_at=None)
