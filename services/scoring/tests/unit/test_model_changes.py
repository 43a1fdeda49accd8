from dataclasses import replace
from datetime import UTC, datetime

import pytest
from scoring_builders import TODAY, complete_items

from scoring.domain import (
    MODEL_V1,
    InvalidModel,
    LibraryData,
    ModelNotEditable,
    Profile,
    Requirement,
    diff_models,
    new_draft,
    preview,
    publish,
    put_requirement,
    remove_requirement,
    score,
)

pytestmark = pytest.mark.unit
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def raised(draft, requirement_id, **changes):
    return put_requirement(draft, replace(draft.requirement(requirement_id), **changes))


def test_diff_lists_changed_fields_added_and_removed_requirements():
    draft = raised(new_draft(MODEL_V1), "C1", target=4, text_da="Aktiviteter skabt med borgere")
    draft = put_requirement(
        draft,
        Requirement(
            id="F3",
            dimension="formidling",
            text_da="Skolebesøg",
            text_en="School visits",
            measure="count",
            target=2,
            kind="activity",
        ),
    )
    draft = remove_requirement(draft, "D4")
    changes = diff_models(MODEL_V1, draft)
    assert [(c.requirement_id, c.field, c.old, c.new) for c in changes[:2]] == [
        ("C1", "text_da", "Aktiviteter skabt sammen med borgere eller partnere", "Aktiviteter skabt med borgere"),
        ("C1", "target", 3, 4),
    ]
    assert (changes[2].requirement_id, changes[2].field, changes[2].old) == ("F3", "requirement", None)
    assert changes[2].new["measure"] == "count"
    assert (changes[3].requirement_id, changes[3].new) == ("D4", None)
    assert len(changes) == 4


def test_identical_models_have_no_differences():
    assert diff_models(MODEL_V1, new_draft(MODEL_V1)) == []


def test_publishing_validates_and_announces_what_changed():
    published, event = publish(
        raised(new_draft(MODEL_V1), "F1", target=6), previous=MODEL_V1, published_by="admin-1", now=NOW
    )
    assert (published.status, published.version, published.published_by) == ("published", 2, "admin-1")
    assert event.type == "model.published"
    assert event.payload["changes"] == [{"requirement_id": "F1", "field": "target", "old": 4, "new": 6}]


def test_publishing_refuses_an_invalid_draft_an_old_version_or_a_published_model():
    with pytest.raises(InvalidModel):
        publish(raised(new_draft(MODEL_V1), "F1", weight=0), previous=MODEL_V1, published_by="a", now=NOW)
    with pytest.raises(InvalidModel):
        publish(new_draft(MODEL_V1, version=1), previous=MODEL_V1, published_by="a", now=NOW)
    with pytest.raises(ModelNotEditable):
        publish(MODEL_V1, previous=None, published_by="a", now=NOW)


def _library(library_id, items, staff_count=25):
    current = score(MODEL_V1, Profile(library_id), items, staff_count, TODAY)
    return LibraryData(
        library_id=library_id,
        profile=Profile(library_id),
        items=tuple(items),
        status=current.status,
        staff_count=staff_count,
        name=library_id.title(),
        overall=current.overall_provisional,
    )


def test_preview_names_the_libraries_whose_status_would_change():
    ready = _library("ready", complete_items("submitted"))
    almost = _library("almost", [i for i in complete_items("submitted") if i.id != "c0"])
    empty = _library("empty", [])
    stricter = raised(new_draft(MODEL_V1), "C1", target=4)
    result = preview(stricter, [ready, almost, empty], TODAY)
    assert [(i.library_id, i.old_status, i.new_status) for i in result.changed] == [
        ("ready", "ready_for_review", "in_progress")
    ]
    assert result.unchanged == 2
    assert "Mangler 1 aktivitet skabt sammen med borgere" in result.missing_by_library["ready"]

    # "almost" lacks one co-created activity and one generation.
    looser = raised(raised(new_draft(MODEL_V1), "C3", target=2), "C1", target=2)
    assert [i.library_id for i in preview(looser, [ready, almost, empty], TODAY).changed] == ["almost"]


def test_preview_refuses_a_model_that_cannot_be_scored():
    with pytest.raises(InvalidModel):
        preview(raised(new_draft(MODEL_V1), "C3", measure="nope"), [], TODAY)
