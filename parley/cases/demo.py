"""Deterministic demo data: staff for every role, reference data, and complaints in every status.

The complaints are written in bulk, not through the service functions, so that a million can be loaded
for benchmarks. Each complaint is given the history the services would have written for it: the same
events, dates, sessions and attendance. A test checks that the generated history replays to each
complaint's status and keeps the workflow's invariants.

How it is fast: the planner (``_Generator``) makes plain values, never model instances; a batch of
plans becomes tuples with primary keys reserved ahead (from the tables' sequences on PostgreSQL), and
the tuples go to the database with COPY on PostgreSQL, ``executemany`` elsewhere (SQLite). One batch
is one transaction; reference numbers are reserved per year per batch through ``next_references``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from parley.accounts.models import User
from parley.accounts.roles import Role
from parley.cases.deadlines import add_days
from parley.cases.models import (
    IN_THE_ROOM,
    KEPT_QUEUES,
    Allegation,
    AllegationCategory,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintOfficer,
    ConsentAnswer,
    Deadline,
    DeadlineKind,
    MediationInterest,
    Officer,
    Party,
    PartyKind,
    ScreeningAnswer,
    new_public_id,
)
from parley.cases.names import people_copy, search_names_text
from parley.cases.selectors import refresh_waiting
from parley.cases.services import next_references
from parley.cases.workflow import DISPOSITION_OF, OPEN, Disposition, Status
from parley.crypto import EncryptedTextField, blind_index, encrypt
from parley.mediation.eligibility import recheck_bookings
from parley.mediation.models import (
    Agreement,
    MediationSession,
    Mediator,
    Respondent,
    SessionAttendance,
    SessionOutcome,
    SessionStatus,
    SurveyAnswer,
    SurveyResponse,
    Venue,
)
from parley.mediation.survey import STATEMENTS
from parley.policies.models import MultiOfficerRule, ProgramPolicy, WrittenAgreement
from parley.policies.presets import install_presets

DEMO_PASSWORD = "parley-demo-2026"  # noqa: S105 (printed for the demo; never used outside it)

DEMO_STAFF: list[tuple[str, str, str, str]] = [
    ("intake", "Irene", "Ortiz", Role.INTAKE),
    ("intake2", "Marcus", "Bell", Role.INTAKE),
    ("iad", "Ray", "Donnelly", Role.IAD),
    ("coordinator", "Carla", "Nguyen", Role.COORDINATOR),
    ("mediator", "Maya", "Fischer", Role.MEDIATOR),
    ("mediator2", "Samuel", "Okafor", Role.MEDIATOR),
    ("admin", "Alma", "Hughes", Role.ADMIN),
    ("auditor", "Audrey", "Kim", Role.AUDITOR),
]

FIRST = [
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "William",
    "Elizabeth",
    "Jose",
    "Ana",
    "Luis",
    "Rosa",
    "Amir",
    "Fatima",
    "Emir",
    "Amina",
    "Tyrone",
    "Keisha",
    "DeShawn",
    "Latoya",
    "Hung",
    "Mai",
    "Olga",
    "Ivan",
    "Grace",
    "Henry",
]
LAST = [
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Hodzic",
    "Begic",
    "Nguyen",
    "Tran",
    "Washington",
    "Jefferson",
    "Clark",
]
STREETS = [
    "Market",
    "Olive",
    "Locust",
    "Grand",
    "Kingshighway",
    "Delmar",
    "Natural",
    "Bridge",
    "Gravois",
    "Chippewa",
    "Jefferson",
    "Broadway",
    "Cherokee",
]
UNITS = ["District 1", "District 2", "District 3", "District 4", "District 5", "District 6", "Traffic", "Downtown"]
NARRATIVES = [
    "The officer spoke to me in a rude and demeaning way during a traffic stop and would not give me a name.",
    "I asked why I was being stopped and the officer told me to shut up and used offensive language.",
    "The officer refused to take my report about a stolen bicycle and laughed at me.",
    "During a stop outside my home the officer searched my car without explaining why.",
    "The officer cursed at my son and me while we waited for the bus.",
    "I was followed in a store and questioned by an officer because of how I look.",
    "The officer drove through a red light with no siren and nearly hit my car, then yelled at me.",
    "At a community meeting the officer dismissed my questions and would not let me speak.",
]
SCHEDULING_NOTES = [
    "",
    "",
    "Complainant can only come after 5 pm on weekdays.",
    "Officer works nights this month; late mornings are best.",
    "Complainant needs a bus route: Central Library is easiest.",
    "Call the complainant's sister first; she translates.",
    "Officer asked for a session away from the district station.",
]
AGREEMENTS = [
    "The officer apologised for the language he used. Both agreed to greet each other by name in future.",
    "The officer will visit the complainant's neighborhood association meeting in the spring.",
    "The complainant will join a ride-along with the district's community officer.",
    "The officer explained the stop procedure; the complainant accepted the explanation and an apology.",
    "Both agreed that the officer will give his name and badge number when asked, and explain any search.",
]
SURVEY_COMMENTS = ["", "", "", "Thank you for listening.", "The library was a good place.", "It took too long."]

# How a demo program's complaints end up (weights); every status of the workflow appears.
STATUS_WEIGHTS: dict[str, int] = {
    Status.RECEIVED: 7,
    Status.SUITABILITY_REVIEW: 6,
    Status.AWAITING_CHOICE: 6,
    Status.AWAITING_OFFICER_CONSENT: 5,
    Status.READY_FOR_REFERRAL: 4,
    Status.REFERRED: 5,
    Status.SCHEDULED: 5,
    Status.MEDIATED: 20,
    Status.MEDIATION_ATTEMPTED: 2,
    Status.NOT_RESOLVED: 6,
    Status.DECLINED_BY_COMPLAINANT: 12,
    Status.DECLINED_BY_OFFICER: 6,
    Status.UNSUITABLE: 10,
    Status.WITHDRAWN: 3,
    Status.GOOD_FAITH_SEND_BACK: 3,
}


def ensure_staff() -> dict[str, User]:
    users = {}
    password = make_password(DEMO_PASSWORD)
    for username, first, last, role in DEMO_STAFF:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "email": f"{username}@parley.example",
                "password": password,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        users[username] = user
    return users


def ensure_reference_data(users: dict[str, User], rng: random.Random, officers: int = 300) -> None:
    install_presets()
    if not Venue.objects.exists():
        Venue.objects.bulk_create(
            [
                Venue(name="Central Library, Room 2", address="1301 Olive St", capacity=10),
                Venue(name="Carondelet Recreation Center", address="3900 Reilly Ave", capacity=12),
                Venue(name="Cabanne Branch Library", address="1106 Union Blvd", capacity=8),
                Venue(name="Conflict Resolution Center office", address="1520 Market St", capacity=8),
                Venue(name="Schlafly Branch Library", address="225 N Euclid Ave", capacity=6, accessible=False),
                Venue(name="Video room", is_video=True, capacity=20),
            ]
        )
    if not Mediator.objects.exists():
        mediators = []
        for i in range(16):
            user = users.get("mediator") if i == 0 else users.get("mediator2") if i == 1 else None
            mediators.append(
                Mediator(
                    user=user,
                    first_name=user.first_name if user else rng.choice(FIRST),
                    last_name=user.last_name if user else rng.choice(LAST),
                    languages=["en", "es"] if i % 5 == 0 else ["en", "bs"] if i == 7 else ["en"],
                    former_law_enforcement=i == 15,
                    certified_until=timezone.localdate() + dt.timedelta(days=365 * 2),
                    monthly_case_limit=4 if i > 1 else 40,
                )
            )
        Mediator.objects.bulk_create(mediators)
    existing = Officer.objects.count()
    if existing < officers:
        Officer.objects.bulk_create(
            [
                Officer(
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    dsn=f"{10000 + i}",
                    badge=f"{1000 + i}",
                    unit=rng.choice(UNITS),
                    rank=rng.choice(["Officer", "Officer", "Officer", "Sergeant", "Detective"]),
                )
                for i in range(existing, officers)
            ],
            batch_size=5000,
        )


# ---------------------------------------------------------------------------------------------
# The planner: one complaint's history as plain values (no model instances on this path)


class _C:
    """A complaint while its history is walked: the fields that the workflow fills in."""

    __slots__ = (
        "acknowledged_at",
        "channel",
        "choice_recorded_at",
        "closed_at",
        "complainant_no_shows",
        "discipline_referral",
        "disposition",
        "received_on",
        "referred_at",
        "screened_at",
        "status",
        "status_changed_at",
        "suitability_decided_at",
    )

    def __init__(self, received_on: dt.date, channel: str):
        self.received_on = received_on
        self.channel = channel
        self.disposition = ""
        self.closed_at = None
        self.discipline_referral = False
        self.acknowledged_at = None
        self.screened_at = None
        self.suitability_decided_at = None
        self.choice_recorded_at = None
        self.referred_at = None
        self.complainant_no_shows = 0


class _Officer:
    """An officer named in a complaint (the roster row copied), and the consent the walk records."""

    __slots__ = ("categories", "consent", "consent_recorded_at", "description", "dsn", "pk", "roster")

    def __init__(self, roster: tuple | None, categories: list[int], description: str = ""):
        self.pk = 0
        self.roster = roster  # (pk, first_name, last_name, dsn, badge, unit, rank)
        self.dsn = roster[3] if roster else ""
        self.description = description
        self.categories = categories
        self.consent = ""
        self.consent_recorded_at = None


class _Deadline:
    __slots__ = ("cancelled", "due_on", "kind", "met_at")

    def __init__(self, kind: str, due_on: dt.date, met_at: dt.datetime | None):
        self.kind, self.due_on, self.met_at, self.cancelled = kind, due_on, met_at, False


@dataclass
class _Plan:
    """One complaint's generated history before it becomes rows."""

    complaint: _C
    fixed: tuple  # incident date, time and location, narrative, mediation interest
    parties: list[tuple] = field(default_factory=list)  # the Party columns after its key and complaint
    officers: list[_Officer] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)  # (action, from, to, role, at, reason, data)
    answers: list[tuple[str, str, bool]] = field(default_factory=list)
    deadlines: list[_Deadline] = field(default_factory=list)
    session: dict[str, Any] | None = None


_USERNAME_OF_ROLE = {
    Role.INTAKE: "intake",
    Role.IAD: "iad",
    Role.COORDINATOR: "coordinator",
    Role.MEDIATOR: "mediator",
    Role.ADMIN: "admin",
}
_MINUTES = [0, 10, 20, 30, 40, 50]
_QUARTERS = [0, 15, 30, 45]


class _Generator:
    def __init__(self, *, policy: ProgramPolicy, users: dict[str, User], rng: random.Random, today: dt.date):
        self.policy = policy
        self.users = users
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.factors = [(f.code, f.question) for f in policy.exclusion_factors.all()]
        categories = list(AllegationCategory.objects.filter(active=True))
        excluded = set(policy.excluded_categories.values_list("pk", flat=True))
        self.categories = [c.pk for c in categories]
        self.mediable_categories = [c.pk for c in categories if c.pk not in excluded] or self.categories
        self.roster = list(Officer.objects.values_list("pk", "first_name", "last_name", "dsn", "badge", "unit", "rank"))
        self.mediators = list(
            Mediator.objects.filter(active=True, former_law_enforcement=False).values_list("pk", flat=True)
        )
        self.languages_of = dict(Mediator.objects.values_list("pk", "languages"))
        self.venues = list(Venue.objects.filter(active=True).values_list("pk", flat=True))
        self.room_of = {
            pk: (video, capacity) for pk, video, capacity in Venue.objects.values_list("pk", "is_video", "capacity")
        }
        self.actor_of = {role: users[username].pk for role, username in _USERNAME_OF_ROLE.items()}
        self.intake_name = users["intake"].get_full_name()
        self.channels = list(Channel.values)
        self.interests = [*MediationInterest.values, ""]
        statuses = list(STATUS_WEIGHTS)
        if not (policy.no_show_limit and policy.no_show_closure == Status.MEDIATION_ATTEMPTED):
            statuses.remove(Status.MEDIATION_ATTEMPTED)  # this policy cannot reach it
        if policy.officer_participation_mandatory:  # officers are not asked: no complaint waits on them
            statuses.remove(Status.AWAITING_OFFICER_CONSENT)
        self.statuses = statuses
        self.weights = [STATUS_WEIGHTS[s] for s in statuses]

    def _at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(9, 16) if hour is None else hour
        # what timezone.make_aware does with a zoneinfo zone, without its checks
        return dt.datetime(day.year, day.month, day.day, hour, self.rng.choice(_MINUTES), tzinfo=self.tz)

    def plan(self, received_on: dt.date, final: str) -> _Plan:
        rng = self.rng
        c = _C(received_on, rng.choice(self.channels))
        incident_date = received_on - dt.timedelta(days=rng.randint(0, 20))
        incident_time = dt.time(rng.randint(0, 23), rng.choice(_QUARTERS))
        location = f"{rng.randint(100, 5999)} {rng.choice(STREETS)} St"
        narrative = rng.choice(NARRATIVES)
        interest = rng.choice(self.interests)
        plan = _Plan(complaint=c, fixed=(incident_date, incident_time, location, narrative, interest))
        minor = rng.random() < 0.06
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"person{rng.randint(1, 10**6)}@example.com"
        phone = f"(314) 555-{rng.randint(1000, 9999)}"
        address = f"{rng.randint(100, 5999)} {rng.choice(STREETS)} Ave, St. Louis, MO"
        language = "es" if rng.random() < 0.12 else "en"
        interpreter = language != "en" and rng.random() < 0.5  # an interpreter for their own language
        asl = rng.random() < 0.02
        # the Party columns that follow its key and complaint in _COLUMNS
        plan.parties.append(
            (PartyKind.COMPLAINANT, first, last, email, phone, address, minor, language, interpreter, asl)
        )
        if minor:
            plan.parties.append((PartyKind.GUARDIAN, rng.choice(FIRST), last, "", "", "", False, "en", False, False))
        if rng.random() < 0.15:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            plan.parties.append((PartyKind.WITNESS, first, last, "", "", "", False, "en", False, False))
        n_officers = 1 if rng.random() < 0.8 else 2
        cats = self.categories if final == Status.UNSUITABLE else self.mediable_categories
        for _ in range(n_officers):
            roster = rng.choice(self.roster)
            # one or two different kinds of misconduct (intake's form cannot name one twice either)
            plan.officers.append(_Officer(roster, rng.sample(cats, min(len(cats), rng.randint(1, 2)))))
        if final in {Status.RECEIVED, Status.UNSUITABLE} and rng.random() < 0.1:
            plan.officers.append(_Officer(None, [], description="Tall, grey uniform, car 4312"))
        self._walk(plan, final)
        return plan

    def _event(
        self, plan: _Plan, action: str, frm: str, to: str, role: str, at: dt.datetime, reason: str = "", data=None
    ) -> None:
        plan.events.append((action, frm, to, role, at, reason, data))

    def _deadline(self, plan: _Plan, kind: str, days: int | None, start: dt.date, met: dt.datetime | None) -> None:
        if days is not None:
            plan.deadlines.append(_Deadline(kind, add_days(self.policy, start, days), met))

    def _walk(self, plan: _Plan, final: str) -> None:
        """Write the events that lead to ``final``, in the order the services would."""
        rng, policy, c = self.rng, self.policy, plan.complaint
        day = c.received_on
        t = min(self._at(day), self.now)
        status = Status.RECEIVED
        self._event(plan, "complaint_receive", "", status, Role.INTAKE, t, data={"channel": c.channel})

        last = t

        def step(days_lo: int, days_hi: int) -> dt.datetime:
            """A time some days after the last step's, never before it (a later step the same day
            comes later in the day) and never after now."""
            nonlocal day, last
            day = min(day + dt.timedelta(days=rng.randint(days_lo, days_hi)), self.today)
            at = self._at(day)
            if at <= last:
                at = last + dt.timedelta(minutes=rng.randint(5, 90))
            last = max(min(at, self.now), last)
            return last

        def move(action: str, to: str, role: str, at: dt.datetime, **kw: Any) -> None:
            nonlocal status
            self._event(plan, action, status, to, role, at, **kw)
            status = to

        def close(to: str, at: dt.datetime, disposition: str | None = None) -> None:
            c.disposition = disposition or DISPOSITION_OF[to]
            c.closed_at = at
            for d in plan.deadlines:
                if d.met_at is None:
                    d.cancelled = True

        ack_met = None
        if final != Status.RECEIVED or rng.random() < 0.5:
            ack_met = step(0, 4)
            c.acknowledged_at = ack_met
            move("complaint_acknowledge", status, Role.INTAKE, ack_met, data={"how": "letter"})
        self._deadline(plan, DeadlineKind.ACKNOWLEDGE, policy.acknowledge_days, c.received_on, ack_met)
        if final == Status.RECEIVED:
            return self._finish(plan, status)

        # screening
        at = step(1, 6)
        c.screened_at = at
        excluded = final == Status.UNSUITABLE and (rng.random() < 0.6 or not policy.suitability_deciders)
        answers = {code: False for code, _ in self.factors}
        reasons = []
        if excluded and self.factors:
            hit = rng.choice(self.factors)
            answers[hit[0]] = True
            reasons.append(f"{hit[1]} Yes.")
        plan.answers = [(code, question, answers[code]) for code, question in self.factors]
        if excluded:
            reasons = reasons or ["Allegation outside what this program mediates."]
            move(
                "complaint_screen",
                Status.UNSUITABLE,
                Role.INTAKE,
                at,
                reason=" ".join(reasons),
                data={"answers": answers, "exclusion_reasons": reasons, "note": ""},
            )
            close(Status.UNSUITABLE, at)
            return self._finish(plan, status)
        move(
            "complaint_screen",
            Status.SUITABILITY_REVIEW,
            Role.INTAKE,
            at,
            data={"answers": answers, "exclusion_reasons": [], "note": ""},
        )
        suit_start = day
        if final in {Status.SUITABILITY_REVIEW}:
            self._deadline(plan, DeadlineKind.SUITABILITY, policy.suitability_review_days, suit_start, None)
            return self._finish(plan, status)

        # suitability: each decider role in turn
        deciders = list(policy.suitability_deciders)
        at = step(1, 10)
        if final == Status.UNSUITABLE:
            role = deciders[0]
            move(
                "complaint_decide_suitability",
                Status.UNSUITABLE,
                role,
                at,
                reason="Allegations too serious for mediation.",
                data={"appropriate": False},
            )
            self._deadline(plan, DeadlineKind.SUITABILITY, policy.suitability_review_days, suit_start, None)
            close(Status.UNSUITABLE, at)
            return self._finish(plan, status)
        for i, role in enumerate(deciders):
            to = Status.AWAITING_CHOICE if i == len(deciders) - 1 else Status.SUITABILITY_REVIEW
            move(
                "complaint_decide_suitability",
                to,
                role,
                at,
                reason="The allegations are within the program's scope; no exclusion factor applies.",
                data={"appropriate": True},
            )
        c.suitability_decided_at = at
        self._deadline(plan, DeadlineKind.SUITABILITY, policy.suitability_review_days, suit_start, at)
        choice_start = day
        if final == Status.AWAITING_CHOICE:
            self._deadline(plan, DeadlineKind.COMPLAINANT_CHOICE, policy.complainant_choice_days, choice_start, None)
            return self._finish(plan, status)

        # the complainant's choice, after both processes were explained
        at = step(1, 8)
        c.choice_recorded_at = at
        self._deadline(plan, DeadlineKind.COMPLAINANT_CHOICE, policy.complainant_choice_days, choice_start, at)
        explained = {
            "explained_by": self.intake_name,
            "explained_on": day.isoformat(),
            "explained_how": rng.choice(["phone", "in_person"]),
        }
        if final == Status.DECLINED_BY_COMPLAINANT:
            move(
                "complaint_record_choice",
                Status.DECLINED_BY_COMPLAINANT,
                Role.INTAKE,
                at,
                data={**explained, "choice": "investigation"},
            )
            close(Status.DECLINED_BY_COMPLAINANT, at)
            return self._finish(plan, status)
        identified = [co for co in plan.officers if co.dsn]
        if policy.officer_participation_mandatory:
            for co in identified:
                co.consent, co.consent_recorded_at = ConsentAnswer.REQUIRED, at
            move(
                "complaint_record_choice",
                Status.READY_FOR_REFERRAL,
                Role.INTAKE,
                at,
                data={**explained, "choice": "mediation"},
            )
        else:
            move(
                "complaint_record_choice",
                Status.AWAITING_OFFICER_CONSENT,
                Role.INTAKE,
                at,
                data={**explained, "choice": "mediation"},
            )
            officer_start = day
            if final == Status.AWAITING_OFFICER_CONSENT:
                self._deadline(plan, DeadlineKind.OFFICER_ANSWER, policy.officer_answer_days, officer_start, None)
                return self._finish(plan, status)
            at = step(1, 10)
            decliner = rng.randrange(len(identified)) if final == Status.DECLINED_BY_OFFICER else None
            for i, co in enumerate(identified):  # as services._consent_outcome decides
                accepted = i != decliner
                co.consent = ConsentAnswer.ACCEPTED if accepted else ConsentAnswer.DECLINED
                co.consent_recorded_at = at
                if not accepted and policy.officer_refusal_discipline_referral:
                    c.discipline_referral = True
                agreed = [o for o in identified if o.consent == ConsentAnswer.ACCEPTED]
                if i < len(identified) - 1:
                    to = Status.AWAITING_OFFICER_CONSENT
                elif not agreed or (
                    len(agreed) < len(identified) and policy.multi_officer_rule == MultiOfficerRule.ALL_MUST_AGREE
                ):
                    to = Status.DECLINED_BY_OFFICER
                else:
                    to = Status.READY_FOR_REFERRAL
                move(
                    "officer_record_consent",
                    to,
                    Role.INTAKE,
                    at,
                    data={"officer": co, "dsn": co.dsn, "accepted": accepted},  # co: its key, when written
                )
            self._deadline(plan, DeadlineKind.OFFICER_ANSWER, policy.officer_answer_days, officer_start, at)
            if status == Status.DECLINED_BY_OFFICER:
                close(Status.DECLINED_BY_OFFICER, at)
                return self._finish(plan, status)
            if final == Status.DECLINED_BY_OFFICER:  # the decliner did not stop the others: declined later
                final = Status.NOT_RESOLVED
        if final == Status.READY_FOR_REFERRAL:
            return self._finish(plan, status)
        if final == Status.WITHDRAWN and rng.random() < 0.5:
            at = step(1, 5)
            move(
                "complaint_withdraw",
                Status.WITHDRAWN,
                Role.INTAKE,
                at,
                reason="The complainant no longer wants to meet.",
                data={"whole_complaint": False},
            )
            close(Status.WITHDRAWN, at, Disposition.INVESTIGATION)
            return self._finish(plan, status)

        # referral
        at = step(1, 5)
        c.referred_at = at
        move("complaint_refer", Status.REFERRED, Role.INTAKE, at)
        referral_day = day
        if final == Status.REFERRED:
            self._deadline(plan, DeadlineKind.SCHEDULE_SESSION, policy.schedule_session_days, referral_day, None)
            return self._finish(plan, status)
        if final == Status.GOOD_FAITH_SEND_BACK and rng.random() < 0.3:
            at = step(1, 5)
            move(
                "complaint_send_back_good_faith",
                Status.GOOD_FAITH_SEND_BACK,
                Role.INTAKE,
                at,
                reason="The officer refused to return calls about a date.",
            )
            self._deadline(plan, DeadlineKind.SCHEDULE_SESSION, policy.schedule_session_days, referral_day, None)
            close(Status.GOOD_FAITH_SEND_BACK, at)
            return self._finish(plan, status)

        # the session
        at = step(0, 3)
        session_day = day + dt.timedelta(days=rng.randint(7, 20))
        if final != Status.SCHEDULED:
            session_day = min(session_day, self.today - dt.timedelta(days=1))
            session_day = max(session_day, day)
        starts = self._at(session_day, rng.choice([10, 13, 17, 18]))
        if final == Status.SCHEDULED and starts <= self.now:
            starts = self._at(self.today + dt.timedelta(days=rng.randint(3, 20)), 18)
        if final != Status.SCHEDULED and starts + dt.timedelta(hours=4) > self.now:
            starts = self._at(self.today - dt.timedelta(days=1), 10)
        team = rng.sample(self.mediators, policy.mediators_per_session)
        venue = self._room_for(plan, rng.choice(self.venues), len(team))
        spoken = {code for m in team for code in self.languages_of[m] or ["en"]}
        plan.session = {
            "starts_at": starts,
            "venue": venue,
            "team": team,
            # booked as the services book (eligibility.language_problem): an interpreter where nobody on the
            # team speaks the language of someone in the room
            "interpreter_booked": any(p[7] not in spoken for p in plan.parties if p[0] in IN_THE_ROOM),
            "status": SessionStatus.SCHEDULED,
            "created_at": at,
            "scheduling_notes": rng.choice(SCHEDULING_NOTES),
        }
        move(
            "session_schedule",
            Status.SCHEDULED,
            Role.COORDINATOR,
            at,
            data={
                "session": None,
                "starts_at": starts.isoformat(),
                "venue": venue,
                "mediators": sorted(team),
            },
        )
        if final == Status.SCHEDULED:
            self._deadline(plan, DeadlineKind.SCHEDULE_SESSION, policy.schedule_session_days, referral_day, None)
            return self._finish(plan, status)
        at = starts + dt.timedelta(minutes=policy.session_minutes + 10)
        if final in {Status.WITHDRAWN, Status.GOOD_FAITH_SEND_BACK}:
            # no outcome is recorded: the session deadline is not met but cancelled on closing, and the
            # booked session, which has started, is kept as held (services._cancel_open_sessions)
            self._deadline(plan, DeadlineKind.SCHEDULE_SESSION, policy.schedule_session_days, referral_day, None)
            if final == Status.WITHDRAWN:
                at -= dt.timedelta(minutes=30)  # during the session
                move(
                    "complaint_withdraw",
                    Status.WITHDRAWN,
                    Role.INTAKE,
                    at,
                    reason="The complainant left the session and withdrew.",
                    data={"whole_complaint": False},
                )
            else:
                move(
                    "complaint_send_back_good_faith",
                    Status.GOOD_FAITH_SEND_BACK,
                    Role.INTAKE,
                    at,
                    reason="The complainant says the officer would not engage in good faith.",
                )
            started = plan.session["starts_at"] <= at
            plan.session["status"] = SessionStatus.HELD if started else SessionStatus.CANCELLED
            close(final, at, Disposition.INVESTIGATION if final == Status.WITHDRAWN else None)
            return self._finish(plan, status)
        self._deadline(plan, DeadlineKind.SCHEDULE_SESSION, policy.schedule_session_days, referral_day, at)
        if final == Status.MEDIATION_ATTEMPTED:
            for n in range(1, (policy.no_show_limit or 1) + 1):
                to = Status.MEDIATION_ATTEMPTED if n == policy.no_show_limit else Status.REFERRED
                c.complainant_no_shows = n
                move(
                    "session_record_outcome",
                    to,
                    Role.MEDIATOR,
                    at,
                    data={"session": None, "outcome": SessionOutcome.COMPLAINANT_NO_SHOW, "no_shows": n},
                )
                if to == Status.REFERRED:  # rescheduled, then missed again
                    move(
                        "session_schedule",
                        Status.SCHEDULED,
                        Role.COORDINATOR,
                        at,
                        data={
                            "session": None,
                            "starts_at": starts.isoformat(),
                            "venue": venue,
                            "mediators": sorted(team),
                        },
                    )
            plan.session.update(status=SessionStatus.COMPLAINANT_NO_SHOW, outcome=SessionOutcome.COMPLAINANT_NO_SHOW)
            close(Status.MEDIATION_ATTEMPTED, at)
            return self._finish(plan, status)
        if final == Status.DECLINED_BY_OFFICER:
            move(
                "session_record_outcome",
                Status.DECLINED_BY_OFFICER,
                Role.MEDIATOR,
                at,
                data={"session": None, "outcome": SessionOutcome.OFFICER_NO_SHOW},
            )
            plan.session.update(status=SessionStatus.OFFICER_NO_SHOW, outcome=SessionOutcome.OFFICER_NO_SHOW)
            if policy.officer_refusal_discipline_referral:
                c.discipline_referral = True
            close(Status.DECLINED_BY_OFFICER, at)
            return self._finish(plan, status)
        if final == Status.MEDIATED:
            outcome = SessionOutcome.FULL_AGREEMENT if rng.random() < 0.8 else SessionOutcome.PARTIAL_AGREEMENT
            if outcome == SessionOutcome.PARTIAL_AGREEMENT and not policy.partial_agreement_counts_as_mediated:
                outcome = SessionOutcome.FULL_AGREEMENT
        else:
            outcome = SessionOutcome.NOT_RESOLVED
        signed = final == Status.MEDIATED and (
            policy.written_agreement == WrittenAgreement.REQUIRED
            or (policy.written_agreement == WrittenAgreement.OPTIONAL and rng.random() < 0.6)
        )
        plan.session.update(status=SessionStatus.HELD, outcome=outcome, agreement_signed=signed)
        data: dict[str, Any] = {"session": None, "outcome": outcome}
        if signed:
            public = rng.random() < 0.3
            plan.session["agreement"] = (rng.choice(AGREEMENTS), public, at)
            data["agreement"] = "public" if public else "non-public"
        plan.session["surveys"] = [
            (side, json.dumps(self._survey_answers(side, final)), rng.choice(SURVEY_COMMENTS), at)
            for side, share in ((Respondent.COMPLAINANT, 0.7), (Respondent.OFFICER, 0.5))
            if rng.random() < share
        ]
        move("session_record_outcome", final, Role.MEDIATOR, at, data=data)
        close(final, at)
        return self._finish(plan, status)

    def _survey_answers(self, side: str, final: str) -> dict[str, str]:
        """Mostly agreeing after a mediated session, more mixed after one that did not resolve."""
        rng = self.rng
        agree = 0.85 if final == Status.MEDIATED else 0.45
        answers = {}
        for code, _text in STATEMENTS[side]:
            roll = rng.random()
            if roll < 0.05:
                continue  # left blank on the paper form
            answers[code] = (
                SurveyAnswer.AGREE
                if roll < agree
                else SurveyAnswer.NO_OPINION
                if roll < agree + 0.1
                else SurveyAnswer.DISAGREE
            )
        return answers

    def _room_for(self, plan: _Plan, venue: int, team_size: int) -> int:
        """``venue``, or the next active venue that holds everyone (``eligibility._room_problems``): the
        people in the room, their interpreters, the officers and the team. The demo's people need no
        step-free access."""
        people = [p for p in plan.parties if p[0] in IN_THE_ROOM]
        count = len(people) + sum(1 for p in people if p[8] or p[9]) + len(plan.officers) + team_size
        start = self.venues.index(venue)
        for pk in self.venues[start:] + self.venues[:start]:
            video, capacity = self.room_of[pk]
            if video or capacity >= count:
                return pk
        return venue

    def _finish(self, plan: _Plan, status: str) -> None:
        c = plan.complaint
        c.status = status
        c.status_changed_at = plan.events[-1][4]
        for ev in reversed(plan.events):
            if ev[1] != ev[2]:
                c.status_changed_at = ev[4]
                break


def _received_dates(rng: random.Random, today: dt.date, final: str) -> dt.date:
    """Open complaints were received recently; closed ones over the last two years."""
    if final in {Status.RECEIVED, Status.SUITABILITY_REVIEW, Status.AWAITING_CHOICE}:
        return today - dt.timedelta(days=rng.randint(0, 30))
    if final in {Status.AWAITING_OFFICER_CONSENT, Status.READY_FOR_REFERRAL, Status.REFERRED, Status.SCHEDULED}:
        return today - dt.timedelta(days=rng.randint(20, 70))
    return today - dt.timedelta(days=rng.randint(60, 730))


def _chunks(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def generate_complaints(
    count: int,
    *,
    seed: int = 2026,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    policy: ProgramPolicy | None = None,
    fast_indexes: bool = False,
    note: Callable[[str], None] | None = None,
) -> int:
    """Write ``count`` complaints with consistent histories. Returns how many were written.

    On PostgreSQL, outside a transaction, a second thread writes each batch (COPY, then the commit,
    where the deferred foreign keys are checked) while this one plans the next: the planner is Python,
    the writing mostly the database server's work, so the two cores are both busy. The data is the
    same either way: one random stream, planned in order.

    ``fast_indexes`` (PostgreSQL): the whole load is one transaction that drops the foreign keys and
    the secondary indexes of the tables written, and creates them again at the end (see ``_Writer``).
    """
    users = ensure_staff()
    ensure_reference_data(users, random.Random(seed))
    rng = random.Random(seed + 1)  # separate, so that existing reference data does not shift the complaints
    policy = policy or ProgramPolicy.active()
    today = timezone.localdate()
    gen = _Generator(policy=policy, users=users, rng=rng, today=today)
    connection = connections[DEFAULT_DB_ALIAS]
    if fast_indexes and connection.vendor != "postgresql":
        raise ValueError("fast_indexes needs PostgreSQL")
    writer = _Writer(
        policy=policy, actor_of=gen.actor_of, created_by=users["intake"].pk, fast_indexes=fast_indexes, note=note
    )

    def batches() -> Iterator[list[_Plan]]:
        for size in _chunks(count, batch_size):
            finals = rng.choices(gen.statuses, gen.weights, k=size)
            dated = sorted(((_received_dates(rng, today, f), f) for f in finals), key=lambda x: x[0])
            yield [gen.plan(d, f) for d, f in dated]

    threaded = connection.vendor == "postgresql" and not connection.in_atomic_block and count > batch_size
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-writer") if threaded else None

    def in_writer(fn: Callable[..., int | None], *args: Any) -> Any:
        return pool.submit(fn, *args).result() if pool else fn(*args)

    written = 0
    try:
        in_writer(writer.begin)
        pending = None
        for plans in batches():
            if pool is None:
                written += writer.write(plans)
            else:
                if pending is not None:
                    written += pending.result()  # one batch in writing at a time; raises its error
                pending = pool.submit(writer.write, plans)
            if progress and written and written < count:
                progress(written)
        if pending is not None:
            written += pending.result()
        in_writer(writer.end, None)
    except BaseException as exc:
        in_writer(writer.end, exc)  # rolls back what begin() dropped, with the batches
        raise
    finally:
        if pool is not None:
            pool.submit(connections.close_all).result()  # the writer thread's connection
            pool.shutdown()
    writer.analyze()
    if progress:
        progress(written)
    return written


# ---------------------------------------------------------------------------------------------
# The writer: rows as tuples, COPY on PostgreSQL, executemany elsewhere


# The columns written, in the order of the tuples ``_Rows.add`` builds. A table without "id" gets its
# keys from the database (nothing refers to those rows while they are written); events are written in
# order, so that their keys follow the order the actions were taken in (replay_status relies on it).
_COLUMNS: list[tuple[type[models.Model], tuple[str, ...]]] = [
    (
        Complaint,
        (
            "id",
            "reference",
            "public_id",
            "policy_id",
            "status",
            "disposition",
            "discipline_referral",
            "status_changed_at",
            "closed_at",
            "received_on",
            "channel",
            "incident_date",
            "incident_time",
            "incident_location",
            "police_report_number",
            "narrative",
            "mediation_interest",
            "acknowledged_at",
            "screened_at",
            "suitability_decided_at",
            "choice_recorded_at",
            "referred_at",
            "complainant_no_shows",
            "next_due",
            "next_due_kind",
            "anonymised_at",
            "search_names",
            "people",
            "waits_for_intake",
            "waits_for_iad",
            "waits_for_coordinator",
            "waits_for_admin",
            "created_at",
            "created_by_id",
        ),
    ),
    (
        Party,
        (
            "id",
            "complaint_id",
            "kind",
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "is_minor",
            "preferred_language",
            "needs_interpreter",
            "needs_asl",
            # _PARTY_AS_THE_SERVICES_LEAVE_IT:
            "represents_id",
            "anonymous",
            "date_of_birth",
            "needs_step_free",
            "accessibility_needs",
            "gender",
            "race",
            "disability",
            "email_index",
            "phone_index",
        ),
    ),
    (
        ComplaintOfficer,
        (
            "id",
            "complaint_id",
            "roster_officer_id",
            "first_name",
            "last_name",
            "dsn",
            "badge",
            "unit",
            "rank",
            "description",
            "consent",
            "consent_recorded_at",
        ),
    ),
    (Allegation, ("complaint_officer_id", "category_id", "details")),
    (ScreeningAnswer, ("complaint_id", "factor_code", "question", "answer", "note")),
    (Deadline, ("complaint_id", "kind", "due_on", "met_at", "cancelled")),
    (
        MediationSession,
        (
            "id",
            "complaint_id",
            "starts_at",
            "duration_minutes",
            "venue_id",
            "status",
            "outcome",
            "agreement_signed",
            "interpreter_booked",
            "created_at",
            "scheduling_notes",
            "no_longer_suits",
        ),
    ),
    (MediationSession.mediators.through, ("mediationsession_id", "mediator_id")),
    (SessionAttendance, ("session_id", "party_id", "officer_id", "mediator_id", "present")),
    (Agreement, ("session_id", "terms", "public", "recorded_at", "recorded_by_id")),
    # submission: the token of the form a survey was entered with (none here, as for those entered before)
    (SurveyResponse, ("session_id", "respondent", "answers", "comment", "entered_at", "entered_by_id", "submission")),
    (
        ComplaintEvent,
        (
            "complaint_id",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "actor_role",
            "reason",
            "data",
            "created_at",
        ),
    ),
]
_TAKES_PART = {ConsentAnswer.ACCEPTED, ConsentAnswer.REQUIRED}
# Party: no link to the complainant (the services' NewParty has no such field), not anonymous, no date of
# birth, no accessibility needs, and gender, race and disability empty JSON lists.
_PARTY_AS_THE_SERVICES_LEAVE_IT = (None, False, None, False, "", "[]", "[]", "[]")  # JSON columns as JSON text


def _check_columns() -> None:
    """Every concrete field is written: a new field must be given a value here, not left to chance."""
    for model, columns in _COLUMNS:
        fields = {f.attname for f in model._meta.concrete_fields}
        if set(columns) | {"id"} != fields:
            raise AssertionError(f"demo writer for {model.__name__}: columns {sorted(fields ^ set(columns))} differ")


def _reserve_keys(connection, model: type[models.Model], n: int) -> list[int]:
    """``n`` unused primary keys of ``model``, in increasing order."""
    if n == 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, n]
            )
            return sorted(k for (k,) in cursor.fetchall())
        # SQLite: this transaction holds the database's write lock (next_references wrote), so the keys
        # after the highest ever used are free; AUTOINCREMENT remembers deleted ones in sqlite_sequence.
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(column)}) FROM {qn(table)}")  # noqa: S608  # nosec B608 (names from the models)
        top = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cursor.fetchone()
            top = max(top, seq[0] if seq else 0)
        return list(range(top + 1, top + 1 + n))


class _Writer:
    """Writes batches of plans, each batch in one transaction, and analyzes the tables at the end.

    With ``fast_indexes`` (PostgreSQL), ``begin`` opens one transaction for the whole load and drops
    the foreign keys and the secondary indexes of the tables in ``_COLUMNS`` (primary keys and unique
    constraints stay), and ``end`` creates them again from their saved definitions: one index build
    and one validating join per constraint instead of an index insertion and a trigger per row. The
    tables are locked (ACCESS EXCLUSIVE) until the end; on any error everything is rolled back.
    """

    def __init__(
        self,
        *,
        policy: ProgramPolicy,
        actor_of: dict[str, int],
        created_by: int,
        fast_indexes: bool = False,
        note: Callable[[str], None] | None = None,
    ):
        self.policy_id = policy.pk
        self.session_minutes = policy.session_minutes
        self.actor_of = actor_of
        self.created_by = created_by
        self.fast_indexes = fast_indexes
        self.note = note or (lambda message: None)
        self._outer: transaction.Atomic | None = None
        self._restore: list[str] = []
        self._open: list[int] = []  # with fast_indexes, the open complaints whose queue flags ``end`` sets

    def begin(self) -> None:
        if not self.fast_indexes:
            return
        connection = connections[DEFAULT_DB_ALIAS]  # this thread's
        self._outer = transaction.atomic()
        self._outer.__enter__()
        tables = [model._meta.db_table for model, _ in _COLUMNS]
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
                " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                [tables],
            )
            indexes = cursor.fetchall()
            # statistics targets set on index columns (migration 0006) go with the index: set them again
            cursor.execute(
                "SELECT a.attrelid::regclass::text, a.attnum, a.attstattarget FROM pg_attribute a"
                " JOIN pg_index i ON i.indexrelid = a.attrelid WHERE i.indrelid = ANY(%s::regclass[])"
                " AND NOT i.indisprimary AND a.attstattarget > 0 ORDER BY 1, 2",
                [tables],
            )
            statistics = [
                f"ALTER INDEX {name} ALTER COLUMN {number} SET STATISTICS {target}"
                for name, number, target in cursor.fetchall()
                if name in {index for index, _ in indexes}
            ]
            for table, name, _ in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
        self._restore = [definition for _, definition in indexes] + statistics
        self._restore += [
            f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}" for table, name, definition in foreign_keys
        ]
        self.note(f"  dropped {len(indexes)} indexes and {len(foreign_keys)} foreign keys for the load")

    def end(self, error: BaseException | None) -> None:
        outer, self._outer = self._outer, None
        if outer is None:
            return
        if error is not None:
            outer.__exit__(type(error), error, error.__traceback__)  # rolls back
            return
        connection = connections[DEFAULT_DB_ALIAS]
        self.note(f"  creating {len(self._restore)} indexes and foreign keys again")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # sorts in memory for the indexes
                for statement in self._restore:
                    cursor.execute(statement)
            # whose queue each open complaint is in: here, with the indexes back, since the flags' conditions
            # look up each complaint's events and officers (without them, every batch read whole tables)
            self.note(f"  setting the queue flags of {len(self._open):,} open complaints")
            for start in range(0, len(self._open), 20_000):
                refresh_waiting(Complaint.objects.filter(pk__in=self._open[start : start + 20_000]))
                recheck_bookings(MediationSession.objects.filter(complaint__in=self._open[start : start + 20_000]))
        except BaseException as exc:
            outer.__exit__(type(exc), exc, exc.__traceback__)
            raise
        outer.__exit__(None, None, None)

    def write(self, plans: list[_Plan]) -> int:
        connection = connections[DEFAULT_DB_ALIAS]  # this thread's
        with transaction.atomic():
            # reference numbers per year, reserved under the counter's lock (plans are in date order)
            by_year: dict[int, int] = {}
            for p in plans:
                year = p.complaint.received_on.year
                by_year[year] = by_year.get(year, 0) + 1
            refs = {year: iter(next_references(year=year, count=n)) for year, n in by_year.items()}
            rows = _Rows(connection, self, plans)
            for p in plans:
                rows.add(p, next(refs[p.complaint.received_on.year]))
            rows.write()
            # whose queue each open one is in, from its rows just written, as the workflow keeps it (with
            # fast_indexes, once the indexes are back: ``end``)
            if self._outer is not None:
                self._open += rows.open_complaints
            else:
                refresh_waiting(Complaint.objects.filter(pk__in=rows.open_complaints))
                # and whether each booking suits its people, as the services keep it
                recheck_bookings(MediationSession.objects.filter(complaint__in=rows.open_complaints))
        return len(plans)

    def analyze(self) -> None:
        """Fresh planner statistics for the tables just filled (PostgreSQL; autovacuum may be late or off)."""
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model, _ in _COLUMNS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class _Rows:
    """One batch of plans as rows of the tables in ``_COLUMNS``, with their keys reserved."""

    def __init__(self, connection, writer: _Writer, plans: list[_Plan]):
        self.connection = connection
        self.policy_id = writer.policy_id
        self.session_minutes = writer.session_minutes
        self.actor_of = writer.actor_of
        self.created_by = writer.created_by
        self.tables: list[list[tuple]] = [[] for _ in _COLUMNS]
        keys = [
            (Complaint, len(plans)),
            (Party, sum(len(p.parties) for p in plans)),
            (ComplaintOfficer, sum(len(p.officers) for p in plans)),
            (MediationSession, sum(1 for p in plans if p.session)),
        ]
        self.keys = [iter(_reserve_keys(connection, model, n)) for model, n in keys]
        self.open_complaints: list[int] = []  # their keys

    def add(self, plan: _Plan, reference: str) -> None:
        (
            complaints,
            parties,
            officers,
            allegations,
            answers,
            deadlines,
            sessions,
            teams,
            attendance,
            agreements,
            surveys,
            events,
        ) = self.tables
        complaint_keys, party_keys, officer_keys, session_keys = self.keys
        c = plan.complaint
        cid = next(complaint_keys)
        if c.status in OPEN:
            self.open_complaints.append(cid)
        incident_date, incident_time, location, narrative, interest = plan.fixed
        # the earliest open deadline (of two the same day, the one written first: the lower key)
        first_due = min(
            (d for d in plan.deadlines if d.met_at is None and not d.cancelled), key=lambda d: d.due_on, default=None
        )
        complaints.append(
            (
                cid,
                reference,
                new_public_id(),
                self.policy_id,
                c.status,
                c.disposition,
                c.discipline_referral,
                c.status_changed_at,
                c.closed_at,
                c.received_on,
                c.channel,
                incident_date,
                incident_time,
                location,
                "",
                narrative,
                interest,
                c.acknowledged_at,
                c.screened_at,
                c.suitability_decided_at,
                c.choice_recorded_at,
                c.referred_at,
                c.complainant_no_shows,
                *((first_due.due_on, first_due.kind) if first_due else (None, "")),  # next_due, next_due_kind
                None,  # anonymised_at: retention has not run on demo data
                # the copies of the people (parley/cases/names.py), as refresh_people_copies writes them:
                # for the search, the parties' names (none anonymous here), then the officers'; for the
                # lists, the complainants, then each officer with the categories alleged
                search_names_text(
                    [party[1:3] for party in plan.parties] + [co.roster[1:3] for co in plan.officers if co.roster]
                ),
                json.dumps(
                    people_copy(
                        [(False, *party[1:3]) for party in plan.parties if party[0] == PartyKind.COMPLAINANT],
                        [
                            (*co.roster[1:4], "", co.categories)
                            if co.roster
                            else ("", "", "", co.description, co.categories)
                            for co in plan.officers
                        ],
                    )
                ),
                *(False for _ in KEPT_QUEUES),  # whose queue it is in: refresh_waiting, once the batch is written
                plan.events[0][4],  # created_at: when it was received
                self.created_by,
            )
        )
        complainants = []
        for party in plan.parties:
            pk = next(party_keys)
            if party[0] == PartyKind.COMPLAINANT:
                complainants.append(pk)
            # email and phone stay plain here: COPY encrypts them (_copy), SQLite's inserts as the fields do
            parties.append(
                (
                    pk,
                    cid,
                    *party,
                    *_PARTY_AS_THE_SERVICES_LEAVE_IT,
                    blind_index("email", party[3]),
                    blind_index("phone", party[4]),
                )
            )
        for co in plan.officers:
            co.pk = pk = next(officer_keys)
            if co.roster:
                officers.append((pk, cid, *co.roster, "", co.consent, co.consent_recorded_at))
            else:
                officers.append((pk, cid, None, "", "", "", "", "", "", co.description, co.consent, None))
            for category in co.categories:
                allegations.append((pk, category, ""))
        for code, question, answer in plan.answers:
            answers.append((cid, code, question, answer, ""))
        for d in plan.deadlines:
            deadlines.append((cid, d.kind, d.due_on, d.met_at, d.cancelled))
        session = plan.session
        sid = None
        if session:
            sid = next(session_keys)
            status = session["status"]
            sessions.append(
                (
                    sid,
                    cid,
                    session["starts_at"],
                    self.session_minutes,
                    session["venue"],
                    status,
                    session.get("outcome", ""),
                    session.get("agreement_signed", False),
                    session["interpreter_booked"],
                    session["created_at"],
                    session["scheduling_notes"],
                    False,  # no_longer_suits: checked once the batch is written (recheck_bookings)
                )
            )
            if "agreement" in session:
                terms, public, at = session["agreement"]
                agreements.append((sid, terms, public, at, self.actor_of[Role.MEDIATOR]))
            coordinator = self.actor_of[Role.COORDINATOR]
            surveys.extend(
                (sid, side, answers_json, comment, at, coordinator, None)
                for side, answers_json, comment, at in session.get("surveys", ())
            )
            teams.extend((sid, m) for m in session["team"])
            if session.get("outcome"):  # attendance is recorded with the outcome
                attendance.extend(
                    (sid, pk, None, None, status != SessionStatus.COMPLAINANT_NO_SHOW) for pk in complainants
                )
                attendance.extend(
                    (sid, None, co.pk, None, status != SessionStatus.OFFICER_NO_SHOW)
                    for co in plan.officers
                    if co.dsn and co.consent in _TAKES_PART
                )
                attendance.extend((sid, None, None, m, True) for m in session["team"])
        actor_of = self.actor_of
        for action, frm, to, role, at, reason, data in plan.events:
            if data:
                if "session" in data:
                    data["session"] = sid
                if "officer" in data:
                    data["officer"] = data["officer"].pk
                data = json.dumps(data)  # as JSONField would
            else:
                data = "{}"
            events.append((cid, action, frm, to, actor_of[role], role, reason, data, at))

    def write(self) -> None:
        _check_columns()
        with self.connection.cursor() as cursor:
            for (model, columns), rows in zip(_COLUMNS, self.tables, strict=True):
                if rows:
                    (_copy if self.connection.vendor == "postgresql" else _insert)(cursor, model, columns, rows)


def _copy(cursor, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """PostgreSQL: binary COPY (psycopg 3), each column dumped as the type the table has."""
    table = model._meta.db_table
    fields = {f.attname: f for f in model._meta.concrete_fields}
    encrypted = [i for i, c in enumerate(columns) if isinstance(fields[c], EncryptedTextField)]
    if encrypted:  # contact data is stored encrypted, as the field would store it
        rows = [_encrypted(row, encrypted) for row in rows]
    cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", [table])
    oid_of = dict(cursor.fetchall())
    names = ", ".join(f'"{c}"' for c in columns)
    from psycopg.types.json import set_json_dumps  # PostgreSQL only

    set_json_dumps(_json_text, context=cursor.cursor)  # the rows hold JSON text already
    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN (FORMAT BINARY)') as copy:
        copy.set_types([oid_of[c] for c in columns])
        write = copy.write_row
        for row in rows:
            write(row)


def _encrypted(row: tuple, positions: list[int]) -> tuple:
    values = list(row)
    for i in positions:
        if values[i]:
            values[i] = encrypt(values[i].isoformat() if isinstance(values[i], dt.date) else values[i])
    return tuple(values)


def _json_text(value: str) -> str:
    return value


def _insert(cursor, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """SQLite (and anything else): executemany, with each value prepared as its field would prepare it."""
    connection = cursor.db
    qn = connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    prepare = [
        None if isinstance(fields[c], models.JSONField) else partial(fields[c].get_db_prep_save, connection=connection)
        for c in columns
    ]  # JSON columns: the rows hold JSON text already
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  # nosec B608 (names from the models)
        qn(model._meta.db_table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    cursor.executemany(sql, [[v if p is None else p(v) for p, v in zip(prepare, row, strict=True)] for row in rows])
