import csv
import io
import json

import pytest
from evidence_builders import NOW

from evidence.domain import CSV_COLUMNS, ERASED_NAME, erase_person, export_csv, export_items

pytestmark = pytest.mark.unit


def test_erasure_replaces_a_persons_name_in_audit_trails_and_threads(questioned):
    erased, changed = erase_person(questioned, "p-dorte")
    assert changed
    assert [e["by"]["name"] for e in erased["audit"]] == ["Anna Holm", "Bo Berg", ERASED_NAME]
    assert erased["thread"][0]["by"]["name"] == "Slettet bruger"
    assert erased["decision"]["reviewer"]["name"] == "Slettet bruger"
    assert questioned["thread"][0]["by"]["name"] == "Dorte Ravn"  # input untouched


def test_erasure_also_clears_the_submitters_email(submitted):
    erased, _ = erase_person(submitted, "p-bo")
    assert erased["submitted_by"] == {"person_id": "p-bo", "name": ERASED_NAME, "email": None}
    assert erase_person(erased, "p-bo")[1] is False


def test_export_gives_json_friendly_dicts_without_audit_or_thread(questioned):
    [row] = export_items([questioned])
    json.dumps(row)
    assert row["created_at"] == NOW.isoformat()
    assert "audit" not in row and "thread" not in row and "submitted_by" not in row
    assert row["partners"] == [{"name": "Repair Café Aarhus", "kind": "association"}]


def test_csv_export_has_one_row_per_item_and_stable_columns(draft, approved):
    other = {**draft, "item_id": "item-2", "title": '=HYPERLINK("http://evil")', "date": "2025-01-05"}
    text = export_csv([approved, other])
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["title"].startswith("'=")  # formulas neutralised, sorted by date first
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert second["sdgs"] == "12; 13" and second["co_created"] == "ja" and second["status"] == "approved"
    assert second["partners"] == "Repair Café Aarhus"
