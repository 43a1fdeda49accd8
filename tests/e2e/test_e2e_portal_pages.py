"""The portal's management pages in headless Chromium against the real platform (every service,
RabbitMQ, SecantusDB and a real SMTP server): the team page (roles, deactivation, invitations and
registration's own refusal), an evidence item's life (answer a question with a change, audit
trail, share, withdraw, edit after approval), shared cases copied into the plan and as a draft,
the profile (language, mail preferences, data export), and the administrator's pages (cohorts and
enrolments, a library moved to another cohort and its enrolment ended, libraries with filters, a model version drafted, edited, previewed and published,
national figures with their chart and CSV, a failed mail resent). axe-core checks each new page."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from chora_testing.identity import sign_for
from e2e_journey import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ITEMS,
    PASSWORD,
    assessor,
    eventually,
    new_library_data,
    ok,
    register_and_confirm,
)
from test_e2e_browser_journey import Journey, browser  # noqa: F401  (the Chromium fixture)

from shared import identity
from shared.identity import Identity

pytestmark = pytest.mark.browser


def sign_in(browser, platform, email: str, password: str, name: str) -> Journey:  # noqa: F811
    page = browser.new_context(locale="da-DK", accept_downloads=True).new_page()
    page.goto(platform.url + "/log-ind")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/(bibliotek|admin|vurdering)"))
    return Journey(page, name)


def flashed(page, text: str) -> None:
    """Wait for the page's outcome message; fail with what the page said instead."""
    try:
        page.locator(".flash").filter(has_text=text).wait_for(timeout=10000)
    except Exception:
        said = page.locator(".flash").all_inner_texts()
        raise AssertionError(f"no message {text!r} on {page.url}; the page said {said}") from None


def test_a_coordinator_manages_the_team_evidence_shared_cases_and_profile(platform, browser):  # noqa: F811
    ids, data, coordinator = register_and_confirm(platform)
    library_id, email = ids["library_id"], data["coordinator"]["email"]
    suffix = uuid.uuid4().hex[:6]
    kim, pia = f"kim-{suffix}@bibliotek.example", f"pia-{suffix}@bibliotek.example"
    ok(requests.post(platform.api("/invitations"), json={"email": kim, "name": "Kim Kollega", "role": "member"},
                     headers=coordinator, timeout=10), 201)
    ok(requests.post(platform.api("/invitations/accept"), timeout=10, json={
        "token": platform.token_from(platform.mail_link(kim, "/invitation")), "password": PASSWORD}))
    ok(requests.post(platform.api("/invitations"), json={"email": pia, "name": "Pia Ventende", "role": "member"},
                     headers=coordinator, timeout=10), 201)
    platform.mail_link(pia, "/invitation")

    j = sign_in(browser, platform, email, PASSWORD, "team")
    page = j.page

    # -- team: the last coordinator is not offered a demotion (registration's actions), roles, invitations --
    page.goto(f"{platform.url}/bibliotek/{library_id}/team")
    karen_row = page.locator("tr", has_text=email)
    karen_row.wait_for()
    assert karen_row.locator("select").count() == 0 and karen_row.get_by_role("button", name="Deaktiver").count() == 0
    j.check("team-sidste-koordinator")
    kim_row = page.locator("tr", has_text=kim)
    kim_row.locator("select").select_option("coordinator")
    kim_row.get_by_role("button", name="Skift rolle").click()
    flashed(page, "Rollen er ændret")
    assert "Koordinator" in page.locator("tr", has_text=kim).inner_text()
    page.locator("tr", has_text=kim).get_by_role("button", name="Deaktiver").click()
    page.get_by_role("heading", name="Deaktiver kollega").wait_for()  # asked first, on a page of its own
    j.check("team-bekraeft-deaktivering")
    page.get_by_role("button", name="Ja, deaktiver").click()
    flashed(page, "deaktiveret")
    assert "Deaktiveret" in page.locator("tr", has_text=kim).inner_text()
    page.locator("tr", has_text=kim).get_by_role("button", name="Genaktiver").click()
    flashed(page, "genaktiveret")
    assert "Aktiv" in page.locator("tr", has_text=kim).inner_text()
    page.locator("tr", has_text=pia).get_by_role("button", name="Send invitation igen").click()
    flashed(page, "sendt igen")
    platform.mail_link(pia, "/invitation", count=2)
    page.locator("tr", has_text=pia).get_by_role("button", name="Tilbagekald invitation").click()
    flashed(page, "tilbagekaldt")
    assert page.locator("tr", has_text=pia).get_by_role("button", name="Tilbagekald invitation").count() == 0

    # -- evidence: a question answered with a change, the audit trail, sharing, editing after approval --
    item = ok(requests.post(platform.api(f"/libraries/{library_id}/evidence"), json=ITEMS[0], headers=coordinator,
                            timeout=10), 201)
    ok(requests.post(platform.api(f"/evidence/{item['id']}/submit"), json={"revision": item["revision"]},
                     headers=coordinator, timeout=10))
    reviewer = assessor(platform)
    ok(requests.post(platform.api(f"/evidence/{item['id']}/review"), headers=reviewer, timeout=10, json={
        "decision": "clarification_requested", "comment": "Hvor mange deltog?", "deadline": (datetime.now(UTC).date() + timedelta(days=30)).isoformat()}))
    page.goto(f"{platform.url}/evidens/{item['id']}")
    page.locator("#traad").get_by_text("Hvor mange deltog?").wait_for()
    j.check("evidens-uddybning")
    page.get_by_label("Dit svar").fill("Vi talte 45 deltagere.")
    page.get_by_text("Ret oplysninger samtidig").click()
    page.locator("#a-participants").fill("45")
    page.get_by_role("button", name="Send svar og indsend igen").click()
    flashed(page, "Dit svar er sendt")
    assert page.locator(".status").first.inner_text() == "Indsendt"
    assert page.locator("#historik").get_by_text("Spørgsmål besvaret og indsendt igen").is_visible()
    assert ok(requests.get(platform.api(f"/evidence/{item['id']}"), headers=coordinator, timeout=10))["participants"] == 45
    ok(requests.post(platform.api(f"/evidence/{item['id']}/review"), json={"decision": "approved"}, headers=reviewer,
                     timeout=10))
    page.reload()
    page.get_by_role("button", name="Del med andre biblioteker").click()
    flashed(page, "delt med de andre biblioteker")
    j.check("evidens-godkendt-delt")

    # -- shared cases: find it, copy it into the plan and as a draft --------------------------
    page.get_by_role("navigation").get_by_role("link", name="Delte cases").click()
    page.get_by_label("Søg", exact=True).fill("Reparationscafé")
    page.get_by_role("button", name="Søg").click()
    page.get_by_role("heading", name=ITEMS[0]["title"]).wait_for()
    j.check("delte-cases")
    page.get_by_role("button", name="Kopiér til vores plan").first.click()
    flashed(page, "kopieret ind i jeres handleplan")
    plan = ok(requests.get(platform.api(f"/libraries/{library_id}/action-plan"), headers=coordinator, timeout=10))
    assert [g["title"] for g in plan["goals"]] == [ITEMS[0]["title"]]
    page.goto(f"{platform.url}/delte-cases?q=Reparationscaf%C3%A9")
    page.get_by_role("button", name="Kopiér som kladde").first.click()
    page.wait_for_url(re.compile(r"/evidens/.+/rediger"))
    flashed(page, "kopieret som en ny kladde")
    assert page.get_by_label("Titel").input_value() == ITEMS[0]["title"]

    # -- approved evidence edited: typing changes nothing; only an explicit save makes a new revision --
    page.goto(f"{platform.url}/evidens/{item['id']}")
    page.get_by_role("link", name="Ret aktiviteten (ny revision)").click()
    page.get_by_text("ny revision som kladde").wait_for()
    assert page.locator("#evidence-form").get_attribute("data-autosave") == "0"
    page.get_by_label("Titel").fill("Reparationscafé med borgerne og skolen")
    page.get_by_label("Deltagere").fill("46")
    page.goto(f"{platform.url}/evidens/{item['id']}")  # left without saving
    kept = ok(requests.get(platform.api(f"/evidence/{item['id']}"), headers=coordinator, timeout=10))
    assert kept["status"] == "approved" and kept["title"] == ITEMS[0]["title"], kept
    assert page.locator(".status").first.inner_text() == "Godkendt"
    page.get_by_role("link", name="Ret aktiviteten (ny revision)").click()
    page.get_by_label("Titel").fill("Reparationscafé med borgerne og skolen")
    page.get_by_role("button", name="Gem", exact=True).click()
    flashed(page, "Ændringerne er gemt")
    assert page.locator(".status").first.inner_text() == "Kladde"
    assert page.locator("#historik").get_by_text("Rettet").first.is_visible()

    # -- withdraw a submitted item ----------------------------------------------------------------
    second = ok(requests.post(platform.api(f"/libraries/{library_id}/evidence"), json=ITEMS[1], headers=coordinator,
                              timeout=10), 201)
    ok(requests.post(platform.api(f"/evidence/{second['id']}/submit"), json={"revision": second["revision"]},
                     headers=coordinator, timeout=10))
    page.goto(f"{platform.url}/evidens/{second['id']}")
    page.get_by_label("Begrundelse (valgfri)").fill("Forkert dato")
    page.get_by_role("button", name="Træk aktiviteten tilbage").click()
    flashed(page, "trukket tilbage")
    assert page.locator(".status").first.inner_text() == "Trukket tilbage"

    # -- profile: English, no news, my data as JSON -------------------------------------------------
    page.goto(f"{platform.url}/profil")
    j.check("profil")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Gem sprog").click()
    flashed(page, "Your language is saved")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("#non-essential").uncheck()
    page.get_by_role("button", name="Save email choice").click()
    flashed(page, "only the necessary emails")
    assert page.locator("#mail-state").get_attribute("data-non-essential") == "off"
    j.check("profil-engelsk")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export my data").click()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert exported["email"] == email and exported["language"] == "en"


def test_an_administrator_runs_cohorts_libraries_models_figures_and_mail(platform, browser):  # noqa: F811
    ids, data, coordinator = register_and_confirm(platform, new_library_data("Kohorterup Bibliotek"))
    library_id = ids["library_id"]
    admin = sign_in(browser, platform, ADMIN_EMAIL, ADMIN_PASSWORD, "admin")
    page = admin.page
    admin.check("admin")

    # -- cohorts: create two, enrol the library, then move it ---------------------------------------
    page.goto(platform.url + "/admin/kohorter")
    for name, year in (("Forløb 2026", "2026"), ("Forløb 2027", "2027")):
        page.get_by_label("Navn").fill(name)
        page.get_by_label("Startår").fill(year)
        page.get_by_role("button", name="Opret").click()
        flashed(page, "Kohorten er oprettet")
    for cohort in ("Forløb 2026", "Forløb 2027"):
        page.get_by_label("Bibliotek", exact=True).select_option(value=library_id)
        page.get_by_label("Kohorte", exact=True).select_option(label=cohort)
        page.get_by_role("button", name="Tilmeld", exact=True).click()
        flashed(page, "tilmeldt kohorten")
        assert cohort in page.locator("table.enrolments tr", has_text="Kohorterup").inner_text()
    admin.check("kohorter")

    # -- libraries with filters ------------------------------------------------------------------
    page.goto(platform.url + "/admin/biblioteker")
    page.get_by_label("Kohorte").select_option(label="Forløb 2027")
    page.get_by_role("button", name="Filtrér").click()
    page.get_by_role("link", name="Kohorterup Bibliotek", exact=True).wait_for()
    assert page.locator("#library-count").inner_text().startswith("1 ")
    admin.check("biblioteker-filtreret")
    page.get_by_label("Kohorte").select_option(label="Forløb 2026")
    page.get_by_role("button", name="Filtrér").click()
    page.get_by_text("Ingen biblioteker matcher filtrene").wait_for()

    # -- the library's own page: move it to another cohort, then end its enrolment after confirming ---
    page.goto(platform.url + "/admin/kohorter")
    page.get_by_role("link", name="Kohorterup Bibliotek").first.click()
    assert "Forløb 2027" in page.locator("#current-cohort").inner_text()
    page.get_by_label("Flyt til kohorten").select_option(label="Forløb 2026")
    page.get_by_role("button", name="Flyt", exact=True).click()
    flashed(page, "Biblioteket er flyttet til den nye kohorte")
    assert "Forløb 2026" in page.locator("#current-cohort").inner_text()
    admin.check("bibliotekets-kohorte")
    page.get_by_role("link", name="Afslut tilmeldingen …").click()
    page.get_by_role("heading", name="Er du sikker?").wait_for()
    admin.check("afslut-tilmelding")
    page.get_by_role("button", name="Ja, afslut tilmeldingen").click()
    flashed(page, "Bibliotekets tilmelding til kohorten er afsluttet")
    assert "ikke tilmeldt" in page.locator("#current-cohort").inner_text()
    registered = ok(_get_as_admin(platform, "registration", f"/libraries/{library_id}"))
    assert registered["enrolment"] is None

    # -- a model version: draft, edit a target, preview, publish -------------------------------------
    page.goto(platform.url + "/admin/modeller")
    page.get_by_role("button", name="Ny kladde fra den gældende").click()
    flashed(page, "Kladden er klar")
    version = int(page.url.rstrip("/").rsplit("/", 1)[1])
    target = page.locator("input[id^='target-']").first
    requirement = target.get_attribute("id").removeprefix("target-")
    new_target = float(target.input_value().replace(",", ".")) + 1
    target.fill(f"{new_target:g}")
    page.get_by_role("button", name="Gem mål").click()
    flashed(page, "Målene er gemt")
    page.get_by_role("link", name="Forhåndsvis virkning").click()
    page.get_by_role("heading", name="Virkning hvis versionen udgives").wait_for()
    assert page.locator("#virkning").get_by_role("cell", name=requirement, exact=True).count() >= 1
    admin.check("model-virkning")
    page.get_by_role("button", name=f"Udgiv version {version}").click()
    flashed(page, "Modelversionen er udgivet")
    assert "Udgivet" in page.locator("tr", has_text=f"Version {version}").inner_text()
    published = [r for r in ok(_get_as_admin(platform, "scoring", f"/models/{version}"))["requirements"]
                 if r["id"] == requirement]
    assert published[0]["target"] == new_target

    # -- national figures: the chart and the CSV ----------------------------------------------------
    page.goto(platform.url + "/admin/tal")
    assert page.locator("svg.chart-svg[role='img']").count() == 1
    assert page.locator("svg.chart-svg .sdg-bar").count() == 17
    admin.check("nationale-tal")
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent CSV").click()
    assert open(download.value.path(), encoding="utf-8").readline().startswith("section,key,libraries")

    # -- a mail that failed is resent -----------------------------------------------------------------
    newcomer = f"ny-{uuid.uuid4().hex[:6]}@bibliotek.example"
    platform.smtp.box.fail_with = "550 mailbox unavailable"
    try:
        ok(requests.post(platform.api("/invitations"), json={"email": newcomer, "name": "Ny Kollega", "role": "member"},
                         headers=coordinator, timeout=10), 201)

        def failed_row():
            page.goto(platform.url + "/admin/forsendelser")
            return page.locator("tr", has_text=newcomer).count() == 1
        eventually(failed_row)
    finally:
        platform.smtp.box.fail_with = None
    admin.check("forsendelser-fejlet")
    page.locator("tr", has_text=newcomer).get_by_role("button", name="Send igen").click()
    flashed(page, "sat i kø")
    assert platform.mail_link(newcomer, "/invitation")
    assert library_id


def _get_as_admin(platform, service: str, path: str):
    """GET a service's own API directly, signed as the gateway would sign it for an administrator."""
    key = platform.settings[service].identity_secret
    header = sign_for(key, service, Identity(person_id="e2e-admin", role="administrator"), "GET", path)
    return requests.get(f"{platform.service_urls[service]}{path}", headers={identity.HEADER: header}, timeout=10)
