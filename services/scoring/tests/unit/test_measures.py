from datetime import date

import pytest
from scoring_builders import TODAY, item

from scoring.domain import MODEL_V1
from scoring.domain.measures import achieved, matches, months_before

pytestmark = pytest.mark.unit


def req(requirement_id):
    return MODEL_V1.requirement(requirement_id)


def test_count_counts_items_of_the_kind():
    items = [item("a", kind="shared_case"), item("b", kind="shared_case"), item("c", kind="activity")]
    assert achieved(req("D4"), items, TODAY) == 2


def test_count_applies_the_dimension_and_co_created_filters():
    items = [
        item("a", dimension="faellesskaber", co_created=True),
        item("b", dimension="faellesskaber", co_created=False),
        item("c", dimension="formidling", co_created=True),
        item("d", kind="shared_case", dimension="faellesskaber", co_created=True),
    ]
    # C1 has no kind filter: any co-created item in the dimension counts.
    assert achieved(req("C1"), items, TODAY) == 2


def test_count_within_months_keeps_only_items_dated_in_the_last_twelve_months():
    items = [
        item("in", dimension="formidling", date="2023-06-01"),
        item("edge", dimension="formidling", date="2024-06-01"),
        item("old", dimension="formidling", date="2023-05-31"),
        item("future", dimension="formidling", date="2024-06-02"),
        item("undated", dimension="formidling", date=None),
    ]
    assert achieved(req("F1"), items, TODAY) == 2


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2024, 1, 15), 12) == date(2023, 1, 15)


def test_distinct_sdgs_counts_each_goal_once_across_all_items():
    items = [item("a", sdgs=(4, 13)), item("b", kind="communication", sdgs=(13, 12)), item("c", sdgs=())]
    assert achieved(req("F2"), items, TODAY) == 3


def test_distinct_partners_ignores_case_and_spacing_of_names():
    items = [
        item("a", partners=("Roskilde Repair Café", "DN")),
        item("b", partners=("roskilde  repair café",)),
        item("c", partners=("Lokalrådet",)),
    ]
    assert achieved(req("C2"), items, TODAY) == 3


def test_distinct_age_groups_counts_only_items_in_faellesskaber():
    items = [
        item("a", dimension="faellesskaber", age_groups=("children", "youth")),
        item("b", dimension="faellesskaber", age_groups=("children",)),
        item("c", dimension="formidling", age_groups=("seniors",)),
    ]
    assert achieved(req("C3"), items, TODAY) == 2


def test_share_of_staff_is_taken_from_the_latest_training_item_not_the_best():
    items = [
        item("old", kind="staff_training", date="2023-01-01", staff_share=95),
        item("new", kind="staff_training", date="2024-01-01", staff_share=60),
    ]
    assert achieved(req("D3"), items, TODAY) == pytest.approx(60)


def test_share_of_staff_is_zero_without_a_training_item():
    assert achieved(req("D3"), [item("a", staff_share=100)], TODAY) == 0


def test_document_approved_is_one_when_an_action_plan_counts_and_zero_otherwise():
    assert achieved(req("D1"), [item("p", kind="action_plan")], TODAY) == 1
    assert achieved(req("D1"), [item("a", kind="activity")], TODAY) == 0


def test_operations_with_before_after_needs_both_figures():
    items = [
        item("a", kind="operations_measure", before=10.0, after=7.0),
        item("b", kind="operations_measure", before=10.0),
        item("c", kind="operations_measure", before=0.0, after=0.0),
        item("d", kind="activity", before=1.0, after=2.0),
    ]
    assert achieved(req("D2"), items, TODAY) == 2


def test_an_item_without_the_requirement_kind_does_not_match():
    assert not matches(req("D4"), item("a", kind="activity"), TODAY)
    assert matches(req("D4"), item("a", kind="shared_case"), TODAY)
