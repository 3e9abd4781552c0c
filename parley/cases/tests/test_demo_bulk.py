"""The bulk writer of the demo data: keys reserved ahead, rows copied in batches (on PostgreSQL by a
second thread), and every reference between the rows pointing where the services would point it."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from parley.cases import demo
from parley.cases.models import (
    Allegation,
    Complaint,
    ComplaintEvent,
    ComplaintOfficer,
    Party,
    ReferenceCounter,
    waits_for,
)
from parley.cases.names import refresh_people_copies
from parley.cases.selectors import replay_status, stale_waiting
from parley.crypto import PREFIX, blind_index
from parley.mediation.models import MediationSession, SessionAttendance, SessionStatus, SurveyAnswer, SurveyResponse
from parley.mediation.survey import STATEMENTS


def _seed(**kwargs) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"), **kwargs)  # noqa: SIM115


def _shape() -> list[tuple]:
    return [
        (c.status, c.received_on, c.channel, c.narrative, c.officers.count(), c.events.count(), c.parties.count())
        for c in Complaint.objects.order_by("id")
    ]


@pytest.mark.django_db(transaction=True)
def test_many_batches_keep_every_history_consistent_and_equal_to_one_transaction():
    # outside a transaction: on PostgreSQL a writer thread copies each batch while the next is planned
    _seed(complaints=90, batch_size=20, seed=3)
    first = _shape()
    assert len(first) == 90
    # inside a transaction: written in this thread; the same seed and batches give the same cases
    with transaction.atomic():
        _seed(complaints=90, batch_size=20, seed=3)
    assert _shape()[90:] == first

    references = list(Complaint.objects.values_list("reference", flat=True))
    assert len(set(references)) == 180
    for counter in ReferenceCounter.objects.all():
        numbers = sorted(int(r.split("-")[1]) for r in references if r.startswith(f"{counter.year}-"))
        assert numbers == list(range(1, counter.last + 1))

    # an officer is accused of each kind of misconduct once (intake's form cannot name one twice)
    alleged = list(Allegation.objects.values_list("complaint_officer_id", "category_id"))
    assert len(alleged) == len(set(alleged)) and len(alleged) > len(ComplaintOfficer.objects.filter(dsn=""))

    # whose queue each complaint is in, as the workflow would have kept it, and some in each kept queue
    assert stale_waiting() == {}
    # the copies of the people, as the services write them
    with transaction.atomic():
        assert refresh_people_copies(Complaint.objects.values_list("pk", flat=True)) == 0
    assert all(Complaint.objects.filter(**{waits_for(role): True}).exists() for role in ("intake", "coordinator"))

    now = timezone.now()
    for c in Complaint.objects.all():
        assert replay_status(c) == c.status
        first = c.deadlines.filter(met_at__isnull=True, cancelled=False).order_by("due_on", "id").first()
        assert (c.next_due, c.next_due_kind) == ((first.due_on, first.kind) if first else (None, "")), (
            f"{c.reference}: next_due is not the earliest open deadline"
        )
        events = list(c.events.order_by("id"))
        assert c.created_at == events[0].created_at  # created when received
        times = [e.created_at for e in events]
        assert times == sorted(times) and times[-1] <= now, f"{c.reference}: events out of time order"
        officers = set(c.officers.values_list("pk", flat=True))
        sessions = set(c.sessions.values_list("pk", flat=True))
        for e in events:
            if "officer" in e.data:
                assert e.data["officer"] in officers
            if "session" in e.data:
                assert e.data["session"] in sessions
    for a in SessionAttendance.objects.select_related("session"):
        complaint = a.session.complaint_id
        if a.party_id:
            assert Party.objects.get(pk=a.party_id).complaint_id == complaint
        if a.officer_id:
            assert ComplaintOfficer.objects.get(pk=a.officer_id).complaint_id == complaint
    assert MediationSession.objects.exists()
    assert all(isinstance(data, dict) for data in ComplaintEvent.objects.values_list("data", flat=True))
    assert set(map(str, Party.objects.values_list("gender", "race", "disability"))) == {"([], [], [])"}
    _assert_contact_data_is_encrypted()
    _assert_surveys_fit_their_sessions()


def _assert_surveys_fit_their_sessions() -> None:
    """Exit surveys only after held sessions, with the statements of their side's survey."""
    surveys = list(SurveyResponse.objects.select_related("session"))
    assert surveys, "the demo has exit surveys"
    for survey in surveys:
        assert survey.session.status == SessionStatus.HELD
        codes = {code for code, _text in STATEMENTS[survey.respondent]}
        assert set(survey.answers) <= codes and set(survey.answers.values()) <= set(SurveyAnswer.values)


def _assert_contact_data_is_encrypted() -> None:
    """The bulk writer stores contact data as the model would: encrypted, with its lookup indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, email, phone, address FROM cases_party WHERE email <> ''")
        raw = cursor.fetchall()
    assert raw, "the demo gives complainants an email address"
    assert all(value.startswith(PREFIX) for row in raw for value in row[1:])
    for party in Party.objects.filter(pk__in=[row[0] for row in raw[:20]]):
        assert "@example.com" in party.email and party.phone.startswith("(314) 555-")
        assert party.email_index == blind_index("email", party.email)
        assert party.phone_index == blind_index("phone", party.phone)


def _schema() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = 'public'::regnamespace"
            " UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            " UNION ALL SELECT attrelid::regclass::text, attname, attstattarget::text FROM pg_attribute"
            " WHERE attstattarget > 0 AND attrelid IN (SELECT indexrelid FROM pg_index)"
        )
        return {(table, name, _same_any(definition)) for table, name, definition in cursor.fetchall()}


def _same_any(definition: str) -> str:
    """PostgreSQL writes a partial index's ``IN (...)`` back with its casts moved, each time the index
    is made from its own definition: the same index, other text. The ``= ANY (...)`` part without its
    casts and parentheses; the rest of the definition as it is."""
    head, found, tail = definition.partition(" = ANY ")
    return head + found + re.sub(r"::(character varying|text)(\[\])?|[()]", "", tail) if found else definition


ON_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="--fast-indexes is for PostgreSQL (CI runs it there)"
)


@pytest.mark.postgres
@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_fast_indexes_loads_the_same_cases_and_puts_every_index_and_foreign_key_back():
    before = _schema()
    _seed(complaints=60, batch_size=20, seed=5, fast_indexes=True)
    assert _schema() == before
    first = _shape()
    _seed(complaints=60, batch_size=20, seed=5)
    assert _shape()[60:] == first
    assert stale_waiting() == {}
    # the copies of the people, as the services write them
    with transaction.atomic():
        assert refresh_people_copies(Complaint.objects.values_list("pk", flat=True)) == 0
    for c in Complaint.objects.all():
        assert replay_status(c) == c.status
        first = c.deadlines.filter(met_at__isnull=True, cancelled=False).order_by("due_on", "id").first()
        assert (c.next_due, c.next_due_kind) == ((first.due_on, first.kind) if first else (None, "")), (
            f"{c.reference}: next_due is not the earliest open deadline"
        )
    _assert_contact_data_is_encrypted()


@pytest.mark.postgres
@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_fast_indexes_rolls_everything_back_when_a_batch_fails(monkeypatch):
    before = _schema()
    write = demo._Writer.write
    calls = []

    def failing(self, plans):
        calls.append(len(plans))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return write(self, plans)

    monkeypatch.setattr(demo._Writer, "write", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        _seed(complaints=60, batch_size=20, seed=5, fast_indexes=True)
    assert calls == [20, 20]
    assert _schema() == before
    assert not Complaint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_program_that_keeps_written_agreements_gets_them_encrypted_in_the_demo():
    import random

    from parley.conftest import use_preset
    from parley.mediation.models import Agreement

    demo.ensure_reference_data(demo.ensure_staff(), random.Random(1))
    policy = use_preset("dc-opc")
    demo.generate_complaints(120, policy=policy, seed=4, batch_size=40)
    for c in Complaint.objects.all():  # every history is one DC's workflow allows
        assert replay_status(c) == c.status
    agreements = list(Agreement.objects.select_related("session"))
    assert agreements, "DC requires a written agreement for every mediated case"
    assert all(a.session.agreement_signed and a.terms in demo.AGREEMENTS for a in agreements)
    with connection.cursor() as cursor:
        cursor.execute("SELECT terms FROM mediation_agreement")
        assert all(row[0].startswith(PREFIX) for row in cursor.fetchall())
