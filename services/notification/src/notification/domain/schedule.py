"""When the scheduler's mail is due: the assessors' digest goes out on working days only.

Weekday and hour are Copenhagen time (`localtime`): the digest hour is the hour a Danish
assessor reads on the clock, and a Friday 23:30 UTC run is already Saturday in Denmark.

Submissions that arrive on a Saturday or Sunday simply stay undigested and are listed in Monday's
digest, so nothing is lost by skipping the weekend.
"""

from __future__ import annotations

from datetime import date, datetime

from notification.domain.localtime import local_time

SATURDAY = 5  # date.weekday(): Monday is 0


def is_digest_day(day: date) -> bool:
    """Tell whether the assessors' digest goes out on this day (Monday to Friday)."""
    return day.weekday() < SATURDAY


def digest_due(now: datetime, digest_hour: int) -> bool:
    """Tell whether today's digest may be planned now: a working day, from the digest hour on (Copenhagen)."""
    local = local_time(now)
    return is_digest_day(local.date()) and local.hour >= digest_hour
