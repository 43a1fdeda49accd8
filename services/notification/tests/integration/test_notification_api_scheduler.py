"""The scheduler (assessor digest, deadline reminders) and the HTTP API (delivery log, resend,
preferences, unsubscribe), on real SecantusDB and real SMTP."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from notification_testkit import evidence, plan, registered, seed_library, wait_until

pytestmark = pytest.mark.integration

MORNING = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
PLAN_REMINDER = "action_plan.clarification_deadline_soon"
ASSESSOR = {"person_id": "A1", "name": "Anna Assessor", "role": "assessor"}


def submit(h, item_id, title):
    return h.handle("evidence.submitted", evidence({"resubmission": False}, item_id=item_id, title=title), "evidence")


def test_assessors_get_one_digest_a_day_listing_the_days_submissions(harness):
    seed_library(harness)
    submit(harness, "E1", "Reparationscafé")
    submit(harness, "E2", "Klimabyttemarked")

    first = harness.run_scheduler(MORNING)
    again = harness.run_scheduler(MORNING.replace(hour=15))
    digests = harness.mails(event_type="digest.assessors")
    assert (first["digest_mails"], again["digest_mails"]) == (2, 0)
    assert sorted((m["person_id"], m["language"]) for m in digests) == [("A1", "en"), ("A2", "da")]
    assert [i["title"] for i in digests[0]["context"]["items"]] == ["Reparationscafé", "Klimabyttemarked"]

    submit(harness, "E3", "Læsekreds")  # after today's digest: tomorrow's news
    assert harness.run_scheduler(MORNING.replace(hour=16))["digest_mails"] == 0
    assert harness.run_scheduler(MORNING.replace(day=11))["digest_mails"] == 2
    tomorrow = harness.mails(event_id="digest.assessors:2025-03-11")
    assert [i["title"] for i in tomorrow[0]["context"]["items"]] == ["Læsekreds"]

    harness.start_sender()
    mails = harness.smtp.box.wait_for(lambda m: "anna@chora.dk" in str(m["To"]), count=2)
    assert "Reparationscafé" in mails[0].get_body(("plain",)).get_content()


def test_no_digest_is_sent_before_the_digest_hour_or_without_submissions(harness):
    seed_library(harness)
    assert harness.run_scheduler(MORNING)["digest_mails"] == 0
    submit(harness, "E1", "Reparationscafé")
    assert harness.run_scheduler(MORNING.replace(hour=5))["digest_mails"] == 0


def test_a_clarification_deadline_three_days_ahead_reminds_the_library_once(harness):
    seed_library(harness)
    harness.handle("evidence.clarification_requested", evidence(
        {"message": "Hvor mange deltog?", "deadline": "2025-03-13"}, status="clarification_requested"), "evidence")
    harness.handle("evidence.clarification_requested", evidence(
        {"message": "Hvilke partnere?", "deadline": "2025-03-12"}, item_id="E2", status="clarification_requested"),
        "evidence")
    harness.handle("evidence.clarification_answered", evidence(
        {"message": "Tre partnere"}, item_id="E2", revision=3), "evidence")

    assert harness.run_scheduler(MORNING.replace(day=9))["reminder_mails"] == 0  # 4 days
    assert harness.run_scheduler(MORNING)["reminder_mails"] == 3
    assert harness.run_scheduler(MORNING.replace(day=11))["reminder_mails"] == 0
    reminders = harness.mails(event_type="clarification.deadline_soon")
    assert sorted(m["person_id"] for m in reminders) == ["P1", "P2", "P3"]
    assert {m["context"]["item_id"] for m in reminders} == {"E1"}


def test_no_digest_goes_out_at_the_weekend_and_mondays_lists_what_arrived_meanwhile(harness):
    client = harness.client()
    seed_library(harness)
    friday, saturday, sunday, monday = (MORNING.replace(day=d) for d in (14, 15, 16, 17))
    submit(harness, "E1", "Reparationscafé")
    assert harness.run_scheduler(friday)["digest_mails"] == 2
    submit(harness, "E2", "Klimabyttemarked")  # Friday after the digest
    assert harness.run_scheduler(saturday.replace(hour=7))["digest_mails"] == 0
    submit(harness, "E3", "Læsekreds")  # Saturday
    assert harness.run_scheduler(saturday.replace(hour=18))["digest_mails"] == 0
    submit(harness, "E4", "Byttemarked")  # Sunday
    harness.clock.now = sunday  # the clock the scheduler and POST /scheduler/run read
    assert client.post("/scheduler/run", headers=harness.headers()).json["digest_mails"] == 0
    assert harness.db.digests.count_documents({}) == 1
    assert harness.mails(event_id="digest.assessors:2025-03-15") == []
    assert harness.mails(event_id="digest.assessors:2025-03-16") == []

    harness.clock.now = monday
    assert client.post("/scheduler/run", headers=harness.headers()).json["digest_mails"] == 2
    mondays = harness.mails(event_id="digest.assessors:2025-03-17")
    assert sorted(m["person_id"] for m in mondays) == ["A1", "A2"]
    assert [i["title"] for i in mondays[0]["context"]["items"]] == ["Klimabyttemarked", "Læsekreds", "Byttemarked"]


def test_the_deadline_reminder_mail_states_the_days_really_left(harness):
    seed_library(harness)
    harness.handle("evidence.clarification_requested", evidence(
        {"message": "Hvor mange deltog?", "deadline": "2025-03-12"}, status="clarification_requested"), "evidence")
    harness.handle("evidence.clarification_requested", evidence(
        {"message": "Hvilke partnere?", "deadline": "2025-03-11"}, item_id="E2", title="Klimacafé",
        status="clarification_requested"), "evidence")
    harness.clock.now = MORNING  # the sender tells the days left from the day it sends
    assert harness.run_scheduler(MORNING)["reminder_mails"] == 6
    harness.start_sender()
    mails = harness.smtp.box.wait_for(lambda m: "Påmindelse" in str(m["Subject"]) or "Reminder" in str(
        m["Subject"]), count=6)
    texts = {(str(m["To"]).split("<")[-1].rstrip(">"), "Klimacafé" in m.get_body(("plain",)).get_content()):
             m.get_body(("plain",)).get_content() for m in mails}
    assert "Fristen er 12. marts 2025, om 2 dage." in texts[("pia@aarhus.dk", False)]
    assert "The deadline is 12 March 2025, in 2 days." in texts[("peter@aarhus.dk", False)]
    assert "Fristen er 11. marts 2025, i morgen." in texts[("mads@aarhus.dk", True)]
    assert "The deadline is 11 March 2025, tomorrow." in texts[("peter@aarhus.dk", True)]
    assert not any("3 dage" in text or "3 days" in text for text in texts.values())


def test_an_administrator_can_trigger_the_scheduler_and_others_cannot(harness):
    client = harness.client()
    seed_library(harness)
    submit(harness, "E1", "Reparationscafé")
    harness.clock.now = MORNING
    assert client.post("/scheduler/run", headers=harness.headers(role="assessor", person_id="A1")).status_code == 403
    response = client.post("/scheduler/run", headers=harness.headers())
    assert response.status_code == 200 and response.json["digest_mails"] == 2
    assert client.post("/scheduler/run", headers=harness.headers()).json["digest_mails"] == 0


def test_the_delivery_log_shows_staff_only_their_own_library(harness):
    client = harness.client()
    seed_library(harness)
    harness.handle("library.registered", registered("L2", "Odense Bibliotek", token="t2", coordinator={
        "person_id": "Q1", "name": "Quinn", "email": "quinn@odense.dk", "language": "en", "role": "coordinator"}))

    every = client.get("/deliveries", headers=harness.headers()).json
    staff = client.get("/deliveries", headers=harness.headers("P1", "coordinator", "L1")).json
    assert {m["library_id"] for m in every["items"]} == {"L1", "L2"}
    assert {m["library_id"] for m in staff["items"]} == {"L1"} and staff["total"] == every["total"] - 1
    assert "context" not in staff["items"][0]  # tokens never leave the service
    other = client.get("/deliveries?library_id=L2", headers=harness.headers("P1", "coordinator", "L1"))
    assert other.status_code == 404
    assert client.get("/deliveries", headers=harness.headers("A1", "assessor")).status_code == 403
    assert client.get("/deliveries").status_code == 401
    bad = client.get("/deliveries?status=lost", headers=harness.headers())
    assert bad.status_code == 422 and bad.json["field"] == "status"


def test_an_administrator_resends_a_failed_mail_and_it_is_delivered(harness):
    client = harness.client()
    harness.smtp.box.fail_with = "550 no such user"
    harness.handle("library.registered", registered())
    harness.start_sender()
    [mail] = harness.mails()
    assert wait_until(lambda: harness.db.mails.find_one({"_id": mail["_id"]})["status"] == "failed")
    assert client.get("/deliveries?status=failed", headers=harness.headers()).json["total"] == 1

    harness.smtp.box.fail_with = None
    assert client.post(f"/deliveries/{mail['_id']}/resend",
                       headers=harness.headers("P1", "coordinator", "L1")).status_code == 403
    response = client.post(f"/deliveries/{mail['_id']}/resend", headers=harness.headers())
    assert response.status_code == 202
    [delivered] = harness.smtp.box.wait_for(count=1)
    assert "token=tok-L1" in delivered.get_body(("plain",)).get_content()
    assert wait_until(lambda: harness.db.mails.find_one({"_id": mail["_id"]})["status"] == "sent")
    assert client.post("/deliveries/nope/resend", headers=harness.headers()).status_code == 404


def test_the_unsubscribe_link_in_a_mail_turns_off_non_essential_mail_only(harness):
    client = harness.client()
    seed_library(harness)
    harness.start_sender()
    [welcome] = harness.smtp.box.wait_for(lambda m: "Velkommen:" in str(m["Subject"]))
    url = str(welcome["List-Unsubscribe"]).strip("<>")
    assert url.startswith(harness.settings.public_url + "/afmeld?token=")
    token = parse_qs(urlparse(url).query)["token"][0]
    anonymous = harness.headers("anonymous", "anonymous")

    bad = client.post("/unsubscribe", json={"token": token + "x"}, headers=anonymous)
    assert bad.status_code == 400 and bad.json["field"] == "token"
    assert client.post("/unsubscribe", json={"token": token}, headers=anonymous).status_code == 200
    assert client.get("/people/P1/preferences", headers=harness.headers("P1", "coordinator", "L1")).json == {
        "non_essential": False, "actions": ["edit"]}

    lapsed = harness.handle("certificate.lapsed", {"certificate_id": "C1", "library_id": "L1",
                                                   "lapsed_at": "2026-05-01T00:00:00+00:00", "due_on": "2026-03-01"},
                            "scoring")
    reset = harness.handle("person.password_reset_requested", {
        "person_id": "P1", "version": 3, "name": "Pia Koordinator", "email": "pia@aarhus.dk", "language": "da",
        "role": "coordinator", "library_id": "L1", "reset_token": "r1",
        "token_expires_at": "2025-03-05T10:00:00+00:00"})
    assert [m["person_id"] for m in harness.mails(event_id=lapsed.id)] == ["P2"]
    assert [m["person_id"] for m in harness.mails(event_id=reset.id)] == ["P1"]  # essential: always


def test_people_read_and_change_only_their_own_preferences(harness):
    client = harness.client()
    seed_library(harness)
    me = harness.headers("P2", "coordinator", "L1")
    assert client.get("/people/P2/preferences", headers=me).json == {"non_essential": True, "actions": ["edit"]}
    assert client.put("/people/P2/preferences", json={"non_essential": False}, headers=me).json == {
        "non_essential": False, "actions": ["edit"]}
    assert client.put("/people/P1/preferences", json={"non_essential": False}, headers=me).status_code == 404
    invalid = client.put("/people/P2/preferences", json={"non_essential": "maybe"}, headers=me)
    assert invalid.status_code == 422 and invalid.json["field"] == "non_essential"
    missing = client.put("/people/P2/preferences", json={}, headers=me)  # no decision: no default one
    assert missing.status_code == 422 and missing.json["field"] == "non_essential"
    assert client.get("/people/P2/preferences", headers=me).json == {"non_essential": False, "actions": ["edit"]}
    assert client.get("/people/P1/preferences", headers=harness.headers("P1", "coordinator", "L1")).json == {
        "non_essential": True, "actions": ["edit"]}
    # An administrator reads anyone's preferences but may not change them.
    assert client.get("/people/P2/preferences", headers=harness.headers()).json == {
        "non_essential": False, "actions": []}


def test_the_digest_follows_the_weekday_and_hour_in_copenhagen(harness):
    seed_library(harness)
    submit(harness, "E1", "Reparationscafé")
    friday_night = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)  # Saturday 00:30 in Copenhagen
    sunday_night = datetime(2025, 3, 16, 23, 30, tzinfo=UTC)  # Monday 00:30: before the digest hour
    monday_early = datetime(2025, 3, 17, 6, 30, tzinfo=UTC)  # Monday 07:30 in Copenhagen
    assert harness.run_scheduler(friday_night)["digest_mails"] == 0
    assert harness.run_scheduler(sunday_night)["digest_mails"] == 0
    assert harness.run_scheduler(monday_early)["digest_mails"] == 2
    assert sorted(m["person_id"] for m in harness.mails(event_id="digest.assessors:2025-03-17")) == ["A1", "A2"]
    assert harness.db.digests.find_one({"_id": "2025-03-17"})["at"].replace(tzinfo=UTC) == monday_early  # UTC kept


@pytest.mark.parametrize(("deadline", "evening", "after_midnight", "planned_on"), [
    # winter (UTC+1): Copenhagen's 10 March starts at 23:00 UTC on the 9th
    ("2025-03-13", datetime(2025, 3, 9, 22, 30, tzinfo=UTC), datetime(2025, 3, 9, 23, 30, tzinfo=UTC), "2025-03-10"),
    # summer (UTC+2): Copenhagen's 10 June starts at 22:00 UTC on the 9th
    ("2025-06-13", datetime(2025, 6, 9, 21, 59, tzinfo=UTC), datetime(2025, 6, 9, 22, 0, tzinfo=UTC), "2025-06-10"),
])  # fmt: skip
def test_a_reminder_counts_the_days_left_from_the_day_in_copenhagen(harness, deadline, evening, after_midnight,
                                                                     planned_on):
    seed_library(harness)
    harness.handle("evidence.clarification_requested", evidence(
        {"message": "Hvor mange deltog?", "deadline": deadline}, status="clarification_requested"), "evidence")
    assert harness.run_scheduler(evening)["reminder_mails"] == 0  # still 4 days in Denmark
    assert harness.run_scheduler(after_midnight)["reminder_mails"] == 3
    reminders = harness.mails(event_type="clarification.deadline_soon")
    assert {m["context"]["planned_on"] for m in reminders} == {planned_on}
    harness.clock.now = after_midnight  # the sender counts from its own day, in Copenhagen too
    harness.start_sender()
    mails = harness.smtp.box.wait_for(lambda m: "Påmindelse" in str(m["Subject"]) or "Reminder" in str(
        m["Subject"]), count=3)
    texts = {str(m["To"]).split("<")[-1].rstrip(">"): m.get_body(("plain",)).get_content() for m in mails}
    day = int(deadline[-2:])
    assert f"Fristen er {day}. {'marts' if deadline[5:7] == '03' else 'juni'} 2025, om 3 dage." in texts[
        "pia@aarhus.dk"]
    assert "in 3 days." in texts["peter@aarhus.dk"]


def ask_about_plan(h, revision=4, deadline="2025-03-13", message="Hvem er jeres partnere?"):
    return h.handle("action_plan.clarification_requested", plan(
        {"message": message, "deadline": deadline}, status="clarification_requested", revision=revision,
        actor=ASSESSOR), "evidence")


def answer_plan(h, revision=5):
    return h.handle("action_plan.submitted", plan({"message": "Bibliotekets venneforening"}, revision=revision),
                    "evidence")


def approve_plan(h, revision=6):
    return h.handle("action_plan.approved", plan({"comment": "Flot"}, status="approved", revision=revision,
                                                 actor=ASSESSOR), "evidence")


def test_an_action_plan_question_is_reminded_three_days_before_its_deadline_once(harness):
    seed_library(harness)
    ask_about_plan(harness, deadline="2025-03-13")

    assert harness.run_scheduler(MORNING.replace(day=9))["reminder_mails"] == 0  # 4 days
    assert harness.run_scheduler(MORNING)["reminder_mails"] == 3
    assert harness.run_scheduler(MORNING.replace(hour=15))["reminder_mails"] == 0
    assert harness.run_scheduler(MORNING.replace(day=11))["reminder_mails"] == 0
    reminders = harness.mails(event_type=PLAN_REMINDER)
    assert sorted(m["person_id"] for m in reminders) == ["P1", "P2", "P3"]
    assert {m["context"]["plan_id"] for m in reminders} == {"AP1"}
    assert {m["library_id"] for m in reminders} == {"L1"}

    harness.clock.now = MORNING.replace(day=11)  # a day later than planned: the text follows
    harness.start_sender()
    mails = harness.smtp.box.wait_for(lambda m: "Påmindelse" in str(m["Subject"]) or "Reminder" in str(
        m["Subject"]), count=3)
    texts = {str(m["To"]).split("<")[-1].rstrip(">"): m.get_body(("plain",)).get_content() for m in mails}
    assert "Fristen er 13. marts 2025, om 2 dage." in texts["pia@aarhus.dk"]
    assert "Fristen er 13. marts 2025, om 2 dage." in texts["mads@aarhus.dk"]
    assert "The deadline is 13 March 2025, in 2 days." in texts["peter@aarhus.dk"]
    assert all(harness.settings.public_url + "/bibliotek/L1/handleplan" in text for text in texts.values())
    assert all("Hvem er jeres partnere?" in text for text in texts.values())


@pytest.mark.parametrize("story", ["answered", "approved", "answer_arrived_first"])
def test_an_answered_or_approved_action_plan_is_not_reminded(harness, story):
    seed_library(harness)
    if story == "answered":
        ask_about_plan(harness, revision=4)
        answer_plan(harness, revision=5)
    elif story == "approved":  # the answer's event is still on its way
        ask_about_plan(harness, revision=4)
        approve_plan(harness, revision=6)
    else:  # redelivery put the answer before the question it answers
        answer_plan(harness, revision=5)
        ask_about_plan(harness, revision=4)
    assert harness.run_scheduler(MORNING)["reminder_mails"] == 0
    assert harness.mails(event_type=PLAN_REMINDER) == []


def test_a_new_question_after_the_answer_is_reminded_again(harness):
    seed_library(harness)
    ask_about_plan(harness, revision=4, deadline="2025-03-12")
    assert harness.run_scheduler(MORNING)["reminder_mails"] == 3
    answer_plan(harness, revision=5)
    ask_about_plan(harness, revision=6, deadline="2025-03-12", message="Og jeres mål for 2027?")
    assert harness.run_scheduler(MORNING.replace(hour=12))["reminder_mails"] == 3
    reminders = harness.mails(event_type=PLAN_REMINDER)
    assert sorted({m["context"]["message"] for m in reminders}) == ["Hvem er jeres partnere?",
                                                                    "Og jeres mål for 2027?"]
    approve_plan(harness, revision=8)
    assert harness.db.clarifications.find_one({"_id": "action_plan:AP1"})["open"] is False


def test_evidence_and_action_plan_questions_are_reminded_side_by_side(harness):
    seed_library(harness)
    harness.handle("evidence.clarification_requested", evidence(
        {"message": "Hvor mange deltog?", "deadline": "2025-03-12"}, status="clarification_requested"), "evidence")
    ask_about_plan(harness, deadline="2025-03-12")
    assert harness.run_scheduler(MORNING)["reminder_mails"] == 6
    assert len(harness.mails(event_type="clarification.deadline_soon")) == 3
    assert len(harness.mails(event_type=PLAN_REMINDER)) == 3
