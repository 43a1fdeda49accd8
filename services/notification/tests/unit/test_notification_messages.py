from __future__ import annotations

import email
from email import policy
from email.headerregistry import Address

import pytest

from notification.domain.errors import InvalidAddress, UnknownTemplate
from notification.domain.messages import (
    RenderedMail,
    build_message,
    message_id_for,
    portal_url,
    render,
    render_planned,
)
from notification.domain.preferences import read_unsubscribe_token
from notification.domain.routing import ROUTES, plan_messages

pytestmark = pytest.mark.unit

PUBLIC_URL = "https://portal.example.dk/"
SECRET = "test-secret"
FROM = "Verdensmålscertificering <noreply@example.dk>"


def parsed(message):
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("event_type", sorted(ROUTES))
def test_every_routed_mail_renders_in_both_languages(event_type, language, state, cases):
    payload, _ = cases[event_type]
    for mail in plan_messages(event_type, payload, state, event_id="e"):
        rendered = render(mail.template, language, mail.context, PUBLIC_URL)
        assert rendered.subject and "\n" not in rendered.subject
        assert rendered.text.strip() and rendered.html.startswith("<!DOCTYPE html>")
        platform = "SDG certification for libraries" if language == "en" else "Verdensmålscertificering for biblioteker"
        assert platform in rendered.text and platform in rendered.html
        assert "https://portal.example.dk/" in rendered.text
        assert f'lang="{language}"' in rendered.html


def test_every_template_has_four_files():
    from notification.domain.messages import TEMPLATE_DIR

    for template in {route.template for route in ROUTES.values()}:
        for language in ("da", "en"):
            for ext in ("txt", "html"):
                assert (TEMPLATE_DIR / language / f"{template}.{ext}").is_file()


def test_mail_carries_the_library_name_in_the_layout(state, cases):
    payload, _ = cases["certificate.lapsed"]
    mail = plan_messages("certificate.lapsed", payload, state, event_id="e")[0]
    rendered = render(mail.template, mail.language, mail.context, PUBLIC_URL)
    assert "Aarhus Hovedbibliotek" in rendered.subject
    assert "Verdensmålscertificering for biblioteker · Aarhus Hovedbibliotek" in rendered.text


def test_danish_is_the_default_and_english_is_used_when_preferred():
    context = {"token": "t", "expires_at": None}
    assert render("password_reset", None, context, PUBLIC_URL).subject == "Nulstil din adgangskode"
    assert render("password_reset", "fr", context, PUBLIC_URL).subject == "Nulstil din adgangskode"
    assert render("password_reset", "en", context, PUBLIC_URL).subject == "Reset your password"


@pytest.mark.parametrize(
    ("template", "path"),
    [("confirm_email", "/bekraeft"), ("invitation", "/invitation"), ("password_reset", "/nulstil")],
)
def test_security_mail_links_into_the_portal_with_the_token(template, path, state):
    context = {"token": "a/b+c&d=e", "expires_at": "2025-03-14", "registration": False,
               "library_name": "X", "role": "member", "invited_by_name": "Y"}  # fmt: skip
    rendered = render(template, "da", context, PUBLIC_URL)
    link = f"https://portal.example.dk{path}?token=a%2Fb%2Bc%26d%3De"
    assert link in rendered.text
    assert link in rendered.html
    assert "14. marts 2025" in rendered.text


def test_registration_mail_links_to_bekraeft(state, cases):
    payload, _ = cases["library.registered"]
    [mail] = plan_messages("library.registered", payload, state, event_id="e")
    rendered = render_planned(mail, PUBLIC_URL, SECRET)
    assert "https://portal.example.dk/bekraeft?token=tok9" in rendered.text
    assert rendered.subject.startswith("Welcome")


def test_script_in_user_text_arrives_escaped_in_html(state, cases):
    payload, _ = cases["evidence.submitted"]
    payload = {**payload, "title": '<script>alert("x")</script>'}
    [mail] = plan_messages("evidence.submitted", payload, state, event_id="e")
    rendered = render_planned(mail, PUBLIC_URL, SECRET)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in rendered.html
    assert "<script>" in rendered.text  # plain text is not HTML: shown as typed


def test_markup_in_library_names_and_comments_is_escaped():
    context = {"library_id": "L1", "library_name": "<b>Bib</b>", "item_id": "E1", "title": "T",
               "revision": 1, "decision": "rejected", "comment": "<img src=x onerror=alert(1)>",
               "reviewer_name": "<i>A</i>", "recipient_name": "<u>R</u>"}  # fmt: skip
    html = render("evidence_reviewed", "da", context, PUBLIC_URL).html
    for raw in ("<b>Bib</b>", "<img", "<i>A</i>", "<u>R</u>"):
        assert raw not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_unknown_template_is_refused():
    with pytest.raises(UnknownTemplate):
        render("../../etc/passwd", "da", {}, PUBLIC_URL)


def test_portal_url_quotes_path_parameters():
    assert portal_url("https://p.dk/", "evidence", item_id="a/b") == "https://p.dk/evidens/a%2Fb"


def test_message_is_multipart_alternative_with_text_and_html():
    rendered = RenderedMail("Emne æøå", "Tekst æøå\n", "<p>HTML æøå</p>")
    message = parsed(build_message(rendered, "Åse Ørum", "aase@example.dk", FROM))
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message["Subject"] == "Emne æøå"
    assert message["To"].addresses[0].display_name == "Åse Ørum"
    assert message["To"].addresses[0].addr_spec == "aase@example.dk"
    assert message["From"].addresses[0].addr_spec == "noreply@example.dk"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_body(("plain",)).get_content() == "Tekst æøå\n"


@pytest.mark.parametrize(
    "name",
    [
        "Anna\r\nBcc: victim@example.org",
        "Anna\nBcc: victim@example.org",
        "Anna\rBcc: victim@example.org",
        "Anna\u2028Bcc: victim@example.org",
        'Anna" <x@y.dk>, \r\nBcc: victim@example.org',
        "Anna\x00\x0bBcc: victim@example.org",
    ],
)
def test_line_breaks_in_a_name_cannot_inject_headers(name):
    rendered = RenderedMail("Hej\r\nBcc: victim@example.org", "t\n", "<p>h</p>")
    raw = build_message(rendered, name, "anna@example.dk", FROM).as_bytes()
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None
    assert message.get_all("To") is not None and len(message.get_all("To")) == 1
    assert [a.addr_spec for a in message["To"].addresses] == ["anna@example.dk"]
    assert "victim@example.org" not in {a.addr_spec for a in message["To"].addresses}
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    headers = raw.split(b"\n\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc:") for line in headers.splitlines())


@pytest.mark.parametrize(
    "address", ["anna@example.dk\r\nBcc: victim@example.org", "anna@exa mple.dk", "no-at-sign", "a@b@c", ""]
)
def test_a_malformed_address_is_refused(address):
    with pytest.raises(InvalidAddress):
        build_message(RenderedMail("s", "t", "h"), "Anna", address, FROM)


def test_sender_may_be_given_as_an_address():
    sender = Address("Platform", addr_spec="noreply@example.dk")
    message = parsed(build_message(RenderedMail("s", "t", "h"), "A", "a@example.dk", sender))
    assert message["From"].addresses[0].display_name == "Platform"


def test_non_essential_mail_has_a_signed_list_unsubscribe_header(state, cases):
    payload, _ = cases["digest.assessors"]
    mail = plan_messages("digest.assessors", payload, state, event_id="e")[0]
    rendered = render_planned(mail, PUBLIC_URL, SECRET)
    message = parsed(build_message(rendered, mail.name, mail.email, FROM))
    header = str(message["List-Unsubscribe"])
    assert header.startswith("<https://portal.example.dk/afmeld?token=") and header.endswith(">")
    token = header[len("<https://portal.example.dk/afmeld?token=") : -1]
    assert read_unsubscribe_token(SECRET, token) == mail.person_id
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert rendered.unsubscribe_url in rendered.text


def test_essential_mail_has_no_unsubscribe_header(state, cases):
    payload, _ = cases["person.password_reset_requested"]
    [mail] = plan_messages("person.password_reset_requested", payload, state, event_id="e")
    rendered = render_planned(mail, PUBLIC_URL, SECRET)
    message = parsed(build_message(rendered, mail.name, mail.email, FROM))
    assert message["List-Unsubscribe"] is None
    assert "afmeld" not in rendered.text and "afmeld" not in rendered.html


def test_message_id_is_stable_for_a_dedup_key():
    assert message_id_for("evt-1:P1", "example.dk") == message_id_for("evt-1:P1", "example.dk")
    assert message_id_for("evt-1:P1", "example.dk") != message_id_for("evt-1:P2", "example.dk")
    message = parsed(
        build_message(RenderedMail("s", "t", "h"), "A", "a@example.dk", FROM,
                      message_id=message_id_for("evt-1:P1", "example.dk"))
    )  # fmt: skip
    assert message["Message-ID"].endswith("@example.dk>")


@pytest.mark.parametrize(("days", "danish", "english"), [
    (3, "om 3 dage", "in 3 days"),
    (2, "om 2 dage", "in 2 days"),
    (1, "i morgen", "tomorrow"),
    (0, "i dag", "today"),
    (-1, "i går", "yesterday"),
    (-4, "for 4 dage siden", "4 days ago"),
])  # fmt: skip
def test_relative_days_read_naturally_in_both_languages(days, danish, english):
    from notification.domain.messages import relative_days

    assert relative_days(days, "da") == danish
    assert relative_days(days, "en") == english


def test_days_until_counts_calendar_days_from_a_date_or_a_timestamp():
    from datetime import UTC, date, datetime

    from notification.domain.messages import days_until

    assert days_until("2025-03-12", date(2025, 3, 10)) == 2
    assert days_until("2025-03-12", datetime(2025, 3, 11, 22, 59, tzinfo=UTC)) == 1  # 23:59 in Copenhagen
    assert days_until("2025-03-12", datetime(2025, 3, 11, 23, 0, tzinfo=UTC)) == 0  # already the 12th there
    assert days_until("2025-03-12", None) is None
    assert days_until("someday", date(2025, 3, 10)) is None


DEADLINE_CONTEXT = {"library_id": "L1", "library_name": "Aarhus", "item_id": "E1", "title": "Reparationscafé",
                    "message": "?", "deadline": "2025-03-12", "submitter_name": "Mads", "planned_on": None}


@pytest.mark.parametrize(("today", "danish", "english"), [
    (9, "Fristen er 12. marts 2025, om 3 dage.", "The deadline is 12 March 2025, in 3 days."),
    (10, "Fristen er 12. marts 2025, om 2 dage.", "The deadline is 12 March 2025, in 2 days."),
    (11, "Fristen er 12. marts 2025, i morgen.", "The deadline is 12 March 2025, tomorrow."),
    (12, "Fristen er 12. marts 2025, i dag.", "The deadline is 12 March 2025, today."),
    (13, "Fristen var 12. marts 2025, i går.", "The deadline was 12 March 2025, yesterday."),
])  # fmt: skip
def test_the_deadline_reminder_states_the_days_really_left_on_the_day_it_is_sent(today, danish, english):
    from datetime import date

    for language, sentence in (("da", danish), ("en", english)):
        rendered = render("clarification_deadline_soon", language, DEADLINE_CONTEXT, PUBLIC_URL,
                          today=date(2025, 3, today))
        assert sentence in rendered.text
        assert sentence.replace("12. marts 2025", "<strong>12. marts 2025</strong>").replace(
            "12 March 2025", "<strong>12 March 2025</strong>") in rendered.html
        assert "3 dage" not in rendered.text or today == 9


def test_without_a_sending_day_the_reminder_counts_from_the_day_it_was_planned(state, cases):
    payload, _ = cases["clarification.deadline_soon"]  # deadline 2025-04-01
    [mail, *_] = plan_messages("clarification.deadline_soon", {**payload, "planned_on": "2025-03-31"}, state,
                               event_id="e")
    assert "Fristen er 1. april 2025, i morgen." in render(mail.template, "da", mail.context, PUBLIC_URL).text
    undated = render(mail.template, "da", {**mail.context, "planned_on": None}, PUBLIC_URL).text
    assert "Fristen er 1. april 2025." in undated


def test_the_sender_renders_relative_days_from_its_own_day(state, cases):
    from datetime import date

    payload, _ = cases["clarification.deadline_soon"]
    [mail, *_] = plan_messages("clarification.deadline_soon", {**payload, "planned_on": "2025-03-29"}, state,
                               event_id="e")
    # Planned three days ahead, but a retry only got it out on the day before the deadline.
    rendered = render_planned(mail, PUBLIC_URL, SECRET, today=date(2025, 3, 31))
    assert "i morgen" in rendered.text and "om 3 dage" not in rendered.text


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [("da", "Din adgang til", "er åbnet igen"), ("en", "Your access to", "has been restored")],
)
def test_the_access_restored_mail_links_to_the_sign_in_page(language, subject, line):
    for library_name in ("Aarhus Hovedbibliotek", None):
        rendered = render("access_restored", language, {"library_name": library_name, "library_id": None}, PUBLIC_URL)
        assert rendered.subject.startswith(subject) and line in rendered.text
        assert "https://portal.example.dk/log-ind" in rendered.text
        assert 'href="https://portal.example.dk/log-ind"' in rendered.html
        assert ("Aarhus Hovedbibliotek" in rendered.text) is (library_name is not None)
