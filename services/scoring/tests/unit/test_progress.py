from dataclasses import replace

import pytest
from scoring_builders import TODAY, complete_items, item

from scoring.domain import MODEL_V1, Profile, adjust, score

pytestmark = pytest.mark.unit


def _score(items, staff_count=25, profile=None):
    return score(MODEL_V1, profile or Profile("lib1"), items, staff_count, TODAY)


def test_a_new_library_has_zero_progress_and_is_not_started():
    s = _score([])
    assert s.status == "not_started"
    assert (s.overall_provisional, s.overall_verified) == (0, 0)
    assert len(s.missing_da) == 9


def test_progress_is_achieved_over_target_capped_at_one():
    items = [item(f"c{n}", dimension="faellesskaber", co_created=True) for n in range(5)]
    by_id = {r.id: r for r in _score(items).requirements}
    assert by_id["C1"].achieved == 5 and by_id["C1"].progress == 1
    items = items[:2]
    assert {r.id: r for r in _score(items).requirements}["C1"].progress == pytest.approx(2 / 3)


def test_dimension_is_the_weighted_mean_and_overall_the_mean_of_dimensions():
    model = replace(
        MODEL_V1, requirements=tuple(replace(r, weight=3.0) if r.id == "C1" else r for r in MODEL_V1.requirements)
    )
    items = [item(f"c{n}", dimension="faellesskaber", co_created=True) for n in range(3)]
    s = score(model, Profile("lib1"), items, 25, TODAY)
    # C1 = 1 (weight 3), C2 = 0, C3 = 0 -> 3/5; other dimensions 0.
    assert s.dimensions["faellesskaber"][0] == pytest.approx(0.6)
    assert s.overall_provisional == pytest.approx(0.2)


def test_submitted_and_clarification_count_provisionally_but_only_approved_is_verified():
    items = [
        item("a", status="approved", dimension="faellesskaber", co_created=True, sdgs=(1,)),
        item("b", status="submitted", dimension="faellesskaber", co_created=True, sdgs=(2,)),
        item("c", status="clarification_requested", dimension="faellesskaber", co_created=True, sdgs=(3,)),
        item("d", status="rejected", dimension="faellesskaber", co_created=True, sdgs=(4,)),
        item("e", status="withdrawn", dimension="faellesskaber", co_created=True, sdgs=(5,)),
    ]
    s = _score(items)
    c1 = {r.id: r for r in s.requirements}["C1"]
    assert (c1.achieved, c1.verified_achieved) == (3, 1)
    assert s.sdgs_provisional == (1, 2, 3) and s.sdgs_verified == (1,)


def test_missing_lines_say_in_danish_and_english_what_is_left():
    items = [item("c1", dimension="faellesskaber", co_created=True), item("t", kind="staff_training", staff_share=65)]
    s = _score(items)
    assert "Mangler 2 aktiviteter skabt sammen med borgere" in s.missing_da
    assert "2 more activities co-created with citizens needed" in s.missing_en
    assert "65 % af personalet er introduceret til verdensmålene; kravet er 90 %" in s.missing_da
    assert "Mangler 1 lokal partner" not in s.missing_da  # no partners yet: two are missing
    assert "Mangler 2 lokale partnere" in s.missing_da
    assert "Mangler 3-årig handleplan" in s.missing_da


def test_missing_lines_use_the_singular_for_one():
    items = [item(f"c{n}", dimension="faellesskaber", co_created=True) for n in range(2)]
    assert "Mangler 1 aktivitet skabt sammen med borgere" in _score(items).missing_da


def test_a_share_just_below_the_target_is_never_shown_as_meeting_it():
    s = _score([item("t", kind="staff_training", staff_share=89.6)])
    assert "89 % af personalet er introduceret til verdensmålene; kravet er 90 %" in s.missing_da


def test_a_library_meeting_every_requirement_provisionally_is_ready_for_review():
    s = _score(complete_items(status="submitted"))
    assert s.status == "ready_for_review" and s.missing_da == ()
    assert s.overall_provisional == 1 and s.overall_verified == 0
    assert not s.verified_complete
    assert _score(complete_items()).verified_complete


def test_a_small_library_is_ready_with_fewer_activities():
    items = [i for i in complete_items() if i.id not in ("c0", "f1", "f2")]
    items.append(item("extra", dimension="faellesskaber", age_groups=("children",), sdgs=(1, 2)))
    assert _score(items, staff_count=25).status == "in_progress"
    assert _score(items, staff_count=6).status == "ready_for_review"


def test_an_assessor_adjustment_changes_the_target_scored_against():
    profile = adjust(
        Profile("lib1"), MODEL_V1, "C3", 1, reason="Kun voksne", author="a", at="2024-01-01T00:00:00+00:00"
    )
    items = [item("c", dimension="faellesskaber", age_groups=("adults",))]
    assert {r.id: r for r in _score(items, profile=profile).requirements}["C3"].progress == 1


def test_to_dict_has_the_public_api_shape():
    d = _score(complete_items(status="submitted")).to_dict()
    assert set(d) == {"status", "overall", "dimensions", "requirements", "sdgs", "missing"}
    assert d["overall"] == {"provisional": 1.0, "verified": 0.0}
    assert set(d["dimensions"]) == {"formidling", "faellesskaber", "drift"}
    assert set(d["requirements"][0]) == {
        "id",
        "dimension",
        "text_da",
        "achieved",
        "target",
        "progress",
        "verified_progress",
    }
    assert d["sdgs"]["verified"] == []


def test_missing_can_be_rendered_in_english():
    assert _score([]).to_dict(language="en")["missing"][0] == "Missing: 3-year action plan"
