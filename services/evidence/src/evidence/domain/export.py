"""Export a library's evidence items as JSON-friendly dicts and as CSV text with stable columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from .values import CONTENT_FIELDS

# Stable column order: add new columns at the end only, spreadsheets depend on positions.
CSV_COLUMNS: tuple[str, ...] = (
    "item_id",
    "library_id",
    "library_name",
    "status",
    "revision",
    *CONTENT_FIELDS,
    "public",
    "attachments",
    "created_at",
    "submitted_at",
    "decided_at",
    "updated_at",
)
# Internal bookkeeping and personal data (names in audit trails and threads) stay out of exports.
_JSON_FIELDS = CSV_COLUMNS + ("deadline", "copied_from", "shared_case_id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_item(item: Mapping[str, Any]) -> dict:
    """Return one item as a JSON-friendly dict (ISO dates, attachment names, no audit or thread)."""
    out: dict[str, Any] = {}
    for name in _JSON_FIELDS:
        value = item.get(name)
        if name == "attachments":
            value = [{"filename": a.get("filename"), "mime": a.get("mime"), "size": a.get("size")} for a in value or []]
        out[name] = _jsonable(value)
    return out


def export_items(items: Iterable[Mapping[str, Any]]) -> list[dict]:
    """Return items as JSON-friendly dicts, ordered by date then title."""
    return [export_item(i) for i in sorted(items, key=lambda i: (i.get("date") or "", i.get("title") or ""))]


def export_csv(items: Iterable[Mapping[str, Any]]) -> str:
    """Return items as CSV text, one row per item, lists joined with '; '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in export_items(items):
        writer.writerow([_cell(name, item.get(name)) for name in CSV_COLUMNS])
    return buffer.getvalue()


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if name == "partners":
        value = [p["name"] for p in value]
    elif name == "attachments":
        value = [a["filename"] for a in value]
    if isinstance(value, list):
        return "; ".join(str(x) for x in value)
    text = str(value)
    # Neutralise spreadsheet formulas typed into free text (CSV injection).
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
