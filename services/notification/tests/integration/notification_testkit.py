"""Helpers of the notification integration tests: the harness and payloads in the producers' shapes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chora_testing.identity import as_caller
from flask.testing import FlaskClient
from notification_fakes import Clock

from notification import api, scheduler
from notification.bootstrap import Service
from shared.events import Event, new_event
from shared.identity import Identity

# The sender's and scheduler's timings, short enough for tests (Settings fields).
FAST = {"mail_retry_base": 0.3, "mail_retry_cap": 2.0, "mail_poll_interval": 0.05, "mail_stale_sending": 2.0,
        "scheduler_interval": 3600.0, "smtp_timeout": 5.0}


def wait_until(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


@dataclass
class Harness:
    service: Service
    smtp: Any
    clock: Clock

    @property
    def settings(self):
        return self.service.settings

    @property
    def store(self):
        return self.service.runtime.open_store()

    @property
    def db(self):
        return self.store.db

    def start_sender(self) -> None:
        self.service.sender.start()

    def client(self) -> FlaskClient:
        return api.create_app(service=self.service).test_client()

    def run_scheduler(self, at: datetime) -> dict[str, int]:
        """One scheduler pass at a moment (the clock stays there, for the sender too)."""
        self.clock.now = at
        return scheduler.run_once(self.service)

    def event(self, type_: str, payload: dict, producer: str = "registration") -> Event:
        return new_event(type_, payload, producer=producer)

    def handle(self, type_: str, payload: dict, producer: str = "registration") -> Event:
        """Hand one validated event to the service's bus, as the consumer would."""
        evt = self.event(type_, payload, producer)
        self.service.bus.handle_event(evt)
        return evt

    def mails(self, **query) -> list[dict]:
        return list(self.db.mails.find(query))

    def headers(self, person_id="admin-1", role="administrator", library_id=None) -> dict:
        return as_caller(Identity(person_id=person_id, role=role, library_id=library_id))


# -- payloads in the shapes the producers publish ------------------------------------------------


def library(library_id="L1", name="Aarhus Hovedbibliotek", status="active", version=1) -> dict:
    return {
        "library_id": library_id, "version": version, "name": name, "municipality": "Aarhus",
        "kind": "folkebibliotek", "isil": "DK-100001",
        "staff_count": 40, "status": status, "open_branch_count": 0,
    }


def contact(person_id, name, email, language="da", role="coordinator") -> dict:
    return {"person_id": person_id, "name": name, "email": email, "language": language, "role": role}


def registered(library_id="L1", name="Aarhus Hovedbibliotek", coordinator=None, token="tok-L1") -> dict:
    return {
        **library(library_id, name, status="pending"),
        "registered_at": "2025-03-01T10:00:00+00:00",
        "coordinator": coordinator or contact("P1", "Pia Koordinator", "pia@aarhus.dk"),
        "confirmation_token": token,
        "token_expires_at": "2025-03-03T10:00:00+00:00",
    }


def activated(library_id="L1", name="Aarhus Hovedbibliotek") -> dict:
    return {**library(library_id, name), "activated_at": "2025-03-01T11:00:00+00:00", "coordinator": None}


def joined(person_id, name, email, role, library_id=None, language="da") -> dict:
    return {"person_id": person_id, "version": 2, "name": name, "email": email, "language": language,
            "role": role, "library_id": library_id, "library_name": None, "joined_at": "2025-03-01T12:00:00+00:00"}


def evidence(type_extra: dict, item_id="E1", library_id="L1", title="Reparationscafé", revision=2,
             status="submitted", submitter=None) -> dict:
    submitter = submitter or {"person_id": "P3", "name": "Mads Medarbejder", "email": "mads@aarhus.dk"}
    item = {"item_id": item_id, "library_id": library_id, "library_name": "Aarhus Hovedbibliotek",
            "revision": revision, "status": status, "kind": "activity", "title": title,
            "dimension": "faellesskaber", "submitted_by": submitter}
    return {
        "item_id": item_id, "library_id": library_id, "library_name": "Aarhus Hovedbibliotek", "revision": revision,
        "status": status, "kind": "activity", "title": title, "submitted_by": submitter, "item": item,
        "actor": {"person_id": submitter["person_id"], "name": submitter["name"], "role": "member"},
        **type_extra,
    }


def plan(type_extra: dict, status="submitted", revision=3, actor=None, submitter=None) -> dict:
    """An action_plan.* payload as the evidence service publishes it (plan snapshot + header)."""
    submitter = submitter or {"person_id": "P3", "name": "Mads Medarbejder", "email": "mads@aarhus.dk"}
    actor = actor or {"person_id": submitter["person_id"], "name": submitter["name"], "role": "member"}
    snapshot = {"plan_id": "AP1", "library_id": "L1", "library_name": "Aarhus Hovedbibliotek", "revision": revision,
                "version": 1, "status": status, "start_year": 2025, "end_year": 2027,
                "goals": [{"dimension": "drift", "title": "Halvér energiforbruget", "sdgs": [7, 13], "targets": []},
                          {"dimension": "faellesskaber", "title": "Reparationscaféer", "sdgs": [12],
                           "targets": ["12.5"]}],
                "submitted_by": submitter}
    header = {key: snapshot[key] for key in ("plan_id", "library_id", "library_name", "revision", "version",
                                             "status", "submitted_by")}
    return {**header, "plan": snapshot, "actor": actor, **type_extra}


def seed_library(h: Harness) -> None:
    """L1 with coordinators P1 (da) and P2 (en), member P3, assessors A1 (en) and A2 (da)."""
    h.handle("library.registered", registered())
    h.handle("library.activated", activated())
    h.handle("person.joined", joined("P2", "Peter Coordinator", "peter@aarhus.dk", "coordinator", "L1", "en"))
    h.handle("person.joined", joined("P3", "Mads Medarbejder", "mads@aarhus.dk", "member", "L1"))
    h.handle("person.joined", joined("A1", "Anna Assessor", "anna@chora.dk", "assessor", None, "en"))
    h.handle("person.joined", joined("A2", "Asger Assessor", "asger@chora.dk", "assessor", None, "da"))

