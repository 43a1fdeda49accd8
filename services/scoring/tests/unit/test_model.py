from dataclasses import replace

import pytest

from scoring.domain import MODEL_V1, InvalidModel, Model, Requirement, validate_model
from scoring.domain.errors import ModelNotEditable, ScoringError
from scoring.domain.model import DRAFT, new_draft, put_requirement, remove_requirement

pytestmark = pytest.mark.unit


def _with(model: Model, requirement_id: str, **changes) -> Model:
    return replace(
        model, requirements=tuple(replace(r, **changes) if r.id == requirement_id else r for r in model.requirements)
    )


def _refusal(model: Model) -> InvalidModel:
    with pytest.raises(InvalidModel) as caught:
        validate_model(model)
    return caught.value


def test_model_v1_is_the_design_table():
    table = {r.id: (r.dimension, r.measure, r.target, r.kind) for r in MODEL_V1.requirements}
    assert table == {
        "D1": ("drift", "document_approved", 1, "action_plan"),
        "D2": ("drift", "operations_with_before_after", 1, "operations_measure"),
        "D3": ("drift", "share_of_staff", 90, "staff_training"),
        "D4": ("drift", "count", 1, "shared_case"),
        "F1": ("formidling", "count", 4, None),
        "F2": ("formidling", "distinct_sdgs", 5, None),
        "C1": ("faellesskaber", "count", 3, None),
        "C2": ("faellesskaber", "distinct_partners", 2, None),
        "C3": ("faellesskaber", "distinct_age_groups", 3, None),
    }
    assert MODEL_V1.requirement("F1").filters == {"dimension": "formidling", "within_months": 12}
    assert MODEL_V1.requirement("C1").filters == {"dimension": "faellesskaber", "co_created": True}
    assert MODEL_V1.status == "published"


def test_model_v1_is_valid():
    assert validate_model(MODEL_V1) is MODEL_V1


def test_model_survives_a_round_trip_through_a_plain_dict():
    assert Model.from_dict(MODEL_V1.to_dict()) == MODEL_V1


def test_refuses_a_dimension_without_requirements():
    model = replace(MODEL_V1, requirements=tuple(r for r in MODEL_V1.requirements if r.dimension != "drift"))
    error = _refusal(model)
    assert "drift" in error.message_en and "Biblioteket som aktør" in error.message_da


@pytest.mark.parametrize("weight", [0, -1, float("nan")])
def test_refuses_a_weight_that_is_not_positive(weight):
    assert "weight must be positive" in _refusal(_with(MODEL_V1, "C2", weight=weight)).message_en


@pytest.mark.parametrize("target", [0, -3, "4"])
def test_refuses_a_target_that_is_not_positive(target):
    assert "F1: target must be positive" in _refusal(_with(MODEL_V1, "F1", target=target)).message_en


def test_refuses_a_fractional_target_for_a_counting_measure():
    assert "whole number" in _refusal(_with(MODEL_V1, "C1", target=2.5)).message_en


def test_refuses_a_staff_share_target_above_one_hundred_percent():
    assert "at most 100" in _refusal(_with(MODEL_V1, "D3", target=150)).message_en


def test_refuses_an_unknown_measure():
    assert "unknown measure 'vibes'" in _refusal(_with(MODEL_V1, "F2", measure="vibes")).message_en


def test_refuses_an_unknown_dimension():
    error = _refusal(_with(MODEL_V1, "F2", dimension="marketing"))
    assert "unknown dimension 'marketing'" in error.message_en
    assert "ukendt dimension" in error.message_da


def test_refuses_duplicate_requirement_ids():
    model = replace(MODEL_V1, requirements=(*MODEL_V1.requirements, MODEL_V1.requirements[0]))
    assert "Duplicate requirement id D1" in _refusal(model).message_en


def test_refuses_an_unknown_filter_and_a_filter_of_the_wrong_type():
    error = _refusal(_with(_with(MODEL_V1, "C1", filters={"colour": "green"}), "F1", filters={"within_months": "12"}))
    assert "unknown filter 'colour'" in error.message_en
    assert "filter within_months has the wrong type" in error.message_en


def test_refuses_size_scaling_of_a_share():
    assert "only counting measures" in _refusal(_with(MODEL_V1, "D3", scale_by_size=True)).message_en


def test_refusal_names_every_reason_at_once_and_is_a_scoring_error():
    error = _refusal(_with(_with(MODEL_V1, "F1", weight=0), "C3", measure="nope"))
    assert isinstance(error, ScoringError)
    assert "F1: weight" in error.message_en and "C3: unknown measure" in error.message_en


def test_reading_a_stored_model_with_a_missing_field_is_a_domain_error():
    data = MODEL_V1.to_dict()
    del data["requirements"][0]["measure"]
    with pytest.raises(InvalidModel):
        Model.from_dict(data)


def test_a_draft_can_be_edited_but_a_published_model_cannot():
    draft = new_draft(MODEL_V1)
    assert (draft.version, draft.status) == (2, DRAFT)
    extra = Requirement(
        id="F3",
        dimension="formidling",
        text_da="Skolebesøg",
        text_en="School visits",
        measure="count",
        target=2,
        kind="activity",
    )
    edited = remove_requirement(put_requirement(draft, extra), "D4")
    assert [r.id for r in edited.requirements] == ["D1", "D2", "D3", "F1", "F2", "C1", "C2", "C3", "F3"]
    with pytest.raises(ModelNotEditable):
        put_requirement(MODEL_V1, extra)
