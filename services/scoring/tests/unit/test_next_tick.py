"""The scheduler looks only at certificates whose `next_tick_on` day has come: ticking a
certificate before that day must change nothing, and on that day it must change something."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_builders import complete_items

from scoring.domain import MODEL_V1, InvalidTransition, Profile, award, complete_checkin, renew, score, tick
from scoring.domain.certificate import new_certificate_state
from scoring.domain.lifecycle import next_tick_on, observe_score

pytestmark = pytest.mark.unit

START = date(2025, 3, 10)


def at(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=UTC)


def certified():
    full = score(MODEL_V1, Profile("lib1"), complete_items(), 25, START)
    ready, _ = observe_score(new_certificate_state("lib1"), full, at(START))
    return award(ready, full, awarded_by="a1", now=at(START))[0]


# A life of a certificate: steps forward by some days, then tick, check in or renew (if allowed).
steps = st.lists(st.tuples(st.integers(1, 400), st.sampled_from(["tick", "check_in", "renew"])), max_size=12)


@settings(max_examples=200, deadline=None)
@given(steps=steps, probe=st.integers(0, 800))
def test_ticking_before_the_next_tick_day_changes_nothing_and_on_it_something(steps, probe):
    state, day = certified(), START
    for forward, action in steps:
        day += timedelta(days=forward)
        try:
            if action == "tick":
                state = tick(state, at(day))[0]
            elif action == "check_in":
                state = complete_checkin(state, by="a1", now=at(day))[0]
            else:
                state = renew(state, renewed_by="a1", now=at(day), action_plan_approved_at=at(day).isoformat())[0]
        except InvalidTransition:
            pass
        due = next_tick_on(state)
        if due is None:
            assert tick(state, at(day + timedelta(days=probe))) == (state, [])
            continue
        due_day = date.fromisoformat(due)
        earlier = min(day + timedelta(days=probe), due_day - timedelta(days=1))
        if earlier >= day:  # the scheduler never ticks into the past
            assert tick(state, at(earlier)) == (state, [])
        assert tick(state, at(max(due_day, day)))[0] != state


def test_the_next_tick_day_is_the_first_reminder_then_the_second_then_the_lapse():
    state = certified()
    anniversary = START.replace(year=START.year + 1)
    assert next_tick_on(state) == (anniversary - timedelta(days=60)).isoformat()
    state = tick(state, at(anniversary - timedelta(days=60)))[0]
    assert next_tick_on(state) == (anniversary - timedelta(days=14)).isoformat()
    state = tick(state, at(anniversary - timedelta(days=14)))[0]
    assert next_tick_on(state) == (anniversary + timedelta(days=31)).isoformat()
    state = tick(state, at(anniversary + timedelta(days=31)))[0]
    assert (state.status, next_tick_on(state)) == ("lapsed", None)
