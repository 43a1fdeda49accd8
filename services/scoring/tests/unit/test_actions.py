"""The actions an answer offers are exactly the decisions that would be accepted now, and only for
the people who may take them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from scoring_builders import TODAY, complete_items

from scoring.domain import MODEL_V1, Profile, award, new_draft, score, tick
from scoring.domain.actions import certificate_actions, model_actions, requirement_actions
from scoring.domain.certificate import new_certificate_state
from scoring.domain.library import Library
from scoring.domain.lifecycle import observe_score

pytestmark = pytest.mark.unit

NOW = datetime.combine(TODAY, time(9), tzinfo=UTC)


def library(items, plan_approved_at=None):
    s = score(MODEL_V1, Profile("lib1"), items, 25, TODAY)
    state, _ = observe_score(new_certificate_state("lib1"), s, NOW)
    return Library("lib1", profile=Profile("lib1"), certificate=state, plan_approved_at=plan_approved_at), s


def test_award_is_offered_to_assessors_once_every_requirement_is_verified():
    verified, s = library(complete_items("approved"))
    assert certificate_actions(verified, s, "assessor", NOW) == ["award"]
    assert certificate_actions(verified, s, "administrator", NOW) == ["award"]
    assert certificate_actions(verified, s, "coordinator", NOW) == []
    submitted, s2 = library(complete_items("submitted"))
    assert submitted.certificate.status == "ready_for_review"
    assert certificate_actions(submitted, s2, "assessor", NOW) == []


def test_a_certificate_offers_check_in_when_due_renewal_at_three_years_and_revocation_throughout():
    lib, s = library(complete_items("approved"))
    lib = replace(lib, certificate=award(lib.certificate, s, awarded_by="a1", now=NOW)[0])
    assert certificate_actions(lib, s, "assessor", NOW) == ["revoke"]
    first = TODAY.replace(year=TODAY.year + 1)
    due = datetime.combine(first - timedelta(days=30), time(9), tzinfo=UTC)
    assert certificate_actions(lib, s, "assessor", due) == ["check_in", "revoke"]
    third = datetime.combine(TODAY.replace(year=TODAY.year + 3) - timedelta(days=30), time(9), tzinfo=UTC)
    late = replace(lib, certificate=replace(lib.certificate, checkins_done=(1, 2)))
    assert certificate_actions(late, s, "assessor", third) == ["revoke"]  # no newer action plan yet
    with_plan = replace(late, plan_approved_at=third.isoformat())
    assert certificate_actions(with_plan, s, "assessor", third) == ["renew", "revoke"]
    lapsed = tick(lib.certificate, datetime.combine(first + timedelta(days=40), time(9), tzinfo=UTC))[0]
    assert lapsed.status == "lapsed"
    assert certificate_actions(replace(lib, certificate=lapsed, plan_approved_at=NOW.isoformat()), s, "assessor",
                               NOW + timedelta(days=410)) == ["revoke"]


def test_a_draft_is_edited_previewed_and_published_by_administrators_only():
    draft = new_draft(MODEL_V1)
    assert model_actions(draft, MODEL_V1, "administrator") == ["edit", "preview", "publish"]
    assert model_actions(draft, MODEL_V1, "assessor") == []
    assert model_actions(MODEL_V1, MODEL_V1, "administrator") == []
    assert model_actions(replace(draft, version=1), replace(MODEL_V1, version=3), "administrator") == ["edit"]


def test_requirements_are_adjusted_by_programme_staff_only():
    assert requirement_actions("assessor") == ["adjust"]
    assert requirement_actions("administrator") == ["adjust"]
    assert requirement_actions("member") == []


def test_nothing_is_offered_before_a_library_has_evidence():
    lib, s = library([])
    assert lib.certificate.status == "not_started"
    assert certificate_actions(lib, s, "assessor", NOW) == []
