from datetime import timedelta

import pytest
from evidence_builders import ADMINISTRATOR, ASSESSOR, COORDINATOR, MEMBER, NOW, OTHER_LIBRARY

from evidence.domain import (
    Conflict,
    Contact,
    Forbidden,
    InvalidEvidence,
    InvalidField,
    answer_clarification,
    create_item,
    delete_item,
    edit_item,
    post_message,
    review_item,
    submit_item,
    withdraw_item,
)

pytestmark = pytest.mark.unit
LATER = NOW + timedelta(hours=1)


def test_a_new_draft_belongs_to_the_creators_library_at_revision_1(draft):
    assert draft.status == "draft"
    assert draft.library_id == "lib-aarhus"
    assert draft.revision == 1
    assert draft.audit[-1].action == "create"
    assert draft.audit[-1].by.person_id == "p-anna"


def test_a_draft_is_saved_with_its_valid_fields_and_the_invalid_ones_reported():
    outcome = create_item({"title": "Klimacafé", "sdgs": [18]}, MEMBER, item_id="i", now=NOW)
    assert outcome.new.title == "Klimacafé" and outcome.new.sdgs == ()
    assert [p.field for p in outcome.problems] == ["sdgs"]
    assert outcome.events == []


def test_submitting_moves_a_draft_to_submitted_and_announces_it(draft):
    outcome = submit_item(draft, MEMBER, based_on=1, now=LATER)
    assert outcome.new.status == "submitted"
    assert outcome.new.revision == 2
    assert outcome.new.submitted_by == Contact("p-bo", "Bo Berg", "bo@aakb.dk")
    [event] = outcome.events
    assert event.type == "evidence.submitted"
    assert event.payload["revision"] == 2 and event.payload["item"]["status"] == "submitted"
    assert event.payload["item"]["partners"] == ["Repair Café Aarhus"]
    assert event.payload["resubmission"] is False


def test_an_incomplete_draft_cannot_be_submitted():
    draft = create_item({"title": "Kun en titel"}, MEMBER, item_id="i", now=NOW).new
    with pytest.raises(InvalidEvidence) as caught:
        submit_item(draft, MEMBER, based_on=1, now=NOW)
    assert {p.field for p in caught.value.problems} == {"kind", "dimension"}


def test_only_assessors_decide(submitted):
    for who in (COORDINATOR, ADMINISTRATOR):
        with pytest.raises(Forbidden) as caught:
            review_item(submitted, who, based_on=submitted.revision, now=NOW, decision="approved")
        assert caught.value.kind == "forbidden" and "bedømmer" in caught.value.message_da


def test_approval_records_the_decision_and_announces_it(submitted):
    outcome = review_item(submitted, ASSESSOR, based_on=submitted.revision, now=LATER, decision="approved")
    assert outcome.new.status == "approved"
    assert outcome.new.decision.reviewer.person_id == "p-dorte"
    [event] = outcome.events
    assert (event.type, event.payload["decision"]) == ("evidence.reviewed", "approved")


def test_a_rejection_must_say_why(submitted):
    with pytest.raises(InvalidField) as caught:
        review_item(submitted, ASSESSOR, based_on=submitted.revision, now=NOW, decision="rejected")
    assert caught.value.field == "comment"
    outcome = review_item(
        submitted, ASSESSOR, based_on=submitted.revision, now=NOW, decision="rejected", comment="Ikke et SDG-emne."
    )
    assert outcome.new.status == "rejected"


def test_a_member_of_another_library_cannot_edit(draft):
    with pytest.raises(Forbidden) as caught:
        edit_item(draft, {"title": "Overtaget"}, OTHER_LIBRARY, based_on=draft.revision, now=NOW)
    assert caught.value.code == "not_library_staff"
    for command in (submit_item, withdraw_item):
        with pytest.raises(Forbidden):
            command(draft, OTHER_LIBRARY, based_on=draft.revision, now=NOW)


def test_a_stale_revision_is_a_conflict(draft):
    edited = edit_item(draft, {"title": "Ny titel"}, MEMBER, based_on=1, now=LATER).new
    assert edited.revision == 2
    with pytest.raises(Conflict) as caught:
        edit_item(edited, {"title": "Min titel"}, COORDINATOR, based_on=1, now=LATER)
    assert caught.value.code == "stale_revision"
    assert "1" in caught.value.message_da and "2" in caught.value.message_en


@pytest.mark.parametrize(
    ("state", "command", "named_da", "named_en"),
    [
        ("approved", "submit", "godkendt", "approved"),
        ("approved", "withdraw", "godkendt", "approved"),
        ("submitted", "edit", "indsendt", "submitted"),
        ("submitted", "submit", "indsendt", "submitted"),
        ("draft", "review", "kladde", "draft"),
        ("draft", "answer", "kladde", "draft"),
    ],
)
def test_illegal_transitions_are_conflicts_naming_the_current_state(state, command, named_da, named_en, request):
    item = request.getfixturevalue(state)
    rev = item.revision
    calls = {
        "submit": lambda: submit_item(item, MEMBER, based_on=rev, now=NOW),
        "withdraw": lambda: withdraw_item(item, MEMBER, based_on=rev, now=NOW),
        "edit": lambda: edit_item(item, {"title": "x"}, MEMBER, based_on=rev, now=NOW),
        "review": lambda: review_item(item, ASSESSOR, based_on=rev, now=NOW, decision="approved"),
        "answer": lambda: answer_clarification(item, MEMBER, based_on=rev, now=NOW, message="svar"),
    }
    with pytest.raises(Conflict) as caught:
        calls[command]()
    assert caught.value.code == "illegal_transition"
    assert named_da in caught.value.message_da and named_en in caught.value.message_en


def test_withdrawing_before_a_decision_is_allowed_and_announced(submitted):
    outcome = withdraw_item(submitted, COORDINATOR, based_on=submitted.revision, now=LATER, reason="Forkert dato")
    assert outcome.new.status == "withdrawn"
    [event] = outcome.events
    assert event.type == "evidence.withdrawn" and event.payload["previous_status"] == "submitted"
    resubmitted = submit_item(outcome.new, MEMBER, based_on=outcome.new.revision, now=LATER)
    assert resubmitted.events[0].payload["resubmission"] is True


def test_withdrawing_a_draft_that_was_never_submitted_sends_no_event(draft):
    assert withdraw_item(draft, MEMBER, based_on=1, now=NOW).events == []


def test_editing_approved_evidence_opens_a_new_revision_in_draft(approved):
    outcome = edit_item(approved, {"participants": 45}, MEMBER, based_on=approved.revision, now=LATER)
    assert outcome.new.status == "draft"
    assert outcome.new.revision == approved.revision + 1
    assert outcome.new.participants == 45
    [event] = outcome.events
    assert event.type == "evidence.revised"
    assert event.payload["changed_fields"] == ["participants"]
    assert event.payload["previous_status"] == "approved"
    assert outcome.new.audit[-1].changed == ("participants",)


def test_an_edit_that_changes_nothing_writes_nothing(draft):
    outcome = edit_item(draft, {"title": draft.title}, MEMBER, based_on=1, now=NOW)
    assert outcome.new.revision == 1 and outcome.events == []


def test_an_edit_keeps_valid_fields_despite_invalid_ones(draft):
    outcome = edit_item(draft, {"title": "Cykelværksted", "sdgs": [4, 18]}, MEMBER, based_on=1, now=NOW)
    assert outcome.new.title == "Cykelværksted"
    assert outcome.new.sdgs == (12, 13)
    assert [p.field for p in outcome.problems] == ["sdgs"]


def test_a_clarification_request_needs_a_future_deadline(submitted):
    for deadline in ("2025-03-10", "2025-03-01", None, "next week"):
        with pytest.raises(InvalidField) as caught:
            review_item(
                submitted,
                ASSESSOR,
                based_on=submitted.revision,
                now=NOW,
                decision="clarification_requested",
                comment="Hvor mange deltog?",
                deadline=deadline,
            )
        assert caught.value.field == "deadline"


def test_a_clarification_request_opens_a_thread_and_tells_the_submitter(questioned):
    assert questioned.status == "clarification_requested"
    assert questioned.deadline == "2025-04-01"
    assert questioned.thread[0].text == "Hvor mange deltog i alt?"
    assert questioned.thread[0].side == "assessor"


def test_clarification_events_carry_message_deadline_and_the_submitters_address(submitted):
    outcome = review_item(
        submitted,
        ASSESSOR,
        based_on=submitted.revision,
        now=NOW,
        decision="clarification_requested",
        comment="Hvem var partnerne?",
        deadline="2025-04-01",
    )
    reviewed, asked = outcome.events
    assert reviewed.type == "evidence.reviewed" and reviewed.payload["decision"] == "clarification_requested"
    assert asked.type == "evidence.clarification_requested"
    assert asked.payload["message"] == "Hvem var partnerne?"
    assert asked.payload["deadline"] == "2025-04-01"
    assert asked.payload["submitter"]["email"] == "bo@aakb.dk"


def test_answering_a_clarification_resubmits_with_a_new_revision(questioned):
    outcome = answer_clarification(
        questioned,
        COORDINATOR,
        based_on=questioned.revision,
        now=LATER,
        message="Vi var 52 i alt.",
        changes={"participants": 52},
    )
    assert outcome.new.status == "submitted"
    assert outcome.new.revision == questioned.revision + 1
    assert outcome.new.participants == 52
    assert outcome.new.deadline is None
    assert [m.side for m in outcome.new.thread] == ["assessor", "library"]
    [event] = outcome.events
    assert event.type == "evidence.clarification_answered"
    assert event.payload["changed_fields"] == ["participants"]
    approved = review_item(outcome.new, ASSESSOR, based_on=outcome.new.revision, now=LATER, decision="approved")
    assert approved.new.status == "approved"


def test_an_answer_with_invalid_changes_is_refused_whole(questioned):
    with pytest.raises(InvalidEvidence):
        answer_clarification(
            questioned, MEMBER, based_on=questioned.revision, now=NOW, message="Se her", changes={"sdgs": [18]}
        )


def test_both_sides_may_write_in_an_open_thread_without_changing_the_status(questioned):
    asked = post_message(questioned, MEMBER, now=LATER, message="Mener I deltagere eller frivillige?")
    replied = post_message(asked.new, ASSESSOR, now=LATER, message="Deltagere.")
    assert replied.new.status == "clarification_requested"
    assert [m.side for m in replied.new.thread] == ["assessor", "library", "assessor"]
    with pytest.raises(Forbidden):
        post_message(questioned, OTHER_LIBRARY, now=LATER, message="Hej")


def test_every_transition_appends_an_audit_entry(questioned):
    actions = [(e.action, e.from_status, e.to_status) for e in questioned.audit]
    assert actions == [
        ("create", "draft", "draft"),
        ("submit", "draft", "submitted"),
        ("review", "submitted", "clarification_requested"),
    ]
    assert [e.revision for e in questioned.audit] == [1, 2, 3]
    assert all(e.at == NOW for e in questioned.audit)


def test_an_unknown_role_is_refused(draft):
    with pytest.raises(Forbidden):
        edit_item(
            draft, {"title": "x"}, {"person_id": "p", "role": "guest", "library_id": "lib-aarhus"}, based_on=1, now=NOW
        )


def test_the_documents_passed_in_are_never_mutated(draft):
    before = repr(draft)
    submit_item(draft, MEMBER, based_on=1, now=NOW)
    edit_item(draft, {"title": "Ændret"}, MEMBER, based_on=1, now=NOW)
    assert repr(draft) == before


def test_a_draft_nobody_outside_the_library_has_seen_can_be_deleted_but_not_a_once_submitted_one(draft, approved):
    delete_item(draft, MEMBER, based_on=draft.revision)
    reopened = edit_item(approved, {"participants": 45}, MEMBER, based_on=approved.revision, now=LATER).new
    with pytest.raises(Conflict) as caught:
        delete_item(reopened, MEMBER, based_on=reopened.revision)
    assert caught.value.code == "was_submitted" and "withdraw" in caught.value.message_en
    with pytest.raises(Forbidden):
        delete_item(draft, ASSESSOR, based_on=draft.revision)
    with pytest.raises(Conflict) as stale:
        delete_item(draft, MEMBER, based_on=draft.revision - 1)
    assert stale.value.code == "stale_revision"
