"""The public API enforces the authorisation table before anything is forwarded: every
endpoint x every role x own or other library, through Flask's test client with a fake backend."""

import io
import re

import pytest
from gateway_fakes import OTHER, OWN, bearer, make_app, response

from gateway import authz

pytestmark = pytest.mark.unit

EVIDENCE = {"kind": "activity", "title": "Byttemarked", "dimension": "faellesskaber"}
# (method, path with {lib} or {ev}, action, body) for every /api/v1 endpoint that forwards
ENDPOINTS = [
    ("POST", "/registrations", "registration.create",
     {"library": {"name": "X", "isil": "DK-123456", "municipality": "Aarhus", "kind": "folkebibliotek",
                  "staff_count": 3}, "coordinator": {"name": "A", "email": "a@example.dk", "password": "x" * 12}}),
    ("POST", "/email-confirmations", "email.confirm", {"token": "t"}),
    ("POST", "/email-confirmations/resend", "email.confirm", {"email": "a@example.dk"}),
    ("POST", "/password-resets", "password.reset", {"email": "a@example.dk"}),
    ("POST", "/password-resets/complete", "password.reset", {"token": "t", "password": "x" * 12}),
    ("GET", "/me", "me.read", None),
    ("POST", "/invitations", "invitation.create", {"email": "b@example.dk", "name": "B", "role": "member",
                                                   "library_id": "{lib}"}),
    ("POST", "/invitations/accept", "invitation.accept", {"token": "t", "password": "x" * 12}),
    ("GET", "/libraries/{lib}", "library.read", None),
    ("GET", "/libraries/{lib}/people", "team.read", None),
    ("POST", "/people/{person}/reactivate", "person.reactivate", {}),
    ("PUT", "/libraries/{lib}/enrolment", "enrolment.manage", {"cohort_id": "det-aabne-program"}),
    ("DELETE", "/libraries/{lib}/enrolment", "enrolment.manage", None),
    ("POST", "/libraries/{lib}/evidence", "evidence.create", EVIDENCE),
    ("GET", "/libraries/{lib}/evidence", "evidence.read", None),
    ("GET", "/evidence/{ev}", "evidence.read", None),
    ("PATCH", "/evidence/{ev}", "evidence.update", {"title": "Nyt", "revision": 3}),
    ("POST", "/evidence/{ev}/attachments", "evidence.attach", "FILE"),
    ("GET", "/evidence/{ev}/attachments/a1", "evidence.read", None),
    ("POST", "/evidence/{ev}/submit", "evidence.submit", {}),
    ("POST", "/evidence/{ev}/review", "evidence.review", {"decision": "approved"}),
    ("GET", "/evidence/{ev}/thread", "thread.read", None),
    ("POST", "/evidence/{ev}/thread", "thread.post", {"message": "Hvor mange deltog?"}),
    ("GET", "/libraries/{lib}/action-plan", "action_plan.read", None),
    ("PUT", "/libraries/{lib}/action-plan", "action_plan.edit", {"goals": []}),
    ("POST", "/libraries/{lib}/action-plan/submit", "action_plan.edit", {"revision": 1}),
    ("POST", "/libraries/{lib}/action-plan/review", "action_plan.review", {"decision": "approved"}),
    ("GET", "/review-queue", "review_queue.read", None),
    ("GET", "/libraries/{lib}/progress", "progress.read", None),
    ("GET", "/libraries/{lib}/requirements", "progress.read", None),
    ("POST", "/libraries/{lib}/requirements/F1/adjustments", "requirements.adjust", {"target": 2, "reason": "lille"}),
    ("POST", "/libraries/{lib}/certification", "certification.decide", {"decision": "award"}),
    ("GET", "/libraries/{lib}/certificate", "progress.read", None),
    ("GET", "/public/libraries", "public.read", None),
    ("GET", "/public/libraries/{lib}/activities", "public.read", None),
    ("GET", "/public/certificates/c1", "public.read", None),
    ("GET", "/public/certificates/c1/badge.svg", "public.read", None),
]


@pytest.fixture(scope="module")
def gateway():
    return make_app()


LIBRARY_FREE = {"/me", "/review-queue", "/registrations", "/email-confirmations", "/email-confirmations/resend",
                "/password-resets", "/password-resets/complete", "/invitations/accept", "/public/libraries",
                "/public/certificates/c1", "/public/certificates/c1/badge.svg"}


def request_for(client, method, path, body, role, own):
    lib, ev, who = (OWN, "ev-own", "pr-own") if own else (OTHER, "ev-other", "pr-other")
    url = "/api/v1" + path.replace("{lib}", lib).replace("{ev}", ev).replace("{person}", who)
    headers = bearer(role)
    if body == "FILE":
        return client.open(url, method=method, headers=headers,
                           data={"file": (io.BytesIO(b"\x89PNG..."), "foto.png", "image/png")})
    if isinstance(body, dict):
        body = {k: (v.replace("{lib}", lib) if isinstance(v, str) else v) for k, v in body.items()}
        return client.open(url, method=method, headers=headers, json=body)
    return client.open(url, method=method, headers=headers)


@pytest.mark.parametrize("own", [True, False], ids=["own-library", "other-library"])
@pytest.mark.parametrize("role", authz.ROLES)
@pytest.mark.parametrize("method,path,action,body", ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_endpoint_forwards_only_what_the_table_allows(gateway, method, path, action, body, role, own):
    app, fake = gateway
    fake.calls.clear()
    resp = request_for(app.test_client(), method, path, body, role, own)
    library_scoped = path not in LIBRARY_FREE and action != "public.read"
    may = authz.allowed(role, action, own or not library_scoped)
    if may:
        assert resp.status_code == 200, resp.get_json()
        assert fake.calls, "an allowed call is forwarded to the service"
    else:
        expected = 401 if role == "anonymous" else (403 if authz.scope(role, action) is None else 404)
        assert resp.status_code == expected, resp.get_json()
        assert resp.mimetype == "application/problem+json"
        assert not fake.forwarded(), "a refused call never reaches the service"


def test_every_api_route_is_covered_by_the_exhaustive_test():
    app, _ = make_app()
    routes = {(m, re.sub(r"<[^>]+>", "X", r.rule)) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/v1/") and "openapi" not in r.rule and "docs" not in r.rule
              for m in r.methods - {"HEAD", "OPTIONS"}}
    covered = {(m, re.sub(r"\{[^}]+\}|c1|a1|F1", "X", "/api/v1" + p)) for m, p, _, _ in ENDPOINTS}
    covered |= {("POST", "/api/v1/auth/token")}
    assert routes <= covered, sorted(routes - covered)


def test_reactivating_someone_the_caller_cannot_see_is_left_to_registration_which_knows_erasures():
    """A coordinator's look-up of an erased colleague answers 404; registration alone can tell
    that apart from another library's person, so the call goes on (the role is still checked)."""
    app, fake = make_app()
    asked = []

    def call(service, method, path, who=None, **kw):
        if path.endswith("/access"):  # the caller's own access, as every request checks it
            return fake.access_answer(path.split("/")[2])
        asked.append((method, path))
        if path == "/people/gone":
            return response(404, {"status": 404})
        return response(409, {"status": 409, "code": "person_erased", "detail": "Personen kan ikke genaktiveres."})

    fake.call = call
    client = app.test_client()
    resp = client.post("/api/v1/people/gone/reactivate", headers=bearer("coordinator"))
    assert resp.status_code == 409 and resp.get_json()["code"] == "person_erased"
    assert asked == [("GET", "/people/gone"), ("POST", "/people/gone/reactivate")]
    asked.clear()
    assert client.post("/api/v1/people/gone/reactivate", headers=bearer("member")).status_code == 403
    assert asked == []


def test_paging_and_language_are_passed_on_to_the_service():
    app, fake = make_app()
    client = app.test_client()
    client.get("/api/v1/review-queue?page=2&per_page=5&other=x", headers=bearer("assessor"))
    client.get(f"/api/v1/libraries/{OWN}/progress?lang=en", headers=bearer("coordinator"))
    queue, progress = fake.forwarded()[-2:]
    assert (queue.path, queue.params) == ("/review-queue", {"page": "2", "per_page": "5"})
    assert (progress.path, progress.params) == (f"/libraries/{OWN}/progress", {"lang": "en"})
