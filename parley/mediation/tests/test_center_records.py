"""What the mediation center keeps beside the workflow: scheduling notes, written agreements and exit
surveys. Services refuse bad input and the wrong people; the pages work four ways (works; wrong
method; wrong role; invalid input changes nothing and says why)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from parley.accounts.roles import Role
from parley.cases import services
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.workflow import GuardFailed, RoleNotAllowed, Status
from parley.conftest import use_preset
from parley.mediation import services as center
from parley.mediation.models import Agreement, MediationSession, SessionOutcome, SurveyResponse
from parley.testing.factories import Journey, MediatorFactory, UserFactory, VenueFactory, receive_complaint
from parley.testing.web import login, text


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _scheduled(journey, maya=None) -> MediationSession:
    c = reach(Status.SCHEDULED, journey)
    session = MediationSession.objects.get(complaint=c)
    if maya is not None:
        mediator = session.mediators.first()
        mediator.user = maya
        mediator.save()
    return session


def _held(journey, outcome=SessionOutcome.NOT_RESOLVED) -> MediationSession:
    session = _scheduled(journey)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        journey.hold(session.complaint, session, outcome=outcome)
    session.refresh_from_db()
    return session


# --- scheduling notes -------------------------------------------------------------------------------


def test_the_coordinator_and_the_sessions_mediator_keep_scheduling_notes(journey, carla, maya):
    session = _scheduled(journey, maya)
    center.session_update_scheduling_notes(session=session, actor=carla, notes="  Evenings only.  ")
    center.session_update_scheduling_notes(session=session, actor=maya, notes="Evenings only; bus 70.")
    session.refresh_from_db()
    assert session.scheduling_notes == "Evenings only; bus 70."


def test_notes_someone_saved_meanwhile_are_not_overwritten_without_a_word(journey, client, carla, maya):
    """From a data-loss review: the coordinator and a mediator edited at once, and the first one's notes
    vanished while both were told they were saved."""
    session = _scheduled(journey, maya)
    center.session_update_scheduling_notes(session=session, actor=carla, notes="Evenings only.")
    url = reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})
    login(client, carla)
    page = client.get(url).content.decode()
    was = re.search(r'name="was" value="([0-9a-f]+)"', page).group(1)
    center.session_update_scheduling_notes(session=session, actor=maya, notes="Evenings only; bus 70 stops nearby.")
    response = client.post(url, {"notes": "Evenings only; needs a ramp.", "was": was})
    assert response.status_code == 200
    body = text(response)
    assert "Someone changed these notes since you opened them" in body
    assert "Evenings only; bus 70 stops nearby." in body and "Evenings only; needs a ramp." in body  # both
    session.refresh_from_db()
    assert session.scheduling_notes == "Evenings only; bus 70 stops nearby."
    was = re.search(r'name="was" value="([0-9a-f]+)"', response.content.decode()).group(1)
    combined = "Evenings only; bus 70 stops nearby; needs a ramp."
    assert client.post(url, {"notes": combined, "was": was}).status_code == 302  # having seen theirs
    session.refresh_from_db()
    assert session.scheduling_notes == combined


@pytest.mark.parametrize("who", ["irene", "ray", "alma", "audrey"])
def test_nobody_outside_the_center_can_write_scheduling_notes(journey, request, who):
    session = _scheduled(journey)
    with pytest.raises(RoleNotAllowed):
        center.session_update_scheduling_notes(session=session, actor=request.getfixturevalue(who), notes="x")


def test_a_mediator_not_on_the_team_cannot_write_its_notes(journey, maya):
    session = _scheduled(journey)  # maya is not on it
    with pytest.raises(RoleNotAllowed):
        center.session_update_scheduling_notes(session=session, actor=maya, notes="x")


def test_the_notes_page_works_for_the_coordinator(journey, client, carla):
    session = _scheduled(journey)
    url = reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})
    login(client, carla)
    assert "Scheduling notes" in text(client.get(url))
    response = client.post(url, {"notes": "Call after 4 pm."})
    assert response.status_code == 302 and response.url.endswith("#sessions")
    session.refresh_from_db()
    assert session.scheduling_notes == "Call after 4 pm."


def test_the_notes_page_refuses_other_methods(journey, client, carla):
    session = _scheduled(journey)
    url = reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})
    login(client, carla)
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_the_notes_page_is_closed_to_other_roles_and_other_mediators(journey, client, ray, maya):
    session = _scheduled(journey)
    url = reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})
    login(client, ray)
    assert client.post(url, {"notes": "x"}).status_code == 403
    client.logout()
    login(client, maya)  # a mediator, but not on this session
    assert client.post(url, {"notes": "x"}).status_code == 404
    session.refresh_from_db()
    assert session.scheduling_notes == ""


def test_notes_too_long_change_nothing_and_say_why(journey, client, carla):
    session = _scheduled(journey)
    center.session_update_scheduling_notes(session=session, actor=carla, notes="Keep me.")
    login(client, carla)
    response = client.post(reverse("mediation:scheduling_notes", kwargs={"pk": session.pk}), {"notes": "x" * 5000})
    assert response.status_code == 200
    assert "Nothing was saved" in text(response) and "at most 4000 characters" in text(response)
    session.refresh_from_db()
    assert session.scheduling_notes == "Keep me."


def test_scheduling_notes_can_be_given_when_booking(journey, client, carla):
    c = reach(Status.REFERRED, journey)
    session = journey.schedule(c)
    assert session.scheduling_notes == ""
    c2 = reach(Status.REFERRED, journey)
    s2 = services.session_schedule(
        complaint=c2,
        actor=carla,
        starts_at=session.starts_at + dt.timedelta(days=1),
        mediators=list(session.mediators.all()),
        venue=session.venue,
        scheduling_notes=" Officer prefers mornings. ",
    )
    assert s2.scheduling_notes == "Officer prefers mornings."
    assert "Officer prefers mornings" not in str(c2.events.last().data)


# --- written agreements -------------------------------------------------------------------------------


def test_a_signed_agreement_is_kept_non_public_unless_the_parties_agreed(journey):
    use_preset("dc-opc")
    session = _scheduled(journey)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        c = journey.hold(session.complaint, session, agreement_signed=True, agreement_terms="An apology.")
    assert c.status == Status.MEDIATED
    agreement = Agreement.objects.get(session=session)
    assert (agreement.terms, agreement.public, agreement.recorded_by) == ("An apology.", False, journey.coordinator)


@pytest.mark.parametrize(
    ("outcome", "kw", "message"),
    [
        (SessionOutcome.NOT_RESOLVED, {"agreement_signed": True, "agreement_terms": "x"}, "ended in an agreement"),
        (SessionOutcome.FULL_AGREEMENT, {"agreement_terms": "x"}, "not marked as signed"),
    ],
)
def test_terms_that_do_not_fit_the_outcome_change_nothing(journey, outcome, kw, message):
    use_preset("dc-opc")
    session = _scheduled(journey)
    before = snapshot(session.complaint)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)), pytest.raises(GuardFailed, match=message):
        journey.hold(session.complaint, session, outcome=outcome, **kw)
    assert snapshot(session.complaint) == before
    assert not Agreement.objects.exists()


def test_a_program_without_written_agreements_refuses_terms(journey):
    session = _scheduled(journey)  # St. Louis: no written agreement
    with (
        time_machine.travel(session.starts_at + dt.timedelta(hours=3)),
        pytest.raises(GuardFailed, match="does not use written agreements"),
    ):
        journey.hold(session.complaint, session, agreement_signed=True, agreement_terms="x")


def test_the_outcome_form_asks_for_the_terms_where_the_policy_requires_them(journey, client, carla):
    use_preset("dc-opc")
    session = _scheduled(journey)
    c = session.complaint
    parties, officers, mediators = services.required_attendees(c, session)
    form = {
        "outcome": SessionOutcome.FULL_AGREEMENT,
        "present_parties": [str(p) for p in parties],
        "present_officers": [str(o) for o in officers],
        "present_mediators": [str(m) for m in mediators],
        "agreement_signed": "on",
    }
    url = reverse("cases:outcome", kwargs={"ref": c.reference})
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        login(client, carla)  # signed in after the session (an earlier sign-in would have expired)
        before = snapshot(c)
        response = client.post(url, form)
        assert "write them as signed" in text(response)
        assert snapshot(c) == before
        response = client.post(url, {**form, "agreement_terms": "The officer apologised.", "agreement_public": "on"})
        assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == Status.MEDIATED
    assert Agreement.objects.get(session=session).public is True


# --- exit surveys -------------------------------------------------------------------------------------


def test_the_coordinator_enters_a_paper_survey_with_its_blanks(journey, carla):
    session = _held(journey)
    response = center.survey_record(
        session=session,
        actor=carla,
        respondent="officer",
        answers={"listened": "agree", "satisfied": "", "resolution": "disagree"},
        comment=" Too long a wait. ",
    )
    assert response.answers == {"listened": "agree", "resolution": "disagree"}
    assert response.comment == "Too long a wait." and response.entered_by == carla
    assert response.tally() == "Agree 1, Disagree 1, No opinion 0, 11 left blank"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"respondent": "witness", "answers": {"listened": "agree"}}, "whose survey"),
        ({"respondent": "complainant", "answers": {"no_such_statement": "agree"}}, "no statement"),
        ({"respondent": "complainant", "answers": {"listened": "maybe"}}, "agree, disagree or no opinion"),
        ({"respondent": "complainant", "answers": {}}, "The survey is empty"),
    ],
)
def test_a_survey_with_bad_answers_is_refused(journey, carla, kw, message):
    session = _held(journey)
    with pytest.raises(GuardFailed, match=message):
        center.survey_record(session=session, actor=carla, **kw)
    assert not SurveyResponse.objects.exists()


def test_surveys_are_only_for_held_sessions_and_only_entered_by_the_coordinator(journey, carla, ray, maya):
    scheduled = _scheduled(journey)
    with pytest.raises(GuardFailed, match="sessions that were held"):
        center.survey_record(session=scheduled, actor=carla, respondent="complainant", answers={"listened": "agree"})
    held = _held(journey)
    for outsider in (ray, maya):
        with pytest.raises(RoleNotAllowed):
            center.survey_record(session=held, actor=outsider, respondent="complainant", answers={"listened": "agree"})
    assert not SurveyResponse.objects.exists()


def test_the_survey_page_works_for_the_coordinator_and_switches_sides(journey, client, carla):
    session = _held(journey)
    url = reverse("mediation:survey", kwargs={"pk": session.pk})
    login(client, carla)
    page = text(client.get(url))
    assert "I would recommend mediation to other civilian complainants." in page
    officer_page = text(client.get(url + "?respondent=officer"))
    assert "I would recommend mediation to other officers." in officer_page
    response = client.post(url, {"respondent": "officer", "s_recommend": "agree", "s_listened": "no_opinion"})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().answers == {"recommend": "agree", "listened": "no_opinion"}
    page = text(client.get(reverse("cases:detail", kwargs={"ref": session.complaint.reference})))
    assert "Officer: Agree 1, Disagree 0, No opinion 1" in page


def test_a_paper_survey_entered_twice_is_refused_beyond_the_people_who_took_part(journey, client, carla):
    """From two reviews: the same paper form saved, then saved again after Back, counted twice in the
    program's figures. Each participant fills in one survey."""
    session = _held(journey)
    complainants = session.attendance.filter(party__isnull=False, present=True).count()
    assert complainants >= 1
    url = reverse("mediation:survey", kwargs={"pk": session.pk})
    login(client, carla)
    form = {"respondent": "complainant", "s_listened": "agree", "comment": "Kind mediators."}
    for _ in range(complainants):
        assert client.post(url, form).status_code == 302
    response = client.post(url, form)
    assert response.status_code == 200
    assert f"an exit survey from every complainant who took part ({complainants}) already" in text(response)
    assert "Kind mediators." in text(response)  # what was typed stays in the form
    assert SurveyResponse.objects.filter(respondent="complainant").count() == complainants
    assert client.post(url, {"respondent": "officer", "s_listened": "agree"}).status_code == 302  # the other side


def test_the_same_survey_form_sent_twice_is_saved_once_where_another_officer_could_still_answer(
    policy, irene, ray, carla, client
):
    """From a replay review: with two officers in the room, a double click (or Back and save again) on
    one officer's survey passed the count of the people who took part, and the figures counted it twice."""
    journey = Journey(intake=irene, iad=ray, coordinator=carla)
    c = journey.to_referred(receive_complaint(irene, officers=2))
    session = journey.schedule(c)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        journey.hold(c, session, SessionOutcome.NOT_RESOLVED)
    url = reverse("mediation:survey", kwargs={"pk": session.pk})
    login(client, carla)

    def token() -> str:
        page = client.get(url + "?respondent=officer").content.decode()
        return re.search(r'name="submission" value="([0-9a-f-]+)"', page).group(1)

    form = {"respondent": "officer", "s_listened": "agree", "comment": "Fair process.", "submission": token()}
    assert client.post(url, form).status_code == 302
    again = client.post(url, form, follow=True)
    assert "This survey was sent twice; it is saved once." in text(again)
    assert SurveyResponse.objects.filter(session=session, respondent="officer").count() == 1
    second = {**form, "comment": "Took too long.", "submission": token()}  # the other officer's, on a new form
    assert client.post(url, second).status_code == 302
    assert SurveyResponse.objects.filter(session=session, respondent="officer").count() == 2


def test_the_survey_page_refuses_other_methods_and_roles(journey, client, carla, irene, maya):
    session = _held(journey)
    url = reverse("mediation:survey", kwargs={"pk": session.pk})
    login(client, carla)
    assert client.put(url).status_code == 405
    client.logout()
    for outsider in (irene, maya):
        login(client, outsider)
        assert client.post(url, {"respondent": "complainant", "s_listened": "agree"}).status_code == 403
        client.logout()
    assert not SurveyResponse.objects.exists()


def test_an_empty_or_forged_survey_changes_nothing_and_says_why(journey, client, carla):
    session = _held(journey)
    url = reverse("mediation:survey", kwargs={"pk": session.pk})
    login(client, carla)
    empty = client.post(url, {"respondent": "complainant"})
    assert empty.status_code == 200 and "The survey is empty" in text(empty)
    forged = client.post(url, {"respondent": "complainant", "s_listened": "strongly"})
    assert forged.status_code == 200 and "Nothing was saved" in text(forged)
    assert text(forged).count('role="alert"') == 1  # one error summary, not a message above it as well
    assert not SurveyResponse.objects.exists()


def test_a_survey_for_a_session_not_held_sends_the_coordinator_back(journey, client, carla):
    session = _scheduled(journey)
    login(client, carla)
    response = client.get(reverse("mediation:survey", kwargs={"pk": session.pk}), follow=True)
    assert "Exit surveys are for sessions that were held" in text(response)


def test_a_mediator_account_is_needed_for_a_mediators_notes(journey, client):
    other = UserFactory(role=Role.MEDIATOR, username="sam")
    session = _scheduled(journey)
    login(client, other)
    assert client.get(reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})).status_code == 404


def test_retention_removes_the_centers_free_text_too(journey, carla):
    from django.utils import timezone

    from parley.cases.retention import REMOVED, apply_retention
    from parley.policies.models import ProgramPolicy

    policy = use_preset("dc-opc")
    ProgramPolicy.objects.filter(pk=policy.pk).update(retention_years=5)
    with time_machine.travel(timezone.now() - dt.timedelta(days=365 * 6)):
        session = _scheduled(journey)
        center.session_update_scheduling_notes(session=session, actor=carla, notes="Evenings only.")
        with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
            journey.hold(session.complaint, session, agreement_signed=True, agreement_terms="An apology.")
        session.refresh_from_db()
        center.survey_record(session=session, actor=carla, respondent="complainant", answers={}, comment="Thanks.")
    assert apply_retention().complaints == [session.complaint.reference]
    session.refresh_from_db()
    assert session.scheduling_notes == REMOVED
    assert Agreement.objects.get(session=session).terms == REMOVED
    survey = SurveyResponse.objects.get(session=session)
    assert survey.comment == REMOVED and survey.answers == {}  # the answers are not personal data: kept for figures


def test_key_rotation_keeps_every_agreement_readable(journey, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from parley.crypto import encrypted_tables

    assert {t.table for t in encrypted_tables()} == {"cases_party", "mediation_agreement"}
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    use_preset("dc-opc")
    session = _scheduled(journey)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        journey.hold(session.complaint, session, agreement_signed=True, agreement_terms="An apology, in writing.")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Agreement.objects.get(session=session).terms == "An apology, in writing."
    assert session.complaint.parties.get().phone == "(314) 555-0101"


def test_terms_with_an_unresolved_outcome_get_a_message_not_an_error_page(journey, client, carla):
    use_preset("dc-opc")
    session = _scheduled(journey)
    c = session.complaint
    parties, officers, mediators = services.required_attendees(c, session)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        login(client, carla)
        before = snapshot(c)
        response = client.post(
            reverse("cases:outcome", kwargs={"ref": c.reference}),
            {
                "outcome": SessionOutcome.NOT_RESOLVED,
                "present_parties": [str(p) for p in parties],
                "present_officers": [str(o) for o in officers],
                "present_mediators": [str(m) for m in mediators],
                "agreement_terms": "An apology.",
                "agreement_public": "on",
            },
        )
    assert response.status_code == 200
    assert "An agreement goes only with a session that ended in an agreement" in text(response)
    assert snapshot(c) == before and not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"agreement_signed": True, "agreement_terms": ""}, "keeps the terms of every signed agreement"),
        ({"agreement_signed": True, "agreement_terms": "x" * 4001}, "under 4000 characters"),
        ({"agreement_signed": True, "agreement_public": True, "agreement_terms": " "}, "may be made public"),
    ],
)
def test_the_service_keeps_the_agreement_rules_whatever_calls_it(journey, kw, message):
    use_preset("dc-opc")
    session = _scheduled(journey)
    before = snapshot(session.complaint)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)), pytest.raises(GuardFailed, match=message):
        services.session_record_outcome(
            complaint=session.complaint,
            actor=journey.coordinator,
            outcome=SessionOutcome.FULL_AGREEMENT,
            **journey.everyone(session.complaint, session),
            **kw,
        )
    assert snapshot(session.complaint) == before


def test_booking_refuses_scheduling_notes_too_long(journey, carla):
    c = reach(Status.REFERRED, journey)
    session = journey.schedule(reach(Status.REFERRED, journey))
    with pytest.raises(GuardFailed, match="under 4000 characters"):
        services.session_schedule(
            complaint=c,
            actor=carla,
            starts_at=session.starts_at + dt.timedelta(days=1),
            mediators=list(session.mediators.all()),
            venue=session.venue,
            scheduling_notes="x" * 4001,
        )
    assert not MediationSession.objects.filter(complaint=c).exists()


def test_nothing_can_be_added_to_an_anonymised_complaints_sessions(journey, carla):
    from django.utils import timezone

    session = _held(journey)
    type(session.complaint).objects.filter(pk=session.complaint_id).update(anonymised_at=timezone.now())
    session = MediationSession.objects.select_related("complaint").get(pk=session.pk)
    with pytest.raises(GuardFailed, match="retention policy"):
        center.session_update_scheduling_notes(session=session, actor=carla, notes="Call Dana on 314-555-0101")
    with pytest.raises(GuardFailed, match="retention policy"):
        center.survey_record(session=session, actor=carla, respondent="complainant", answers={"listened": "agree"})
    session.refresh_from_db()
    assert session.scheduling_notes == "" and not SurveyResponse.objects.exists()


def test_a_forged_respondent_is_a_problem_of_the_whole_form(journey, client, carla):
    session = _held(journey)
    login(client, carla)
    response = client.post(reverse("mediation:survey", kwargs={"pk": session.pk}), {"respondent": "witness"})
    assert response.status_code == 200
    body = text(response)
    assert "Say whose survey this is." in body and 'href="#id_respondent"' not in body
    assert not SurveyResponse.objects.exists()


# --- the room: access and size (SCHEDULING.md's hard rules) ----------------------------------------


def _book(journey, c, venue, mediators=None):
    policy = c.policy
    mediators = mediators or [MediatorFactory() for _ in range(policy.mediators_per_session)]
    starts_at = timezone.now() + dt.timedelta(days=(policy.mediator_notice_days or 0) + 2)
    return services.session_schedule(
        complaint=c, actor=journey.coordinator, starts_at=starts_at, mediators=mediators, venue=venue
    )


def test_a_person_with_an_access_need_is_not_booked_into_a_venue_that_is_not_step_free(journey):
    """From a browser walk-through: a complainant who uses a wheelchair was booked into a library that
    is not step-free."""
    c = reach(Status.REFERRED, journey)
    person = c.parties.filter(kind="complainant").first()
    person.accessibility_needs = "Large print"  # a need no venue decides: not what refuses the venue
    person.save()
    _book(journey, c, VenueFactory(accessible=False))  # booked; then called off, to try again
    c = services.session_cancel(complaint=c, actor=journey.coordinator, reason="Try again.")
    person.needs_step_free = True
    person.save()
    before = snapshot(c)
    with pytest.raises(GuardFailed, match=f"is not step-free, and {person.display_name} needs step-free access"):
        _book(journey, c, VenueFactory(accessible=False))
    assert snapshot(c) == before
    _book(journey, c, VenueFactory(is_video=True, accessible=False))  # a video session needs no steps
    assert MediationSession.objects.filter(complaint=c, status="scheduled").count() == 1


def test_everyone_in_the_room_fits_the_venue(journey):
    c = reach(Status.REFERRED, journey)
    with pytest.raises(GuardFailed, match=r"holds 2 people; \d+ will be in the room"):
        _book(journey, c, VenueFactory(capacity=2))
    _book(journey, c, VenueFactory(capacity=12))


def test_every_problem_of_a_booking_is_named_at_once(journey):
    """From a browser walk-through: with both mediators double-booked, only the first was named."""
    c = reach(Status.REFERRED, journey)
    team = [MediatorFactory(active=False) for _ in range(c.policy.mediators_per_session)]
    with pytest.raises(GuardFailed) as refused:
        _book(journey, c, VenueFactory(active=False), mediators=team)
    message = str(refused.value)
    assert all(f"{m} is not an active mediator." in message for m in team)
    assert "is not an active venue." in message


def test_a_mediator_no_longer_changes_the_notes_of_a_session_called_off(journey, client, carla, maya):
    session = _scheduled(journey, maya)
    services.session_cancel(complaint=session.complaint, actor=carla, reason="Room flooded.")
    session.refresh_from_db()
    with pytest.raises(GuardFailed, match="only the coordinator changes its notes"):
        center.session_update_scheduling_notes(session=session, actor=maya, notes="Bus 70.")
    url = reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})
    login(client, maya)
    response = client.post(url, {"notes": "Bus 70."}, follow=True)
    assert "only the coordinator changes its notes now" in text(response)
    session.refresh_from_db()
    assert session.scheduling_notes != "Bus 70."
    center.session_update_scheduling_notes(session=session, actor=carla, notes="Rebook in June.")  # the center can


def test_a_mediators_notes_sent_after_the_session_was_called_off_come_back_to_be_copied(journey, client, carla, maya):
    """From a replay review: the notes typed while the coordinator called the session off were dropped
    (a redirect to the sessions page), not given back to pass on."""
    session = _scheduled(journey, maya)
    url = reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})
    login(client, maya)
    was = re.search(r'name="was" value="([0-9a-f]+)"', client.get(url).content.decode()).group(1)
    services.session_cancel(complaint=session.complaint, actor=carla, reason="Room flooded.")
    typed = "Complainant can only do evenings after 6; takes bus 70."
    response = client.post(url, {"notes": typed, "was": was})
    assert response.status_code == 200
    body = text(response)
    assert "only the coordinator changes its notes now" in body and typed in body
    assert 'id="notes-submit"' not in body  # nothing to send: not theirs to change any more
    session.refresh_from_db()
    assert session.scheduling_notes == ""


def test_each_person_in_the_room_speaks_with_the_team_or_an_interpreter_is_booked(journey):
    """SCHEDULING.md's language rule (from a walk-through: nothing checked it)."""
    c = reach(Status.REFERRED, journey)
    person = c.parties.filter(kind="complainant").first()
    person.preferred_language = "es"
    person.save()
    english = [MediatorFactory(languages=["en"]) for _ in range(c.policy.mediators_per_session)]
    before = snapshot(c)
    with pytest.raises(
        GuardFailed, match=rf"Nobody on the team speaks the language of {person.display_name} \(Spanish\)"
    ):
        _book(journey, c, VenueFactory(), mediators=english)
    assert snapshot(c) == before
    starts_at = timezone.now() + dt.timedelta(days=(c.policy.mediator_notice_days or 0) + 2)
    session = services.session_schedule(
        complaint=c,
        actor=journey.coordinator,
        starts_at=starts_at,
        mediators=english,
        venue=VenueFactory(),
        interpreter_booked=True,
    )
    assert session.interpreter_booked is True
    c = services.session_cancel(complaint=c, actor=journey.coordinator, reason="Try with a Spanish speaker.")
    spanish = [MediatorFactory(languages=["en", "es"]), *english[1:]]
    assert _book(journey, c, VenueFactory(), mediators=spanish).interpreter_booked is False
