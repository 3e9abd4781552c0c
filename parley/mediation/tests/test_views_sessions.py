"""A mediator's pages: my sessions (only theirs, only what the session needs) and the outcome form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from parley.accounts.roles import Role
from parley.cases import services
from parley.cases.models import Party
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.workflow import Status
from parley.mediation.models import MediationSession, SessionOutcome
from parley.testing.factories import Journey, MediatorFactory, UserFactory
from parley.testing.web import AUDIT, count_queries, login, text

MY_SESSIONS = reverse("mediation:my_sessions")


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _assign(complaint, user) -> MediationSession:
    session = MediationSession.objects.get(complaint=complaint, status="scheduled")
    mediator = session.mediators.first()
    mediator.user = user
    mediator.save()
    return session


def _everyone(complaint, session) -> dict:
    parties, officers, mediators = services.required_attendees(complaint, session)
    return {
        "outcome": SessionOutcome.FULL_AGREEMENT,
        "present_parties": [str(p) for p in parties],
        "present_officers": [str(o) for o in officers],
        "present_mediators": [str(m) for m in mediators],
    }


def _outcome_url(session) -> str:
    return reverse("mediation:session_outcome", kwargs={"pk": session.pk})


def test_a_mediator_lands_on_their_sessions_with_what_the_session_needs_and_nothing_more(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    Party.objects.filter(complaint=c).update(
        preferred_language="es", needs_interpreter=True, accessibility_needs="Uses a wheelchair"
    )
    session = _assign(c, maya)
    login(client, maya)
    body = text(client.get("/"))
    assert "<h1>My sessions</h1>" in body
    assert "Dana Reyes" in body and "speaks Spanish" in body and "needs an interpreter" in body
    assert "Uses a wheelchair" in body
    assert session.venue.name in body
    officer = c.officers.get()
    assert officer.last_name in body
    for secret in ["The officer called me names", "Discourtesy", "(314) 555-0101", "serious physical injury"]:
        assert secret not in body


def test_a_mediator_sees_only_the_sessions_they_are_assigned_to(journey, client, maya):
    mine, theirs = reach(Status.SCHEDULED, journey), reach(Status.SCHEDULED, journey)
    _assign(mine, maya)
    login(client, maya)
    body = text(client.get(MY_SESSIONS))
    assert mine.reference in body and theirs.reference not in body


@pytest.mark.parametrize("wanted", ["²", "\uff11", "99999999999999999999", "x"])
def test_a_session_asked_for_that_cannot_be_one_shows_the_first_page(wanted, journey, client, maya):
    _assign(reach(Status.SCHEDULED, journey), maya)
    login(client, maya)
    response = client.get(MY_SESSIONS, {"session": wanted})
    assert response.status_code in {200, 302}
    assert client.get(MY_SESSIONS, {"session": wanted}, follow=True).status_code == 200


def test_the_sessions_page_is_for_mediators_only(journey, client, carla):
    login(client, carla)
    assert client.get(MY_SESSIONS).status_code == 403


def test_a_mediator_records_attendance_and_the_outcome_after_the_session(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        page = text(client.get(MY_SESSIONS))
        assert f'id="record-outcome-{session.pk}"' in page
        form = text(client.get(_outcome_url(session)))
        assert "Dana Reyes" in form and 'type="checkbox"' in form
        response = client.post(_outcome_url(session), _everyone(c, session), follow=True)
    assert response.redirect_chain[-1][0] == MY_SESSIONS
    assert "The outcome is recorded." in text(response)
    assert "give it to them, or tell the coordinator" in text(response)  # the exit survey, not forgotten
    c.refresh_from_db()
    assert c.status == Status.MEDIATED
    assert c.events.order_by("-id").first().actor == maya


def test_the_outcome_form_is_get_and_post_only(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        before = snapshot(c)
        assert client.put(_outcome_url(session)).status_code == 405
        assert client.delete(_outcome_url(session)).status_code == 405
    assert snapshot(c) == before


def test_another_mediator_cannot_find_the_session_and_other_roles_may_not_use_the_form(journey, client, maya, carla):
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    other = UserFactory(role=Role.MEDIATOR)
    before = snapshot(c)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, other)
        assert client.post(_outcome_url(session), _everyone(c, session)).status_code == 404
        login(client, carla)
        assert client.post(_outcome_url(session), _everyone(c, session)).status_code == 403
    assert snapshot(c) == before


def test_an_outcome_without_an_answer_changes_nothing_and_says_why(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    before = snapshot(c)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        response = client.post(_outcome_url(session), {**_everyone(c, session), "outcome": ""})
    assert response.status_code == 200
    assert "Choose how the session ended." in text(response)
    assert "Nothing was saved" in text(response)
    assert snapshot(c) == before


def test_a_resolved_outcome_needs_everyone_present_and_says_so(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    before = snapshot(c)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        response = client.post(_outcome_url(session), {**_everyone(c, session), "present_officers": []})
    assert "every complainant, every participating officer" in text(response)
    assert snapshot(c) == before


@pytest.mark.parametrize(
    ("outcome", "absent", "field", "message"),
    [
        # every box left blank: a session is held with its mediators
        (SessionOutcome.NOT_RESOLVED, "everyone", "present_mediators", "No mediator is marked present"),
        (SessionOutcome.COMPLAINANT_NO_SHOW, "everyone", "present_mediators", "No mediator is marked present"),
        # "Not resolved" goes to investigation for good: whoever did not come is a no-show, not a failed mediation
        (SessionOutcome.NOT_RESOLVED, "present_parties", "present_parties", "“Complainant did not attend”"),
        (SessionOutcome.NOT_RESOLVED, "present_officers", "present_officers", "“Officer did not attend”"),
    ],
)
def test_an_outcome_needs_the_attendance_it_implies_and_says_where(
    journey, client, maya, outcome, absent, field, message
):
    """From a browser walk-through: a mediator who chose "Not resolved" and ticked no one sent the complaint
    to a full investigation, with everyone, mediators included, recorded as absent."""
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    before = snapshot(c)
    data = {**_everyone(c, session), "outcome": outcome}
    for name in ("present_parties", "present_officers", "present_mediators") if absent == "everyone" else (absent,):
        data[name] = []
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        response = client.post(_outcome_url(session), data)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert f'id="outcome_{field}_error"' in page or f'id="{field}_error"' in page  # at the field it is about
    assert snapshot(c) == before
    names = ("present_parties", "present_officers", "present_mediators")
    attendance = {name: {int(pk) for pk in data[name]} for name in names}
    later = session.starts_at + dt.timedelta(hours=2)
    # the service keeps the rule too
    with time_machine.travel(later), pytest.raises(services.GuardFailed, match=message.strip("“”")):
        services.session_record_outcome(complaint=c, actor=maya, outcome=outcome, **attendance)
    assert snapshot(c) == before


def test_the_attendance_boxes_are_not_marked_optional_and_the_outcome_is_final(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        page = text(client.get(_outcome_url(session)))
    assert "(optional)" not in page.split("Complainants present")[1].split("written agreement")[0]
    assert "This cannot be undone." in page
    # a send-back is not an outcome a mediator records (from a browser walk-through)
    assert "tell the coordinator, who sends the case back to investigation" in page


def test_the_outcome_waits_until_the_session_took_place(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    login(client, maya)
    before = snapshot(c)
    response = client.post(_outcome_url(session), _everyone(c, session), follow=True)
    assert "after the session has taken place" in text(response)
    assert snapshot(c) == before


def test_a_cancelled_session_takes_no_outcome(journey, client, maya, carla):
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    services.session_cancel(complaint=c, actor=carla, reason="Room closed.")
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        response = client.post(_outcome_url(session), _everyone(c, session), follow=True)
    assert "called off" in text(response)


def test_the_sessions_page_issues_the_same_number_of_queries_for_one_or_many_sessions(
    journey, client, maya, django_assert_max_num_queries
):
    login(client, maya)
    mine = MediatorFactory(user=maya)
    counts, day = [], 2
    for extra in [1, 4]:
        for _ in range(extra):
            day += 1
            starts_at = timezone.now() + dt.timedelta(days=day)
            journey.schedule(reach(Status.REFERRED, journey), starts_at=starts_at, mediators=[mine, MediatorFactory()])
        with django_assert_max_num_queries(10 + AUDIT), count_queries() as queries:
            assert client.get(MY_SESSIONS).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _session_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="parley-session"[^>]*id="session-(\d+)"', text(response))]


def test_a_busy_mediator_pages_through_the_sessions_to_come_and_can_open_the_page_of_any(journey, client, maya):
    mine = MediatorFactory(user=maya, monthly_case_limit=50)
    sessions = []
    for day in range(1, 24):  # more than a page
        scheduled = journey.schedule(
            reach(Status.REFERRED, journey),
            starts_at=timezone.now() + dt.timedelta(days=day + 5),
            mediators=[mine, MediatorFactory()],
        )
        sessions.append(MediationSession.objects.get(complaint=scheduled.complaint_id))
    login(client, maya)
    first = client.get(MY_SESSIONS)
    assert _session_ids(first) == [s.pk for s in sessions[:20]]
    next_link = re.search(r'href="([^"]+)" id="next-page"', text(first)).group(1).replace("&amp;", "&")
    assert _session_ids(client.get(next_link)) == [s.pk for s in sessions[20:]]
    # the page that starts with a given session (where its complaint's link leads)
    assert _session_ids(client.get(MY_SESSIONS, {"session": sessions[21].pk}, follow=True))[0] == sessions[21].pk
    # the first session's page is the first page, without a "Previous page" of nothing (a walk-through
    # found one, which said "No session is booked for you")
    response = client.get(MY_SESSIONS, {"session": sessions[0].pk})
    assert response["Location"] == f"{MY_SESSIONS}#session-{sessions[0].pk}"
    assert 'id="previous-page"' not in text(client.get(response["Location"]))
    # someone else's session, or a tampered link: the first page, never an error
    assert client.get(MY_SESSIONS, {"session": "999999"}, follow=True).status_code == 200
    tampered = client.get(MY_SESSIONS, {"after": "garbage"})
    assert tampered.status_code == 200 and "no longer works" in text(tampered)


def test_the_second_mediator_to_send_the_outcome_keeps_what_they_typed(journey, client, maya):
    """From a data-loss review: the co-mediator's answers were thrown away with "already recorded"."""
    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    co = UserFactory(role=Role.MEDIATOR, first_name="Sam", last_name="Okafor")
    second = session.mediators.exclude(user=maya).first()
    second.user = co
    second.save()
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        assert (
            client.post(_outcome_url(session), {**_everyone(c, session), "outcome": "not_resolved"}).status_code == 302
        )
        c.refresh_from_db()
        before = snapshot(c)
        login(client, co)
        response = client.post(_outcome_url(session), _everyone(c, session))  # full agreement, as Sam saw it
    page = text(response)
    assert response.status_code == 200
    assert "This was not saved: the session's outcome is recorded already" in page
    assert re.search(r'value="full_agreement"[^>]*checked', response.content.decode())
    assert 'id="outcome-submit"' not in page
    assert snapshot(c) == before


def test_a_parent_or_guardian_in_the_room_is_marked_present_too(journey, client, maya):
    """From a browser walk-through: the schedule form listed a parent as in the room, and the outcome
    form had no box for them."""
    from parley.cases.models import PartyKind
    from parley.mediation.models import SessionAttendance

    c = reach(Status.SCHEDULED, journey)
    session = _assign(c, maya)
    parent = Party.objects.create(complaint=c, kind=PartyKind.GUARDIAN, first_name="Ivan", last_name="Lopez")
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        page = text(client.get(_outcome_url(session)))
        assert "With the complainant, present" in page and "Ivan Lopez (parent or guardian)" in page
        stranger = client.post(_outcome_url(session), {**_everyone(c, session), "present_companions": ["999999"]})
        assert stranger.status_code == 200 and SessionAttendance.objects.count() == 0
        done = client.post(_outcome_url(session), {**_everyone(c, session), "present_companions": [str(parent.pk)]})
    assert done.status_code == 302
    assert SessionAttendance.objects.get(session=session, party=parent).present is True
