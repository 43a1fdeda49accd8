"""The whole journey in headless Chromium (the system browser, driven by Playwright) through the
real platform: a library registers, confirms its email from the captured mail, invites a
colleague, logs an activity with a photo, sees its dashboard move; an assessor approves and
awards; the public directory shows the library and its certificate verifies. Every page is
checked with axe-core and a screenshot of each is saved in test-artifacts/screenshots/."""

from __future__ import annotations

import io
import os
import re
import uuid
from pathlib import Path

import pytest
import requests
from e2e_journey import ADJUSTED_TARGETS, ITEMS, PASSWORD, assessor, eventually, log_and_submit, ok, plan_and_submit

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: make browser (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield instance
        instance.close()


class Journey:
    """A browser page that saves a screenshot and runs axe-core at every step."""

    def __init__(self, page, name: str):
        self.page, self.name, self.step = page, name, 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def check(self, label: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(SHOTS / f"{self.name}-{self.step:02d}-{label}.png"), full_page=True)
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
        violations = results.response["violations"]  # zero, whatever their impact
        assert not violations, f"{label} ({self.page.url}): " + "; ".join(
            f"{v['id']} ({v.get('impact')}): {[n['target'] for n in v['nodes']][:3]}" for v in violations)


def png_photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (76, 159, 56)).save(out, format="PNG")
    return out.getvalue()


def test_a_library_goes_from_registration_to_a_verified_certificate_in_the_browser(platform, browser):
    suffix = uuid.uuid4().hex[:6]
    email, colleague_email = f"karen-{suffix}@bibliotek.example", f"kim-{suffix}@bibliotek.example"
    library_name = f"Solbjerg Bibliotek {suffix}"

    # -- the coordinator registers the library -------------------------------------------------
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    j = Journey(page, "coordinator")
    page.goto(platform.url + "/")
    j.check("forside")
    page.get_by_role("link", name="Tilmeld bibliotek").first.click()
    page.get_by_label("Bibliotekets navn").fill(library_name)
    page.get_by_label("ISIL-kode").fill(f"DK-{uuid.uuid4().int % 10**6:06d}")
    page.get_by_label("Kommune").select_option("Aarhus")
    page.get_by_label("Antal ansatte").fill("12")
    page.get_by_label("Dit navn").fill("Karen Koordinator")
    page.get_by_label("E-mail").fill(email)
    j.check("tilmelding-udfyldt")
    page.get_by_role("button", name="Fortsæt").click()
    page.get_by_role("heading", name="Tjek dine svar").wait_for()
    assert page.get_by_role("cell", name=library_name).is_visible()
    page.get_by_label("Adgangskode").fill(PASSWORD)
    j.check("tilmelding-tjek-dine-svar")
    page.get_by_role("button", name="Send tilmeldingen").click()
    page.get_by_role("heading", name="Tjek din e-mail").wait_for()
    j.check("tilmelding-modtaget")

    # -- confirms from the captured mail and signs in -----------------------------------------
    page.goto(platform.mail_link(email, "/bekraeft"))
    j.check("bekraeft")
    page.get_by_role("button", name="Bekræft").click()
    page.get_by_text("Din e-mail er bekræftet").wait_for()
    page.get_by_role("main").get_by_role("link", name="Log ind").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/bibliotek/"))
    library_id = page.url.rstrip("/").rsplit("/", 1)[1]
    j.check("dashboard-tomt")
    assert page.locator(".sdg.on").count() == 0

    # -- invites a colleague, who accepts in another browser ----------------------------------
    page.get_by_role("link", name="Team").click()
    page.get_by_label("Navn").fill("Kim Kollega")
    page.get_by_label("E-mail").fill(colleague_email)
    page.get_by_role("button", name="Inviter").click()
    page.get_by_text("Invitationen er sendt").wait_for()
    j.check("team-inviteret")
    colleague_page = browser.new_context(locale="da-DK").new_page()
    colleague = Journey(colleague_page, "colleague")
    colleague_page.goto(platform.mail_link(colleague_email, "/invitation"))
    colleague_page.get_by_label("Adgangskode").fill(PASSWORD)
    colleague.check("invitation")
    colleague_page.get_by_role("button", name="Accepter invitation").click()
    colleague_page.get_by_text("Velkommen").wait_for()
    page.goto(f"{platform.url}/bibliotek/{library_id}/team")
    assert page.get_by_role("cell", name=colleague_email).is_visible()

    # -- logs an activity with a photo: drafts save as you type, upload shows progress -------
    page.goto(f"{platform.url}/bibliotek/{library_id}")
    page.get_by_role("link", name="Ny aktivitet").first.click()
    page.wait_for_url(re.compile(r"/aktiviteter/ny$"))  # nothing exists until the first save
    page.get_by_label("Titel").fill("Reparationscafé med borgerne")
    page.get_by_label("Dimension").select_option("faellesskaber")
    page.get_by_role("textbox", name="Dato").fill("01/03/2026")
    page.get_by_label("Deltagere").fill("40")
    for goal in ("Ansvarligt forbrug og produktion", "Klimaindsats"):
        page.get_by_label(goal).check()
    for group in ("Børn", "Voksne", "Ældre"):
        page.get_by_label(group, exact=True).check()
    page.get_by_role("textbox", name="Partnere").fill("Genbrugscentret, Aarhus Lokalråd")
    page.get_by_label("Skabt sammen med borgere eller partnere").check()
    page.get_by_label("Vis offentligt, når den er godkendt").check()
    page.get_by_role("button", name="Gem", exact=True).click()
    page.wait_for_url(re.compile(r"/evidens/.+/rediger"))
    page.get_by_text("gemt som kladde").wait_for()
    # a draft saves as you type from now on
    page.get_by_label("Beskrivelse").fill("Borgere og frivillige reparerer ting sammen.")
    page.locator("#save-state[data-saved='1']").wait_for(timeout=10000)
    page.get_by_label("Vælg fil").set_input_files(files=[{"name": "reparationscafe.png", "mimeType": "image/png",
                                                          "buffer": png_photo()}])
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Uploadet").wait_for()
    assert page.locator("#upload-progress").get_attribute("value") == "100"
    j.check("aktivitet-med-foto")
    page.get_by_role("button", name="Indsend til vurdering").click()
    page.wait_for_url(re.compile(r"/evidens/[^/]+$"))
    assert page.locator(".status").first.inner_text() == "Indsendt"
    assert page.get_by_role("link", name="reparationscafe.png").is_visible()
    j.check("aktivitet-indsendt")

    # -- the dashboard moves (scoring follows the events) -------------------------------------
    def dashboard_moved():
        page.goto(f"{platform.url}/bibliotek/{library_id}")
        return int(page.locator("[aria-labelledby='bar-overall-p']").get_attribute("aria-valuenow")) > 0
    eventually(dashboard_moved)
    assert page.locator(".sdg.on").count() == 2
    j.check("dashboard-i-gang")
    page.get_by_role("navigation").get_by_role("link", name="Aktiviteter").click()
    page.get_by_role("navigation", name="Aktiviteter efter status").get_by_role("link", name="Indsendt").click()
    page.wait_for_url(re.compile(r"status=submitted"))
    page.get_by_role("link", name="Reparationscafé med borgerne").wait_for()
    j.check("aktiviteter-filtreret")
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Evidence").wait_for()
    j.check("aktiviteter-engelsk")
    page.get_by_role("link", name="Dansk").click()
    page.get_by_role("heading", name="Aktiviteter").wait_for()

    # the rest of the evidence and the plan through the API, to keep the journey short
    coordinator = platform.sign_in(email, PASSWORD)
    plan_and_submit(platform, coordinator, library_id)
    for item in ITEMS[1:]:
        log_and_submit(platform, coordinator, library_id, item)

    # -- the assessor reviews, adjusts targets, approves and awards ---------------------------
    reviewer_headers = assessor(platform)
    reviewer_email = ok(requests.get(platform.api("/me"), headers=reviewer_headers, timeout=10))["email"]
    a_page = browser.new_context(locale="da-DK").new_page()
    a = Journey(a_page, "assessor")
    a_page.goto(platform.url + "/log-ind")
    a_page.get_by_label("E-mail").fill(reviewer_email)
    a_page.get_by_label("Adgangskode").fill(PASSWORD)
    a_page.get_by_role("main").get_by_role("button", name="Log ind").click()
    a_page.wait_for_url(re.compile(r"/vurdering$"))
    a_page.get_by_role("link", name="Reparationscafé med borgerne").wait_for()
    a.check("koe")
    a_page.goto(f"{platform.url}/vurdering/{library_id}")
    a.check("bibliotek-til-vurdering")
    for requirement, target in ADJUSTED_TARGETS.items():
        a_page.locator(f"#t-{requirement}").fill(str(target))
        a_page.locator(f"#why-{requirement}").fill("Lille filial med få ansatte")
        a_page.locator(f"#why-{requirement}").press("Enter")
        a_page.get_by_text("Målet er justeret").wait_for()
    while a_page.locator(".review-item").count():
        a_page.locator(".review-item").first.get_by_role("button", name="Gem afgørelse").click()
        a_page.get_by_text("Afgørelsen er gemt").wait_for()
    a_page.locator("#plan-decide").click()
    a_page.get_by_text("Afgørelsen om handleplanen er gemt").wait_for()
    eventually(lambda: ok(requests.get(platform.api(f"/libraries/{library_id}/progress"), headers=reviewer_headers,
                                       timeout=10))["overall"]["verified"] >= 1)
    a_page.goto(f"{platform.url}/vurdering/{library_id}")
    a_page.get_by_role("button", name="Tildel certifikat").click()
    a_page.get_by_text("Certifikatet er tildelt").wait_for()
    a.check("certifikat-tildelt")
    certificate_id = eventually(lambda: ok(requests.get(platform.api(f"/libraries/{library_id}/certificate"),
                                                        headers=reviewer_headers, timeout=10)).get("certificate_id"))

    # -- the public finds the library and verifies the certificate ----------------------------
    public = browser.new_context(locale="da-DK").new_page()
    p = Journey(public, "public")
    public.goto(platform.url + "/biblioteker")
    public.get_by_label("Kommune").select_option("Aarhus")
    public.get_by_role("button", name="Filtrér").click()
    public.get_by_role("link", name=library_name).wait_for()
    p.check("oversigt")
    public.get_by_role("link", name=library_name).click()
    public.get_by_text("Reparationscafé med borgerne").wait_for()
    p.check("bibliotek")
    public.goto(f"{platform.url}/certifikat/{certificate_id}")
    assert public.locator(".cert-status").get_attribute("data-status") == "valid"
    badge = requests.get(f"{platform.url}/certifikat/{certificate_id}/badge.svg", timeout=10)
    assert badge.status_code == 200 and badge.headers["Content-Type"].startswith("image/svg+xml")
    p.check("certifikat-gyldigt")
    public.goto(platform.url + "/api/v1/docs")
    public.get_by_role("heading", name=re.compile("public API")).wait_for()
    p.check("api-dokumentation")
