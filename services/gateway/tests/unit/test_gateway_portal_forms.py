"""What a person sees when a form goes wrong or a page shows figures: the service's field errors
as DKFDS's error summary linking to each field and a message beside it, in the page's language,
with what the person typed kept; nothing created before the first save of a new item; autosave
only for drafts; dates, times and numbers as Babel writes them in Copenhagen time."""

import re
from dataclasses import asdict
from pathlib import Path

import pytest
from gateway_fakes import CSRF_RAW, CSRF_TOKEN, OWN, make_app, person, response

from gateway.portal.base import contrast

pytestmark = pytest.mark.unit

REFUSED = {"status": 422, "code": "invalid", "field": "library.name", "detail": "2 felter skal rettes",
           "errors": {"library.name": {"label": "Bibliotekets navn", "label_en": "Library name",
                                       "message": "Skriv bibliotekets navn.", "message_en": "Enter the library's name."},
                      "library.isil": {"label": "ISIL-kode", "label_en": "ISIL code",
                                       "message": "ISIL-koden skal have formen DK-7xxxxx.",
                                       "message_en": "The ISIL code must look like DK-7xxxxx."}}}
DETAILS = {"step": "submit", "name": "x", "isil": "DK-12", "municipality": "Aarhus", "kind": "folkebibliotek",
           "staff_count": "12", "coordinator_name": "Karen", "email": "karen@bib.example", "password": "et-godt-kodeord"}


def client_with(role="anonymous", answers=None):
    app, fake = make_app()
    for (method, path), (status, body) in (answers or {}).items():
        fake.answers[(method, path)] = response(status, body)
    client = app.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = CSRF_RAW
        if role != "anonymous":
            session["identity"] = asdict(person(role))
    return client, fake


def test_a_refused_registration_shows_every_field_in_the_summary_and_beside_it_keeping_what_was_typed():
    client, _ = client_with(answers={("POST", "/registrations"): (422, REFUSED)})
    resp = client.post("/tilmeld", data={**DETAILS, "csrf_token": CSRF_TOKEN})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    summary = page.split('data-module="error-summary"')[1].split("</nav>")[0]
    assert 'href="#name"' in summary and 'href="#isil"' in summary
    assert "Bibliotekets navn: Skriv bibliotekets navn." in summary and "Der er 2 problemer" in summary
    assert re.search(r'id="isil-error">.*ISIL-koden skal have formen DK-7xxxxx', page, re.S)
    assert re.search(r'id="isil"[^>]*value="DK-12"|value="DK-12"[^>]*id="isil"', page)
    assert 'aria-invalid="true"' in page and 'value="karen@bib.example"' in page
    assert "et-godt-kodeord" not in page  # a password is never sent back


def test_the_same_refusal_reads_in_english_when_english_is_chosen():
    client, _ = client_with(answers={("POST", "/registrations"): (422, REFUSED)})
    client.get("/sprog/en")
    page = client.post("/tilmeld", data={**DETAILS, "csrf_token": CSRF_TOKEN}).get_data(as_text=True)
    assert "Library name: Enter the library&#39;s name." in page and "There are 2 problems" in page
    assert "The ISIL code must look like DK-7xxxxx." in page and "Skriv bibliotekets navn" not in page


def test_registration_asks_to_check_the_answers_before_anything_is_sent():
    client, fake = client_with()
    details = {k: v for k, v in DETAILS.items() if k not in ("step", "password")}
    page = client.post("/tilmeld", data={**details, "step": "details", "csrf_token": CSRF_TOKEN}).get_data(as_text=True)
    assert "<h1>Tjek dine svar</h1>" in page and "karen@bib.example" in page and 'class="step-indicator' in page
    assert not [c for c in fake.calls if c.path == "/registrations"]
    missing = client.post("/tilmeld", data={"step": "details", "csrf_token": CSRF_TOKEN})
    assert missing.status_code == 422 and 'href="#name"' in missing.get_data(as_text=True)


def test_opening_a_new_item_creates_nothing_and_the_first_save_creates_it_with_what_was_typed():
    client, fake = client_with("coordinator", answers={("POST", f"/libraries/{OWN}/evidence"): (201, {"id": "ev-new"})})
    page = client.get(f"/bibliotek/{OWN}/aktiviteter/ny").get_data(as_text=True)
    assert 'data-autosave="0"' in page and "<h1>Ny aktivitet</h1>" in page
    assert not [c for c in fake.calls if c.method == "POST"]
    saved = client.post(f"/bibliotek/{OWN}/aktiviteter/ny", data={
        "csrf_token": CSRF_TOKEN, "title": "Reparationscafé", "kind": "activity", "dimension": "faellesskaber",
        "date": "04/12/2026", "participants": "40", "sdgs": ["12", "13"], "before": "12,5"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/evidens/ev-new/rediger")
    (created,) = [c for c in fake.calls if c.method == "POST"]
    assert created.json["title"] == "Reparationscafé" and created.json["date"] == "2026-12-04"
    assert created.json["participants"] == 40 and created.json["sdgs"] == [12, 13] and created.json["before"] == 12.5
    assert "revision" not in created.json


def test_a_refused_first_save_keeps_what_was_typed_and_creates_nothing_more():
    refused = {"status": 422, "errors": {"title": {"label": "Titel", "label_en": "Title", "message": "Skal udfyldes.",
                                                   "message_en": "Required."}}}
    client, fake = client_with("member", answers={("POST", f"/libraries/{OWN}/evidence"): (422, refused)})
    resp = client.post(f"/bibliotek/{OWN}/aktiviteter/ny", data={"csrf_token": CSRF_TOKEN, "title": "",
                                                                "description": "Noget vi gjorde"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'href="#title"' in page and "Noget vi gjorde" in page


@pytest.mark.parametrize("status,autosave,notice", [("draft", "1", None), ("submitted", "0", "Aktiviteten er indsendt"),
                                                    ("approved", "0", "Aktiviteten er vurderet")])
def test_only_a_draft_saves_as_you_type_and_a_decided_item_says_it_is_sent_only_on_save(status, autosave, notice):
    item = {"id": "ev-own", "library_id": OWN, "revision": 3, "status": status, "title": "Udstilling"}
    client, _ = client_with("coordinator", answers={("GET", "/evidence/ev-own"): (200, item)})
    resp = client.get("/evidens/ev-own/rediger")
    if status == "submitted":
        assert resp.status_code == 200  # shown, but its save button is the only way it changes
    page = resp.get_data(as_text=True)
    assert f'data-autosave="{autosave}"' in page
    if notice:
        assert notice in page and "kun sendt, når du trykker Gem" in page


def test_a_draft_offers_delete_when_the_service_says_so():
    item = {"id": "ev-own", "library_id": OWN, "revision": 3, "status": "draft", "actions": ["edit", "delete"]}
    client, fake = client_with("coordinator", answers={("GET", "/evidence/ev-own"): (200, item)})
    page = client.get("/evidens/ev-own").get_data(as_text=True)
    assert "Slet kladden" in page and "Træk aktiviteten tilbage" not in page  # only what actions allow
    client.post("/evidens/ev-own/slet", data={"csrf_token": CSRF_TOKEN, "revision": "3"})
    assert [c.json for c in fake.calls if c.method == "DELETE"] == [{"revision": 3}]


QUEUE = {"items": [{"library_id": OWN, "name": "Testrup Bibliotek", "municipality": "Aarhus",
                    "ready_since": "Fri, 04 Dec 2026 13:05:00 GMT"}]}


def test_the_review_queue_writes_moments_in_copenhagen_time_in_each_language():
    client, _ = client_with("assessor", answers={("GET", "/review-queue"): (200, QUEUE)})
    page = client.get("/vurdering").get_data(as_text=True)
    assert "4. december 2026 kl. 14.05" in page
    client.get("/sprog/en")
    assert "4 December 2026 at 14:05" in client.get("/vurdering").get_data(as_text=True)


def test_figures_have_decimal_commas_in_danish_and_points_in_english():
    client, _ = client_with("assessor", answers={("GET", "/libraries/lib-own/progress"): (200, {
        "status": "in_progress", "requirements": [{"id": "D3", "text_da": "Personale", "text_en": "Staff",
                                                   "achieved": 95.5, "target": 90}]})})
    page = client.get(f"/vurdering/{OWN}").get_data(as_text=True)
    assert "<td>95,5</td>" in page and "D3 Personale" in page
    client.get("/sprog/en")
    page = client.get(f"/vurdering/{OWN}").get_data(as_text=True)
    assert "<td>95.5</td>" in page and "D3 Staff" in page  # the requirement's English text


def test_an_invitation_link_that_carries_english_opens_an_english_page():
    client, _ = client_with()
    page = client.get("/invitation?token=abc&lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Accept invitation" in page
    assert '<html lang="en">' in client.get("/log-ind").get_data(as_text=True)  # and it stays chosen


def test_every_sdg_tile_has_text_at_aa_contrast():
    css = (Path(__file__).resolve().parents[2] / "src/gateway/static/portal.css").read_text()
    tiles = dict(re.findall(r"\.sdg-(\d+) \{ background: (#[0-9A-Fa-f]{6}); color: (#[0-9A-Fa-f]{6}); \}", css)
                 and [(n, (bg, fg)) for n, bg, fg in re.findall(
                     r"\.sdg-(\d+) \{ background: (#[0-9A-Fa-f]{6}); color: (#[0-9A-Fa-f]{6}); \}", css)])
    assert sorted(map(int, tiles)) == list(range(1, 18))
    assert all(contrast(fg, bg) >= 4.5 for bg, fg in tiles.values()), tiles


