from datetime import timedelta

import pytest
from registration_builders import FORM, NOW, registered

from registration.domain import (
    EmailInUse,
    IllegalTransition,
    InvalidInput,
    IsilInUse,
    TokenExpired,
    TokenSuperseded,
    TokenUsed,
    confirm_email,
    pilot_library,
    pilot_seed,
    register_library,
    resend_confirmation,
    shipped_cohorts,
    validate_registration,
    withdraw_library,
)
from registration.domain.errors import Conflict

pytestmark = pytest.mark.unit


def test_validate_registration_normalises_the_form_and_drops_the_password():
    values = validate_registration(FORM)
    assert values["municipality"] == "Ballerup"
    assert values["coordinator_email"] == "mette.hansen@ballerup.example"
    assert values["branches"] == ["Skovlunde Bibliotek", "Måløv Bibliotek"]
    assert "password" not in values


def test_validate_registration_lists_every_problem_at_once():
    bad = {**FORM, "isil": "123", "municipality": "Atlantis", "coordinator_email": "nope", "password": "kort"}
    with pytest.raises(InvalidInput) as err:
        validate_registration(bad)
    assert {e.field for e in err.value.errors} == {"isil", "municipality", "coordinator_email", "password"}


def test_rejects_duplicate_branch_names_at_registration():
    with pytest.raises(InvalidInput) as err:
        validate_registration({**FORM, "branches": ["Måløv", "måløv"]})
    assert err.value.errors[0].code == "duplicate_branch"


def test_registration_creates_pending_library_and_pending_coordinator():
    reg = registered()
    assert reg.library.status == "pending"
    assert reg.coordinator.status == "pending"
    assert reg.coordinator.role == "coordinator"
    assert reg.coordinator.library_id == reg.library.library_id
    assert [b.name for b in reg.library.branches] == ["Skovlunde Bibliotek", "Måløv Bibliotek"]
    assert reg.coordinator.password_hash == "argon2-hash"


def test_registration_records_library_registered_with_what_mail_and_scoring_need():
    reg = registered()
    (fact,) = reg.library.events
    assert fact.type == "library.registered"
    p = fact.payload
    assert p["confirmation_token"] == reg.confirmation_token == "confirm-token"
    assert p["token_expires_at"] == (NOW + timedelta(hours=48)).isoformat()
    assert p["coordinator"] == {
        "person_id": reg.coordinator.person_id,
        "name": "Mette Hansen",
        "email": "mette.hansen@ballerup.example",
        "language": "da",
        "role": "coordinator",
    }
    assert (p["staff_count"], p["kind"], p["municipality"]) == (45, "folkebibliotek", "Ballerup")
    assert reg.coordinator.events == []


def test_registration_refuses_an_isil_already_registered():
    with pytest.raises(IsilInUse) as err:
        register_library(FORM, "h", NOW, isil_taken_by="lib-1", people_with_email=[])
    assert isinstance(err.value, Conflict) and err.value.field == "isil"


def test_registration_refuses_an_email_already_in_use():
    existing = registered().coordinator
    with pytest.raises(EmailInUse):
        register_library({**FORM, "isil": "DK-900002"}, "h", NOW, isil_taken_by=None, people_with_email=[existing])


def test_confirming_the_email_activates_coordinator_and_library():
    reg = registered()
    confirm_email(reg.coordinator, reg.library, "confirm-token", NOW + timedelta(hours=1))
    assert reg.coordinator.status == "active" and reg.library.status == "active"
    assert reg.library.events[-1].type == "library.activated"
    assert reg.library.events[-1].payload["coordinator"]["email"] == "mette.hansen@ballerup.example"
    assert [e.type for e in reg.coordinator.events] == ["person.joined"]
    assert reg.coordinator.can_sign_in


def test_confirmation_link_works_once():
    reg = registered()
    confirm_email(reg.coordinator, reg.library, "confirm-token", NOW)
    with pytest.raises(TokenUsed):
        confirm_email(reg.coordinator, reg.library, "confirm-token", NOW)


def test_confirmation_link_expires_after_48_hours():
    reg = registered()
    with pytest.raises(TokenExpired):
        confirm_email(reg.coordinator, reg.library, "confirm-token", NOW + timedelta(hours=48))
    assert reg.coordinator.status == "pending"


def test_resending_confirmation_invalidates_the_old_link():
    reg = registered()
    new = resend_confirmation(reg.coordinator, reg.library, NOW + timedelta(hours=47), token="second")
    assert new == "second"
    (fact,) = reg.coordinator.events
    assert fact.type == "person.email_confirmation_requested"
    assert fact.payload["confirmation_token"] == "second"
    assert fact.payload["library_name"] == "Ballerup Bibliotekerne"
    with pytest.raises(TokenSuperseded):
        confirm_email(reg.coordinator, reg.library, "confirm-token", NOW + timedelta(hours=48))
    confirm_email(reg.coordinator, reg.library, "second", NOW + timedelta(hours=48))
    assert reg.library.status == "active"


def test_confirmation_cannot_be_resent_to_an_active_person(library_and_coordinator):
    library, coordinator = library_and_coordinator
    with pytest.raises(IllegalTransition) as err:
        resend_confirmation(coordinator, library, NOW)
    assert err.value.state == "active"


def test_withdrawing_a_library_ends_its_enrolment(library_and_coordinator):
    from registration.domain import create_cohort, enrol

    library, _ = library_and_coordinator
    cohort = create_cohort("Det åbne program", 2024, None, state="open")
    enrolment = enrol(library, cohort, None, NOW)
    withdraw_library(library, enrolment, NOW, reason="fusion")
    assert library.status == "withdrawn"
    assert enrolment.status == "withdrawn" and enrolment.reason == "library_withdrawn"


def test_seeding_builds_20_active_pilot_libraries_enrolled_in_the_pilot_with_stable_ids():
    cohorts = {c.cohort_id: c for c in shipped_cohorts(NOW)}

    def seed():
        return [pilot_library(entry, cohorts[entry.cohort_id], NOW) for entry in pilot_seed().libraries]

    first, second = seed(), seed()
    assert len(first) == 20
    assert all(lib.status == "active" and lib.origin == "seed" for lib, _ in first)
    assert [lib.library_id for lib, _ in first] == [lib.library_id for lib, _ in second]
    assert {e.cohort_name for _, e in first} == {"Udviklingsprojektet 2021-2023"}
    assert [e.type for e in first[0][0].events] == ["library.registered", "library.activated"]
    assert {c.state for c in cohorts.values()} == {"closed", "open"}
