"""Which events open a deadline reminder and which end it, for evidence and for action plans."""

from __future__ import annotations

from datetime import date

import pytest

from notification.domain.clarifications import (
    PLAN_DEADLINE_SOON,
    Close,
    Open,
    change_for,
    plan_key,
    reminder_for,
)
from notification.domain.messages import render
from notification.domain.routing import plan_messages

pytestmark = pytest.mark.unit

PUBLIC_URL = "https://portal.example.dk"
SUBMITTER = {"person_id": "P3", "name": "Person P3", "email": "p3@example.dk"}
PLAN_QUESTION = {"plan_id": "AP1", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek", "revision": 4,
                 "version": 2, "status": "clarification_requested", "submitted_by": SUBMITTER,
                 "submitter": SUBMITTER, "message": "Hvem er jeres partnere?", "deadline": "2025-04-01",
                 "plan": {}, "actor": {"person_id": "A1", "name": "Person A1", "role": "assessor"}}


def test_a_question_about_an_action_plan_opens_a_reminder_for_that_plan():
    change = change_for("action_plan.clarification_requested", PLAN_QUESTION)
    assert isinstance(change, Open)
    assert change.record == {
        "_id": "action_plan:AP1", "kind": "action_plan", "plan_id": "AP1", "library_id": "L1",
        "library_name": "Aarhus Hovedbibliotek", "version": 2, "message": "Hvem er jeres partnere?",
        "deadline": "2025-04-01", "submitted_by": SUBMITTER, "revision": 4,
    }


@pytest.mark.parametrize("event_type", ["action_plan.submitted", "action_plan.approved"])
def test_resubmitting_or_approving_the_plan_ends_its_reminder_and_is_remembered(event_type):
    change = change_for(event_type, {**PLAN_QUESTION, "revision": 5})
    assert change == Close(plan_key("AP1"), 5, remember=True)


@pytest.mark.parametrize(("event_type", "extra", "closes"), [
    ("evidence.submitted", {}, True),
    ("evidence.withdrawn", {}, True),
    ("evidence.clarification_answered", {}, True),
    ("evidence.reviewed", {"decision": "approved"}, True),
    ("evidence.reviewed", {"decision": "rejected"}, True),
    ("evidence.reviewed", {"decision": "clarification_requested"}, False),
    ("evidence.revised", {}, False),
    ("certificate.awarded", {}, False),
])  # fmt: skip
def test_evidence_questions_end_as_before(event_type, extra, closes):
    change = change_for(event_type, {"item_id": "E1", "library_id": "L1", "revision": 3, **extra})
    assert change == (Close("E1", 3) if closes else None)


def test_an_evidence_question_opens_a_reminder_under_the_item_id():
    change = change_for("evidence.clarification_requested", {
        "item_id": "E1", "library_id": "L1", "revision": 2, "title": "Reparationscafé", "message": "?",
        "deadline": "2025-04-01", "submitter": SUBMITTER})
    assert isinstance(change, Open)
    assert change.record["_id"] == "E1" and change.record["kind"] == "evidence"
    assert change.record["submitted_by"] == SUBMITTER


def test_the_plan_reminder_is_one_event_per_question_and_deadline():
    record = {**change_for("action_plan.clarification_requested", PLAN_QUESTION).record, "open": True}
    reminder = reminder_for(record, "2025-03-29")
    assert reminder.event_type == PLAN_DEADLINE_SOON
    assert reminder.event_id == "action_plan.clarification_deadline_soon:AP1:4:2025-04-01"
    assert reminder.payload == {"plan_id": "AP1", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek",
                                "version": 2, "message": "Hvem er jeres partnere?", "deadline": "2025-04-01",
                                "submitted_by": SUBMITTER, "planned_on": "2025-03-29"}
    later = reminder_for({**record, "revision": 6}, "2025-03-29")  # a new question, same deadline
    assert later.event_id != reminder.event_id


def test_an_evidence_question_is_reminded_once_per_item_and_deadline():
    record = {**change_for("evidence.clarification_requested", {
        "item_id": "E1", "library_id": "L1", "revision": 2, "title": "Reparationscafé", "message": "?",
        "deadline": "2025-04-01", "submitted_by": SUBMITTER}).record, "open": True}
    reminder = reminder_for(record, "2025-03-29")
    assert reminder.event_type == "clarification.deadline_soon"
    assert reminder.event_id == "clarification.deadline_soon:E1:2025-04-01"
    assert reminder.payload["item_id"] == "E1"


@pytest.mark.parametrize(("today", "danish", "english"), [
    (29, "Fristen er 1. april 2025, om 3 dage.", "The deadline is 1 April 2025, in 3 days."),
    (31, "Fristen er 1. april 2025, i morgen.", "The deadline is 1 April 2025, tomorrow."),
])  # fmt: skip
def test_the_plan_reminder_links_to_the_plan_and_states_the_days_left(state, today, danish, english):
    record = {**change_for("action_plan.clarification_requested", PLAN_QUESTION).record, "open": True}
    reminder = reminder_for(record, "2025-03-29")
    mails = plan_messages(reminder.event_type, reminder.payload, state, event_id=reminder.event_id)
    assert [m.person_id for m in mails] == ["P3", "P1", "P2"]
    for language, sentence in (("da", danish), ("en", english)):
        rendered = render(mails[0].template, language, mails[0].context, PUBLIC_URL, today=date(2025, 3, today))
        assert sentence in rendered.text
        assert "version 2" in rendered.text and "Hvem er jeres partnere?" in rendered.html
        assert "https://portal.example.dk/bibliotek/L1/handleplan" in rendered.text
        assert 'href="https://portal.example.dk/bibliotek/L1/handleplan"' in rendered.html
    assert render(mails[0].template, "da", mails[0].context, PUBLIC_URL).subject == (
        "Påmindelse: svar på spørgsmålet om handleplanen senest 1. april 2025")
