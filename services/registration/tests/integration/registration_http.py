"""Helpers of the registration integration tests (a unique module name: every service has a conftest)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chora_testing.identity import as_caller

from registration.bootstrap import Service
from shared.identity import Identity


class Clock:
    """A settable clock for the handlers (tokens expire against it): now, or now + offset."""

    def __init__(self) -> None:
        self.offset = None

    def __call__(self) -> datetime:
        now = datetime.now(UTC)
        return now + self.offset if self.offset is not None else now


class Api:
    """The service's test client with signed identities and a few registration shortcuts."""

    def __init__(self, app, service: Service):
        self.app, self.service, self.settings = app, service, service.settings
        self.client = app.test_client()
        self.clock = service.clock
        self.db = service.runtime.connect_store().db

    def headers(self, role: str = "anonymous", library_id: str | None = None, person_id: str | None = None,
                **extra: str) -> dict[str, str]:
        ident = Identity(person_id=person_id or f"p-{role}", role=role, library_id=library_id)
        return {**as_caller(ident), **extra}

    def as_person(self, person_id: str) -> dict[str, str]:
        doc = self.db.people.find_one({"_id": person_id})
        return self.headers(doc["role"], doc["library_id"], person_id)

    def call(self, method: str, path: str, body: Any = None, *, who: dict[str, str] | None = None, **kw):
        return self.client.open(path, method=method, json=body, headers=who or self.headers(), **kw)

    def register(self, isil: str = "DK-123456", email: str = "mette@bib.example", **library: Any):
        body = registration_body(isil=isil, email=email, **library)
        return self.call("POST", "/registrations", body)


def registration_body(isil: str = "DK-123456", email: str = "mette@bib.example", name: str = "Mette Hansen",
                      password: str = "grøn omstilling på biblioteket", **library: Any) -> dict[str, Any]:
    return {
        "library": {
            "name": "Ballerup Bibliotekerne", "isil": isil, "municipality": "Ballerup",
            "kind": "folkebibliotek", "staff_count": 45, "website": "https://ballerup.bib.example",
            "address": "Banegårdspladsen 1, 2750 Ballerup", **library,
        },
        "coordinator": {"name": name, "email": email, "password": password, "language": "da"},
    }
