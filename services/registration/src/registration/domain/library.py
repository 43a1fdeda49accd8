"""The library aggregate: details, status pending -> active -> withdrawn, and branches."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from registration.domain.errors import (
    BranchIsilElsewhere,
    BranchIsilTaken,
    BranchNameTaken,
    BranchNotFound,
    IllegalTransition,
    IsilInUse,
    NotEditable,
)
from registration.domain.facts import (
    BRANCH_ADDED,
    BRANCH_CHANGED,
    LIBRARY_ACTIVATED,
    LIBRARY_UPDATED,
    LIBRARY_WITHDRAWN,
    Aggregate,
    iso,
)
from registration.domain.validation import (
    branch_municipality,
    collect,
    normalize_address,
    normalize_branch_isil,
    normalize_isil,
    normalize_kind,
    normalize_municipality,
    normalize_name,
    normalize_staff_count,
    normalize_website,
)
from shared.vocabulary import REGISTRATION_STATUSES

PENDING, ACTIVE, WITHDRAWN = REGISTRATION_STATUSES
OPEN, CLOSED = "open", "closed"

# Fields a library may change after registration, with their rule.
EDITABLE_FIELDS: dict[str, Callable[..., Any]] = {
    "name": normalize_name,
    "municipality": normalize_municipality,
    "kind": normalize_kind,
    "isil": normalize_isil,
    "staff_count": normalize_staff_count,
    "website": normalize_website,
    "address": normalize_address,
}


def new_id() -> str:
    """Return a new opaque identifier."""
    return uuid.uuid4().hex


def validate_library_details(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate all library fields at once; website and address are optional, the rest required."""
    return collect({name: partial(rule, data.get(name)) for name, rule in EDITABLE_FIELDS.items()})


def ensure_isil_free(isil: str, taken_by: str | None, library_id: str | None = None) -> None:
    """Refuse an ISIL held by another library (`taken_by` is the holder's id, looked up by the caller)."""
    if taken_by is not None and taken_by != library_id:
        raise IsilInUse(isil)


@dataclass
class Branch:
    branch_id: str
    name: str
    status: str
    opened_at: datetime
    closed_at: datetime | None = None
    # Both optional: DK-7 + municipality code + branch number, and a postal address.
    isil: str | None = None
    address: str | None = None

    @property
    def municipality(self) -> str | None:
        """The municipality the branch's ISIL code names."""
        return branch_municipality(self.isil)

    def as_payload(self) -> dict[str, Any]:
        return {"branch_id": self.branch_id, "name": self.name, "status": self.status, "isil": self.isil,
                "address": self.address}


@dataclass
class Library(Aggregate):
    library_id: str
    name: str
    municipality: str
    kind: str
    isil: str
    staff_count: int
    website: str | None
    status: str
    registered_at: datetime
    address: str | None = None
    origin: str = "self_service"  # or "seed": created from the pilot data, no coordinator yet
    activated_at: datetime | None = None
    withdrawn_at: datetime | None = None
    updated_at: datetime | None = None
    branches: list[Branch] = field(default_factory=list)

    # -- reading -------------------------------------------------------------------------------

    @property
    def open_branches(self) -> list[Branch]:
        return [b for b in self.branches if b.status == OPEN]

    def branch(self, branch_id: str) -> Branch:
        """Return one branch or raise BranchNotFound."""
        for branch in self.branches:
            if branch.branch_id == branch_id:
                return branch
        raise BranchNotFound(branch_id)

    def snapshot(self) -> dict[str, Any]:
        """Return the library as consumers see it in every library event."""
        return {
            "library_id": self.library_id,
            "name": self.name,
            "municipality": self.municipality,
            "kind": self.kind,
            "isil": self.isil,
            "staff_count": self.staff_count,
            "website": self.website,
            "address": self.address,
            "status": self.status,
            "origin": self.origin,
            "branches": [b.as_payload() for b in self.branches],
            "open_branch_count": len(self.open_branches),
        }

    # -- lifecycle -----------------------------------------------------------------------------

    def activate(self, now: datetime, coordinator: dict[str, Any] | None = None) -> None:
        """Make a pending library active (its coordinator confirmed the email address)."""
        if self.status != PENDING:
            raise IllegalTransition("aktivere biblioteket", "activate the library", self.status)
        self.status = ACTIVE
        self.activated_at = self.updated_at = now
        self._record(
            LIBRARY_ACTIVATED,
            {**self.snapshot(), "activated_at": iso(now), "coordinator": coordinator},
            now,
        )

    def withdraw(self, now: datetime, reason: str | None = None) -> None:
        """Withdraw the library from the programme; nothing more can change afterwards."""
        if self.status == WITHDRAWN:
            raise IllegalTransition("udmelde biblioteket", "withdraw the library", self.status)
        self.status = WITHDRAWN
        self.withdrawn_at = self.updated_at = now
        self._record(
            LIBRARY_WITHDRAWN,
            {**self.snapshot(), "withdrawn_at": iso(now), "reason": reason},
            now,
        )

    def update(self, changes: Mapping[str, Any], now: datetime, *, isil_taken_by: str | None = None) -> list[str]:
        """Change library fields; return the names of those that changed (no event if none)."""
        self._ensure_not_withdrawn("ændre biblioteket", "change the library")
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown:
            raise NotEditable(unknown)
        values = collect({name: partial(EDITABLE_FIELDS[name], value) for name, value in changes.items()})
        changed = [name for name, value in values.items() if getattr(self, name) != value]
        if "isil" in changed:
            ensure_isil_free(values["isil"], isil_taken_by, self.library_id)
        if not changed:
            return []
        for name in changed:
            setattr(self, name, values[name])
        self.updated_at = now
        self._record(LIBRARY_UPDATED, {**self.snapshot(), "changed_fields": changed}, now)
        return changed

    # -- branches ------------------------------------------------------------------------------

    def add_branch(self, name: Any, now: datetime, *, branch_id: str | None = None, isil: Any = None,
                   address: Any = None) -> Branch:
        """Add an open branch; two open branches of one library cannot share a name or an ISIL code,
        and a branch's ISIL code names the library's own municipality."""
        self._ensure_not_withdrawn("tilføje en filial", "add a branch")
        values = collect({
            "branch_name": lambda: normalize_name(name, "branch_name"),
            "isil": lambda: normalize_branch_isil(isil),
            "address": lambda: normalize_address(address),
        })
        clean = values["branch_name"]
        self._ensure_branch_name_free(clean)
        self._ensure_branch_isil_fits(values["isil"])
        branch = Branch(branch_id or new_id(), clean, OPEN, now, isil=values["isil"], address=values["address"])
        self.branches.append(branch)
        self.updated_at = now
        self._record(BRANCH_ADDED, self._branch_payload(branch), now)
        return branch

    def rename_branch(self, branch_id: str, name: Any, now: datetime) -> Branch:
        """Rename an open branch."""
        self._ensure_not_withdrawn("omdøbe en filial", "rename a branch")
        branch = self.branch(branch_id)
        if branch.status == CLOSED:
            raise IllegalTransition("omdøbe filialen", "rename the branch", branch.status)
        clean = normalize_name(name, "branch_name")
        if clean == branch.name:
            return branch
        self._ensure_branch_name_free(clean, except_id=branch_id)
        previous, branch.name = branch.name, clean
        self.updated_at = now
        self._record(
            BRANCH_CHANGED,
            {**self._branch_payload(branch), "change": "renamed", "previous_name": previous},
            now,
        )
        return branch

    def change_branch_details(self, branch_id: str, details: Mapping[str, Any], now: datetime) -> list[str]:
        """Set an open branch's ISIL code and/or address (an empty value clears it); return what changed."""
        self._ensure_not_withdrawn("ændre en filial", "change a branch")
        branch = self.branch(branch_id)
        if branch.status == CLOSED:
            raise IllegalTransition("ændre filialen", "change the branch", branch.status)
        rules = {"isil": normalize_branch_isil, "address": normalize_address}
        values = collect({name: partial(rules[name], details[name]) for name in rules if name in details})
        changed = [name for name, value in values.items() if getattr(branch, name) != value]
        if not changed:
            return []
        if "isil" in changed:
            self._ensure_branch_isil_fits(values["isil"], except_id=branch_id)
        for name in changed:
            setattr(branch, name, values[name])
        self.updated_at = now
        self._record(
            BRANCH_CHANGED,
            {**self._branch_payload(branch), "change": "updated", "previous_name": branch.name},
            now,
        )
        return changed

    def close_branch(self, branch_id: str, now: datetime) -> Branch:
        """Close an open branch; closing a closed branch is an error."""
        self._ensure_not_withdrawn("lukke en filial", "close a branch")
        branch = self.branch(branch_id)
        if branch.status == CLOSED:
            raise IllegalTransition("lukke filialen", "close the branch", branch.status, code="branch_already_closed")
        branch.status, branch.closed_at = CLOSED, now
        self.updated_at = now
        self._record(
            BRANCH_CHANGED,
            {**self._branch_payload(branch), "change": "closed", "previous_name": branch.name},
            now,
        )
        return branch

    # -- helpers -------------------------------------------------------------------------------

    def _ensure_not_withdrawn(self, what_da: str, what_en: str) -> None:
        if self.status == WITHDRAWN:
            raise IllegalTransition(what_da, what_en, self.status)

    def _ensure_branch_name_free(self, name: str, except_id: str | None = None) -> None:
        for other in self.open_branches:
            if other.branch_id != except_id and other.name.casefold() == name.casefold():
                raise BranchNameTaken(name)

    def _ensure_branch_isil_fits(self, isil: str | None, except_id: str | None = None) -> None:
        if isil is None:
            return
        for other in self.open_branches:
            if other.branch_id != except_id and other.isil == isil:
                raise BranchIsilTaken(isil)
        municipality = branch_municipality(isil)
        if municipality is not None and municipality != self.municipality:
            raise BranchIsilElsewhere(isil, municipality, self.municipality)

    def _branch_payload(self, branch: Branch) -> dict[str, Any]:
        return {
            "library_id": self.library_id,
            "library_name": self.name,
            "branch_id": branch.branch_id,
            "name": branch.name,
            "status": branch.status,
            "isil": branch.isil,
            "address": branch.address,
            "municipality": branch.municipality,
            "open_branch_count": len(self.open_branches),
        }
