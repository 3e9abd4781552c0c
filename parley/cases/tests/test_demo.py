"""The demo data set: every status present, and every generated history as the services would write it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from parley.accounts.models import User
from parley.accounts.roles import Role
from parley.cases.models import Complaint, ComplaintEvent, ConsentAnswer, PartyKind
from parley.cases.selectors import replay_status
from parley.cases.workflow import BY_ACTION, TERMINAL, Status
from parley.mediation.eligibility import booked_session_problems
from parley.mediation.models import MediationSession, SessionAttendance, SessionStatus


@pytest.fixture
def demo(db):
    call_command("seed_demo", complaints=400, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_has_a_login_for_every_role(demo):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


def test_the_demo_has_complaints_in_every_status_the_default_policy_can_reach(demo):
    statuses = set(Complaint.objects.values_list("status", flat=True))
    # St. Louis sets no no-show limit, so "mediation attempted" cannot happen under it
    assert statuses == set(Status.values) - {Status.MEDIATION_ATTEMPTED}


def test_every_demo_history_replays_to_its_status_through_allowed_transitions(demo):
    for complaint in Complaint.objects.all():
        assert replay_status(complaint) == complaint.status
        assert bool(complaint.disposition) == (complaint.status in TERMINAL)
    for action, from_status, to_status, role in ComplaintEvent.objects.exclude(action="complaint_receive").values_list(
        "action", "from_status", "to_status", "actor_role"
    ):
        transition = BY_ACTION[action]
        assert from_status in transition.sources
        assert to_status in (transition.targets or (from_status,))
        assert role in transition.roles


def test_every_demo_mediation_had_everyone_in_the_room(demo):
    mediated = Complaint.objects.filter(status=Status.MEDIATED)
    assert mediated.count() > 20
    for c in mediated:
        session = c.sessions.get(status=SessionStatus.HELD)
        present = SessionAttendance.objects.filter(session=session, present=True)
        assert not SessionAttendance.objects.filter(session=session, present=False).exists()
        complainants = c.parties.filter(kind=PartyKind.COMPLAINANT).count()
        officers = c.officers.filter(consent=ConsentAnswer.ACCEPTED).count()
        assert present.exclude(party=None).count() == complainants
        assert present.exclude(officer=None).count() == officers >= 1
        assert present.exclude(mediator=None).count() == session.mediators.count() == c.policy.mediators_per_session


def test_every_demo_session_suits_its_people_room_and_team_as_the_services_would_have_booked_it(demo):
    sessions = MediationSession.objects.select_related("venue", "complaint").prefetch_related(
        "mediators", "complaint__parties", "complaint__officers"
    )
    assert sessions.filter(status=SessionStatus.SCHEDULED).count() > 5
    assert sessions.filter(interpreter_booked=True).exists()  # where nobody on the team speaks someone's language
    assert [(s.complaint.reference, booked_session_problems(s)) for s in sessions if booked_session_problems(s)] == []
    assert not MediationSession.objects.filter(no_longer_suits=True).exists()


def test_seeding_again_with_if_empty_adds_nothing(demo):
    count = Complaint.objects.count()
    call_command("seed_demo", if_empty=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Complaint.objects.count() == count


def test_the_demo_is_the_same_every_time(db):
    def shape():
        return [
            (c.status, c.received_on, c.channel, c.narrative, c.officers.count(), c.events.count())
            for c in Complaint.objects.order_by("id")
        ]

    call_command("seed_demo", complaints=40, seed=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = shape()
    call_command("seed_demo", complaints=40, seed=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
    second = shape()[40:]  # the second run adds 40 more (new reference numbers, the same cases)
    assert first == second
