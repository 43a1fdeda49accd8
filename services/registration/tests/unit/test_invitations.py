from datetime import timedelta

import pytest
from registration_builders import NOW, active_member, registered

from registration.domain import (
    AlreadyMember,
    EmailInUse,
    IllegalTransition,
    InvalidField,
    InvalidInput,
    InvitationPending,
    TokenExpired,
    TokenSuperseded,
    accept_invitation,
    invite_person,
    resend_invitation,
    revoke_invitation,
)
from registration.domain.errors import Conflict

pytestmark = pytest.mark.unit


def invite(library, inviter, people=(), **kw):
    args = {"email": "Ole@Ballerup.example", "role": "member", "name": None, "token": "inv-1"} | kw
    return invite_person(library=library, inviter=inviter, people_with_email=list(people), now=NOW, **args)


def test_invitation_records_token_inviter_and_library_names(library_and_coordinator):
    library, coordinator = library_and_coordinator
    inv = invite(library, coordinator, language="en")
    assert inv.person.status == "invited" and inv.person.email == "ole@ballerup.example"
    (fact,) = inv.person.events
    assert fact.type == "person.invited"
    p = fact.payload
    assert (p["invitation_token"], p["inviter_name"], p["library_name"]) == ("inv-1", "Mette Hansen", library.name)
    assert p["language"] == "en" and p["resend"] is False
    assert p["token_expires_at"] == (NOW + timedelta(days=7)).isoformat()


def test_duplicate_invitation_to_a_pending_address_is_a_conflict(library_and_coordinator):
    library, coordinator = library_and_coordinator
    first = invite(library, coordinator).person
    with pytest.raises(InvitationPending) as err:
        invite(library, coordinator, [first], email="OLE@ballerup.example")
    assert isinstance(err.value, Conflict) and err.value.field == "email"


def test_inviting_someone_already_active_in_the_library_is_a_conflict(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator, email="ole@ballerup.example")
    with pytest.raises(AlreadyMember):
        invite(library, coordinator, [member])


def test_inviting_an_address_used_in_another_library_is_a_conflict(library_and_coordinator):
    library, coordinator = library_and_coordinator
    elsewhere = invite(library, coordinator).person
    elsewhere.library_id = "another-library"
    with pytest.raises(EmailInUse):
        invite(library, coordinator, [elsewhere])


def test_a_revoked_invitation_does_not_block_a_new_one(library_and_coordinator):
    library, coordinator = library_and_coordinator
    first = invite(library, coordinator).person
    revoke_invitation(first, NOW, revoked_by=coordinator.person_id)
    assert first.status == "deactivated"
    assert first.events[-1].payload["reason"] == "invitation_revoked"
    assert invite(library, coordinator, [first], token="inv-2").person.status == "invited"


def test_revoked_invitation_link_no_longer_works(library_and_coordinator):
    library, coordinator = library_and_coordinator
    person = invite(library, coordinator).person
    revoke_invitation(person, NOW)
    with pytest.raises(TokenSuperseded):
        accept_invitation(person, library, "inv-1", "h", NOW, name="Ole")


def test_resending_an_invitation_issues_a_new_link_and_invalidates_the_old(library_and_coordinator):
    library, coordinator = library_and_coordinator
    person = invite(library, coordinator).person
    assert resend_invitation(person, library, coordinator, NOW, token="inv-2") == "inv-2"
    assert person.events[-1].payload["resend"] is True
    with pytest.raises(TokenSuperseded):
        accept_invitation(person, library, "inv-1", "h", NOW, name="Ole")
    accept_invitation(person, library, "inv-2", "h", NOW, name="Ole Jensen")
    assert person.status == "active"


def test_accepting_an_invitation_activates_the_person_and_records_joined(library_and_coordinator):
    library, coordinator = library_and_coordinator
    person = invite(library, coordinator).person
    accept_invitation(person, library, "inv-1", "h", NOW + timedelta(days=6), name=" Ole Jensen ")
    assert (person.status, person.name, person.password_hash) == ("active", "Ole Jensen", "h")
    fact = person.events[-1]
    assert fact.type == "person.joined" and fact.payload["library_name"] == library.name


def test_accepting_requires_a_name_when_the_inviter_gave_none(library_and_coordinator):
    library, coordinator = library_and_coordinator
    person = invite(library, coordinator).person
    with pytest.raises(InvalidField) as err:
        accept_invitation(person, library, "inv-1", "h", NOW)
    assert err.value.field == "name"
    assert person.status == "invited" and person.token_for("inv-1").used_at is None


def test_invitation_expires_after_seven_days(library_and_coordinator):
    library, coordinator = library_and_coordinator
    person = invite(library, coordinator).person
    with pytest.raises(TokenExpired):
        accept_invitation(person, library, "inv-1", "h", NOW + timedelta(days=7), name="Ole")


def test_only_invited_people_can_have_invitations_resent_or_revoked(library_and_coordinator):
    library, coordinator = library_and_coordinator
    with pytest.raises(IllegalTransition):
        resend_invitation(coordinator, library, coordinator, NOW)
    with pytest.raises(IllegalTransition):
        revoke_invitation(coordinator, NOW)


def test_cannot_invite_to_a_library_that_is_not_active():
    reg = registered()
    with pytest.raises(IllegalTransition) as err:
        invite(reg.library, reg.coordinator)
    assert err.value.state == "pending"


def test_programme_staff_are_invited_without_a_library():
    inv = invite_person(
        email="assessor@chora2030.example",
        role="assessor",
        library=None,
        inviter=None,
        people_with_email=[],
        now=NOW,
        name="Anna Assessor",
    )
    assert inv.person.library_id is None
    assert inv.person.events[0].payload["library_name"] is None
    with pytest.raises(InvalidInput) as err:
        invite_person(
            email="x@chora2030.example", role="member", library=None, inviter=None, people_with_email=[], now=NOW
        )
    assert [(e.field, e.code) for e in err.value.errors] == [("role", "role_not_allowed")]
