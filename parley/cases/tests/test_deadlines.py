"""Deadlines become due dates on the complaint; the overdue query lists what is late."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from parley.cases import services
from parley.cases.deadlines import refresh_next_due
from parley.cases.models import Complaint, Deadline, DeadlineKind
from parley.cases.selectors import overdue_complaints, overdue_deadlines
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.testing.factories import Journey, receive_complaint


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def test_a_new_complaint_is_due_for_acknowledgement_by_the_policy(journey, policy):
    c = receive_complaint(journey.intake)
    deadline = c.deadlines.get(kind=DeadlineKind.ACKNOWLEDGE)
    assert deadline.due_on == c.received_on + dt.timedelta(days=policy.acknowledge_days)
    assert deadline.met_at is None


def test_acknowledging_meets_the_deadline(journey):
    c = receive_complaint(journey.intake)
    services.complaint_acknowledge(complaint=c, actor=journey.intake)
    assert c.deadlines.get(kind=DeadlineKind.ACKNOWLEDGE).met_at is not None


def test_a_late_step_is_listed_as_overdue_until_it_is_taken(journey):
    c = receive_complaint(journey.intake)
    later = timezone.localdate() + dt.timedelta(days=30)
    assert list(overdue_complaints(today=later)) == [c]
    assert [d.kind for d in overdue_deadlines(today=later)] == [DeadlineKind.ACKNOWLEDGE]
    services.complaint_acknowledge(complaint=c, actor=journey.intake)
    assert list(overdue_complaints(today=later)) == []


def test_the_most_overdue_comes_first(journey):
    older = receive_complaint(journey.intake)
    Deadline.objects.filter(complaint=older).update(due_on=timezone.localdate() - dt.timedelta(days=9))
    newer = receive_complaint(journey.intake)
    Deadline.objects.filter(complaint=newer).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    refresh_next_due()  # deadlines changed behind the services' back
    assert list(overdue_complaints()) == [older, newer]


def test_a_closed_complaint_is_never_overdue(journey):
    c = reach(Status.DECLINED_BY_COMPLAINANT, journey)
    assert not overdue_complaints(today=timezone.localdate() + dt.timedelta(days=365)).filter(pk=c.pk).exists()
    assert not c.deadlines.filter(met_at__isnull=True, cancelled=False).exists()


def test_each_step_sets_the_next_due_date(journey, policy):
    c = reach(Status.SUITABILITY_REVIEW, journey)
    assert c.deadlines.get(kind=DeadlineKind.SUITABILITY).met_at is None
    c = reach(Status.AWAITING_OFFICER_CONSENT, journey)
    kinds = dict(c.deadlines.values_list("kind", "met_at"))
    assert kinds[DeadlineKind.SUITABILITY] is not None
    assert kinds[DeadlineKind.COMPLAINANT_CHOICE] is not None
    assert kinds[DeadlineKind.OFFICER_ANSWER] is None
    c = reach(Status.REFERRED, journey)
    assert c.deadlines.get(kind=DeadlineKind.SCHEDULE_SESSION).due_on == timezone.localdate() + dt.timedelta(
        days=policy.schedule_session_days
    )


def test_dc_must_finish_within_30_days_of_the_first_session(db, journey):
    from parley.conftest import use_preset
    from parley.mediation.models import SessionOutcome

    use_preset("dc-opc")
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        # a first no-show under DC ends it, so raise the limit to see the clock run
        c.policy.no_show_limit = 3
        c.policy.save()
        c = journey.hold(c, session, SessionOutcome.COMPLAINANT_NO_SHOW, present_parties=set())
    assert c.status == Status.REFERRED
    due = c.deadlines.get(kind=DeadlineKind.FINISH_MEDIATION).due_on
    assert due == timezone.localdate(session.starts_at) + dt.timedelta(days=30)


def _earliest_open(c) -> dt.date | None:
    return min(c.deadlines.filter(met_at__isnull=True, cancelled=False).values_list("due_on", flat=True), default=None)


def _first_open_kind(c) -> str:
    first = c.deadlines.filter(met_at__isnull=True, cancelled=False).order_by("due_on", "id").first()
    return first.kind if first else ""


def test_the_complaint_keeps_its_earliest_open_deadline_and_its_kind_through_the_steps(journey):
    c = receive_complaint(journey.intake)
    assert c.next_due == _earliest_open(c) == c.deadlines.get(kind=DeadlineKind.ACKNOWLEDGE).due_on
    assert c.next_due_kind == DeadlineKind.ACKNOWLEDGE
    services.complaint_acknowledge(complaint=c, actor=journey.intake)
    c.refresh_from_db()
    assert c.next_due_kind == _first_open_kind(c) != DeadlineKind.ACKNOWLEDGE  # on to the next step's
    for status in (Status.SUITABILITY_REVIEW, Status.AWAITING_OFFICER_CONSENT, Status.REFERRED):
        c = reach(status, journey)
        c.refresh_from_db()
        assert c.next_due is not None and c.next_due == _earliest_open(c), status
        assert c.next_due_kind == _first_open_kind(c) != "", status
    c = reach(Status.DECLINED_BY_COMPLAINANT, journey)
    c.refresh_from_db()
    assert c.next_due is None and _earliest_open(c) is None and c.next_due_kind == ""


def test_refresh_next_due_mends_the_kind_too_and_takes_the_first_opened_of_two_due_the_same_day(journey):
    c = receive_complaint(journey.intake)
    Deadline.objects.create(complaint=c, kind=DeadlineKind.SUITABILITY, due_on=c.next_due)  # the same day, opened later
    Complaint.objects.filter(pk=c.pk).update(next_due=None, next_due_kind="")
    assert refresh_next_due([c.pk]) == 1
    c.refresh_from_db()
    assert (c.next_due, c.next_due_kind) == (_earliest_open(c), DeadlineKind.ACKNOWLEDGE)
    Deadline.objects.filter(complaint=c).update(cancelled=True)
    refresh_next_due([c.pk])
    c.refresh_from_db()
    assert (c.next_due, c.next_due_kind) == (None, "")


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_next_due_from_the_deadlines_and_reverses(policy, irene, ray, carla, alma):
    from parley.testing.migrations import columns_of, migrate_to, migrated_back_to

    journey = Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)
    waiting = receive_complaint(irene)
    closed = reach(Status.DECLINED_BY_COMPLAINANT, journey)
    with migrated_back_to("cases", "0006_search_indexes"):
        assert "next_due" not in columns_of("cases_complaint")
        migrate_to(("cases", "0007_complaint_next_due"))
    waiting.refresh_from_db()
    closed.refresh_from_db()
    assert waiting.next_due == _earliest_open(waiting) is not None
    assert closed.next_due is None
