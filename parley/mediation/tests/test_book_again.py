"""A booked session that no longer suits (a person's need or language corrected since the booking, its venue
or a mediator changed in the admin) waits in the coordinator's queue to be booked again, until the
coordinator cancels it; the complaint page says why."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from parley.cases import services
from parley.cases.selectors import BOOK_AGAIN
from parley.cases.tests.helpers import queue_text, reach
from parley.cases.workflow import GuardFailed, Status
from parley.mediation import eligibility
from parley.mediation.eligibility import booked_session_problems, recheck_bookings
from parley.mediation.models import MediationSession, Mediator, Venue
from parley.testing.factories import Journey
from parley.testing.web import AUDIT, admin_change_data, admin_form_opened, count_queries, login, text


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _row(body: str, reference: str) -> str:
    start = body.index(f">{reference}</a>")
    return body[start : body.index("</tr>", start)]


def _complainant(c):
    return c.parties.get(kind="complainant")


def _scheduled(journey):
    c = reach(Status.SCHEDULED, journey)
    return c, c.sessions.get()


def test_a_need_corrected_that_the_booking_no_longer_suits_puts_it_in_the_coordinators_queue(
    journey, client, irene, carla
):
    c, session = _scheduled(journey)
    Venue.objects.filter(pk=session.venue_id).update(accessible=False)  # (as it was when booked, unchecked)
    assert c.reference not in queue_text(client, carla)  # the session is still to come, and suited its people
    services.party_correct(
        complaint=c, actor=irene, party=_complainant(c), changes={"needs_step_free": True}, reason="Uses a wheelchair"
    )
    session.refresh_from_db()
    assert session.no_longer_suits
    row = _row(queue_text(client, carla), c.reference)
    assert BOOK_AGAIN in row and "Record the outcome" not in row
    assert BOOK_AGAIN not in queue_text(client, irene)  # intake does not book sessions
    # the complaint page says why, and the coordinator cancels: the complaint waits to be scheduled
    body = text(client.get(reverse("cases:detail", kwargs={"ref": c.reference})))
    assert f'id="session-problems-{session.pk}"' in body and "is not step-free" in body
    services.session_cancel(complaint=c, actor=carla, reason="The venue has steps")
    row = _row(queue_text(client, carla), c.reference)
    assert "Schedule a session" in row and BOOK_AGAIN not in row


def test_a_correction_that_still_suits_the_booking_leaves_it_out_of_the_queue(journey, client, irene, carla):
    c, session = _scheduled(journey)
    services.party_correct(
        complaint=c, actor=irene, party=_complainant(c), changes={"needs_step_free": True}, reason="Uses a wheelchair"
    )
    session.refresh_from_db()
    assert not session.no_longer_suits  # the venue is step-free
    assert c.reference not in queue_text(client, carla)


def test_a_language_corrected_that_nobody_on_the_team_speaks_puts_it_in_the_queue_until_corrected_back(
    journey, client, irene, carla
):
    c, session = _scheduled(journey)
    person = _complainant(c)
    services.party_correct(
        complaint=c, actor=irene, party=person, changes={"preferred_language": "vi"}, reason="Asked again"
    )
    session.refresh_from_db()
    assert session.no_longer_suits
    assert any("Nobody on the team speaks" in p for p in booked_session_problems(session))
    assert c.reference in queue_text(client, carla)
    person.refresh_from_db()
    services.party_correct(
        complaint=c, actor=irene, party=person, changes={"preferred_language": "en"}, reason="Misheard"
    )
    session.refresh_from_db()
    assert not session.no_longer_suits
    assert c.reference not in queue_text(client, carla)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"active": False}, "is not an active venue"),
        ({"capacity": 2}, "holds 2 people"),
    ],
)
def test_a_venue_changed_in_the_admin_checks_its_bookings_again(journey, client, carla, change, says):
    c, session = _scheduled(journey)
    venue = session.venue
    for name, value in change.items():
        setattr(venue, name, value)
    venue.save()
    session.refresh_from_db()
    assert session.no_longer_suits
    assert any(says in p for p in booked_session_problems(session))
    assert BOOK_AGAIN in _row(queue_text(client, carla), c.reference)
    venue.refresh_from_db()
    venue.active, venue.capacity = True, 8  # put back: it suits again
    venue.save()
    session.refresh_from_db()
    assert not session.no_longer_suits


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"active": False}, "is not an active mediator"),
        ({"former_law_enforcement": True}, "has worked in law enforcement"),
        ({"certified_until": dt.date(2020, 1, 1)}, "certification lapses before the session"),
        ({"languages": ["es"]}, "Nobody on the team speaks"),
    ],
)
def test_a_mediator_changed_in_the_admin_checks_their_bookings_again(journey, client, carla, change, says):
    c, session = _scheduled(journey)
    others = list(session.mediators.all())
    for mediator in others:  # (every mediator of the team, for the language: one speaking English is enough)
        for name, value in change.items():
            setattr(mediator, name, value)
        mediator.save()
    session.refresh_from_db()
    assert session.no_longer_suits
    assert any(says in p for p in booked_session_problems(session))
    assert BOOK_AGAIN in _row(queue_text(client, carla), c.reference)


def test_the_administrator_who_saves_a_venue_is_told_of_the_bookings_it_no_longer_suits(journey, client, root, carla):
    c, session = _scheduled(journey)
    venue = session.venue
    login(client, root)
    url = reverse("admin:mediation_venue_change", args=[venue.pk])

    def save(**fields) -> str:
        data = {"name": venue.name, "address": venue.address, **admin_form_opened(client, url), **fields}
        return text(client.post(url, data, follow=True))

    # not step-free: nobody in this complaint's room needs it, so the booking still suits
    body = save(capacity="8", active="on")
    assert "was changed successfully" in body and "no longer suit" not in body
    venue.refresh_from_db()
    assert not venue.accessible
    body = save(capacity="2", active="on", accessible="on")  # too small for the room
    assert "1 booked session no longer suits" in body and "in their queue, to book again" in body
    assert BOOK_AGAIN in _row(queue_text(client, carla), c.reference)
    login(client, root)
    assert "no longer suit" not in save(capacity="8", active="on", accessible="on")
    session.refresh_from_db()
    assert not session.no_longer_suits


@pytest.mark.django_db(transaction=True)
def test_a_mediator_saved_outside_a_transaction_checks_their_bookings_in_one_of_its_own(journey):
    """A shell or a script saves in autocommit: the check locks the complaints all the same (in its own
    transaction), where a lock outside one is refused."""
    session = _scheduled(journey)[1]
    mediator = session.mediators.first()
    mediator.active = False
    mediator.save()
    session.refresh_from_db()
    assert session.no_longer_suits


def test_a_session_that_has_started_waits_for_its_outcome_not_to_be_booked_again(journey, client, carla):
    c, session = _scheduled(journey)
    Venue.objects.filter(pk=session.venue_id).update(active=False)
    recheck_bookings(MediationSession.objects.filter(pk=session.pk))
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        row = _row(queue_text(client, carla), c.reference)
    assert "Record the outcome" in row and BOOK_AGAIN not in row


def test_a_cancelled_or_held_session_is_never_waiting_to_be_booked_again(journey, client, carla):
    c, session = _scheduled(journey)
    MediationSession.objects.filter(pk=session.pk).update(no_longer_suits=True)
    services.session_cancel(complaint=c, actor=carla, reason="Moved")
    assert recheck_bookings(MediationSession.objects.all()) == []  # only scheduled sessions are checked
    assert BOOK_AGAIN not in queue_text(client, carla)


def test_the_coordinators_queue_reads_the_pages_sessions_in_one_query_however_many(
    journey, client, carla, django_assert_max_num_queries
):
    counts = []
    for extra in [1, 6]:
        for _ in range(extra):
            session = _scheduled(journey)[1]
            MediationSession.objects.filter(pk=session.pk).update(no_longer_suits=True)
        reach(Status.REFERRED, journey)
        login(client, carla)
        # the session, its user and their device; the sessions waiting (started, or to book again); the
        # page's two segments; the policies; the page's sessions; their people (copies on the rows)
        with django_assert_max_num_queries(9 + AUDIT), count_queries() as queries:
            body = text(client.get("/"))
        assert body.count(BOOK_AGAIN) == MediationSession.objects.filter(no_longer_suits=True).count()
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_recheck_bookings_reads_a_fixed_number_of_queries_per_batch(journey, django_assert_num_queries, monkeypatch):
    for _ in range(3):
        _scheduled(journey)
    Venue.objects.update(accessible=False, capacity=1)
    # the sessions' keys; then the sessions with their venues and complaints, their mediators, their
    # complaints' people and officers; one update of the flags that changed
    with django_assert_num_queries(6):
        assert len(recheck_bookings(MediationSession.objects.all())) == 3
    with django_assert_num_queries(5):
        assert recheck_bookings(MediationSession.objects.all()) == []
    monkeypatch.setattr(eligibility, "RECHECK_BATCH", 2)  # many sessions: a batch at a time, each read the same way
    Venue.objects.update(capacity=8)
    with django_assert_num_queries(1 + 2 * 5):
        assert len(recheck_bookings(MediationSession.objects.all())) == 3
    assert not MediationSession.objects.filter(no_longer_suits=True).exists()


def test_refresh_queues_finds_and_mends_a_booking_marked_wrongly(journey, client, carla, capsys):
    c, session = _scheduled(journey)
    call_command("refresh_queues", "--check")
    assert "every queue flag is right" in capsys.readouterr().out
    Venue.objects.filter(pk=session.venue_id).update(active=False)  # changed outside Parley
    with pytest.raises(CommandError, match=f"1 scheduled sessions.*{c.reference}"):
        call_command("refresh_queues", "--check")
    assert c.reference not in queue_text(client, carla)  # --check changed nothing
    call_command("refresh_queues")
    assert "and of 1 scheduled sessions" in capsys.readouterr().out
    assert BOOK_AGAIN in _row(queue_text(client, carla), c.reference)


@pytest.mark.django_db(transaction=True)
def test_the_migration_checks_the_sessions_already_booked_and_reverses(journey):
    from parley.testing.migrations import columns_of, migrate_to, migrated_back_to

    suited, unsuited = _scheduled(journey)[1], _scheduled(journey)[1]
    Venue.objects.filter(pk=unsuited.venue_id).update(accessible=False)
    unsuited.complaint.parties.filter(kind="complainant").update(needs_step_free=True)  # corrected before it
    with migrated_back_to("mediation", "0007_surveyresponse_submission"):
        assert "no_longer_suits" not in columns_of("mediation_mediationsession")
        migrate_to(("mediation", "0008_session_no_longer_suits"))
    assert MediationSession.objects.get(pk=unsuited.pk).no_longer_suits
    assert not MediationSession.objects.get(pk=suited.pk).no_longer_suits
    assert Mediator.objects.exists()


# From a review: concurrent changes, what the page says to whom, and the administrator's message.


def _flag_and_truth(session: MediationSession) -> tuple[bool, bool]:
    session = (
        MediationSession.objects.select_related("venue", "complaint")
        .prefetch_related("mediators", "complaint__parties", "complaint__officers")
        .get(pk=session.pk)
    )
    return session.no_longer_suits, bool(booked_session_problems(session))


def _admin_saves_meanwhile(save, during):
    """``save`` runs in the admin's transaction (as ``changeform_view`` runs it: the signal inside) and holds it
    open while ``during`` starts in another thread: ``during`` must wait for the admin's locks (it is still
    running half a second later), and finishes once the admin's transaction commits."""
    checked, go, failed = threading.Event(), threading.Event(), []

    def admin():
        try:
            with transaction.atomic():
                save()  # post_save: recheck_bookings, in this transaction
                checked.set()
                go.wait(30)
        except BaseException as exc:
            failed.append(exc)
            checked.set()
        finally:
            connections.close_all()

    def other():
        try:
            during()
        except BaseException as exc:
            failed.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=admin)
    first.start()
    assert checked.wait(30)
    second = threading.Thread(target=other)
    second.start()
    second.join(0.5)
    waited = second.is_alive()
    go.set()
    first.join(30)
    second.join(30)
    assert not failed, failed
    assert waited, "it did not wait for the admin's save"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two transactions at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_need_corrected_while_the_admin_saves_the_venue_is_checked_against_the_venue_as_saved(journey, irene):
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    person = c.parties.get(kind="complainant")

    def venue_loses_its_step_free_access():
        venue = Venue.objects.get(pk=session.venue_id)
        venue.accessible = False
        venue.save()

    def intake_corrects_the_need():
        services.party_correct(
            complaint=c.pk, actor=irene, party=person.pk, changes={"needs_step_free": True}, reason="Uses a wheelchair"
        )

    _admin_saves_meanwhile(venue_loses_its_step_free_access, intake_corrects_the_need)
    assert _flag_and_truth(session) == (True, True)  # the correction waited for the save, and read the venue


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two transactions at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_session_booked_while_the_admin_deactivates_its_mediator_waits_and_is_refused(journey, carla):
    c = reach(Status.SCHEDULED, journey)
    first = c.sessions.get()
    team = list(first.mediators.all())
    starts_at, venue = first.starts_at, first.venue
    services.session_cancel(complaint=c.pk, actor=carla, reason="The complainant asked for another day")

    def mediator_made_inactive():
        mediator = Mediator.objects.get(pk=team[0].pk)
        mediator.active = False
        mediator.save()

    refused = []

    def coordinator_books():  # the schedule form read the team before the admin's save
        try:
            services.session_schedule(complaint=c.pk, actor=carla, starts_at=starts_at, mediators=team, venue=venue)
        except GuardFailed as exc:
            refused.append(str(exc))

    _admin_saves_meanwhile(mediator_made_inactive, coordinator_books)
    assert refused == [f"{team[0]} is not an active mediator."]
    assert not c.sessions.filter(status="scheduled").exists()


def test_internal_affairs_is_not_told_a_mediators_law_enforcement_past_or_certification(journey, client, ray, carla):
    """The permission table gives every role a session's "time, venue, team" (``view_session``); what the
    mediation center knows of its volunteers (former police employment, certification) is not among it."""
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    for mediator in session.mediators.all():
        mediator.former_law_enforcement = True
        mediator.save()
    login(client, ray)
    response = client.get(reverse("cases:detail", kwargs={"ref": c.reference}))
    assert response.status_code == 200
    body = text(response)
    assert f'id="session-problems-{session.pk}"' in body  # the page says the booking no longer suits ...
    assert "worked in law enforcement" not in body  # ... without the mediators' police past
    assert "Someone on the mediator team can no longer take this session." in body
    login(client, carla)  # the mediation center's coordinator, who books again, reads why
    assert "has worked in law enforcement" in text(client.get(reverse("cases:detail", kwargs={"ref": c.reference})))


def test_saving_a_venue_without_changing_what_a_booking_needs_does_not_blame_the_venue(journey, client, root, irene):
    """A booking that a correction made unsuitable (the complainant's language) is not the venue's doing: an
    administrator who only corrects the venue's address is not told that it no longer suits."""
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    services.party_correct(
        complaint=c,
        actor=irene,
        party=c.parties.get(kind="complainant"),
        changes={"preferred_language": "vi"},
        reason="Asked again",
    )
    session.refresh_from_db()
    assert session.no_longer_suits  # the team speaks no Vietnamese: nothing to do with the room
    login(client, root)
    url = reverse("admin:mediation_venue_change", args=[session.venue_id])
    body = text(client.post(url, admin_change_data(client, url, address="1301 Olive Street"), follow=True))
    assert "was changed successfully" in body
    assert "no longer suit" not in body
