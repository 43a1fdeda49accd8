"""The programme's vocabulary: every key has a Danish and an English label, and the SDG targets
are the UN's 169."""

import pytest

from shared import vocabulary as v

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("keys,labels", [
    (v.DIMENSIONS, v.DIMENSION_LABELS), ((*v.EVIDENCE_KINDS, v.ACTION_PLAN), v.KIND_LABELS),
    (v.EVIDENCE_STATUSES, v.EVIDENCE_STATUS_LABELS), (v.AGE_GROUPS, v.AGE_GROUP_LABELS),
    (v.ROLES, v.ROLE_LABELS), (v.LIBRARY_STATUSES, v.LIBRARY_STATUS_LABELS), (v.SDGS, v.SDG_LABELS),
    (v.MAIL_STATUSES, v.MAIL_STATUS_LABELS),
    (v.PERSON_STATUSES, v.PERSON_STATUS_LABELS), (v.LIBRARY_KINDS, v.LIBRARY_KIND_LABELS),
    (v.REGISTRATION_STATUSES, v.REGISTRATION_STATUS_LABELS), (v.COHORT_STATES, v.COHORT_STATE_LABELS),
])
def test_every_key_has_a_danish_and_an_english_label(keys, labels):
    assert set(labels) == set(keys)
    assert all(da and en for da, en in labels.values())


def test_the_targets_are_the_un_s_169_in_order_and_each_names_its_goal():
    targets = v.sdg_targets()
    assert len(targets) == 169 and targets[0] == "1.1" and targets[-1] == "17.19"
    assert v.is_sdg_target("12.a") and not v.is_sdg_target("18.1")
    assert {v.goal_of(t) for t in targets} == set(v.SDGS)


def test_a_label_is_danish_unless_english_is_asked_for():
    assert v.label(v.ROLE_LABELS, "member") == "medarbejder"
    assert v.label(v.ROLE_LABELS, "member", "en") == "colleague"
    assert v.label(v.ROLE_LABELS, "unknown") == "unknown"
