"""The attachment bytes, in GridFS (bucket `files`), with their metadata (item, library, role).

GridFS cannot write inside a multi-document transaction: the handlers store the bytes first,
attach them to the item in a unit of work, and delete them again if that fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any, Protocol

import gridfs
from bson import ObjectId
from bson.errors import InvalidId
from pymongo.database import Database

BUCKET = "files"


class StoredFile(Protocol):
    """A stored file being read: its length, then its bytes chunk by chunk."""

    @property
    def length(self) -> int: ...
    def readchunk(self) -> bytes: ...
    def close(self) -> None: ...


class FileStore(Protocol):
    """Where attachment bytes are kept (GridFS here, memory in the handler tests)."""

    def put(self, source: IO[bytes], *, filename: str, mime: str, metadata: Mapping[str, Any]) -> str: ...
    def open(self, file_id: str) -> StoredFile | None: ...
    def delete(self, file_id: str | None) -> None: ...


class GridFiles:
    """Attachment bytes in the service database's GridFS bucket `files`."""

    def __init__(self, db: Database[Any]):
        self.bucket = gridfs.GridFSBucket(db, bucket_name=BUCKET)

    def put(self, source: IO[bytes], *, filename: str, mime: str, metadata: Mapping[str, Any]) -> str:
        return str(self.bucket.upload_from_stream(filename, source, metadata={**metadata, "mime": mime}))

    def open(self, file_id: str) -> StoredFile | None:
        try:
            return self.bucket.open_download_stream(ObjectId(file_id))
        except (gridfs.errors.NoFile, InvalidId):
            return None

    def delete(self, file_id: str | None) -> None:
        if not file_id:
            return
        try:
            self.bucket.delete(ObjectId(file_id))
        except (gridfs.errors.NoFile, InvalidId):
            pass
