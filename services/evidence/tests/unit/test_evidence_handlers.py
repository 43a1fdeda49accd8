"""The evidence handlers through the message bus on in-memory repositories (FakeUnitOfWork): what
each command stores and emits, read back through the repositories and the committed outbox, and
that a refused command leaves nothing behind."""

import io
from datetime import timedelta

import pytest
from chora_testing.uow import FakeUnitOfWork
from evidence_builders import ACTIVITY, ASSESSOR, COORDINATOR, MEMBER, NOW, OTHER_LIBRARY, image_bytes
from evidence_fakes import FakeRepositories, MemoryFiles

from evidence.domain import Actor, Conflict, Forbidden, InvalidEvidence, NotFound, TooLarge
from evidence.domain import commands as c
from evidence.handlers import COMMAND_HANDLERS, CONSUMER, EVENT_HANDLERS
from shared.events import Event, new_event
from shared.messagebus import MessageBus
from shared.mongo import AlreadyProcessed

pytestmark = pytest.mark.unit

ANNA, BO, CARL, DORTE = (Actor.of(p) for p in (COORDINATOR, MEMBER, OTHER_LIBRARY, ASSESSOR))
GOALS = [{"dimension": d, "title": f"Mål i {d}", "sdgs": [4]} for d in ("formidling", "faellesskaber", "drift")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def received(type_, payload):
    """An event as the consumer hands it over, with only the fields this service reads."""
    return Event(id=f"e-{type_}-{payload.get('version', 0)}", type=type_, version=1, occurred_at=NOW,
                 producer="registration", correlation_id=None, causation_id=None, payload=payload)


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def uow():
    return FakeUnitOfWork(FakeRepositories(), producer="evidence")


@pytest.fixture
def files():
    return MemoryFiles()


@pytest.fixture
def bus(uow, files):
    return MessageBus(commands=COMMAND_HANDLERS, events=EVENT_HANDLERS,
                      dependencies={"uow": uow, "clock": Clock(), "files": files})


def draft(bus, data=None, actor=ANNA):
    return bus.handle(c.CreateItem("lib-aarhus", data or ACTIVITY, actor))


def test_a_new_draft_is_stored_with_the_librarys_name_and_announced_to_nobody(bus, uow):
    bus.handle_event(received("library.registered", {"library_id": "lib-aarhus", "name": "Aarhus", "version": 1}))
    item = draft(bus)
    assert uow.repos.items.get(item.item_id) == item and item.library_name == "Aarhus"
    assert uow.emitted() == []


def test_an_invalid_new_draft_stores_nothing_and_another_librarys_staff_cannot_create_one(bus, uow):
    with pytest.raises(InvalidEvidence) as caught:
        draft(bus, {"title": "X", "sdgs": [18]})
    assert caught.value.field == "sdgs"
    with pytest.raises(NotFound):
        draft(bus, actor=CARL)
    assert uow.repos.items.stored == {}


def test_a_draft_save_keeps_the_valid_fields_and_reports_the_invalid_ones(bus, uow):
    item = draft(bus)
    saved = bus.handle(c.EditItem(item.item_id, {"participants": 12, "sdgs": [99]}, 1, BO))
    assert [p.field for p in saved.problems] == ["sdgs"]
    stored = uow.repos.items.get(item.item_id)
    assert stored.participants == 12 and stored.sdgs == (12, 13) and stored.revision == 2
    with pytest.raises(Conflict):  # based on the revision it had before
        bus.handle(c.EditItem(item.item_id, {"participants": 13}, 1, BO))
    assert uow.repos.items.get(item.item_id).participants == 12


def test_submit_review_answer_and_approve_commit_their_events_in_order(bus, uow):
    item = draft(bus)
    bus.handle(c.SubmitItem(item.item_id, 1, BO))
    deadline = (NOW + timedelta(days=14)).date()
    bus.handle(c.ReviewItem(item.item_id, "clarification_requested", "Hvor mange?", deadline, None, DORTE))
    bus.handle(c.PostMessage(item.item_id, "Børn og voksne?", None, DORTE))
    bus.handle(c.AnswerClarification(item.item_id, "52 i alt", {"participants": 52}, None, ANNA))
    approved = bus.handle(c.ReviewItem(item.item_id, "approved", None, None, None, DORTE))
    assert [e.type for e in uow.emitted()] == ["evidence.submitted", "evidence.reviewed",
                                               "evidence.clarification_requested", "evidence.clarification_answered",
                                               "evidence.reviewed"]
    assert uow.repos.items.get(item.item_id) == approved and approved.participants == 52
    assert [m.side for m in approved.thread] == ["assessor", "assessor", "library"]


def test_a_refused_command_changes_nothing_and_emits_nothing(bus, uow):
    item = draft(bus)
    with pytest.raises(Forbidden):
        bus.handle(c.SubmitItem(item.item_id, 1, DORTE))
    with pytest.raises(NotFound):
        bus.handle(c.SubmitItem(item.item_id, 1, CARL))
    assert uow.repos.items.get(item.item_id) == item and uow.emitted() == []


def test_a_draft_is_deleted_with_its_files(bus, uow, files):
    item = draft(bus)
    bus.handle(c.AddAttachment(item.item_id, "foto.jpg", io.BytesIO(image_bytes("JPEG")), "image/jpeg", None, ANNA))
    assert len(files.files) == 2  # the photo and its thumbnail
    bus.handle(c.DeleteItem(item.item_id, None, BO))
    assert uow.repos.items.get(item.item_id) is None and files.files == {}


def test_an_attachment_is_stored_and_attached_and_a_refused_one_leaves_no_bytes(bus, uow, files):
    item = draft(bus)
    attached = bus.handle(c.AddAttachment(item.item_id, "program.pdf", io.BytesIO(PDF), None, 1, ANNA))
    assert attached.attachment.mime == "application/pdf" and attached.item.revision == 2
    stored, meta = files.files[attached.attachment.file_id]
    assert stored == PDF and meta["item_id"] == item.item_id and meta["role"] == "original"
    with pytest.raises(Conflict):  # a stale revision: stored first, so deleted again
        bus.handle(c.AddAttachment(item.item_id, "igen.pdf", io.BytesIO(PDF), None, 1, ANNA))
    with pytest.raises(TooLarge):
        bus.handle(c.AddAttachment(item.item_id, "stor.pdf", io.BytesIO(b"%PDF-" + b"0" * (20 * 1024 * 1024)),
                                   None, None, ANNA))
    assert list(files.files) == [attached.attachment.file_id]
    item = bus.handle(c.RemoveAttachment(item.item_id, attached.attachment.file_id, None, BO))
    assert item.attachments == () and files.files == {}


def test_an_item_is_shared_once_and_copied_into_another_librarys_draft_and_plan(bus, uow):
    item = draft(bus)
    bus.handle(c.SubmitItem(item.item_id, 1, ANNA))
    shared = bus.handle(c.ShareItem(item.item_id, None, ANNA))
    assert uow.repos.cases.get(shared.case.case_id) == shared.case
    assert uow.repos.items.get(item.item_id).shared_case_id == shared.case.case_id
    with pytest.raises(Conflict):
        bus.handle(c.ShareItem(item.item_id, None, ANNA))
    assert [e.type for e in uow.emitted()] == ["evidence.submitted", "case.shared"]
    copied = bus.handle(c.CopyCase(shared.case.case_id, "lib-odense", "evidence", CARL)).new
    assert (copied.library_id, copied.copied_from.case_id) == ("lib-odense", shared.case.case_id)
    plan = bus.handle(c.CopyCase(shared.case.case_id, "lib-odense", "plan", CARL)).new
    assert uow.repos.plans.get("lib-odense") == plan and plan.goals[0].title == ACTIVITY["title"]
    with pytest.raises(NotFound):
        bus.handle(c.CopyCase(shared.case.case_id, "lib-aarhus", "evidence", CARL))


def test_an_action_plan_is_created_saved_submitted_questioned_answered_and_approved(bus, uow):
    saved = bus.handle(c.SavePlan("lib-aarhus", {"start_year": 2025, "goals": GOALS[:2]}, None, ANNA))
    assert saved.problems == [] and saved.new.revision == 1
    with pytest.raises(Conflict):  # no plan had that revision
        bus.handle(c.SavePlan("lib-odense", {"start_year": 2025}, 3, CARL))
    bus.handle(c.SavePlan("lib-aarhus", {"goals": GOALS}, 1, BO))
    bus.handle(c.SubmitPlan("lib-aarhus", None, BO))
    deadline = (NOW + timedelta(days=14)).date()
    bus.handle(c.ReviewPlan("lib-aarhus", "clarification_requested", "Hvordan?", deadline, None, DORTE))
    bus.handle(c.AnswerPlanClarification("lib-aarhus", "Sådan", None, None, ANNA))
    approved = bus.handle(c.ReviewPlan("lib-aarhus", "approved", None, None, None, DORTE))
    assert uow.repos.plans.get("lib-aarhus") == approved and approved.approved_version == 1
    assert [e.type for e in uow.emitted()] == ["action_plan.submitted", "action_plan.clarification_requested",
                                               "action_plan.submitted", "action_plan.approved"]


def test_an_erased_person_is_renamed_everywhere_once(bus, uow):
    item = draft(bus)
    bus.handle(c.SubmitItem(item.item_id, 1, ANNA))
    bus.handle(c.SavePlan("lib-aarhus", {"start_year": 2025}, None, ANNA))
    erased = new_event("person.erased", {"person_id": "p-anna", "library_id": "lib-aarhus"}, producer="registration")
    bus.handle_event(erased)
    assert "Anna Holm" not in repr(uow.repos.items.get(item.item_id))
    assert "Anna Holm" not in repr(uow.repos.plans.get("lib-aarhus"))
    assert (CONSUMER, erased.id) in uow.inbox
    with pytest.raises(AlreadyProcessed):
        bus.handle_event(erased)


def test_a_librarys_newest_name_wins(bus, uow):
    for version, name in ((2, "Aarhus Bibliotekerne"), (1, "Aarhus Kommunes Biblioteker")):
        bus.handle_event(received("library.updated", {"library_id": "lib-aarhus", "name": name, "version": version}))
    assert uow.repos.libraries.name_of("lib-aarhus") == "Aarhus Bibliotekerne"
