"""Events in, mail out: the routing table on real SMTP, the real bus, and exactly-once delivery."""

import time
from datetime import UTC, datetime, timedelta

import pika
import pytest
from chora_testing.servers import SmtpSink, free_port
from notification_testkit import (
    activated,
    contact,
    evidence,
    joined,
    plan,
    registered,
    seed_library,
    wait_until,
)

from notification import consumer
from notification.bootstrap import bootstrap
from shared.events import new_event
from shared.runtime import Runtime

pytestmark = [pytest.mark.integration, pytest.mark.wire("mail.failed")]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def test_a_registered_library_on_the_bus_mails_its_coordinator_a_confirmation_link(harness, settings_for):
    consumer.start(harness.service)
    assert harness.service.runtime.consumer.ready.wait(10)
    producer = Runtime(settings_for("registration"))
    try:
        producer.open_store().emit_now("library.registered", registered(token="abc123"))
        producer.start_relay()
        [mail] = harness.smtp.box.wait_for(lambda m: "pia@aarhus.dk" in str(m["To"]))
        assert "token=abc123" in text_of(mail)
        assert "Kære Pia Koordinator" in text_of(mail)
        assert "List-Unsubscribe" not in mail  # essential mail: no opt-out
    finally:
        producer.stop()


ASSESSOR = {"person_id": "A1", "name": "Anna Assessor", "role": "assessor"}

ROWS = {
    # event type: (producer, payload, expected [(email, language)])
    "person.email_confirmation_requested": ("registration", {
        "person_id": "P1", "version": 3, "name": "Pia Koordinator", "email": "pia@aarhus.dk", "language": "da",
        "role": "coordinator", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek",
        "confirmation_token": "conf-1", "token_expires_at": "2025-03-05T10:00:00+00:00"}, [("pia@aarhus.dk", "da")]),
    "library.activated": ("registration", activated(), [("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en")]),
    "person.invited": ("registration", {
        "person_id": "I1", "version": 1, "name": "Ida Ny", "email": "ida@aarhus.dk", "language": "en",
        "role": "member", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek", "invited_by": "P1",
        "inviter_name": "Pia Koordinator", "invitation_token": "inv-1",
        "token_expires_at": "2025-03-08T10:00:00+00:00"}, [("ida@aarhus.dk", "en")]),
    "person.password_reset_requested": ("registration", {
        "person_id": "P2", "version": 3, "name": "Peter Coordinator", "email": "peter@aarhus.dk",
        "language": "en", "role": "coordinator", "library_id": "L1", "reset_token": "reset-1",
        "token_expires_at": "2025-03-05T10:00:00+00:00"}, [("peter@aarhus.dk", "en")]),
    "person.reactivated": ("registration", {
        "person_id": "P3", "version": 5, "name": "Mads Medarbejder", "email": "mads@aarhus.dk", "language": "da",
        "role": "member", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek",
        "reactivated_at": "2025-03-05T10:00:00+00:00", "reactivated_by": "P1"}, [("mads@aarhus.dk", "da")]),
    "evidence.submitted": ("evidence", evidence({"resubmission": False}), [("mads@aarhus.dk", "da")]),
    "evidence.clarification_requested": ("evidence", evidence(
        {"message": "Hvor mange deltog?", "deadline": "2025-04-01"}, status="clarification_requested"),
        [("mads@aarhus.dk", "da"), ("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en")]),
    "evidence.reviewed": ("evidence", evidence(
        {"decision": "approved", "comment": "Flot", "reviewer": {"person_id": "A1", "name": "Anna Assessor",
                                                                   "role": "assessor"}}, status="approved"),
        [("mads@aarhus.dk", "da"), ("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en")]),
    "action_plan.submitted": ("evidence", plan({"message": None}),
                              [("anna@chora.dk", "en"), ("asger@chora.dk", "da")]),
    "action_plan.approved": ("evidence", plan({"comment": "Flot plan"}, status="approved", revision=4, actor=ASSESSOR),
                             [("mads@aarhus.dk", "da"), ("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en")]),
    "action_plan.clarification_requested": ("evidence", plan(
        {"message": "Hvem er jeres partnere?", "deadline": "2025-04-01",
         "submitter": {"person_id": "P3", "name": "Mads Medarbejder", "email": "mads@aarhus.dk"}},
        status="clarification_requested", revision=4, actor=ASSESSOR),
        [("mads@aarhus.dk", "da"), ("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en")]),
    "library.ready_for_review": ("scoring", {"library_id": "L1", "library_name": "Aarhus Hovedbibliotek",
                                             "model_version": 1, "overall": 1.0},
                                 [("anna@chora.dk", "en"), ("asger@chora.dk", "da")]),
    "certificate.awarded": ("scoring", {"certificate_id": "C1", "library_id": "L1",
                                        "awarded_at": "2025-03-01T10:00:00+00:00", "valid_until": "2028-03-01",
                                        "awarded_by": "A1"},
                            [("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en"), ("mads@aarhus.dk", "da")]),
    "certificate.checkin_due": ("scoring", {"certificate_id": "C1", "library_id": "L1", "due_on": "2026-03-01",
                                            "days_before": 60}, [("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en")]),
    "certificate.lapsed": ("scoring", {"certificate_id": "C1", "library_id": "L1",
                                       "lapsed_at": "2026-05-01T00:00:00+00:00", "due_on": "2026-03-01"},
                           [("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en")]),
    "model.published": ("scoring", {"version": 2, "published_by": "admin-1", "changes": [
        {"requirement_id": "F1", "field": "target", "old": 4, "new": 5}]},
        [("pia@aarhus.dk", "da"), ("peter@aarhus.dk", "en")]),
}

GREETING = {"da": "Kære ", "en": "Dear "}


@pytest.mark.parametrize("event_type", sorted(ROWS))
def test_each_routed_event_mails_its_recipients_in_their_language(harness, event_type):
    seed_library(harness)
    harness.start_sender()
    # The seed's own mails (confirmation, welcome) go out first.
    assert wait_until(lambda: all(m["status"] == "sent" for m in harness.mails()))
    before = harness.smtp.box.wait_for(count=harness.db.mails.count_documents({}))
    before = len(before)
    producer, payload, expected = ROWS[event_type]
    evt = harness.handle(event_type, payload, producer)

    harness.smtp.box.wait_for(lambda m: True, count=before + len(expected))
    wait_until(lambda: all(m["status"] == "sent" for m in harness.mails(event_id=evt.id)))
    sent = harness.smtp.box.messages[before:]
    got = sorted((str(m["To"]).split("<")[-1].rstrip(">"), text_of(m)) for m in sent)
    assert [email for email, _ in got] == sorted(email for email, _ in expected)
    languages = dict(expected)
    for email, text in got:
        assert text.startswith(GREETING[languages[email]]), text[:40]


def test_evidence_reviewed_with_a_clarification_request_sends_nothing_itself(harness):
    seed_library(harness)
    evt = harness.handle("evidence.reviewed", evidence(
        {"decision": "clarification_requested", "comment": "?", "deadline": "2025-04-01",
         "reviewer": {"person_id": "A1", "name": "Anna", "role": "assessor"}}, status="clarification_requested"),
        "evidence")
    assert harness.mails(event_id=evt.id) == []


def test_an_unreachable_smtp_server_is_retried_and_the_mail_delivered_once_when_it_returns(harness):
    port = free_port()  # nothing listens here yet
    service = bootstrap(harness.settings.with_changes(smtp_port=port), clock=harness.clock)
    sink = None
    try:
        service.bus.handle_event(harness.event("library.registered", registered()))
        service.sender.start()
        [mail] = harness.mails()
        assert wait_until(lambda: harness.db.mails.find_one({"_id": mail["_id"]})["attempts"] >= 2)
        retrying = harness.db.mails.find_one({"_id": mail["_id"]})
        assert retrying["status"] in ("pending", "sending") and "Connection" in (retrying["last_error"] or "Connection")

        sink = SmtpSink(port=port).start()
        sink.box.wait_for(count=1)
        assert wait_until(lambda: harness.db.mails.find_one({"_id": mail["_id"]})["status"] == "sent")
        time.sleep(1.0)
        assert len(sink.box.messages) == 1
    finally:
        service.stop()
        if sink is not None:
            sink.stop()


def test_a_permanent_refusal_is_recorded_as_failed_not_retried_and_announced(harness, wire):
    harness.smtp.box.fail_with = "550 mailbox unavailable"
    harness.service.runtime.start_relay()
    evt = harness.handle("library.registered", registered())
    harness.start_sender()
    [failed] = wire.wait_for("mail.failed")
    [mail] = harness.mails(event_id=evt.id)
    assert failed["payload"]["mail_id"] == mail["_id"]
    assert failed["payload"]["template"] == "confirm_email"
    assert "550" in failed["payload"]["reason"]
    time.sleep(1.0)  # several retry periods (0.3 s base)
    mail = harness.db.mails.find_one({"_id": mail["_id"]})
    assert (mail["status"], mail["attempts"]) == ("failed", 1)


def test_the_same_event_redelivered_on_the_bus_sends_nothing_new(harness, settings_for, amqp_url):
    seed_library(harness)
    consumer.start(harness.service)
    assert harness.service.runtime.consumer.ready.wait(10)
    evt = new_event("certificate.lapsed", {"certificate_id": "C1", "library_id": "L1",
                                           "lapsed_at": "2026-05-01T00:00:00+00:00", "due_on": "2026-03-01"},
                    producer="scoring")
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for _ in range(2):  # a redelivery, or a relay that died between the confirm and its mark
            channel.basic_publish(f"{harness.settings.amqp_prefix}.events", evt.type, evt.to_json(),
                                  pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                                       message_id=evt.id), mandatory=True)
    finally:
        connection.close()
    assert wait_until(lambda: harness.db.inbox.count_documents({"event_id": evt.id}) == 1)
    mails = harness.mails(event_id=evt.id)
    assert sorted(m["person_id"] for m in mails) == ["P1", "P2"]
    harness.smtp.box.wait_for(lambda m: "lapsed" in str(m["Subject"]) or "udløbet" in str(m["Subject"]), count=2)
    time.sleep(1.5)  # room for a second delivery to show up, if there were one
    assert len(harness.mails(event_id=evt.id)) == 2
    lapsed = [m for m in harness.smtp.box.messages if "lapsed" in str(m["Subject"]) or "udløbet" in str(m["Subject"])]
    assert len(lapsed) == 2


def test_a_name_with_line_breaks_cannot_inject_headers(harness):
    evil = contact("P9", "Eve\r\nBcc: victim@evil.example\r\nSubject: pwned", "eve@aarhus.dk")
    harness.handle("library.registered", registered("L9", "Evil\r\nX-Injected: 1", coordinator=evil))
    harness.start_sender()
    [mail] = harness.smtp.box.wait_for(count=1)
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    assert "pwned" not in str(mail["Subject"])
    assert harness.smtp.box.envelopes[0][1] == ["eve@aarhus.dk"]


def test_a_title_with_a_script_tag_arrives_escaped_in_html(harness):
    seed_library(harness)
    harness.start_sender()
    harness.handle("evidence.submitted", evidence({"resubmission": False}, title="<script>alert(1)</script>"),
                   "evidence")
    [mail] = harness.smtp.box.wait_for(lambda m: "mads@" in str(m["To"]))
    html = html_of(mail)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_erased_person_leaves_the_projection_at_once_and_gets_no_more_mail(harness):
    seed_library(harness)
    harness.handle("person.erased", {"person_id": "P2", "library_id": "L1"})
    assert harness.db.people.find_one({"_id": "P2"}) is None
    assert harness.db.erased.find_one({"_id": "P2"}) is not None
    assert all(m["email"] is None for m in harness.mails(person_id="P2"))
    # A late event still carrying the address brings nobody back.
    harness.handle("person.joined", joined("P2", "Peter Coordinator", "peter@aarhus.dk", "coordinator", "L1", "en"))
    evt = harness.handle("certificate.lapsed", {"certificate_id": "C1", "library_id": "L1",
                                                "lapsed_at": "2026-05-01T00:00:00+00:00", "due_on": "2026-03-01"},
                         "scoring")
    assert [m["person_id"] for m in harness.mails(event_id=evt.id)] == ["P1"]


def test_a_reactivated_coordinator_is_a_recipient_again(harness):
    seed_library(harness)
    lapsed = {"certificate_id": "C1", "library_id": "L1", "lapsed_at": "2026-05-01T00:00:00+00:00",
              "due_on": "2026-03-01"}
    harness.handle("person.deactivated", {"person_id": "P2", "version": 3, "library_id": "L1", "role": "coordinator",
                                          "deactivated_at": "2026-04-01T00:00:00+00:00", "reason": "deactivated"})
    while_away = harness.handle("certificate.lapsed", lapsed, "scoring")
    assert [m["person_id"] for m in harness.mails(event_id=while_away.id)] == ["P1"]

    harness.handle("person.reactivated", {
        "person_id": "P2", "version": 4, "name": "Peter Coordinator", "email": "peter@aarhus.dk", "language": "en",
        "role": "coordinator", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek",
        "reactivated_at": "2026-04-02T00:00:00+00:00", "reactivated_by": "P1"})
    back = harness.handle("certificate.lapsed", {**lapsed, "certificate_id": "C2"}, "scoring")
    mails = {m["person_id"]: m for m in harness.mails(event_id=back.id)}
    assert sorted(mails) == ["P1", "P2"]
    assert mails["P2"]["email"] == "peter@aarhus.dk" and mails["P2"]["language"] == "en"


def test_a_reactivated_person_gets_a_mail_with_the_sign_in_link_even_after_opting_out(harness):
    seed_library(harness)
    harness.handle("person.deactivated", {"person_id": "P2", "version": 3, "library_id": "L1", "role": "coordinator",
                                          "deactivated_at": "2026-04-01T00:00:00+00:00", "reason": "deactivated"})
    harness.service.uow.repos.preferences.set("P2", False, datetime.now(UTC))  # opted out of non-essential mail
    harness.start_sender()
    assert wait_until(lambda: all(m["status"] == "sent" for m in harness.mails()))
    before = len(harness.smtp.box.messages)
    evt = harness.handle("person.reactivated", {
        "person_id": "P2", "version": 4, "name": "Peter Coordinator", "email": "peter@aarhus.dk", "language": "en",
        "role": "coordinator", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek",
        "reactivated_at": "2026-04-02T00:00:00+00:00", "reactivated_by": "P1"})
    [mail] = harness.smtp.box.wait_for(lambda m: "peter@aarhus.dk" in str(m["To"]) and "/log-ind" in text_of(m))
    assert wait_until(lambda: all(m["status"] == "sent" for m in harness.mails(event_id=evt.id)))
    assert harness.smtp.box.messages[before:] == [mail], "one mail, to the reactivated person only"
    assert mail["Subject"].startswith("Your access to")
    sign_in = harness.settings.public_url + "/log-ind"
    assert sign_in in text_of(mail) and f'href="{sign_in}"' in html_of(mail)
    assert "Aarhus Hovedbibliotek" in text_of(mail)
    assert "List-Unsubscribe" not in mail  # essential: sent despite the opt-out, no unsubscribe link
    assert [m["person_id"] for m in harness.mails(event_id=evt.id)] == ["P2"]


def test_a_mail_left_sending_by_a_crashed_sender_is_retried_at_start_up(harness):
    harness.handle("library.registered", registered())
    harness.db.mails.update_many({}, {"$set": {"status": "sending", "attempts": 1,
                                               "attempt_started_at": datetime.now(UTC) - timedelta(seconds=60)}})
    harness.start_sender()
    harness.smtp.box.wait_for(count=1)
    assert wait_until(lambda: harness.mails()[0]["status"] == "sent")


def test_action_plan_mail_links_assessors_to_the_review_and_the_library_to_its_plan(harness):
    seed_library(harness)
    harness.start_sender()
    assert wait_until(lambda: all(m["status"] == "sent" for m in harness.mails()))
    harness.handle("action_plan.submitted", plan({"message": "Vi samarbejder med Genbrugsværkstedet."},
                                                 revision=5), "evidence")
    [to_asger] = harness.smtp.box.wait_for(lambda m: "asger@" in str(m["To"]))
    assert str(to_asger["Subject"]) == "Aarhus Hovedbibliotek har besvaret spørgsmålet om handleplanen"
    assert "Vi samarbejder med Genbrugsværkstedet." in text_of(to_asger)
    assert "Handleplan, version 1, 2025–2027: 2 mål." in text_of(to_asger)
    assert f"{harness.settings.public_url}/vurdering/L1" in text_of(to_asger)

    harness.handle("action_plan.approved", plan({"comment": "Flot <b>plan</b>"}, status="approved", revision=6,
                                                actor=ASSESSOR), "evidence")
    [to_peter] = harness.smtp.box.wait_for(lambda m: "peter@" in str(m["To"]) and "approved" in str(m["Subject"]))
    assert str(to_peter["Subject"]) == "Your action plan is approved"
    assert "The assessor Anna Assessor has approved the library's action plan (version 1, 2025–2027)" in text_of(
        to_peter)
    assert f"{harness.settings.public_url}/bibliotek/L1/handleplan" in text_of(to_peter)
    assert "Flot &lt;b&gt;plan&lt;/b&gt;" in html_of(to_peter)
