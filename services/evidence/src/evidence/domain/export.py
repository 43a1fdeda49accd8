"""Export a library's evidence items: in the order exports list them, and as CSV text with stable
columns (the JSON form is the service's export schema)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from .items import CONTENT_FIELDS
from .model import EvidenceItem, Partner

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
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def in_export_order(items: Iterable[EvidenceItem]) -> list[EvidenceItem]:
    """Return items ordered by date, then title."""
    return sorted(items, key=lambda i: (i.date or "", i.title or ""))


def export_csv(items: Iterable[EvidenceItem]) -> str:
    """Return items as CSV text, one row per item, lists joined with '; ' (no personal data)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in in_export_order(items):
        writer.writerow([_cell(name, item) for name in CSV_COLUMNS])
    return buffer.getvalue()


def _cell(name: str, item: EvidenceItem) -> str:
    value: Any = getattr(item, name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if name == "attachments":
        value = tuple(a.filename for a in value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, tuple):
        return "; ".join(p.name if isinstance(p, Partner) else str(p) for p in value)
    text = str(value)
    # Neutralise spreadsheet formulas typed into free text (CSV injection).
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        text = "'" + text
    return text
