from dataclasses import replace

import pytest

from scoring.domain import MODEL_V1, InvalidAdjustment, Profile, UnknownRequirement, adjust, targets
from scoring.domain.profiles import default_target, effective_target

pytestmark = pytest.mark.unit

F1, C1, C2, C3, D3 = (MODEL_V1.requirement(i) for i in ("F1", "C1", "C2", "C3", "D3"))


def test_a_small_library_is_held_to_half_the_scaled_targets_rounded_up():
    assert default_target(F1, staff_count=6) == 2
    assert default_target(C1, staff_count=6) == 2  # 3 * 0.5 = 1.5 -> 2
    assert default_target(C2, staff_count=6) == 1


def test_scaling_never_goes_below_one():
    one = MODEL_V1.requirement("D4")
    assert default_target(replace(one, scale_by_size=True), staff_count=2) == 1


def test_a_library_with_ten_staff_or_unknown_staff_keeps_the_default():
    assert default_target(F1, staff_count=10) == 4
    assert default_target(F1, staff_count=None) == 4


def test_requirements_not_marked_for_scaling_keep_their_target_in_small_libraries():
    assert default_target(C3, staff_count=3) == 3
    assert default_target(D3, staff_count=3) == 90


def test_the_latest_adjustment_is_the_effective_target_and_history_is_kept():
    p = Profile("lib1")
    p = adjust(p, MODEL_V1, "C1", 2, reason="Lille filial", author="assessor-1", at="2024-01-10T10:00:00+00:00")
    p = adjust(p, MODEL_V1, "C1", 1, reason="Ombygning", author="assessor-2", at="2024-03-01T09:00:00+00:00")
    assert effective_target(p, C1, staff_count=40) == 1
    assert [(a.target, a.author) for a in p.history("C1")] == [(2, "assessor-1"), (1, "assessor-2")]


def test_latest_means_latest_timestamp_even_when_recorded_out_of_order():
    p = Profile("lib1")
    p = adjust(p, MODEL_V1, "F1", 3, reason="ny", author="a", at="2024-05-01T00:00:00+00:00")
    p = adjust(p, MODEL_V1, "F1", 6, reason="gammel", author="a", at="2024-01-01T00:00:00+00:00")
    assert effective_target(p, F1, staff_count=None) == 3


def test_an_adjustment_overrides_size_scaling_and_none_returns_to_the_default():
    p = adjust(Profile("lib1"), MODEL_V1, "F1", 5, reason="Stor", author="a", at="2024-01-01T00:00:00+00:00")
    assert effective_target(p, F1, staff_count=4) == 5
    p = adjust(p, MODEL_V1, "F1", None, reason="Tilbage", author="a", at="2024-02-01T00:00:00+00:00")
    assert effective_target(p, F1, staff_count=4) == 2
    assert len(p.history("F1")) == 2


def test_targets_report_where_each_target_comes_from():
    p = adjust(Profile("lib1"), MODEL_V1, "C3", 2, reason="Få unge", author="a", at="2024-01-01T00:00:00+00:00")
    by_id = {t.requirement_id: t for t in targets(MODEL_V1, p, staff_count=5)}
    assert (by_id["C3"].source, by_id["C3"].target, by_id["C3"].default) == ("adjusted", 2, 3)
    assert (by_id["F1"].source, by_id["F1"].target) == ("scaled", 2)
    assert (by_id["D1"].source, by_id["D1"].target) == ("default", 1)


def test_an_adjustment_without_a_reason_is_refused_in_danish_and_english():
    with pytest.raises(InvalidAdjustment) as caught:
        adjust(Profile("lib1"), MODEL_V1, "C1", 2, reason="  ", author="a", at="2024-01-01T00:00:00+00:00")
    assert caught.value.message_da == "En tilpasning skal have en begrundelse"


@pytest.mark.parametrize("requirement_id,target", [("C1", 0), ("C1", 1.5), ("D3", 150)])
def test_an_adjustment_with_an_impossible_target_is_refused(requirement_id, target):
    with pytest.raises(InvalidAdjustment):
        adjust(Profile("lib1"), MODEL_V1, requirement_id, target, reason="x", author="a", at="2024-01-01")


def test_an_adjustment_of_an_unknown_requirement_is_refused():
    with pytest.raises(UnknownRequirement):
        adjust(Profile("lib1"), MODEL_V1, "Z9", 1, reason="x", author="a", at="2024-01-01")


def test_profile_survives_a_round_trip_through_a_plain_dict():
    p = adjust(Profile("lib1"), MODEL_V1, "C1", 2, reason="Lille", author="a", at="2024-01-01T00:00:00+00:00")
    assert Profile.from_dict(p.to_dict()) == p
