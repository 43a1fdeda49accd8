"""Handlers that attach files to an item and remove them.

GridFS cannot take part in a multi-document transaction, so the order is: count and check the
upload in a temporary spool (capped at the per-file limit: nothing over the limit is ever
written), store the file (and an image's JPEG thumbnail), then attach it to the item in a unit of
work conditional on the item's revision. If that fails for any reason the just-stored files are
deleted, so no orphan bytes remain. Removal is the reverse: detach in a unit of work, then delete
the bytes.
"""

from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from evidence import domain as d
from evidence.domain import commands as c
from shared.uow import Work

from .common import Clock, Uow, current, emit

if TYPE_CHECKING:
    from evidence.store import FileStore, Repositories

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


@dataclass(frozen=True)
class Attached:
    """The item with its new file, and the file's record."""

    item: d.EvidenceItem
    attachment: d.Attachment


def file_too_large(limit: int = d.MAX_FILE_BYTES) -> d.TooLarge:
    """The 413 for a file found to pass `limit` while reading it (its full size is never known)."""
    return d.TooLarge(
        "file_too_large",
        f"Filen er større end {limit // d.MB} MB, som er det højeste tilladte.",
        f"The file is larger than {limit // d.MB} MB, the most allowed.",
        field="file",
    )


def spool(source: IO[bytes], limit: int = d.MAX_FILE_BYTES) -> tuple[IO[bytes], int]:
    """Copy an upload into a temporary spool, counting; stop reading as soon as it passes `limit`."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    size = 0
    while True:
        chunk = source.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            out.close()
            raise file_too_large(limit)
        out.write(chunk)
    out.seek(0)
    return out, size


def add_attachment(cmd: c.AddAttachment, uow: Uow, clock: Clock, files: FileStore) -> Attached:
    """Check, store and attach one file."""
    item = d.visible_item(uow.repos.items.get(cmd.item_id), cmd.actor)
    d.check_attachable(item, cmd.actor)  # refused before a byte is read
    data, size = spool(cmd.source)
    try:
        accepted = d.check_upload(cmd.filename, data, size=size, declared_type=cmd.declared_type,
                                  existing_sizes=d.attachment_sizes(item))
        thumbnail = _thumbnail(data) if accepted.mime in d.IMAGE_TYPES else None
        meta = {"item_id": item.item_id, "library_id": item.library_id}
        file_id = files.put(data, filename=accepted.filename, mime=accepted.mime, metadata={**meta, "role": "original"})
    finally:
        data.close()
    thumb_id = None
    try:
        if thumbnail is not None:
            thumb_id = files.put(io.BytesIO(thumbnail), filename="thumbnail.jpg", mime="image/jpeg",
                                 metadata={**meta, "role": "thumbnail", "of": file_id})

        def work(w: Work[Repositories]) -> Attached:
            now_item = d.visible_item(w.repos.items.get(cmd.item_id), cmd.actor)
            outcome = d.add_attachment(now_item, cmd.actor, now=clock(), file_id=file_id, accepted=accepted,
                                       thumbnail_id=thumb_id, based_on=current(cmd.based_on, now_item))
            w.repos.items.save(outcome.new, now_item.revision)
            emit(w, outcome.events)
            return Attached(outcome.new, d.find_attachment(outcome.new, file_id))

        return uow.run(work)
    except BaseException:
        # The item never referenced these files: delete them so nothing is left orphaned.
        files.delete(file_id)
        files.delete(thumb_id)
        raise


def remove_attachment(cmd: c.RemoveAttachment, uow: Uow, clock: Clock, files: FileStore) -> d.EvidenceItem:
    """Detach a file in a unit of work, then delete its bytes and thumbnail."""
    def work(w: Work[Repositories]) -> tuple[d.EvidenceItem, d.Attachment]:
        item = d.visible_item(w.repos.items.get(cmd.item_id), cmd.actor)
        record = d.find_attachment(item, cmd.file_id)
        outcome = d.remove_attachment(item, cmd.actor, now=clock(), file_id=cmd.file_id,
                                      based_on=current(cmd.based_on, item))
        w.repos.items.save(outcome.new, item.revision)
        emit(w, outcome.events)
        return outcome.new, record

    item, removed = uow.run(work)
    files.delete(removed.file_id)
    files.delete(removed.thumbnail_id)
    return item


def _thumbnail(data: IO[bytes]) -> bytes | None:
    try:
        return d.make_thumbnail(data.read())
    except Exception:  # a picture we cannot preview is still valid evidence
        log.warning("thumbnail failed", exc_info=True)
        return None
    finally:
        data.seek(0)
