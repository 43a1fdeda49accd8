"""The portal session slides with use, but its cookie is re-signed at most every few minutes."""

from dataclasses import asdict, replace

from gateway_fakes import CSRF_RAW, make_app, person

from gateway import api


def signed_in_client():
    app, _ = make_app()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["identity"] = asdict(replace(person("coordinator"), email=""))  # as sign_in keeps it
        sess["csrf_token"] = CSRF_RAW
        sess.permanent = True
    return client


def test_a_page_soon_after_the_last_refresh_sets_no_cookie_and_a_later_one_does(monkeypatch):
    client = signed_in_client()
    assert "Set-Cookie" not in client.get("/bibliotek/lib-own").headers
    now = api.time.time()
    monkeypatch.setattr(api.time, "time", lambda: now + api.SESSION_REFRESH_INTERVAL + 1)
    refreshed = client.get("/bibliotek/lib-own")
    assert refreshed.status_code == 200 and "chora_session=" in refreshed.headers.get("Set-Cookie", "")
    assert "Set-Cookie" not in client.get("/bibliotek/lib-own").headers
