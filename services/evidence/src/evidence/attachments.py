"""Attachments: check the bytes, store them in GridFS, attach them to the item in a transaction.

GridFS cannot take part in a multi-document transaction, so the order is: count and check the
upload in a temporary spool (capped at the per-file limit: nothing over the limit is ever
written to GridFS), upload the file (and its JPEG thumbnail) to GridFS, then attach it to the item
in a transaction conditional on the item's revision. If that transaction fails for any reason the
just-stored files are deleted, so no orphan bytes remain. Removal is the reverse: detach in a
transaction, then delete the bytes.
"""

from __future__ import annotations

import io
import logging
import tempfile
from typing import IO

from evidence import domain as d
from evidence import store as st
from evidence.domain import lifecycle as lc
from evidence.domain.files import IMAGE_TYPES
from evidence.domain.thumbnails import make_thumbnail
from evidence.domain.workflow import EDITABLE_STATES
from evidence.handlers import EvidenceService, Result, actor_of
from shared.identity import Identity
from shared.mongo import Tx

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


def precheck(service: EvidenceService, item_id: str, identity: Identity) -> dict:
    """Refuse early (before any byte is read) what add_attachment would refuse anyway."""
    item = service.get_item(item_id, identity)
    actor = actor_of(identity)
    d.identity.require_staff_of(actor, item.get("library_id"), "ændre bidragets filer", "change the item's files")
    lc.check_state(item, EDITABLE_STATES, "attach")
    return item


def file_too_large(limit: int = d.MAX_FILE_BYTES) -> d.TooLarge:
    """The 413 for a file found to pass `limit` while reading it (its full size is never known)."""
    return d.TooLarge(
        "file_too_large",
        f"Filen er større end {limit // d.files.MB} MB, som er det højeste tilladte.",
        f"The file is larger than {limit // d.files.MB} MB, the most allowed.",
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


def add(service: EvidenceService, item_id: str, identity: Identity, *, filename: str, source: IO[bytes],
        declared_type: str | None, based_on: int | None) -> Result:
    """Check, store and attach one file; return the item and the new attachment record."""
    item = precheck(service, item_id, identity)
    data, size = spool(source)
    try:
        accepted = d.check_upload(filename, data, size=size, declared_type=declared_type,
                                  existing_sizes=d.attachment_sizes(item))
        thumbnail = _thumbnail(data) if accepted.mime in IMAGE_TYPES else None
        meta = {"item_id": item_id, "library_id": item["library_id"]}
        file_id = st.put_file(service.db, data, filename=accepted.filename, mime=accepted.mime,
                              metadata={**meta, "role": "original"})
    finally:
        data.close()
    thumb_id = None
    try:
        if thumbnail is not None:
            thumb_id = st.put_file(service.db, io.BytesIO(thumbnail), filename="thumbnail.jpg", mime="image/jpeg",
                                   metadata={**meta, "role": "thumbnail", "of": file_id})

        def run(tx: Tx) -> Result:
            current = service._load_item(tx, item_id, identity)
            outcome = d.add_attachment(current, actor_of(identity), now=service.clock(), file_id=file_id,
                                       accepted=accepted, thumbnail_id=thumb_id,
                                       based_on=current["revision"] if based_on is None else based_on)
            st.save_item(tx.db, tx.session, outcome.doc, current["revision"])
            service._emit(tx, outcome)
            return Result(outcome.doc, extra={"attachment": d.find_attachment(outcome.doc, file_id)})

        return service.store.transact(run)
    except BaseException:
        # The item never referenced these files: delete them so nothing is left orphaned.
        st.delete_file(service.db, file_id)
        st.delete_file(service.db, thumb_id)
        raise


def remove(service: EvidenceService, item_id: str, file_id: str, identity: Identity,
           based_on: int | None) -> Result:
    """Detach a file in a transaction, then delete its bytes and thumbnail."""
    def run(tx: Tx) -> Result:
        item = service._load_item(tx, item_id, identity)
        record = d.find_attachment(item, file_id)
        outcome = d.remove_attachment(item, actor_of(identity), now=service.clock(), file_id=file_id,
                                      based_on=item["revision"] if based_on is None else based_on)
        st.save_item(tx.db, tx.session, outcome.doc, item["revision"])
        service._emit(tx, outcome)
        return Result(outcome.doc, extra={"attachment": record})

    result = service.store.transact(run)
    st.delete_file(service.db, result.extra["attachment"]["file_id"])
    st.delete_file(service.db, result.extra["attachment"].get("thumbnail_id"))
    return result


def open_download(service: EvidenceService, item_id: str, file_id: str, identity: Identity, *,
                  thumbnail: bool = False):
    """Return (attachment record, GridFS stream) for a file of an item the caller may see."""
    item = service.get_item(item_id, identity)
    record = d.find_attachment(item, file_id)
    stored_id = record.get("thumbnail_id") if thumbnail else record["file_id"]
    stream = st.open_file(service.db, stored_id) if stored_id else None
    if stream is None:
        raise d.NotFound("attachment_not_found", "Filen findes ikke.", "The file does not exist.", field="file_id")
    return record, stream


def _thumbnail(data: IO[bytes]) -> bytes | None:
    try:
        raw = data.read()
        return make_thumbnail(raw)
    except Exception:  # a picture we cannot preview is still valid evidence
        log.warning("thumbnail failed", exc_info=True)
        return None
    finally:
        data.seek(0)
