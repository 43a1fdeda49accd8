from datetime import timedelta

import pytest
from registration_builders import NOW, registered

from registration.domain import BranchNotFound, Conflict, IllegalTransition, InvalidInput, IsilInUse, RegistrationError
from registration.domain.errors import NotFound

pytestmark = pytest.mark.unit

LATER = NOW + timedelta(days=1)


def test_registered_library_is_pending_until_confirmed():
    assert registered().library.status == "pending"


def test_active_library_cannot_be_activated_again(library_and_coordinator):
    library, _ = library_and_coordinator
    with pytest.raises(IllegalTransition) as err:
        library.activate(LATER)
    assert err.value.state == "active"
    assert "active" in err.value.message_da and "active" in err.value.message_en
    assert isinstance(err.value, Conflict)


def test_withdrawn_library_cannot_be_withdrawn_or_changed(library_and_coordinator):
    library, _ = library_and_coordinator
    library.withdraw(LATER, "lukket")
    assert library.status == "withdrawn" and library.withdrawn_at == LATER
    for action in (
        lambda: library.withdraw(LATER),
        lambda: library.update({"staff_count": 3}, LATER),
        lambda: library.add_branch("Ny filial", LATER),
    ):
        with pytest.raises(IllegalTransition) as err:
            action()
        assert err.value.state == "withdrawn"


def test_pending_library_can_be_withdrawn():
    library = registered().library
    library.withdraw(LATER)
    assert [e.type for e in library.events][-1] == "library.withdrawn"


def test_update_changes_only_what_differs_and_reports_it(library_and_coordinator):
    library, _ = library_and_coordinator
    version = library.version
    changed = library.update({"staff_count": "50", "name": "Ballerup Bibliotekerne", "municipality": "BALLERUP"}, LATER)
    assert changed == ["staff_count"]
    assert library.staff_count == 50
    (fact,) = library.events
    assert fact.type == "library.updated"
    assert fact.payload["changed_fields"] == ["staff_count"]
    assert fact.payload["version"] == version + 1


def test_update_without_changes_records_nothing(library_and_coordinator):
    library, _ = library_and_coordinator
    assert library.update({"kind": "folkebibliotek"}, LATER) == []
    assert library.events == []


def test_update_validates_every_field(library_and_coordinator):
    library, _ = library_and_coordinator
    with pytest.raises(InvalidInput) as err:
        library.update({"isil": "DK-1", "staff_count": 0}, LATER)
    assert {e.field for e in err.value.errors} == {"isil", "staff_count"}
    assert library.isil == "DK-900001"


def test_update_refuses_fields_that_are_not_editable(library_and_coordinator):
    library, _ = library_and_coordinator
    with pytest.raises(RegistrationError) as err:
        library.update({"status": "active"}, LATER)
    assert err.value.code == "not_editable"


def test_update_refuses_an_isil_held_by_another_library(library_and_coordinator):
    library, _ = library_and_coordinator
    with pytest.raises(IsilInUse):
        library.update({"isil": "DK-900002"}, LATER, isil_taken_by="other-library")
    assert library.update({"isil": "DK-900003"}, LATER, isil_taken_by=None) == ["isil"]


def test_adds_renames_and_closes_branches(library_and_coordinator):
    library, _ = library_and_coordinator
    branch = library.add_branch("  Egebjerg Bibliotek ", LATER, branch_id="b-1")
    assert branch.name == "Egebjerg Bibliotek" and branch.status == "open"
    library.rename_branch("b-1", "Egebjerg Filial", LATER)
    library.close_branch("b-1", LATER)
    assert library.branch("b-1").status == "closed"
    added, renamed, closed = library.events
    assert added.type == "branch.added" and added.payload["open_branch_count"] == 3
    assert renamed.payload["change"] == "renamed" and renamed.payload["previous_name"] == "Egebjerg Bibliotek"
    assert closed.payload["change"] == "closed" and closed.payload["open_branch_count"] == 2


def test_closing_a_branch_twice_is_an_error(library_and_coordinator):
    library, _ = library_and_coordinator
    branch_id = library.branches[0].branch_id
    library.close_branch(branch_id, LATER)
    with pytest.raises(IllegalTransition) as err:
        library.close_branch(branch_id, LATER)
    assert err.value.code == "branch_already_closed"
    assert err.value.state == "closed"


def test_closed_branch_cannot_be_renamed(library_and_coordinator):
    library, _ = library_and_coordinator
    branch_id = library.branches[0].branch_id
    library.close_branch(branch_id, LATER)
    with pytest.raises(IllegalTransition):
        library.rename_branch(branch_id, "Nyt navn", LATER)


def test_unknown_branch_is_not_found(library_and_coordinator):
    library, _ = library_and_coordinator
    with pytest.raises(BranchNotFound) as err:
        library.close_branch("nope", LATER)
    assert isinstance(err.value, NotFound)


def test_two_open_branches_cannot_share_a_name(library_and_coordinator):
    library, _ = library_and_coordinator
    with pytest.raises(Conflict) as err:
        library.add_branch("skovlunde bibliotek", LATER)
    assert err.value.code == "branch_name_taken"


def test_a_closed_branchs_name_can_be_reused(library_and_coordinator):
    library, _ = library_and_coordinator
    library.close_branch(library.branches[0].branch_id, LATER)
    assert library.add_branch("Skovlunde Bibliotek", LATER).status == "open"


def test_every_change_increases_the_library_version(library_and_coordinator):
    library, _ = library_and_coordinator
    before = library.version
    library.add_branch("A", LATER)
    library.add_branch("B", LATER)
    assert [e.payload["version"] for e in library.events] == [before + 1, before + 2]


def test_a_branch_may_carry_an_isil_code_of_the_library_s_municipality_and_an_address(library_and_coordinator):
    library, _ = library_and_coordinator  # in Ballerup (municipality code 151)
    branch = library.add_branch("Baltorp Filial", LATER, branch_id="b-2", isil="dk-7151 02",
                                address="Ejbydalsvej 2, 2740 Skovlunde")
    assert (branch.isil, branch.municipality, branch.address) == ("DK-715102", "Ballerup", "Ejbydalsvej 2, 2740 Skovlunde")
    added = library.events[-1]
    assert added.payload["isil"] == "DK-715102" and added.payload["municipality"] == "Ballerup"
    assert library.change_branch_details("b-2", {"address": ""}, LATER) == ["address"]
    assert library.branch("b-2").address is None and library.events[-1].payload["change"] == "updated"
    assert library.change_branch_details("b-2", {"isil": "DK-715102"}, LATER) == []


@pytest.mark.parametrize(("isil", "code"), [
    ("DK-123456", "malformed_isil"),         # not DK-7
    ("DK-71510", "malformed_isil"),          # too short
    ("DK-799901", "unknown_municipality_code"),
    ("DK-710101", "isil_other_municipality"),  # København, not Ballerup
])
def test_a_branch_isil_code_that_does_not_fit_is_refused_naming_the_field(library_and_coordinator, isil, code):
    library, _ = library_and_coordinator
    before = len(library.branches)
    with pytest.raises(RegistrationError) as refused:
        library.add_branch("Ny filial", LATER, isil=isil)
    errors = getattr(refused.value, "errors", [refused.value])
    assert [(e.field, e.code) for e in errors] == [("isil", code)]
    assert len(library.branches) == before


def test_two_open_branches_cannot_share_an_isil_code(library_and_coordinator):
    library, _ = library_and_coordinator
    library.add_branch("Hovedbiblioteket", LATER, isil="DK-715100")
    with pytest.raises(RegistrationError) as refused:
        library.add_branch("Filialen", LATER, isil="DK-715100")
    assert refused.value.code == "branch_isil_taken"
