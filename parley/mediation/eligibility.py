"""Can this mediator, or this venue, take this session? Each check answers with the reason it cannot
(a sentence for the coordinator), or None when it can."""

from __future__ import annotations

import datetime as dt

from parley.mediation.models import MediationSession, Mediator, SessionStatus, Venue

# Mediators and the room need a pause between sessions.
BUFFER = dt.timedelta(minutes=30)


# No session is longer than this; it bounds the search for overlaps.
LONGEST_SESSION = dt.timedelta(hours=8)


def _overlaps(sessions, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    """Whether a scheduled session overlaps [starts_at, ends_at), counting the buffer after each."""
    nearby = sessions.filter(
        status=SessionStatus.SCHEDULED,
        starts_at__lt=ends_at + BUFFER,
        starts_at__gt=starts_at - LONGEST_SESSION - BUFFER,
    ).values_list("starts_at", "duration_minutes")
    return any(
        start < ends_at + BUFFER and start + dt.timedelta(minutes=minutes) + BUFFER > starts_at
        for start, minutes in nearby
    )


def mediator_problem(mediator: Mediator, *, complaint, starts_at: dt.datetime, ends_at: dt.datetime) -> str | None:
    if not mediator.active:
        return f"{mediator} is not an active mediator."
    if mediator.former_law_enforcement:
        return f"{mediator} has worked in law enforcement and cannot mediate police cases."
    if mediator.certified_until is not None and mediator.certified_until < starts_at.date():
        return f"{mediator}'s certification lapses before the session."
    if _overlaps(MediationSession.objects.filter(mediators=mediator), starts_at, ends_at):
        return f"{mediator} has another session at that time."
    month_count = MediationSession.objects.filter(
        mediators=mediator,
        starts_at__year=starts_at.year,
        starts_at__month=starts_at.month,
        status__in=[SessionStatus.SCHEDULED, SessionStatus.HELD],
    ).count()
    if month_count >= mediator.monthly_case_limit:
        return f"{mediator} already has {month_count} sessions that month (limit {mediator.monthly_case_limit})."
    return None


def venue_problem(venue: Venue, *, starts_at: dt.datetime, ends_at: dt.datetime) -> str | None:
    if not venue.active:
        return f"{venue} is not an active venue."
    if venue.is_video:
        return None
    if _overlaps(MediationSession.objects.filter(venue=venue), starts_at, ends_at):
        return f"{venue} is booked at that time."
    return None
