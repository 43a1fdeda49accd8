"""The assessors' digest goes out on working days only, by the clock in Copenhagen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from notification.domain.schedule import digest_due, is_digest_day

pytestmark = pytest.mark.unit

# 2025-03-10 is a Monday.
WEEK = [date(2025, 3, 10 + offset) for offset in range(7)]


def test_the_digest_goes_out_monday_to_friday_and_not_at_the_weekend():
    assert [is_digest_day(day) for day in WEEK] == [True, True, True, True, True, False, False]


# Hours are UTC; March 2025 before the 30th is winter time in Denmark (UTC+1).
@pytest.mark.parametrize(("day", "hour", "due"), [
    (10, 5, False),  # Monday 06:00 in Copenhagen: before the digest hour
    (10, 6, True),  # Monday 07:00 in Copenhagen
    (14, 22, True),  # Friday 23:00 in Copenhagen
    (14, 23, False),  # Friday 23:00 UTC is Saturday 00:00 in Copenhagen
    (15, 8, False),  # Saturday
    (16, 12, False),  # Sunday
    (16, 23, False),  # Sunday 23:00 UTC is Monday 00:00 in Copenhagen, before the digest hour
])  # fmt: skip
def test_the_digest_is_due_on_a_working_day_from_the_digest_hour(day, hour, due):
    assert digest_due(datetime(2025, 3, day, hour, tzinfo=UTC), 7) is due


@pytest.mark.parametrize(("hour", "due"), [(4, False), (5, True)])
def test_in_summer_the_digest_hour_is_two_hours_after_utc(hour, due):
    # 2025-06-09 is a Monday; Denmark is on summer time (UTC+2).
    assert digest_due(datetime(2025, 6, 9, hour, tzinfo=UTC), 7) is due
