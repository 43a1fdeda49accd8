"""Attach files to an evidence item and remove them (the bytes live in GridFS, handled by the service).

Attachments are content: like an edit, they are not changed while the item is under review, and
changing a decided item reopens it as a new draft revision.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import lifecycle as lc
from .errors import NotFound, TooLarge
from .files import AcceptedFile, check_item_total
from .identity import Actor, require_staff_of
from .lifecycle import CLARIFICATION, DRAFT, Outcome
from .workflow import EDITABLE_STATES, Identity, revised_events

MAX_ATTACHMENTS = 50


def attachment_sizes(item: Mapping[str, Any]) -> list[int]:
    """Return the sizes of the item's current attachments (for check_upload's item limit)."""
    return [a.get("size", 0) for a in item.get("attachments") or []]


def add_attachment(
    item: Mapping[str, Any],
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    file_id: str,
    accepted: AcceptedFile,
    thumbnail_id: str | None = None,
) -> Outcome:
    """Record a stored, checked file on the item."""
    actor = _editor(item, identity)
    lc.check_revision(item, based_on)
    lc.check_state(item, EDITABLE_STATES, "attach")
    check_item_total(attachment_sizes(item), accepted.size)
    if len(item.get("attachments") or []) >= MAX_ATTACHMENTS:
        raise TooLarge(
            "too_many_files",
            f"Et bidrag kan højst have {MAX_ATTACHMENTS} filer.",
            f"An item can have at most {MAX_ATTACHMENTS} files.",
            field="file",
        )
    new = lc.advance(item, actor=actor, now=now, action="attach", status=_status_after(item), changed=["attachments"])
    new.setdefault("attachments", []).append(
        {
            "file_id": file_id,
            "filename": accepted.filename,
            "mime": accepted.mime,
            "size": accepted.size,
            "thumbnail_id": thumbnail_id,
            "added_at": now,
            "added_by": actor.ref(),
        }
    )
    return Outcome(new, revised_events(item, new, actor, ["attachments"]))


def remove_attachment(
    item: Mapping[str, Any], identity: Identity, *, based_on: int, now: datetime, file_id: str
) -> Outcome:
    """Remove a file from the item; the service deletes the bytes after the write commits."""
    actor = _editor(item, identity)
    lc.check_revision(item, based_on)
    lc.check_state(item, EDITABLE_STATES, "attach")
    if not any(a["file_id"] == file_id for a in item.get("attachments") or []):
        raise NotFound(
            "attachment_not_found",
            "Filen findes ikke på dette bidrag.",
            "The file is not attached to this item.",
            field="file_id",
        )
    new = lc.advance(item, actor=actor, now=now, action="attach", status=_status_after(item), changed=["attachments"])
    new["attachments"] = [a for a in new["attachments"] if a["file_id"] != file_id]
    return Outcome(new, revised_events(item, new, actor, ["attachments"]))


def find_attachment(item: Mapping[str, Any], file_id: str) -> dict:
    """Return an attachment's record or raise NotFound."""
    for attachment in item.get("attachments") or []:
        if attachment["file_id"] == file_id:
            return dict(attachment)
    raise NotFound("attachment_not_found", "Filen findes ikke.", "The file does not exist.", field="file_id")


def _editor(item: Mapping[str, Any], identity: Identity) -> Actor:
    actor = Actor.of(identity)
    require_staff_of(actor, item.get("library_id"), "ændre bidragets filer", "change the item's files")
    return actor


def _status_after(item: Mapping[str, Any]) -> str:
    return CLARIFICATION if item.get("status") == CLARIFICATION else DRAFT
