"""Sessions and tokens that end (issue 12 point 4), against a fake of registration's contract:
`POST /credentials/verify` gives the session generation, `GET /people/{id}/access` (asked as the
system) the person's status, role, library and generation or 404, `POST /people/{id}/sessions/end`
is the logout, and `person.access_changed` empties a process's cache for the person."""

import pytest
from gateway_fakes import BEARER_KEY, OTHER, OWN, SECRET, FakeClient, bearer, make_app, page_csrf, person, response

from gateway.api import create_app
from gateway.auth import issue_token
from gateway.bootstrap import bootstrap
from gateway.client import ServiceUnavailable
from gateway.config import Settings
from shared.events import new_event

pytestmark = pytest.mark.unit

KAREN = {"person_id": "p-1", "name": "Karen", "email": "karen@bib.example", "role": "coordinator",
         "library_id": OWN, "language": "da", "session_generation": 4}


class Registration(FakeClient):
    """The fake backend, with registration's current word on each person's access."""

    def __init__(self):
        super().__init__()
        self.verify_ok = KAREN
        self.access["p-1"] = {"person_id": "p-1", "status": "active", "role": "coordinator", "library_id": OWN,
                              "session_generation": 4}
        self.down = False
        self.asked = 0

    def call(self, service, method, path, who=None, **kw):
        if path.endswith("/access"):
            if self.down:
                raise ServiceUnavailable("registration", "down")
            self.asked += 1
            assert who is not None and who.role == "system", "access is asked as the system"
        if path.endswith("/sessions/end"):
            record = self.access[path.split("/")[2]]
            record["session_generation"] += 1
        return super().call(service, method, path, who, **kw)


def _login(client):
    page = client.get("/log-ind").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    resp = client.post("/log-ind", data={"email": "karen@bib.example", "password": "right-password",
                                         "csrf_token": token})
    assert resp.status_code == 302
    return resp


def _csrf(client):
    return page_csrf(client)


def _subscribed_app(fake):
    """An app whose access events are attached (without a broker: the test plays the broker)."""
    settings = Settings.from_env({"CHORA_SECRET_KEY": SECRET})
    service = bootstrap(settings, client=fake)
    service.events.start = lambda: None  # the test delivers the events itself
    app = create_app(service=service)
    app.config["TESTING"] = True
    service.events.on_consume_ready(None, None, None)
    return app, service


class Message:
    def __init__(self, body):
        self.body, self.acked = body, False

    def ack(self):
        self.acked = True


def test_logging_out_ends_the_session_cookie_and_the_bearer_token_of_the_same_person():
    fake = Registration()
    app, _ = make_app(fake)
    client = app.test_client()
    _login(client)
    with client.session_transaction() as s:
        stolen = dict(s)  # a copy of the cookie, kept by someone else
    token = app.test_client().post("/api/v1/auth/token", json={"email": "karen@bib.example", "password": "right-password"}
                        ).get_json()["access_token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    client.post("/log-ud", data={"csrf_token": _csrf(client)})
    ended = [c for c in fake.calls if c.path == "/people/p-1/sessions/end"]
    assert len(ended) == 1 and ended[0].signed_identity().person_id == "p-1"  # as the person themself
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    other = app.test_client()
    with other.session_transaction() as s:
        s.update(stolen)
    page = other.get(f"/bibliotek/{OWN}")
    assert page.status_code == 302 and "/log-ind" in page.headers["Location"]


def test_a_password_reset_elsewhere_ends_the_session_at_its_next_request():
    fake = Registration()
    app, _ = make_app(fake)
    client = app.test_client()
    _login(client)
    assert client.get("/api/v1/me").status_code == 200
    fake.access["p-1"]["session_generation"] = 5  # registration moved it on
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_person_is_signed_out_and_stays_out_when_reactivated():
    fake = Registration()
    app, _ = make_app(fake)
    client = app.test_client()
    _login(client)
    assert client.get("/api/v1/me").status_code == 200
    fake.access["p-1"]["status"] = "deactivated"
    page = client.get(f"/bibliotek/{OWN}")
    assert page.status_code == 302 and "/log-ind" in page.headers["Location"]
    fake.access["p-1"]["status"] = "active"  # reactivated: the session is gone all the same
    assert client.get("/api/v1/me").status_code == 401


def test_an_erased_person_s_bearer_token_is_refused():
    fake = Registration()
    app, _ = make_app(fake)
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer("member")).status_code == 200
    fake.access["p-member"] = None  # 404: erased
    assert client.get("/api/v1/me", headers=bearer("member")).status_code == 401


def test_a_role_change_applies_to_the_signed_in_session_without_a_new_sign_in():
    fake = Registration()
    app, _ = make_app(fake)
    client = app.test_client()
    _login(client)
    assert client.get("/api/v1/review-queue").status_code == 403
    fake.access["p-1"].update(role="assessor", library_id=None)
    assert client.get("/api/v1/review-queue").status_code == 200  # now an assessor
    with client.session_transaction() as s:
        assert (s["identity"]["role"], s["identity"]["library_id"]) == ("assessor", None)


def test_a_move_to_another_library_applies_to_a_bearer_token_at_once():
    fake = Registration()
    app, _ = make_app(fake)
    client = app.test_client()
    assert client.get(f"/api/v1/libraries/{OWN}/progress", headers=bearer("member")).status_code == 200
    fake.access["p-member"] = {"person_id": "p-member", "status": "active", "role": "member", "library_id": OTHER,
                               "session_generation": 0}
    assert client.get(f"/api/v1/libraries/{OWN}/progress", headers=bearer("member")).status_code == 404
    assert client.get(f"/api/v1/libraries/{OTHER}/progress", headers=bearer("member")).status_code == 200


def test_the_session_cookie_carries_the_generation_and_no_email_address():
    fake = Registration()
    app, _ = make_app(fake)
    client = app.test_client()
    _login(client)
    with client.session_transaction() as s:
        assert s["identity"]["generation"] == 4
        assert "karen@bib.example" not in repr(dict(s))


def test_while_attached_registration_is_asked_once_until_an_event_says_access_changed():
    fake = Registration()
    app, service = _subscribed_app(fake)
    client = app.test_client()
    token = {"Authorization": "Bearer " + issue_token(BEARER_KEY, person("coordinator"), 0)}
    for _ in range(3):
        assert client.get(f"/api/v1/libraries/{OWN}/progress", headers=token).status_code == 200
    assert fake.asked == 1
    fake.access["p-coordinator"] = None  # erased ...
    message = Message(new_event("person.access_changed", {"person_id": "p-coordinator", "session_generation": 1,
                                                          "status": "erased", "role": None, "library_id": None},
                                producer="registration").to_json())
    service.events.on_message(message)  # ... and the event says so
    assert message.acked
    assert client.get(f"/api/v1/libraries/{OWN}/progress", headers=token).status_code == 401
    assert fake.asked == 2


def test_a_cache_that_may_have_missed_events_is_not_trusted():
    fake = Registration()
    app, service = _subscribed_app(fake)
    client = app.test_client()
    token = {"Authorization": "Bearer " + issue_token(BEARER_KEY, person("coordinator"), 0)}
    client.get(f"/api/v1/libraries/{OWN}/progress", headers=token)
    service.events.on_connection_error(ConnectionError("lost"), 1)
    client.get(f"/api/v1/libraries/{OWN}/progress", headers=token)
    client.get(f"/api/v1/libraries/{OWN}/progress", headers=token)
    assert fake.asked == 3  # while detached every request asks
    service.events.on_consume_ready(None, None, None)  # re-attached: the cache starts empty
    client.get(f"/api/v1/libraries/{OWN}/progress", headers=token)
    client.get(f"/api/v1/libraries/{OWN}/progress", headers=token)
    assert fake.asked == 4


def test_when_registration_is_away_the_signed_identity_stands():
    fake = Registration()
    app, _ = make_app(fake)
    fake.down = True
    resp = app.test_client().get(f"/api/v1/libraries/{OWN}/progress", headers=bearer("coordinator"))
    assert resp.status_code == 200


def test_a_registration_without_the_access_route_yet_is_read_the_old_way():
    fake = Registration()
    fake.answers[("GET", "/people/p-member/access")] = response(404, {"status": 404, "title": "Findes ikke"})
    fake.answers[("GET", "/people/p-member")] = response(200, {"person_id": "p-member", "role": "member",
                                                              "library_id": OWN, "status": "deactivated"})
    app, _ = make_app(fake)
    assert app.test_client().get("/api/v1/me", headers=bearer("member")).status_code == 401
