from __future__ import annotations

import copy

import pytest

from notification.domain.recipients import apply_registration_event, empty_state

pytestmark = pytest.mark.unit


def test_registration_adds_the_library_and_its_coordinator(registered):
    state = apply_registration_event(
        empty_state(),
        "library.registered",
        registered("L1", "Aarhus", {"person_id": "P1", "name": "Anna", "email": "a@x.dk", "language": "en"}),
    )
    assert state["libraries"] == {"L1": {"name": "Aarhus", "status": "registered"}}
    person = state["people"]["P1"]
    assert person["role"] == "coordinator" and person["library_id"] == "L1"
    assert person["language"] == "en" and person["active"] is True
    assert person["prefs"] == {"non_essential": True}


def test_activation_and_withdrawal_change_the_library_status(state):
    assert state["libraries"]["L1"]["status"] == "active"
    assert state["libraries"]["L3"]["status"] == "withdrawn"


def test_library_update_renames_a_known_library_and_ignores_an_unknown_one(state):
    state = apply_registration_event(state, "library.updated", {"library_id": "L1", "name": "Dokk1"})
    state = apply_registration_event(state, "library.updated", {"library_id": "NOPE", "name": "X"})
    assert state["libraries"]["L1"]["name"] == "Dokk1"
    assert "NOPE" not in state["libraries"]


def test_erased_person_is_removed_at_once(state):
    state = apply_registration_event(state, "person.erased", {"person_id": "P2"})
    assert "P2" not in state["people"]
    assert state["erased"] == ["P2"]


def test_a_late_event_never_brings_an_erased_person_back(state, joined):
    state = apply_registration_event(state, "person.erased", {"person_id": "P2"})
    state = apply_registration_event(state, "person.joined", joined("P2", "L1", "coordinator"))
    state = apply_registration_event(
        state, "person.invited", {**joined("P2", "L1", "member"), "invitation_token": "t", "library_name": "x"}
    )
    assert "P2" not in state["people"]


def test_every_event_is_idempotent(history):
    state = empty_state()
    for event_type, payload in history + [("person.erased", {"person_id": "P3"})]:
        once = apply_registration_event(state, event_type, payload)
        twice = apply_registration_event(once, event_type, payload)
        assert twice == once, event_type
        state = once


def test_applying_an_event_does_not_mutate_the_given_state(state):
    before = copy.deepcopy(state)
    apply_registration_event(state, "person.erased", {"person_id": "P1"})
    apply_registration_event(state, "person.role_changed", {"person_id": "P3", "role": "coordinator"})
    assert state == before


def test_role_change_and_deactivation_update_a_known_person(state):
    state = apply_registration_event(
        state, "person.role_changed", {"person_id": "P3", "library_id": "L1", "role": "coordinator"}
    )
    assert state["people"]["P3"]["role"] == "coordinator"
    state = apply_registration_event(state, "person.deactivated", {"person_id": "P3"})
    assert state["people"]["P3"]["active"] is False


def test_events_about_unknown_people_do_not_create_them():
    state = apply_registration_event(empty_state(), "person.role_changed", {"person_id": "X", "role": "coordinator"})
    state = apply_registration_event(state, "person.deactivated", {"person_id": "X"})
    assert state["people"] == {}


def test_a_redelivered_invitation_does_not_undo_joining(state, joined):
    invite = {**joined("P3", "L1", "member"), "invitation_token": "t", "library_name": "Aarhus"}
    state = apply_registration_event(state, "person.invited", invite)
    assert state["people"]["P3"]["active"] is True


def test_an_older_event_does_not_override_a_newer_one(history, replay, joined):
    state = replay(history[:1])
    state = apply_registration_event(
        state, "person.deactivated", {"person_id": "P1"}, occurred_at="2025-01-02T00:00:00Z"
    )
    state = apply_registration_event(
        state, "person.joined", joined("P1", "L1", "coordinator"), occurred_at="2025-01-01T00:00:00Z"
    )
    assert state["people"]["P1"]["active"] is False


def test_an_unsupported_language_falls_back_to_danish(joined):
    state = apply_registration_event(empty_state(), "person.joined", joined("P9", "L1", "member", "de"))
    assert state["people"]["P9"]["language"] == "da"


def test_opt_out_survives_a_redelivered_join(state, joined, opt_out):
    state = opt_out(state, "P3")
    state = apply_registration_event(state, "person.joined", joined("P3", "L1", "member"))
    assert state["people"]["P3"]["prefs"] == {"non_essential": False}


def test_unknown_event_types_leave_the_state_unchanged(state):
    assert apply_registration_event(state, "evidence.submitted", {"item_id": "I1"}) == state


def reactivated(joined, person_id, library_id, role, language="da"):
    return {**joined(person_id, library_id, role, language), "library_name": "Aarhus Hovedbibliotek",
            "reactivated_at": "2025-02-01T00:00:00Z", "reactivated_by": "P1"}


def test_a_reactivated_coordinator_is_mailed_again(state, joined):
    from notification.domain.routing import plan_messages

    def lapsed_to(s):
        planned = plan_messages("certificate.lapsed", {"certificate_id": "C1", "library_id": "L1"}, s, event_id="e")
        return [m.person_id for m in planned]

    assert lapsed_to(state) == ["P1", "P2"]  # P4 is deactivated in the history
    state = apply_registration_event(state, "person.reactivated", reactivated(joined, "P4", "L1", "coordinator"))
    assert state["people"]["P4"]["active"] is True
    assert lapsed_to(state) == ["P1", "P2", "P4"]


def test_reactivation_restores_a_person_the_projection_never_held(joined):
    state = apply_registration_event(empty_state(), "person.reactivated", reactivated(joined, "P7", "L1", "member", "en"))
    person = state["people"]["P7"]
    assert person["active"] is True and person["email"] == "p7@example.dk" and person["language"] == "en"
    assert state["libraries"]["L1"]["name"] == "Aarhus Hovedbibliotek"


def test_a_late_reactivation_does_not_undo_a_later_deactivation(state, joined):
    state = apply_registration_event(
        state, "person.deactivated", {"person_id": "P3"}, occurred_at="2025-03-01T00:00:00Z"
    )
    state = apply_registration_event(
        state, "person.reactivated", reactivated(joined, "P3", "L1", "member"), occurred_at="2025-02-01T00:00:00Z"
    )
    assert state["people"]["P3"]["active"] is False


def test_reactivation_never_brings_an_erased_person_back(state, joined):
    state = apply_registration_event(state, "person.erased", {"person_id": "P4"})
    state = apply_registration_event(state, "person.reactivated", reactivated(joined, "P4", "L1", "coordinator"))
    assert "P4" not in state["people"]


def test_an_opt_out_survives_deactivation_and_reactivation(state, joined, opt_out):
    state = opt_out(state, "P3")
    state = apply_registration_event(state, "person.deactivated", {"person_id": "P3"})
    state = apply_registration_event(state, "person.reactivated", reactivated(joined, "P3", "L1", "member"))
    assert state["people"]["P3"]["active"] is True and state["people"]["P3"]["prefs"] == {"non_essential": False}
