"""The handlers, views and sender through the service's own bus on an in-memory unit of work
(chora_testing's FakeUnitOfWork over notification_fakes): what a command or an event leaves in
the repositories, read back through a view or the fake store, and what a caller may do next."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from notification_fakes import Clock, fake_uow

from notification import scheduler, views
from notification.bootstrap import bootstrap
from notification.config import Settings
from notification.domain.actions import SYSTEM, Caller
from notification.domain.commands import ResendMail, RunScheduler, SetPreferences, Unsubscribe
from notification.domain.errors import (
    AdministratorsOnly,
    AlreadyPlanned,
    InvalidUnsubscribeToken,
    LinkAlreadySent,
    MailBeingSent,
    RecipientErased,
    ResendRefused,
    UnknownLibrary,
    UnknownMail,
    UnknownPerson,
)
from notification.domain.preferences import make_unsubscribe_token
from shared import keys
from shared.events import new_event
from shared.mongo import AlreadyProcessed

pytestmark = pytest.mark.unit

SECRET = "unit-secret"
MONDAY = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 in Copenhagen, a working day
ADMIN = Caller("admin-1", "administrator")
PIA = Caller("P1", "coordinator", "L1")
MADS = Caller("P3", "member", "L1")
ANNA = Caller("A1", "assessor")


class Relay:
    """An SMTP transport that records what it was handed, or fails as told."""

    def __init__(self):
        self.sent, self.fail_with = [], None

    def __call__(self, settings, message, *, timeout):
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(message)


@pytest.fixture
def relay():
    return Relay()


@pytest.fixture
def clock():
    return Clock(MONDAY)


@pytest.fixture
def service(clock, relay):
    settings = Settings.from_env({}, secret_key=SECRET, public_url="https://portal.example.dk")
    return bootstrap(settings, clock=clock, uow=fake_uow(), transport=relay)


def handle(service, type_, payload, producer="registration"):
    evt = new_event(type_, payload, producer=producer)
    service.bus.handle_event(evt)
    return evt


def contact(person_id, name, email, language="da"):
    return {"person_id": person_id, "name": name, "email": email, "language": language, "role": "coordinator"}


def joined(person_id, name, email, role, library_id=None, language="da"):
    return {"person_id": person_id, "version": 2, "name": name, "email": email, "language": language,
            "role": role, "library_id": library_id, "library_name": None, "joined_at": "2025-03-01T12:00:00+00:00"}


def library(status="active"):
    return {"library_id": "L1", "version": 1, "name": "Aarhus Hovedbibliotek", "municipality": "Aarhus",
            "kind": "folkebibliotek", "isil": "DK-100001", "staff_count": 40, "status": status,
            "open_branch_count": 0}


def seed(service):
    """L1 with coordinator P1 (da), member P3, assessors A1 (en) and A2 (da); their mails sent."""
    handle(service, "library.registered", {**library("pending"), "registered_at": "2025-03-01T10:00:00+00:00",
                                           "coordinator": contact("P1", "Pia", "pia@aarhus.dk"),
                                           "confirmation_token": "tok-L1",
                                           "token_expires_at": "2025-03-03T10:00:00+00:00"})
    handle(service, "person.joined", joined("P3", "Mads", "mads@aarhus.dk", "member", "L1"))
    handle(service, "person.joined", joined("A1", "Anna", "anna@chora.dk", "assessor", None, "en"))
    handle(service, "person.joined", joined("A2", "Asger", "asger@chora.dk", "assessor"))


def submitted(item_id="E1", title="Reparationscafé", revision=1, status="submitted"):
    submitter = {"person_id": "P3", "name": "Mads", "email": "mads@aarhus.dk"}
    item = {"item_id": item_id, "library_id": "L1", "library_name": "Aarhus Hovedbibliotek", "revision": revision,
            "status": status, "kind": "activity", "title": title, "dimension": "faellesskaber",
            "submitted_by": submitter}
    return {**{k: item[k] for k in ("item_id", "library_id", "library_name", "revision", "status", "kind", "title",
                                     "submitted_by")},
            "item": item, "actor": {"person_id": "P3", "name": "Mads", "role": "member"}, "resubmission": False}


def mails(service, **match):
    docs = service.uow.repos.mails.docs.values()
    return [m for m in docs if all(m.get(k) == v for k, v in match.items())]


def send_all(service):
    while service.sender.send_one():
        pass


# -- consumed events --------------------------------------------------------------------------------


def test_a_routed_event_plans_one_pending_mail_per_recipient_in_the_commit_that_marks_its_inbox(service):
    seed(service)
    evt = handle(service, "evidence.submitted", submitted(), "evidence")
    [mail] = mails(service, event_id=evt.id)
    assert (mail["person_id"], mail["template"], mail["status"]) == ("P3", "evidence_received", "pending")
    assert ("notification", evt.id) in service.uow.inbox


def test_a_redelivered_event_plans_nothing_twice(service):
    seed(service)
    evt = new_event("evidence.submitted", submitted(), producer="evidence")
    service.bus.handle_event(evt)
    with pytest.raises(AlreadyProcessed):
        service.bus.handle_event(evt)
    assert len(mails(service, event_id=evt.id)) == 1


def test_an_erased_person_has_their_unsent_mail_cancelled_and_their_log_stripped(service):
    seed(service)
    handle(service, "person.erased", {"person_id": "P1", "library_id": "L1"})
    [confirmation] = mails(service, person_id="P1")
    assert (confirmation["status"], confirmation["email"], confirmation["context"]) == ("cancelled", None, {})
    assert service.uow.repos.recipients.is_erased("P1")
    with pytest.raises(UnknownPerson):
        views.preferences("P1", ADMIN, service.uow)


# -- preferences and unsubscribe --------------------------------------------------------------------


def test_a_person_changes_their_own_preferences_and_the_answer_says_they_may_again(service):
    seed(service)
    assert service.bus.handle(SetPreferences("P3", False, MADS)) == {"non_essential": False, "actions": ["edit"]}
    assert views.preferences("P3", MADS, service.uow) == {"non_essential": False, "actions": ["edit"]}
    assert views.preferences("P3", ADMIN, service.uow) == {"non_essential": False, "actions": []}


@pytest.mark.parametrize("caller", [PIA, ADMIN], ids=["coordinator", "administrator"])
def test_nobody_changes_another_persons_preferences(service, caller):
    seed(service)
    with pytest.raises(UnknownPerson):
        service.bus.handle(SetPreferences("P3", False, caller))
    assert views.preferences("P3", MADS, service.uow)["non_essential"] is True


def test_another_person_cannot_even_read_someones_preferences(service):
    seed(service)
    with pytest.raises(UnknownPerson):
        views.preferences("P3", PIA, service.uow)


def test_an_unsubscribe_link_turns_off_non_essential_mail_and_a_forged_or_erased_ones_are_refused(service):
    seed(service)
    token = make_unsubscribe_token(service.settings.key(keys.UNSUBSCRIBE), "P3")
    with pytest.raises(InvalidUnsubscribeToken):
        service.bus.handle(Unsubscribe(token + "x"))
    assert service.bus.handle(Unsubscribe(token)) == {"non_essential": False, "actions": []}
    assert views.preferences("P3", MADS, service.uow)["non_essential"] is False
    handle(service, "person.erased", {"person_id": "P3", "library_id": "L1"})
    with pytest.raises(InvalidUnsubscribeToken):
        service.bus.handle(Unsubscribe(token))


# -- the delivery log and resend ------------------------------------------------------------------


def test_staff_read_their_own_librarys_log_only_and_assessors_none(service):
    seed(service)
    page = views.deliveries({"page": 1, "per_page": 50}, PIA, service.uow)
    assert page["total"] == 1 and {m["library_id"] for m in page["items"]} == {"L1"}
    assert views.deliveries({"library_id": "L1", "page": 1, "per_page": 50}, PIA, service.uow)["total"] == 1
    with pytest.raises(UnknownLibrary):
        views.deliveries({"library_id": "L2", "page": 1, "per_page": 50}, PIA, service.uow)
    with pytest.raises(AdministratorsOnly):
        views.deliveries({"page": 1, "per_page": 50}, ANNA, service.uow)


def test_an_administrator_resends_a_mail_and_it_goes_out_again(service, relay):
    seed(service)
    [mail] = mails(service, template="confirm_email")
    relay.fail_with = smtplib.SMTPRecipientsRefused({"pia@aarhus.dk": (550, b"no such user")})
    send_all(service)
    assert service.uow.repos.mails.get(mail["_id"])["status"] == "failed"
    assert [e.payload["mail_id"] for e in service.uow.emitted("mail.failed")] == [mail["_id"]]

    relay.fail_with = None
    with pytest.raises(AdministratorsOnly):
        service.bus.handle(ResendMail(mail["_id"], PIA))
    answer = service.bus.handle(ResendMail(mail["_id"], ADMIN))
    assert (answer["status"], answer["resends"], answer["actions"]) == ("pending", 1, ["resend"])
    send_all(service)
    assert [str(m["To"]) for m in relay.sent] == ["Pia <pia@aarhus.dk>"]
    assert "token=tok-L1" in relay.sent[0].get_body(("plain",)).get_content()
    with pytest.raises(UnknownMail):
        service.bus.handle(ResendMail("nope", ADMIN))


def test_a_sent_one_time_link_is_blanked_and_its_mail_can_no_longer_be_resent(service, relay):
    seed(service)
    [mail] = mails(service, template="confirm_email")
    send_all(service)
    logged = service.uow.repos.mails.get(mail["_id"])
    assert (logged["status"], logged["context"]["token"], logged["token_redacted"]) == ("sent", None, True)
    with pytest.raises(LinkAlreadySent):
        service.bus.handle(ResendMail(mail["_id"], ADMIN))


@pytest.mark.parametrize("state", ["pending", "sending", "sent", "failed", "cancelled", "suppressed",
                                   "erased", "token sent"])
def test_the_log_offers_resend_exactly_where_a_resend_is_accepted(service, state):
    seed(service)
    handle(service, "library.activated", {**library(), "activated_at": "2025-03-01T11:00:00+00:00",
                                          "coordinator": None})
    [mail] = mails(service, template="welcome")
    stored = service.uow.repos.mails.docs[mail["_id"]]
    stored["status"] = state if state in ("pending", "sending", "sent", "failed", "cancelled", "suppressed") else "sent"
    if state == "erased":
        stored.update(email=None, erased=True)
    if state == "token sent":
        stored["token_redacted"] = True
    [listed] = [m for m in views.deliveries({"page": 1, "per_page": 50}, ADMIN, service.uow)["items"]
                if m["_id"] == mail["_id"]]
    try:
        service.bus.handle(ResendMail(mail["_id"], ADMIN))
        accepted = True
    except ResendRefused as refusal:
        accepted = False
        assert isinstance(refusal, {"sending": MailBeingSent, "erased": RecipientErased,
                                    "token sent": LinkAlreadySent}[state])
    assert listed["actions"] == (["resend"] if accepted else [])
    assert views.deliveries({"page": 1, "per_page": 50}, PIA, service.uow)["items"][0]["actions"] == []


# -- the sender -----------------------------------------------------------------------------------


def test_a_transient_failure_is_retried_later_and_a_permanent_one_fails_for_good(service, relay, clock):
    seed(service)
    [mail] = mails(service, template="confirm_email")
    relay.fail_with = smtplib.SMTPResponseException(451, b"try again later")
    send_all(service)
    retry = service.uow.repos.mails.get(mail["_id"])
    assert (retry["status"], retry["attempts"]) == ("pending", 1)
    assert retry["next_attempt_at"] == MONDAY + timedelta(seconds=service.settings.mail_retry_base)
    assert service.uow.emitted("mail.failed") == []

    clock.now = retry["next_attempt_at"]
    relay.fail_with = smtplib.SMTPResponseException(554, b"rejected")
    send_all(service)
    failed = service.uow.repos.mails.get(mail["_id"])
    assert (failed["status"], failed["attempts"]) == ("failed", 2)
    assert "554" in service.uow.emitted("mail.failed")[0].payload["reason"]


def test_opted_out_people_get_essential_mail_only(service, relay):
    seed(service)
    handle(service, "library.activated", {**library(), "activated_at": "2025-03-01T11:00:00+00:00",
                                          "coordinator": None})
    service.bus.handle(SetPreferences("P1", False, PIA))  # after the welcome was planned: checked again
    lapsed = handle(service, "certificate.lapsed", {"certificate_id": "C1", "library_id": "L1",
                                                    "lapsed_at": "2026-05-01T00:00:00+00:00",
                                                    "due_on": "2026-03-01"}, "scoring")
    send_all(service)
    assert {m["template"]: m["status"] for m in mails(service, person_id="P1")} == {
        "confirm_email": "sent", "welcome": "suppressed"}
    assert mails(service, event_id=lapsed.id) == []
    assert [str(m["To"]) for m in relay.sent] == ["Pia <pia@aarhus.dk>"]


# -- the scheduler ----------------------------------------------------------------------------------


def test_one_digest_a_working_day_goes_to_every_assessor(service, clock):
    seed(service)
    handle(service, "evidence.submitted", submitted("E1", "Reparationscafé"), "evidence")
    handle(service, "evidence.submitted", submitted("E2", "Klimabyttemarked"), "evidence")
    assert scheduler.run_once(service) == {"digest_mails": 2, "reminder_mails": 0}
    assert scheduler.run_once(service) == {"digest_mails": 0, "reminder_mails": 0}
    digests = mails(service, event_type="digest.assessors")
    assert sorted(m["person_id"] for m in digests) == ["A1", "A2"]
    assert [i["title"] for i in digests[0]["context"]["items"]] == ["Reparationscafé", "Klimabyttemarked"]


def test_a_pass_that_lost_the_race_for_the_days_digest_plans_nothing(service, monkeypatch):
    seed(service)
    handle(service, "evidence.submitted", submitted(), "evidence")
    assert scheduler.run_once(service)["digest_mails"] == 2
    service.uow.repos.digests.items["E1:1"]["digest_day"] = None  # as another pass would still see it
    monkeypatch.setattr(type(service.uow.repos.digests), "done", lambda self, day: False)
    assert scheduler.run_once(service)["digest_mails"] == 0
    assert len(mails(service, event_type="digest.assessors")) == 2
    with pytest.raises(AlreadyPlanned):
        service.uow.run(lambda w: w.repos.digests.record("2025-03-10", [], MONDAY))


def test_the_scheduler_runs_for_an_administrator_or_itself_only(service):
    seed(service)
    with pytest.raises(AdministratorsOnly):
        service.bus.handle(RunScheduler(ANNA))
    assert service.bus.handle(RunScheduler(ADMIN)) == service.bus.handle(RunScheduler(SYSTEM))


def test_a_question_is_reminded_once_within_the_reminder_days_of_its_deadline(service, clock):
    seed(service)
    deadline = (MONDAY + timedelta(days=3)).date().isoformat()
    handle(service, "evidence.clarification_requested", {
        **submitted(status="clarification_requested"), "message": "Hvor mange deltog?", "deadline": deadline},
        "evidence")
    clock.now = MONDAY - timedelta(days=1)  # four days before: not yet
    assert scheduler.run_once(service)["reminder_mails"] == 0
    clock.now = MONDAY
    assert scheduler.run_once(service)["reminder_mails"] == 2  # the submitter and the coordinator
    assert scheduler.run_once(service)["reminder_mails"] == 0
    assert {m["person_id"] for m in mails(service, event_type="clarification.deadline_soon")} == {"P1", "P3"}
