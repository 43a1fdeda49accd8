import pytest
from scoring_builders import item

from scoring.domain import national_figures, summarize_library

pytestmark = pytest.mark.unit


def summaries():
    roskilde = summarize_library(
        "rk",
        [
            item("a", date="2024-03-02", participants=20, sdgs=(12,), partners=("Repair Café",)),
            item("b", kind="communication", date="2024-03-20", participants=5, sdgs=(4, 12)),
            item("c", date="2024-04-01", participants=100, status="submitted"),  # not yet approved
            item("d", kind="operations_measure", date="2024-04-10", sdgs=(7,)),
            item("p", kind="action_plan", date=None),
        ],
        status="certified",
        cohort="pilot",
        municipality="Roskilde",
    )
    odense = summarize_library(
        "od",
        [
            item("x", date="2024-04-05", participants=12, sdgs=(13,), partners=("repair  café", "DN")),
            item("y", date=None, participants=3),
        ],
        status="in_progress",
        cohort="open",
        municipality="Odense",
    )
    return [roskilde, odense]


def test_a_library_summary_counts_approved_activities_by_month():
    roskilde = summaries()[0]
    assert roskilde.by_month == {"2024-03": (2, 25), "2024-04": (0, 0)}
    assert roskilde.sdgs == (4, 7, 12)
    assert roskilde.partners == ("repair café",)


def test_national_totals_add_up_across_libraries():
    f = national_figures(summaries())
    assert (f["libraries"], f["activities"], f["participants"]) == (2, 4, 40)
    assert f["by_status"] == {"certified": 1, "in_progress": 1}
    assert f["partners"] == 2  # "Repair Café" in two libraries is one partner nationally
    assert f["sdgs"]["12"] == 1 and f["sdgs"]["13"] == 1 and f["sdgs"]["1"] == 0
    assert f["sdgs_covered"] == 4
    assert f["by_month"] == [
        {"month": "2024-03", "activities": 2, "participants": 25},
        {"month": "2024-04", "activities": 1, "participants": 12},
    ]
    assert f["by_municipality"]["Odense"] == {
        "libraries": 1, "certified": 0, "in_progress": 1, "activities": 2, "participants": 15
    }


def test_national_figures_can_be_narrowed_to_a_cohort_and_a_period():
    f = national_figures(summaries(), cohort="open")
    assert (f["libraries"], f["activities"]) == (1, 2)
    f = national_figures(summaries(), month_from="2024-04", month_to="2024-04")
    assert (f["activities"], f["participants"]) == (1, 12)  # undated items fall outside any period
    assert f["by_cohort"]["pilot"] == {
        "libraries": 1, "certified": 1, "in_progress": 0, "activities": 0, "participants": 0
    }
