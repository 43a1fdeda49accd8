from datetime import timedelta

import pytest
from registration_builders import NOW, active_member

from registration.domain import (
    EmailInUse,
    IllegalTransition,
    InvalidField,
    LastCoordinator,
    TokenExpired,
    TokenSuperseded,
    TokenUnknown,
    change_role,
    deactivate,
    invite_person,
    reactivate,
)
from registration.domain.errors import Conflict, NeverJoined

pytestmark = pytest.mark.unit


def test_last_coordinator_cannot_be_demoted(library_and_coordinator):
    _, coordinator = library_and_coordinator
    with pytest.raises(LastCoordinator) as err:
        change_role(coordinator, "member", [], NOW)
    assert isinstance(err.value, Conflict) and err.value.field == "role"
    assert coordinator.role == "coordinator"


def test_last_coordinator_cannot_be_deactivated(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    with pytest.raises(LastCoordinator):
        deactivate(coordinator, [member], NOW)
    assert coordinator.status == "active"


def test_coordinator_can_step_down_once_a_colleague_is_coordinator(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    assert change_role(member, "coordinator", [coordinator], NOW, changed_by=coordinator.person_id)
    assert change_role(coordinator, "member", [member], NOW, library_name=library.name)
    (fact,) = coordinator.events
    assert fact.type == "person.role_changed"
    assert (fact.payload["old_role"], fact.payload["new_role"]) == ("coordinator", "member")
    assert fact.payload["email"] == "mette.hansen@ballerup.example"


def test_an_invited_coordinator_does_not_count_as_active(library_and_coordinator):
    from registration.domain import invite_person

    library, coordinator = library_and_coordinator
    invited = invite_person(
        email="ny@ballerup.example",
        role="coordinator",
        library=library,
        inviter=coordinator,
        people_with_email=[],
        now=NOW,
    ).person
    with pytest.raises(LastCoordinator):
        change_role(coordinator, "member", [invited], NOW)


def test_coordinators_of_other_libraries_do_not_count(library_and_coordinator):
    from registration_builders import active_library_with_coordinator

    _, coordinator = library_and_coordinator
    _, elsewhere = active_library_with_coordinator()
    elsewhere.library_id = "another-library"
    with pytest.raises(LastCoordinator):
        change_role(coordinator, "member", [elsewhere], NOW)


def test_library_people_cannot_get_programme_roles_and_staff_cannot_get_library_roles(library_and_coordinator):
    from registration.domain import invite_person

    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    with pytest.raises(InvalidField) as err:
        change_role(member, "administrator", [coordinator], NOW)
    assert err.value.code == "role_not_allowed"
    assessor = invite_person(
        email="a@chora2030.example", role="assessor", library=None, inviter=None, people_with_email=[], now=NOW
    ).person
    with pytest.raises(InvalidField):
        change_role(assessor, "coordinator", [], NOW)
    assert change_role(assessor, "administrator", [], NOW)


def test_same_role_is_no_change(library_and_coordinator):
    _, coordinator = library_and_coordinator
    assert change_role(coordinator, "coordinator", [], NOW) is False
    assert coordinator.events == []


def test_deactivated_person_cannot_sign_in_or_change_role(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    deactivate(member, [coordinator], NOW, deactivated_by=coordinator.person_id)
    assert member.status == "deactivated" and not member.can_sign_in
    assert member.events[-1].payload["reason"] == "deactivated"
    with pytest.raises(IllegalTransition) as err:
        change_role(member, "coordinator", [coordinator], NOW)
    assert err.value.state == "deactivated"
    with pytest.raises(IllegalTransition):
        deactivate(member, [coordinator], NOW)


def test_person_changes_language_preference(library_and_coordinator):
    _, coordinator = library_and_coordinator
    assert coordinator.update_profile(NOW, language="en", name="Mette Hansen") == ["language"]
    assert coordinator.language == "en"
    assert coordinator.events[-1].type == "person.profile_changed"
    with pytest.raises(InvalidField):
        coordinator.update_profile(NOW, language="de")


def test_password_reset_link_sets_a_new_hash_once(library_and_coordinator):
    _, person = library_and_coordinator
    token = person.request_password_reset(NOW, token="reset-1")
    fact = person.events[-1]
    assert fact.type == "person.password_reset_requested" and fact.payload["reset_token"] == token
    assert fact.payload["token_expires_at"] == (NOW + timedelta(hours=1)).isoformat()
    person.reset_password("reset-1", "new-hash", NOW + timedelta(minutes=30))
    assert person.password_hash == "new-hash"
    with pytest.raises(Exception) as err:
        person.reset_password("reset-1", "other", NOW + timedelta(minutes=31))
    assert err.value.code == "token_used"


def test_password_reset_link_expires_after_an_hour(library_and_coordinator):
    _, person = library_and_coordinator
    person.request_password_reset(NOW, token="reset-1")
    with pytest.raises(TokenExpired):
        person.reset_password("reset-1", "h", NOW + timedelta(hours=1))


def test_a_new_reset_request_invalidates_the_previous_link(library_and_coordinator):
    _, person = library_and_coordinator
    person.request_password_reset(NOW, token="reset-1")
    person.request_password_reset(NOW, token="reset-2")
    with pytest.raises(TokenSuperseded):
        person.reset_password("reset-1", "h", NOW)


def test_confirmation_token_cannot_be_used_to_reset_a_password(library_and_coordinator):
    _, person = library_and_coordinator
    with pytest.raises(TokenUnknown):
        person.reset_password("confirm-token", "h", NOW)


def test_only_active_people_can_request_a_password_reset():
    from registration_builders import registered

    pending = registered().coordinator
    with pytest.raises(IllegalTransition) as err:
        pending.request_password_reset(NOW)
    assert err.value.state == "pending"


def test_a_deactivated_member_is_reactivated_with_their_old_password(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    deactivate(member, [coordinator], NOW)
    later = NOW + timedelta(days=30)
    reactivate(member, [member], later, reactivated_by=coordinator.person_id, library_name=library.name)
    assert member.status == "active" and member.can_sign_in
    assert member.deactivated_at is None and member.reactivated_at == later
    fact = member.events[-1]
    assert fact.type == "person.reactivated"
    assert fact.payload["email"] == member.email and fact.payload["library_name"] == library.name
    assert fact.payload["reactivated_by"] == coordinator.person_id and fact.payload["version"] == member.version


def test_only_a_deactivated_person_can_be_reactivated(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    with pytest.raises(IllegalTransition) as err:
        reactivate(member, [], NOW)
    assert err.value.state == "active" and member.events == []


def test_a_revoked_invitation_has_no_account_to_reactivate(library_and_coordinator):
    library, coordinator = library_and_coordinator
    invited = invite_person(email="ny@b.example", role="member", library=library, inviter=coordinator,
                            people_with_email=[], now=NOW).person
    deactivate(invited, [coordinator], NOW, reason="invitation_revoked")
    with pytest.raises(NeverJoined) as err:
        reactivate(invited, [], NOW)
    assert isinstance(err.value, Conflict) and "Invitér" in err.value.message_da
    assert invited.status == "deactivated"


def test_reactivation_is_refused_when_the_address_was_given_to_someone_else_meanwhile(library_and_coordinator):
    library, coordinator = library_and_coordinator
    member = active_member(library, coordinator)
    deactivate(member, [coordinator], NOW)
    again = invite_person(email=member.email, role="member", library=library, inviter=coordinator,
                          people_with_email=[member], now=NOW).person
    with pytest.raises(EmailInUse):
        reactivate(member, [member, again], NOW)
    assert member.status == "deactivated"
