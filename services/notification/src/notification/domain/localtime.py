"""Danish local time: which day and hour it is where the libraries are (Europe/Copenhagen).

Timestamps are stored and travel in UTC. What a person reads or what follows the Danish calendar
is told in Copenhagen time: the days left to a deadline ("i dag", "i morgen", "om 3 dage"), the
day a reminder is planned for and the assessors' digest's weekday and hour. 23:30 UTC is already
the next day in Copenhagen (UTC+1 in winter, UTC+2 in summer).

`zoneinfo` reads the system's time zone database (/usr/share/zoneinfo on Debian) and falls back
to the `tzdata` package, a dependency of this service, where an image has none.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


def local_time(moment: datetime) -> datetime:
    """Return a moment as Copenhagen wall-clock time; a naive datetime is taken as UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TZ)


def local_day(moment: datetime | date) -> date:
    """Return the Copenhagen calendar day of a moment (a date is already a day)."""
    if isinstance(moment, datetime):
        return local_time(moment).date()
    return moment
