"""Libraries, branches, cohorts, enrolments and migrate's start-up commands through the handlers,
on in-memory repositories; outcomes read back through the views and the committed events."""

import pytest
from registration_steps import ADMIN, ASSESSOR, active_library, colleague

from registration import views
from registration.domain import commands as c
from registration.domain.errors import (
    BranchNameTaken,
    CohortNotOpen,
    Forbidden,
    IllegalTransition,
    InvalidField,
    IsilInUse,
)
from registration.domain.onboarding import seed_id

pytestmark = pytest.mark.unit

OPEN_PROGRAMME, PILOT = "det-aabne-program", "udviklingsprojektet-2021-2023"


@pytest.fixture
def migrated(service):
    """The service after migrate's commands: the shipped cohorts exist."""
    service.bus.handle(c.AddShippedCohorts())
    return service


def test_library_details_change_and_a_taken_isil_changes_nothing(service):
    library_id, boss = active_library(service)
    other_id, _ = active_library(service, isil="DK-777001")
    service.bus.handle(c.UpdateLibrary(boss, library_id, {"staff_count": 50, "municipality": "københavn"}))
    view = views.library(library_id, boss, service.uow)
    assert (view["staff_count"], view["municipality"]) == (50, "København")
    assert sorted(service.uow.emitted("library.updated")[-1].payload["changed_fields"]) == ["municipality",
                                                                                              "staff_count"]
    with pytest.raises(IsilInUse):
        service.bus.handle(c.UpdateLibrary(boss, library_id, {"isil": "dk-777001", "name": "Nyt navn"}))
    assert views.library(library_id, boss, service.uow)["name"] == "Ballerup Bibliotekerne"


def test_a_member_reads_the_library_but_may_not_change_it(service):
    library_id, boss = active_library(service)
    member = colleague(service, library_id, boss, "m@bib.example")
    assert views.library(library_id, member, service.uow)["library_id"] == library_id
    with pytest.raises(Forbidden):
        service.bus.handle(c.UpdateLibrary(member, library_id, {"staff_count": 2}))


def test_branches_are_added_renamed_and_closed_and_twins_are_refused(service):
    library_id, boss = active_library(service)
    branch_id = service.bus.handle(c.AddBranch(boss, library_id, "Måløv Bibliotek"))
    with pytest.raises(BranchNameTaken):
        service.bus.handle(c.AddBranch(boss, library_id, "måløv bibliotek"))
    service.bus.handle(c.ChangeBranch(boss, library_id, branch_id, name="Måløv"))
    service.bus.handle(c.ChangeBranch(boss, library_id, branch_id, close=True))
    branch = views.branch(library_id, branch_id, boss, service.uow)
    assert (branch["name"], branch["status"], branch["actions"]) == ("Måløv", "closed", [])
    assert [e.payload["change"] for e in service.uow.emitted("branch.changed")] == ["renamed", "closed"]
    with pytest.raises(IllegalTransition):
        service.bus.handle(c.ChangeBranch(boss, library_id, branch_id, close=True))


def test_a_library_is_enrolled_moved_and_withdrawn_by_an_administrator_only(migrated):
    service = migrated
    library_id, boss = active_library(service)
    with pytest.raises(Forbidden):
        service.bus.handle(c.EnrolLibrary(boss, library_id, OPEN_PROGRAMME))
    with pytest.raises(CohortNotOpen):
        service.bus.handle(c.EnrolLibrary(ADMIN, library_id, PILOT))
    with pytest.raises(InvalidField):
        service.bus.handle(c.EnrolLibrary(ADMIN, library_id, "no-such-cohort"))

    service.bus.handle(c.EnrolLibrary(ADMIN, library_id, OPEN_PROGRAMME))
    service.bus.handle(c.EnrolLibrary(ADMIN, library_id, OPEN_PROGRAMME))  # already there: nothing happens
    assert len(service.uow.emitted("enrolment.started")) == 1
    cohort_id = service.bus.handle(c.CreateCohort(ADMIN, "Forløb 2026", 2026, state="open"))
    service.bus.handle(c.EnrolLibrary(ADMIN, library_id, cohort_id))
    assert service.uow.emitted("enrolment.withdrawn")[-1].payload["reason"] == "moved"
    assert views.enrolment(library_id, ADMIN, service.uow).cohort_name == "Forløb 2026"
    assert [lib["library_id"] for lib in views.libraries(ADMIN, service.uow, cohort_id=cohort_id)["items"]] \
        == [library_id]

    service.bus.handle(c.WithdrawLibrary(boss, library_id, "lukker"))
    assert service.uow.emitted("enrolment.withdrawn")[-1].payload["reason"] == "library_withdrawn"
    view = views.library(library_id, ADMIN, service.uow)
    assert (view["status"], view["enrolment"], view["actions"]) == ("withdrawn", None, [])
    with pytest.raises(IllegalTransition):
        service.bus.handle(c.WithdrawLibrary(ADMIN, library_id))


def test_a_cohort_change_that_changes_nothing_is_neither_saved_nor_announced(migrated):
    service = migrated
    with pytest.raises(Forbidden):
        service.bus.handle(c.CreateCohort(ASSESSOR, "X", 2026))
    cohort_id = service.bus.handle(c.CreateCohort(ADMIN, "Forløb 2027", 2027, 2029))
    service.bus.handle(c.UpdateCohort(ADMIN, cohort_id, name="Forløb 2027"))
    assert service.uow.repos.cohorts.get(cohort_id).version == 1 and service.uow.emitted("cohort.updated") == []
    planned = service.bus.handle(c.CreateCohort(ADMIN, "Forløb 2028", 2028))
    with pytest.raises(IllegalTransition):  # a planned cohort is opened before it is closed
        service.bus.handle(c.UpdateCohort(ADMIN, planned, name="Omdøbt", state="closed"))
    assert views.cohort(planned, ADMIN, service.uow)["name"] == "Forløb 2028"
    service.bus.handle(c.UpdateCohort(ADMIN, cohort_id, state="open"))
    service.bus.handle(c.UpdateCohort(ADMIN, cohort_id, state="open"))  # already open: nothing to announce
    assert [e.payload["state"] for e in service.uow.emitted("cohort.updated")] == ["open"]


def test_the_start_up_commands_create_what_is_missing_once(service):
    assert service.bus.handle(c.AddShippedCohorts()) == 2
    assert service.bus.handle(c.AddShippedCohorts()) == 0
    assert service.bus.handle(c.SeedPilotLibraries()) == 20
    assert service.bus.handle(c.SeedPilotLibraries()) == 0
    assert len(service.uow.emitted("cohort.created")) == 2 and len(service.uow.emitted("library.registered")) == 20
    ballerup = views.library(seed_id("library", "DK-900001"), ASSESSOR, service.uow)
    assert (ballerup["status"], ballerup["origin"], ballerup["enrolment"].cohort_id) == ("active", "seed", PILOT)

    assert service.bus.handle(c.CreateFirstAdministrator("Admin@Chora.example", "et langt admin kodeord"))
    assert not service.bus.handle(c.CreateFirstAdministrator("admin@chora.example", "et andet kodeord her"))
    assert not service.bus.handle(c.CreateFirstAdministrator("not an address", "et langt admin kodeord"))
    admin = service.bus.handle(c.VerifyCredentials("admin@chora.example", "et langt admin kodeord"))
    assert (admin.role, admin.library_id) == ("administrator", None)
    assert len(service.uow.emitted("person.joined")) == 1
