"""The confidentiality wall, from the other side: for every role, the pages and downloads that must not
show mediation content do not contain it, while they do show that a mediation happened and its outcome.

Mediation content here: the terms of a non-public written agreement, the mediators' scheduling notes,
and exit survey answers. Each carries a marker string that must appear nowhere outside the center.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from parley.accounts.roles import Role
from parley.audit.models import AuditEntry
from parley.cases import services as case_services
from parley.cases.models import ComplaintEvent
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.conftest import use_preset
from parley.mediation import services as mediation_services
from parley.mediation.models import Agreement, MediationSession, Respondent, SurveyResponse
from parley.testing.factories import Journey, UserFactory
from parley.testing.web import login, text

TERMS = "WALL-TERMS: the officer will visit the Tower Grove neighborhood association"
NOTES = "WALL-NOTES: complainant only free after 5 pm"
SURVEY = "WALL-SURVEY: the mediators were patient"
MARKERS = ("WALL-TERMS", "WALL-NOTES", "WALL-SURVEY")


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    use_preset("dc-opc")  # written agreement required, may be non-public
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _booked_with(journey: Journey, maya) -> MediationSession:
    """A scheduled complaint whose session has ``maya`` on its team, with her scheduling notes."""
    session = MediationSession.objects.get(complaint=reach(Status.SCHEDULED, journey))
    mediator = session.mediators.first()
    mediator.user = maya
    mediator.save()
    mediation_services.session_update_scheduling_notes(session=session, actor=maya, notes=NOTES)
    return session


def _mediated(journey: Journey, maya, *, public: bool = False):
    session = _booked_with(journey, maya)
    c = session.complaint
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        c = journey.hold(c, session, agreement_signed=True, agreement_terms=TERMS, agreement_public=public)
    session.refresh_from_db()
    mediation_services.survey_record(
        session=session,
        actor=journey.coordinator,
        respondent=Respondent.COMPLAINANT,
        answers={"listened": "agree", "satisfied": "agree", "resolution": "no_opinion"},
        comment=SURVEY,
    )
    return c, session


def _pages(complaint) -> dict[str, str]:
    """Every page and download this user may open that concerns the complaint."""
    ref = complaint.reference
    urls = {
        "home": "/",
        "complaint page": reverse("cases:detail", kwargs={"ref": ref}),
        "print view": reverse("cases:detail", kwargs={"ref": ref}) + "?print=1",
        "list": reverse("cases:list") + f"?q={ref}",
        "list CSV": reverse("cases:export") + f"?q={ref}",
        "mediated list": reverse("cases:list") + "?status=mediated",
        "audit": reverse("audit:list"),
        "audit CSV": reverse("audit:export"),
        "my sessions": reverse("mediation:my_sessions"),
    }
    return urls


def _fetch_all(client, user, complaint) -> dict[str, tuple[int, str]]:
    login(client, user)
    out = {}
    for name, url in _pages(complaint).items():
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        out[name] = (response.status_code, body.decode())
    client.logout()
    return out


@pytest.mark.parametrize("who", ["irene", "ray", "alma", "audrey"])
def test_oversight_and_internal_affairs_see_the_outcome_and_none_of_the_mediation_content(
    journey, client, maya, request, who
):
    complaint, _session = _mediated(journey, maya)
    user = request.getfixturevalue(who)
    pages = _fetch_all(client, user, complaint)
    opened = [name for name, (status, _body) in pages.items() if status == 200]
    assert opened, "the role opened no page at all"
    for name, (_status, body) in pages.items():
        for marker in MARKERS:
            assert marker not in body, f"{user.role} sees {marker} on the {name}"
    if user.role != Role.AUDITOR:
        status, page = pages["complaint page"]
        assert status == 200
        assert "Mediated" in page and "Resolved: full agreement" in page  # that it happened, and the outcome
        assert "Its terms are not public" in page
        assert "Exit surveys" not in page and "Scheduling notes" not in page


def test_a_mediator_not_on_the_session_sees_none_of_it(journey, client, maya):
    complaint, _session = _mediated(journey, maya)
    stranger = UserFactory(role=Role.MEDIATOR, username="sam")
    for name, (_status, body) in _fetch_all(client, stranger, complaint).items():
        assert complaint.reference not in body or name == "list", name
        for marker in MARKERS:
            assert marker not in body, f"another mediator sees {marker} on the {name}"


def test_the_mediation_center_reads_its_own_content(journey, client, maya, carla):
    complaint, _session = _mediated(journey, maya)
    pages = _fetch_all(client, carla, complaint)
    status, page = pages["complaint page"]
    assert status == 200
    assert TERMS in page and NOTES in page and SURVEY in page
    assert "Agree 2, Disagree 0, No opinion 1" in page


def test_the_print_view_has_the_centers_records_without_the_links_to_their_forms(journey, client, maya, carla):
    complaint, session = _mediated(journey, maya)
    pages = _fetch_all(client, carla, complaint)
    links = (f'id="edit-scheduling-notes-{session.pk}"', f'id="enter-survey-{session.pk}"')
    assert all(link in pages["complaint page"][1] for link in links)
    status, printed = pages["print view"]
    assert status == 200 and NOTES in printed and SURVEY in printed
    assert not any(link in printed for link in links)


def test_the_assigned_mediator_keeps_the_scheduling_notes_of_an_upcoming_session(journey, client, maya):
    _booked_with(journey, maya)
    login(client, maya)
    assert NOTES in text(client.get(reverse("mediation:my_sessions")))


def test_a_public_agreement_is_readable_by_oversight_and_internal_affairs(journey, client, maya, ray):
    complaint, _session = _mediated(journey, maya, public=True)
    login(client, ray)
    page = text(client.get(reverse("cases:detail", kwargs={"ref": complaint.reference})))
    assert TERMS in page and "Public" in page
    assert NOTES not in page and SURVEY not in page  # the rest stays inside the center


def test_no_mediation_content_reaches_the_event_log_or_the_audit_trail(journey, client, maya, carla):
    complaint, session = _mediated(journey, maya)
    # the coordinator edits the notes and enters a survey through the pages too
    login(client, carla)
    client.post(reverse("mediation:scheduling_notes", kwargs={"pk": session.pk}), {"notes": NOTES + " (again)"})
    client.post(
        reverse("mediation:survey", kwargs={"pk": session.pk}),
        {"respondent": "officer", "s_listened": "agree", "comment": SURVEY},
    )
    assert SurveyResponse.objects.filter(session=session).count() == 2
    for event in ComplaintEvent.objects.filter(complaint=complaint):
        stored = f"{event.reason} {event.data}"
        assert not any(marker in stored for marker in MARKERS), event.action
    for entry in AuditEntry.objects.all():
        assert not any(marker in str(entry.detail) for marker in MARKERS), entry.action
    assert ComplaintEvent.objects.filter(complaint=complaint, action="session_record_outcome").get().data[
        "agreement"
    ] == ("non-public")


def test_the_agreement_terms_are_encrypted_at_rest(journey, maya):
    from django.db import connection

    _complaint, session = _mediated(journey, maya)
    with connection.cursor() as cursor:
        cursor.execute("SELECT terms FROM mediation_agreement WHERE session_id = %s", [session.pk])
        (stored,) = cursor.fetchone()
    assert "WALL-TERMS" not in stored
    assert Agreement.objects.get(session=session).terms == TERMS


@pytest.mark.parametrize(
    ("who", "terms", "notes", "surveys"),
    [
        ("irene", False, False, False),
        ("ray", False, False, False),
        ("audrey", False, False, False),
        ("carla", True, True, True),
        ("maya", True, True, False),
    ],
)
def test_the_wall_is_decided_in_one_place_not_in_the_template(journey, maya, request, who, terms, notes, surveys):
    from parley.accounts.permissions import center_records

    _complaint, session = _mediated(journey, maya)
    records = center_records(request.getfixturevalue(who), session)
    assert (records.agreement_terms == TERMS, records.scheduling_notes == NOTES, records.surveys is not None) == (
        terms,
        notes,
        surveys,
    )


CANCELLED = "WALL-CANCEL: the complainant works nights"
SENT_BACK = "WALL-SEND-BACK: at the session the complainant said the officer would not engage"


@pytest.mark.parametrize("who", ["irene", "ray", "alma", "audrey"])
def test_the_reasons_the_center_wrote_stay_behind_the_wall(journey, client, maya, carla, request, who):
    """Why the center cancelled a session or sent a case back may tell what happened in the room: oversight
    and Internal Affairs see the steps (from a browser walk-through, where the send-back's reason was in the
    timeline Internal Affairs reads); the center reads its reasons."""
    session = _booked_with(journey, maya)
    complaint = session.complaint
    case_services.session_cancel(complaint=complaint, actor=carla, reason=CANCELLED)
    case_services.complaint_send_back_good_faith(complaint=complaint, actor=carla, reason=SENT_BACK)
    user = request.getfixturevalue(who)
    pages = _fetch_all(client, user, complaint)
    for name, (_status, body) in pages.items():
        assert "WALL-CANCEL" not in body and "WALL-SEND-BACK" not in body, f"{user.role} reads it on the {name}"
    if user.role != Role.AUDITOR:
        page = pages["complaint page"][1]
        assert "Session cancelled" in page and "Sent back: no good faith" in page
    center = _fetch_all(client, carla, complaint)["complaint page"][1]
    assert CANCELLED in center and SENT_BACK in center


def test_a_reason_oversight_wrote_is_read_by_everyone_on_the_complaint(journey, client, maya, irene, ray, carla):
    complaint = _booked_with(journey, maya).complaint
    case_services.complaint_send_back_good_faith(
        complaint=complaint, actor=irene, reason="The complainant called: the officer laughed at them."
    )
    for user in (irene, ray, carla):
        page = _fetch_all(client, user, complaint)["complaint page"][1]
        assert "The complainant called: the officer laughed at them." in page, user.role


def test_the_reason_field_says_who_will_read_it(journey, client, maya, irene, carla):
    complaint = _booked_with(journey, maya).complaint
    url = reverse("cases:send_back", kwargs={"ref": complaint.reference})
    login(client, carla)
    assert "Only the mediation center reads this reason" in text(client.get(url))
    login(client, irene)
    assert "Everyone who can open this complaint reads this reason" in text(client.get(url))
