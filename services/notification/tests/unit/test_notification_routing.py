from __future__ import annotations

import pytest

from notification.domain.recipients import apply_registration_event
from notification.domain.routing import ROUTES, PlannedMail, plan_messages

pytestmark = pytest.mark.unit


def plan(event_type, payload, state):
    return plan_messages(event_type, payload, state, event_id="evt-1")


def test_every_route_has_a_case(cases):
    assert set(cases) == set(ROUTES)


@pytest.mark.parametrize("event_type", sorted(ROUTES))
def test_route_mails_the_expected_people_in_their_language(event_type, state, cases):
    payload, expected = cases[event_type]
    planned = plan(event_type, payload, state)
    route = ROUTES[event_type]
    assert [(m.person_id, m.language) for m in planned] == expected
    for mail in planned:
        assert mail.template == route.template
        assert mail.essential is route.essential
        assert mail.dedup_key == f"evt-1:{mail.person_id}"
        assert mail.email and "@" in mail.email


def test_registration_mail_carries_the_confirmation_token_and_library(state, cases):
    payload, _ = cases["library.registered"]
    [mail] = plan("library.registered", payload, state)
    assert mail.email == "nina@vejle.dk"
    assert mail.context["token"] == "tok9"
    assert mail.context["library_name"] == "Vejle Bibliotek"
    assert mail.context["registration"] is True


def test_assessors_are_not_mailed_per_submitted_item(state, cases):
    payload, _ = cases["evidence.submitted"]
    assert {m.person_id for m in plan("evidence.submitted", payload, state)} == {"P3"}


def test_a_coordinator_who_submitted_is_mailed_once(state, cases):
    payload, _ = cases["evidence.clarification_requested"]
    payload = {**payload, "submitted_by": {"person_id": "P1", "name": "Person P1", "email": "p1@example.dk"}}
    planned = plan("evidence.clarification_requested", payload, state)
    assert [m.person_id for m in planned] == ["P1", "P2"]


def test_rejection_is_mailed_but_a_clarification_decision_is_not(state, cases):
    payload, _ = cases["evidence.reviewed"]
    assert len(plan("evidence.reviewed", {**payload, "decision": "rejected"}, state)) == 3
    assert plan("evidence.reviewed", {**payload, "decision": "clarification_requested"}, state) == []


def test_checkin_reminders_go_out_60_and_14_days_before_only(state, cases):
    payload, _ = cases["certificate.checkin_due"]
    assert plan("certificate.checkin_due", {**payload, "days_before": 14}, state)
    assert plan("certificate.checkin_due", {**payload, "days_before": 30}, state) == []


def test_an_empty_digest_is_not_sent(state):
    assert plan("digest.assessors", {"items": []}, state) == []


def test_deactivated_people_and_withdrawn_libraries_get_no_library_mail(state, cases):
    planned = plan("model.published", cases["model.published"][0], state)
    assert "P4" not in {m.person_id for m in planned}
    assert "W1" not in {m.person_id for m in planned}
    assert plan("certificate.lapsed", {"certificate_id": "C3", "library_id": "L3"}, state) == []


def test_an_erased_person_is_never_mailed_even_from_a_late_payload(state, cases):
    state = apply_registration_event(state, "person.erased", {"person_id": "P3"})
    payload, _ = cases["evidence.clarification_requested"]
    assert "P3" not in {m.person_id for m in plan("evidence.clarification_requested", payload, state)}
    reset = {**cases["person.password_reset_requested"][0], "person_id": "P3"}
    assert plan("person.password_reset_requested", reset, state) == []


def test_opt_out_suppresses_digests_and_reminders(state, cases, opt_out):
    state = opt_out(state, "A1")
    state = opt_out(state, "P2")
    assert [m.person_id for m in plan("digest.assessors", cases["digest.assessors"][0], state)] == ["A2"]
    assert [m.person_id for m in plan("certificate.checkin_due", cases["certificate.checkin_due"][0], state)] == ["P1"]


@pytest.mark.parametrize(
    "event_type",
    ["person.password_reset_requested", "person.email_confirmation_requested"],
)
def test_opt_out_never_suppresses_security_mail(event_type, state, cases, opt_out):
    state = opt_out(state, "P2")
    [mail] = plan(event_type, cases[event_type][0], state)
    assert mail.person_id == "P2" and mail.essential is True


def test_opt_out_never_suppresses_an_invitation(state, cases, opt_out):
    state = apply_registration_event(state, "person.invited", cases["person.invited"][0])
    state = opt_out(state, "I1")
    assert len(plan("person.invited", cases["person.invited"][0], state)) == 1


def test_unrouted_events_plan_nothing(state):
    assert plan("person.joined", {"person_id": "P3"}, state) == []


def test_planned_mail_round_trips_through_a_plain_dict(state, cases):
    [mail] = plan("evidence.submitted", cases["evidence.submitted"][0], state)
    assert PlannedMail.from_dict({**mail.to_dict(), "_id": "x"}) == mail


def test_planned_mails_do_not_share_their_context(state, cases):
    first, second, _ = plan("model.published", cases["model.published"][0], state)
    first.context["changes"].append({})
    assert len(second.context["changes"]) == 1


def test_a_reactivated_person_is_told_their_access_is_back_even_after_opting_out(state, cases, opt_out):
    payload, _ = cases["person.reactivated"]
    payload = {**payload, "person_id": "P4", "email": "p4@example.dk", "language": "da", "name": "Person P4"}
    state = opt_out(state, "P4")
    state = apply_registration_event(state, "person.reactivated", payload, occurred_at="2025-03-10T09:00:00+00:00")
    [mail] = plan("person.reactivated", payload, state)
    assert (mail.person_id, mail.language, mail.essential) == ("P4", "da", True)
    assert mail.context["library_name"] == "Aarhus Hovedbibliotek"


def test_a_reactivation_overtaken_by_a_later_deactivation_mails_nobody(state, cases):
    payload, _ = cases["person.reactivated"]
    state = apply_registration_event(state, "person.deactivated", {"person_id": "P2"},
                                      occurred_at="2025-03-11T09:00:00+00:00")
    state = apply_registration_event(state, "person.reactivated", payload, occurred_at="2025-03-10T09:00:00+00:00")
    assert plan("person.reactivated", payload, state) == []
