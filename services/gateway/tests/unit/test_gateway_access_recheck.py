"""A signed-in person's role and status are re-checked with registration (at most every
CHORA_ACCESS_RECHECK seconds): deactivation and erasure end access, a role change applies, and a
registration that is away leaves the signed identity standing."""

import pytest
from gateway_fakes import OTHER, OWN, FakeClient, bearer, make_app, response

from gateway.client import ServiceUnavailable

pytestmark = pytest.mark.unit

KAREN = {"person_id": "p-1", "name": "Karen", "email": "karen@bib.example", "role": "coordinator",
         "library_id": OWN, "language": "da"}


class Registration(FakeClient):
    """The fake backend, with registration's current answer about people."""

    def __init__(self):
        super().__init__()
        self.people: dict[str, dict | None] = {}  # None: erased (404)
        self.down = False

    def call(self, service, method, path, who=None, **kw):
        parts = path.split("/")
        if service == "registration" and method == "GET" and len(parts) == 3 and parts[1] == "people" \
                and parts[2] in self.people:
            if self.down:
                raise ServiceUnavailable("registration", "down")
            person = self.people[parts[2]]
            self.asked = getattr(self, "asked", 0) + 1
            return response(404, {"status": 404}) if person is None else response(200, person)
        return super().call(service, method, path, who, **kw)


def _app(ttl=0.000001):
    app, _ = make_app(access_recheck=ttl)
    fake = Registration()
    fake.verify_ok = KAREN
    fake.people["p-1"] = {**KAREN, "status": "active"}
    for role in ("coordinator", "member", "assessor", "administrator"):
        fake.people[f"p-{role}"] = {"person_id": f"p-{role}", "role": role, "status": "active",
                                    "library_id": None if role in ("assessor", "administrator") else OWN}
    app.extensions["gateway"].client = fake
    app.extensions["gateway"].__post_init__()
    return app, fake


def _login(client):
    page = client.get("/log-ind").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    resp = client.post("/log-ind", data={"email": "karen@bib.example", "password": "right-password",
                                         "csrf_token": token})
    assert resp.status_code == 302
    return resp


def test_a_deactivated_person_is_signed_out_of_the_portal_at_their_next_request():
    app, fake = _app()
    client = app.test_client()
    _login(client)
    assert client.get("/api/v1/me").status_code == 200
    fake.people["p-1"] = {**KAREN, "status": "deactivated"}
    assert client.get("/api/v1/me").status_code == 401
    page = client.get(f"/bibliotek/{OWN}")
    assert page.status_code == 302 and "/log-ind" in page.headers["Location"]
    fake.people["p-1"] = {**KAREN, "status": "active"}  # reactivated: the session is gone all the same
    assert client.get("/api/v1/me").status_code == 401


def test_an_erased_person_s_bearer_token_is_refused():
    app, fake = _app()
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer("member")).status_code == 200
    fake.people["p-member"] = None
    assert client.get("/api/v1/me", headers=bearer("member")).status_code == 401


def test_a_role_change_applies_to_the_signed_in_session_without_a_new_sign_in():
    app, fake = _app()
    client = app.test_client()
    _login(client)
    assert client.get(f"/api/v1/libraries/{OWN}/progress").status_code == 200
    assert client.get("/api/v1/review-queue").status_code == 403
    fake.people["p-1"] = {**KAREN, "role": "assessor", "library_id": None, "status": "active"}
    assert client.get("/api/v1/review-queue").status_code == 200  # now an assessor
    with client.session_transaction() as s:
        assert (s["identity"]["role"], s["identity"]["library_id"]) == ("assessor", None)


def test_a_move_to_another_library_applies_to_a_bearer_token_at_once():
    app, fake = _app()
    client = app.test_client()
    assert client.get(f"/api/v1/libraries/{OWN}/progress", headers=bearer("member")).status_code == 200
    fake.people["p-member"] = {**fake.people["p-member"], "library_id": OTHER}
    assert client.get(f"/api/v1/libraries/{OWN}/progress", headers=bearer("member")).status_code in (403, 404)
    assert client.get(f"/api/v1/libraries/{OTHER}/progress", headers=bearer("member")).status_code == 200


def test_registration_is_asked_once_within_the_recheck_time():
    app, fake = _app(ttl=3600)
    client = app.test_client()
    for _ in range(5):
        assert client.get("/api/v1/review-queue", headers=bearer("assessor")).status_code == 200
    assert fake.asked == 1
    app.extensions["gateway"].client.on_registration_write[0]("/people/p-assessor")  # a change made here
    client.get("/api/v1/review-queue", headers=bearer("assessor"))
    assert fake.asked == 2


def test_when_registration_is_away_the_signed_identity_stands():
    app, fake = _app()
    fake.down = True
    resp = app.test_client().get(f"/api/v1/libraries/{OWN}/progress", headers=bearer("coordinator"))
    assert resp.status_code == 200
