"""The walking skeleton through the gateway's public API: a library registers, confirms its
email from the mail the notification service really sent, gets a token and sees who it is."""

import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e


def test_a_library_registers_confirms_by_mail_signs_in_and_sees_itself(platform):
    email = f"koordinator-{uuid.uuid4().hex[:8]}@bibliotek.example"
    isil = f"DK-{uuid.uuid4().int % 10**6:06d}"
    registration = {
        "library": {"name": "Testrup Bibliotek", "isil": isil, "municipality": "Aarhus",
                    "kind": "folkebibliotek", "staff_count": 12},
        "coordinator": {"name": "Karen Koordinator", "email": email, "password": "et-godt-kodeord-42"},
    }
    created = requests.post(platform.api("/registrations"), json=registration, timeout=10)
    assert created.status_code == 201, created.text
    ids = created.json()

    link = platform.mail_link(email, "/bekraeft")
    assert link.startswith(platform.url)

    confirmed = requests.post(platform.api("/email-confirmations"), json={"token": platform.token_from(link)},
                              timeout=10)
    assert confirmed.status_code == 200, confirmed.text

    token = requests.post(platform.api("/auth/token"), json={"email": email, "password": "et-godt-kodeord-42"},
                          timeout=10)
    assert token.status_code == 200, token.text
    assert token.json()["token_type"] == "Bearer" and token.json()["expires_in"] > 0

    me = requests.get(platform.api("/me"), headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                      timeout=10)
    assert me.status_code == 200, me.text
    # /me is registration's answer about the person (its document describes the rest of it)
    assert {key: me.json()[key] for key in ("person_id", "name", "email", "role", "library_id")} == {
        "person_id": ids["person_id"], "name": "Karen Koordinator", "email": email, "role": "coordinator",
        "library_id": ids["library_id"]}


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(platform):
    wrong = requests.post(platform.api("/auth/token"), json={"email": platform.settings["registration"]
                          .bootstrap_admin_email, "password": "not-the-password"}, timeout=10)
    unknown = requests.post(platform.api("/auth/token"), json={"email": "nobody@nowhere.example",
                                                               "password": "not-the-password"}, timeout=10)
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda body: {k: v for k, v in body.items() if k != "request_id"}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())
