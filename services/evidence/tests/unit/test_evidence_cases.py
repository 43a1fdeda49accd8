import pytest
from evidence_builders import COORDINATOR, MEMBER, NOW, OTHER_LIBRARY

from evidence.domain import Conflict, Forbidden, case_draft_data, copy_case, public_case, share_case

pytestmark = pytest.mark.unit


def test_a_library_shares_a_submitted_activity_as_a_public_snapshot(submitted):
    case, outcome = share_case(submitted, COORDINATOR, case_id="case-1", based_on=submitted["revision"], now=NOW)
    assert case["title"] == "Reparationscafé" and case["library_id"] == "lib-aarhus"
    assert "audit" not in case and "thread" not in case and "submitted_by" not in case
    assert outcome.doc["shared_case_id"] == "case-1"
    [event] = outcome.events
    assert event.type == "case.shared" and event.payload["case_id"] == "case-1"
    assert public_case(case)["shared_at"] == NOW.isoformat()


def test_a_draft_cannot_be_shared_and_an_item_is_shared_once(draft, submitted):
    with pytest.raises(Conflict):
        share_case(draft, MEMBER, case_id="c", based_on=draft["revision"], now=NOW)
    _, outcome = share_case(submitted, MEMBER, case_id="c", based_on=submitted["revision"], now=NOW)
    with pytest.raises(Conflict) as caught:
        share_case(outcome.doc, MEMBER, case_id="c2", based_on=outcome.doc["revision"], now=NOW)
    assert caught.value.code == "already_shared"


def test_another_library_cannot_share_someone_elses_activity(submitted):
    with pytest.raises(Forbidden):
        share_case(submitted, OTHER_LIBRARY, case_id="c", based_on=submitted["revision"], now=NOW)


def test_another_library_copies_a_case_into_a_draft_of_its_own(submitted):
    case, _ = share_case(submitted, COORDINATOR, case_id="case-1", based_on=submitted["revision"], now=NOW)
    data = case_draft_data(case)
    assert "participants" not in data and "date" not in data and "partners" not in data
    outcome = copy_case(case, OTHER_LIBRARY, item_id="item-odense-1", now=NOW, library_name="Odense Bibliotekerne")
    copy = outcome.doc
    assert (copy["library_id"], copy["status"], copy["title"]) == ("lib-odense", "draft", "Reparationscafé")
    assert copy["sdgs"] == [12, 13] and copy["participants"] is None
    assert copy["copied_from"] == {
        "case_id": "case-1",
        "library_id": "lib-aarhus",
        "library_name": "Aarhus Bibliotekerne",
    }
    assert outcome.problems == []
