"""The portal's browser-side defences, tested from outside: redirects stay on the site (the
audit's examples), every page carries the CSP and the other headers and has no inline script or
style, every form carries the CSRF token and every state-changing portal route refuses a POST
without it, and the session cookie carries no email address."""

import re
from dataclasses import asdict

import pytest
from flask.sessions import SecureCookieSessionInterface
from gateway_fakes import CSRF_RAW, CSRF_TOKEN, OWN, make_app, person, response
from test_gateway_portal_pages_by_role import PAGES

from gateway.portal.security import safe_next

pytestmark = pytest.mark.unit

OFF_SITE = ["/%09/evil.example/x", "/\t/evil.example/x", "//evil.example", "/\\evil.example", "\\\\evil.example",
            "/%5Cevil.example", "/%5C%5Cevil.example", "/%2F%2Fevil.example", "%2F%2Fevil.example",
            "/%252F%252Fevil.example", "/\n/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example",
            "https://evil.example/", "javascript:alert(1)", " //evil.example", "/\x00/evil.example",
            "/%2509/evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_next_address_that_leads_off_the_site_is_replaced_by_the_default(target):
    assert safe_next(target, "/fallback") == "/fallback"


def test_a_path_on_this_site_is_kept_with_its_query():
    assert safe_next("/bibliotek/x/aktiviteter?status=draft", "/") == "/bibliotek/x/aktiviteter?status=draft"
    assert safe_next("/s%C3%B8g?q=caf%C3%A9", "/") == "/s%C3%B8g?q=caf%C3%A9"


def test_the_language_switch_redirects_the_audits_example_to_the_front_page():
    app, _ = make_app()
    for target in ("/%09/evil.example/x", "//evil.example/x", "/\\evil.example"):
        resp = app.test_client().get("/sprog/da", query_string={"next": target})
        assert resp.status_code == 302 and resp.headers["Location"] == "/", target
    raw = app.test_client().get("/sprog/da?next=/%09/evil.example/x")
    assert raw.headers["Location"] == "/"
    assert app.test_client().get("/sprog/en?next=/biblioteker").headers["Location"] == "/biblioteker"


def test_signing_in_with_an_off_site_next_lands_on_the_persons_own_page():
    app, fake = make_app()
    fake.verify_ok = {"person_id": "p1", "role": "coordinator", "library_id": OWN, "name": "Karen",
                      "email": "karen@bib.example"}
    client = app.test_client()
    for target in ("/%09/evil.example/x", "//evil.example", "https://evil.example"):
        resp = client.post("/log-ind", query_string={"next": target}, data={
            "email": "karen@bib.example", "password": "right-password", "csrf_token": _token(client)})
        assert resp.status_code == 302 and resp.headers["Location"] == "/bibliotek", target


def _token(client) -> str:
    page = client.get("/log-ind").get_data(as_text=True)
    return page.split('name="csrf-token" content="')[1].split('"')[0]


def test_the_session_cookie_holds_no_email_address():
    app, fake = make_app()
    fake.verify_ok = {"person_id": "p1", "role": "coordinator", "library_id": OWN, "name": "Karen",
                      "email": "karen@bib.example"}
    client = app.test_client()
    resp = client.post("/log-ind", data={"email": "karen@bib.example", "password": "right-password",
                                         "csrf_token": _token(client)})
    cookie = resp.headers["Set-Cookie"].split("chora_session=")[1].split(";")[0]
    data = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)
    assert data["identity"]["person_id"] == "p1" and not data["identity"].get("email")
    assert "karen@bib.example" not in repr(data)


def _client(app, role):
    client = app.test_client()
    if role != "anonymous":
        with client.session_transaction() as session:
            session["identity"] = asdict(person(role))
            session["csrf_token"] = CSRF_RAW
    return client


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
ON_HANDLER = re.compile(r"\son[a-z]+=", re.I)


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "assessor", "administrator"])
def test_every_page_carries_the_csp_and_has_no_inline_script_or_style(role):
    app, _ = make_app()
    client = _client(app, role)
    for path, *_ in PAGES:
        resp = client.get(path)
        if resp.mimetype != "text/html":
            continue
        csp = resp.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and resp.headers.get("Permissions-Policy"), path
        page = resp.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(page) and not INLINE_STYLE.search(page) and not ON_HANDLER.search(page), path


def test_hsts_is_sent_when_the_portal_is_served_over_https_and_not_otherwise():
    plain, _ = make_app()
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers
    tls, _ = make_app(public_url="https://verdensmaal.example")
    assert tls.test_client().get("/").headers["Strict-Transport-Security"].startswith("max-age=")


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "administrator", "assessor"])
def test_every_form_that_posts_carries_the_csrf_token(role):
    app, fake = make_app()
    fake.answers[("GET", "/evidence/ev-own")] = response(200, {
        "id": "ev-own", "library_id": OWN, "revision": 3, "status": "clarification_requested"})
    client = _client(app, role)
    seen = 0
    for path, *_ in PAGES:
        page = client.get(path).get_data(as_text=True)
        for attrs, body in FORM.findall(page):
            if 'method="post"' in attrs.lower():
                seen += 1
                assert 'name="csrf_token"' in body, (path, attrs)
    assert seen > 0


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("portal.") and "POST" in rule.methods:
            values = {arg: {"version": 2}.get(arg, "x1") for arg in rule.arguments}
            yield rule.rule, rule.build(values, append_unknown=False)[1]


def test_every_state_changing_portal_route_refuses_a_post_without_the_csrf_token():
    app, fake = make_app()
    client = _client(app, "coordinator")
    routes = list(_post_routes(app))
    assert len(routes) >= 25
    for rule, path in routes:
        before = len(fake.forwarded())
        resp = client.post(path, data={"action": "role", "role": "member", "decision": "approved", "confirm": "yes"})
        assert resp.status_code == 400, rule
        assert [c for c in fake.forwarded()[before:] if c.method != "GET"] == [], rule


def test_a_post_with_the_token_is_let_through():
    app, fake = make_app()
    client = _client(app, "coordinator")
    resp = client.post("/log-ud", data={"csrf_token": CSRF_TOKEN})
    assert resp.status_code == 302
