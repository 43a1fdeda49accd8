from dataclasses import replace

import pytest
from evidence_builders import ACTIVITY

from evidence.domain import Content, InvalidEvidence, Partner, validate_draft, validate_for_submit

pytestmark = pytest.mark.unit


def codes(errors):
    return {(e.field, e.code) for e in errors}


def test_a_full_activity_is_valid_and_normalised():
    clean, errors = validate_draft({**ACTIVITY, "sdgs": ["13", 12, 12], "targets": ["12.5", "12.A"]})
    assert errors == []
    assert clean["sdgs"] == (12, 13)
    assert clean["targets"] == ("12.5", "12.a")
    validate_for_submit(Content(**{k: v for k, v in clean.items() if k != "public"}))


def test_sdg_18_is_rejected():
    _, errors = validate_draft({"sdgs": [4, 18]})
    assert codes(errors) == {("sdgs", "unknown_sdg")}
    assert "18" in errors[0].message_da and "1-17" in errors[0].message_en


def test_target_4_99_is_rejected():
    _, errors = validate_draft({"targets": ["4.7", "4.99"]})
    assert codes(errors) == {("targets", "unknown_target")}
    assert "4.99" in errors[0].message_da


def test_an_activity_ending_before_it_starts_is_rejected():
    clean, errors = validate_draft({"title": "Klimacafé", "date": "2025-05-10", "end_date": "2025-05-09"})
    assert codes(errors) == {("end_date", "end_before_start")}
    assert clean == {"title": "Klimacafé", "date": "2025-05-10"}


def test_a_new_start_date_after_the_stored_end_date_is_rejected():
    clean, errors = validate_draft({"date": "2025-06-01"}, base=Content(date="2025-05-01", end_date="2025-05-02"))
    assert codes(errors) == {("date", "end_before_start")}
    assert clean == {}


def test_drafts_keep_valid_fields_despite_invalid_ones():
    clean, errors = validate_draft(
        {
            "title": "Byttemarked",
            "description": "Tøj og bøger byttes.",
            "sdgs": [12, 99],
            "participants": -3,
            "links": ["ftp://example.org"],
            "age_groups": ["children", "toddlers"],
            "dimension": "faellesskaber",
        }
    )
    assert clean == {"title": "Byttemarked", "description": "Tøj og bøger byttes.", "dimension": "faellesskaber"}
    assert {e.field for e in errors} == {"sdgs", "participants", "links", "age_groups"}
    assert all(e.kind == "invalid" and e.message_da and e.message_en for e in errors)


def test_a_draft_may_hold_only_a_title():
    clean, errors = validate_draft({"title": "  Idé til foredrag  "})
    assert (clean, errors) == ({"title": "Idé til foredrag"}, [])


def test_unknown_and_system_fields_are_reported_not_stored():
    clean, errors = validate_draft({"title": "X", "status": "approved", "library_id": "lib-x"})
    assert clean == {"title": "X"}
    assert codes(errors) == {("status", "unknown_field"), ("library_id", "unknown_field")}


def test_a_title_longer_than_200_characters_is_rejected():
    _, errors = validate_draft({"title": "x" * 201})
    assert codes(errors) == {("title", "too_long")}


def test_a_description_may_be_10000_characters_but_not_more():
    assert validate_draft({"description": "x" * 10_000})[1] == []
    assert codes(validate_draft({"description": "x" * 10_001})[1]) == {("description", "too_long")}


def test_more_than_20_links_are_rejected_and_only_http_links_are_accepted():
    many = [f"https://example.org/{i}" for i in range(21)]
    assert codes(validate_draft({"links": many})[1]) == {("links", "too_many")}
    assert codes(validate_draft({"links": ["javascript:alert(1)"]})[1]) == {("links", "bad_url")}
    assert validate_draft({"links": ["http://a.dk", "http://a.dk"]})[0] == {"links": ("http://a.dk",)}


def test_staff_share_must_be_a_percentage():
    assert validate_draft({"staff_share": "92,5"})[0] == {"staff_share": 92.5}
    assert codes(validate_draft({"staff_share": 101})[1]) == {("staff_share", "out_of_range")}


def test_partners_may_be_given_as_names_and_repeats_are_dropped():
    clean, errors = validate_draft(
        {"partners": ["Genbrugsstationen", {"name": "genbrugsstationen"}, {"name": "DN", "kind": "forening"}]}
    )
    assert errors == []
    assert clean["partners"] == (Partner("Genbrugsstationen"), Partner("DN", "forening"))


def test_participants_must_be_a_whole_number_of_zero_or_more():
    assert validate_draft({"participants": "12"})[0] == {"participants": 12}
    assert codes(validate_draft({"participants": 2.5})[1]) == {("participants", "not_integer")}
    assert codes(validate_draft({"participants": True})[1]) == {("participants", "not_integer")}


def test_none_clears_a_field():
    assert validate_draft({"sdgs": None, "date": None, "public": None}) == (
        {"sdgs": (), "date": None, "public": False},
        [],
    )


def test_only_kind_title_and_dimension_are_required_to_submit():
    validate_for_submit(Content(kind="communication", title="Udstilling om verdensmål", dimension="formidling"))
    with pytest.raises(InvalidEvidence) as caught:
        validate_for_submit(Content(title="Kun en titel"))
    assert {p.field for p in caught.value.problems} == {"kind", "dimension"}
    assert caught.value.kind == "invalid"


def test_submitting_requires_each_target_to_belong_to_a_chosen_sdg():
    item = Content(kind="activity", title="Læsekreds", dimension="formidling", sdgs=(12,), targets=("4.7",))
    with pytest.raises(InvalidEvidence) as caught:
        validate_for_submit(item)
    assert [(p.field, p.code) for p in caught.value.problems] == [("targets", "target_outside_sdgs")]
    assert "4.7" in caught.value.problems[0].message_da


def test_before_and_after_figures_belong_to_operations_measures_and_need_a_unit():
    measure = Content(kind="operations_measure", title="LED-belysning", dimension="drift", before=52000, after=31000)
    with pytest.raises(InvalidEvidence) as caught:
        validate_for_submit(measure)
    assert [p.code for p in caught.value.problems] == ["unit_required"]
    validate_for_submit(replace(measure, unit="kWh"))
    with pytest.raises(InvalidEvidence) as caught:
        validate_for_submit(replace(measure, unit="kWh", kind="activity"))
    assert [p.code for p in caught.value.problems] == ["figures_need_operations_measure"]


def test_staff_share_belongs_to_staff_training():
    item = Content(kind="activity", title="Temadag", dimension="drift", staff_share=90)
    with pytest.raises(InvalidEvidence):
        validate_for_submit(item)
    validate_for_submit(replace(item, kind="staff_training"))


def test_an_end_date_without_a_start_date_cannot_be_submitted():
    with pytest.raises(InvalidEvidence) as caught:
        validate_for_submit(Content(kind="activity", title="T", dimension="drift", end_date="2025-01-01"))
    assert caught.value.problems[0].code == "end_without_start"
