"""One contract for the repositories, run against the store on real SecantusDB and against the
in-memory fakes the handler tests use (notification_fakes), so the fakes cannot drift: the same
calls give the same answers and the same domain errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from notification_fakes import fake_uow

from notification import migrate
from notification.bootstrap import bootstrap
from notification.domain.errors import AlreadyPlanned
from notification.domain.recipients import Scope, apply_registration_event, empty_state, restrict
from notification.store import SCHEMA_VERSION

pytestmark = pytest.mark.integration

AT = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)  # whole milliseconds: MongoDB keeps no finer


# The tests read through uow.repos each time: the in-memory unit of work swaps its repositories
# for the committed copy, as a MongoDB reader sees the committed data.
@pytest.fixture(params=["secantus", "fake"])
def uow(request):
    if request.param == "fake":
        yield fake_uow()
        return
    settings = request.getfixturevalue("settings_for")("notification")
    migrate.run(settings)
    service = bootstrap(settings)
    yield service.uow
    service.stop()


def planned(person_id, dedup_key, token=None, library_id="L1"):
    return {"person_id": person_id, "email": f"{person_id.lower()}@example.dk", "name": person_id, "language": "da",
            "template": "welcome", "context": {"library_id": library_id, "token": token}, "essential": False,
            "dedup_key": dedup_key}


def add(uow, mails, event_id="e1", at=AT):
    return uow.run(lambda w: w.repos.mails.add(mails, event_id=event_id, event_type="library.activated",
                                               library_ids={}, at=at))


def test_mails_are_logged_pending_and_paged_newest_first(uow):
    first = add(uow, [planned("P1", "e1:P1"), planned("P2", "e1:P2", library_id="L2")])
    [later] = add(uow, [planned("P1", "e2:P1")], event_id="e2", at=AT + timedelta(minutes=1))
    items, total = uow.repos.mails.page(page=1, per_page=2)
    assert total == 3 and items[0]["_id"] == later and {items[1]["_id"]} <= set(first)
    assert uow.repos.mails.page(library_id="L2")[1] == 1
    assert uow.repos.mails.page(person_id="P1", status="pending")[1] == 2
    mail = uow.repos.mails.get(later)
    assert (mail["status"], mail["attempts"], mail["resends"], mail["event_type"]) == (
        "pending", 0, 0, "library.activated")
    assert mail["created_at"] == AT + timedelta(minutes=1) and uow.repos.mails.get("nope") is None


def test_a_second_mail_for_the_same_event_and_person_is_already_planned_and_nothing_of_it_stays(uow):
    add(uow, [planned("P1", "e1:P1")])
    with pytest.raises(AlreadyPlanned):
        add(uow, [planned("P2", "e1:P2"), planned("P1", "e1:P1")])
    assert uow.repos.mails.page()[1] == 1


def test_the_sender_claims_the_earliest_due_mail_and_only_its_attempt_records_the_outcome(uow):
    [early] = add(uow, [planned("P1", "e1:P1", token="secret")], at=AT)
    [late] = add(uow, [planned("P2", "e2:P2")], event_id="e2", at=AT + timedelta(hours=1))
    assert uow.repos.mails.claim_next(AT - timedelta(seconds=1)) is None
    claimed = uow.repos.mails.claim_next(AT + timedelta(hours=2))
    assert (claimed["_id"], claimed["status"], claimed["attempts"]) == (early, "sending", 1)
    assert uow.repos.mails.mark_final({**claimed, "attempts": 0}, "failed", "stale attempt", AT) is False
    uow.repos.mails.mark_sent(claimed, AT)
    sent = uow.repos.mails.get(early)
    assert (sent["status"], sent["context"]["token"], sent["token_redacted"]) == ("sent", None, True)

    other = uow.repos.mails.claim_next(AT + timedelta(hours=2))
    assert other["_id"] == late and uow.repos.mails.claim_next(AT + timedelta(hours=2)) is None
    uow.repos.mails.mark_retry(other, "451 later", AT + timedelta(hours=3))
    assert (uow.repos.mails.get(late)["status"], uow.repos.mails.get(late)["last_error"]) == ("pending", "451 later")
    again = uow.repos.mails.claim_next(AT + timedelta(hours=3))
    assert uow.repos.mails.mark_final(again, "failed", "550 no", AT) is True and uow.repos.mails.get(late)["status"] == "failed"


def test_mails_left_sending_are_released_and_a_resend_starts_from_the_first_attempt(uow):
    [mail_id] = add(uow, [planned("P1", "e1:P1")])
    uow.repos.mails.claim_next(AT)
    assert uow.repos.mails.release_stale(AT, AT) == 0  # claimed at AT: not older than AT
    assert uow.repos.mails.release_stale(AT + timedelta(seconds=1), AT + timedelta(seconds=2)) == 1
    assert uow.repos.mails.get(mail_id)["status"] == "pending"
    claimed = uow.repos.mails.claim_next(AT + timedelta(seconds=2))
    uow.repos.mails.mark_final(claimed, "failed", "550", AT)
    uow.run(lambda w: w.repos.mails.requeue(mail_id, AT + timedelta(minutes=5)))
    requeued = uow.repos.mails.get(mail_id)
    assert (requeued["status"], requeued["attempts"], requeued["resends"], requeued["last_error"]) == (
        "pending", 0, 1, None)


def test_an_erased_persons_mail_is_cancelled_and_stripped(uow):
    [mail_id] = add(uow, [planned("P1", "e1:P1", token="t")])
    uow.run(lambda w: w.repos.mails.forget_person("P1"))
    mail = uow.repos.mails.get(mail_id)
    assert (mail["status"], mail["email"], mail["name"], mail["context"], mail["erased"]) == (
        "cancelled", None, None, {}, True)


def test_preferences_default_to_every_mail_and_are_forgotten_on_erasure(uow):
    assert uow.repos.preferences.get("P1") == {"non_essential": True}
    uow.run(lambda w: w.repos.preferences.set("P1", False, AT))
    assert uow.repos.preferences.get("P1") == {"non_essential": False}
    uow.run(lambda w: w.repos.preferences.forget("P1"))
    assert uow.repos.preferences.get("P1") == {"non_essential": True}


def test_the_projection_is_saved_and_loaded_by_scope_with_preferences_merged(uow):
    new = apply_registration_event(empty_state(), "library.registered", {
        "library_id": "L1", "name": "Aarhus", "coordinator": {"person_id": "P1", "name": "Pia",
                                                               "email": "pia@example.dk", "language": "da"}})
    new = apply_registration_event(new, "person.joined", {"person_id": "A1", "role": "assessor", "name": "Anna",
                                                          "email": "anna@example.dk"})
    new = apply_registration_event(new, "person.erased", {"person_id": "X1"})
    uow.run(lambda w: w.repos.recipients.save(empty_state(), new))
    uow.run(lambda w: w.repos.preferences.set("A1", False, AT))
    everything = uow.repos.recipients.load()
    assert set(everything["people"]) == {"P1", "A1"} and everything["erased"] == ["X1"]
    assert everything["people"]["A1"]["prefs"] == {"non_essential": False}
    for scope in (Scope.of(roles=["assessor"]), Scope.of(person_ids=["P1", "X1"], library_ids=["L1"]),
                  Scope.of(staff=[("L1", "coordinator")]), Scope()):
        assert uow.repos.recipients.load(scope) == restrict(everything, scope)
    assert uow.repos.recipients.is_erased("X1") and not uow.repos.recipients.is_erased("P1")
    gone = apply_registration_event(everything, "person.erased", {"person_id": "A1"})
    uow.run(lambda w: w.repos.recipients.save(everything, gone))
    assert set(uow.repos.recipients.load()["people"]) == {"P1"}


def test_a_days_digest_is_recorded_once_and_takes_the_waiting_items_with_it(uow):
    def item(item_id, revision, minutes):
        return {"_id": f"{item_id}:{revision}", "item_id": item_id, "library_id": "L1", "library_name": "Aarhus",
                "title": item_id, "submitted_at": AT + timedelta(minutes=minutes), "digest_day": None}

    def work(w):
        w.repos.digests.add_item(item("E2", 1, 2))
        w.repos.digests.add_item(item("E1", 1, 1))
        w.repos.digests.add_item({**item("E1", 1, 1), "title": "again"})  # a redelivery changes nothing
        w.repos.digests.add_item(item("E3", 1, 3))
        w.repos.digests.drop_undigested("E3")

    uow.run(work)
    assert [(i["_id"], i["title"]) for i in uow.repos.digests.undigested()] == [("E1:1", "E1"), ("E2:1", "E2")]
    assert not uow.repos.digests.done("2025-03-10")
    uow.run(lambda w: w.repos.digests.record("2025-03-10", ["E1:1", "E2:1"], AT))
    assert uow.repos.digests.done("2025-03-10") and uow.repos.digests.undigested() == []
    with pytest.raises(AlreadyPlanned):
        uow.run(lambda w: w.repos.digests.record("2025-03-10", [], AT))


def test_a_question_opens_closes_by_revision_and_is_due_within_its_window(uow):
    question = {"_id": "E1", "kind": "evidence", "library_id": "L1", "deadline": "2025-03-13", "revision": 2,
                "submitted_by": {"person_id": "P3", "name": "Mads", "email": "mads@example.dk"}}
    uow.run(lambda w: w.repos.clarifications.open(question))
    uow.run(lambda w: w.repos.clarifications.open({**question, "_id": "E0", "deadline": "2025-03-11"}))
    assert [r["_id"] for r in uow.repos.clarifications.due("2025-03-11", "2025-03-13")] == ["E0", "E1"]
    assert uow.repos.clarifications.due("2025-03-14", "2025-03-20") == []
    uow.run(lambda w: w.repos.clarifications.mark_reminded("E1", "2025-03-13"))
    assert uow.repos.clarifications.get("E1")["reminded_for"] == "2025-03-13" and uow.repos.clarifications.get("E1")["open"] is True

    uow.run(lambda w: w.repos.clarifications.close("E1", 1))  # an older event closes nothing
    assert uow.repos.clarifications.get("E1")["open"] is True
    uow.run(lambda w: w.repos.clarifications.open({**question, "revision": 1}))  # nor does an older question
    assert uow.repos.clarifications.get("E1")["reminded_for"] == "2025-03-13"
    uow.run(lambda w: w.repos.clarifications.close("E1", 3))
    assert uow.repos.clarifications.get("E1")["open"] is False

    uow.run(lambda w: w.repos.clarifications.close("action_plan:AP1", 5, remember=True))  # answer first
    uow.run(lambda w: w.repos.clarifications.open({**question, "_id": "action_plan:AP1", "revision": 4}))
    assert uow.repos.clarifications.get("action_plan:AP1")["open"] is False and uow.repos.clarifications.get("nothing") is None

    uow.run(lambda w: w.repos.clarifications.forget_person("P3"))
    assert uow.repos.clarifications.get("E0")["submitted_by"] == {"person_id": "P3", "name": None, "email": None}


def test_the_schema_version_is_what_migrate_recorded(uow):
    assert uow.repos.schema.version() == SCHEMA_VERSION
    uow.run(lambda w: w.repos.schema.set_version(SCHEMA_VERSION + 1, AT))
    assert uow.repos.schema.version() == SCHEMA_VERSION + 1
