"""Every write to a complaint's workflow. One function per action of ``workflow.TRANSITIONS``.

Each action locks the complaint (``select_for_update``), checks the status, the actor's role and the
action's guard, changes what it must with ``update_fields``, and writes exactly one
``ComplaintEvent``. A refused action raises a ``WorkflowError`` and changes nothing.

Where does a complaint become "mediated"? In ``session_record_outcome``, at the end of this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from parley.accounts.models import User
from parley.accounts.roles import SYSTEM_ROLE, Role
from parley.cases import demographics, filing
from parley.cases.deadlines import add_days, cancel_open_deadlines, meet_deadline, set_deadline
from parley.cases.models import (
    IN_THE_ROOM,
    KEPT_QUEUES,
    LANGUAGE_NAMES,
    NOT_ASKED,
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintEvent,
    ComplaintOfficer,
    ConsentAnswer,
    DeadlineKind,
    IntakeSubmission,
    Officer,
    Party,
    PartyKind,
    ReferenceCounter,
    ScreeningAnswer,
    waits_for,
)
from parley.cases.names import refresh_people_copies
from parley.cases.selectors import refresh_waiting
from parley.cases.workflow import (
    BY_ACTION,
    DISPOSITION_OF,
    TERMINAL,
    ActionNotAllowed,
    AlreadyReceived,
    Disposition,
    GuardFailed,
    RoleNotAllowed,
    Status,
    Transition,
)
from parley.crypto import is_phone_number
from parley.mediation import eligibility as mediation_eligibility
from parley.mediation.models import (
    Agreement,
    MediationSession,
    Mediator,
    SessionAttendance,
    SessionOutcome,
    SessionStatus,
    Venue,
)
from parley.policies.models import ConsentOrder, MultiOfficerRule, ProgramPolicy, WrittenAgreement

# ---------------------------------------------------------------------------------------------
# The mechanism every action shares


def actor_role(actor: User | None) -> str:
    if actor is None:
        return SYSTEM_ROLE
    return actor.role


def _hold_policy(*, policy: int | None = None, of_complaint: int | None = None) -> None:
    """Hold the program policy (``policy``, or that of the complaint ``of_complaint``) until the step
    commits: a share lock, taken before the complaint's own lock (PostgreSQL; SQLite runs one writer at a
    time). A change of the policy's rules in the admin waits for the steps under it, and they for it, so
    that neither works from what the other is changing: the queue flags that a step sets from the policy
    (``refresh_waiting``), and those that the change sets again for the policy's open complaints, whose
    reads of a step's own rows would come from before the step (cases/signals.py)."""
    if connection.vendor != "postgresql":
        return
    policies, complaints = ProgramPolicy._meta.db_table, Complaint._meta.db_table
    with connection.cursor() as cursor:
        if policy is not None:
            cursor.execute(f"SELECT id FROM {policies} WHERE id = %s FOR SHARE", [policy])  # noqa: S608  # nosec B608 (names from the models)
        else:
            cursor.execute(
                f"SELECT id FROM {policies} WHERE id = (SELECT policy_id FROM {complaints} WHERE id = %s) FOR SHARE",  # noqa: S608  # nosec B608
                [of_complaint],
            )


def _refresh_waiting(complaint: Complaint) -> None:
    """Set the complaint's queue flags (``refresh_waiting``), in the database and on ``complaint``, so
    that a later ``save()`` of it cannot write back the flags it had before."""
    refresh_waiting(Complaint.objects.filter(pk=complaint.pk))
    complaint.refresh_from_db(fields=[waits_for(role) for role in KEPT_QUEUES])


def _begin(complaint: Complaint | int, action: str, actor: User | None) -> tuple[Complaint, Transition]:
    """Lock the complaint (after its policy: ``_hold_policy``) and check that ``actor`` may take
    ``action`` in its current status."""
    transition = BY_ACTION[action]
    pk = complaint.pk if isinstance(complaint, Complaint) else complaint
    _hold_policy(of_complaint=pk)
    locked = Complaint.objects.select_for_update().get(pk=pk)
    if locked.status not in transition.sources:
        raise ActionNotAllowed(action=action, status=locked.status)
    role = actor_role(actor)
    if actor is not None and not actor.is_active:
        raise RoleNotAllowed(action=action, role=f"{role} (inactive account)", allowed_roles=transition.roles)
    if role not in transition.roles:
        raise RoleNotAllowed(action=action, role=role, allowed_roles=transition.roles)
    return locked, transition


def _finish(
    complaint: Complaint,
    transition: Transition,
    *,
    to: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
    disposition: str | None = None,
    after_commit: Callable[[], None] | None = None,
) -> Complaint:
    """Move the (locked) complaint to ``to``, save the named fields and write the one event."""
    from_status = complaint.status
    if to not in transition.targets and not (not transition.targets and to == from_status):
        raise AssertionError(f"{transition.action} may not lead to {to}; fix the workflow table or the service")
    now = timezone.now()
    update = set(fields)
    if to != from_status:
        complaint.status = to
        complaint.status_changed_at = now
        update |= {"status", "status_changed_at"}
    if to in TERMINAL:
        complaint.disposition = disposition or DISPOSITION_OF[to]
        complaint.closed_at = now
        update |= {"disposition", "closed_at"}
        cancel_open_deadlines(complaint)
    if update:
        complaint.save(update_fields=sorted(update))
    ComplaintEvent.objects.create(
        complaint=complaint,
        action=transition.action,
        from_status=from_status,
        to_status=to,
        actor=actor,
        actor_role=actor_role(actor),
        reason=reason,
        data=data or {},
        created_at=now,
    )
    _refresh_waiting(complaint)  # whose queue it is in now
    if after_commit is not None:
        transaction.on_commit(after_commit)
    return complaint


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise GuardFailed(f"Give a reason for {what}.")
    return reason


# ---------------------------------------------------------------------------------------------
# Intake


def next_references(*, year: int, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive reference numbers for ``year`` under a row lock."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReferenceCounter.objects.get_or_create(year=year)
        except IntegrityError:  # another transaction created the row first
            pass
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return [f"{year}-{n:04d}" for n in range(first, first + count)]


@dataclass
class NewParty:
    first_name: str = ""
    last_name: str = ""
    kind: str = PartyKind.COMPLAINANT
    anonymous: bool = False
    email: str = ""
    phone: str = ""
    address: str = ""
    date_of_birth: dt.date | None = None
    is_minor: bool = False
    preferred_language: str = NOT_ASKED
    needs_interpreter: bool = False
    needs_asl: bool = False
    needs_step_free: bool = False
    accessibility_needs: str = ""
    gender: list[str] = field(default_factory=list)  # codes of parley.cases.demographics; all voluntary
    race: list[str] = field(default_factory=list)
    disability: list[str] = field(default_factory=list)


CONTACT_LIMITS = {"email": 254, "phone": 40, "address": 300}
MAX_AGREEMENT_TERMS = 4000
MAX_SCHEDULING_NOTES = 4000


@dataclass
class NewOfficer:
    """An officer named in a complaint: from the roster (``roster``), or described when unknown."""

    roster: Officer | None = None
    first_name: str = ""
    last_name: str = ""
    dsn: str = ""
    badge: str = ""
    unit: str = ""
    description: str = ""
    allegation_codes: list[str] = field(default_factory=list)


def _received_from(submission: uuid.UUID) -> Complaint | None:
    """The complaint the intake form with this token made, if it was saved."""
    found = IntakeSubmission.objects.filter(token=submission).select_related("complaint").first()
    return found.complaint if found else None


def complaint_receive(
    *,
    actor: User | None,
    received_on: dt.date,
    channel: str,
    narrative: str,
    parties: list[NewParty],
    officers: list[NewOfficer],
    incident_date: dt.date | None = None,
    incident_time: dt.time | None = None,
    incident_location: str = "",
    police_report_number: str = "",
    mediation_interest: str = "",
    policy: ProgramPolicy | None = None,
    submission: uuid.UUID | None = None,
) -> Complaint:
    """Record a new complaint (staff intake or the public form) with its parties, officers and allegations.

    ``submission``: the token of the form it came from. A form sent again (whether the first one has
    finished or is still being saved beside it) raises ``AlreadyReceived`` with the complaint it made,
    and records nothing more: the token is unique in the database, and the second save rolls back."""
    if submission is not None and (earlier := _received_from(submission)) is not None:
        raise AlreadyReceived(earlier)
    if actor is not None and actor.role not in {Role.INTAKE, Role.ADMIN}:
        raise RoleNotAllowed(action="complaint_receive", role=actor.role, allowed_roles={Role.INTAKE, Role.ADMIN})
    if not narrative.strip():
        raise GuardFailed("Describe what happened.")
    for p in parties:
        for question, choices in demographics.QUESTIONS.items():
            answers = getattr(p, question)
            if not isinstance(answers, list | tuple) or not all(isinstance(a, str) for a in answers):
                raise GuardFailed(f"The {question} answers must be a list of the codes offered.")
            unknown = set(answers) - {code for code, _label in choices}
            if unknown:
                raise GuardFailed(f"Unknown {question} answer: {sorted(unknown)[0]}.")
            if problem := demographics.conflict(list(answers)):
                raise GuardFailed(problem)
    for p in parties:  # the lengths the columns had before encryption, so that nothing is ever cut short
        for name, limit in CONTACT_LIMITS.items():
            if len(getattr(p, name) or "") > limit:
                raise GuardFailed(f"A {name.replace('_', ' ')} can be at most {limit} characters long.")
    complainants = [p for p in parties if p.kind == PartyKind.COMPLAINANT]
    if not complainants:
        raise GuardFailed("A complaint needs at least one complainant.")
    if not officers:
        raise GuardFailed("Name at least one officer, or describe an officer whose name is not known.")
    if received_on > timezone.localdate():
        raise GuardFailed("The date received cannot be in the future.")
    if incident_date and incident_date > received_on:
        raise GuardFailed("The incident date cannot be after the date the complaint was received.")
    if policy is None:
        try:
            policy = ProgramPolicy.active()
        except ProgramPolicy.DoesNotExist:
            raise GuardFailed("No program policy is active. A program administrator must activate one first.") from None
    if found := filing.problems(policy, parties, received_on):  # who may file: the policy's rules
        raise GuardFailed(found[0].message)
    for p in parties:
        if not p.anonymous and not (p.first_name.strip() or p.last_name.strip()):
            raise GuardFailed("Every person needs a name, or the complainant must be marked anonymous.")
    codes = {code for o in officers for code in o.allegation_codes}
    categories = {c.code: c for c in AllegationCategory.objects.filter(code__in=codes)}
    if missing := codes - categories.keys():
        raise GuardFailed(f"Unknown allegation categories: {', '.join(sorted(missing))}.")

    with transaction.atomic():
        _hold_policy(policy=policy.pk)  # its rules decide whose queue the complaint starts in
        (reference,) = next_references(year=received_on.year)
        now = timezone.now()
        complaint = Complaint.objects.create(
            reference=reference,
            policy=policy,
            status=Status.RECEIVED,
            status_changed_at=now,
            received_on=received_on,
            channel=channel,
            narrative=narrative.strip(),
            incident_date=incident_date,
            incident_time=incident_time,
            incident_location=incident_location,
            police_report_number=police_report_number,
            mediation_interest=mediation_interest,
            created_by=actor,
        )
        if submission is not None:
            try:
                with transaction.atomic():  # a second save of the same form waits here for the first, then fails
                    IntakeSubmission.objects.create(token=submission, complaint=complaint)
            except IntegrityError:
                if (earlier := _received_from(submission)) is None:
                    raise
                raise AlreadyReceived(earlier) from None  # and this save rolls back, its number with it
        for p in parties:
            Party.objects.create(complaint=complaint, **p.__dict__)
        for o in officers:
            roster = o.roster
            co = ComplaintOfficer.objects.create(
                complaint=complaint,
                roster_officer=roster,
                first_name=roster.first_name if roster else o.first_name,
                last_name=roster.last_name if roster else o.last_name,
                dsn=roster.dsn if roster else o.dsn,
                badge=roster.badge if roster else o.badge,
                unit=roster.unit if roster else o.unit,
                rank=roster.rank if roster else "",
                description=o.description,
            )
            Allegation.objects.bulk_create(
                [Allegation(complaint_officer=co, category=categories[code]) for code in o.allegation_codes]
            )
        refresh_people_copies([complaint.pk])
        complaint.refresh_from_db(fields=["search_names", "people"])  # as written: a later save() keeps them
        set_deadline(complaint, DeadlineKind.ACKNOWLEDGE, policy.acknowledge_days, received_on)
        ComplaintEvent.objects.create(
            complaint=complaint,
            action="complaint_receive",
            from_status="",
            to_status=Status.RECEIVED,
            actor=actor,
            actor_role=actor_role(actor),
            data={"channel": channel},
            created_at=now,
        )
        _refresh_waiting(complaint)
    return complaint


def complaint_acknowledge(*, complaint: Complaint | int, actor: User | None, how: str = "") -> Complaint:
    with transaction.atomic():
        c, t = _begin(complaint, "complaint_acknowledge", actor)
        if c.acknowledged_at is not None:
            raise GuardFailed(
                f"The complaint was already acknowledged on {timezone.localtime(c.acknowledged_at):%Y-%m-%d}."
            )
        c.acknowledged_at = timezone.now()
        meet_deadline(c, DeadlineKind.ACKNOWLEDGE)
        return _finish(c, t, to=c.status, actor=actor, data={"how": how}, fields=["acknowledged_at"])


def already_named(complaint: Complaint, roster: Officer) -> bool:
    """Whether the roster officer is named in the complaint already (by the DSN it was given, which a
    later correction of the roster does not rewrite, or by the roster's link)."""
    return complaint.officers.filter(Q(dsn=roster.dsn) | Q(roster_officer=roster)).exists()


def officer_identify(
    *, complaint: Complaint | int, actor: User | None, officer: ComplaintOfficer | int, dsn: str
) -> Complaint:
    """An officer only described at intake, found on the roster before screening (which needs an
    identified officer for mediation): the roster's details are copied onto the complaint's officer, as
    intake copies them, and the description the complainant gave is kept."""
    with transaction.atomic():
        c, t = _begin(complaint, "officer_identify", actor)
        pk = officer.pk if isinstance(officer, ComplaintOfficer) else officer
        named = c.officers.select_for_update().filter(pk=pk).first()
        if named is None:
            raise GuardFailed("That officer is not named in this complaint.")
        if named.identified:
            raise GuardFailed(f"This officer is already identified: {named.display_name}.")
        dsn = (dsn or "").strip()
        roster = Officer.objects.filter(dsn=dsn).first() if dsn else None
        if roster is None:
            raise GuardFailed(f"No officer with DSN {dsn} is on the roster." if dsn else "Give the officer's DSN.")
        if already_named(c, roster):
            raise GuardFailed(f"{roster} is already named in this complaint.")
        described = named.description
        named.roster_officer = roster
        named.first_name, named.last_name, named.dsn = roster.first_name, roster.last_name, roster.dsn
        named.badge, named.unit, named.rank = roster.badge, roster.unit, roster.rank
        named.save(update_fields=["roster_officer", "first_name", "last_name", "dsn", "badge", "unit", "rank"])
        refresh_people_copies([c.pk])  # the search and the list name the officer now
        c.refresh_from_db(fields=["search_names", "people"])
        return _finish(
            c,
            t,
            to=c.status,
            actor=actor,
            data={
                "officer": named.pk,
                "dsn": roster.dsn,
                "name": f"{roster.first_name} {roster.last_name}",
                "described": described,
            },
        )


# What can be corrected of a person after intake, and what the timeline calls each. What the person is to the
# complaint (complainant, guardian...), whether they are anonymous, and their age are not: they decided who
# may file, and stay as the complaint was received. Neither are the voluntary questions, answered once.
CORRECTABLE: dict[str, str] = {
    "first_name": "first name",
    "last_name": "last name",
    "phone": "phone",
    "email": "email",
    "address": "mailing address",
    "preferred_language": "preferred language",
    "needs_interpreter": "needs an interpreter",
    "needs_asl": "needs an ASL interpreter",
    "needs_step_free": "needs step-free access",
    "accessibility_needs": "other accessibility needs",
}
REASON_WITHOUT_CONTACT = (
    "Leave the details themselves out of the reason (“a new phone number”, “a new email address”, not the "
    "number or the address): everyone who can open the complaint reads the reason, and only some may see "
    "contact details."
)
# the details the booked session was planned around (its team's languages, its venue)
SESSION_NEEDS = frozenset({"preferred_language", "needs_interpreter", "needs_asl", "needs_step_free"})


CONTACT_DETAILS = ("phone", "email", "address")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_NUMBER = re.compile(r"\d(?:[\s().+-]*\d)+")  # digits, with what a phone number is written with between them


def field_digest(value: Any) -> str:
    """A short digest of one detail's value: what a correction form keeps of each detail as it opened, so that
    a detail someone else corrected meanwhile is told apart (and never undone unseen)."""
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:12]


def field_digests(thing: Any, names: Iterable[str]) -> dict[str, str]:
    return {name: field_digest(getattr(thing, name)) for name in names}


def _corrected_meanwhile(thing: Any, changes: dict[str, Any], was: dict[str, str] | None, labels: dict[str, str]):
    """Refuse a correction of a detail that someone else corrected since the form opened (``was``: the
    digests of the details as it opened). Checked once the record is locked: two saves at the same moment."""
    if was is None:
        return
    if clashes := [name for name in changes if name in was and was[name] != field_digest(getattr(thing, name))]:
        raise GuardFailed(
            f"This was not saved: someone else corrected the {', '.join(labels[name] for name in clashes)} since "
            "you opened this form. Open it again to see what it is now."
        )


def _corrections(
    thing: Any,
    changes: dict[str, Any],
    *,
    labels: dict[str, str],
    was: dict[str, str] | None,
    reason: str,
    written: Iterable[str],
    reason_rule: str,
) -> tuple[dict[str, Any], list[str]]:
    """The checks every correction makes of the (locked) ``thing``, and what it corrects: the values as
    they will be kept, and the names of those that differ from what ``thing`` holds. Refused: a detail
    someone else corrected since the form opened, a detail not among ``labels``, a reason that repeats one
    of the ``written`` details (old or new), and a correction that changes nothing."""
    _corrected_meanwhile(thing, changes, was, labels)
    if unknown := sorted(set(changes) - set(labels)):
        raise GuardFailed(f"These details cannot be corrected here: {', '.join(unknown)}.")
    new = {name: corrected_value(name, value) for name, value in changes.items()}
    written = tuple(written)
    details = [str(getattr(thing, name) or "") for name in written] + [str(new.get(name) or "") for name in written]
    if contact_details_in(reason, details):
        raise GuardFailed(reason_rule)
    changed = [name for name in labels if name in new and getattr(thing, name) != new[name]]
    if not changed:
        raise GuardFailed("Nothing was changed: correct at least one detail.")
    return new, changed


def contact_details_in(text: str, details: Iterable[str]) -> bool:
    """Whether ``text`` (a reason, which every organisation's timeline shows) holds an email address, a
    phone number (ten digits or more, or the digits of one of ``details``), or one of ``details`` whole."""
    if _EMAIL.search(text):
        return True
    numbers = ["".join(ch for ch in found.group() if ch.isdigit()) for found in _NUMBER.finditer(text)]
    phones = [digits for digits in ("".join(ch for ch in d if ch.isdigit()) for d in details) if len(digits) >= 7]
    if any(
        len(number) >= 10 or any(phone in number or number in phone for phone in phones if len(number) >= 7)
        for number in numbers
    ):
        return True
    folded = text.casefold()
    return any(len(d.strip()) >= 6 and d.strip().casefold() in folded for d in details)


def party_correct(
    *,
    complaint: Complaint | int,
    actor: User | None,
    party: Party | int,
    changes: dict[str, Any],
    reason: str,
    was: dict[str, str] | None = None,
) -> Complaint:
    """Correct a person's details (``CORRECTABLE``) while the complaint is open: a name misspelt at intake, a
    new phone number, a language or a need learnt later. ``changes``: only the details corrected; ``was``: their
    ``field_digest`` when the form was opened (one someone corrected since refuses this correction). The event
    names the person and what changed, never the values; the reason may not hold contact details either
    (they are kept encrypted, and the timeline is read by every organisation)."""
    with transaction.atomic():
        c, t = _begin(complaint, "party_correct", actor)
        reason = _require_reason(reason, "the correction")
        pk = party.pk if isinstance(party, Party) else party
        person = Party.objects.select_for_update().filter(pk=pk, complaint=c).first()
        if person is None:
            raise GuardFailed("This person is not named in this complaint.")
        new, changed = _corrections(
            person,
            changes,
            labels=CORRECTABLE,
            was=was,
            reason=reason,
            written=CONTACT_DETAILS,
            reason_rule=REASON_WITHOUT_CONTACT,
        )
        for name in changed:
            setattr(person, name, new[name])
        if person.anonymous and (person.first_name or person.last_name):
            raise GuardFailed("An anonymous complainant has no name on the complaint.")
        if not person.anonymous and not (person.first_name or person.last_name):
            raise GuardFailed("Give the person's first or last name.")
        if person.phone and not is_phone_number(person.phone):
            raise GuardFailed("Enter a phone number with its area code, for example 314-555-0142.")
        if person.preferred_language not in LANGUAGE_NAMES and person.preferred_language != NOT_ASKED:
            raise GuardFailed("Choose a language from the list.")
        person.save(update_fields=changed)
        if {"first_name", "last_name"} & set(changed):
            refresh_people_copies([c.pk])  # the search and the list name the person as corrected
            c.refresh_from_db(fields=["search_names", "people"])
        if SESSION_NEEDS & set(changed):  # a need or a language the booking may no longer suit: the coordinator's queue
            mediation_eligibility.recheck_bookings(c.sessions.all())
        return _finish(
            c,
            t,
            to=c.status,
            actor=actor,
            reason=reason,
            data={"party": person.pk, "kind": person.kind, "fields": changed},
        )


def alleged_codes(officer: ComplaintOfficer) -> list[str]:
    """The codes of the kinds of misconduct alleged against ``officer``, sorted (a correction form keeps
    their ``field_digest`` as it opened)."""
    return sorted(officer.allegations.values_list("category__code", flat=True))


def allegations_correct(
    *,
    complaint: Complaint | int,
    actor: User | None,
    officer: ComplaintOfficer | int,
    codes: Iterable[str],
    reason: str,
    was: str | None = None,
) -> Complaint:
    """Correct the kinds of misconduct alleged against an officer before screening, which reads them (a
    category the program excludes from mediation, taken down wrong at intake, decides the screening).
    ``codes``: the categories alleged from now on, at least one; a category the administrator retired since
    can be kept, not added. ``was``: the ``field_digest`` of ``alleged_codes`` when the form opened. The
    details written with a category kept stay with it; the event says which were added and removed."""
    with transaction.atomic():
        c, t = _begin(complaint, "allegations_correct", actor)
        reason = _require_reason(reason, "the correction")
        pk = officer.pk if isinstance(officer, ComplaintOfficer) else officer
        named = c.officers.select_for_update().filter(pk=pk).first()
        if named is None:
            raise GuardFailed("That officer is not named in this complaint.")
        before = alleged_codes(named)
        if was is not None and was != field_digest(before):
            raise GuardFailed(
                f"This was not saved: someone else corrected the allegations against {named.display_name} since "
                "you opened this form. Open it again to see what they are now."
            )
        wanted = sorted(set(codes))
        if not wanted:
            raise GuardFailed("Choose at least one kind of misconduct.")
        categories = {cat.code: cat for cat in AllegationCategory.objects.filter(code__in=[*wanted, *before])}
        if unknown := [code for code in wanted if code not in categories]:
            raise GuardFailed(f"These kinds of misconduct are not on the program's list: {', '.join(unknown)}.")
        if retired := [categories[code].name for code in wanted if code not in before and not categories[code].active]:
            raise GuardFailed(f"No longer a category of this program, so it cannot be added: {', '.join(retired)}.")
        added = [code for code in wanted if code not in before]
        removed = [code for code in before if code not in wanted]
        if not (added or removed):
            raise GuardFailed("Nothing was changed: the allegations are as they were.")
        taken_off = named.allegations.filter(category__code__in=removed)
        # what was written with a category taken off stays in the record (the event), not on the officer
        written = {code: details for code, details in taken_off.values_list("category__code", "details") if details}
        taken_off.delete()
        Allegation.objects.bulk_create(
            [Allegation(complaint_officer=named, category=categories[code]) for code in added]
        )
        refresh_people_copies([c.pk])  # the list and the queue show the officers with their allegations
        c.refresh_from_db(fields=["search_names", "people"])
        return _finish(
            c,
            t,
            to=c.status,
            actor=actor,
            reason=reason,
            data={
                "officer": named.pk,
                "added": added,
                "removed": removed,
                "names": {code: categories[code].name for code in added + removed},  # as they were called then
                **({"removed_details": written} if written else {}),
            },
        )


def corrected_value(name: str, value: Any) -> Any:
    """A corrected detail as it is kept (the form's value, or a caller's): a yes or no, a date or a time
    (or none), or text trimmed."""
    if name.startswith("needs_"):
        return bool(value)
    if name in ("incident_date", "incident_time"):
        return value or None
    return str(value or "").strip()


# What can be corrected of the incident after intake, and what the timeline calls each. Not the date the
# complaint was received (its due dates count from it), nor the complainant's account of what happened.
INCIDENT_DETAILS: dict[str, str] = {
    "incident_date": "date",
    "incident_time": "time",
    "incident_location": "place",
    "police_report_number": "report number",
}
INCIDENT_WRITTEN = ("incident_location", "police_report_number")  # what a reason may not repeat
REASON_WITHOUT_INCIDENT = (
    "Leave the details themselves out of the reason (“the wrong street was taken down”, not the street): the "
    "mediation center reads the reason, and not the incident's details."
)


def complaint_correct(
    *,
    complaint: Complaint | int,
    actor: User | None,
    changes: dict[str, Any],
    reason: str,
    was: dict[str, str] | None = None,
) -> Complaint:
    """Correct the incident's details (``INCIDENT_DETAILS``) while the complaint is open: a date, a time, a
    place or a report number taken down wrong. ``changes``: only the details corrected; ``was``: their
    ``field_digest`` when the form was opened. The event says which were corrected, never the values."""
    with transaction.atomic():
        c, t = _begin(complaint, "complaint_correct", actor)
        reason = _require_reason(reason, "the correction")
        new, changed = _corrections(
            c,
            changes,
            labels=INCIDENT_DETAILS,
            was=was,
            reason=reason,
            written=INCIDENT_WRITTEN,
            reason_rule=REASON_WITHOUT_INCIDENT,
        )
        day = new.get("incident_date", c.incident_date)
        if day is not None and not isinstance(day, dt.date):
            raise GuardFailed("Give the incident's date as a date.")
        if day is not None and day > c.received_on:
            raise GuardFailed("The incident cannot be after the date the complaint was received.")
        if (
            "incident_time" in new
            and new["incident_time"] is not None
            and not isinstance(new["incident_time"], dt.time)
        ):
            raise GuardFailed("Give the incident's time as a time of day.")
        for name in changed:
            setattr(c, name, new[name])
        return _finish(c, t, to=c.status, actor=actor, reason=reason, data={"fields": changed}, fields=changed)


# ---------------------------------------------------------------------------------------------
# Screening and suitability


def complaint_screen(
    *, complaint: Complaint | int, actor: User | None, answers: dict[str, bool], note: str = ""
) -> Complaint:
    """Answer every exclusion factor of the complaint's policy; decide whether mediation stays possible."""
    with transaction.atomic():
        c, t = _begin(complaint, "complaint_screen", actor)
        policy = c.policy
        factors = list(policy.exclusion_factors.all())
        unanswered = [f.question for f in factors if f.code not in answers]
        if unanswered:
            raise GuardFailed("Answer every screening question: " + "; ".join(unanswered))
        unknown = set(answers) - {f.code for f in factors}
        if unknown:
            raise GuardFailed(f"These are not screening questions of this program: {', '.join(sorted(unknown))}.")
        reasons = [f"{f.question} Yes." for f in factors if answers[f.code]]
        excluded = AllegationCategory.objects.filter(
            allegations__complaint_officer__complaint=c, excluding_policies=policy
        ).distinct()
        reasons += [f"Allegation of {cat.name.lower()}, which this program does not mediate." for cat in excluded]
        if not c.parties.filter(kind=PartyKind.COMPLAINANT, anonymous=False).exists():
            reasons.append("No complainant who can take part: anonymous complainants cannot mediate.")
        if not _identified_officers(c):  # an officer only described cannot be asked to take part
            reasons.append(NO_IDENTIFIED_OFFICER)
        if policy.officer_repeat_window_days:
            since = timezone.now() - dt.timedelta(days=policy.officer_repeat_window_days)
            dsns = [d for d in c.officers.values_list("dsn", flat=True) if d]
            repeat = (
                ComplaintOfficer.objects.filter(
                    dsn__in=dsns, complaint__status=Status.MEDIATED, complaint__closed_at__gte=since
                )
                .exclude(complaint=c)
                .values_list("dsn", flat=True)
                .distinct()
            )
            reasons += [
                f"Officer DSN {dsn} took part in a mediation in the last {policy.officer_repeat_window_days} days."
                for dsn in repeat
            ]
        ScreeningAnswer.objects.bulk_create(
            [
                ScreeningAnswer(complaint=c, factor_code=f.code, question=f.question, answer=answers[f.code])
                for f in factors
            ]
        )
        c.screened_at = timezone.now()
        to = Status.UNSUITABLE if reasons else Status.SUITABILITY_REVIEW
        if to == Status.SUITABILITY_REVIEW:
            set_deadline(c, DeadlineKind.SUITABILITY, policy.suitability_review_days)
        return _finish(
            c,
            t,
            to=to,
            actor=actor,
            reason=" ".join(reasons) if reasons else note,
            data={"answers": answers, "exclusion_reasons": reasons, "note": note},
            fields=["screened_at"],
        )


def suitability_approvals(complaint: Complaint) -> set[str]:
    """The roles that have approved this complaint for mediation so far."""
    return set(
        complaint.events.filter(action="complaint_decide_suitability", data__appropriate=True).values_list(
            "actor_role", flat=True
        )
    )


def complaint_decide_suitability(
    *, complaint: Complaint | int, actor: User | None, appropriate: bool, reason: str
) -> Complaint:
    """A suitability decider of the policy (St. Louis: Internal Affairs) decides on mediation."""
    with transaction.atomic():
        c, t = _begin(complaint, "complaint_decide_suitability", actor)
        role = actor_role(actor)
        deciders = set(c.policy.suitability_deciders)
        if role not in deciders:
            raise RoleNotAllowed(action=t.action, role=role, allowed_roles=deciders)
        approved = suitability_approvals(c)
        if role in approved:
            raise GuardFailed("Your role has already approved this complaint; another decider must decide.")
        if not appropriate:
            reason = _require_reason(reason, "finding the complaint not appropriate for mediation")
            to = Status.UNSUITABLE
        elif deciders <= approved | {role}:
            to = Status.AWAITING_CHOICE
            c.suitability_decided_at = timezone.now()
            meet_deadline(c, DeadlineKind.SUITABILITY)
            set_deadline(c, DeadlineKind.COMPLAINANT_CHOICE, c.policy.complainant_choice_days)
        else:
            to = Status.SUITABILITY_REVIEW
        return _finish(
            c,
            t,
            to=to,
            actor=actor,
            reason=reason,
            data={"appropriate": appropriate},
            fields=["suitability_decided_at"] if to == Status.AWAITING_CHOICE else (),
        )


# ---------------------------------------------------------------------------------------------
# Consent: the complainant first, then the officer (or both at once, by policy)


EXPLANATION_METHODS = {"in_person", "phone", "video", "letter"}


NO_IDENTIFIED_OFFICER = (
    "No officer is identified (each is only described), and mediation needs an identified officer who can be "
    "asked to take part."
)


def mediation_impossible(c: Complaint) -> str:
    """Why the complainant cannot choose mediation whatever the officers answer ("" when they can)."""
    if not c.parties.filter(kind=PartyKind.COMPLAINANT, anonymous=False).exists():
        return "An anonymous complainant cannot take part in mediation."
    if not _identified_officers(c):
        return NO_IDENTIFIED_OFFICER
    return ""


def _identified_officers(c: Complaint) -> list[ComplaintOfficer]:
    return [o for o in c.officers.all() if o.identified]


def _consent_outcome(c: Complaint, officers: list[ComplaintOfficer]) -> str | None:
    """The status the officers' answers lead to once all are in (None while some are missing)."""
    if any(o.consent == "" for o in officers):
        return None
    agreed = [o for o in officers if o.takes_part]
    if not agreed:
        return Status.DECLINED_BY_OFFICER
    if len(agreed) < len(officers) and c.policy.multi_officer_rule == MultiOfficerRule.ALL_MUST_AGREE:
        return Status.DECLINED_BY_OFFICER
    return Status.READY_FOR_REFERRAL


def complaint_record_choice(
    *,
    complaint: Complaint | int,
    actor: User | None,
    explained_by: str,
    explained_on: dt.date,
    explained_how: str,
    choice: str,
    reason: str = "",
) -> Complaint:
    """Record that BOTH processes were explained to the complainant, and the choice they made.

    ``choice`` is "mediation" or "investigation".
    """
    with transaction.atomic():
        c, t = _begin(complaint, "complaint_record_choice", actor)
        if not explained_by.strip():
            raise GuardFailed("Record who explained both processes to the complainant.")
        if explained_how not in EXPLANATION_METHODS:
            raise GuardFailed(
                f"Record how both processes were explained: one of {', '.join(sorted(EXPLANATION_METHODS))}."
            )
        if explained_on > timezone.localdate():
            raise GuardFailed("The explanation cannot be dated in the future.")
        if explained_on < c.received_on:
            raise GuardFailed("The explanation cannot be dated before the complaint was received.")
        if choice not in {"mediation", "investigation"}:
            raise GuardFailed("Record the complainant's choice: mediation or investigation.")
        officers = _identified_officers(c)
        policy = c.policy
        updated: list[str] = []
        if choice == "investigation":
            to = Status.DECLINED_BY_COMPLAINANT
        else:
            if impossible := mediation_impossible(c):
                raise GuardFailed(impossible)
            if policy.officer_participation_mandatory:
                for o in officers:
                    o.consent = ConsentAnswer.REQUIRED
                    o.consent_recorded_at = timezone.now()
                    o.save(update_fields=["consent", "consent_recorded_at"])
                to = Status.READY_FOR_REFERRAL
            elif policy.consent_order == ConsentOrder.PARALLEL:
                to = _consent_outcome(c, officers) or Status.AWAITING_OFFICER_CONSENT
            else:
                to = Status.AWAITING_OFFICER_CONSENT
            if to == Status.AWAITING_OFFICER_CONSENT:
                set_deadline(c, DeadlineKind.OFFICER_ANSWER, policy.officer_answer_days)
        c.choice_recorded_at = timezone.now()
        updated.append("choice_recorded_at")
        meet_deadline(c, DeadlineKind.COMPLAINANT_CHOICE)
        if to == Status.READY_FOR_REFERRAL:
            meet_deadline(c, DeadlineKind.OFFICER_ANSWER)
        return _finish(
            c,
            t,
            to=to,
            actor=actor,
            reason=reason,
            data={
                "explained_by": explained_by.strip(),
                "explained_on": explained_on.isoformat(),
                "explained_how": explained_how,
                "choice": choice,
            },
            fields=updated,
            disposition=None,
        )


def officer_record_consent(
    *, complaint: Complaint | int, actor: User | None, officer: ComplaintOfficer | int, accepted: bool, reason: str = ""
) -> Complaint:
    """Record one officer's answer to the offer of mediation."""
    with transaction.atomic():
        c, t = _begin(complaint, "officer_record_consent", actor)
        policy = c.policy
        if c.status == Status.AWAITING_CHOICE and policy.consent_order != ConsentOrder.PARALLEL:
            raise GuardFailed("The officer is offered mediation only after the complainant has agreed to it.")
        if policy.officer_participation_mandatory:
            raise GuardFailed("Under this program the officer must take part once referred; no answer is asked.")
        officer_pk = officer.pk if isinstance(officer, ComplaintOfficer) else officer
        officers = _identified_officers(c)
        target = next((o for o in officers if o.pk == officer_pk), None)
        if target is None:
            raise GuardFailed("That officer is not an identified officer of this complaint.")
        if target.consent:
            raise GuardFailed(f"{target.display_name} already answered: {target.get_consent_display().lower()}.")
        target.consent = ConsentAnswer.ACCEPTED if accepted else ConsentAnswer.DECLINED
        target.consent_recorded_at = timezone.now()
        target.save(update_fields=["consent", "consent_recorded_at"])
        if c.status == Status.AWAITING_CHOICE:
            to = Status.AWAITING_CHOICE
        else:
            to = _consent_outcome(c, officers) or Status.AWAITING_OFFICER_CONSENT
        discipline = not accepted and policy.officer_refusal_discipline_referral
        fields = []
        if discipline:
            c.discipline_referral = True
            fields.append("discipline_referral")
        if to != Status.AWAITING_OFFICER_CONSENT and to != Status.AWAITING_CHOICE:
            meet_deadline(c, DeadlineKind.OFFICER_ANSWER)
        return _finish(
            c,
            t,
            to=to,
            actor=actor,
            reason=reason,
            data={"officer": target.pk, "dsn": target.dsn, "accepted": accepted},
            fields=fields,
        )


def complaint_refer(*, complaint: Complaint | int, actor: User | None, note: str = "") -> Complaint:
    """Send the complaint to the mediation center."""
    with transaction.atomic():
        c, t = _begin(complaint, "complaint_refer", actor)
        c.referred_at = timezone.now()
        set_deadline(c, DeadlineKind.SCHEDULE_SESSION, c.policy.schedule_session_days)
        return _finish(c, t, to=Status.REFERRED, actor=actor, reason=note, fields=["referred_at"])


# ---------------------------------------------------------------------------------------------
# Leaving the mediation path


def complaint_send_back_good_faith(*, complaint: Complaint | int, actor: User | None, reason: str) -> Complaint:
    """The complainant sends the case back to investigation: the officer did not meet in good faith."""
    with transaction.atomic():
        c, t = _begin(complaint, "complaint_send_back_good_faith", actor)
        reason = _require_reason(reason, "the good-faith send-back")
        _cancel_open_sessions(c)
        fields = []
        if c.policy.officer_refusal_discipline_referral:
            c.discipline_referral = True
            fields.append("discipline_referral")
        return _finish(c, t, to=Status.GOOD_FAITH_SEND_BACK, actor=actor, reason=reason, fields=fields)


def complaint_withdraw(
    *, complaint: Complaint | int, actor: User | None, reason: str, whole_complaint: bool = False
) -> Complaint:
    """The complainant withdraws from mediation (back to investigation), or withdraws the complaint."""
    with transaction.atomic():
        c, t = _begin(complaint, "complaint_withdraw", actor)
        reason = _require_reason(reason, "the withdrawal")
        _cancel_open_sessions(c)
        disposition = Disposition.CLOSED_WITHDRAWN if whole_complaint else Disposition.INVESTIGATION
        return _finish(
            c,
            t,
            to=Status.WITHDRAWN,
            actor=actor,
            reason=reason,
            data={"whole_complaint": whole_complaint},
            disposition=disposition,
        )


def _cancel_open_sessions(c: Complaint) -> None:
    """End the booked session: one that already started took place (a send-back or withdrawal during
    or after it); one still to come is cancelled."""
    booked = MediationSession.objects.filter(complaint=c, status=SessionStatus.SCHEDULED)
    now = timezone.now()
    booked.filter(starts_at__lte=now).update(status=SessionStatus.HELD)
    booked.filter(starts_at__gt=now).update(status=SessionStatus.CANCELLED)


# ---------------------------------------------------------------------------------------------
# The session (the mediation center)


def session_schedule(
    *,
    complaint: Complaint | int,
    actor: User | None,
    starts_at: dt.datetime,
    mediators: list[Mediator],
    venue: Venue | None,
    duration_minutes: int | None = None,
    scheduling_notes: str = "",
    interpreter_booked: bool = False,
) -> MediationSession:
    """Book a session: a time, a venue (or video when ``venue`` is a video room) and the mediator team.

    ``scheduling_notes`` stay with the session, behind the confidentiality wall: never in the event."""
    with transaction.atomic():
        c, t = _begin(complaint, "session_schedule", actor)
        policy = c.policy
        duration = duration_minutes or policy.session_minutes
        if starts_at <= timezone.now():
            raise GuardFailed("A session must start in the future.")
        if len(scheduling_notes.strip()) > MAX_SCHEDULING_NOTES:
            raise GuardFailed(f"Keep the scheduling notes under {MAX_SCHEDULING_NOTES} characters.")
        if policy.mediator_notice_days and starts_at.date() < add_days(
            policy, timezone.localdate(), policy.mediator_notice_days
        ):
            raise GuardFailed(f"This program gives mediators and parties {policy.mediator_notice_days} days' notice.")
        # the team and the venue read again and locked, in the order of their keys: an administrator's change
        # to one of them meanwhile is waited for and checked here, or waits for this booking and checks it
        # (mediation/signals.py); and two coordinators booking one mediator at once are checked one after the other
        chosen = Mediator.objects.select_for_update().filter(pk__in=sorted({m.pk for m in mediators}))
        team = {m.pk: m for m in chosen.order_by("pk")}
        if venue is not None:
            venue = Venue.objects.select_for_update().filter(pk=venue.pk).first()
            if venue is None:
                raise GuardFailed("That venue is no longer on the list.")
        if len(team) != policy.mediators_per_session:
            raise GuardFailed(f"This program uses {policy.mediators_per_session} distinct mediator(s) per session.")
        ends_at = starts_at + dt.timedelta(minutes=duration)
        # every problem at once, so that the coordinator fixes them in one go, not one per try
        problems = [
            mediation_eligibility.mediator_problem(m, complaint=c, starts_at=starts_at, ends_at=ends_at)
            for m in team.values()
        ]
        if venue is not None:
            problems.append(
                mediation_eligibility.venue_problem(
                    venue, starts_at=starts_at, ends_at=ends_at, complaint=c, team_size=len(team)
                )
            )
        problems.append(
            mediation_eligibility.language_problem(c, list(team.values()), interpreter_booked=interpreter_booked)
        )
        if found := [problem for problem in problems if problem]:
            raise GuardFailed(" ".join(found))
        session = MediationSession.objects.create(
            complaint=c,
            starts_at=starts_at,
            duration_minutes=duration,
            venue=venue,
            scheduling_notes=scheduling_notes.strip(),
            interpreter_booked=interpreter_booked,
        )
        session.mediators.set(team.values())
        _finish(
            c,
            t,
            to=Status.SCHEDULED,
            actor=actor,
            data={
                "session": session.pk,
                "starts_at": starts_at.isoformat(),
                "venue": venue.pk if venue else None,
                "mediators": sorted(team),
            },
        )
        return session


def session_cancel(*, complaint: Complaint | int, actor: User | None, reason: str) -> Complaint:
    """Call off the booked session; the case waits to be scheduled again."""
    with transaction.atomic():
        c, t = _begin(complaint, "session_cancel", actor)
        reason = _require_reason(reason, "cancelling the session")
        MediationSession.objects.filter(complaint=c, status=SessionStatus.SCHEDULED).update(
            status=SessionStatus.CANCELLED
        )
        return _finish(c, t, to=Status.REFERRED, actor=actor, reason=reason)


def current_session(c: Complaint) -> MediationSession:
    session = (
        MediationSession.objects.filter(complaint=c, status=SessionStatus.SCHEDULED).order_by("-starts_at").first()
    )
    if session is None:  # the workflow keeps a scheduled session for every SCHEDULED complaint
        raise GuardFailed("This complaint has no scheduled session.")
    return session


def required_attendees(c: Complaint, session: MediationSession) -> tuple[set[int], set[int], set[int]]:
    """Who must be in the room for a mediation: (complainant party ids, officer ids, mediator ids)."""
    parties = set(c.parties.filter(kind=PartyKind.COMPLAINANT, anonymous=False).values_list("pk", flat=True))
    officers = {o.pk for o in c.officers.all() if o.identified and o.takes_part}
    mediators = set(session.mediators.values_list("pk", flat=True))
    return parties, officers, mediators


def companions_of(c: Complaint) -> set[int]:
    """Who comes into the room with a complainant: a parent or guardian, a support person (party ids)."""
    kinds = IN_THE_ROOM - {PartyKind.COMPLAINANT}
    return set(c.parties.filter(kind__in=kinds, anonymous=False).values_list("pk", flat=True))


def attendance_problem(
    outcome: str, present: tuple[set[int], set[int], set[int]], needed: tuple[set[int], set[int], set[int]]
) -> tuple[str, str] | None:
    """What is wrong with the attendance recorded for ``outcome``, as (the form's field, the message), or
    None. A session took place only with its mediators (if none came, it is cancelled and booked again).
    "Not resolved" sends the complaint to investigation and cannot be undone: it needs both sides in the
    room, so that a complainant or an officer who did not come is recorded as the no-show it is (a
    mediator who left every box blank had sent complaints to investigation)."""
    (parties, officers, mediators), (need_parties, need_officers, need_mediators) = present, needed
    if need_mediators and not mediators:
        return "present_mediators", (
            "No mediator is marked present. Tick the mediators who ran the session; if none came, cancel the "
            "session and book it again."
        )
    if outcome == SessionOutcome.NOT_RESOLVED:
        if need_parties and not parties:
            return "present_parties", (
                "No complainant is marked present. Tick who came; if the complainant did not come, choose "
                f"“{SessionOutcome.COMPLAINANT_NO_SHOW.label}”."
            )
        if need_officers and not officers:
            return "present_officers", (
                "No officer is marked present. Tick who came; if the officer did not come, choose "
                f"“{SessionOutcome.OFFICER_NO_SHOW.label}”."
            )
    return None


def session_record_outcome(
    *,
    complaint: Complaint | int,
    actor: User | None,
    outcome: str,
    present_parties: Iterable[int] = (),
    present_officers: Iterable[int] = (),
    present_mediators: Iterable[int] = (),
    present_companions: Iterable[int] = (),
    agreement_signed: bool = False,
    agreement_terms: str = "",
    agreement_public: bool = False,
) -> Complaint:
    """Record who attended the session and its outcome code. Nothing said in the room is recorded.

    ``present_companions``: those who come with a complainant (a parent or guardian, a support person;
    ``companions_of``), whose attendance is recorded too, though no outcome depends on it.

    A signed written agreement's terms are kept as signed (``Agreement``), non-public unless
    ``agreement_public``; the event records only that there is one, never its terms.

    This is where a complaint becomes "mediated": a resolved session in which every required party
    and every mediator of the team was present closes it with no investigation and no discipline.
    """
    with transaction.atomic():
        c, t = _begin(complaint, "session_record_outcome", actor)
        policy = c.policy
        session = current_session(c)
        if actor is not None and actor.role == Role.MEDIATOR and not session.mediators.filter(user=actor).exists():
            raise RoleNotAllowed(action=t.action, role="mediator not on this session", allowed_roles=t.roles)
        if outcome not in SessionOutcome.values:
            raise GuardFailed("Choose one of the outcomes offered.")
        if session.starts_at > timezone.now():
            raise GuardFailed("The session has not started yet; record its outcome after it took place.")
        need_parties, need_officers, need_mediators = required_attendees(c, session)
        companions = companions_of(c)
        present = (set(present_parties), set(present_officers), set(present_mediators))
        with_them = set(present_companions)
        strangers = (
            (present[0] - need_parties)
            | (present[1] - need_officers)
            | (present[2] - need_mediators)
            | (with_them - companions)
        )
        if strangers:
            raise GuardFailed("Attendance names someone who is not a participant of this session.")
        everyone_present = present == (need_parties, need_officers, need_mediators)
        if problem := attendance_problem(outcome, present, (need_parties, need_officers, need_mediators)):
            raise GuardFailed(problem[1])
        agreement_terms = agreement_terms.strip()
        resolved = outcome in {SessionOutcome.FULL_AGREEMENT, SessionOutcome.PARTIAL_AGREEMENT}
        if agreement_terms:
            if not resolved:
                raise GuardFailed("A written agreement goes only with a session that ended in an agreement.")
            if not agreement_signed:
                raise GuardFailed("Terms were given, but the agreement is not marked as signed.")
            if policy.written_agreement == WrittenAgreement.NONE:
                raise GuardFailed("This program does not use written agreements.")
            if len(agreement_terms) > MAX_AGREEMENT_TERMS:
                raise GuardFailed(f"Keep the agreement's terms under {MAX_AGREEMENT_TERMS} characters.")
        elif agreement_public:
            raise GuardFailed("Write the terms that the parties agreed may be made public.")
        elif resolved and agreement_signed and policy.written_agreement == WrittenAgreement.REQUIRED:
            raise GuardFailed("This program keeps the terms of every signed agreement: write them as signed.")

        fields: list[str] = []
        data: dict[str, Any] = {"session": session.pk, "outcome": outcome}
        disposition = None
        if outcome in {SessionOutcome.FULL_AGREEMENT, SessionOutcome.PARTIAL_AGREEMENT}:
            if not everyone_present:
                raise GuardFailed(
                    "A mediation can be resolved only when every complainant, every participating officer "
                    "and every mediator of the team was present. Record who was there."
                )
            if policy.written_agreement == WrittenAgreement.REQUIRED and not agreement_signed:
                raise GuardFailed("This program requires a signed written agreement to close a case as mediated.")
            counts = outcome == SessionOutcome.FULL_AGREEMENT or policy.partial_agreement_counts_as_mediated
            to = Status.MEDIATED if counts else Status.NOT_RESOLVED
            session_status = SessionStatus.HELD
        elif outcome == SessionOutcome.NOT_RESOLVED:
            to, session_status = Status.NOT_RESOLVED, SessionStatus.HELD
        elif outcome == SessionOutcome.COMPLAINANT_NO_SHOW:
            if present[0] == need_parties:
                raise GuardFailed("Every complainant is marked present; that is not a no-show.")
            c.complainant_no_shows += 1
            fields.append("complainant_no_shows")
            data["no_shows"] = c.complainant_no_shows
            session_status = SessionStatus.COMPLAINANT_NO_SHOW
            if policy.no_show_limit and c.complainant_no_shows >= policy.no_show_limit:
                to = policy.no_show_closure
            else:
                to = Status.REFERRED
        else:  # officer no-show: a refusal to take part
            if present[1] == need_officers:
                raise GuardFailed("Every participating officer is marked present; that is not a no-show.")
            to, session_status = Status.DECLINED_BY_OFFICER, SessionStatus.OFFICER_NO_SHOW
            if policy.officer_refusal_discipline_referral:
                c.discipline_referral = True
                fields.append("discipline_referral")

        session.status = session_status
        session.outcome = outcome
        session.agreement_signed = agreement_signed
        session.save(update_fields=["status", "outcome", "agreement_signed"])
        if agreement_terms:
            Agreement.objects.create(session=session, terms=agreement_terms, public=agreement_public, recorded_by=actor)
            data["agreement"] = "public" if agreement_public else "non-public"
        SessionAttendance.objects.bulk_create(
            [SessionAttendance(session=session, party_id=pk, present=pk in present[0]) for pk in need_parties]
            + [SessionAttendance(session=session, officer_id=pk, present=pk in present[1]) for pk in need_officers]
            + [SessionAttendance(session=session, mediator_id=pk, present=pk in present[2]) for pk in need_mediators]
            + [SessionAttendance(session=session, party_id=pk, present=pk in with_them) for pk in sorted(companions)]
        )
        meet_deadline(c, DeadlineKind.SCHEDULE_SESSION)
        if to == Status.REFERRED:
            first_session = c.sessions.order_by("starts_at").first()
            start = timezone.localdate(first_session.starts_at) if first_session else timezone.localdate()
            set_deadline(c, DeadlineKind.FINISH_MEDIATION, policy.finish_after_first_session_days, start)
        else:
            meet_deadline(c, DeadlineKind.FINISH_MEDIATION)
        return _finish(c, t, to=to, actor=actor, data=data, fields=fields, disposition=disposition)
