"""A new master secret with the old one listed in CHORA_PREVIOUS_SECRET_KEYS keeps everyone signed in
(bearer tokens and portal sessions made under the old master still work, new ones are made under the
new master); once the old master is dropped, what it signed is refused."""

from dataclasses import asdict, replace

from gateway_fakes import OWN, SECRET, bearer, make_app, person

from shared import keys

NEW_MASTER = "a-new-master-secret-after-rotation-0123"


def progress(client, headers=None):
    return client.get(f"/api/v1/libraries/{OWN}/progress", headers=headers or {})


def test_a_bearer_token_from_before_a_rotation_works_while_the_old_master_is_listed():
    rotated, _ = make_app(secret_key=NEW_MASTER, previous_secret_keys=(SECRET,))
    assert progress(rotated.test_client(), bearer("coordinator")).status_code == 200
    dropped, _ = make_app(secret_key=NEW_MASTER)
    assert progress(dropped.test_client(), bearer("coordinator")).status_code == 401


def test_tokens_issued_after_a_rotation_are_signed_with_the_new_master_only():
    rotated, _ = make_app(secret_key=NEW_MASTER, previous_secret_keys=(SECRET,))
    assert rotated.config["CHORA_BEARER_KEY"] == keys.derive(NEW_MASTER, keys.BEARER)
    assert rotated.config["CHORA_BEARER_KEYS"] == [keys.derive(NEW_MASTER, keys.BEARER),
                                                   keys.derive(SECRET, keys.BEARER)]


def session_cookie_under(app) -> str:
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["identity"] = asdict(replace(person("coordinator"), email=""))
        sess.permanent = True
    return client.get_cookie("chora_session").value


def dashboard_with(app, cookie: str):
    client = app.test_client()
    client.set_cookie("chora_session", cookie)
    return client.get(f"/bibliotek/{OWN}")


def test_a_portal_session_from_before_a_rotation_stays_signed_in_while_the_old_master_is_listed():
    before, _ = make_app()
    cookie = session_cookie_under(before)
    assert dashboard_with(before, cookie).status_code == 200
    rotated, _ = make_app(secret_key=NEW_MASTER, previous_secret_keys=(SECRET,))
    assert dashboard_with(rotated, cookie).status_code == 200
    dropped, _ = make_app(secret_key=NEW_MASTER)
    signed_out = dashboard_with(dropped, cookie)
    assert signed_out.status_code == 302 and "/log-ind" in signed_out.headers["Location"]
