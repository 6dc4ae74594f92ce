"""The vendor's review deadline, counted in business days (Monday to Friday)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

DAY = timedelta(days=1)


def _is_business_day(moment: datetime) -> bool:
    return moment.weekday() < 5


def _next_business_start(moment: datetime) -> datetime:
    """`moment` itself on a weekday; otherwise midnight of the next Monday."""
    if _is_business_day(moment):
        return moment
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    while not _is_business_day(day):
        day += DAY
    return day


def add_business_days(start: datetime, days: int) -> datetime:
    """Friday 15:00 + 2 → Tuesday 15:00; Saturday 10:00 + 2 → Wednesday 00:00 (clock starts Monday)."""
    start = timezone.localtime(start)
    moment = _next_business_start(start)
    remaining = days
    while remaining > 0:
        moment += DAY
        if _is_business_day(moment):
            remaining -= 1
    return moment


def business_seconds_between(start: datetime, end: datetime) -> float:
    """Seconds of business time from start to end (negative when end is earlier)."""
    if end < start:
        return -business_seconds_between(end, start)
    start, end = timezone.localtime(start), timezone.localtime(end)
    total = 0.0
    cursor = start
    while cursor < end:
        next_midnight = (cursor + DAY).replace(hour=0, minute=0, second=0, microsecond=0)
        segment_end = min(next_midnight, end)
        if _is_business_day(cursor):
            total += (segment_end - cursor).total_seconds()
        cursor = segment_end
    return total


def time_left(due: datetime | None, now: datetime | None = None) -> dict | None:
    """{'breached': bool, 'days': int, 'hours': int} of business time until (or past) `due`."""
    if due is None:
        return None
    seconds = business_seconds_between(now or timezone.now(), due)
    breached = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(int(seconds), 86400)
    return {"breached": breached, "days": days, "hours": rest // 3600, "seconds": seconds if not breached else -seconds}
