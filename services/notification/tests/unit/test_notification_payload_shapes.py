"""The routing reads the payloads in the shapes the producers really publish (shared.events)."""

import pytest

from notification.domain.recipients import apply_registration_event
from notification.domain.routing import plan_messages

pytestmark = pytest.mark.unit


def test_an_invitation_uses_the_invitation_token_and_the_inviters_name(state):
    payload = {"person_id": "I1", "name": "Ida", "email": "ida@example.dk", "language": "en", "role": "member",
               "library_id": "L1", "library_name": "Aarhus", "inviter_name": "Pia", "invitation_token": "inv",
               "token_expires_at": "2025-03-08T10:00:00+00:00"}
    [mail] = plan_messages("person.invited", payload, state, event_id="e1")
    assert (mail.context["token"], mail.context["invited_by_name"], mail.language) == ("inv", "Pia", "en")


def test_a_password_reset_uses_the_reset_token(state):
    payload = {"person_id": "P2", "name": "P2", "email": "p2@example.dk", "language": "en", "role": "coordinator",
               "library_id": "L1", "reset_token": "rst", "token_expires_at": "2025-03-05T10:00:00+00:00"}
    [mail] = plan_messages("person.password_reset_requested", payload, state, event_id="e2")
    assert (mail.context["token"], mail.context["expires_at"]) == ("rst", "2025-03-05T10:00:00+00:00")


def test_a_confirmation_request_uses_the_confirmation_token(state):
    payload = {"person_id": "P2", "name": "P2", "email": "p2@example.dk", "language": "en", "role": "coordinator",
               "library_id": "L1", "library_name": "Aarhus", "confirmation_token": "cnf",
               "token_expires_at": "2025-03-05T10:00:00+00:00"}
    [mail] = plan_messages("person.email_confirmation_requested", payload, state, event_id="e3")
    assert mail.context["token"] == "cnf"


def test_a_profile_change_updates_the_address_and_language_mail_goes_to(state):
    changed = apply_registration_event(state, "person.profile_changed", {
        "person_id": "P1", "name": "Pia Ny", "email": "pia.ny@example.dk", "language": "en", "role": "coordinator",
        "library_id": "L1", "status": "active", "changed_fields": ["name", "language"]})
    assert {k: changed["people"]["P1"][k] for k in ("name", "email", "language")} == {
        "name": "Pia Ny", "email": "pia.ny@example.dk", "language": "en"}


def test_a_clarification_request_naming_only_the_submitter_still_reaches_them(state):
    payload = {"item_id": "E1", "library_id": "L1", "message": "?", "deadline": "2025-04-01",
               "submitted_by": None, "submitter": {"person_id": "P3", "name": "P3", "email": "p3@example.dk"}}
    recipients = [m.person_id for m in plan_messages("evidence.clarification_requested", payload, state,
                                                     event_id="e4")]
    assert recipients[0] == "P3"
