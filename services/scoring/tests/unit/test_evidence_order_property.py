"""Property: delivering the same evidence events in any order, with duplicates, scores exactly
like the final evidence scored from scratch."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_builders import TODAY

from scoring.domain import MODEL_V1, Item, Profile, apply, empty_projection, score

pytestmark = pytest.mark.unit

content = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["activity", "communication", "operations_measure", "staff_training", "shared_case"]),
        "dimension": st.sampled_from(["formidling", "faellesskaber", "drift"]),
        "sdgs": st.lists(st.integers(1, 17), max_size=4),
        "partners": st.lists(st.sampled_from(["DN", "Lokalrådet", "Repair Café", "Skolen"]), max_size=2),
        "age_groups": st.lists(st.sampled_from(["children", "youth", "adults", "seniors"]), max_size=2),
        "co_created": st.booleans(),
        "date": st.sampled_from(["2023-01-10", "2023-09-01", "2024-05-20"]),
        "participants": st.integers(0, 50),
        "before": st.none() | st.just(100.0),
        "after": st.none() | st.just(70.0),
        "staff_share": st.none() | st.sampled_from([50.0, 90.0, 100.0]),
    }
)


@st.composite
def item_history(draw, item_id):
    """A workflow the evidence service can produce, and the final item it leaves behind."""
    events, revision = [], 1
    data = draw(content)
    events.append(
        {"type": "evidence.submitted", "payload": {"library_id": "lib1", "item_id": item_id, "revision": 1, **data}}
    )
    status = "submitted"
    while True:
        if draw(st.booleans()):
            status = "clarification_requested"
            events.append(_review(item_id, revision, status))
        step = draw(st.sampled_from(["stop", "approved", "rejected", "withdraw", "revise"]))
        if step in ("approved", "rejected"):
            status = step
            events.append(_review(item_id, revision, status))
            step = draw(st.sampled_from(["stop", "withdraw", "revise"]))
        if step == "withdraw":
            status = "withdrawn"
            events.append(
                {
                    "type": "evidence.withdrawn",
                    "payload": {"library_id": "lib1", "item_id": item_id, "revision": revision},
                }
            )
            break
        if step != "revise" or revision == 3:
            break
        revision += 1
        data = draw(content)
        status = "submitted"
        events.append(
            {
                "type": "evidence.revised",
                "payload": {"library_id": "lib1", "item_id": item_id, "revision": revision, **data},
            }
        )
    final = Item(
        id=item_id,
        revision=revision,
        status=status,
        kind=data["kind"],
        dimension=data["dimension"],
        sdgs=tuple(sorted(set(data["sdgs"]))),
        partners=tuple(sorted(set(data["partners"]))),
        age_groups=tuple(sorted(set(data["age_groups"]))),
        co_created=data["co_created"],
        date=data["date"],
        participants=data["participants"],
        before=data["before"],
        after=data["after"],
        staff_share=data["staff_share"],
    )
    return events, final


def _review(item_id, revision, decision):
    return {
        "type": "evidence.reviewed",
        "payload": {"library_id": "lib1", "item_id": item_id, "revision": revision, "decision": decision},
    }


@st.composite
def deliveries(draw):
    histories = [draw(item_history(f"item-{n}")) for n in range(draw(st.integers(1, 6)))]
    events = [e for history, _ in histories for e in history]
    duplicates = draw(st.lists(st.sampled_from(events), max_size=len(events)))
    delivered = draw(st.permutations(events + duplicates))
    return events, delivered, [final for _, final in histories]


def fold(events):
    projection = empty_projection("lib1")
    for e in events:
        projection = apply(projection, e)
    return projection


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(), st.sampled_from([None, 5, 25]))
def test_any_delivery_order_with_duplicates_scores_like_the_final_evidence(case, staff_count):
    in_order, delivered, finals = case
    projection = fold(delivered)
    assert projection == fold(in_order)
    assert projection.items() == sorted(finals, key=lambda i: i.id)
    profile = Profile("lib1")
    assert score(MODEL_V1, profile, projection.items(), staff_count, TODAY) == score(
        MODEL_V1, profile, finals, staff_count, TODAY
    )
