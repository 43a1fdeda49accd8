import pytest

from evidence.domain import goal_of, is_target, targets

pytestmark = pytest.mark.unit


def test_the_data_file_lists_exactly_the_169_official_targets():
    assert len(targets()) == 169
    assert len(set(targets())) == 169


def test_known_targets_are_present_and_invented_ones_are_not():
    assert is_target("4.7")
    assert is_target("12.a")
    assert is_target("17.19")
    assert not is_target("4.99")
    assert not is_target("18.1")


def test_targets_run_from_1_1_to_17_19_and_cover_every_goal():
    assert targets()[0] == "1.1" and targets()[-1] == "17.19"
    assert {goal_of(t) for t in targets()} == set(range(1, 18))
