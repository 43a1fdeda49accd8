"""The consumer loads only the part of the projection an event needs, and decides exactly as with all of it."""

from __future__ import annotations

import pytest

from notification.domain.recipients import (
    REGISTRATION_EVENTS,
    Scope,
    apply_registration_event,
    registration_scope,
    restrict,
)
from notification.domain.routing import ROUTES, plan_messages, scope_of

pytestmark = pytest.mark.unit


def plan(event_type, payload, state):
    return plan_messages(event_type, payload, state, event_id="evt-1")


def variants(state, opt_out):
    """The seeded projection, and the same with the people and libraries the selectors skip."""
    erased = apply_registration_event(state, "person.erased", {"person_id": "P3"})
    withdrawn = apply_registration_event(state, "library.withdrawn", {"library_id": "L1"})
    opted_out = opt_out(opt_out(state, "P2"), "A1")
    return {"seeded": state, "submitter erased": erased, "library withdrawn": withdrawn, "opted out": opted_out}


@pytest.mark.parametrize("event_type", sorted(ROUTES))
def test_each_route_plans_the_same_mails_from_its_scope_as_from_the_whole_projection(event_type, state, cases,
                                                                                    opt_out):
    payload, _ = cases[event_type]
    for name, full in variants(state, opt_out).items():
        part = restrict(full, scope_of(event_type, payload))
        assert plan(event_type, payload, part) == plan(event_type, payload, full), name


def test_a_scope_holds_only_the_people_an_event_mails(state, cases):
    def people(event_type):
        return sorted(restrict(state, scope_of(event_type, cases[event_type][0]))["people"])

    assert people("evidence.submitted") == ["P3"]
    assert people("evidence.reviewed") == ["P1", "P2", "P3"]  # P4, a deactivated coordinator, is not loaded
    assert people("library.ready_for_review") == ["A1", "A2"]
    assert people("certificate.awarded") == ["P1", "P2", "P3"]
    assert people("model.published") == ["P1", "P2", "Q1", "W1"]  # W1's withdrawn library is loaded to skip it
    assert sorted(restrict(state, scope_of("model.published", {}))["libraries"]) == ["L1", "L2", "L3"]
    assert restrict(state, scope_of("person.joined", {"person_id": "P3"})) == {
        "libraries": {}, "people": {}, "erased": []}


def test_an_event_whose_condition_fails_loads_nothing(state, cases):
    payload, _ = cases["evidence.reviewed"]
    assert scope_of("evidence.reviewed", {**payload, "decision": "clarification_requested"}) == Scope()


EXTRA_REGISTRATION = [
    ("person.invited", {"person_id": "I1", "library_id": "L2", "library_name": "Odense Bibliotek", "name": "Ida",
                        "email": "ida@example.dk", "role": "member", "language": "en"}),
    ("person.invited", {"person_id": "I2", "library_id": "L7", "library_name": "Ny Filial", "name": "Ib",
                        "email": "ib@example.dk", "role": "member"}),
    ("person.joined", {"person_id": "P3", "library_id": "L1", "role": "member", "name": "P3",
                       "email": "p3@example.dk"}),
    ("person.role_changed", {"person_id": "P3", "role": "coordinator", "library_id": "L1"}),
    ("person.profile_changed", {"person_id": "P1", "name": "Pia Ny", "email": "pia@example.dk", "language": "en"}),
    ("person.password_reset_requested", {"person_id": "P2", "email": "p2@new.dk", "name": "P2", "reset_token": "t"}),
    ("person.email_confirmation_requested", {"person_id": "Q1", "email": "q1@new.dk", "name": "Q1", "confirmation_token": "t"}),
    ("person.deactivated", {"person_id": "P2"}),
    ("person.erased", {"person_id": "P1"}),
    ("person.joined", {"person_id": "P1", "library_id": "L1", "role": "coordinator", "name": "P1",
                       "email": "p1@example.dk"}),  # late, after the erasure
    ("library.updated", {"library_id": "L2", "name": "Odense Hovedbibliotek"}),
    ("library.withdrawn", {"library_id": "L2"}),
]  # fmt: skip


def test_registration_events_change_the_projection_exactly_as_with_all_of_it(history):
    full: dict = {"libraries": {}, "people": {}, "erased": []}
    for event_type, payload in history + EXTRA_REGISTRATION:
        assert event_type in REGISTRATION_EVENTS
        scope = registration_scope(event_type, payload) | scope_of(event_type, payload)
        old_part = restrict(full, scope)
        new_full = apply_registration_event(full, event_type, payload)
        new_part = apply_registration_event(old_part, event_type, payload)
        for kind in ("people", "libraries"):
            changed = {k for k in set(full[kind]) | set(new_full[kind]) if full[kind].get(k) != new_full[kind].get(k)}
            assert changed <= set(old_part[kind]) | set(new_part[kind]), (event_type, kind)
            assert all(new_part[kind][k] == new_full[kind][k] for k in new_part[kind]), (event_type, kind)
            assert set(new_full[kind]) - set(full[kind]) <= set(new_part[kind]), (event_type, kind)
        assert set(new_full["erased"]) - set(full["erased"]) <= set(new_part["erased"]), event_type
        # The mails planned on the loaded part are the ones planned on everything.
        assert plan(event_type, payload, new_part) == plan(event_type, payload, new_full), event_type
        full = new_full
