"""Days and hours are told in Copenhagen: 23:30 UTC is already tomorrow there (winter +1, summer +2)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from notification.domain.localtime import LOCAL_TZ, local_day, local_time
from notification.domain.messages import days_until, format_date, render

pytestmark = pytest.mark.unit

PUBLIC_URL = "https://portal.example.dk"
CONTEXT = {"library_id": "L1", "library_name": "Aarhus", "item_id": "E1", "title": "Reparationscafé",
           "message": "?", "deadline": "2025-03-12", "submitter_name": "Mads", "planned_on": None}


@pytest.mark.parametrize(("moment", "day"), [
    (datetime(2025, 1, 15, 22, 59, tzinfo=UTC), date(2025, 1, 15)),  # winter: 23:59 in Copenhagen
    (datetime(2025, 1, 15, 23, 0, tzinfo=UTC), date(2025, 1, 16)),  # winter: midnight in Copenhagen
    (datetime(2025, 1, 15, 23, 30, tzinfo=UTC), date(2025, 1, 16)),
    (datetime(2025, 7, 15, 21, 59, tzinfo=UTC), date(2025, 7, 15)),  # summer: 23:59 in Copenhagen
    (datetime(2025, 7, 15, 22, 0, tzinfo=UTC), date(2025, 7, 16)),  # summer: midnight in Copenhagen
    (datetime(2025, 7, 15, 23, 30, tzinfo=UTC), date(2025, 7, 16)),
    (datetime(2025, 3, 29, 23, 30, tzinfo=UTC), date(2025, 3, 30)),  # the night summer time begins
    (datetime(2025, 10, 25, 22, 30, tzinfo=UTC), date(2025, 10, 26)),  # the night it ends
    (datetime(2025, 1, 15, 23, 30), date(2025, 1, 16)),  # naive: taken as UTC
    (date(2025, 1, 15), date(2025, 1, 15)),  # a day is already a day
])  # fmt: skip
def test_the_local_day_is_the_day_in_copenhagen(moment, day):
    assert local_day(moment) == day


def test_local_time_follows_winter_and_summer_time():
    assert local_time(datetime(2025, 1, 15, 12, 0, tzinfo=UTC)).hour == 13
    assert local_time(datetime(2025, 7, 15, 12, 0, tzinfo=UTC)).hour == 14
    assert local_time(datetime(2025, 7, 15, 12, 0, tzinfo=UTC)).tzinfo is LOCAL_TZ


@pytest.mark.parametrize(("moment", "days"), [
    (datetime(2025, 3, 10, 22, 59, tzinfo=UTC), 2),  # 23:59 on the 10th in Copenhagen
    (datetime(2025, 3, 10, 23, 30, tzinfo=UTC), 1),  # 00:30 on the 11th in Copenhagen
    (datetime(2025, 3, 11, 23, 30, tzinfo=UTC), 0),
])  # fmt: skip
def test_days_left_are_counted_from_the_day_in_copenhagen(moment, days):
    assert days_until("2025-03-12", moment) == days


@pytest.mark.parametrize(("sent_at", "danish", "english"), [
    (datetime(2025, 3, 10, 23, 30, tzinfo=UTC), "Fristen er 12. marts 2025, i morgen.",
     "The deadline is 12 March 2025, tomorrow."),
    (datetime(2025, 3, 11, 23, 30, tzinfo=UTC), "Fristen er 12. marts 2025, i dag.",
     "The deadline is 12 March 2025, today."),
])  # fmt: skip
def test_a_reminder_sent_at_half_past_eleven_utc_speaks_of_the_next_day(sent_at, danish, english):
    for language, sentence in (("da", danish), ("en", english)):
        assert sentence in render("clarification_deadline_soon", language, CONTEXT, PUBLIC_URL,
                                  today=local_day(sent_at)).text


def test_in_summer_the_day_turns_at_ten_pm_utc():
    context = {**CONTEXT, "deadline": "2025-06-12"}
    before = render("clarification_deadline_soon", "da", context, PUBLIC_URL,
                    today=local_day(datetime(2025, 6, 10, 21, 59, tzinfo=UTC)))
    after = render("clarification_deadline_soon", "da", context, PUBLIC_URL,
                   today=local_day(datetime(2025, 6, 10, 22, 0, tzinfo=UTC)))
    assert "Fristen er 12. juni 2025, om 2 dage." in before.text
    assert "Fristen er 12. juni 2025, i morgen." in after.text


def test_a_moment_is_shown_as_its_day_in_copenhagen_and_a_day_as_itself():
    assert format_date("2025-03-14T23:30:00Z") == "15. marts 2025"
    assert format_date("2025-03-14T23:30:00+00:00", "en") == "15 March 2025"
    assert format_date("2025-07-14T21:30:00Z") == "14. juli 2025"
    assert format_date("2025-03-14") == "14. marts 2025"
    assert format_date(date(2025, 3, 14)) == "14. marts 2025"
    assert format_date("someday") == "someday"
