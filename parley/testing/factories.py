"""factory_boy factories and a driver that walks a complaint along the workflow through the services."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from parley.accounts.models import User
from parley.accounts.roles import Role
from parley.cases import services
from parley.cases.models import Complaint, Officer
from parley.mediation.models import Mediator, SessionOutcome, Venue
from parley.policies.models import WrittenAgreement


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.INTAKE
    password = factory.django.Password("correct horse battery staple")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    # Fixed names rather than random ones: tests search for names, and a random officer called
    # Fernandez or Linda would match a search meant for someone else now and then.
    first_name = factory.Iterator(["Avery", "Jordan", "Morgan", "Quinn", "Tatum"])
    last_name = factory.Iterator(["Boateng", "Kowalczyk", "Haddad", "Nakamura", "Oyelaran", "Varga"])
    dsn = factory.Sequence(lambda n: f"{20000 + n}")
    badge = factory.Sequence(lambda n: f"{3000 + n}")
    unit = "District 3"


class MediatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mediator

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    languages = ["en"]
    certified_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=700))
    monthly_case_limit = 10


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Branch Library {n}")
    address = "1301 Olive St"


def receive_complaint(
    actor: User | None,
    *,
    officers: int = 1,
    unidentified: int = 0,
    allegations: tuple[str, ...] = ("discourtesy",),
    anonymous: bool = False,
    policy=None,
) -> Complaint:
    """A complaint as staff intake records it: one complainant, ``officers`` roster officers."""
    named = [services.NewOfficer(roster=OfficerFactory(), allegation_codes=list(allegations)) for _ in range(officers)]
    named += [
        services.NewOfficer(description="Tall, car 4312", allegation_codes=list(allegations))
        for _ in range(unidentified)
    ]
    party = services.NewParty(
        first_name="" if anonymous else "Dana",
        last_name="" if anonymous else "Reyes",
        anonymous=anonymous,
        phone="(314) 555-0101",
        preferred_language="en",
    )
    return services.complaint_receive(
        actor=actor,
        received_on=timezone.localdate() - dt.timedelta(days=3),
        channel="phone",
        narrative="The officer called me names during a traffic stop.",
        parties=[party],
        officers=named,
        incident_date=timezone.localdate() - dt.timedelta(days=5),
        incident_location="Market St and 14th St",
        mediation_interest="yes",
        policy=policy,
    )


def no_exclusions(complaint: Complaint) -> dict[str, bool]:
    return {f.code: False for f in complaint.policy.exclusion_factors.all()}


class Journey:
    """Walks one complaint along the happy path, one service call per step, as the roles would."""

    def __init__(self, *, intake: User, iad: User, coordinator: User, admin: User | None = None):
        self.intake, self.iad, self.coordinator, self.admin = intake, iad, coordinator, admin

    def decider(self, role: str) -> User:
        return {Role.INTAKE: self.intake, Role.IAD: self.iad, Role.ADMIN: self.admin}[role]

    def to_awaiting_choice(self, complaint: Complaint) -> Complaint:
        complaint = services.complaint_screen(complaint=complaint, actor=self.intake, answers=no_exclusions(complaint))
        for role in complaint.policy.suitability_deciders:
            complaint = services.complaint_decide_suitability(
                complaint=complaint, actor=self.decider(role), appropriate=True, reason="Minor discourtesy."
            )
        return complaint

    def choose(self, complaint: Complaint, choice: str = "mediation") -> Complaint:
        return services.complaint_record_choice(
            complaint=complaint,
            actor=self.intake,
            explained_by="Irene Ortiz",
            explained_on=timezone.localdate(),
            explained_how="phone",
            choice=choice,
        )

    def to_ready_for_referral(self, complaint: Complaint) -> Complaint:
        complaint = self.choose(self.to_awaiting_choice(complaint))
        for officer in complaint.officers.all():
            if officer.identified and not officer.consent:
                complaint = services.officer_record_consent(
                    complaint=complaint, actor=self.intake, officer=officer, accepted=True
                )
        return complaint

    def to_referred(self, complaint: Complaint) -> Complaint:
        return services.complaint_refer(complaint=self.to_ready_for_referral(complaint), actor=self.intake)

    def schedule(self, complaint: Complaint, *, starts_at: dt.datetime | None = None, mediators=None):
        policy = complaint.policy
        mediators = mediators or [MediatorFactory() for _ in range(policy.mediators_per_session)]
        starts_at = starts_at or timezone.now() + dt.timedelta(days=(policy.mediator_notice_days or 0) + 2)
        return services.session_schedule(
            complaint=complaint, actor=self.coordinator, starts_at=starts_at, mediators=mediators, venue=VenueFactory()
        )

    def to_scheduled(self, complaint: Complaint):
        return self.schedule(self.to_referred(complaint))

    def everyone(self, complaint: Complaint, session) -> dict[str, set[int]]:
        parties, officers, mediators = services.required_attendees(complaint, session)
        return {"present_parties": parties, "present_officers": officers, "present_mediators": mediators}

    def hold(self, complaint: Complaint, session, outcome: str = SessionOutcome.FULL_AGREEMENT, **kw) -> Complaint:
        """Record the outcome with everyone present; a signed agreement comes with terms where the policy
        keeps them (pass ``agreement_terms`` to choose them)."""
        attendance = self.everyone(complaint, session)
        if kw.get("agreement_signed") and complaint.policy.written_agreement == WrittenAgreement.REQUIRED:
            attendance["agreement_terms"] = "The officer apologised; both shook hands."
        attendance.update(kw)
        return services.session_record_outcome(
            complaint=complaint, actor=self.coordinator, outcome=outcome, **attendance
        )
