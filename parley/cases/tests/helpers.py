"""Reach any status through the real services, and call any action with valid arguments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from parley.cases import services
from parley.cases.models import (
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintEvent,
    ComplaintOfficer,
    Deadline,
    Party,
    ScreeningAnswer,
)
from parley.cases.workflow import Status
from parley.mediation.models import MediationSession, Mediator, SessionAttendance, SessionOutcome
from parley.testing.factories import Journey, MediatorFactory, OfficerFactory, VenueFactory, receive_complaint


def reach(status: str, journey: Journey) -> Complaint:
    """A fresh complaint brought to ``status`` under the active policy, through the services only."""
    c = receive_complaint(journey.intake)
    if status == Status.RECEIVED:
        return c
    if status == Status.UNSUITABLE:
        answers = {f.code: True for f in c.policy.exclusion_factors.all()}
        if not answers:  # a policy without screening questions: the decider finds it not appropriate
            c = services.complaint_screen(complaint=c, actor=journey.intake, answers={})
            role = c.policy.suitability_deciders[0]
            return services.complaint_decide_suitability(
                complaint=c, actor=journey.decider(role), appropriate=False, reason="Too serious."
            )
        return services.complaint_screen(complaint=c, actor=journey.intake, answers=answers)
    if status == Status.SUITABILITY_REVIEW:
        return services.complaint_screen(complaint=c, actor=journey.intake, answers=_no(c))
    c = journey.to_awaiting_choice(c)
    if status == Status.AWAITING_CHOICE:
        return c
    if status == Status.DECLINED_BY_COMPLAINANT:
        return journey.choose(c, "investigation")
    if status == Status.AWAITING_OFFICER_CONSENT:
        return journey.choose(c)
    if status == Status.DECLINED_BY_OFFICER:
        c = journey.choose(c)
        return services.officer_record_consent(
            complaint=c, actor=journey.intake, officer=c.officers.first(), accepted=False
        )
    c = journey.choose(c)
    for officer in c.officers.exclude(dsn="").filter(consent=""):
        c = services.officer_record_consent(complaint=c, actor=journey.intake, officer=officer, accepted=True)
    if status == Status.READY_FOR_REFERRAL:
        return c
    if status == Status.WITHDRAWN:
        return services.complaint_withdraw(complaint=c, actor=journey.intake, reason="Changed their mind.")
    c = services.complaint_refer(complaint=c, actor=journey.intake)
    if status == Status.REFERRED:
        return c
    if status == Status.GOOD_FAITH_SEND_BACK:
        return services.complaint_send_back_good_faith(complaint=c, actor=journey.intake, reason="No good faith.")
    session = journey.schedule(c)
    c.refresh_from_db()
    if status == Status.SCHEDULED:
        return c
    if status == Status.MEDIATION_ATTEMPTED:
        if not c.policy.no_show_limit:
            raise ValueError("this policy has no no-show limit")
        while True:
            with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
                c = journey.hold(c, session, SessionOutcome.COMPLAINANT_NO_SHOW, present_parties=set())
            if c.status != Status.REFERRED:
                return c
            session = journey.schedule(c)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        if status == Status.MEDIATED:
            return journey.hold(c, session)
        if status == Status.NOT_RESOLVED:
            return journey.hold(c, session, SessionOutcome.NOT_RESOLVED)
    raise ValueError(f"cannot reach {status}")


def _no(c: Complaint) -> dict[str, bool]:
    return {f.code: False for f in c.policy.exclusion_factors.all()}


def call(action: str, c: Complaint, actor, journey: Journey) -> Any:
    """Take ``action`` on ``c`` as ``actor`` with arguments that are valid when the action is allowed."""
    if action == "complaint_acknowledge":
        return services.complaint_acknowledge(complaint=c, actor=actor, how="letter")
    if action == "complaint_correct":  # the place, written again
        changes = {"incident_location": f"{c.incident_location} (corrected)"}
        return services.complaint_correct(complaint=c, actor=actor, changes=changes, reason="Misheard")
    if action == "party_correct":  # the first person's interpreter need, turned around
        person = c.parties.order_by("id").first()
        changes = {"needs_interpreter": not person.needs_interpreter}
        return services.party_correct(complaint=c, actor=actor, party=person, changes=changes, reason="Told by phone")
    if action == "allegations_correct":  # another kind of misconduct, one the program mediates, added or taken off
        officer, codes = corrected_allegations(c)
        return services.allegations_correct(complaint=c, actor=actor, officer=officer, codes=codes, reason="Misheard")
    if action == "officer_identify":  # the officer only described, if the complaint has one
        officer = c.officers.filter(dsn="").first() or c.officers.first()
        return services.officer_identify(complaint=c, actor=actor, officer=officer, dsn=OfficerFactory().dsn)
    if action == "complaint_screen":
        return services.complaint_screen(complaint=c, actor=actor, answers=_no(c))
    if action == "complaint_decide_suitability":
        return services.complaint_decide_suitability(complaint=c, actor=actor, appropriate=True, reason="Fine.")
    if action == "complaint_record_choice":
        return services.complaint_record_choice(
            complaint=c,
            actor=actor,
            explained_by="Irene Ortiz",
            explained_on=timezone.localdate(),
            explained_how="phone",
            choice="mediation",
        )
    if action == "officer_record_consent":
        officer = c.officers.filter(consent="").exclude(dsn="").first() or c.officers.first()
        return services.officer_record_consent(complaint=c, actor=actor, officer=officer, accepted=True)
    if action == "complaint_refer":
        return services.complaint_refer(complaint=c, actor=actor)
    if action == "session_schedule":
        return services.session_schedule(
            complaint=c,
            actor=actor,
            starts_at=timezone.now() + dt.timedelta(days=10),
            mediators=[MediatorFactory() for _ in range(c.policy.mediators_per_session)],
            venue=VenueFactory(),
        )
    if action == "session_cancel":
        return services.session_cancel(complaint=c, actor=actor, reason="The officer is in court that day.")
    if action == "session_record_outcome":
        session = MediationSession.objects.filter(complaint=c).order_by("-id").first()
        if session is None:
            return services.session_record_outcome(complaint=c, actor=actor, outcome=SessionOutcome.NOT_RESOLVED)
        with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
            if actor is not None and actor.role == "mediator":  # make the mediator one of the team
                Mediator.objects.filter(pk=session.mediators.first().pk).update(user=actor)
            return services.session_record_outcome(
                complaint=c, actor=actor, outcome=SessionOutcome.NOT_RESOLVED, **journey.everyone(c, session)
            )
    if action == "complaint_send_back_good_faith":
        return services.complaint_send_back_good_faith(complaint=c, actor=actor, reason="No good faith.")
    if action == "complaint_withdraw":
        return services.complaint_withdraw(complaint=c, actor=actor, reason="Changed their mind.")
    raise ValueError(action)


def corrected_allegations(c: Complaint) -> tuple[ComplaintOfficer, list[str]]:
    """The complaint's first officer, and their allegations with one more kind of misconduct that the
    program mediates (or that one taken off again): a correction that does not change the complaint's path."""
    officer = c.officers.order_by("id").first()
    codes = services.alleged_codes(officer)
    mediated = AllegationCategory.objects.filter(active=True).exclude(pk__in=c.policy.excluded_categories.all())
    extra = mediated.exclude(code__in=codes).order_by("code").first()
    if extra is not None:
        return officer, [*codes, extra.code]
    return officer, codes[:-1] if len(codes) > 1 else codes


def snapshot(c: Complaint) -> dict[str, Any]:
    """Everything an action could change about a complaint."""
    return {
        "complaint": Complaint.objects.filter(pk=c.pk).values().get(),
        "events": list(ComplaintEvent.objects.filter(complaint=c).values_list("pk", flat=True)),
        "officers": list(
            ComplaintOfficer.objects.filter(complaint=c).values(
                "pk", "consent", "dsn", "first_name", "last_name", "roster_officer"
            )
        ),
        "allegations": list(
            Allegation.objects.filter(complaint_officer__complaint=c).order_by("pk").values("pk", "category", "details")
        ),
        "deadlines": list(Deadline.objects.filter(complaint=c).values("kind", "due_on", "met_at", "cancelled")),
        "answers": ScreeningAnswer.objects.filter(complaint=c).count(),
        "sessions": list(MediationSession.objects.filter(complaint=c).values("pk", "status", "outcome")),
        "attendance": SessionAttendance.objects.filter(session__complaint=c).count(),
        "incident": Complaint.objects.filter(pk=c.pk).values(*services.INCIDENT_DETAILS).get(),
        "parties": [
            {"pk": p.pk, **{name: getattr(p, name) for name in services.CORRECTABLE}}
            for p in Party.objects.filter(complaint=c).order_by("pk")
        ],
    }


def queue_text(client, user) -> str:
    """``user``'s queue, signed in as them, as the page's text."""
    from parley.testing.web import login, text

    login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return text(response)
