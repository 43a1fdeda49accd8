"""Every portal page in headless Chromium against the real platform, in Danish and in English,
for the role that sees it, and the forms' error states: axe-core finds no violation (WCAG 2.1
A and AA) and the page is in the language chosen. Screenshots of five pages in both languages
go to test-artifacts/screenshots/portal/."""

from __future__ import annotations

import re

import pytest
import requests
from e2e_journey import ADMIN_EMAIL, ADMIN_PASSWORD, ITEMS, PASSWORD, assessor, ok, register_and_confirm
from test_e2e_browser_journey import SHOTS, browser  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.browser

SCREENSHOTS = {"forside", "tilmelding-fejl", "overblik", "ny-aktivitet", "vurdering"}


def axe_clean(page, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    violations = results.response["violations"]
    assert not violations, f"{label} ({page.url}): " + "; ".join(
        f"{v['id']} ({v.get('impact')}): {[n['target'] for n in v['nodes']][:3]}" for v in violations)


def visit(page, url: str, label: str, lang: str) -> None:
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == lang, label
    assert page.locator("h1").count() >= 1, label
    axe_clean(page, f"{label}/{lang}")
    if label in SCREENSHOTS:
        (SHOTS / "portal").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "portal" / f"{label}-{lang}.png"), full_page=True)


def signed_in(browser, platform, lang, email, password):  # noqa: F811
    page = browser.new_context(locale="da-DK").new_page()
    page.goto(f"{platform.url}/sprog/{lang}")
    page.goto(platform.url + "/log-ind")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("main").get_by_role("button").click()
    page.wait_for_url(re.compile(r"/(bibliotek|admin|vurdering)"))
    return page


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_page_and_error_state_has_no_accessibility_violation_in_each_language(platform, browser, lang):  # noqa: F811
    ids, data, coordinator = register_and_confirm(platform)
    library_id, email = ids["library_id"], data["coordinator"]["email"]
    submitted = ok(requests.post(platform.api(f"/libraries/{library_id}/evidence"), json=ITEMS[0],
                                 headers=coordinator, timeout=10), 201)
    ok(requests.post(platform.api(f"/evidence/{submitted['id']}/submit"), json={"revision": submitted["revision"]},
                     headers=coordinator, timeout=10))
    draft = ok(requests.post(platform.api(f"/libraries/{library_id}/evidence"), json=ITEMS[1], headers=coordinator,
                             timeout=10), 201)
    ok(requests.put(platform.api(f"/libraries/{library_id}/action-plan"), headers=coordinator, timeout=10, json={
        "start_year": 2026, "goals": [{"dimension": "drift", "title": "20 % mindre energi", "sdgs": [7]}]}))
    reviewer = assessor(platform)
    reviewer_email = ok(requests.get(platform.api("/me"), headers=reviewer, timeout=10))["email"]
    url = platform.url

    public = browser.new_context(locale="da-DK").new_page()
    public.goto(f"{url}/sprog/{lang}")
    for path, label in [("/", "forside"), ("/log-ind", "log-ind"), ("/tilmeld", "tilmelding"), ("/nulstil", "nulstil"),
                        ("/biblioteker", "biblioteker"), ("/certifikat", "tjek-certifikat"),
                        ("/certifikat/findes-ikke", "certifikat-ukendt"), ("/invitation?token=x", "invitation"),
                        ("/bekraeft?token=x", "bekraeft"), ("/afmeld?token=x", "afmeld"),
                        ("/nulstil?token=x", "ny-adgangskode"), ("/findes-ikke", "siden-findes-ikke")]:
        visit(public, url + path, label, lang)
    # error states: the error summary and the messages beside the fields
    public.goto(url + "/tilmeld")
    public.locator("form[method=post] button[type=submit]").last.click()
    public.locator("[data-module=error-summary]").wait_for()
    axe_clean(public, f"tilmelding-fejl/{lang}")
    (SHOTS / "portal").mkdir(parents=True, exist_ok=True)
    public.screenshot(path=str(SHOTS / "portal" / f"tilmelding-fejl-{lang}.png"), full_page=True)
    public.goto(url + "/log-ind")
    public.locator("#email").fill(email)
    public.locator("#password").fill("forkert-kodeord-1234")
    public.get_by_role("main").get_by_role("button").click()
    public.locator("[data-module=error-summary]").wait_for()
    axe_clean(public, f"log-ind-fejl/{lang}")
    public.goto(url + "/nulstil")
    public.get_by_role("main").get_by_role("button").click()
    public.locator("[data-module=error-summary]").wait_for()
    axe_clean(public, f"nulstil-fejl/{lang}")

    staff = signed_in(browser, platform, lang, email, PASSWORD)
    for path, label in [(f"/bibliotek/{library_id}", "overblik"), (f"/bibliotek/{library_id}/aktiviteter", "aktiviteter"),
                        (f"/bibliotek/{library_id}/aktiviteter/ny", "ny-aktivitet"),
                        (f"/evidens/{submitted['id']}", "aktivitet-indsendt"), (f"/evidens/{draft['id']}", "kladde"),
                        (f"/evidens/{draft['id']}/rediger", "ret-kladde"), (f"/bibliotek/{library_id}/team", "team"),
                        (f"/bibliotek/{library_id}/handleplan", "handleplan"),
                        (f"/bibliotek/{library_id}/handleplan/tjek", "handleplan-tjek"), ("/delte-cases", "delte-cases"),
                        ("/profil", "profil")]:
        visit(staff, url + path, label, lang)
    # the notice an already submitted item's form shows (sent only on an explicit save)
    visit(staff, f"{url}/evidens/{submitted['id']}/rediger", "ret-indsendt", lang)
    assert staff.locator("#evidence-form").get_attribute("data-autosave") == "0"

    programme = signed_in(browser, platform, lang, reviewer_email, PASSWORD)
    for path, label in [("/vurdering", "koe"), (f"/vurdering/{library_id}", "vurdering")]:
        visit(programme, url + path, label, lang)

    admin = signed_in(browser, platform, lang, ADMIN_EMAIL, ADMIN_PASSWORD)
    for path, label in [("/admin", "admin"), ("/admin/biblioteker", "admin-biblioteker"),
                        (f"/admin/biblioteker/{library_id}", "admin-bibliotek"), ("/admin/kohorter", "kohorter"),
                        ("/admin/modeller", "modeller"), ("/admin/modeller/1", "model"), ("/admin/tal", "nationale-tal"),
                        ("/admin/forsendelser", "forsendelser")]:
        visit(admin, url + path, label, lang)
