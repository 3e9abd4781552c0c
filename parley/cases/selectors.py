"""Reads about complaints that several pages and commands share."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Upper
from django.db.models.lookups import Regex
from django.utils import timezone
from django.utils.formats import date_format

from parley import reads
from parley.accounts.roles import Role
from parley.cases.labels import ACTION_LABELS, OPTIONAL_ACTIONS, identify_label
from parley.cases.models import (
    KEPT_QUEUES,
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintEvent,
    ComplaintOfficer,
    Deadline,
    Note,
    Officer,
    Party,
    ScreeningAnswer,
    waits_for,
)
from parley.cases.rows import queue_rows
from parley.cases.workflow import BY_ACTION, OPEN, TERMINAL, TRANSITIONS, Status, actions_for
from parley.crypto import blind_index, contact_kind
from parley.keyset import Condition, KeysetPage, Segment, keyset_page
from parley.mediation.models import Agreement, MediationSession, Mediator, SessionAttendance, SessionStatus, Venue
from parley.policies.models import ConsentOrder, ProgramPolicy


def open_deadlines() -> QuerySet[Deadline]:
    return Deadline.objects.open().filter(complaint__status__in=OPEN)


def overdue_deadlines(*, today: dt.date | None = None) -> QuerySet[Deadline]:
    """Deadlines not met by their due date, on complaints still open; the most overdue first."""
    today = today or timezone.localdate()
    return open_deadlines().filter(due_on__lt=today).select_related("complaint").order_by("due_on", "id")


def overdue_complaints(*, today: dt.date | None = None) -> QuerySet[Complaint]:
    """Open complaints with at least one missed deadline, the earliest (``next_due``) first."""
    today = today or timezone.localdate()
    return Complaint.objects.filter(status__in=OPEN, next_due__lt=today).order_by("next_due", "id")


def replay_status(complaint: Complaint) -> str:
    """The status that the complaint's event log leads to (it must equal ``complaint.status``)."""
    status = ""
    for from_status, to_status in (
        # insertion order is the order the actions were taken; clocks may disagree
        ComplaintEvent.objects.filter(complaint=complaint).order_by("id").values_list("from_status", "to_status")
    ):
        if from_status != status:
            raise ValueError(f"event from {from_status!r} does not follow {status!r}")
        status = to_status
    return status


# ---------------------------------------------------------------------------------------------
# Staff pages: the complaint page, the queue, the complaint list


def complaint_page_queryset() -> QuerySet[Complaint]:
    """The complaint as its page reads it: its own row; ``read_page_relations`` then adds everything
    else the page shows, its policy and who took it in included (a ``select_related`` of those two
    cost 1.8 ms of Django building the query: docs/benchmarks.md, twelfth round)."""
    return Complaint.objects.all()


# The complaint page's relations in SQL written once (parley/reads.py): Django took longer to build
# these queries than the database took to answer them. Each gives what a prefetch of the same
# relation in the same order would; a test compares the two for complaints at several steps.
_PARTY, _OFFICER, _ALLEGATION, _CATEGORY, _SCREENING, _DEADLINE, _EVENT = (
    model._meta.db_table
    for model in (Party, ComplaintOfficer, Allegation, AllegationCategory, ScreeningAnswer, Deadline, ComplaintEvent)
)
_SESSION, _VENUE, _AGREEMENT, _MEDIATOR, _ATTENDANCE = (
    model._meta.db_table for model in (MediationSession, Venue, Agreement, Mediator, SessionAttendance)
)
_USER = get_user_model()._meta.db_table
_SESSION_MEDIATORS = MediationSession.mediators.through._meta.db_table
_MEDIATORS_SESSION = MediationSession.mediators.field.m2m_column_name()  # the through table's columns
_MEDIATORS_MEDIATOR = MediationSession.mediators.field.m2m_reverse_name()
# The SQL below is built from strings (bandit B608): the names come from the models, every value is a parameter.
_PAGE_PARTIES_SQL = f"SELECT {reads.columns(Party, 'p')} FROM {_PARTY} p WHERE p.complaint_id = %s ORDER BY p.id"  # noqa: S608  # nosec B608
_PAGE_OFFICERS_SQL = (
    f"SELECT {reads.columns(ComplaintOfficer, 'o')}, {reads.columns(Allegation, 'a')},"  # noqa: S608  # nosec B608
    f" {reads.columns(AllegationCategory, 'c')} FROM {_OFFICER} o"
    f" LEFT JOIN {_ALLEGATION} a ON a.complaint_officer_id = o.id LEFT JOIN {_CATEGORY} c ON c.id = a.category_id"
    " WHERE o.complaint_id = %s ORDER BY o.id, a.id"
)
_PAGE_SCREENING_SQL = (
    f"SELECT {reads.columns(ScreeningAnswer, 's')} FROM {_SCREENING} s"  # noqa: S608  # nosec B608
    " WHERE s.complaint_id = %s ORDER BY s.id"
)
_PAGE_DEADLINES_SQL = (
    f"SELECT {reads.columns(Deadline, 'd')} FROM {_DEADLINE} d"  # noqa: S608  # nosec B608
    " WHERE d.complaint_id = %s ORDER BY d.due_on, d.id"
)
_PAGE_EVENTS_SQL = (
    f"SELECT {reads.columns(ComplaintEvent, 'e')}, {reads.columns(get_user_model(), 'u')}"  # noqa: S608  # nosec B608
    f" FROM {_EVENT} e LEFT JOIN {_USER} u ON u.id = e.actor_id"
    " WHERE e.complaint_id = %s ORDER BY e.created_at, e.id"
)
_PAGE_SESSIONS_SQL = (
    f"SELECT {reads.columns(MediationSession, 's')}, {reads.columns(Venue, 'v')},"  # noqa: S608  # nosec B608
    f" {reads.columns(Agreement, 'g')} FROM {_SESSION} s"
    f" LEFT JOIN {_VENUE} v ON v.id = s.venue_id LEFT JOIN {_AGREEMENT} g ON g.session_id = s.id"
    " WHERE s.complaint_id = %s ORDER BY s.starts_at, s.id"
)
_PAGE_MEDIATORS_SQL = (
    f"SELECT t.{_MEDIATORS_SESSION}, {reads.columns(Mediator, 'm')}, {reads.columns(get_user_model(), 'u')}"  # noqa: S608  # nosec B608
    f" FROM {_SESSION_MEDIATORS} t JOIN {_MEDIATOR} m ON m.id = t.{_MEDIATORS_MEDIATOR}"
    f" LEFT JOIN {_USER} u ON u.id = m.user_id"
    f" WHERE t.{_MEDIATORS_SESSION} IN (SELECT id FROM {_SESSION} WHERE complaint_id = %s)"
    " ORDER BY m.last_name, m.first_name, m.id"
)
_PAGE_ATTENDANCE_SQL = (
    f"SELECT {reads.columns(SessionAttendance, 'a')}, {reads.columns(Party, 'p')},"  # noqa: S608  # nosec B608
    f" {reads.columns(ComplaintOfficer, 'o')}, {reads.columns(Mediator, 'm')} FROM {_ATTENDANCE} a"
    f" LEFT JOIN {_PARTY} p ON p.id = a.party_id LEFT JOIN {_OFFICER} o ON o.id = a.officer_id"
    f" LEFT JOIN {_MEDIATOR} m ON m.id = a.mediator_id"
    f" WHERE a.session_id IN (SELECT id FROM {_SESSION} WHERE complaint_id = %s) ORDER BY a.id"
)

_PAGE_POLICY_SQL = f"SELECT {reads.columns(ProgramPolicy, 'p')} FROM {ProgramPolicy._meta.db_table} p WHERE p.id = %s"  # noqa: S608  # nosec B608
_PAGE_AUTHOR_SQL = f"SELECT {reads.columns(get_user_model(), 'u')} FROM {_USER} u WHERE u.id = %s"  # noqa: S608  # nosec B608

# ``notes.notes_for``: the notes one organisation may read, oldest first, with their authors
_PAGE_NOTES_SQL = (
    f"SELECT {reads.columns(Note, 'n')}, {reads.columns(get_user_model(), 'u')} FROM {Note._meta.db_table} n"  # noqa: S608  # nosec B608
    f" LEFT JOIN {_USER} u ON u.id = n.author_id"
    " WHERE n.complaint_id = %s AND n.organisation = %s ORDER BY n.created_at, n.id"
)


def _children(parent: Any, name: str, parent_field: str, rows: list[Any]) -> None:
    """``rows`` as ``parent.<name>.all()``, each pointing back at ``parent`` as a prefetch leaves them."""
    for row in rows:
        reads.set_related(row, parent_field, parent)
    reads.set_prefetched(parent, name, rows)


def read_page_relations(complaint: Complaint, *, notes_of: str | None = None) -> Complaint:
    """Everything the complaint page shows besides the complaint itself, whatever the length of its
    history: its policy and who took it in (as ``select_related`` leaves them), its parties, officers
    with their allegations, screening answers, due dates, events with who took them, and sessions with
    their venue, agreement, mediators and attendance (ten reads, in one round trip on PostgreSQL, as
    statements prepared on the connection). Survey responses are not read here (the confidentiality wall: the
    page reads them only for the roles that may, ``permissions.center_records``).

    ``notes_of``: an organisation whose notes to read too, in the same round trip, with their authors
    (``notes.notes_for``, for a reader the caller has checked may read notes); they are left on the
    complaint as ``organisation_notes``."""
    key = [complaint.pk]
    User = get_user_model()
    wanted = [
        reads.Read(_PAGE_PARTIES_SQL, key, (Party,)),
        reads.Read(_PAGE_OFFICERS_SQL, key, (ComplaintOfficer, Allegation, AllegationCategory)),
        reads.Read(_PAGE_SCREENING_SQL, key, (ScreeningAnswer,)),
        reads.Read(_PAGE_DEADLINES_SQL, key, (Deadline,)),
        reads.Read(_PAGE_EVENTS_SQL, key, (ComplaintEvent, User)),
        reads.Read(_PAGE_SESSIONS_SQL, key, (MediationSession, Venue, Agreement)),
        reads.Read(_PAGE_MEDIATORS_SQL, key, (Mediator, User), lead=1),
        reads.Read(_PAGE_ATTENDANCE_SQL, key, (SessionAttendance, Party, ComplaintOfficer, Mediator)),
    ]
    wanted.append(reads.Read(_PAGE_POLICY_SQL, [complaint.policy_id], (ProgramPolicy,)))
    # who took it in: none when it came in online (or their account was removed)
    wanted.append(reads.Read(_PAGE_AUTHOR_SQL, [complaint.created_by_id or 0], (User,)))
    if notes_of is not None:
        wanted.append(reads.Read(_PAGE_NOTES_SQL, [complaint.pk, notes_of], (Note, User)))
    found = reads.fetch_all(complaint._state.db or DEFAULT_DB_ALIAS, *wanted, prepared=True)
    parties, officers_alleged, screening, deadlines, events, sessions, mediators, attendance = found[:8]
    ((policy,),) = found[8]
    reads.set_related(complaint, "policy", policy)
    reads.set_related(complaint, "created_by", found[9][0][0] if found[9] else None)
    if notes_of is not None:
        for note, author in found[10]:
            reads.set_related(note, "author", author)
            reads.set_related(note, "complaint", complaint)
        complaint.organisation_notes = [note for note, _ in found[10]]
    _children(complaint, "parties", "complaint", [p for (p,) in parties])
    officers: list[ComplaintOfficer] = []
    alleged: dict[int, list[Allegation]] = {}
    for officer, allegation, category in officers_alleged:  # each officer once per allegation
        if not officers or officers[-1].pk != officer.pk:
            officers.append(officer)
            alleged[officer.pk] = []
        if allegation is not None:
            reads.set_related(allegation, "category", category)
            alleged[officer.pk].append(allegation)
    for officer in officers:
        _children(officer, "allegations", "complaint_officer", alleged[officer.pk])
    _children(complaint, "officers", "complaint", officers)
    _children(complaint, "screening_answers", "complaint", [a for (a,) in screening])
    _children(complaint, "deadlines", "complaint", [d for (d,) in deadlines])
    for event, actor in events:
        reads.set_related(event, "actor", actor)
    _children(complaint, "events", "complaint", [event for event, _ in events])
    for session, venue, agreement in sessions:
        reads.set_related(session, "venue", venue)
        reads.set_related(session, "agreement", agreement)
        if agreement is not None:
            reads.set_related(agreement, "session", session)
    _children(complaint, "sessions", "complaint", [session for session, _, _ in sessions])
    # Each read sees what was committed when it began: a session booked between the sessions' read and
    # these has mediators (or attendance) here but is not on the page, and they are left out with it.
    teams: dict[int, list[Mediator]] = {session.pk: [] for session, _, _ in sessions}
    for session_id, mediator, user in mediators:
        if session_id in teams:
            reads.set_related(mediator, "user", user)
            teams[session_id].append(mediator)
    present: dict[int, list[SessionAttendance]] = {session.pk: [] for session, _, _ in sessions}
    for row, party, officer, mediator in attendance:
        if row.session_id in present:
            reads.set_related(row, "party", party)
            reads.set_related(row, "officer", officer)
            reads.set_related(row, "mediator", mediator)
            present[row.session_id].append(row)
    for session, _, _ in sessions:
        reads.set_prefetched(session, "mediators", teams[session.pk])
        _children(session, "attendance", "session", present[session.pk])
    return complaint


TWIN_WITHIN = dt.timedelta(minutes=30)


ROSTER_MATCHES_SHOWN = 10


def roster_search(words: str) -> tuple[list[Officer], int]:
    """Officers of the roster matching what a complainant said of them (intake's "Find on the roster"):
    a DSN or badge number whole, or names, each word the start of a first or last name ("Rosa Lee",
    "lee", "Ro Le"). Active officers first, then by name; at most ``ROSTER_MATCHES_SHOWN``, and how many
    match in all."""
    terms = words.split()[:4]
    if not terms:
        return [], 0
    query = Q()
    for term in terms:
        query &= Q(first_name__istartswith=term) | Q(last_name__istartswith=term)
    if len(terms) == 1:
        query |= Q(dsn=terms[0]) | Q(badge=terms[0])
    ordered = Officer.objects.filter(query).order_by("-active", "last_name", "first_name", "dsn")
    found = list(ordered[: ROSTER_MATCHES_SHOWN + 1])
    total = ordered.count() if len(found) > ROSTER_MATCHES_SHOWN else len(found)  # counted only when cut short
    return found[:ROSTER_MATCHES_SHOWN], total


def recorded_a_moment_ago(user: Any, narrative: str, submission: uuid.UUID | None) -> Complaint | None:
    """A complaint this person recorded in the last half hour with the same account of what happened:
    most likely this very form, saved, then brought back by the browser's Back (which gives it a new
    token) and saved again. Not the complaint of this form's own token: that is a form sent twice, which
    the service answers (``AlreadyReceived``)."""
    since = timezone.now() - TWIN_WITHIN
    recent = Complaint.objects.filter(created_by=user, created_at__gte=since).order_by("-id")
    if submission is not None:
        recent = recent.exclude(intake_submission__token=submission)
    narrative = narrative.strip()
    return next(
        (c for c in recent.only("id", "reference", "created_at", "narrative") if c.narrative == narrative), None
    )


def outcome_waits(session: MediationSession) -> str:
    """Why the outcome of a session still to come cannot be recorded: "possible once the session has
    started, Nov 30, 2026 at 2:30 p.m." (dates as every page writes them)."""
    starts = timezone.localtime(session.starts_at)
    when = f"{date_format(starts, 'M j, Y')} at {date_format(starts, 'P')}"  # "2:30 p.m." has its stop
    return f"possible once the session has started, {when.removesuffix('.')}."


def current_session(complaint: Complaint) -> MediationSession | None:
    """The booked session of a scheduled complaint (from the prefetched sessions when there are any)."""
    sessions = [s for s in complaint.sessions.all() if s.status == SessionStatus.SCHEDULED]
    return max(sessions, key=lambda s: (s.starts_at, s.pk), default=None)


def approvals_of(complaint: Complaint) -> set[str]:
    """The roles that approved the complaint for mediation (read from the prefetched events)."""
    return {
        e.actor_role
        for e in complaint.events.all()
        if e.action == "complaint_decide_suitability" and (e.data or {}).get("appropriate") is True
    }


def _officer_consent_open(policy: ProgramPolicy, status: str) -> bool:
    if policy.officer_participation_mandatory:
        return False
    return status == Status.AWAITING_OFFICER_CONSENT or (
        status == Status.AWAITING_CHOICE and policy.consent_order == ConsentOrder.PARALLEL
    )


@dataclass(frozen=True)
class AvailableAction:
    action: str
    label: str
    officer: ComplaintOfficer | None = None


@dataclass(frozen=True)
class BlockedAction:
    action: str
    label: str
    reason: str


def available_actions(
    user: Any, complaint: Complaint, *, now: dt.datetime | None = None
) -> tuple[list[AvailableAction], list[BlockedAction]]:
    """What ``user`` can do to ``complaint`` right now, and what their role could do but cannot yet (why).

    Uses the complaint's prefetched officers, events and sessions (``read_page_relations``).
    The services check all of this again when the action is taken; this only decides which buttons show.
    """
    from parley.accounts.permissions import role_of

    now = now or timezone.now()
    role = role_of(user)
    policy = complaint.policy
    possible: list[AvailableAction] = []
    blocked: list[BlockedAction] = []
    for action in actions_for(complaint.status, role):
        label = ACTION_LABELS[action]
        if action == "complaint_acknowledge" and complaint.acknowledged_at is not None:
            continue
        if action == "complaint_decide_suitability":
            if role not in policy.suitability_deciders:
                continue
            if role in approvals_of(complaint):
                waiting = ", ".join(
                    Role(r).label for r in policy.suitability_deciders if r not in approvals_of(complaint)
                )
                blocked.append(BlockedAction(action, label, f"Your role has approved it. Waiting for: {waiting}."))
                continue
        if action in ("party_correct", "complaint_correct", "allegations_correct"):  # offered beside what they correct
            continue
        if action == "officer_identify":  # each officer only described, found on the roster before screening
            for officer in complaint.officers.all():
                if not officer.identified:
                    possible.append(AvailableAction(action, identify_label(officer.description), officer))
            continue
        if action == "officer_record_consent":
            if not _officer_consent_open(policy, complaint.status):
                continue
            for officer in complaint.officers.all():
                if officer.identified and not officer.consent:
                    possible.append(AvailableAction(action, f"{label}: {officer.display_name}", officer))
            continue
        if action == "session_record_outcome":
            session = current_session(complaint)
            if session is None:
                continue
            if role == Role.MEDIATOR and not any(m.user_id == user.pk for m in session.mediators.all()):
                continue
            if session.starts_at > now:
                blocked.append(BlockedAction(action, label, outcome_waits(session)))
                continue
        possible.append(AvailableAction(action, label))
    return possible, blocked


def waiting_on(complaint: Complaint) -> list[tuple[str, list[str]]]:
    """The next steps of the complaint and the roles that take them (prefetched events used)."""
    steps: list[tuple[str, list[str]]] = []
    policy = complaint.policy
    for t in TRANSITIONS:
        if complaint.status not in t.sources or t.action in OPTIONAL_ACTIONS:
            continue
        roles = sorted(t.roles)
        if t.action == "complaint_acknowledge" and complaint.acknowledged_at is not None:
            continue
        if t.action == "complaint_decide_suitability":
            approved = approvals_of(complaint)
            roles = [r for r in policy.suitability_deciders if r not in approved]
        if t.action == "officer_record_consent" and not _officer_consent_open(policy, complaint.status):
            continue
        if roles:
            steps.append((ACTION_LABELS[t.action], [Role(r).label for r in roles if r in Role.values]))
    return steps


def _steps_of(role: str) -> list[Any]:
    """The workflow's transitions that are due steps of ``role`` (not the optional actions)."""
    return [t for t in TRANSITIONS if role in t.roles and t.action not in OPTIONAL_ACTIONS]


STEP_POLICY_FIELDS = ("pk", "suitability_deciders", "officer_participation_mandatory", "consent_order")


def step_policies(using: str = DEFAULT_DB_ALIAS) -> dict[int, ProgramPolicy]:
    """Every program policy by key, with what decides whose steps are due (for the queue flags' conditions)."""
    return {p.pk: p for p in ProgramPolicy.objects.using(using).only(*STEP_POLICY_FIELDS)}


def _kept_condition(role: str, policies: list[ProgramPolicy]) -> Q | None:
    """The conditions under which a step of ``role`` is due (optional actions do not count), except an
    outcome, whose session must have started (a matter of the clock, read with the queue): where it
    holds, ``refresh_waiting`` sets the role's flag. None when no step of the role can wait."""
    conditions: list[Q] = []
    for t in _steps_of(role):
        sources = sorted(status for status in t.sources if status in OPEN)
        if t.action == "session_record_outcome":
            continue
        if t.action == "complaint_acknowledge":
            conditions.append(Q(status__in=sources, acknowledged_at__isnull=True))
        elif t.action == "complaint_decide_suitability":
            # due from each of the policy's deciders until that role has approved
            deciding = [p.pk for p in policies if role in p.suitability_deciders]
            if deciding:
                approved = ComplaintEvent.objects.filter(
                    complaint=OuterRef("pk"),
                    action="complaint_decide_suitability",
                    actor_role=role,
                    data__appropriate=True,
                )
                conditions.append(Q(status__in=sources, policy__in=deciding) & ~Exists(approved))
        elif t.action == "officer_record_consent":
            # asked where the officer may decline, of each identified officer who has not answered; beside
            # the complainant's choice only where the policy asks both sides in parallel
            optional = [p.pk for p in policies if not p.officer_participation_mandatory]
            if optional:
                parallel = [p.pk for p in policies if p.consent_order == ConsentOrder.PARALLEL]
                when = Q(status__in=[s for s in sources if s != Status.AWAITING_CHOICE])
                if Status.AWAITING_CHOICE in sources and parallel:
                    when |= Q(status=Status.AWAITING_CHOICE, policy__in=parallel)
                unanswered = ComplaintOfficer.objects.filter(complaint=OuterRef("pk"), consent="").exclude(dsn="")
                conditions.append(Q(policy__in=optional) & when & Exists(unanswered))
        else:
            conditions.append(Q(status__in=sources))
    return functools.reduce(operator.or_, conditions) if conditions else None


def _stale(role: str, condition: Q | None) -> Q:
    """The complaints whose flag of ``role`` disagrees with ``condition`` (its steps' conditions)."""
    flag = Q(**{waits_for(role): True})
    if condition is None:
        return flag
    return (flag & ~condition) | (~flag & condition)


def refresh_waiting(complaints: QuerySet[Complaint], *, only_stale: bool = False) -> int:
    """Set the "waits for" flags of ``complaints`` (``Complaint.waits_for_<role>``) from the conditions
    under which each role's steps are due, in one statement; returns how many complaints it read.

    The workflow calls it after every step (``services``), the program policies' signal for the
    complaints of a policy that changed, the demo data's writer after each batch, and
    ``manage.py refresh_queues`` on demand. Whatever changes a condition's inputs (a complaint's status,
    its acknowledgement, its officers' answers, a suitability decision, a policy) without a step must
    call it too: ``stale_waiting`` finds the complaints it missed. ``only_stale``: write only the rows
    whose flags change (for many complaints at once, most of them right already); returns how many.

    The conditions read the complaints' events and officers in the statement's snapshot, so a step in
    progress on one of them must not be changing those meanwhile: a step holds its complaint's lock, and
    its policy's (``services._hold_policy``), and a caller refreshing complaints that a step may be on
    takes those locks first, in that order.

    Migration ``cases.0013`` calls this, with the code of the day, on a database at that migration: what
    it reads must stay readable there (a column added later needs a guard here, not in the migration)."""
    policies = list(step_policies(complaints.db).values())
    flags: dict[str, Any] = {}
    conditions = {role: _kept_condition(role, policies) for role in KEPT_QUEUES}
    for role, condition in conditions.items():
        flags[waits_for(role)] = (
            Value(False) if condition is None else Case(When(condition, then=Value(True)), default=Value(False))
        )
    if only_stale:
        complaints = complaints.filter(functools.reduce(operator.or_, (_stale(r, c) for r, c in conditions.items())))
    return complaints.update(**flags)


def stale_waiting(complaints: QuerySet[Complaint] | None = None) -> dict[str, list[int]]:
    """The keys of the complaints whose "waits for" flag of a role disagrees with the conditions, by role
    (none, when the flags are right)."""
    complaints = Complaint.objects.all() if complaints is None else complaints
    policies = list(step_policies(complaints.db).values())
    stale: dict[str, list[int]] = {}
    for role in KEPT_QUEUES:
        wrong = list(complaints.filter(_stale(role, _kept_condition(role, policies))).values_list("pk", flat=True))
        if wrong:
            stale[role] = sorted(wrong)
    return stale


def _waiting_parts(user: Any, *, now: dt.datetime) -> list[Q]:
    """The parts of ``user``'s queue, a complaint waits for the user when it is in any: the role's flag
    (``Complaint.waits_for_<role>``, read from its own index in the queue's order) and, for a role that
    records outcomes or books sessions, the complaints whose session waits for it (``_sessions_waiting``).
    Empty when the role takes no steps."""
    from parley.accounts.permissions import role_of

    role = role_of(user)
    parts = [Q(**{waits_for(role): True})] if role in KEPT_QUEUES else []
    if any(_session_steps(role)):
        waiting = _sessions_waiting(user, role, now)
        if not (isinstance(waiting, list) and not waiting):
            parts.append(Q(status=Status.SCHEDULED, pk__in=waiting))
    return parts


_STARTED_AS_LIST = 1000
BOOK_AGAIN = "Book the session again: it no longer suits"


def _session_steps(role: str) -> tuple[bool, bool]:
    """Whether a scheduled session waits for ``role`` once it has started (the role records outcomes), and
    once it no longer suits (the role books sessions)."""
    outcomes = any(t.action == "session_record_outcome" for t in _steps_of(role))
    return outcomes, role in BY_ACTION["session_schedule"].roles


def _sessions_waiting(user: Any, role: str, now: dt.datetime) -> list[int] | QuerySet[MediationSession]:
    """The complaints whose scheduled session waits for ``role``: it has started (its outcome is due) or,
    for the role that books sessions, it no longer suits (``MediationSession.no_longer_suits``) and must be
    booked again. As a list of keys when they are few, which they are where outcomes are recorded soon
    after the sessions and bookings mended soon after a correction (and which tells the database how few
    they are: it cannot know that scheduled sessions are mostly in the future)."""
    outcomes, books = _session_steps(role)
    scheduled = MediationSession.objects.filter(status=SessionStatus.SCHEDULED).order_by()
    if role == Role.MEDIATOR:
        scheduled = scheduled.filter(mediators__user=user)
    # each condition read from its own partial index (``session_scheduled_start``, ``session_to_book_again``),
    # the two in one statement: as one condition (an OR) PostgreSQL read every session
    due = [Q(starts_at__lte=now)] if outcomes else []
    if books:
        due.append(Q(no_longer_suits=True))
    parts = [scheduled.filter(condition).values_list("complaint_id", flat=True) for condition in due]
    found = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    keys = sorted(set(found[: _STARTED_AS_LIST + 1]))
    if len(keys) <= _STARTED_AS_LIST:
        return keys
    return scheduled.filter(functools.reduce(operator.or_, due)).values("complaint_id")


def waiting_for(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """The complaints waiting for a step of the user's role (in no particular order)."""
    from parley.accounts.permissions import visible_complaints

    now = now or timezone.now()
    parts = _waiting_parts(user, now=now)
    return visible_complaints(user).filter(functools.reduce(operator.or_, parts, Q(pk__in=[])))


_QUEUE_SALT = "parley.cases.queue"


def queue_page(
    user: Any,
    *,
    size: int,
    after: str | None = None,
    before: str | None = None,
    now: dt.datetime | None = None,
) -> KeysetPage:
    """ "My queue", a page at a time: the complaints waiting for a step of the user's role, by their
    earliest open due date (so missed ones first), then the longest waiting; those without a due date
    come last, the longest waiting first. Raises ``BadCursor`` for a tampered page link.

    Each part of ``_waiting_parts`` is its own ordered query (``any_of``), which walks an index and
    stops after a page; where there are two (a coordinator's: the flag, and sessions that started),
    the pages are merged."""
    from parley.accounts.permissions import visible_complaints

    parts = tuple(_waiting_parts(user, now=now or timezone.now()))
    if not parts:  # a role with no steps of its own (an auditor): nothing waits, and nothing is asked
        return KeysetPage([], next_cursor=None, previous_cursor=None)
    waiting = queue_rows(visible_complaints(user))
    segments = [
        Segment(waiting.filter(next_due__isnull=False), order=("next_due", "status_changed_at", "id"), any_of=parts),
        Segment(waiting.filter(next_due__isnull=True), order=("status_changed_at", "id"), any_of=parts),
    ]
    return keyset_page(segments, size=size, scope="queue", salt=_QUEUE_SALT, after=after, before=before)


# Every policy, for the rules that say which steps wait on a queue row (``queue_steps_for``): read whole,
# a program having one policy and an installation a handful, as a prepared statement of fixed SQL.
_POLICIES_SQL = f'SELECT {reads.columns(ProgramPolicy, "p")} FROM "{ProgramPolicy._meta.db_table}" p'  # noqa: S608  # nosec B608 (names from the model)


def queue_steps_for(
    user: Any, rows: Sequence[Mapping[str, Any]] = (), *, now: dt.datetime | None = None
) -> Callable[[Mapping[str, Any]], list[str]]:
    """The labels of the steps waiting for ``user``'s role on a queue row (a ``QUEUE_FIELDS`` dict), by
    the rules of the row's own policy, as a function of the row. The policies are read here, once for
    the page: read with each row (three subqueries a row), they were a third of the queue's read
    (docs/benchmarks.md, fifteenth round). For a role with steps on scheduled sessions, the sessions of the
    page's scheduled ``rows`` are read here too (one query, when there are any): a session waits for its
    outcome once it has started, and to be booked again when it no longer suits (``BOOK_AGAIN``)."""
    from parley.accounts.permissions import role_of

    role = role_of(user)
    (found,) = reads.fetch_all(DEFAULT_DB_ALIAS, reads.Read(_POLICIES_SQL, (), (ProgramPolicy,)), prepared=True)
    policies = {policy.pk: policy for (policy,) in found}
    outcomes, books = _session_steps(role)
    scheduled = [row["id"] for row in rows if row["status"] == Status.SCHEDULED] if outcomes or books else []
    sessions: dict[int, tuple[dt.datetime, bool]] = {}
    if scheduled:
        sessions = {
            complaint: (starts_at, unsuited)
            for complaint, starts_at, unsuited in MediationSession.objects.filter(
                complaint_id__in=scheduled, status=SessionStatus.SCHEDULED
            ).values_list("complaint_id", "starts_at", "no_longer_suits")
        }
    now = now or timezone.now()

    def steps(row: Mapping[str, Any]) -> list[str]:
        policy = policies.get(row["policy_id"])
        if policy is None:  # gone since the page was read (the complaint moved to another policy, then it was deleted)
            return []
        status = row["status"]
        session = sessions.get(row["id"])
        labels = []
        for action in actions_for(status, role):
            if action in OPTIONAL_ACTIONS:
                continue
            if action == "complaint_acknowledge" and row["acknowledged_at"] is not None:
                continue
            if action == "complaint_decide_suitability" and role not in policy.suitability_deciders:
                continue
            if action == "officer_record_consent" and not _officer_consent_open(policy, status):
                continue
            if action == "session_record_outcome" and session is not None and session[0] > now:
                continue  # still to come: not its outcome
            labels.append(ACTION_LABELS[action])
        if books and session is not None and session[1] and session[0] > now:
            labels.append(BOOK_AGAIN)
        return labels

    return steps


# --- The complaint list: filters, search, keyset pagination
#
# On PostgreSQL, trigram indexes (pg_trgm, migration 0006) answer the "contains" searches on names
# and references; on SQLite the same queries read the tables.


# A word shorter than this matches the start of a name (or of a reference number), not anywhere in it:
# "Li" finds Li and Lincoln, not Collins. Inside a name, one or two letters match a large share of
# everyone and say little; and no index can find them there (a trigram index needs three letters), so
# on a million complaints such a search read every name (2.8 s for "Zz").
SHORT_WORD = 3


def _name_matches(words: list[str]) -> Q:
    q = Q()
    for word in words:
        if len(word) < SHORT_WORD:
            q &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
        else:
            q &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return q


def officer_matches(text: str) -> Exists:
    """Complaints naming an officer whose DSN or badge is ``text``, or whose name contains its words."""
    text = text.strip()
    words = text.split()
    return Exists(
        ComplaintOfficer.objects.filter(complaint=OuterRef("pk")).filter(
            Q(dsn__iexact=text) | Q(badge__iexact=text) | _name_matches(words)
        )
    )


# The search's conditions as SQL too (``keyset.Condition``), for the list's union on PostgreSQL: the
# column expressions Django's lookups write (``UPPER(col::text) LIKE UPPER(%s)``, which the trigram and
# upper() indexes are made of), and its patterns (``connection.ops.prep_for_like_query``). Each must say
# what its Q says: parley/cases/tests/test_search_sql.py compares them.
def _column(name: str) -> str:
    return f'"{Complaint._meta.db_table}"."{Complaint._meta.get_field(name).column}"'


def _like(column: str) -> str:
    return f"UPPER({column}::text) LIKE UPPER(%s)"


def _equal(column: str) -> str:
    return f"UPPER({column}::text) = UPPER(%s)"


_DSN, _BADGE = 'U0."dsn"', 'U0."badge"'  # an officer's, in ``_exists_sql``


def _escaped(word: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.prep_for_like_query(word)


def _names_sql(alias: str, words: list[str]) -> tuple[str, list[str]]:
    """``_name_matches(words)`` on the table ``alias``, as SQL."""
    parts, params = [], []
    for word in words:
        pattern = f"{_escaped(word)}%" if len(word) < SHORT_WORD else f"%{_escaped(word)}%"
        first, last = _like(f'{alias}."first_name"'), _like(f'{alias}."last_name"')
        parts.append(f"({first} OR {last})")
        params += [pattern, pattern]
    return " AND ".join(parts), params


def _exists_sql(model: type[Any], where: str) -> str:
    """Complaints with a row of ``model`` (by its ``complaint`` key) where ``where`` holds (table U0)."""
    table, own = model._meta.db_table, _column("id")
    return f'EXISTS(SELECT 1 AS "a" FROM "{table}" U0 WHERE U0."complaint_id" = {own} AND {where} LIMIT 1)'  # noqa: S608  # nosec B608 (names from the models)


# An officer's DSN or badge as the pages print it ("(DSN 10170)", "Badge 1170"), or as people write it
# ("badge #1170"): the label is not part of the number, and the search is for the number.
_CODE_LABEL = re.compile(r"\(?\s*(?:DSN|badge)\s*(?:#|no\.?)?\s*([^\s()]*\d[^\s()]*)\s*\)?", re.IGNORECASE)


def _without_code_label(text: str) -> str:
    found = _CODE_LABEL.fullmatch(text)
    return found[1] if found else text


def search_alternatives(text: str, *, contact: bool = False) -> tuple[Condition, ...]:
    """The ways a complaint matches a search: by reference number, a named party's name, or an officer's
    name, DSN or badge, and (``contact``: for the roles that may see contact data) a person's exact
    email address or phone number. Each is answered by its own indexes; a complaint matches if any holds.
    Each is given as Django's Q (built when asked for) and as the same condition in SQL
    (``keyset.Condition``). None at all for blank text, which is no search."""
    text = _without_code_label(text.strip())
    words = text.split()
    if not words:
        return ()
    alternatives: list[Condition] = []
    # A reference number starts and ends with a digit (``services.next_references``: 2026-0042), so words
    # that do not cannot match it at that end, and are not asked for: a name is one part fewer to build
    # and run.
    reference = _like(_column("reference"))
    starts, ends = text[:1].isdigit(), len(text) >= SHORT_WORD and text[-1:].isdigit()
    if starts or ends:

        def by_reference() -> Q:
            q = Q(reference__istartswith=text) if starts else Q()
            return q | Q(reference__iendswith=text) if ends else q

        patterns = ((f"{_escaped(text)}%",) if starts else ()) + ((f"%{_escaped(text)}",) if ends else ())
        alternatives.append(Condition(by_reference, "(" + " OR ".join([reference] * len(patterns)) + ")", patterns))

    def codes() -> Q:  # an officer's DSN or badge, matched whole
        officers = ComplaintOfficer.objects.filter(complaint=OuterRef("pk"))
        return Q(Exists(officers.filter(Q(dsn__iexact=text) | Q(badge__iexact=text))))

    codes_sql = f"{_equal(_DSN)} OR {_equal(_BADGE)}"
    by_codes = Condition(codes, _exists_sql(ComplaintOfficer, f"({codes_sql})"), (text, text))
    copy = _like(_column("search_names"))
    if len(words) == 1 and len(text) >= SHORT_WORD:
        # One word is in a person's first or last name exactly when it is in the complaint's copy of
        # its people's names (a word has no spaces, and the copy is a line "first<TAB>last" per person:
        # names.py), which the database reads on the complaint's own row as it walks the page's order,
        # or finds through the copy's trigram index when the word is rare.
        alternatives += [
            Condition(lambda: Q(search_names__icontains=text), copy, (f"%{_escaped(text)}%",)),
            by_codes,
        ]
        return _with_contact(alternatives, text, contact)
    # Several words, all in the names of one person, or a short word. The words of a person's names are
    # in that person's line of the complaint's copy, a short word at the line's start or after its tab
    # (names.py). A word of three letters or more can be found through the copy's trigram index, so
    # with one the copy alone answers. How many complaints match, the planner cannot guess (the words
    # may be common and yet never in one person's names), so the union walks the page's order first,
    # testing each row, as far as a bound, and only when that finds no page asks the index, through the
    # ``indexed`` form (keyset._walked_first). Reading the people of every complaint with one of the
    # words took 43 ms for "Maria Garcia" at a million, 2.4 s for "Garcia Ma"; the walk alone, 1.7 s for
    # "Garcia Q" (docs/benchmarks.md, fourteenth round).
    if long_words := [word for word in words if len(word) >= SHORT_WORD]:
        one_line = _in_one_line(words)

        def in_one_line() -> Q:
            in_copy = (Q(search_names__icontains=word) for word in long_words)
            return functools.reduce(operator.and_, in_copy) & Q(_in_one_line_q(one_line))

        in_copy_sql = " AND ".join([copy] * len(long_words))
        in_copy_params = tuple(f"%{_escaped(word)}%" for word in long_words)
        matches = f"UPPER({_column('search_names')})::text ~ (UPPER(%s))"
        # for the index: where each short word may start a name, which the copy's trigram index can find
        short_words = [word for word in words if len(word) < SHORT_WORD]
        name_starts = tuple(f"(?:^|[\n\t]){_regex_escaped(word)}" for word in short_words)
        alternatives += [
            Condition(
                in_one_line,
                f"{in_copy_sql} AND COALESCE({matches}, false)",
                (*in_copy_params, one_line),
                indexed=(
                    " AND ".join([in_copy_sql, *[matches] * len(name_starts), matches]),
                    (*in_copy_params, *name_starts, one_line),
                ),
            ),
            by_codes,
        ]
        return _with_contact(alternatives, text, contact)
    # Words of one or two letters only: no trigram finds them, so the people are read, through the
    # indexes of their names' start.
    names_sql, names_params = _names_sql("U0", words)

    def parties_named() -> Q:
        return Q(Exists(Party.objects.filter(complaint=OuterRef("pk"), anonymous=False).filter(_name_matches(words))))

    alternatives += [
        Condition(parties_named, _exists_sql(Party, f'NOT U0."anonymous" AND {names_sql}'), tuple(names_params)),
        Condition(
            lambda: Q(officer_matches(text)),
            _exists_sql(ComplaintOfficer, f"({codes_sql} OR ({names_sql}))"),
            (text, text, *names_params),
        ),
    ]
    return _with_contact(alternatives, text, contact)


def _in_one_line_q(pattern: str) -> Coalesce:
    """The copy matches ``pattern`` (``_in_one_line``), both upper-cased, as a LIKE compares them.

    In a COALESCE, which changes nothing (the copy is never NULL) but what the planner guesses of it: of
    an expression it does not know, half the rows. Of the operator itself, it takes each letter of the
    pattern to let a fifth of the rows through: a handful of complaints of a million for a pattern of
    two names, and then it read every complaint with a "Garcia" through the trigram index (76,000 rows,
    390 ms) for "Garcia Ma", rather than walk the page's order (docs/benchmarks.md, fourteenth round)."""
    matches = Regex(Upper("search_names"), Upper(Value(pattern)))
    return Coalesce(matches, Value(False), output_field=BooleanField())


def _in_one_line(words: list[str]) -> str:
    """A regular expression, PostgreSQL's and Python's alike, that finds the words in one line of the
    copy (names.py): a word of three letters or more anywhere in it, a shorter one where the first or
    the last name starts (the line's start, or after its tab). Anchored where a line starts, then a
    lookahead for each word, none past the line's end. The ASCII characters other than letters and
    digits are escaped: they include every character a pattern treats specially. The database
    upper-cases the pattern as it does the copy, as its LIKE does."""
    parts = []
    for word in words:
        escaped = _regex_escaped(word)
        parts.append(f"(?=[^\n]*{escaped})" if len(word) >= SHORT_WORD else f"(?=(?:[^\n\t]*\t)?{escaped})")
    return "(?:^|\n)" + "".join(parts)


def _regex_escaped(word: str) -> str:
    return "".join(f"\\{c}" if c.isascii() and not c.isalnum() else c for c in word)


def _with_contact(alternatives: list[Condition], text: str, contact: bool) -> tuple[Condition, ...]:
    if contact and (by_contact := contact_match(text)) is not None:
        alternatives.append(by_contact)
    return tuple(alternatives)


def contact_match(text: str) -> Condition | None:
    """Complaints with a person whose email address or phone number is exactly ``text`` (however it is
    punctuated or capitalised), through the blind indexes: the contact data itself is encrypted.
    None when ``text`` looks like neither."""
    kind = contact_kind(text)
    if kind is None:
        return None
    key = blind_index(kind, text.strip())
    return Condition(
        lambda: Q(Exists(Party.objects.filter(complaint=OuterRef("pk"), **{f"{kind}_index": key}))),
        _exists_sql(Party, f'U0."{kind}_index" = %s'),
        (key,),
    )


def search_q(text: str, *, contact: bool = False) -> Q:
    """Search by reference number, complainant's name, or officer's name, DSN or badge (one condition;
    blank text matches every complaint)."""
    alternatives = search_alternatives(text, contact=contact)
    return functools.reduce(operator.or_, (condition.q for condition in alternatives), Q())


def pinned_status(filters: dict[str, Any]) -> str | None:
    """The one status every complaint the filters let through has (a status or an outcome), if any."""
    pinned = {filters.get("outcome"), filters.get("status")} - {None, "", "open", "closed"}
    return pinned.pop() if len(pinned) == 1 else None


def filter_complaints(
    qs: QuerySet[Complaint],
    filters: dict[str, Any],
    *,
    today: dt.date,
    search: bool = True,
    contact: bool = False,
    status_in_order: bool = False,
) -> QuerySet[Complaint]:
    """Apply the complaint list's filters (the cleaned data of ``ComplaintFilterForm``).

    ``search=False`` leaves the search words out, for a caller that pages through
    ``search_alternatives`` itself (the list does: see ``complaint_page``). ``status_in_order``: the
    page's order starts with the one status the filters pin (``complaint_page(status=...)``), which is
    then asked as a range, ``BETWEEN s AND s``: the same rows, but PostgreSQL does not take a range for
    a constant, so it keeps the status in the order (of an equality it drops it) and only the index of
    (status, received_on, id) can give that order."""
    if search and (text := (filters.get("q") or "").strip()):
        qs = qs.filter(search_q(text, contact=contact))
    status = filters.get("status") or ""
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status == "closed":
        qs = qs.filter(status__in=TERMINAL)
    elif status:
        qs = qs.filter(status__range=(status, status)) if status_in_order else qs.filter(status=status)
    if outcome := filters.get("outcome"):
        qs = qs.filter(status__range=(outcome, outcome)) if status_in_order else qs.filter(status=outcome)
    if disposition := filters.get("disposition"):
        qs = qs.filter(disposition=disposition)
    if received_from := filters.get("received_from"):
        qs = qs.filter(received_on__gte=received_from)
    if received_to := filters.get("received_to"):
        qs = qs.filter(received_on__lte=received_to)
    if officer := (filters.get("officer") or "").strip():
        qs = qs.filter(officer_matches(officer))
    if category := filters.get("category"):
        qs = qs.filter(
            Exists(Allegation.objects.filter(complaint_officer__complaint=OuterRef("pk"), category=category))
        )
    if filters.get("overdue"):
        qs = qs.filter(next_due__lt=today, status__in=OPEN)
    return qs


# sort name -> (label, field, descending). Every sort ends with the primary key, so the order is total.
SORTS: dict[str, tuple[str, str, bool]] = {
    "newest": ("Newest received first", "received_on", True),
    "oldest": ("Oldest received first", "received_on", False),
    "reference": ("Reference number", "reference", False),
    "waiting": ("Longest in the current step", "status_changed_at", False),
    "due": ("Next due date", "due_key", False),
}
DEFAULT_SORT = "newest"
NO_DUE_DATE = dt.date(9999, 12, 31)
_CURSOR_SALT = "parley.cases.complaint-list"


def sorted_complaints(qs: QuerySet[Complaint], sort: str) -> QuerySet[Complaint]:
    """``qs`` with what ``sort`` orders by (for a whole result, such as the CSV: order by
    ``SORTS[sort]`` and then the primary key)."""
    if sort == "due":
        qs = qs.annotate(due_key=Coalesce("next_due", Value(NO_DUE_DATE, output_field=DateField())))
    return qs


def complaint_page(
    qs: QuerySet[Complaint],
    *,
    sort: str,
    size: int,
    text: str = "",
    after: str | None = None,
    before: str | None = None,
    contact: bool = False,
    status: str | None = None,
) -> KeysetPage:
    """One page of the complaint list: ``qs`` (filtered, without the search words) matching the
    search ``text``, in the order ``sort``. Raises ``BadCursor`` for a tampered page link.

    ``status``: the one status every row of ``qs`` has, when a filter pins it (``pinned_status``; ``qs``
    filtered with ``status_in_order``). By date received, the order then starts with it: the same rows
    in the same order, which only the index of (status, received_on, id) gives, so that the database
    walks the rows of that status alone. Walking every complaint by date instead, with the status as a
    filter, is what PostgreSQL chose when its statistics said the rows were spread evenly; they are not
    (the newest complaints are the open ones), and a search for a common name among the "mediated"
    complaints read 360,000 rows (150 to 190 ms at a million) before it had a page."""
    any_of = search_alternatives(text, contact=contact) if text.strip() else ()
    scope = sort
    if sort == "due":  # those with an open deadline by the earliest, then the others (NO_DUE_DATE)
        segments = [
            Segment(qs.filter(next_due__isnull=False), order=("next_due", "id"), any_of=any_of),
            Segment(qs.filter(next_due__isnull=True), order=("id",), any_of=any_of),
        ]
    else:
        _, field, descending = SORTS[sort]
        order: tuple[str, ...] = (f"-{field}", "-id") if descending else (field, "id")
        if status and field == "received_on":
            order = ("-status" if descending else "status", *order)
            scope = f"{sort}:status"
        segments = [Segment(qs, order=order, any_of=any_of)]
    return keyset_page(segments, size=size, scope=scope, salt=_CURSOR_SALT, after=after, before=before)


def mediator_sessions(user: Any) -> QuerySet[MediationSession]:
    """A mediator's booked sessions (upcoming, or waiting for their outcome), with what each needs."""
    return (
        MediationSession.objects.filter(mediators__user=user, status=SessionStatus.SCHEDULED)
        .select_related("venue", "complaint")
        .prefetch_related(
            Prefetch("mediators", queryset=Mediator.objects.order_by("last_name", "first_name")),
            Prefetch("complaint__parties", queryset=Party.objects.order_by("id")),
            Prefetch("complaint__officers", queryset=ComplaintOfficer.objects.order_by("id")),
        )
        .order_by("starts_at", "id")
    )
