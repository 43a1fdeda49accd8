import csv
import io
from dataclasses import replace

import pytest

from evidence.domain import CSV_COLUMNS, ERASED_NAME, Contact, erase_person, export_csv, in_export_order

pytestmark = pytest.mark.unit


def test_erasure_replaces_a_persons_name_in_audit_trails_and_threads(questioned):
    erased, changed = erase_person(questioned, "p-dorte")
    assert changed
    assert [e.by.name for e in erased.audit] == ["Anna Holm", "Bo Berg", ERASED_NAME]
    assert erased.thread[0].by.name == "Slettet bruger"
    assert erased.decision.reviewer.name == "Slettet bruger"
    assert questioned.thread[0].by.name == "Dorte Ravn"  # input untouched


def test_erasure_also_clears_the_submitters_email(submitted):
    erased, _ = erase_person(submitted, "p-bo")
    assert erased.submitted_by == Contact("p-bo", ERASED_NAME, None)
    assert erase_person(erased, "p-bo")[1] is False


def test_erasure_leaves_a_record_of_someone_else_as_it_was(submitted):
    erased, changed = erase_person(submitted, "p-nobody")
    assert erased is submitted and changed is False


def test_exports_list_items_by_date_then_title(draft):
    later = replace(draft, item_id="b", date="2025-06-01", title="A")
    undated = replace(draft, item_id="c", date=None, title="Z")
    same_day = replace(draft, item_id="d", title="Ældre titel")
    assert [i.item_id for i in in_export_order([later, draft, undated, same_day])] == ["c", "item-1", "d", "b"]


def test_csv_export_has_one_row_per_item_and_stable_columns(draft, approved):
    other = replace(draft, item_id="item-2", title='=HYPERLINK("http://evil")', date="2025-01-05")
    text = export_csv([approved, other])
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["title"].startswith("'=")  # formulas neutralised, sorted by date first
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert second["sdgs"] == "12; 13" and second["co_created"] == "ja" and second["status"] == "approved"
    assert second["partners"] == "Repair Café Aarhus"
