"""The commands the evidence service handles: what a caller asks for, with who is asking.

Each is handled by one function in `evidence.handlers` (its COMMAND_HANDLERS table). `based_on`
is the revision the change was made from; where it is optional, None means "the current one".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from .identity import Actor


@dataclass(frozen=True)
class CreateItem:
    """Start a draft in the library (all of it or nothing: one request from one form)."""

    library_id: str
    data: Mapping[str, Any]
    actor: Actor


@dataclass(frozen=True)
class EditItem:
    """Save the valid fields of an item (the invalid ones are reported, not stored)."""

    item_id: str
    changes: Mapping[str, Any]
    based_on: int
    actor: Actor


@dataclass(frozen=True)
class SubmitItem:
    item_id: str
    based_on: int
    actor: Actor


@dataclass(frozen=True)
class WithdrawItem:
    item_id: str
    based_on: int
    reason: str | None
    actor: Actor


@dataclass(frozen=True)
class DeleteItem:
    """Delete a draft that was never submitted, and its files."""

    item_id: str
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class ReviewItem:
    item_id: str
    decision: str
    comment: str | None
    deadline: date | None
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class AnswerClarification:
    """The library answers the assessor's question, optionally with changes, and resubmits."""

    item_id: str
    message: str
    changes: Mapping[str, Any] | None
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class PostMessage:
    """A message in an open clarification thread (the item's status stays)."""

    item_id: str
    message: str
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class AddAttachment:
    """Check a file from its bytes, store it and attach it to the item."""

    item_id: str
    filename: str
    source: IO[bytes]
    declared_type: str | None
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class RemoveAttachment:
    item_id: str
    file_id: str
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class ShareItem:
    """Publish a submitted or approved item as a shared case for other libraries."""

    item_id: str
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class CopyCase:
    """Copy a shared case into a new draft item, or (into="plan") as a goal of the action plan."""

    case_id: str
    library_id: str
    into: str
    actor: Actor


@dataclass(frozen=True)
class SavePlan:
    """Create the library's action plan (based_on absent or 0) or save its valid changes."""

    library_id: str
    data: Mapping[str, Any]
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class SubmitPlan:
    library_id: str
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class ReviewPlan:
    library_id: str
    decision: str
    comment: str | None
    deadline: date | None
    based_on: int | None
    actor: Actor


@dataclass(frozen=True)
class AnswerPlanClarification:
    library_id: str
    message: str
    changes: Mapping[str, Any] | None
    based_on: int | None
    actor: Actor
