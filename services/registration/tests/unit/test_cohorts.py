import pytest
from registration_builders import NOW

from registration.domain import (
    AlreadyEnrolled,
    CohortNotOpen,
    IllegalTransition,
    InvalidField,
    InvalidInput,
    collect_events,
    create_cohort,
    enrol,
    move_enrolment,
    withdraw_library,
)

pytestmark = pytest.mark.unit


@pytest.fixture
def open_programme():
    return create_cohort("Det åbne program", 2024, None, cohort_id="open", state="open")


@pytest.fixture
def pilot():
    return create_cohort("Udviklingsprojektet 2021-2023", 2021, 2023, cohort_id="pilot", state="closed")


def test_new_cohort_is_planned_then_opened_then_closed():
    cohort = create_cohort(" Forløb 2026 ", 2026, 2028)
    assert (cohort.name, cohort.state) == ("Forløb 2026", "planned")
    cohort.open(NOW)
    cohort.close(NOW)
    assert cohort.state == "closed"
    with pytest.raises(IllegalTransition) as err:
        cohort.open(NOW)
    assert err.value.state == "closed"


def test_a_created_cohort_records_its_creation_and_each_change_records_an_update_with_a_newer_version():
    cohort = create_cohort("Forløb 2026", 2026, 2028, now=NOW)
    cohort.rename(" Forløb 2026-2028 ", NOW)
    cohort.rename("Forløb 2026-2028", NOW)  # unchanged: nothing recorded
    cohort.open(NOW)
    facts = collect_events(cohort)
    assert [(f.type, f.payload["version"], f.payload["changed"]) for f in facts] == [
        ("cohort.created", 1, []), ("cohort.updated", 2, ["name"]), ("cohort.updated", 3, ["state"])]
    assert facts[-1].payload | {"changed": None} == {
        "cohort_id": cohort.cohort_id, "version": 3, "name": "Forløb 2026-2028", "start_year": 2026,
        "end_year": 2028, "state": "open", "changed": None}


def test_a_cohort_is_not_renamed_to_an_empty_name():
    cohort = create_cohort("Forløb 2026", 2026, 2028)
    with pytest.raises(InvalidInput):
        cohort.rename("  ", NOW)
    assert cohort.name == "Forløb 2026" and not cohort.events


def test_cohort_period_cannot_end_before_it_starts():
    with pytest.raises(InvalidField) as err:
        create_cohort("Baglæns", 2025, 2024)
    assert err.value.code == "period_reversed"
    with pytest.raises(InvalidInput):
        create_cohort("", 1999, "2024")


def test_enrolment_records_cohort_for_scoring(library_and_coordinator, open_programme):
    library, _ = library_and_coordinator
    enrolment = enrol(library, open_programme, None, NOW)
    (fact,) = enrolment.events
    assert fact.type == "enrolment.started"
    assert (fact.payload["library_id"], fact.payload["cohort_id"], fact.payload["cohort_name"]) == (
        library.library_id,
        "open",
        "Det åbne program",
    )


def test_library_is_enrolled_in_one_cohort_at_a_time(library_and_coordinator, open_programme):
    library, _ = library_and_coordinator
    current = enrol(library, open_programme, None, NOW)
    other = create_cohort("Andet forløb", 2025, 2027, state="open")
    with pytest.raises(AlreadyEnrolled) as err:
        enrol(library, other, current, NOW)
    assert "Det åbne program" in err.value.message_da


def test_cannot_enrol_in_a_cohort_that_is_not_open(library_and_coordinator, pilot):
    library, _ = library_and_coordinator
    with pytest.raises(CohortNotOpen) as err:
        enrol(library, pilot, None, NOW)
    assert err.value.state == "closed"


def test_withdrawn_library_cannot_enrol(library_and_coordinator, open_programme):
    library, _ = library_and_coordinator
    withdraw_library(library, None, NOW)
    with pytest.raises(IllegalTransition):
        enrol(library, open_programme, None, NOW)


def test_withdrawn_enrolment_frees_the_library_to_enrol_again(library_and_coordinator, open_programme):
    library, _ = library_and_coordinator
    first = enrol(library, open_programme, None, NOW)
    fact = first.withdraw(NOW)
    assert fact.type == "enrolment.withdrawn" and fact.payload["reason"] == "withdrawn"
    with pytest.raises(IllegalTransition):
        first.withdraw(NOW)
    assert enrol(library, open_programme, first, NOW).is_active


def test_moving_between_cohorts_withdraws_and_starts_returning_both_facts(library_and_coordinator, open_programme):
    library, _ = library_and_coordinator
    old_cohort = create_cohort("Forløb A", 2024, 2026, cohort_id="a", state="open")
    current = enrol(library, old_cohort, None, NOW)
    current.events.clear()
    move = move_enrolment(library, current, open_programme, NOW)
    facts = [*move.withdrawn.events, *move.started.events]
    assert [f.type for f in facts] == ["enrolment.withdrawn", "enrolment.started"]
    assert facts[0].payload["reason"] == "moved"
    assert (move.withdrawn.status, move.started.cohort_id) == ("withdrawn", "open")


def test_cannot_move_to_the_same_cohort_or_a_closed_one(library_and_coordinator, open_programme, pilot):
    library, _ = library_and_coordinator
    current = enrol(library, open_programme, None, NOW)
    with pytest.raises(AlreadyEnrolled):
        move_enrolment(library, current, open_programme, NOW)
    with pytest.raises(CohortNotOpen):
        move_enrolment(library, current, pilot, NOW)
    assert current.is_active
