"""A certificate's decisions in the portal, in headless Chromium against the real platform: the
assessor is offered only the decisions that apply (no award once awarded), a revocation without a
reason is refused beside its field and changes nothing, a revocation with one is told as such;
then, anonymously, the public certificate page and the badge say "Tilbagekaldt" with the day, no
validity, and offer no embed code. axe-core checks each page."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from babel.dates import format_date
from e2e_journey import (
    ADJUSTED_TARGETS,
    ITEMS,
    PASSWORD,
    assessor,
    eventually,
    log_and_submit,
    ok,
    plan_and_submit,
    progress,
    register_and_confirm,
)
from test_e2e_browser_journey import Journey, browser  # noqa: F401  (the Chromium fixture)
from test_e2e_portal_pages import flashed, sign_in

pytestmark = pytest.mark.browser


def certified(platform) -> tuple[str, str, dict, str]:
    """A library certified through the public API: (library id, certificate id, assessor headers, e-mail)."""
    ids, _, coordinator = register_and_confirm(platform)
    library_id = ids["library_id"]
    plan_and_submit(platform, coordinator, library_id)
    items = [log_and_submit(platform, coordinator, library_id, item) for item in ITEMS]
    reviewer = assessor(platform)
    for requirement, target in ADJUSTED_TARGETS.items():
        ok(requests.post(platform.api(f"/libraries/{library_id}/requirements/{requirement}/adjustments"),
                         json={"target": target, "reason": "Lille filial"}, headers=reviewer, timeout=10), 200, 201)
    for item in items:
        ok(requests.post(platform.api(f"/evidence/{item['id']}/review"), json={"decision": "approved"},
                         headers=reviewer, timeout=10))
    ok(requests.post(platform.api(f"/libraries/{library_id}/action-plan/review"), json={"decision": "approved"},
                     headers=reviewer, timeout=10))
    eventually(lambda: progress(platform, reviewer, library_id)["overall"]["verified"] >= 1)
    award = ok(requests.post(platform.api(f"/libraries/{library_id}/certification"), json={"decision": "award"},
                             headers=reviewer, timeout=10), 201)
    email = ok(requests.get(platform.api("/me"), headers=reviewer, timeout=10))["email"]
    return library_id, award["certificate_id"], reviewer, email


def test_a_revocation_in_the_portal_shows_tilbagekaldt_on_the_public_page_and_badge(platform, browser):  # noqa: F811
    library_id, certificate_id, reviewer, email = certified(platform)

    j = sign_in(browser, platform, email, PASSWORD, "revocation")
    page = j.page
    page.goto(f"{platform.url}/vurdering/{library_id}")
    page.locator("#certificate-summary .cert-status[data-status='certified']").wait_for()
    # awarded: only the decisions that apply now (no second award, no renewal before year 3)
    assert page.get_by_role("button", name="Tildel certifikat").count() == 0
    assert page.get_by_role("button", name="Forny certifikat").count() == 0
    assert page.get_by_role("button", name="Tilbagekald certifikat").count() == 1
    j.check("certificeret")

    page.get_by_role("button", name="Tilbagekald certifikat").click()
    flashed(page, "Begrundelse")  # refused, naming the field
    assert ok(requests.get(platform.api(f"/libraries/{library_id}/certificate"), headers=reviewer,
                           timeout=10))["status"] == "certified"
    j.check("tilbagekald-uden-begrundelse")

    page.locator("#reason-revoke").fill("Aktiviteterne fandt ikke sted")
    page.get_by_role("button", name="Tilbagekald certifikat").click()
    flashed(page, "Certifikatet er tilbagekaldt")
    today = format_date(datetime.now(ZoneInfo("Europe/Copenhagen")).date(), "long", locale="da")
    summary = page.locator("#certificate-summary").inner_text()
    assert "Tilbagekaldt" in summary and today in summary and "Aktiviteterne fandt ikke sted" in summary
    assert "Gyldigt til" not in summary
    for name in ("Tildel certifikat", "Forny certifikat", "Tilbagekald certifikat", "Registrér årlig opfølgning"):
        assert page.get_by_role("button", name=name).count() == 0
    page.get_by_text("Der er ingen afgørelse at træffe lige nu.").wait_for()
    j.check("tilbagekaldt")

    # -- the public, anonymously: the certificate page and the badge ---------------------------
    public = browser.new_context(locale="da-DK").new_page()
    p = Journey(public, "revocation-public")
    public.goto(f"{platform.url}/certifikat/{certificate_id}")
    assert public.locator(".cert-status").get_attribute("data-status") == "revoked"
    assert public.locator(".cert-status").inner_text() == "Tilbagekaldt"
    assert public.get_by_role("row", name=re.compile("Tilbagekaldt")).inner_text().endswith(today)
    body = public.get_by_role("main").inner_text()
    assert "Gyldigt til" not in body and "Indlejr mærket" not in body
    assert public.locator("#embed").count() == 0
    p.check("certifikat-tilbagekaldt")
    badge = requests.get(f"{platform.url}/certifikat/{certificate_id}/badge.svg", timeout=10)
    assert badge.status_code == 200 and badge.headers["Content-Type"].startswith("image/svg+xml")
    assert f"Tilbagekaldt {today}" in badge.text and "Gyldigt" not in badge.text
    api = ok(requests.get(platform.api(f"/public/certificates/{certificate_id}"), timeout=10))
    assert (api["status"], api["valid_until"]) == ("revoked", None)
