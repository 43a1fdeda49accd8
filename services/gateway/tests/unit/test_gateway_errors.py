"""What the gateway answers of its own: 405 with Allow, 414 and a bad Idempotency-Key as
problem+json; an Idempotency-Key passed on to every change a request makes; a 503 that says what
became of the change, in Danish and English; and no decision made for a form that lacks one."""

from dataclasses import asdict

import pytest
from gateway_fakes import OWN, FakeClient, bearer, make_app, page_csrf, person

from gateway.client import NOT_APPLIED, UNKNOWN, ServiceUnavailable

pytestmark = pytest.mark.unit

PROBLEM = "application/problem+json"


class Unavailable(FakeClient):
    def __init__(self, outcome):
        super().__init__()
        self.outcome = outcome

    def call(self, service, method, path, who=None, **kw):
        if service == "scoring":
            raise ServiceUnavailable("scoring", "timed out", self.outcome)
        return super().call(service, method, path, who, **kw)


def test_a_wrong_method_is_405_problem_json_naming_the_allowed_methods():
    app, _ = make_app()
    resp = app.test_client().delete("/api/v1/public/libraries")
    assert resp.status_code == 405 and resp.mimetype == PROBLEM
    assert set(resp.headers["Allow"].split(", ")) >= {"GET"}
    page = app.test_client().delete("/biblioteker")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_a_too_long_address_is_414_problem_json():
    app, fake = make_app()
    resp = app.test_client().get("/api/v1/public/libraries?municipality=" + "a" * 5000)
    assert resp.status_code == 414 and resp.mimetype == PROBLEM and resp.get_json()["code"] == "uri_too_long"
    assert not fake.forwarded()


def test_an_idempotency_key_is_passed_on_to_each_change_of_the_request():
    app, fake = make_app()
    client = app.test_client()
    headers = {**bearer("coordinator"), "Idempotency-Key": "client-key-1"}
    client.post(f"/api/v1/libraries/{OWN}/evidence", json={"title": "x"}, headers=headers)
    (created,) = [c for c in fake.forwarded() if c.method == "POST"]
    assert created.headers["Idempotency-Key"] == "client-key-1"
    client.get(f"/api/v1/libraries/{OWN}/evidence", headers=headers)
    assert "Idempotency-Key" not in fake.forwarded()[-1].headers  # a read carries none


def test_a_portal_form_s_idempotency_key_is_passed_on():
    app, fake = make_app()
    client = app.test_client()
    with client.session_transaction() as session:
        session["identity"] = asdict(person("coordinator"))
    client.post(f"/bibliotek/{OWN}/aktiviteter/ny", data={"csrf_token": page_csrf(client), "idempotency_key": "form-77",
                                                          "title": "Byttemarked"})
    (created,) = [c for c in fake.forwarded() if c.method == "POST"]
    assert created.headers["Idempotency-Key"] == "form-77"


def test_a_malformed_idempotency_key_is_refused_naming_it():
    app, fake = make_app()
    resp = app.test_client().post(f"/api/v1/libraries/{OWN}/evidence", json={},
                                  headers={**bearer("coordinator"), "Idempotency-Key": "x" * 201})
    assert resp.status_code == 400 and resp.get_json()["field"] == "Idempotency-Key"
    assert not [c for c in fake.forwarded() if c.method == "POST"]


@pytest.mark.parametrize("outcome,words", [(UNKNOWN, "ved ikke"), (NOT_APPLIED, "intet blev ændret")])
def test_a_503_says_whether_the_change_may_have_been_applied(outcome, words):
    app, _ = make_app(Unavailable(outcome))
    resp = app.test_client().post(f"/api/v1/libraries/{OWN}/certification", json={"decision": "award"},
                                  headers=bearer("assessor"))
    body = resp.get_json()
    assert resp.status_code == 503 and resp.mimetype == PROBLEM
    assert body["outcome"] == outcome and body["service"] == "scoring"
    assert words in body["detail"] and body["detail_en"]


def test_a_certificate_form_without_a_decision_is_not_given_one():
    app, fake = make_app()
    client = app.test_client()
    with client.session_transaction() as session:
        session["identity"] = asdict(person("assessor"))
    client.post(f"/vurdering/{OWN}/certificering", data={"csrf_token": page_csrf(client)})
    client.post(f"/vurdering/{OWN}/handleplan", data={"csrf_token": page_csrf(client)})
    award = [c for c in fake.forwarded() if c.path == f"/libraries/{OWN}/certification"]
    plan = [c for c in fake.forwarded() if c.path == f"/libraries/{OWN}/action-plan/review"]
    assert award and "decision" not in award[0].json  # the service refuses it, naming the field
    assert plan and "decision" not in plan[0].json


def test_a_portal_change_whose_outcome_is_unknown_tells_the_person_to_look_before_trying_again():
    app, _ = make_app(Unavailable(UNKNOWN))
    client = app.test_client()
    with client.session_transaction() as session:
        session["identity"] = asdict(person("assessor"))
    page = client.post(f"/vurdering/{OWN}/certificering", data={"csrf_token": page_csrf(client), "decision": "award"})
    assert page.status_code == 503 and "ved ikke, om ændringen blev gemt" in page.get_data(as_text=True)
