"""Attachment rules: what a file really is (from its bytes), size limits, safe download names.

We trust the bytes, never the declared name or Content-Type, and refuse a file whose extension or
declared type contradicts its bytes (an executable renamed .jpg, a PNG renamed .pdf): a mismatch is
either a mistake the person should see or an attempt to smuggle something past a viewer.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from .errors import InvalidField, TooLarge, Unsupported

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB
MAX_ITEM_BYTES = 100 * MB
SNIFF_BYTES = 16  # how many leading bytes sniff_type needs

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"  # only an intermediate answer of sniff_type; never accepted as such

EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    WEBP: (".webp",),
    PDF: (".pdf",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}
IMAGE_TYPES = (JPEG, PNG, WEBP)
# Declared types that say nothing, so they cannot contradict the bytes.
UNINFORMATIVE_TYPES = ("", "application/octet-stream", "binary/octet-stream", "application/x-unknown")


@dataclass(frozen=True)
class AcceptedFile:
    """An upload that passed every check: its real type and the name to store and serve."""

    mime: str
    filename: str
    size: int


def sniff_type(first_bytes: bytes) -> str | None:
    """Name the type from magic bytes: JPEG, PNG, WebP, PDF, or ZIP (look inside with sniff_zip_type)."""
    head = bytes(first_bytes[:SNIFF_BYTES])
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    return None


def sniff_zip_type(source: bytes | IO[bytes]) -> str | None:
    """Tell a DOCX from an XLSX by the zip's entry names; refuse macro-enabled or unknown zips."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    position = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:  # reads the central directory only, never inflates
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        stream.seek(position)
    if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
        return None
    has_word = any(n.startswith("word/") for n in names)
    has_xl = any(n.startswith("xl/") for n in names)
    if has_word and not has_xl:
        return DOCX
    if has_xl and not has_word:
        return XLSX
    return None


def detect_type(source: bytes | IO[bytes]) -> str | None:
    """Return the accepted MIME type of a whole file (bytes or seekable file), or None."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        head = bytes(source[:SNIFF_BYTES])
    else:
        position = source.tell()
        head = source.read(SNIFF_BYTES)
        source.seek(position)
    kind = sniff_type(head)
    if kind == ZIP:
        return sniff_zip_type(source)
    return kind


def check_file_size(size: int) -> None:
    """Refuse an empty file or one over 20 MB."""
    if size <= 0:
        raise InvalidField("empty_file", "Filen er tom.", "The file is empty.", field="file")
    if size > MAX_FILE_BYTES:
        raise TooLarge(
            "file_too_large",
            f"Filen fylder {size / MB:.1f} MB; en fil må højst fylde {MAX_FILE_BYTES // MB} MB.",
            f"The file is {size / MB:.1f} MB; a file may be at most {MAX_FILE_BYTES // MB} MB.",
            field="file",
        )


def check_item_total(existing_sizes: int | list[int], new_size: int) -> None:
    """Refuse a file that would take an item's attachments over 100 MB together."""
    used = existing_sizes if isinstance(existing_sizes, int) else sum(existing_sizes)
    if used + new_size > MAX_ITEM_BYTES:
        raise TooLarge(
            "item_too_large",
            f"Bidragets filer må højst fylde {MAX_ITEM_BYTES // MB} MB i alt "
            f"(brugt: {used / MB:.1f} MB, ny fil: {new_size / MB:.1f} MB).",
            f"An item's files may total at most {MAX_ITEM_BYTES // MB} MB "
            f"(used: {used / MB:.1f} MB, new file: {new_size / MB:.1f} MB).",
            field="file",
        )


def check_upload(
    filename: str,
    data: bytes | IO[bytes],
    *,
    size: int,
    declared_type: str | None = None,
    existing_sizes: int | list[int] = 0,
) -> AcceptedFile:
    """Check an upload completely: sizes, real type from bytes, name and declared type agree."""
    check_file_size(size)
    check_item_total(existing_sizes, size)
    mime = detect_type(data)
    if mime is None:
        raise Unsupported(
            "unsupported_type",
            "Filtypen understøttes ikke. Tilladt: JPEG, PNG, WebP, PDF, DOCX og XLSX.",
            "The file type is not supported. Allowed: JPEG, PNG, WebP, PDF, DOCX and XLSX.",
            field="file",
        )
    ext = _extension(filename)
    if ext and ext not in EXTENSIONS[mime]:
        raise Unsupported(
            "extension_mismatch",
            f"Filen hedder {ext}, men indholdet er {_label(mime)}. Omdøb eller gem den i det rigtige format.",
            f"The file is named {ext} but its content is {_label(mime)}. Rename it or save it in the right format.",
            field="file",
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared == "image/jpg":
        declared = JPEG
    if declared not in UNINFORMATIVE_TYPES and declared != mime:
        raise Unsupported(
            "type_mismatch",
            f"Filen er angivet som {declared}, men indholdet er {_label(mime)}.",
            f"The file was declared as {declared} but its content is {_label(mime)}.",
            field="file",
        )
    return AcceptedFile(mime=mime, filename=safe_filename(filename, mime), size=size)


def safe_filename(filename: str, mime: str | None = None, *, max_len: int = 120) -> str:
    """Keep a readable name without paths, control characters or quotes; fix the extension."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["<>:|?*;]', "_", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[:max_len].strip(" .") or "fil"
    allowed = EXTENSIONS.get(mime or "")
    if allowed:
        ext = ext.lower() if f".{ext.lower()}" in allowed else allowed[0][1:]
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str, mime: str | None = None, *, inline: bool = False) -> str:
    """Build a Content-Disposition header value with an ASCII fallback and an RFC 5987 UTF-8 name."""
    name = safe_filename(filename, mime)
    fallback = _ascii(name)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(name: str) -> str:
    for da, latin in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")):
        name = name.replace(da, latin)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._ ()+,-]", "_", name) or "fil"


def _extension(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1]
    _, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and ext else ""


def _label(mime: str) -> str:
    return {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", PDF: "PDF", DOCX: "DOCX (Word)", XLSX: "XLSX (Excel)"}[mime]
