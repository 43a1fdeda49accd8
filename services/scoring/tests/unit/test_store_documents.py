"""A library's document holds its score as fields MongoDB can query (not a JSON string) and reads
back as the same library, with the counts it was scored from; the texts come from its model version."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from scoring_builders import complete_items

from scoring import store
from scoring.domain import MODEL_V1, new_library
from scoring.domain.library import rescored_from_items

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def scored():
    lib = replace(new_library("lib1", NOW), name="Bibliotek", staff_count=25)
    return rescored_from_items(lib, MODEL_V1, complete_items(), NOW)


def test_a_scored_library_is_stored_as_queryable_fields_and_read_back_the_same():
    lib, events = scored()
    doc = store.library_doc(lib)
    assert doc["score"]["overall"] == {"provisional": 1.0, "verified": 1.0}
    assert doc["score"]["dimensions"]["drift"]["verified"] == 1.0
    c1 = next(r for r in doc["score"]["requirements"] if r["id"] == "C1")
    assert c1 == {"id": "C1", "target": 3, "achieved": {"provisional": 3, "verified": 3},
                  "progress": {"provisional": 1.0, "verified": 1.0}}
    assert (doc["score"]["model_version"], doc["score"]["scored_on"]) == (1, "2025-03-01")
    assert doc["certificate"]["status"] == "ready_for_review" and doc["certificate"]["ready_since"] == NOW.isoformat()
    assert not any(isinstance(v, str) and v.startswith("{") for v in doc["score"].values())
    back = store.library_from(doc, {1: MODEL_V1}.__getitem__)
    assert back == lib
    assert back.counts is not None and back.counts.covers(MODEL_V1, NOW.date())
    assert back.score is not None and back.score.changed_payload() == events[0].payload


def test_rescoring_a_library_read_back_emits_no_score_change():
    lib, _ = scored()
    again, events = rescored_from_items(store.library_from(store.library_doc(lib), {1: MODEL_V1}.__getitem__), MODEL_V1, complete_items(), NOW)
    assert [e.type for e in events] == [] and again.score == lib.score


def test_an_unscored_library_has_no_score_document():
    doc = store.library_doc(new_library("lib1", NOW))
    assert (doc["score"], doc["certificate"]["next_tick_on"]) == (None, None)
    assert store.library_from(doc, {}.__getitem__) == new_library("lib1", NOW)
