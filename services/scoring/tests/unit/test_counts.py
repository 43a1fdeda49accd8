"""Counts: the evidence-dependent half of a score, so a model version that changes only targets,
weights or texts re-scores a library without counting its items again."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_builders import TODAY

from scoring.domain import MODEL_V1, Counts, Item, Profile, count_items, score, score_counts

pytestmark = pytest.mark.unit

items = st.lists(
    st.builds(
        Item,
        id=st.sampled_from([f"i{n}" for n in range(12)]),
        kind=st.sampled_from(["activity", "communication", "operations_measure", "staff_training", "shared_case",
                              "action_plan"]),
        revision=st.integers(1, 3),
        status=st.sampled_from(["submitted", "clarification_requested", "approved", "rejected", "withdrawn"]),
        dimension=st.sampled_from(["formidling", "faellesskaber", "drift"]),
        sdgs=st.lists(st.integers(1, 17), max_size=3, unique=True).map(lambda s: tuple(sorted(s))),
        date=st.sampled_from([None, "2023-01-10", "2024-05-20", (TODAY - timedelta(days=20)).isoformat()]),
        participants=st.integers(0, 40),
        age_groups=st.sampled_from([(), ("children",), ("adults", "seniors")]),
        partners=st.sampled_from([(), ("DN",), ("Skolen", "Lokalrådet")]),
        co_created=st.booleans(),
        before=st.sampled_from([None, 100.0]),
        after=st.sampled_from([None, 70.0]),
        staff_share=st.sampled_from([None, 50.0, 95.0]),
    ),
    max_size=25,
)

# A new version that changes what counts less than how much is needed: targets, weights, texts.
target_changes = st.lists(
    st.tuples(st.sampled_from([r.id for r in MODEL_V1.requirements]), st.integers(1, 12), st.sampled_from([0.5, 1, 3])),
    max_size=4,
)


def _retargeted(changes):
    reqs = {r.id: r for r in MODEL_V1.requirements}
    for rid, target, weight in changes:
        r = reqs[rid]
        new_target = min(target * 10, 100) if r.measure == "share_of_staff" else target
        if r.measure == "document_approved":
            new_target = 1
        reqs[rid] = replace(r, target=new_target, weight=weight, text_da=r.text_da + " (ny)")
    return replace(MODEL_V1, version=2, requirements=tuple(reqs[r.id] for r in MODEL_V1.requirements))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=items, changes=target_changes, staff=st.integers(1, 60))
def test_counts_from_one_version_score_a_retargeted_version_exactly_as_counting_again(items, changes, staff):
    counts = count_items(MODEL_V1, items, TODAY)
    new_model = _retargeted(changes)
    assert counts.covers(new_model, TODAY)
    profile = Profile(library_id="lib1")
    stored = Counts.from_dict(counts.to_dict())  # as kept with the library's score
    assert score_counts(new_model, profile, stored, staff) == score(new_model, profile, items, staff, TODAY)


def test_counts_do_not_cover_a_version_that_counts_differently_or_another_day():
    counts = count_items(MODEL_V1, [], TODAY)
    assert counts.covers(MODEL_V1, TODAY)
    assert not counts.covers(MODEL_V1, TODAY + timedelta(days=1))  # date windows move
    first = MODEL_V1.requirements[0]
    for changed in (replace(first, filters={**first.filters, "co_created": True}),
                    replace(first, measure="distinct_sdgs" if first.measure != "distinct_sdgs" else "count"),
                    replace(first, kind="communication" if first.kind != "communication" else "activity")):
        model = replace(MODEL_V1, version=2, requirements=(changed, *MODEL_V1.requirements[1:]))
        assert not counts.covers(model, TODAY)
