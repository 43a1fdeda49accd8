"""A fake backend for the gateway's unit tests: records the calls the gateway forwards and
answers them from a small routing function. Used only to test the gateway's own logic
(authorisation, tokens, CSRF); the integration and end-to-end tests use the real services."""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import URLSafeTimedSerializer

from gateway.api import create_app
from gateway.auth import issue_token
from gateway.bootstrap import bootstrap
from gateway.client import ServiceClient, ServiceResponse, ServiceUnavailable
from gateway.config import Settings
from shared import identity, keys
from shared.identity import Identity

SECRET = "unit-secret"
BACKENDS = ("registration", "evidence", "scoring", "notification")
BEARER_KEY = keys.derive(SECRET, keys.BEARER)
IDENTITY_KEYS = {name: keys.derive(SECRET, keys.identity_purpose(name)) for name in BACKENDS}
OWN, OTHER = "lib-own", "lib-other"
# A session's CSRF secret and the token its forms carry (Flask-WTF signs the one into the other).
CSRF_RAW = "raw-csrf-secret-of-the-test-session"
CSRF_TOKEN = URLSafeTimedSerializer(keys.derive(SECRET, keys.SESSION), salt="wtf-csrf-token").dumps(CSRF_RAW)


def response(status: int, body: Any = None, content_type: str = "application/json") -> ServiceResponse:
    return ServiceResponse(status, {"Content-Type": content_type}, jsonlib.dumps(body if body is not None else {}).encode())


@dataclass
class Call:
    service: str
    method: str
    path: str
    who: Identity | None
    json: Any
    headers: dict
    params: Any = None
    body: bytes | None = None

    def signed_identity(self) -> Identity:
        """The identity the gateway signed for this call, checked as the service would check it."""
        binding = identity.Binding.of(self.service, self.method, self.path, "", self.body)
        return identity.verify(IDENTITY_KEYS[self.service], self.headers[identity.HEADER], binding)


@dataclass
class FakeClient(ServiceClient):
    """Stands in for ServiceClient; evidence ids 'ev-own' and 'ev-other' and person ids 'pr-own' and
    'pr-other' belong to OWN and OTHER. `answers` gives a call a scripted answer. Registration's
    access answer (`GET /people/{id}/access`) comes from `access`, by default an active person
    whose role is in their id (p-<role>, see `person`), in OWN if library staff."""

    calls: list[Call] = field(default_factory=list)
    answers: dict[tuple[str, str], ServiceResponse] = field(default_factory=dict)  # (method, path) -> answer
    access: dict[str, dict | None] = field(default_factory=dict)  # person id -> access answer (None: 404)
    verify_ok: dict | None = None
    verify_throttled: bool = False  # registration answers 429 `throttled` (it counts the failures)

    def __post_init__(self):
        super().__init__({}, IDENTITY_KEYS)

    def call(self, service, method, path, who=None, *, json=None, params=None, files=None, data=None, stream=False):
        body = jsonlib.dumps(json, allow_nan=False).encode() if json is not None else None
        self.calls.append(Call(service, method, path, who, json, self.headers(service, who, method, path, body),
                               dict(params or {}), body))
        if (method, path) in self.answers:
            return self.answers[(method, path)]
        if service == "registration" and method == "GET" and path.startswith("/people/") and path.endswith("/access"):
            return self.access_answer(path.split("/")[2])
        if path == "/credentials/verify" and self.verify_throttled:
            return response(429, {"status": 429, "code": "throttled", "detail": "For mange forsøg. Vent et kvarter og prøv igen."})
        if path == "/credentials/verify":
            return response(200, self.verify_ok) if self.verify_ok and json.get("password") == "right-password" \
                else response(401, {"status": 401, "detail": "Forkert e-mail eller adgangskode."})
        if path.startswith("/people/pr-") and method == "GET" and path.count("/") == 2:
            library = OWN if path.endswith("pr-own") else OTHER
            return response(200, {"person_id": path.rsplit("/", 1)[1], "library_id": library, "status": "deactivated"})
        if path.startswith("/evidence/ev-") and method == "GET" and path.count("/") == 2:
            library = OWN if path.endswith("ev-own") else OTHER
            return response(200, {"id": path.rsplit("/", 1)[1], "library_id": library, "revision": 3, "status": "draft"})
        return response(200, {"ok": True, "path": path})

    def access_answer(self, person_id: str) -> ServiceResponse:
        if person_id in self.access:
            record = self.access[person_id]
            return response(404, {"status": 404, "code": "not_found"}) if record is None else response(200, record)
        if self.verify_ok and self.verify_ok.get("person_id") == person_id:  # who signed in
            return response(200, {"status": "active", "session_generation": 0, **self.verify_ok})
        role = person_id.removeprefix("p-")
        library = OWN if role in ("coordinator", "member") else None
        return response(200, {"person_id": person_id, "status": "active", "role": role, "library_id": library,
                              "session_generation": 0})

    def get_many(self, calls):
        """Like ServiceClient.get_many: each result is the answer or the ServiceUnavailable raised."""
        results = []
        for service, path, who, params in calls:
            try:
                results.append(self.call(service, "GET", path, who, params=params))
            except ServiceUnavailable as exc:
                results.append(exc)
        return results

    def forwarded(self) -> list[Call]:
        """The calls other than the gateway's own look-ups of an evidence item's or a person's library."""
        return [c for c in self.calls if not (c.method == "GET" and c.path.startswith(("/evidence/ev-", "/people/pr-"))
                                              and c.path.count("/") == 2)
                and not (c.method == "GET" and c.path.endswith("/access"))]


def make_app(client: FakeClient | None = None, **changes):
    """The gateway on the fake backend, without the access events (every request asks `access`)."""
    settings = Settings.from_env({"CHORA_SECRET_KEY": SECRET}).with_changes(**changes)
    client = client or FakeClient()
    app = create_app(service=bootstrap(settings, client=client, subscribe=False))
    app.config["TESTING"] = True
    return app, client


def person(role: str, library_id: str | None = OWN) -> Identity:
    if role in ("assessor", "administrator"):
        library_id = None
    return Identity(person_id=f"p-{role}", role=role, library_id=library_id, name=role.title(),
                    email=f"{role}@example.dk")


def bearer(role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    return {"Authorization": "Bearer " + issue_token(BEARER_KEY, person(role))}


def page_csrf(client) -> str:
    """The CSRF token a page gives this client's session (as a form or the portal's script sends it)."""
    page = client.get("/log-ind").get_data(as_text=True)
    return page.split('name="csrf-token" content="')[1].split('"')[0]
