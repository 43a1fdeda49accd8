"""Steps the handler tests share: registering, confirming, inviting through the service's bus, and
the identities the gateway would sign (a unique module name: every service's tests share sys.path)."""

from __future__ import annotations

import uuid
from typing import Any

from registration.bootstrap import Service
from registration.domain import commands as c
from shared.identity import Identity

PASSWORD = "grøn omstilling på biblioteket"
ADMIN = Identity(person_id="admin-1", role="administrator")
ASSESSOR = Identity(person_id="assessor-1", role="assessor")
ANONYMOUS = Identity(person_id="anonymous", role="anonymous")


def registration(isil: str | None = None, email: str | None = None, **changes: Any) -> c.RegisterLibrary:
    isil = isil or f"DK-{uuid.uuid4().int % 1_000_000:06d}"
    fields: dict[str, Any] = {
        "name": "Ballerup Bibliotekerne", "isil": isil, "municipality": "Ballerup", "kind": "folkebibliotek",
        "staff_count": 45, "coordinator_name": "Mette Hansen",
        "coordinator_email": email or f"koord-{isil.lower()}@bib.example", "password": PASSWORD,
        "website": "https://ballerup.bib.example", "branches": ("Skovlunde Bibliotek",),
    }
    return c.RegisterLibrary(**{**fields, **changes})


def token_of(service: Service, event_type: str, field: str, **match: Any) -> str:
    """The plain token of the latest committed event of a type whose payload matches."""
    events = [e for e in service.uow.emitted(event_type)  # type: ignore[attr-defined]
              if all(e.payload.get(k) == v for k, v in match.items())]
    return str(events[-1].payload[field])


def active_library(service: Service, **changes: Any) -> tuple[str, Identity]:
    """Register and confirm a library: (its id, its coordinator's identity)."""
    ids = service.bus.handle(registration(**changes))
    service.bus.handle(c.ConfirmEmail(token_of(service, "library.registered", "confirmation_token",
                                               library_id=ids["library_id"])))
    return ids["library_id"], Identity(person_id=ids["person_id"], role="coordinator", library_id=ids["library_id"])


def colleague(service: Service, library_id: str, inviter: Identity, email: str, role: str = "member") -> Identity:
    """Invite someone to the library and let them accept: their identity."""
    person_id = service.bus.handle(c.InvitePerson(inviter, email, role, name="Ole Jensen", library_id=library_id))
    token = token_of(service, "person.invited", "invitation_token", person_id=person_id)
    service.bus.handle(c.AcceptInvitation(token, PASSWORD))
    return Identity(person_id=person_id, role=role, library_id=library_id)
