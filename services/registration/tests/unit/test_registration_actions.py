"""What an answer offers: the actions each caller may take on a person, a library, a branch and a
cohort, and that the command behind an offered action is accepted (and one not offered refused)."""

import pytest
from registration_builders import NOW, active_library_with_coordinator, active_member
from registration_steps import ADMIN, ASSESSOR, active_library, colleague

from registration import views
from registration.domain import commands as c
from registration.domain.actions import branch_actions, cohort_actions, library_actions, person_actions
from registration.domain.cohorts import create_cohort, start_enrolment
from registration.domain.errors import RegistrationError
from registration.domain.invitations import invite_person
from registration.domain.people import deactivate
from shared.identity import Identity

pytestmark = pytest.mark.unit


def identity_of(person):
    return Identity(person.person_id, person.role, person.library_id)


def test_a_coordinator_manages_colleagues_but_not_the_last_coordinator_and_erases_nobody():
    library, boss = active_library_with_coordinator()
    member = active_member(library, boss)
    team = [boss, member]
    assert person_actions(member, identity_of(boss), team) == ["change_role", "make_coordinator", "deactivate"]
    # The only active coordinator can be neither demoted nor deactivated, not even by themselves.
    assert person_actions(boss, identity_of(boss), team) == ["edit_profile", "export"]
    assert person_actions(boss, ADMIN, team) == ["edit_profile", "export", "erase"]
    second = active_member(library, boss, email="anden@ballerup.example", role="coordinator")
    assert "deactivate" in person_actions(boss, identity_of(second), [*team, second])


def test_a_member_may_only_edit_and_export_themselves():
    library, boss = active_library_with_coordinator()
    member = active_member(library, boss)
    assert person_actions(member, identity_of(member), [boss, member]) == ["edit_profile", "export"]
    assert person_actions(boss, identity_of(member), [boss, member]) == []
    assert person_actions(member, ASSESSOR, [boss, member]) == []


def test_an_invitation_is_resent_or_revoked_and_a_joined_person_reactivated():
    library, boss = active_library_with_coordinator()
    invited = invite_person(email="ny@ballerup.example", role="member", library=library, inviter=boss,
                            people_with_email=[], now=NOW).person
    assert person_actions(invited, identity_of(boss)) == ["change_role", "make_coordinator",
                                                          "resend_invitation", "revoke_invitation"]
    member = active_member(library, boss)
    deactivate(member, [boss], NOW)
    assert person_actions(member, identity_of(boss)) == ["reactivate"]
    deactivate(invited, [boss], NOW)
    assert person_actions(invited, identity_of(boss)) == []  # never joined: invite again instead


def test_library_actions_follow_role_status_and_enrolment():
    library, boss = active_library_with_coordinator()
    member = active_member(library, boss)
    cohort = create_cohort("Det åbne program", 2024, None, state="open")
    assert library_actions(library, None, identity_of(boss)) == ["edit", "withdraw", "add_branch", "invite"]
    assert library_actions(library, None, identity_of(member)) == []
    assert library_actions(library, None, ASSESSOR) == []
    assert library_actions(library, None, ADMIN) == ["edit", "withdraw", "add_branch", "invite", "enrol"]
    enrolled = start_enrolment(library, cohort, NOW)
    assert library_actions(library, enrolled, ADMIN)[-2:] == ["move_enrolment", "end_enrolment"]
    library.withdraw(NOW)
    assert library_actions(library, None, ADMIN) == []


def test_branch_and_cohort_actions():
    library, boss = active_library_with_coordinator()
    branch = library.open_branches[0]
    assert branch_actions(library, branch, identity_of(boss)) == ["rename", "edit", "close"]
    library.close_branch(branch.branch_id, NOW)
    assert branch_actions(library, branch, identity_of(boss)) == []
    cohort = create_cohort("Forløb", 2026)
    assert cohort_actions(cohort, ADMIN) == ["rename", "open"]
    cohort.open(NOW)
    assert cohort_actions(cohort, ADMIN) == ["rename", "close"]
    assert cohort_actions(cohort, ASSESSOR) == []


COMMAND_OF = {
    "deactivate": lambda who, p: c.UpdatePerson(who, p, active=False),
    "change_role": lambda who, p: c.UpdatePerson(who, p, role="member"),
    "make_coordinator": lambda who, p: c.UpdatePerson(who, p, role="coordinator"),
    "reactivate": lambda who, p: c.ReactivatePerson(who, p),
    "erase": lambda who, p: c.ErasePerson(who, p),
}


@pytest.mark.parametrize("case", ["coordinator on member", "administrator on member", "coordinator on self",
                                  "member on coordinator"])
@pytest.mark.parametrize("action", sorted(COMMAND_OF))
def test_an_offered_person_action_is_accepted_and_one_not_offered_changes_nothing(service, action, case):
    library_id, boss = active_library(service)
    member = colleague(service, library_id, boss, "m@bib.example")
    if action == "reactivate":
        service.bus.handle(c.UpdatePerson(boss, member.person_id, active=False))
    who, target = {"coordinator on member": (boss, member), "administrator on member": (ADMIN, member),
                   "coordinator on self": (boss, boss), "member on coordinator": (member, boss)}[case]
    before = views.person(target.person_id, ADMIN, service.uow)
    offered = action in views.person(target.person_id, who, service.uow)["actions"]
    command = COMMAND_OF[action](who, target.person_id)
    if offered:
        service.bus.handle(command)
        assert service.uow.commits and service.uow.outbox[-1].payload["person_id"] == target.person_id
    else:
        try:
            service.bus.handle(command)
        except RegistrationError:
            pass
        assert views.person(target.person_id, ADMIN, service.uow) == before
