"""The commands registration accepts, one per change a caller can ask for (handlers.COMMAND_HANDLERS
maps each to its handler). `actor` is who asks; a password never shows in a command's repr."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from registration.domain.access import Actor

# -- self-registration and credentials (anyone) ----------------------------------------------------------


@dataclass(frozen=True)
class RegisterLibrary:
    name: str
    isil: str
    municipality: str
    kind: str
    staff_count: int
    coordinator_name: str
    coordinator_email: str
    password: str = field(repr=False)
    website: str | None = None
    address: str | None = None
    branches: tuple[str, ...] = ()
    coordinator_language: str = "da"


@dataclass(frozen=True)
class ConfirmEmail:
    token: str = field(repr=False)


@dataclass(frozen=True)
class ResendConfirmation:
    email: str


@dataclass(frozen=True)
class VerifyCredentials:
    email: str
    password: str = field(repr=False)
    client_address: str | None = None


@dataclass(frozen=True)
class RequestPasswordReset:
    email: str


@dataclass(frozen=True)
class CompletePasswordReset:
    token: str = field(repr=False)
    password: str = field(repr=False)


# -- people and invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdatePerson:
    """Change name or language (self, administrator) and role or active (coordinator, administrator);
    a field left out (None) is not changed."""

    actor: Actor
    person_id: str
    name: str | None = None
    language: str | None = None
    role: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class ReactivatePerson:
    actor: Actor
    person_id: str


@dataclass(frozen=True)
class ErasePerson:
    actor: Actor
    person_id: str


@dataclass(frozen=True)
class InvitePerson:
    actor: Actor
    email: str
    role: str
    name: str | None = None
    library_id: str | None = None
    language: str = "da"


@dataclass(frozen=True)
class ResendInvitation:
    actor: Actor
    person_id: str


@dataclass(frozen=True)
class RevokeInvitation:
    actor: Actor
    person_id: str


@dataclass(frozen=True)
class AcceptInvitation:
    token: str = field(repr=False)
    password: str = field(repr=False)
    name: str | None = None


# -- libraries and branches ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateLibrary:
    """Change a library's details; `changes` holds only the fields given (website and address may
    be None, to clear them)."""

    actor: Actor
    library_id: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class WithdrawLibrary:
    actor: Actor
    library_id: str
    reason: str | None = None


@dataclass(frozen=True)
class AddBranch:
    actor: Actor
    library_id: str
    name: str
    isil: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class ChangeBranch:
    """Rename a branch (name), set its ISIL code or address (details; empty clears), and/or close it."""

    actor: Actor
    library_id: str | None  # None: the library holding the branch
    branch_id: str
    name: str | None = None
    close: bool = False
    details: Mapping[str, Any] = field(default_factory=dict)


# -- cohorts and enrolments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateCohort:
    actor: Actor
    name: str
    start_year: int
    end_year: int | None = None
    state: str = "planned"


@dataclass(frozen=True)
class UpdateCohort:
    """Rename a cohort and/or move it to `state` (open, closed); None changes nothing."""

    actor: Actor
    cohort_id: str
    name: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class EnrolLibrary:
    """Enrol a library in a cohort, or move it there from its current one."""

    actor: Actor
    library_id: str
    cohort_id: str


@dataclass(frozen=True)
class EndEnrolment:
    actor: Actor
    library_id: str


# -- start-up work (migrate) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AddShippedCohorts:
    """Create the cohorts the programme ships with, if missing."""


@dataclass(frozen=True)
class SeedPilotLibraries:
    """Create the 20 pilot libraries (demo data) and their enrolments, if missing."""


@dataclass(frozen=True)
class CreateFirstAdministrator:
    email: str
    password: str = field(repr=False)
