"""Deterministic demo data: staff for every role, reference data, and complaints in every status.

The complaints are written in bulk (``bulk_create`` in batches), not through the service functions,
so that a million can be loaded for benchmarks. Each complaint is given the history the services
would have written for it: the same events, dates, sessions and attendance. A test checks that the
generated history replays to each complaint's status and keeps the workflow's invariants.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from parley.accounts.models import User
from parley.accounts.roles import Role
from parley.cases.deadlines import add_days
from parley.cases.models import (
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
)
from parley.cases.services import next_references
from parley.cases.workflow import DISPOSITION_OF, Disposition, Status
from parley.mediation.models import (
    MediationSession,
    Mediator,
    SessionAttendance,
    SessionOutcome,
    SessionStatus,
    Venue,
)
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


@dataclass
class _Plan:
    """One complaint's generated history before it is written."""

    complaint: Complaint
    parties: list[Party] = field(default_factory=list)
    officers: list[tuple[ComplaintOfficer, list[Allegation]]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    answers: list[ScreeningAnswer] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    session: dict[str, Any] | None = None


class _Generator:
    def __init__(self, *, policy: ProgramPolicy, users: dict[str, User], rng: random.Random, today: dt.date):
        self.policy = policy
        self.users = users
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.factors = list(policy.exclusion_factors.all())
        self.categories = list(AllegationCategory.objects.filter(active=True))
        excluded = set(policy.excluded_categories.values_list("pk", flat=True))
        self.mediable_categories = [c for c in self.categories if c.pk not in excluded] or self.categories
        self.roster = list(Officer.objects.values_list("pk", "first_name", "last_name", "dsn", "badge", "unit", "rank"))
        self.mediators = list(Mediator.objects.filter(active=True, former_law_enforcement=False))
        self.venues = list(Venue.objects.filter(active=True))
        statuses = list(STATUS_WEIGHTS)
        if not (policy.no_show_limit and policy.no_show_closure == Status.MEDIATION_ATTEMPTED):
            statuses.remove(Status.MEDIATION_ATTEMPTED)  # this policy cannot reach it
        self.statuses = statuses
        self.weights = [STATUS_WEIGHTS[s] for s in statuses]

    def _at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(9, 16) if hour is None else hour
        naive = dt.datetime.combine(day, dt.time(hour, self.rng.choice([0, 10, 20, 30, 40, 50])))
        return timezone.make_aware(naive)

    def plan(self, reference: str, received_on: dt.date, final: str) -> _Plan:
        rng = self.rng
        policy = self.policy
        complaint = Complaint(
            reference=reference,
            policy=policy,
            received_on=received_on,
            channel=rng.choice(Channel.values),
            incident_date=received_on - dt.timedelta(days=rng.randint(0, 20)),
            incident_time=dt.time(rng.randint(0, 23), rng.choice([0, 15, 30, 45])),
            incident_location=f"{rng.randint(100, 5999)} {rng.choice(STREETS)} St",
            narrative=rng.choice(NARRATIVES),
            mediation_interest=rng.choice([*MediationInterest.values, ""]),
            created_by=self.users["intake"],
        )
        plan = _Plan(complaint=complaint)
        minor = rng.random() < 0.06
        complainant = Party(
            kind=PartyKind.COMPLAINANT,
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            email=f"person{rng.randint(1, 10**6)}@example.com",
            phone=f"(314) 555-{rng.randint(1000, 9999)}",
            address=f"{rng.randint(100, 5999)} {rng.choice(STREETS)} Ave, St. Louis, MO",
            is_minor=minor,
            preferred_language="es" if rng.random() < 0.12 else "en",
            needs_interpreter=rng.random() < 0.06,
            needs_asl=rng.random() < 0.02,
        )
        plan.parties.append(complainant)
        if minor:
            plan.parties.append(
                Party(kind=PartyKind.GUARDIAN, first_name=rng.choice(FIRST), last_name=complainant.last_name)
            )
        if rng.random() < 0.15:
            plan.parties.append(Party(kind=PartyKind.WITNESS, first_name=rng.choice(FIRST), last_name=rng.choice(LAST)))
        n_officers = 1 if rng.random() < 0.8 else 2
        for _ in range(n_officers):
            pk, first, last, dsn, badge, unit, rank = rng.choice(self.roster)
            co = ComplaintOfficer(
                roster_officer_id=pk, first_name=first, last_name=last, dsn=dsn, badge=badge, unit=unit, rank=rank
            )
            cats = self.categories if final == Status.UNSUITABLE else self.mediable_categories
            allegations = [Allegation(category=rng.choice(cats)) for _ in range(rng.randint(1, 2))]
            plan.officers.append((co, allegations))
        if final in {Status.RECEIVED, Status.UNSUITABLE} and rng.random() < 0.1:
            plan.officers.append((ComplaintOfficer(description="Tall, grey uniform, car 4312"), []))
        self._walk(plan, final)
        return plan

    def _event(self, plan: _Plan, action: str, frm: str, to: str, role: str, at: dt.datetime, **kw: Any) -> None:
        username = {Role.INTAKE: "intake", Role.IAD: "iad", Role.COORDINATOR: "coordinator", Role.MEDIATOR: "mediator"}[
            role
        ]
        plan.events.append(
            {"action": action, "from": frm, "to": to, "role": role, "actor": self.users[username], "at": at, **kw}
        )

    def _deadline(self, plan: _Plan, kind: str, days: int | None, start: dt.date, met: dt.datetime | None) -> None:
        if days is not None:
            plan.deadlines.append(
                Deadline(kind=kind, due_on=add_days(self.policy, start, days), met_at=met, cancelled=False)
            )

    def _walk(self, plan: _Plan, final: str) -> None:
        """Write the events that lead to ``final``, in the order the services would."""
        rng, policy, c = self.rng, self.policy, plan.complaint
        day = c.received_on
        t = self._at(day)
        status = Status.RECEIVED
        self._event(plan, "complaint_receive", "", status, Role.INTAKE, t, data={"channel": c.channel})

        def step(days_lo: int, days_hi: int) -> dt.datetime:
            nonlocal day
            day = min(day + dt.timedelta(days=rng.randint(days_lo, days_hi)), self.today)
            return self._at(day)

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
        answers = {f.code: False for f in self.factors}
        reasons = []
        if excluded and self.factors:
            hit = rng.choice(self.factors)
            answers[hit.code] = True
            reasons.append(f"{hit.question} Yes.")
        plan.answers = [
            ScreeningAnswer(factor_code=f.code, question=f.question, answer=answers[f.code]) for f in self.factors
        ]
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
                reason="Appropriate for mediation.",
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
            "explained_by": f"{self.users['intake'].get_full_name()}",
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
        identified = [co for co, _ in plan.officers if co.dsn]
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
                    data={"officer": None, "dsn": co.dsn, "accepted": accepted},
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
        venue = rng.choice(self.venues)
        plan.session = {"starts_at": starts, "venue": venue, "team": team, "status": SessionStatus.SCHEDULED}
        move(
            "session_schedule",
            Status.SCHEDULED,
            Role.COORDINATOR,
            at,
            data={
                "session": None,
                "starts_at": starts.isoformat(),
                "venue": venue.pk,
                "mediators": sorted(m.pk for m in team),
            },
        )
        if final == Status.SCHEDULED:
            self._deadline(plan, DeadlineKind.SCHEDULE_SESSION, policy.schedule_session_days, referral_day, None)
            return self._finish(plan, status)
        at = starts + dt.timedelta(minutes=policy.session_minutes + 10)
        self._deadline(plan, DeadlineKind.SCHEDULE_SESSION, policy.schedule_session_days, referral_day, at)
        if final == Status.WITHDRAWN:
            move(
                "complaint_withdraw",
                Status.WITHDRAWN,
                Role.INTAKE,
                at - dt.timedelta(minutes=30),
                reason="The complainant left the session and withdrew.",
                data={"whole_complaint": False},
            )
            plan.session["status"] = SessionStatus.CANCELLED
            close(Status.WITHDRAWN, at, Disposition.INVESTIGATION)
            return self._finish(plan, status)
        if final == Status.GOOD_FAITH_SEND_BACK:
            move(
                "complaint_send_back_good_faith",
                Status.GOOD_FAITH_SEND_BACK,
                Role.INTAKE,
                at,
                reason="The complainant says the officer would not engage in good faith.",
            )
            plan.session["status"] = SessionStatus.CANCELLED
            close(Status.GOOD_FAITH_SEND_BACK, at)
            return self._finish(plan, status)
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
                            "venue": venue.pk,
                            "mediators": sorted(m.pk for m in team),
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
        plan.session.update(
            status=SessionStatus.HELD,
            outcome=outcome,
            agreement_signed=policy.written_agreement == WrittenAgreement.REQUIRED and final == Status.MEDIATED,
        )
        move("session_record_outcome", final, Role.MEDIATOR, at, data={"session": None, "outcome": outcome})
        close(final, at)
        return self._finish(plan, status)

    def _finish(self, plan: _Plan, status: str) -> None:
        c = plan.complaint
        c.status = status
        c.status_changed_at = plan.events[-1]["at"]
        for ev in reversed(plan.events):
            if ev["from"] != ev["to"]:
                c.status_changed_at = ev["at"]
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
    count: int, *, seed: int = 2026, batch_size: int = 2000, progress=None, policy: ProgramPolicy | None = None
) -> int:
    """Write ``count`` complaints with consistent histories. Returns how many were written."""
    users = ensure_staff()
    ensure_reference_data(users, random.Random(seed))
    rng = random.Random(seed + 1)  # separate, so that existing reference data does not shift the complaints
    policy = policy or ProgramPolicy.active()
    today = timezone.localdate()
    gen = _Generator(policy=policy, users=users, rng=rng, today=today)
    written = 0
    for size in _chunks(count, batch_size):
        finals = rng.choices(gen.statuses, gen.weights, k=size)
        dated = sorted(((_received_dates(rng, today, f), f) for f in finals), key=lambda x: x[0])
        with transaction.atomic():
            # reference numbers per year, reserved under the counter's lock
            by_year: dict[int, int] = {}
            for d, _ in dated:
                by_year[d.year] = by_year.get(d.year, 0) + 1
            refs = {year: iter(next_references(year=year, count=n)) for year, n in by_year.items()}
            plans = [gen.plan(next(refs[d.year]), d, f) for d, f in dated]
            _write(plans)
        written += size
        if progress:
            progress(written)
    return written


def _write(plans: list[_Plan]) -> None:
    complaints = Complaint.objects.bulk_create([p.complaint for p in plans])
    for p, c in zip(plans, complaints, strict=True):
        p.complaint = c
        for x in p.parties:
            x.complaint = c
        for co, _ in p.officers:
            co.complaint = c
        for a in p.answers:
            a.complaint = c
        for d in p.deadlines:
            d.complaint = c
    Party.objects.bulk_create([x for p in plans for x in p.parties])
    for p in plans:  # a guardian is with the complainant, who comes first
        for x in p.parties[1:]:
            if x.kind == PartyKind.GUARDIAN:
                x.represents = p.parties[0]
    guardians = [x for p in plans for x in p.parties if x.represents_id is None and x.represents is not None]
    Party.objects.bulk_update(guardians, ["represents"])
    ComplaintOfficer.objects.bulk_create([co for p in plans for co, _ in p.officers])
    for p in plans:
        for co, allegations in p.officers:
            for a in allegations:
                a.complaint_officer = co
    Allegation.objects.bulk_create([a for p in plans for _, allegations in p.officers for a in allegations])
    ScreeningAnswer.objects.bulk_create([a for p in plans for a in p.answers])
    Deadline.objects.bulk_create([d for p in plans for d in p.deadlines])

    with_session = [p for p in plans if p.session]
    sessions = MediationSession.objects.bulk_create(
        [
            MediationSession(
                complaint=p.complaint,
                starts_at=p.session["starts_at"],
                duration_minutes=p.complaint.policy.session_minutes,
                venue=p.session["venue"],
                status=p.session["status"],
                outcome=p.session.get("outcome", ""),
                agreement_signed=p.session.get("agreement_signed", False),
            )
            for p in with_session
        ]
    )
    through = MediationSession.mediators.through
    through.objects.bulk_create(
        [
            through(mediationsession_id=s.pk, mediator_id=m.pk)
            for p, s in zip(with_session, sessions, strict=True)
            for m in p.session["team"]
        ]
    )
    attendance = []
    for p, s in zip(with_session, sessions, strict=True):
        if s.status not in {SessionStatus.HELD, SessionStatus.COMPLAINANT_NO_SHOW, SessionStatus.OFFICER_NO_SHOW}:
            continue
        complainants = [x for x in p.parties if x.kind == PartyKind.COMPLAINANT and not x.anonymous]
        officers = [
            co for co, _ in p.officers if co.dsn and co.consent in {ConsentAnswer.ACCEPTED, ConsentAnswer.REQUIRED}
        ]
        attendance += [
            SessionAttendance(session=s, party=x, present=s.status != SessionStatus.COMPLAINANT_NO_SHOW)
            for x in complainants
        ]
        attendance += [
            SessionAttendance(session=s, officer=co, present=s.status != SessionStatus.OFFICER_NO_SHOW)
            for co in officers
        ]
        attendance += [SessionAttendance(session=s, mediator=m, present=True) for m in p.session["team"]]
    SessionAttendance.objects.bulk_create(attendance)

    session_of = {p.complaint.pk: s.pk for p, s in zip(with_session, sessions, strict=True)}
    officer_of = {(p.complaint.pk, co.dsn): co.pk for p in plans for co, _ in p.officers if co.dsn}
    events = []
    for p in plans:
        cid = p.complaint.pk
        for ev in p.events:
            data = dict(ev.get("data", {}))
            if "session" in data:
                data["session"] = session_of.get(cid)
            if "officer" in data:
                data["officer"] = officer_of.get((cid, data["dsn"]))
            events.append(
                ComplaintEvent(
                    complaint_id=cid,
                    action=ev["action"],
                    from_status=ev["from"],
                    to_status=ev["to"],
                    actor=ev["actor"],
                    actor_role=ev["role"],
                    reason=ev.get("reason", ""),
                    data=data,
                    created_at=ev["at"],
                )
            )
    ComplaintEvent.objects.bulk_create(events, batch_size=5000)
