"""The assessors' digest goes out on working days only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from notification.domain.schedule import digest_due, is_digest_day

pytestmark = pytest.mark.unit

# 2025-03-10 is a Monday.
WEEK = [date(2025, 3, 10 + offset) for offset in range(7)]


def test_the_digest_goes_out_monday_to_friday_and_not_at_the_weekend():
    assert [is_digest_day(day) for day in WEEK] == [True, True, True, True, True, False, False]


@pytest.mark.parametrize(("day", "hour", "due"), [
    (10, 6, False),  # Monday before the digest hour
    (10, 7, True),
    (14, 23, True),  # Friday evening
    (15, 8, False),  # Saturday
    (16, 12, False),  # Sunday
])  # fmt: skip
def test_the_digest_is_due_on_a_working_day_from_the_digest_hour(day, hour, due):
    assert digest_due(datetime(2025, 3, day, hour, tzinfo=UTC), 7) is due
