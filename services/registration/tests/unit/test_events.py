"""Every fact the domain records is a valid payload of its declared event type."""

import json
from datetime import timedelta

import pytest
from registration_builders import NOW, active_library_with_coordinator, registered

import shared.events.registration  # noqa: F401  (declares the registration event types)
from registration.domain import (
    accept_invitation,
    change_role,
    collect_events,
    create_cohort,
    deactivate,
    enrol,
    erase,
    invite_person,
    move_enrolment,
    pilot_library,
    pilot_seed,
    reactivate,
    resend_confirmation,
    shipped_cohorts,
    withdraw_library,
)
from registration.domain import facts as fact_types
from shared.events.base import CATALOGUE

pytestmark = pytest.mark.unit

DECLARED = [v for k, v in vars(fact_types).items() if k.isupper() and isinstance(v, str)]


def every_kind_of_fact():
    """Run one scenario that records every fact type the domain knows."""
    pending = registered(isil="DK-900099", coordinator_email="p@x.example")
    resend_confirmation(pending.coordinator, pending.library, NOW)
    library, coordinator = active_library_with_coordinator()
    branch = library.add_branch("Filial", NOW)
    library.rename_branch(branch.branch_id, "Filialen", NOW)
    library.close_branch(branch.branch_id, NOW)
    library.update({"staff_count": 47, "website": ""}, NOW)
    inv = invite_person(
        email="ole@b.example", role="member", library=library, inviter=coordinator, people_with_email=[], now=NOW
    )
    accept_invitation(inv.person, library, inv.token, "h", NOW, name="Ole")
    change_role(inv.person, "coordinator", [coordinator], NOW)
    inv.person.update_profile(NOW, language="en")
    inv.person.request_password_reset(NOW)
    deactivate(inv.person, [coordinator], NOW)
    reactivate(inv.person, [], NOW, reactivated_by=coordinator.person_id, library_name=library.name)
    erase(inv.person, NOW)
    staff = invite_person(
        email="a@chora.example", role="assessor", library=None, inviter=None, people_with_email=[], now=NOW, name="Anna"
    )
    cohort_a = create_cohort("A", 2024, 2025, state="open", now=NOW)
    cohort_b = create_cohort("B", 2024, None, state="planned", now=NOW)
    cohort_b.rename("Forløb B", NOW)
    cohort_b.open(NOW)
    enrolment = enrol(library, cohort_a, None, NOW)
    move = move_enrolment(library, enrolment, cohort_b, NOW + timedelta(minutes=1))
    withdraw_library(library, move.started, NOW)
    pilot = next(c for c in shipped_cohorts(NOW) if c.cohort_id == pilot_seed().libraries[0].cohort_id)
    seeded, seeded_enrolment = pilot_library(pilot_seed().libraries[0], pilot, NOW)
    return collect_events(
        pending.library,
        pending.coordinator,
        library,
        coordinator,
        inv.person,
        staff.person,
        move.withdrawn,
        move.started,
        seeded,
        seeded_enrolment,
        cohort_a,
        cohort_b,
    )


def test_every_fact_type_is_declared_in_the_shared_catalogue():
    for name in DECLARED:
        assert name in CATALOGUE, name
        assert CATALOGUE[name].description, f"{name} needs a one-line docstring"


def test_every_recorded_fact_validates_against_its_schema_and_is_json():
    facts = every_kind_of_fact()
    assert {f.type for f in facts} == set(DECLARED)
    for fact in facts:
        json.dumps(fact.payload)
        schema = CATALOGUE[fact.type].schema()
        assert schema.validate(fact.payload) == {}, (fact.type, schema.validate(fact.payload))
        # What shared.events does on publish: load then dump. Nothing may be lost or altered.
        assert schema.dump(schema.load(fact.payload)) == fact.payload, fact.type


def test_schemas_refuse_payloads_missing_what_consumers_need():
    errors = CATALOGUE["library.registered"].schema().validate({"library_id": "x"})
    assert {"staff_count", "kind", "municipality", "coordinator", "confirmation_token"} <= set(errors)
    errors = CATALOGUE["person.invited"].schema().validate({"person_id": "p"})
    assert {"email", "language", "invitation_token", "inviter_name", "library_name"} <= set(errors)


def test_schemas_tolerate_unknown_fields_on_receipt():
    payload = {"person_id": "p", "library_id": None, "added_later": 1}
    assert CATALOGUE["person.erased"].schema().load(payload) == {"person_id": "p", "library_id": None}


def test_payload_timestamps_are_utc_iso_strings():
    library, _ = active_library_with_coordinator()
    library.withdraw(NOW)
    assert library.events[-1].payload["withdrawn_at"] == "2025-03-03T09:00:00+00:00"
