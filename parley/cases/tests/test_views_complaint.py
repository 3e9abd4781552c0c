"""The complaint page: what each role sees and may do, internal notes, the print view, and a query
count that does not grow with the complaint's history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from parley.cases import services
from parley.cases.models import Complaint, Note
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.workflow import Status
from parley.mediation.models import MediationSession
from parley.testing.factories import Journey, receive_complaint
from parley.testing.web import AUDIT, count_queries, login, text


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _page(client, user, complaint, **params):
    login(client, user)
    return client.get(reverse("cases:detail", kwargs={"ref": complaint.reference}), params)


def test_it_shows_parties_officers_allegations_screening_due_dates_and_the_timeline(journey, client, irene):
    c = reach(Status.AWAITING_CHOICE, journey)
    body = text(_page(client, irene, c))
    officer = c.officers.get()
    assert f"Complaint {c.reference}" in body
    assert "Dana Reyes" in body and "(314) 555-0101" in body
    assert officer.display_name in body and "Discourtesy" in body
    assert "Does the complaint allege serious physical injury?" in body
    assert "Explain both processes and record the choice" in body  # a due date
    assert "The officer called me names" in body
    for label in ["Complaint received", "Screened for exclusion factors", "Suitability decided"]:
        assert label in body
    assert "Received → Suitability review" in body
    assert "Ray Donnelly" in body and "Internal Affairs reviewer" in body
    assert "Minor discourtesy." in body  # the reason given


def test_it_offers_intake_the_steps_possible_now_and_nothing_else(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    body = text(_page(client, irene, c))
    assert 'id="action-complaint_screen"' in body
    assert 'id="action-complaint_acknowledge"' in body
    assert 'id="action-complaint_withdraw"' in body
    assert 'id="action-complaint_refer"' not in body
    assert f'hx-get="{reverse("cases:screen", kwargs={"ref": c.reference})}"' in body


def test_the_steps_of_other_roles_are_named_and_the_viewers_own_are_only_buttons(journey, client, irene, ray):
    c = reach(Status.SUITABILITY_REVIEW, journey)
    services.complaint_acknowledge(complaint=c, actor=irene, how="letter")
    for_iad = text(_page(client, ray, c))
    assert 'id="action-complaint_decide_suitability"' in for_iad
    assert 'id="waiting-on"' not in for_iad  # his own step is the button, not repeated below it
    for_intake = " ".join(text(_page(client, irene, c)).split())
    assert "Waiting for others:</strong> Decide on suitability (Internal Affairs reviewer)" in for_intake


def test_it_hides_the_acknowledgement_once_recorded(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    services.complaint_acknowledge(complaint=c, actor=irene, how="letter")
    assert 'id="action-complaint_acknowledge"' not in text(_page(client, irene, c))


def test_it_offers_the_suitability_decision_only_to_the_policys_deciders(journey, client, irene, ray, alma):
    c = reach(Status.SUITABILITY_REVIEW, journey)
    assert 'id="action-complaint_decide_suitability"' in text(_page(client, ray, c))
    assert 'id="action-complaint_decide_suitability"' not in text(_page(client, irene, c))
    assert 'id="action-complaint_decide_suitability"' not in text(_page(client, alma, c))
    assert "Decide on suitability (Internal Affairs reviewer)" in text(_page(client, irene, c))  # who is next


def test_it_offers_one_consent_button_per_officer_still_to_answer(journey, client, ray, irene):
    c = journey.choose(journey.to_awaiting_choice(receive_complaint(irene, officers=2, unidentified=1)))
    first, second = c.officers.exclude(dsn="").order_by("id")
    services.officer_record_consent(complaint=c, actor=ray, officer=first, accepted=True)
    body = text(_page(client, ray, c))
    assert f'id="action-officer_record_consent-{second.pk}"' in body
    assert f'id="action-officer_record_consent-{first.pk}"' not in body
    assert "Cannot be asked (not identified)" in body


def test_it_says_when_the_outcome_can_be_recorded(journey, client, carla):
    c = reach(Status.SCHEDULED, journey)
    body = text(_page(client, carla, c))
    assert 'id="action-session_record_outcome"' not in body
    session = MediationSession.objects.get(complaint=c)
    starts = timezone.localtime(session.starts_at)
    assert (
        f"Record the outcome: possible once the session has started, {starts:%b} {starts.day}, {starts.year} at" in body
    )
    hint = body[body.index("Record the outcome: possible") :].split("</p>")[0]
    assert hint.endswith(".") and not hint.endswith("..")  # "2:30 p.m." brings its own stop
    assert 'id="action-session_cancel"' in body


def test_a_closed_complaint_offers_nothing(journey, client, irene):
    c = reach(Status.DECLINED_BY_COMPLAINANT, journey)
    body = text(_page(client, irene, c))
    # not "closed": for Internal Affairs the full investigation is work still to do
    assert "this complaint goes to Internal Affairs for a full investigation" in body
    assert "This complaint is closed" not in body
    assert 'class="parley-actions"' not in body


def test_the_auditor_reads_it_without_contact_details_and_without_buttons(journey, client, audrey):
    c = reach(Status.AWAITING_CHOICE, journey)
    response = _page(client, audrey, c)
    body = text(response)
    assert response.status_code == 200
    assert "Dana Reyes" in body and "The officer called me names" in body
    assert "(314) 555-0101" not in body
    assert 'class="parley-actions"' not in body
    assert 'id="note-form"' not in body


def test_the_coordinator_sees_a_referred_complaint_but_not_its_screening_answers(journey, client, carla):
    c = reach(Status.REFERRED, journey)
    response = _page(client, carla, c)
    body = text(response)
    assert response.status_code == 200
    assert "(314) 555-0101" in body  # the center contacts the parties
    assert "Does the complaint allege serious physical injury?" not in body
    assert 'id="action-session_schedule"' in body


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.AWAITING_CHOICE, Status.READY_FOR_REFERRAL])
def test_the_coordinator_cannot_find_a_complaint_that_was_never_referred(status, journey, client, carla):
    c = reach(status, journey)
    assert _page(client, carla, c).status_code == 404


def _scheduled_with(journey, user) -> tuple[Complaint, MediationSession]:
    """A scheduled complaint whose session has ``user`` (a mediator's account) on its team."""
    c = reach(Status.SCHEDULED, journey)
    session = MediationSession.objects.get(complaint=c)
    mediator = session.mediators.first()
    mediator.user = user
    mediator.save()
    return c, session


def test_a_mediator_is_sent_from_a_complaint_of_their_session_to_their_sessions(journey, client, maya):
    c, session = _scheduled_with(journey, maya)
    response = _page(client, maya, c)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mediation:my_sessions')}?session={session.pk}#session-{session.pk}"
    # which opens the page of their sessions that starts with this one
    response = client.get(response["Location"], follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0].endswith(f"#session-{session.pk}")
    assert f'id="session-{session.pk}"' in text(response)


def test_a_mediator_cannot_find_a_complaint_of_someone_elses_session(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    assert _page(client, maya, c).status_code == 404
    assert _page(client, maya, reach(Status.RECEIVED, journey)).status_code == 404


def test_a_mediator_taken_off_the_team_cannot_open_the_new_sessions_outcome_form(journey, client, maya):
    c, _ = _scheduled_with(journey, maya)
    url = reverse("cases:outcome", kwargs={"ref": c.reference})
    login(client, maya)
    assert client.get(url).status_code == 302  # a session they are on: to their own page of it
    c = services.session_cancel(complaint=c, actor=journey.coordinator, reason="Venue flooded.")
    journey.schedule(c)  # booked again, with two other mediators
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(url, **headers)
        assert response.status_code == 404
        # nothing of the new session: not its date, not who takes part, not the complaint's status
        assert "Dana Reyes" not in text(response) and "Scheduled" not in text(response)
    before = snapshot(c)
    assert client.post(url, {"outcome": "resolved"}).status_code == 404
    assert snapshot(c) == before


def test_an_unknown_reference_is_not_found_and_the_primary_key_works_too(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    assert client.get(reverse("cases:detail", kwargs={"ref": "1999-9999"})).status_code == 404
    assert client.get(reverse("cases:detail", kwargs={"ref": str(c.pk)})).status_code == 200


@pytest.mark.parametrize("ref", ["²", "full-width key", "a\x00b", "\x00", "\x1b"])
def test_a_reference_no_complaint_can_have_is_not_found_on_every_page_of_it(ref, journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    # the complaint's own key in full-width digits (str.isdigit() says digits, int() reads them) must not open it
    ref = {"full-width key": str(c.pk).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})}.get(ref, ref)
    login(client, irene)
    for name in ("detail", "acknowledge", "screen", "choice"):
        url = reverse(f"cases:{name}", kwargs={"ref": ref})
        assert client.get(url).status_code == 404, (name, ref)
    before = snapshot(c)
    assert client.post(reverse("cases:acknowledge", kwargs={"ref": ref}), {"how": "letter"}).status_code == 404
    assert client.post(reverse("cases:note_create", kwargs={"ref": ref}), {"body": "Call back."}).status_code == 404
    assert snapshot(c) == before and not Note.objects.exists()


def test_the_print_view_has_the_record_without_navigation_buttons_or_notes(journey, client, irene):
    c = reach(Status.AWAITING_CHOICE, journey)
    Note.objects.create(complaint=c, author=irene, organisation="oversight", body="Call back after 5pm.")
    body = text(_page(client, irene, c, print="1"))
    assert f"Complaint {c.reference}" in body
    assert "Suitability decided" in body and "Dana Reyes" in body
    assert "Sign out" not in body
    assert 'id="action-' not in body
    assert "Call back after 5pm." not in body
    assert "@media print" not in body  # the print stylesheet is in parley.css


# --- Internal notes


def _add_note(client, user, complaint, body: str, **kw):
    login(client, user)
    return client.post(reverse("cases:note_create", kwargs={"ref": complaint.reference}), {"body": body}, **kw)


def test_a_note_is_saved_with_its_author_and_the_authors_organisation(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    response = _add_note(client, irene, c, "Prefers calls after 5pm.", follow=True)
    note = Note.objects.get(complaint=c)
    assert (note.author, note.organisation, note.body) == (irene, "oversight", "Prefers calls after 5pm.")
    page = text(response)
    assert "Prefers calls after 5pm." in page
    # said in the notes section, where the page opens (#notes), not at its top out of view
    assert page.count("The note is saved.") == 1
    assert page.index('id="notes"') < page.index('id="notes-messages"') < page.index("The note is saved.")
    assert 'id="messages"' not in page


def test_a_note_refused_says_so_in_the_notes_section(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    page = text(_add_note(client, irene, c, "   "))
    assert page.index('id="notes"') < page.index("The note was not saved.")
    assert page.count("The note was not saved.") == 1
    assert not Note.objects.exists()


def test_notes_are_read_only_inside_the_authors_organisation(journey, client, irene, ray, alma, carla, audrey):
    c = reach(Status.REFERRED, journey)
    _add_note(client, irene, c, "Oversight only.")
    _add_note(client, ray, c, "Police only.")
    _add_note(client, carla, c, "Center only.")
    seen = {u.username: text(_page(client, u, c)) for u in [irene, ray, alma, carla, audrey]}
    assert "Oversight only." in seen["alma"] and "Oversight only." in seen["audrey"]
    assert "Police only." not in seen["alma"] and "Center only." not in seen["irene"]
    assert "Oversight only." not in seen["ray"] and "Center only." not in seen["ray"]
    assert "Center only." in seen["carla"] and "Oversight only." not in seen["carla"]


def test_adding_a_note_is_post_only(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    assert client.get(reverse("cases:note_create", kwargs={"ref": c.reference})).status_code == 405


@pytest.mark.parametrize("persona", ["audrey", "maya"])
def test_auditors_and_mediators_cannot_add_notes(persona, journey, client, request):
    c = reach(Status.RECEIVED, journey)
    assert _add_note(client, request.getfixturevalue(persona), c, "Hello").status_code == 403
    assert not Note.objects.exists()


def test_an_empty_note_is_not_saved_and_the_page_says_why(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    before = snapshot(c)
    response = _add_note(client, irene, c, "   ")
    assert response.status_code == 200
    assert "Write the note before saving it." in text(response)
    assert not Note.objects.exists()
    assert snapshot(c) == before


# --- Queries


def _busy_complaint(journey: Journey, irene):
    """Four officers (one unidentified), three sessions booked and two cancelled, and notes."""
    c = journey.to_referred(receive_complaint(irene, officers=3, unidentified=1, allegations=("discourtesy", "other")))
    for _ in range(2):
        journey.schedule(c)
        services.session_cancel(complaint=c, actor=journey.coordinator, reason="The room flooded.")
    journey.schedule(c)
    for i in range(5):
        Note.objects.create(complaint=c, author=irene, organisation="oversight", body=f"Note {i}")
    return c


def test_the_complaint_page_issues_the_same_number_of_queries_however_long_its_history(
    journey, client, irene, django_assert_max_num_queries
):
    small = reach(Status.SCHEDULED, journey)  # one officer, one session, no notes
    big = _busy_complaint(journey, irene)
    assert big.events.count() > small.events.count() + 5
    login(client, irene)
    counts = []
    for c in [small, big]:
        # 15: the page itself (its relations, its policy and who took it in: ten reads on SQLite, one round
        # trip on PostgreSQL), plus one query for the session's authenticator device (django-otp)
        with django_assert_max_num_queries(15 + AUDIT), count_queries() as queries:
            assert client.get(reverse("cases:detail", kwargs={"ref": c.reference})).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_coordinators_page_of_a_busy_complaint_stays_within_the_same_bound(
    journey, client, irene, carla, django_assert_max_num_queries
):
    big = _busy_complaint(journey, irene)
    login(client, carla)
    with django_assert_max_num_queries(16 + AUDIT):  # as above, and the sessions' exit surveys (only its roles)
        assert client.get(reverse("cases:detail", kwargs={"ref": big.reference})).status_code == 200


def test_days_in_the_current_step_are_shown(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    type(c).objects.filter(pk=c.pk).update(status_changed_at=c.status_changed_at - dt.timedelta(days=4))
    assert "4 days in this step" in text(_page(client, irene, c))


def test_the_screening_note_stays_on_the_investigation_side_of_the_timeline(journey, client, irene, ray, carla):
    c = reach(Status.RECEIVED, journey)
    answers = {f.code: False for f in c.policy.exclusion_factors.all()}
    services.complaint_screen(complaint=c, actor=irene, answers=answers, note="Lawyer mentioned a possible suit.")
    services.complaint_decide_suitability(complaint=c, actor=ray, appropriate=True, reason="Fine.")
    c = journey.choose(c)
    for officer in c.officers.exclude(dsn=""):
        services.officer_record_consent(complaint=c, actor=irene, officer=officer, accepted=True)
    services.complaint_refer(complaint=c, actor=irene)
    assert "Lawyer mentioned a possible suit." in text(_page(client, irene, c))
    coordinator_view = text(_page(client, carla, c))
    assert "Screened for exclusion factors" in coordinator_view
    assert "Lawyer mentioned a possible suit." not in coordinator_view


def test_a_note_sent_twice_is_saved_once(journey, client, irene):
    """From a data-loss review: a double click saved two notes."""
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    url = reverse("cases:note_create", kwargs={"ref": c.reference})
    assert client.post(url, {"body": "Left a voicemail."}).status_code == 302
    response = client.post(url, {"body": "Left a voicemail."}, follow=True)
    assert "This note was sent twice; it is saved once." in text(response)
    assert Note.objects.filter(complaint=c).count() == 1
    assert client.post(url, {"body": "Called again: no answer."}).status_code == 302  # another note is another
    assert Note.objects.filter(complaint=c).count() == 2
