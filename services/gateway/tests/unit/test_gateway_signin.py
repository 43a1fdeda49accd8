"""Sign-in, tokens, the login throttle's answer, sessions and CSRF, with a fake backend standing in
for registration (the gateway's own logic only; registration counts the failures and its tests
show the throttle itself)."""

import pytest
from gateway_fakes import BEARER_KEY, OWN, bearer, make_app, page_csrf, person

from gateway.auth import issue_token, read_token

pytestmark = pytest.mark.unit

VERIFIED = {"person_id": "p-1", "name": "Karen", "email": "karen@bib.example", "role": "coordinator",
            "library_id": OWN, "language": "da"}


@pytest.fixture
def app_and_fake():
    app, fake = make_app()
    fake.verify_ok = VERIFIED
    return app, fake


def test_a_token_is_issued_for_right_credentials_and_identifies_the_person(app_and_fake):
    app, _ = app_and_fake
    resp = app.test_client().post("/api/v1/auth/token", json={"email": "karen@bib.example", "password": "right-password"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert read_token(BEARER_KEY, body["access_token"])[0].person_id == "p-1"


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(app_and_fake):
    app, _ = app_and_fake
    client = app.test_client()
    wrong = client.post("/api/v1/auth/token", json={"email": "karen@bib.example", "password": "wrong"})
    unknown = client.post("/api/v1/auth/token", json={"email": "nobody@bib.example", "password": "wrong"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda b: {k: v for k, v in b.items() if k != "request_id"}  # noqa: E731
    assert strip(wrong.get_json()) == strip(unknown.get_json())


def test_every_sign_in_sends_registration_the_client_address(app_and_fake):
    app, fake = app_and_fake
    client = app.test_client()
    client.post("/api/v1/auth/token", json={"email": "karen@bib.example", "password": "wrong"},
                environ_base={"REMOTE_ADDR": "198.51.100.7"})
    _login(client, environ_base={"REMOTE_ADDR": "198.51.100.8"})
    sent = [c.json for c in fake.calls if c.path == "/credentials/verify"]
    assert [body["client_address"] for body in sent] == ["198.51.100.7", "198.51.100.8"]
    assert all(c.signed_identity().role == "anonymous"
               for c in fake.calls if c.path == "/credentials/verify"), "a signed call, like every other"


@pytest.mark.parametrize("hops, expected", [(0, "10.0.0.5"), (1, "203.0.113.9")])
def test_the_forwarded_client_address_is_trusted_only_behind_a_configured_proxy(hops, expected):
    app, fake = make_app(trusted_proxies=hops)
    fake.verify_ok = VERIFIED
    # The ingress (10.0.0.5) appends the address it saw; a client's own forged entry comes first.
    app.test_client().post("/api/v1/auth/token", json={"email": "karen@bib.example", "password": "wrong"},
                           environ_base={"REMOTE_ADDR": "10.0.0.5"},
                           headers={"X-Forwarded-For": "198.51.100.66, 203.0.113.9"})
    sent = [c.json for c in fake.calls if c.path == "/credentials/verify"]
    assert [body["client_address"] for body in sent] == [expected]


def test_a_throttled_token_request_gets_429_with_the_danish_message(app_and_fake):
    app, fake = app_and_fake
    fake.verify_throttled = True
    resp = app.test_client().post("/api/v1/auth/token", json={"email": "karen@bib.example", "password": "right-password"})
    assert resp.status_code == 429 and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["code"] == "throttled" and body["detail"] == "For mange forsøg. Vent et kvarter og prøv igen."
    assert "access_token" not in body


def test_a_throttled_portal_sign_in_shows_the_danish_message_and_signs_nobody_in(app_and_fake):
    app, fake = app_and_fake
    fake.verify_throttled = True
    client = app.test_client()
    resp = _login(client)
    assert resp.status_code == 429
    assert "For mange forsøg. Vent et kvarter og prøv igen." in resp.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_the_gateway_keeps_no_count_of_its_own(app_and_fake):
    app, fake = app_and_fake
    client = app.test_client()
    for _ in range(30):
        assert client.post("/api/v1/auth/token", json={"email": "karen@bib.example", "password": "wrong"}).status_code == 401
    resp = client.post("/api/v1/auth/token", json={"email": "karen@bib.example", "password": "right-password"})
    assert resp.status_code == 200, "only registration decides, from the count every worker shares"
    assert len([c for c in fake.calls if c.path == "/credentials/verify"]) == 31


def test_a_forged_or_expired_token_is_refused():
    assert read_token(BEARER_KEY, issue_token("another-secret", person("member"))) is None
    assert read_token(BEARER_KEY, issue_token(BEARER_KEY, person("member")), max_age=-1) is None


def test_a_bad_bearer_token_gets_401_not_anonymous_access(app_and_fake):
    app, _ = app_and_fake
    resp = app.test_client().get("/api/v1/public/libraries", headers={"Authorization": "Bearer forged"})
    assert resp.status_code == 401 and resp.mimetype == "application/problem+json"


def test_every_forwarded_call_carries_a_signed_identity_the_request_id_and_the_trace(app_and_fake):
    app, fake = app_and_fake
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    app.test_client().get(f"/api/v1/libraries/{OWN}/progress", headers={
        **bearer("member"), "X-Request-ID": "r-1", "traceparent": f"00-{trace_id}-b7ad6b7169203331-01"})
    headers = fake.calls[-1].headers
    assert fake.calls[-1].signed_identity().role == "member"
    # The correlation id is the trace id, and the trace context goes on to the service (W3C traceparent).
    assert headers["X-Request-ID"] == "r-1" and headers["X-Correlation-ID"] == trace_id
    assert headers["traceparent"].split("-")[1] == trace_id


def test_an_anonymous_call_carries_the_signed_role_anonymous(app_and_fake):
    app, fake = app_and_fake
    app.test_client().get("/api/v1/public/libraries")
    assert fake.calls[-1].signed_identity().role == "anonymous"


def _login(client, **kw):
    page = client.get("/log-ind").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/log-ind", data={"email": "karen@bib.example", "password": "right-password", "csrf_token": token},
                       **kw)


def test_portal_login_sets_an_httponly_samesite_lax_session_cookie(app_and_fake):
    app, _ = app_and_fake
    resp = _login(app.test_client())
    assert resp.status_code == 302
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_session_cookie_is_secure_behind_tls():
    app, fake = make_app(public_url="https://verdensmaal.example")
    fake.verify_ok = VERIFIED
    assert "Secure" in _login(app.test_client()).headers["Set-Cookie"]


def test_a_portal_form_without_the_csrf_token_is_refused(app_and_fake):
    app, fake = app_and_fake
    resp = app.test_client().post("/log-ind", data={"email": "karen@bib.example", "password": "right-password"})
    assert resp.status_code == 400
    assert not fake.calls


def test_an_api_change_made_with_the_session_cookie_needs_the_csrf_header(app_and_fake):
    app, fake = app_and_fake
    client = app.test_client()
    _login(client)
    refused = client.post(f"/api/v1/libraries/{OWN}/evidence", json={"title": "x"})
    assert refused.status_code == 403
    token = page_csrf(client)
    accepted = client.post(f"/api/v1/libraries/{OWN}/evidence", json={"title": "x"}, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200  # what the fake answers: it was forwarded


def test_logout_ends_the_session(app_and_fake):
    app, _ = app_and_fake
    client = app.test_client()
    _login(client)
    token = page_csrf(client)
    client.post("/log-ud", data={"csrf_token": token})
    assert client.get("/api/v1/me").status_code == 401
