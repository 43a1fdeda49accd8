"""The library document keeps its score and figures summary as JSON strings (cheap to rewrite in
SecantusDB); documents written in the earlier nested shape still read the same."""

from datetime import UTC, datetime

from scoring import store
from scoring.domain import MODEL_V1, Projection
from scoring.handlers.core import evaluate

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
LIB = {"_id": "lib1", "name": "Bibliotek", "municipality": "Roskilde", "staff_count": 10, "adjustments": []}
ITEM = {"revision": 1, "status": "approved", "decided_at": "2025-02-01T10:00:00+00:00", "data_revision": 1,
        "approved_at": "2025-02-01T10:00:00+00:00",
        "data": {"kind": "activity", "dimension": "faellesskaber", "sdgs": [4], "partners": ["Skolen"],
                 "date": "2025-01-15", "participants": 12, "age_groups": ["children"], "co_created": True,
                 "before": None, "after": None, "staff_share": None, "title": "Læsecafé"}}


def _scored():
    proj = Projection.from_dict({"library_id": "lib1", "entries": {"i1": ITEM}})
    return evaluate(MODEL_V1, LIB, proj, NOW)


def test_score_and_summary_are_stored_as_strings_and_read_back_as_documents():
    changes, events = _scored()
    assert isinstance(changes["score"], str) and isinstance(changes["summary"], str)
    lib = {**LIB, **changes}
    assert store.score_of(lib)["payload"] == events[0].payload
    assert store.summary_of(lib)["partners"] == ["skolen"]  # partners are counted case-folded


def test_the_earlier_nested_shape_reads_the_same():
    changes, _ = _scored()
    packed = {**LIB, **changes}
    nested = {**packed, "score": store.score_of(packed), "summary": store.summary_of(packed)}
    assert store.score_of(nested) == store.score_of(packed)
    assert store.summary_of(nested) == store.summary_of(packed)


def test_an_unscored_library_has_an_empty_score_and_summary():
    assert store.score_of(LIB) == {} and store.summary_of(LIB) == {}


def test_rescoring_an_unchanged_library_emits_no_score_change_from_either_shape():
    changes, _ = _scored()
    proj = Projection.from_dict({"library_id": "lib1", "entries": {"i1": ITEM}})
    packed = {**LIB, **changes}
    nested = {**packed, "score": store.score_of(packed)}
    for lib in (packed, nested):
        _, events = evaluate(MODEL_V1, lib, proj, NOW)
        assert [e.type for e in events if e.type == "score.changed"] == []
