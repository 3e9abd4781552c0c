"""The complaint page's relations read in SQL written once (``selectors.read_page_relations``) are what
Django's prefetch of the same relations gives: the same rows in the same order, the same values (the
encrypted contact data, JSON, dates and booleans on either database), the same related objects, and
no query once they are read."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from parley import reads
from parley.cases import selectors, services
from parley.cases.models import (
    Allegation,
    Complaint,
    ComplaintEvent,
    ComplaintOfficer,
    Deadline,
    Party,
    ScreeningAnswer,
)
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.conftest import use_preset
from parley.mediation.models import MediationSession, Mediator, SessionAttendance
from parley.testing.factories import Journey, MediatorFactory, receive_complaint


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _prefetched(pk: int) -> Complaint:
    """The complaint as Django's prefetch reads what its page shows."""
    return (
        Complaint.objects.select_related("policy", "created_by")
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.order_by("id")),
            Prefetch(
                "officers",
                queryset=ComplaintOfficer.objects.order_by("id").prefetch_related(
                    Prefetch("allegations", queryset=Allegation.objects.select_related("category").order_by("id"))
                ),
            ),
            Prefetch("screening_answers", queryset=ScreeningAnswer.objects.order_by("id")),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("due_on", "id")),
            Prefetch("events", queryset=ComplaintEvent.objects.select_related("actor").order_by("created_at", "id")),
            Prefetch(
                "sessions",
                queryset=MediationSession.objects.select_related("venue", "agreement")
                .order_by("starts_at", "id")
                .prefetch_related(
                    Prefetch(
                        "mediators",
                        queryset=Mediator.objects.select_related("user").order_by("last_name", "first_name", "id"),
                    ),
                    Prefetch(
                        "attendance",
                        queryset=SessionAttendance.objects.select_related("party", "officer", "mediator").order_by(
                            "id"
                        ),
                    ),
                ),
            ),
        )
        .get(pk=pk)
    )


def _values(obj) -> tuple | None:
    """Every column of ``obj`` as Python reads it (``None`` for no object)."""
    if obj is None:
        return None
    return (type(obj).__name__, *(getattr(obj, f.attname) for f in obj._meta.concrete_fields))


def _tree(c: Complaint) -> dict:
    """What the page reads of the complaint's relations, as plain values."""

    def agreement_of(session):
        try:
            return _values(session.agreement)
        except type(session).agreement.RelatedObjectDoesNotExist:
            return "none"

    return {
        "policy": _values(c.policy),
        "created_by": _values(c.created_by),
        "parties": [(_values(p), p.complaint_id == c.pk) for p in c.parties.all()],
        "officers": [
            (_values(o), [(_values(a), _values(a.category)) for a in o.allegations.all()]) for o in c.officers.all()
        ],
        "screening": [_values(s) for s in c.screening_answers.all()],
        "deadlines": [_values(d) for d in c.deadlines.all()],
        "events": [(_values(e), _values(e.actor)) for e in c.events.all()],
        "sessions": [
            (
                _values(s),
                _values(s.venue),
                agreement_of(s),
                [(_values(m), _values(m.user)) for m in s.mediators.all()],
                [(_values(a), _values(a.party), _values(a.officer), _values(a.mediator)) for a in s.attendance.all()],
            )
            for s in c.sessions.all()
        ],
    }


def _complaints(journey: Journey, irene) -> list[Complaint]:
    """Complaints at several steps: just received; screened and decided; one with three officers (one
    not identified), two allegations each, two cancelled sessions and a booked one; one mediated, with
    attendance and a signed agreement; one whose session ended without agreement."""
    busy = journey.to_referred(
        receive_complaint(irene, officers=3, unidentified=1, allegations=("discourtesy", "other"))
    )
    for _ in range(2):
        journey.schedule(busy)
        services.session_cancel(complaint=busy, actor=journey.coordinator, reason="The room flooded.")
    journey.schedule(busy)
    complaints = [reach(Status.RECEIVED, journey), reach(Status.AWAITING_CHOICE, journey), busy]
    complaints.append(reach(Status.NOT_RESOLVED, journey))
    use_preset("dc-opc")  # a program that keeps the signed agreement's terms
    mediated = reach(Status.SCHEDULED, journey)
    with time_machine.travel(mediated.sessions.get().starts_at + dt.timedelta(hours=2)):
        journey.hold(mediated, mediated.sessions.get(), agreement_signed=True)
    return [*complaints, mediated]


def test_the_page_reads_what_a_prefetch_would(journey, irene):
    online = reach(Status.RECEIVED, journey)
    Complaint.objects.filter(pk=online.pk).update(created_by=None)  # as one filed online is: nobody took it in
    for complaint in [*_complaints(journey, irene), online]:
        fast = selectors.read_page_relations(Complaint.objects.get(pk=complaint.pk))
        assert _tree(fast) == _tree(_prefetched(complaint.pk))


def test_the_complaints_under_test_have_every_relation_the_page_reads(journey, irene):
    """So that the comparison above compares something: each relation has rows in some complaint."""
    trees = [_tree(_prefetched(c.pk)) for c in _complaints(journey, irene)]
    sessions = [s for t in trees for s in t["sessions"]]
    assert all(any(t[name] for t in trees) for name in ("parties", "screening", "deadlines", "events"))
    assert any(alleged for t in trees for _, alleged in t["officers"])
    assert any(s[2] != "none" for s in sessions) and any(s[2] == "none" for s in sessions)  # agreements
    assert all(s[1] is not None for s in sessions) and any(s[3] for s in sessions) and any(s[4] for s in sessions)
    assert any(event[1] is not None for t in trees for event in t["events"])  # events with who took them


def test_once_read_the_relations_need_no_query(journey, irene, django_assert_num_queries):
    for complaint in _complaints(journey, irene):
        fast = selectors.read_page_relations(Complaint.objects.get(pk=complaint.pk))
        with django_assert_num_queries(0):
            _tree(fast)
            for session in fast.sessions.all():
                str(session), [str(a) for a in session.attendance.all()]


def test_the_relations_are_one_round_trip_on_postgresql_and_ten_reads_on_sqlite(
    journey, irene, django_assert_num_queries
):
    complaint = Complaint.objects.get(pk=reach(Status.SCHEDULED, journey).pk)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 10):
        selectors.read_page_relations(complaint)


def test_the_notes_read_with_the_page_are_those_notes_for_gives_in_the_same_round_trip(
    journey, irene, ray, carla, django_assert_num_queries
):
    from parley.accounts.permissions import organisation_of
    from parley.cases.notes import note_add, notes_for

    complaint = reach(Status.REFERRED, journey)
    notes = [(irene, "Called her back."), (carla, "Room booked."), (ray, "Noted."), (irene, "Left a message.")]
    for author, body in notes:
        note_add(complaint=complaint, author=author, body=body)
    note_add(complaint=reach(Status.RECEIVED, journey), author=irene, body="On another complaint.")  # not read
    for reader in (irene, ray, carla):
        fresh = Complaint.objects.get(pk=complaint.pk)
        with django_assert_num_queries(1 if connection.vendor == "postgresql" else 11):
            selectors.read_page_relations(fresh, notes_of=organisation_of(reader))
        with django_assert_num_queries(0):
            read = [(n.pk, n.body, n.author.username, n.complaint.reference) for n in fresh.organisation_notes]
        expected = [(n.pk, n.body, n.author.username, complaint.reference) for n in notes_for(complaint, reader)]
        assert read == expected and read, reader.role
    assert not hasattr(Complaint.objects.get(pk=complaint.pk), "organisation_notes")


def test_a_session_booked_between_the_reads_is_left_out_not_an_error(journey, irene):
    """Each read sees what was committed when it began. On SQLite the reads run one after the other; a
    session booked after the sessions were read has mediators when theirs are read: it is not on the
    page (it will be on the next one), and neither are they. On PostgreSQL the reads go together, so
    the booking below comes before all of them and the page shows it whole."""
    complaint = reach(Status.SCHEDULED, journey)
    booked: list[MediationSession] = []
    booking: list[bool] = []

    mediators_read = (MediationSession.mediators.through._meta.db_table, reads._name(selectors._PAGE_MEDIATORS_SQL))

    def book_meanwhile(execute, sql, params, many, context):  # the read as text, or by its prepared name
        if not booking and any(read in sql for read in mediators_read):
            booking.append(True)  # the booking's own queries pass through here too
            session = MediationSession.objects.create(
                complaint=complaint, starts_at=timezone.now() + dt.timedelta(days=40), duration_minutes=90
            )
            session.mediators.add(MediatorFactory(), MediatorFactory())
            booked.append(session)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(book_meanwhile):
        fast = selectors.read_page_relations(Complaint.objects.get(pk=complaint.pk))
    assert booked
    for session in fast.sessions.all():
        assert {m.pk for m in session.mediators.all()} == set(session.mediators.values_list("pk", flat=True))
    shown = {s.pk for s in fast.sessions.all()}
    assert (booked[0].pk in shown) == (connection.vendor == "postgresql")
