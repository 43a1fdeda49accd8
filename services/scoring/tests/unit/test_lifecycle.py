from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from scoring_builders import TODAY, complete_items

from scoring.domain import (
    MODEL_V1,
    CertificateState,
    InvalidTransition,
    Profile,
    award,
    complete_checkin,
    new_certificate_state,
    observe_score,
    renew,
    revoke,
    score,
    tick,
    verification_status,
)
from scoring.domain.lifecycle import add_years

pytestmark = pytest.mark.unit

AWARDED = datetime(2024, 6, 1, 10, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def at(self, day: date) -> datetime:
        self.now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
        return self.now


def verified_score():
    return score(MODEL_V1, Profile("lib1"), complete_items("approved"), 25, TODAY)


def certified_state(cert_id="c0ffee"):
    state, _ = observe_score(new_certificate_state("lib1"), verified_score(), AWARDED)
    state, _ = award(state, verified_score(), awarded_by="assessor-1", now=AWARDED, certificate_id=cert_id)
    return state


def types(events):
    return [(e.type, e.payload.get("days_before")) for e in events]


def test_progress_states_follow_the_score_and_readiness_is_announced_once():
    state = new_certificate_state("lib1")
    in_progress = score(MODEL_V1, Profile("lib1"), complete_items("submitted")[:3], 25, TODAY)
    state, events = observe_score(state, in_progress, AWARDED)
    assert (state.status, events) == ("in_progress", [])
    ready = score(MODEL_V1, Profile("lib1"), complete_items("submitted"), 25, TODAY)
    state, events = observe_score(state, ready, AWARDED, library_name="Roskilde Bibliotek")
    assert state.status == "ready_for_review"
    assert events[0].type == "library.ready_for_review"
    assert events[0].payload == {
        "library_id": "lib1",
        "library_name": "Roskilde Bibliotek",
        "model_version": 1,
        "overall": 1.0,
    }
    assert observe_score(state, ready, AWARDED) == (state, [])


def test_award_needs_readiness_and_approved_evidence():
    with pytest.raises(InvalidTransition):
        award(new_certificate_state("lib1"), verified_score(), awarded_by="a", now=AWARDED)
    provisional = score(MODEL_V1, Profile("lib1"), complete_items("submitted"), 25, TODAY)
    state, _ = observe_score(new_certificate_state("lib1"), provisional, AWARDED)
    with pytest.raises(InvalidTransition) as caught:
        award(state, provisional, awarded_by="a", now=AWARDED)
    assert "godkendt dokumentation" in caught.value.message_da


def test_award_gives_a_uuid_certificate_valid_three_years():
    state, _ = observe_score(new_certificate_state("lib1"), verified_score(), AWARDED)
    state, [event] = award(state, verified_score(), awarded_by="assessor-1", now=AWARDED)
    assert len(state.certificate_id) == 32 and int(state.certificate_id, 16) >= 0
    assert (state.status, state.valid_until) == ("certified", "2027-06-01")
    assert event.type == "certificate.awarded"
    assert event.payload["valid_until"] == "2027-06-01" and event.payload["awarded_by"] == "assessor-1"
    assert verification_status(state, AWARDED) == "valid"


def test_a_whole_three_year_cycle_with_check_ins_and_renewal():
    clock = FakeClock(AWARDED)
    state = certified_state()
    assert tick(state, clock.at(date(2025, 4, 1))) == (state, [])  # 61 days before: quiet
    state, events = tick(state, clock.at(date(2025, 4, 2)))
    assert types(events) == [("certificate.checkin_due", 60)] and state.status == "checkin_due"
    assert events[0].payload["due_on"] == "2025-06-01"
    assert verification_status(state, clock.now) == "checkin_due"
    again, events = tick(state, clock.at(date(2025, 4, 2)))
    assert (again, events) == (state, [])
    state, events = tick(state, clock.at(date(2025, 5, 18)))
    assert types(events) == [("certificate.checkin_due", 14)]
    state, events = complete_checkin(state, by="coordinator", now=clock.at(date(2025, 5, 20)))
    assert state.status == "certified" and types(events) == [("certificate.checked_in", None)]
    assert tick(state, clock.at(date(2025, 6, 1))) == (state, [])

    state, events = tick(state, clock.at(date(2026, 5, 1)))
    assert types(events) == [("certificate.checkin_due", 60)]
    state, _ = complete_checkin(state, by="coordinator", now=clock.at(date(2026, 5, 2)))

    state, events = tick(state, clock.at(date(2027, 4, 15)))
    assert types(events) == [("certificate.checkin_due", 60)] and events[0].payload["due_on"] == "2027-06-01"
    with pytest.raises(InvalidTransition) as caught:
        complete_checkin(state, by="coordinator", now=clock.now)
    assert "fornyes" in caught.value.message_da
    state, events = renew(
        state,
        renewed_by="assessor-1",
        now=clock.at(date(2027, 5, 10)),
        action_plan_approved_at="2027-05-01T12:00:00+00:00",
    )
    assert types(events) == [("certificate.renewed", None)]
    assert (state.status, state.cycle, state.valid_until, state.certificate_id) == (
        "certified",
        2,
        "2030-05-10",
        "c0ffee",
    )
    state, events = tick(state, clock.at(date(2028, 3, 11)))
    assert types(events) == [("certificate.checkin_due", 60)] and events[0].payload["due_on"] == "2028-05-10"


def test_a_missed_check_in_lapses_after_the_grace_period_exactly_once():
    clock = FakeClock(AWARDED)
    state = certified_state()
    state, events = tick(state, clock.at(date(2025, 5, 25)))  # first tick is late: only the urgent reminder
    assert types(events) == [("certificate.checkin_due", 14)]
    assert tick(state, clock.at(date(2025, 5, 26))) == (state, [])
    assert tick(state, clock.at(date(2025, 7, 1)))[0].status == "checkin_due"  # due + 30 days: still grace
    state, events = tick(state, clock.at(date(2025, 7, 2)))
    assert state.status == "lapsed" and types(events) == [("certificate.lapsed", None)]
    assert tick(state, clock.at(date(2025, 7, 2))) == (state, [])
    assert tick(state, clock.at(date(2026, 1, 1))) == (state, [])
    assert verification_status(state, clock.now) == "lapsed"


def test_a_lapsed_certificate_is_renewed_only_with_an_action_plan_approved_after_the_award():
    state, _ = tick(certified_state(), datetime(2025, 8, 1, tzinfo=UTC))
    assert state.status == "lapsed"
    now = datetime(2025, 9, 1, tzinfo=UTC)
    for plan in (None, "2024-05-01T00:00:00+00:00", "2024-06-01T15:00:00+00:00"):
        with pytest.raises(InvalidTransition):
            renew(state, renewed_by="a", now=now, action_plan_approved_at=plan)
    state, events = renew(state, renewed_by="a", now=now, action_plan_approved_at="2025-08-20T00:00:00+00:00")
    assert (state.status, state.valid_until) == ("certified", "2028-09-01")
    assert verification_status(state, now) == "valid"


def test_renewal_is_refused_in_the_middle_of_a_cycle():
    with pytest.raises(InvalidTransition):
        renew(
            certified_state(),
            renewed_by="a",
            now=datetime(2025, 1, 1, tzinfo=UTC),
            action_plan_approved_at="2024-12-01",
        )


def test_a_command_ticks_first_so_a_late_scheduler_does_not_matter():
    # No tick has run; the coordinator checks in inside the window: the reminder is emitted with it.
    state, events = complete_checkin(certified_state(), by="c", now=datetime(2025, 5, 30, tzinfo=UTC))
    assert types(events) == [("certificate.checkin_due", 14), ("certificate.checked_in", None)]


def test_check_in_outside_its_window_is_refused():
    with pytest.raises(InvalidTransition):
        complete_checkin(certified_state(), by="c", now=datetime(2024, 12, 1, tzinfo=UTC))


def test_ticking_every_day_for_three_years_emits_each_reminder_once():
    state, clock, emitted = certified_state(), FakeClock(AWARDED), Counter()
    day = date(2024, 6, 1)
    while day <= date(2027, 8, 1):
        for _ in range(2):  # the scheduler may fire twice the same day
            state, events = tick(state, clock.at(day))
            emitted.update((e.type, e.payload.get("due_on"), e.payload.get("days_before")) for e in events)
        if day in (date(2025, 5, 1), date(2026, 5, 20)):
            state, _ = complete_checkin(state, by="c", now=clock.now)
        day += timedelta(days=1)
    assert emitted == Counter(
        {
            ("certificate.checkin_due", "2025-06-01", 60): 1,
            ("certificate.checkin_due", "2026-06-01", 60): 1,
            ("certificate.checkin_due", "2026-06-01", 14): 1,
            ("certificate.checkin_due", "2027-06-01", 60): 1,
            ("certificate.checkin_due", "2027-06-01", 14): 1,
            ("certificate.lapsed", "2027-06-01", None): 1,
        }
    )
    assert state.status == "lapsed"


def test_revocation_ends_everything_and_needs_a_reason():
    state = certified_state()
    with pytest.raises(InvalidTransition):
        revoke(state, revoked_by="a", reason=" ", now=AWARDED)
    state, [event] = revoke(state, revoked_by="assessor-1", reason="Falsk dokumentation", now=AWARDED)
    assert state.status == "revoked" and event.payload["reason"] == "Falsk dokumentation"
    assert tick(state, datetime(2030, 1, 1, tzinfo=UTC)) == (state, [])
    assert verification_status(state, AWARDED) == "revoked"
    with pytest.raises(InvalidTransition):
        revoke(state, revoked_by="a", reason="igen", now=AWARDED)


def test_verification_of_a_library_without_certificate_is_unknown():
    assert verification_status(None, AWARDED) == "unknown"
    assert verification_status(new_certificate_state("lib1"), AWARDED) == "unknown"


def test_leap_day_anniversaries_fall_on_the_28th():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_certificate_state_survives_a_round_trip_through_a_plain_dict():
    state, _ = tick(certified_state(), datetime(2025, 5, 1, tzinfo=UTC))
    assert CertificateState.from_dict(state.to_dict()) == state
