"""When the scheduler's mail is due: the assessors' digest goes out on working days only.

Submissions that arrive on a Saturday or Sunday simply stay undigested and are listed in Monday's
digest, so nothing is lost by skipping the weekend.
"""

from __future__ import annotations

from datetime import date, datetime

SATURDAY = 5  # date.weekday(): Monday is 0


def is_digest_day(day: date) -> bool:
    """Tell whether the assessors' digest goes out on this day (Monday to Friday)."""
    return day.weekday() < SATURDAY


def digest_due(now: datetime, digest_hour: int) -> bool:
    """Tell whether today's digest may be planned now: a working day, from the digest hour (UTC) on."""
    return is_digest_day(now.date()) and now.hour >= digest_hour
