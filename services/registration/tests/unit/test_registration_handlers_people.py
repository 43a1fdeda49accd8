"""People, invitations, roles, tenancy and GDPR through the handlers, on in-memory repositories;
outcomes read back through the views, the repositories and the committed events."""

import pytest
from registration_steps import ADMIN, PASSWORD, active_library, colleague, token_of

from registration import views
from registration.domain import commands as c
from registration.domain.errors import (
    Forbidden,
    Hidden,
    InvitationPending,
    LastCoordinator,
    NeverJoined,
    PersonErased,
    TokenSuperseded,
)
from shared.identity import Identity

pytestmark = pytest.mark.unit


def test_an_invitation_is_accepted_once_and_a_resend_supersedes_the_first_link(service):
    library_id, boss = active_library(service)
    person_id = service.bus.handle(c.InvitePerson(boss, "Ole@Bib.example", "member", library_id=library_id))
    first = token_of(service, "person.invited", "invitation_token", person_id=person_id)
    with pytest.raises(InvitationPending):
        service.bus.handle(c.InvitePerson(boss, "ole@bib.example", "member", library_id=library_id))

    service.bus.handle(c.ResendInvitation(boss, person_id))
    resent = service.uow.emitted("person.invited")[-1].payload
    assert resent["resend"] and resent["inviter_name"] == "Mette Hansen"
    with pytest.raises(TokenSuperseded):
        service.bus.handle(c.AcceptInvitation(first, PASSWORD, "Ole Jensen"))
    joined = service.bus.handle(c.AcceptInvitation(resent["invitation_token"], PASSWORD, "Ole Jensen"))
    assert joined == {"person_id": person_id, "library_id": library_id}
    assert views.person(person_id, boss, service.uow)["status"] == "active"
    assert len(service.uow.emitted("person.invited")) == 2  # the refused duplicate emitted nothing


def test_a_member_cannot_invite_and_the_last_coordinator_cannot_be_demoted_or_deactivated(service):
    library_id, boss = active_library(service)
    member = colleague(service, library_id, boss, "m@bib.example")
    with pytest.raises(Forbidden):
        service.bus.handle(c.InvitePerson(member, "x@bib.example", "member"))
    for change in (c.UpdatePerson(boss, boss.person_id, role="member"),
                   c.UpdatePerson(boss, boss.person_id, active=False)):
        with pytest.raises(LastCoordinator):
            service.bus.handle(change)
    assert views.person(boss.person_id, boss, service.uow)["role"] == "coordinator"

    service.bus.handle(c.UpdatePerson(boss, member.person_id, role="coordinator"))
    service.bus.handle(c.UpdatePerson(boss, boss.person_id, active=False))
    assert views.person(boss.person_id, ADMIN, service.uow)["status"] == "deactivated"
    changed = service.uow.emitted("person.role_changed")[-1].payload
    assert (changed["old_role"], changed["new_role"], changed["changed_by"]) == ("member", "coordinator",
                                                                                   boss.person_id)


def test_another_librarys_staff_see_and_change_nothing_of_this_library(service):
    library_a, boss_a = active_library(service)
    library_b, boss_b = active_library(service)
    before = service.uow.repos.libraries.get(library_b)
    refused = [
        lambda: views.library(library_b, boss_a, service.uow),
        lambda: views.people_of_library(library_b, boss_a, service.uow),
        lambda: views.person(boss_b.person_id, boss_a, service.uow),
        lambda: service.bus.handle(c.UpdateLibrary(boss_a, library_b, {"name": "Overtaget"})),
        lambda: service.bus.handle(c.WithdrawLibrary(boss_a, library_b)),
        lambda: service.bus.handle(c.AddBranch(boss_a, library_b, "Filial")),
        lambda: service.bus.handle(c.UpdatePerson(boss_a, boss_b.person_id, role="member")),
        lambda: service.bus.handle(c.InvitePerson(boss_a, "spy@bib.example", "member", library_id=library_b)),
    ]
    for attempt in refused:
        with pytest.raises(Hidden):
            attempt()
    assert service.uow.repos.libraries.get(library_b) == before
    with pytest.raises(Forbidden):
        views.libraries(boss_a, service.uow)


def test_a_deactivated_colleague_is_reactivated_and_signs_in_again(service):
    library_id, boss = active_library(service)
    member = colleague(service, library_id, boss, "tilbage@bib.example")
    service.bus.handle(c.UpdatePerson(boss, member.person_id, active=False))
    service.bus.handle(c.ReactivatePerson(boss, member.person_id))
    assert service.bus.handle(c.VerifyCredentials("tilbage@bib.example", PASSWORD)).person_id == member.person_id
    event = service.uow.emitted("person.reactivated")[-1].payload
    assert (event["reactivated_by"], event["library_name"]) == (boss.person_id, "Ballerup Bibliotekerne")


def test_a_revoked_invitation_has_no_account_to_reactivate(service):
    library_id, boss = active_library(service)
    person_id = service.bus.handle(c.InvitePerson(boss, "aldrig@bib.example", "member", library_id=library_id))
    service.bus.handle(c.RevokeInvitation(boss, person_id))
    assert service.uow.emitted("person.deactivated")[-1].payload["reason"] == "invitation_revoked"
    with pytest.raises(NeverJoined):
        service.bus.handle(c.ReactivatePerson(boss, person_id))


def test_an_erased_person_is_gone_and_only_who_could_manage_them_learns_so(service):
    library_id, boss = active_library(service)
    member = colleague(service, library_id, boss, "slet.mig@bib.example")
    with pytest.raises(Forbidden):
        service.bus.handle(c.ErasePerson(boss, member.person_id))
    service.bus.handle(c.ErasePerson(ADMIN, member.person_id))

    assert service.uow.repos.people.get(member.person_id) is None
    assert service.uow.repos.erasures.get(member.person_id).library_id == library_id
    assert service.uow.emitted("person.erased")[-1].payload == {"person_id": member.person_id,
                                                                "library_id": library_id}
    for who in (ADMIN, boss):
        with pytest.raises(PersonErased):
            service.bus.handle(c.ReactivatePerson(who, member.person_id))
    _, stranger = active_library(service)
    for who in (stranger, Identity("someone", "member", library_id)):
        with pytest.raises(Hidden):
            service.bus.handle(c.ReactivatePerson(who, member.person_id))
    with pytest.raises(Hidden):
        service.bus.handle(c.ErasePerson(ADMIN, member.person_id))


def test_the_gdpr_export_is_for_the_person_and_administrators_only(service):
    library_id, boss = active_library(service)
    member = colleague(service, library_id, boss, "eksport@bib.example")
    mine = views.export_person(member.person_id, member, service.uow)
    assert (mine["email"], mine["library_name"], mine["password_set"]) == ("eksport@bib.example",
                                                                           "Ballerup Bibliotekerne", True)
    assert "password_hash" not in mine
    assert views.export_person(member.person_id, ADMIN, service.uow) == mine
    with pytest.raises(Forbidden):
        views.export_person(member.person_id, boss, service.uow)


def test_a_person_changes_their_own_name_and_language_but_not_a_colleagues(service):
    library_id, boss = active_library(service)
    member = colleague(service, library_id, boss, "ole@bib.example")
    service.bus.handle(c.UpdatePerson(member, member.person_id, name="Ole J.", language="en"))
    assert service.uow.emitted("person.profile_changed")[-1].payload["changed_fields"] == ["name", "language"]
    with pytest.raises(Forbidden):
        service.bus.handle(c.UpdatePerson(boss, member.person_id, name="Omdøbt"))
    assert views.person(member.person_id, boss, service.uow)["name"] == "Ole J."
