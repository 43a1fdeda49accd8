"""Unit tests: nothing real is used (no MongoDB, broker or SMTP server): the pure domain, and the
handlers, views and sender on an in-memory unit of work (notification_fakes) with an SMTP
transport that records what it is handed.

The `state` fixture is a recipients projection built by replaying registration events, so the
routing tests also exercise the projection they depend on.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from notification.domain.recipients import apply_registration_event, empty_state

PUBLIC_URL = "https://portal.example.dk"
SECRET = "test-secret"


def registered(library_id: str, name: str, coordinator: dict[str, Any]) -> dict[str, Any]:
    return {
        "library_id": library_id,
        "name": name,
        "isil": "DK-" + library_id,
        "municipality": "Aarhus",
        "kind": "main",
        "staff_count": 40,
        "coordinator": coordinator,
        "confirmation_token": "tok-" + library_id,
        "token_expires_at": "2025-03-14T12:00:00Z",
    }


def joined(person_id: str, library_id: str | None, role: str, language: str = "da") -> dict[str, Any]:
    return {
        "person_id": person_id,
        "library_id": library_id,
        "name": f"Person {person_id}",
        "email": f"{person_id.lower()}@example.dk",
        "role": role,
        "language": language,
    }


REGISTRATION_HISTORY = [
    ("library.registered", registered("L1", "Aarhus Hovedbibliotek", {
        "person_id": "P1", "name": "Person P1", "email": "p1@example.dk", "language": "da"})),
    ("library.activated", {"library_id": "L1", "name": "Aarhus Hovedbibliotek"}),
    ("person.joined", joined("P2", "L1", "coordinator", "en")),
    ("person.joined", joined("P3", "L1", "member", "da")),
    ("person.joined", joined("P4", "L1", "coordinator", "da")),
    ("person.deactivated", {"person_id": "P4"}),
    ("person.joined", joined("A1", None, "assessor", "en")),
    ("person.joined", joined("A2", None, "assessor", "da")),
    ("library.registered", registered("L2", "Odense Bibliotek", {
        "person_id": "Q1", "name": "Person Q1", "email": "q1@example.dk", "language": "en"})),
    ("library.activated", {"library_id": "L2", "name": "Odense Bibliotek"}),
    ("library.registered", registered("L3", "Gammel Filial", {
        "person_id": "W1", "name": "Person W1", "email": "w1@example.dk", "language": "da"})),
    ("library.withdrawn", {"library_id": "L3"}),
]  # fmt: skip


def replay(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    state = empty_state()
    for event_type, payload in events:
        state = apply_registration_event(state, event_type, payload)
    return state


# One event per row of the routing table, with the (person_id, language) pairs it must mail,
# in the order the recipients are expected.
SUBMITTER = {"person_id": "P3", "name": "Person P3", "email": "p3@example.dk"}

# One event per row of the routing table, with the (person_id, language) pairs it must mail.
CASES = {
    "library.registered": (
        {
            "library_id": "L9", "name": "Vejle Bibliotek", "isil": "DK-9", "municipality": "Vejle",
            "kind": "main", "staff_count": 12, "confirmation_token": "tok9",
            "token_expires_at": "2025-03-14T12:00:00Z",
            "coordinator": {"person_id": "N1", "name": "Nina", "email": "nina@vejle.dk", "language": "en"},
        },
        [("N1", "en")],
    ),
    "person.email_confirmation_requested": (
        {"person_id": "P2", "email": "new-p2@example.dk", "name": "Person P2", "language": "en",
         "confirmation_token": "tokc", "token_expires_at": "2025-03-14T12:00:00Z", "library_id": "L1"},
        [("P2", "en")],
    ),
    "library.activated": ({"library_id": "L1", "name": "Aarhus Hovedbibliotek"}, [("P1", "da"), ("P2", "en")]),
    "person.invited": (
        {"person_id": "I1", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek", "name": "Ida",
         "email": "ida@example.dk", "role": "member", "language": "da", "invitation_token": "toki",
         "token_expires_at": "2025-03-20T00:00:00Z", "inviter_name": "Person P1"},
        [("I1", "da")],
    ),
    "person.password_reset_requested": (
        {"person_id": "P2", "email": "p2@example.dk", "name": "Person P2", "language": "en",
         "reset_token": "tokr", "token_expires_at": "2025-03-14T13:00:00Z"},
        [("P2", "en")],
    ),
    # Planned from the projection after the event: P2 stands for a person it made active again.
    "person.reactivated": (
        {"person_id": "P2", "version": 5, "name": "Person P2", "email": "p2@example.dk", "language": "en",
         "role": "coordinator", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek",
         "reactivated_at": "2025-03-10T09:00:00Z", "reactivated_by": "P1"},
        [("P2", "en")],
    ),
    "evidence.submitted": (
        {"item_id": "E1", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek", "revision": 1,
         "title": "Reparationscafé", "kind": "activity", "submitted_by": SUBMITTER},
        [("P3", "da")],
    ),
    "evidence.clarification_requested": (
        {"item_id": "E1", "library_id": "L1", "message": "Hvor mange deltog?", "deadline": "2025-04-01",
         "submitted_by": SUBMITTER},
        [("P3", "da"), ("P1", "da"), ("P2", "en")],
    ),
    "clarification.deadline_soon": (
        {"item_id": "E1", "library_id": "L1", "deadline": "2025-04-01", "submitted_by": SUBMITTER},
        [("P3", "da"), ("P1", "da"), ("P2", "en")],
    ),
    "evidence.reviewed": (
        {"item_id": "E1", "library_id": "L1", "revision": 1, "decision": "approved", "comment": "Fint",
         "deadline": None, "reviewer": {"person_id": "A1", "name": "Person A1"}, "submitted_by": SUBMITTER},
        [("P3", "da"), ("P1", "da"), ("P2", "en")],
    ),
    "action_plan.submitted": (
        {"plan_id": "AP1", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek", "revision": 3, "version": 1,
         "status": "submitted", "submitted_by": SUBMITTER, "message": None,
         "plan": {"plan_id": "AP1", "library_id": "L1", "start_year": 2025, "end_year": 2027,
                  "goals": [{"dimension": "drift", "title": "Halvér energiforbruget", "sdgs": [7, 13]}]},
         "actor": {"person_id": "P3", "name": "Person P3", "role": "member"}},
        [("A1", "en"), ("A2", "da")],
    ),
    "action_plan.approved": (
        {"plan_id": "AP1", "library_id": "L1", "revision": 4, "version": 1, "status": "approved",
         "submitted_by": SUBMITTER, "comment": "Flot plan", "plan": {"start_year": 2025, "end_year": 2027},
         "actor": {"person_id": "A1", "name": "Person A1", "role": "assessor"}},
        [("P3", "da"), ("P1", "da"), ("P2", "en")],
    ),
    "action_plan.clarification_requested": (
        {"plan_id": "AP1", "library_id": "L1", "revision": 4, "version": 1, "status": "clarification_requested",
         "submitted_by": SUBMITTER, "submitter": SUBMITTER, "message": "Hvem er jeres partnere?",
         "deadline": "2025-04-01", "plan": {}, "actor": {"person_id": "A1", "name": "Person A1", "role": "assessor"}},
        [("P3", "da"), ("P1", "da"), ("P2", "en")],
    ),
    "action_plan.clarification_deadline_soon": (
        {"plan_id": "AP1", "library_id": "L1", "version": 1, "message": "Hvem er jeres partnere?",
         "deadline": "2025-04-01", "submitted_by": SUBMITTER, "planned_on": "2025-03-29"},
        [("P3", "da"), ("P1", "da"), ("P2", "en")],
    ),
    "library.ready_for_review": (
        {"library_id": "L1", "library_name": "Aarhus Hovedbibliotek"}, [("A1", "en"), ("A2", "da")]
    ),
    "certificate.awarded": (
        {"certificate_id": "C1", "library_id": "L1", "valid_until": "2028-03-01"},
        [("P1", "da"), ("P2", "en"), ("P3", "da")],
    ),
    "certificate.checkin_due": (
        {"certificate_id": "C1", "library_id": "L1", "due_on": "2026-03-01", "days_before": 60},
        [("P1", "da"), ("P2", "en")],
    ),
    "certificate.lapsed": ({"certificate_id": "C1", "library_id": "L1"}, [("P1", "da"), ("P2", "en")]),
    "model.published": (
        {"version": 2, "changes": [{"requirement_id": "F1", "field": "target", "old": 4, "new": 5}]},
        [("P1", "da"), ("P2", "en"), ("Q1", "en")],
    ),
    "digest.assessors": (
        {"items": [{"library_name": "Aarhus Hovedbibliotek", "title": "Klimacafé",
                    "submitted_at": "2025-03-01T10:00:00Z"}]},
        [("A1", "en"), ("A2", "da")],
    ),
}  # fmt: skip


@pytest.fixture
def cases() -> dict[str, tuple[dict[str, Any], list[tuple[str, str]]]]:
    return copy.deepcopy(CASES)


@pytest.fixture
def history() -> list[tuple[str, dict[str, Any]]]:
    return copy.deepcopy(REGISTRATION_HISTORY)


@pytest.fixture
def state() -> dict[str, Any]:
    return replay(REGISTRATION_HISTORY)


def opt_out(state: dict[str, Any], person_id: str) -> dict[str, Any]:
    """The projection as the store loads it after a person turned non-essential mail off."""
    person = {**state["people"][person_id], "prefs": {"non_essential": False}}
    return {**state, "people": {**state["people"], person_id: person}}


# Helpers are handed out as fixtures, not imported from conftest, so the tests also run under
# pytest's importlib import mode next to other services' test suites.
@pytest.fixture(name="joined")
def joined_fixture():
    return joined


@pytest.fixture(name="registered")
def registered_fixture():
    return registered


@pytest.fixture(name="replay")
def replay_fixture():
    return replay


@pytest.fixture(name="opt_out")
def opt_out_fixture():
    return opt_out
