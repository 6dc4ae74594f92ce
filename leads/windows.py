"""The accept window: hours counted on the clock, or only on business days like the deal SLA
(Monday to Friday, whole days, the portal's time zone), so a lead offered on Friday evening is
not lost over the weekend."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

REMINDER_BEFORE = timedelta(hours=4)


def _next_midnight(moment: datetime) -> datetime:
    return (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def add_business_hours(start: datetime, hours: float) -> datetime:
    """Friday 20:00 + 48 h -> Tuesday 20:00; Saturday 10:00 + 4 h -> Monday 04:00."""
    moment = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    while True:
        if moment.weekday() >= 5:  # the clock stands still at the weekend
            moment = _next_midnight(moment)
            continue
        today_left = _next_midnight(moment) - moment
        if remaining <= today_left:
            return moment + remaining
        remaining -= today_left
        moment = _next_midnight(moment)


def accept_deadline(start: datetime, hours: int, *, business_hours: bool) -> datetime:
    return add_business_hours(start, hours) if business_hours else start + timedelta(hours=hours)


def reminder_due(accept_by: datetime) -> datetime:
    """When the 'expires soon' reminder goes out (four hours on the clock before the deadline)."""
    return accept_by - REMINDER_BEFORE
