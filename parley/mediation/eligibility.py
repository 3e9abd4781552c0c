"""Can this mediator, or this venue, take this session? Each check answers with the reason it cannot
(a sentence for the coordinator), or None when it can."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from parley.cases.models import IN_THE_ROOM, NOT_ASKED, language_name
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
    if problem := _mediator_itself_problem(mediator, starts_at):
        return problem
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


def in_the_room(complaint) -> list:
    """The complaint's people who come into the session's room (its parties as read already, if they were)."""
    return [p for p in complaint.parties.all() if p.kind in IN_THE_ROOM and not p.anonymous]


def not_asked(complaint) -> list:
    """The people in the room whose preferred language nobody has asked yet: no team can be matched to them."""
    return [p for p in in_the_room(complaint) if p.preferred_language == NOT_ASKED]


def language_not_asked_problem(complaint) -> str | None:
    if unasked := not_asked(complaint):
        return (
            f"Nobody has asked {', '.join(p.display_name for p in unasked)} which language they prefer: ask, and "
            "correct their details on the complaint page (“Correct the details”), then book."
        )
    return None


def language_problem(complaint, team: list[Mediator], *, interpreter_booked: bool) -> str | None:
    """SCHEDULING.md's language rule: each person in the room speaks with a mediator of the team, or an
    interpreter is booked (the coordinator says so when booking). A language not asked meets neither."""
    if unasked := language_not_asked_problem(complaint):
        return unasked
    return spoken_language_problem(complaint, team, interpreter_booked=interpreter_booked)


def spoken_language_problem(complaint, team: list[Mediator], *, interpreter_booked: bool) -> str | None:
    """The language rule for the people whose language is known."""
    if interpreter_booked:
        return None
    people = [p for p in in_the_room(complaint) if p.preferred_language != NOT_ASKED]
    spoken = {code for m in team for code in (m.languages or ["en"])}
    unmet = [p for p in people if p.preferred_language not in spoken]
    if not unmet:
        return None
    who = ", ".join(f"{p.display_name} ({language_name(p.preferred_language)})" for p in unmet)
    return (
        f"Nobody on the team speaks the language of {who}: choose a mediator who does, or book an interpreter "
        "and tick “An interpreter is booked”."
    )


def venue_problem(
    venue: Venue, *, starts_at: dt.datetime, ends_at: dt.datetime, complaint=None, team_size: int = 0
) -> str | None:
    """With ``complaint``, also the room itself (SCHEDULING.md's hard rules): a person in the room with an
    accessibility need is not sent to a venue that is not accessible, and everyone fits (the parties
    in the room, their interpreters, the officers who take part and the ``team_size`` mediators)."""
    if not venue.active:
        return f"{venue} is not an active venue."
    if venue.is_video:
        return None
    problems = []
    if _overlaps(MediationSession.objects.filter(venue=venue), starts_at, ends_at):
        problems.append(f"{venue} is booked at that time.")
    if complaint is not None:
        problems += _room_problems(venue, complaint, team_size)
    return " ".join(problems) or None


def _room_problems(venue: Venue, complaint, team_size: int) -> list[str]:
    """The room against the people of ``complaint``: step-free access where someone needs it, and space."""
    people = in_the_room(complaint)
    problems = []
    if not venue.accessible:
        problems += [
            f"{venue} is not step-free, and {person.display_name} needs step-free access: choose an accessible "
            "venue or a video session."
            for person in people
            if person.needs_step_free
        ]
    officers = [o for o in complaint.officers.all() if o.identified and o.takes_part]
    interpreters = sum(1 for p in people if p.needs_interpreter or p.needs_asl)
    room_count = len(people) + interpreters + len(officers) + team_size
    if room_count > venue.capacity:
        problems.append(f"{venue} holds {venue.capacity} people; {room_count} will be in the room.")
    return problems


# What a reader outside the mediation center is told of a mediator who can no longer take a session: why
# (a police past, a certification, a deactivation) is what the center knows of its volunteers.
TEAM_CHANGED = "Someone on the mediator team can no longer take this session."


def booked_session_problems(session: MediationSession, *, center: bool = True) -> list[str]:
    """What no longer suits in a session already booked, as its people, its room and its team are now (a
    need or a language corrected since the booking, a venue or a mediator changed in the admin): the room,
    the team's languages, a venue or a mediator no longer active, a certification that lapses first. Not
    the time: the booking checked that, and none of these changes it. Reads the session's complaint (with
    its people and officers), venue and mediators, as the caller has read them. ``center``: written for the
    mediation center; for anyone else, what is wrong with a mediator is one sentence (``TEAM_CHANGED``)."""
    complaint = session.complaint  # (the page sets it to the complaint it has read, people and all)
    team = list(session.mediators.all())
    problems = []
    venue = session.venue
    if venue is not None and not venue.active:
        problems.append(f"{venue} is not an active venue.")
    elif venue is not None and not venue.is_video:
        problems += _room_problems(venue, complaint, len(team))
    team_problems = [problem for mediator in team if (problem := _mediator_itself_problem(mediator, session.starts_at))]
    problems += team_problems if center or not team_problems else [TEAM_CHANGED]
    if language := language_problem(complaint, team, interpreter_booked=session.interpreter_booked):
        problems.append(language)
    return problems


def _mediator_itself_problem(mediator: Mediator, starts_at: dt.datetime) -> str | None:
    """The checks of the mediator alone, not of their other sessions: what the admin may also change after a
    booking."""
    if not mediator.active:
        return f"{mediator} is not an active mediator."
    if mediator.former_law_enforcement:
        return f"{mediator} has worked in law enforcement and cannot mediate police cases."
    if mediator.certified_until is not None and mediator.certified_until < timezone.localdate(starts_at):
        return f"{mediator}'s certification lapses before the session."
    return None


# Sessions checked at a time by ``recheck_bookings``: the parameters of its reads stay within what every
# database takes (SQLite's limit is 32,766), however many sessions are booked.
RECHECK_BATCH = 500


def recheck_bookings(sessions: QuerySet[MediationSession], *, write: bool = True) -> list[int]:
    """Check the scheduled sessions among ``sessions`` again (``booked_session_problems``) and set each one's
    ``no_longer_suits`` to the answer; returns the keys of those whose flag was wrong (``write=False``: only
    returns them). Called wherever what a booking was checked against changes: a person's details corrected
    (``services.party_correct``), a venue or a mediator saved (``signals``); ``manage.py refresh_queues``
    mends the rest. One query for the sessions' keys (which locks them, for a ``select_for_update``), then
    four reads and up to two writes per ``RECHECK_BATCH`` sessions."""
    from django.db.models import Prefetch

    from parley.cases.models import ComplaintOfficer, Party

    db = sessions.db
    keys = list(sessions.filter(status=SessionStatus.SCHEDULED).order_by("pk").values_list("pk", flat=True))
    wrong: list[int] = []
    for start in range(0, len(keys), RECHECK_BATCH):
        batch = (
            MediationSession.objects.using(db)
            .filter(pk__in=keys[start : start + RECHECK_BATCH])
            .select_related("venue", "complaint")
            .prefetch_related(
                "mediators",
                Prefetch("complaint__parties", queryset=Party.objects.using(db).order_by("id")),
                Prefetch("complaint__officers", queryset=ComplaintOfficer.objects.using(db).order_by("id")),
            )
        )
        changed: dict[bool, list[int]] = {True: [], False: []}
        for session in batch:
            unsuited = bool(booked_session_problems(session))
            if unsuited != session.no_longer_suits:
                changed[unsuited].append(session.pk)
        if write:
            for unsuited, pks in changed.items():
                if pks:
                    MediationSession.objects.using(db).filter(pk__in=pks).update(no_longer_suits=unsuited)
        wrong += changed[True] + changed[False]
    return sorted(wrong)


def recheck_bookings_locked(sessions: QuerySet[MediationSession], *, write: bool = True) -> list[int]:
    """``recheck_bookings``, the sessions' complaints locked first (in a transaction: the caller's, or one of
    its own), as a correction of their people locks them: one in progress is read once it has committed, and
    one that starts later waits (mediation/signals.py). For the checks made outside a workflow step: a venue
    or a mediator saved, ``manage.py refresh_queues``."""
    from django.db import transaction

    from parley.cases.models import Complaint

    with transaction.atomic(using=sessions.db):
        if write:
            scheduled = sessions.filter(status=SessionStatus.SCHEDULED).values("complaint_id")
            complaints = Complaint.objects.using(sessions.db).select_for_update().filter(pk__in=scheduled)
            list(complaints.order_by("pk").values_list("pk", flat=True))  # (locked until the transaction ends)
        return recheck_bookings(sessions, write=write)
