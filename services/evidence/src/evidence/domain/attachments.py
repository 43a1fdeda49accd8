"""Attach files to an evidence item and remove them (the bytes are stored by the service).

Attachments are content: like an edit, they are not changed while the item is under review, and
changing a decided item reopens it as a new draft revision.
"""

from __future__ import annotations

from datetime import datetime

from . import lifecycle as lc
from .errors import NotFound, TooLarge
from .files import AcceptedFile, check_item_total
from .identity import Actor, require_staff_of
from .lifecycle import CLARIFICATION, DRAFT, Outcome
from .model import Attachment, EvidenceItem
from .workflow import ITEM_STATES, Identity, revised_events

MAX_ATTACHMENTS = 50


def attachment_sizes(item: EvidenceItem) -> list[int]:
    """Return the sizes of the item's current attachments (for check_upload's item limit)."""
    return [a.size for a in item.attachments]


def check_attachable(item: EvidenceItem, identity: Identity) -> Actor:
    """Refuse early what add_attachment would refuse whatever the file (who, and the item's state)."""
    actor = Actor.of(identity)
    require_staff_of(actor, item.library_id, "ændre bidragets filer", "change the item's files")
    lc.check_state(item, ITEM_STATES["attach"], "attach")
    return actor


def add_attachment(
    item: EvidenceItem,
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    file_id: str,
    accepted: AcceptedFile,
    thumbnail_id: str | None = None,
) -> Outcome[EvidenceItem]:
    """Record a stored, checked file on the item."""
    actor = Actor.of(identity)
    require_staff_of(actor, item.library_id, "ændre bidragets filer", "change the item's files")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["attach"], "attach")
    check_item_total(attachment_sizes(item), accepted.size)
    if len(item.attachments) >= MAX_ATTACHMENTS:
        raise TooLarge(
            "too_many_files",
            f"Et bidrag kan højst have {MAX_ATTACHMENTS} filer.",
            f"An item can have at most {MAX_ATTACHMENTS} files.",
            field="file",
        )
    record = Attachment(
        item_id=item.item_id,
        file_id=file_id,
        filename=accepted.filename,
        mime=accepted.mime,
        size=accepted.size,
        thumbnail_id=thumbnail_id,
        added_at=now,
        added_by=actor.ref(),
    )
    new = lc.advance(item, actor=actor, now=now, action="attach", status=_status_after(item), changed=["attachments"],
                     attachments=(*item.attachments, record))
    return Outcome(new, revised_events(item, new, actor, ["attachments"]))


def remove_attachment(
    item: EvidenceItem, identity: Identity, *, based_on: int, now: datetime, file_id: str
) -> Outcome[EvidenceItem]:
    """Remove a file from the item; the service deletes the bytes after the write commits."""
    actor = Actor.of(identity)
    require_staff_of(actor, item.library_id, "ændre bidragets filer", "change the item's files")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["attach"], "attach")
    if not any(a.file_id == file_id for a in item.attachments):
        raise NotFound(
            "attachment_not_found",
            "Filen findes ikke på dette bidrag.",
            "The file is not attached to this item.",
            field="file_id",
        )
    kept = tuple(a for a in item.attachments if a.file_id != file_id)
    new = lc.advance(item, actor=actor, now=now, action="attach", status=_status_after(item), changed=["attachments"],
                     attachments=kept)
    return Outcome(new, revised_events(item, new, actor, ["attachments"]))


def find_attachment(item: EvidenceItem, file_id: str) -> Attachment:
    """Return an attachment's record or raise NotFound."""
    for attachment in item.attachments:
        if attachment.file_id == file_id:
            return attachment
    raise NotFound("attachment_not_found", "Filen findes ikke.", "The file does not exist.", field="file_id")


def _status_after(item: EvidenceItem) -> str:
    return CLARIFICATION if item.status == CLARIFICATION else DRAFT
