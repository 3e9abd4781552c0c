"""Due dates from the program policy's day counts."""

from __future__ import annotations

import datetime as dt

from parley.policies.models import DeadlineCalendar, ProgramPolicy


def add_days(policy: ProgramPolicy, start: dt.date, days: int) -> dt.date:
    """``days`` after ``start``, counted the way the policy counts (calendar or business days)."""
    if policy.deadline_calendar == DeadlineCalendar.CALENDAR:
        return start + dt.timedelta(days=days)
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
