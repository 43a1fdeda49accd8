"""Registering a library with its coordinator, confirming the email, withdrawing, seeding the pilot."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from registration.domain.cohorts import Cohort, Enrolment, create_cohort, start_enrolment
from registration.domain.errors import IllegalTransition, InvalidField
from registration.domain.facts import LIBRARY_REGISTERED, PERSON_EMAIL_CONFIRMATION_REQUESTED, iso
from registration.domain.invitations import ensure_email_free, record_joined
from registration.domain.library import (
    EDITABLE_FIELDS,
    OPEN,
    Branch,
    Library,
    ensure_isil_free,
    new_id,
    validate_library_details,
)
from registration.domain.library import PENDING as LIBRARY_PENDING
from registration.domain.people import ACTIVE, ADMINISTRATOR, COORDINATOR, PENDING, Person
from registration.domain.reference import SeedLibrary, pilot_seed
from registration.domain.tokens import CONFIRMATION, consume
from registration.domain.validation import (
    check_password,
    collect,
    normalize_email,
    normalize_language,
    normalize_name,
)

MAX_BRANCHES_AT_REGISTRATION = 100


def _branch_names(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_BRANCHES_AT_REGISTRATION:
        raise InvalidField(
            "branches",
            "invalid_branches",
            f"Filialer skal være en liste med højst {MAX_BRANCHES_AT_REGISTRATION} navne.",
            f"Branches must be a list of at most {MAX_BRANCHES_AT_REGISTRATION} names.",
        )
    names = [normalize_name(v, "branches") for v in value]
    if len({n.casefold() for n in names}) != len(names):
        raise InvalidField(
            "branches", "duplicate_branch", "To filialer har samme navn.", "Two branches have the same name."
        )
    return names


def validate_registration(data: Mapping[str, Any], *, with_password: bool = True) -> dict[str, Any]:
    """Validate a whole registration form at once: library, branches, coordinator and password.

    The password is checked, never returned: the service hashes it after this call.
    """
    checks: dict[str, Callable[[], Any]] = {
        name: partial(rule, data.get(name)) for name, rule in EDITABLE_FIELDS.items()
    }
    checks.update(
        {
            "branches": lambda: _branch_names(data.get("branches")),
            "coordinator_name": lambda: normalize_name(data.get("coordinator_name"), "coordinator_name"),
            "coordinator_email": lambda: normalize_email(data.get("coordinator_email"), "coordinator_email"),
            "coordinator_language": lambda: normalize_language(
                data.get("coordinator_language", "da"), "coordinator_language"
            ),
        }
    )
    if with_password:
        checks["password"] = lambda: check_password(
            data.get("password"), email=str(data.get("coordinator_email") or "")
        )
    values = collect(checks)
    values.pop("password", None)
    return values


@dataclass(frozen=True)
class Registration:
    """The pending library, its pending coordinator and the plain confirmation token for the mail."""

    library: Library
    coordinator: Person
    confirmation_token: str


def register_library(
    form: Mapping[str, Any],
    password_hash: str,
    now: datetime,
    *,
    isil_taken_by: str | None,
    people_with_email: Iterable[Person],
    library_id: str | None = None,
    person_id: str | None = None,
    token: str | None = None,
) -> Registration:
    """Register a library and its coordinator, both pending until the coordinator confirms the email.

    `form` is the output of validate_registration (validated again here); the caller looks up
    `isil_taken_by` (id of a library holding the ISIL) and `people_with_email`.
    """
    values = validate_registration(form, with_password=False)
    ensure_isil_free(values["isil"], isil_taken_by)
    ensure_email_free(values["coordinator_email"], None, people_with_email)
    library_id = library_id or new_id()
    library = Library(
        library_id=library_id,
        name=values["name"],
        municipality=values["municipality"],
        kind=values["kind"],
        isil=values["isil"],
        staff_count=values["staff_count"],
        website=values["website"],
        address=values["address"],
        status=LIBRARY_PENDING,
        registered_at=now,
        updated_at=now,
        branches=[Branch(new_id(), name, OPEN, now) for name in values["branches"]],
    )
    coordinator = Person(
        person_id=person_id or new_id(),
        library_id=library_id,
        role=COORDINATOR,
        status=PENDING,
        name=values["coordinator_name"],
        email=values["coordinator_email"],
        language=values["coordinator_language"],
        created_at=now,
        password_hash=password_hash,
        updated_at=now,
    )
    plain, expires = coordinator._issue(CONFIRMATION, now, token)
    library._record(
        LIBRARY_REGISTERED,
        {
            **library.snapshot(),
            "registered_at": iso(now),
            "coordinator": coordinator.contact(),
            "confirmation_token": plain,
            "token_expires_at": iso(expires),
        },
        now,
    )
    return Registration(library, coordinator, plain)


def confirm_email(person: Person, library: Library | None, presented: str, now: datetime) -> None:
    """Consume a confirmation token: the person becomes active, and a pending library with them."""
    record = person.token_for(presented)
    used = consume(record, presented, now, purpose=CONFIRMATION)
    if person.status != PENDING:
        raise IllegalTransition("bekræfte e-mailadressen", "confirm the email address", person.status)
    person.tokens = [used if t is record else t for t in person.tokens]
    person.status = ACTIVE
    person.activated_at = person.updated_at = now
    if library is not None and library.status == LIBRARY_PENDING:
        library.activate(now, coordinator=person.contact())
    record_joined(person, library, now)


def resend_confirmation(person: Person, library: Library | None, now: datetime, *, token: str | None = None) -> str:
    """Issue a new confirmation token (the old one stops working) and return it for the mail."""
    person._ensure_status((PENDING,), "sende bekræftelsen igen", "resend the confirmation")
    person.updated_at = now
    plain, expires = person._issue(CONFIRMATION, now, token)
    person._record(
        PERSON_EMAIL_CONFIRMATION_REQUESTED,
        {
            **person.contact(),
            "library_id": person.library_id,
            "library_name": library.name if library is not None else None,
            "confirmation_token": plain,
            "token_expires_at": iso(expires),
        },
        now,
    )
    return plain


def withdraw_library(
    library: Library, enrolment: Enrolment | None, now: datetime, *, reason: str | None = None
) -> None:
    """Withdraw a library and end its active enrolment, if any."""
    library.withdraw(now, reason)
    if enrolment is not None and enrolment.is_active:
        enrolment.withdraw(now, reason="library_withdrawn")


# A fixed namespace makes seeded ids stable, so seeding twice upserts the same documents.
SEED_NAMESPACE = uuid.UUID("5d1f0c1e-7a43-4c55-9a35-2030c0ffee00")


def seed_id(kind: str, key: str) -> str:
    """Return the stable id of a seeded document."""
    return uuid.uuid5(SEED_NAMESPACE, f"{kind}:{key}").hex


def shipped_cohorts(now: datetime) -> list[Cohort]:
    """Build the cohorts the programme ships with (stable ids), each recording cohort.created."""
    return [
        create_cohort(c.name, c.start_year, c.end_year, cohort_id=c.cohort_id, state=c.state, now=now)
        for c in pilot_seed().cohorts
    ]


def pilot_library(entry: SeedLibrary, cohort: Cohort, now: datetime) -> tuple[Library, Enrolment]:
    """Build one active pilot library (origin seed, no coordinator yet) and its enrolment, stable ids."""
    values = validate_library_details(vars(entry))
    library = Library(
        library_id=seed_id("library", values["isil"]),
        **values,
        status=LIBRARY_PENDING,
        registered_at=now,
        updated_at=now,
        origin="seed",
    )
    library._record(
        LIBRARY_REGISTERED,
        {
            **library.snapshot(),
            "registered_at": iso(now),
            "coordinator": None,
            "confirmation_token": None,
            "token_expires_at": None,
        },
        now,
    )
    library.activate(now)
    enrolment = start_enrolment(
        library, cohort, now, enrolment_id=seed_id("enrolment", f"{values['isil']}:{entry.cohort_id}")
    )
    return library, enrolment


def first_administrator(email: str, password_hash: str, now: datetime) -> Person:
    """Build the programme's first administrator (stable id from the address), active at once."""
    admin = Person(
        person_id=seed_id("person", email),
        library_id=None,
        role=ADMINISTRATOR,
        status=ACTIVE,
        name="Administrator",
        email=email,
        language="da",
        created_at=now,
        password_hash=password_hash,
        activated_at=now,
        updated_at=now,
    )
    record_joined(admin, None, now)
    return admin
