import pytest
from evidence_builders import COORDINATOR, MEMBER, NOW, OTHER_LIBRARY

from evidence.domain import Conflict, CopiedFrom, Forbidden, case_draft_data, copy_case, share_case

pytestmark = pytest.mark.unit


def test_a_library_shares_a_submitted_activity_as_a_public_snapshot(submitted):
    case, outcome = share_case(submitted, COORDINATOR, case_id="case-1", based_on=submitted.revision, now=NOW)
    assert case.title == "Reparationscafé" and case.library_id == "lib-aarhus"
    assert not any(hasattr(case, name) for name in ("audit", "thread", "submitted_by", "attachments", "created_by"))
    assert outcome.new.shared_case_id == "case-1"
    [event] = outcome.events
    assert event.type == "case.shared" and event.payload["case_id"] == "case-1"
    assert case.shared_at == NOW and case.partners == submitted.partners


def test_a_draft_cannot_be_shared_and_an_item_is_shared_once(draft, submitted):
    with pytest.raises(Conflict):
        share_case(draft, MEMBER, case_id="c", based_on=draft.revision, now=NOW)
    _, outcome = share_case(submitted, MEMBER, case_id="c", based_on=submitted.revision, now=NOW)
    with pytest.raises(Conflict) as caught:
        share_case(outcome.new, MEMBER, case_id="c2", based_on=outcome.new.revision, now=NOW)
    assert caught.value.code == "already_shared"


def test_another_library_cannot_share_someone_elses_activity(submitted):
    with pytest.raises(Forbidden):
        share_case(submitted, OTHER_LIBRARY, case_id="c", based_on=submitted.revision, now=NOW)


def test_another_library_copies_a_case_into_a_draft_of_its_own(submitted):
    case, _ = share_case(submitted, COORDINATOR, case_id="case-1", based_on=submitted.revision, now=NOW)
    data = case_draft_data(case)
    assert "participants" not in data and "date" not in data and "partners" not in data
    outcome = copy_case(case, OTHER_LIBRARY, item_id="item-odense-1", now=NOW, library_name="Odense Bibliotekerne")
    copy = outcome.new
    assert (copy.library_id, copy.status, copy.title) == ("lib-odense", "draft", "Reparationscafé")
    assert copy.sdgs == (12, 13) and copy.participants is None
    assert copy.copied_from == CopiedFrom("case-1", "lib-aarhus", "Aarhus Bibliotekerne")
    assert outcome.problems == []
