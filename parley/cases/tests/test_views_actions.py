"""Every workflow action's page, four ways: it works; the wrong method is refused; another role gets
403/404; invalid input changes nothing and says why. Plus htmx partials and the stale-page case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from parley.accounts.roles import Role
from parley.cases import services
from parley.cases.deadlines import add_days
from parley.cases.models import Complaint, DeadlineKind, PartyKind
from parley.cases.tests.helpers import corrected_allegations, reach, snapshot
from parley.cases.workflow import Disposition, Status
from parley.mediation.models import MediationSession, SessionOutcome
from parley.testing.factories import Journey, MediatorFactory, UserFactory, VenueFactory
from parley.testing.web import HTMX, login, text


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _no_exclusions(c: Complaint) -> dict[str, str]:
    return {f"factor_{f.code}": "no" for f in c.policy.exclusion_factors.all()}


def _schedule(c: Complaint, *, same_mediator: bool = False) -> dict[str, Any]:
    first, second = MediatorFactory(), MediatorFactory()
    day = timezone.localdate() + dt.timedelta(days=5)
    return {
        "day": day.isoformat(),
        "start": "10:00",
        "duration": "60",
        "venue": str(VenueFactory().pk),
        "mediator_1": str(first.pk),
        "mediator_2": str((first if same_mediator else second).pk),
    }


def _session(c: Complaint) -> MediationSession:
    return MediationSession.objects.filter(complaint=c).order_by("-id").first()


def _everyone(c: Complaint) -> dict[str, Any]:
    parties, officers, mediators = services.required_attendees(c, _session(c))
    return {
        "outcome": SessionOutcome.FULL_AGREEMENT,
        "present_parties": [str(pk) for pk in parties],
        "present_officers": [str(pk) for pk in officers],
        "present_mediators": [str(pk) for pk in mediators],
    }


def _officer(c: Complaint) -> dict[str, Any]:
    return {"ref": c.reference, "officer_pk": c.officers.exclude(dsn="").first().pk}


@dataclass
class ActionCase:
    url: str  # name in the "cases" namespace
    reach: str  # the status the complaint is brought to first
    actor: str  # the persona who may take the action
    valid: Callable[[Complaint], dict[str, Any]]
    becomes: str
    invalid: Callable[[Complaint], dict[str, Any]]
    error: str  # what the page says about the invalid input
    outsider: str  # a persona whose role may not take it
    url_kwargs: Callable[[Complaint], dict[str, Any]] = field(default=lambda c: {"ref": c.reference})
    after_session: bool = False  # the form is used after the session took place


def _corrected_allegations(c: Complaint) -> dict[str, Any]:
    return {"allegations": corrected_allegations(c)[1], "reason": "Taken down wrong at intake."}


CASES: dict[str, ActionCase] = {
    "allegations_correct": ActionCase(
        "allegations_correct",
        Status.RECEIVED,
        "irene",
        _corrected_allegations,
        Status.RECEIVED,
        lambda c: {"allegations": [], "reason": "Taken down wrong at intake."},
        "Choose at least one kind of misconduct.",
        "ray",
        url_kwargs=lambda c: {"ref": c.reference, "officer_pk": c.officers.order_by("id").first().pk},
    ),
    "acknowledge": ActionCase(
        "acknowledge",
        Status.RECEIVED,
        "irene",
        lambda c: {"how": "letter"},
        Status.RECEIVED,
        lambda c: {},
        "Choose how the complainant was told.",
        "ray",
    ),
    "screen": ActionCase(
        "screen",
        Status.RECEIVED,
        "irene",
        _no_exclusions,
        Status.SUITABILITY_REVIEW,
        lambda c: {k: v for k, v in list(_no_exclusions(c).items())[1:]},
        "Answer this question.",
        "ray",
    ),
    "suitability": ActionCase(
        "suitability",
        Status.SUITABILITY_REVIEW,
        "ray",
        lambda c: {"appropriate": "yes", "reason": "Minor discourtesy."},
        Status.AWAITING_CHOICE,
        lambda c: {"appropriate": "no", "reason": ""},
        "Give the reason the complaint is not appropriate for mediation.",
        "irene",  # intake may decide only where the policy makes intake a decider (not St. Louis)
    ),
    "choice": ActionCase(
        "choice",
        Status.AWAITING_CHOICE,
        "irene",
        lambda c: {
            "explained_by": "Irene Ortiz",
            "explained_on": timezone.localdate().isoformat(),
            "explained_how": "phone",
            "choice": "mediation",
        },
        Status.AWAITING_OFFICER_CONSENT,
        lambda c: {
            "explained_by": "Irene Ortiz",
            "explained_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "explained_how": "phone",
            "choice": "mediation",
        },
        "The date cannot be in the future.",
        "ray",
    ),
    "officer_consent": ActionCase(
        "officer_consent",
        Status.AWAITING_OFFICER_CONSENT,
        "ray",
        lambda c: {"accepted": "yes"},
        Status.READY_FOR_REFERRAL,
        lambda c: {"accepted": "maybe"},
        "Select a valid choice.",
        "carla",
        url_kwargs=_officer,
    ),
    "refer": ActionCase(
        "refer",
        Status.READY_FOR_REFERRAL,
        "irene",
        lambda c: {"note": "Both agreed on the phone."},
        Status.REFERRED,
        lambda c: {"note": "x" * 2001},
        "Ensure this value has at most 2000 characters",
        "ray",
    ),
    "schedule_session": ActionCase(
        "schedule_session",
        Status.REFERRED,
        "carla",
        _schedule,
        Status.SCHEDULED,
        lambda c: _schedule(c, same_mediator=True),
        "Choose a different mediator for each place.",
        "irene",
    ),
    "cancel_session": ActionCase(
        "cancel_session",
        Status.SCHEDULED,
        "carla",
        lambda c: {"reason": "The officer is in court that day."},
        Status.REFERRED,
        lambda c: {"reason": "  "},
        "Give the reason.",
        "ray",
    ),
    "outcome": ActionCase(
        "outcome",
        Status.SCHEDULED,
        "carla",
        _everyone,
        Status.MEDIATED,
        lambda c: {**_everyone(c), "outcome": ""},
        "Choose how the session ended.",
        "irene",
        after_session=True,
    ),
    "send_back": ActionCase(
        "send_back",
        Status.REFERRED,
        "carla",
        lambda c: {"reason": "The officer did not listen at all."},
        Status.GOOD_FAITH_SEND_BACK,
        lambda c: {"reason": ""},
        "Give the reason.",
        "ray",
    ),
    "withdraw": ActionCase(
        "withdraw",
        Status.AWAITING_CHOICE,
        "irene",
        lambda c: {"what": "complaint", "reason": "The complainant moved away."},
        Status.WITHDRAWN,
        lambda c: {"reason": "The complainant moved away."},
        "Choose what the complainant withdraws.",
        "audrey",
    ),
}


def _when(case: ActionCase, c: Complaint):
    if case.after_session:
        return time_machine.travel(_session(c).starts_at + dt.timedelta(hours=2))
    return nullcontext()


def _url(case: ActionCase, c: Complaint) -> str:
    return reverse(f"cases:{case.url}", kwargs=case.url_kwargs(c))


@pytest.mark.parametrize("name", CASES)
def test_each_action_works_and_lands_on_the_complaint_page_with_a_message(name, journey, client, request):
    case = CASES[name]
    c = reach(case.reach, journey)
    with _when(case, c):
        login(client, request.getfixturevalue(case.actor))
        response = client.post(_url(case, c), case.valid(c))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"ref": c.reference})
    c.refresh_from_db()
    assert c.status == case.becomes
    last = c.events.order_by("-id").first()
    assert last.actor == request.getfixturevalue(case.actor)
    with _when(case, c):
        page = client.get(response["Location"])
    assert page.status_code == 200
    assert "usa-alert--success" in text(page)


@pytest.mark.parametrize("name", CASES)
def test_each_action_refuses_methods_other_than_get_and_post(name, journey, client, request):
    case = CASES[name]
    c = reach(case.reach, journey)
    before = snapshot(c)
    login(client, request.getfixturevalue(case.actor))
    assert client.get(_url(case, c)).status_code in {200, 302}  # GET shows the form (or says it is too early)
    assert client.put(_url(case, c)).status_code == 405
    assert client.delete(_url(case, c)).status_code == 405
    assert snapshot(c) == before


@pytest.mark.parametrize("name", CASES)
def test_each_action_is_forbidden_to_a_role_that_may_not_take_it(name, journey, client, request):
    case = CASES[name]
    c = reach(case.reach, journey)
    before = snapshot(c)
    with _when(case, c):
        login(client, request.getfixturevalue(case.outsider))
        assert client.get(_url(case, c)).status_code == 403
        assert client.post(_url(case, c), case.valid(c)).status_code == 403
    assert snapshot(c) == before


@pytest.mark.parametrize("name", CASES)
def test_each_action_with_invalid_input_changes_nothing_and_says_what_is_wrong(name, journey, client, request):
    case = CASES[name]
    c = reach(case.reach, journey)
    data = case.invalid(c)
    before = snapshot(c)
    with _when(case, c):
        login(client, request.getfixturevalue(case.actor))
        response = client.post(_url(case, c), data)
    assert response.status_code == 200
    body = text(response)
    assert case.error in body
    assert "Nothing was saved" in body
    assert 'role="alert"' in body  # the USWDS error summary
    assert snapshot(c) == before


@pytest.mark.parametrize("name", CASES)
def test_each_action_form_opens_inline_for_htmx_and_as_a_full_page_without_it(name, journey, client, request):
    case = CASES[name]
    c = reach(case.reach, journey)
    with _when(case, c):
        login(client, request.getfixturevalue(case.actor))
        partial = client.get(_url(case, c), headers=HTMX)
        full = client.get(_url(case, c))
    assert partial.status_code == full.status_code == 200
    assert "<html" not in text(partial)
    assert 'hx-post="' in text(partial)
    assert "<html" in text(full)
    assert "Skip to main content" in text(full)
    assert partial["Vary"] and "HX-Request" in partial["Vary"]


def test_an_action_through_htmx_redirects_the_whole_page_when_done(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    response = client.post(reverse("cases:acknowledge", kwargs={"ref": c.reference}), {"how": "phone"}, headers=HTMX)
    assert response["HX-Redirect"] == reverse("cases:detail", kwargs={"ref": c.reference})
    c.refresh_from_db()
    assert c.acknowledged_at is not None


def test_invalid_input_through_htmx_re_renders_the_form_inline(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    before = snapshot(c)
    response = client.post(reverse("cases:screen", kwargs={"ref": c.reference}), {}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in text(response)
    assert "Answer this question." in text(response)
    assert snapshot(c) == before


@pytest.mark.parametrize("htmx", [False, True])
def test_an_action_someone_else_took_a_moment_ago_keeps_what_was_typed_and_says_who(journey, client, irene, htmx):
    """From a data-loss review: the second person's note was thrown away, and they were not told who acted."""
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    data = {**_no_exclusions(c), "note": "Called the complainant twice; she confirmed no injury."}
    ivy = UserFactory(role=Role.INTAKE, first_name="Ivy", last_name="Chen")
    services.complaint_screen(complaint=c, actor=ivy, answers={k[7:]: False for k in _no_exclusions(c)})
    c.refresh_from_db()
    before = snapshot(c)
    response = client.post(reverse("cases:screen", kwargs={"ref": c.reference}), data, headers=HTMX if htmx else {})
    assert response.status_code == 200
    page = text(response)
    assert ("<html" in page) is not htmx  # the panel, or the form's own page
    assert "This was not saved: the complaint is now 'Suitability review'." in page
    assert "Ivy Chen recorded “Screened for exclusion factors” at" in page
    assert "Called the complainant twice; she confirmed no injury." in page  # still there, to copy
    assert 'id="screen-submit"' not in page and "Back to the complaint" in page  # nothing to send again
    assert snapshot(c) == before


def test_a_form_sent_twice_says_the_first_one_was_saved(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    url = reverse("cases:screen", kwargs={"ref": c.reference})
    assert client.post(url, _no_exclusions(c)).status_code == 302
    page = text(client.post(url, _no_exclusions(c)))  # a double click
    assert "You recorded “Screened for exclusion factors” at" in page and "this form was sent again" in page


def test_a_guard_of_the_workflow_comes_back_as_a_message_next_to_the_form(journey, client, carla):
    c = reach(Status.SCHEDULED, journey)
    session = _session(c)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, carla)
        before = snapshot(c)
        # the mediators were there, a complainant was not: the service's rule, not the form's
        response = client.post(
            reverse("cases:outcome", kwargs={"ref": c.reference}), {**_everyone(c), "present_parties": []}
        )
    assert response.status_code == 200
    assert "every complainant, every participating officer" in text(response)
    assert snapshot(c) == before


def test_the_outcome_cannot_be_recorded_before_the_session(journey, client, carla):
    c = reach(Status.SCHEDULED, journey)
    login(client, carla)
    before = snapshot(c)
    response = client.post(reverse("cases:outcome", kwargs={"ref": c.reference}), _everyone(c), follow=True)
    assert "has not started yet" in text(response)
    assert snapshot(c) == before


def test_withdrawing_only_the_mediation_sends_the_complaint_to_investigation(journey, client, irene):
    c = reach(Status.REFERRED, journey)
    login(client, irene)
    client.post(reverse("cases:withdraw", kwargs={"ref": c.reference}), {"what": "mediation", "reason": "Scared."})
    c.refresh_from_db()
    assert (c.status, c.disposition) == (Status.WITHDRAWN, Disposition.INVESTIGATION)


def test_the_coordinator_cannot_act_on_a_complaint_not_referred_to_the_mediation_center(journey, client, carla):
    c = reach(Status.READY_FOR_REFERRAL, journey)  # the coordinator may withdraw, but not before a referral
    login(client, carla)
    before = snapshot(c)
    url = reverse("cases:withdraw", kwargs={"ref": c.reference})
    assert client.post(url, {"what": "complaint", "reason": "x"}).status_code == 404
    assert snapshot(c) == before


def test_an_auditor_can_take_no_action_at_all(journey, client, audrey):
    c = reach(Status.RECEIVED, journey)
    login(client, audrey)
    for name in ["acknowledge", "screen", "withdraw"]:
        assert client.post(reverse(f"cases:{name}", kwargs={"ref": c.reference}), {}).status_code == 403


def test_a_form_for_an_action_not_possible_now_sends_back_to_the_complaint_page(journey, client, irene):
    c = reach(Status.AWAITING_CHOICE, journey)
    login(client, irene)
    response = client.get(reverse("cases:refer", kwargs={"ref": c.reference}), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:detail", kwargs={"ref": c.reference})
    assert "'Refer to the mediation center' is not possible now" in text(response)


def test_the_officer_must_belong_to_the_complaint(journey, client, irene):
    c = reach(Status.AWAITING_OFFICER_CONSENT, journey)
    other = reach(Status.AWAITING_OFFICER_CONSENT, journey)
    login(client, irene)
    url = reverse("cases:officer_consent", kwargs={"ref": c.reference, "officer_pk": other.officers.first().pk})
    before = snapshot(c)
    assert client.post(url, {"accepted": "yes"}).status_code == 404
    assert snapshot(c) == before


def test_the_screening_form_asks_every_exclusion_factor_of_the_policy_as_yes_no_radios(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    body = text(client.get(reverse("cases:screen", kwargs={"ref": c.reference})))
    for factor in c.policy.exclusion_factors.all():
        assert factor.question in body
        assert f'id="screen_factor_{factor.code}_0"' in body
    assert body.count('type="radio"') == 2 * c.policy.exclusion_factors.count()
    assert body.count("<legend") == c.policy.exclusion_factors.count()


def test_the_schedule_form_asks_for_as_many_mediators_as_the_policy_uses(journey, client, carla):
    c = reach(Status.REFERRED, journey)
    login(client, carla)
    body = text(client.get(reverse("cases:schedule_session", kwargs={"ref": c.reference})))
    assert 'name="mediator_1"' in body and 'name="mediator_2"' in body and 'name="mediator_3"' not in body


def test_the_schedule_form_says_who_will_be_in_the_room_and_by_when(journey, client, carla):
    c = reach(Status.REFERRED, journey)
    complainant = c.parties.get(kind=PartyKind.COMPLAINANT)
    login(client, carla)
    body = text(client.get(reverse("cases:schedule_session", kwargs={"ref": c.reference})))
    assert "2 mediators per session" in body and "mediator(s)" not in body
    due = c.deadlines.get(kind=DeadlineKind.SCHEDULE_SESSION).due_on
    assert f"Hold the first session by {date_format(due, 'M j, Y')}" in body
    people = re.search(r'<ul class="usa-list" id="schedule-people">(.*?)</ul>', body, re.S).group(1)
    assert complainant.display_name in people


def test_the_schedule_form_says_when_the_first_session_is_overdue(journey, client, carla):
    c = reach(Status.REFERRED, journey)
    due = c.deadlines.get(kind=DeadlineKind.SCHEDULE_SESSION).due_on
    login(client, carla)
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=3), dt.time(12)), tick=False):
        login(client, carla)  # a sign-in of its own: the earlier one would have expired by then
        body = text(client.get(reverse("cases:schedule_session", kwargs={"ref": c.reference})))
    assert f"The first session was due by {date_format(due, 'M j, Y')}: that date has passed (overdue)." in body
    assert "Hold the first session by" not in body


def test_a_start_time_already_past_today_is_blamed_on_the_time_not_the_date(journey, client, carla):
    c = reach(Status.REFERRED, journey)
    data = _schedule(c)
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(12)))
    data.update(day=timezone.localdate(noon).isoformat(), start="09:00")  # three hours ago
    before = snapshot(c)
    with time_machine.travel(noon, tick=False):
        login(client, carla)
        response = client.post(reverse("cases:schedule_session", kwargs={"ref": c.reference}), data)
    assert response.status_code == 200
    body = text(response)
    assert "Start time: That time has passed: a session today must start later than now." in body
    assert "Date: The session must start in the future." not in body
    assert snapshot(c) == before


@pytest.mark.parametrize(
    "change, message",
    [
        ({"active": False}, "Pat Lee is no longer an active mediator; choose another."),
        ({"former_law_enforcement": True}, "Pat Lee has worked in law enforcement and cannot mediate police cases"),
    ],
)
def test_a_mediator_taken_off_the_list_while_the_form_was_open_is_named(change, message, journey, client, carla):
    """From a replay review: Django's "Select a valid choice. 12 is not one of the available choices." """
    c = reach(Status.REFERRED, journey)
    data = _schedule(c)
    pat = MediatorFactory(first_name="Pat", last_name="Lee")
    data["mediator_1"] = str(pat.pk)
    url = reverse("cases:schedule_session", kwargs={"ref": c.reference})
    login(client, carla)
    assert "Pat Lee" in text(client.get(url))
    for name, value in change.items():
        setattr(pat, name, value)
    pat.save()
    before = snapshot(c)
    response = client.post(url, data)
    assert response.status_code == 200
    body = text(response)
    assert f"Mediator 1: {message}" in body
    assert "not one of the available choices" not in body
    assert snapshot(c) == before


def test_a_venue_closed_while_the_form_was_open_is_named(journey, client, carla):
    c = reach(Status.REFERRED, journey)
    data = _schedule(c)
    venue = VenueFactory(name="Carpenter Branch")
    data["venue"] = str(venue.pk)
    url = reverse("cases:schedule_session", kwargs={"ref": c.reference})
    login(client, carla)
    client.get(url)
    venue.active = False
    venue.save()
    before = snapshot(c)
    response = client.post(url, data)
    assert response.status_code == 200
    body = text(response)
    assert "Venue: Carpenter Branch is no longer an active venue; choose another." in body
    assert "not one of the available choices" not in body
    assert snapshot(c) == before


def test_a_step_that_cannot_be_undone_says_so_and_the_cancel_form_names_its_session(journey, client, carla):
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    login(client, carla)
    body = text(client.get(reverse("cases:cancel_session", kwargs={"ref": c.reference})))
    assert date_format(timezone.localtime(session.starts_at), "l, M j, Y, P") in body
    assert session.venue.name in body
    assert 'id="action-final"' in body and "usa-button--secondary" in body
    everyday = text(
        client.get(reverse("cases:schedule_session", kwargs={"ref": reach(Status.REFERRED, journey).reference}))
    )
    assert 'id="action-final"' not in everyday and "usa-button--secondary" not in everyday


def test_the_choice_form_shows_whom_to_call_to_those_who_may_see_contact_details(journey, client, irene):
    c = reach(Status.AWAITING_CHOICE, journey)
    complainant = c.parties.get(kind=PartyKind.COMPLAINANT)
    complainant.phone = "(314) 555-0142"
    complainant.save()
    login(client, irene)
    body = text(client.get(reverse("cases:choice", kwargs={"ref": c.reference})))
    contacts = re.search(r'<ul[^>]*id="choice-contacts"[^>]*>(.*?)</ul>', body, re.S).group(1)
    assert complainant.display_name in contacts and "(314) 555-0142" in contacts


def test_the_choice_form_offers_mediation_only_when_it_can_happen_and_says_why_not(journey, client, irene):
    """From a UX review: a complaint whose officers were all only described was offered mediation, and refused
    only once the choice was saved. (Screening now finds such a complaint unsuitable; this one was screened
    before that, or its officer's DSN was taken off after.)"""
    c = reach(Status.AWAITING_CHOICE, journey)
    login(client, irene)
    url = reverse("cases:choice", kwargs={"ref": c.reference})
    assert 'value="mediation"' in text(client.get(url))
    c.officers.update(dsn="")
    body = text(client.get(url))
    assert 'value="mediation"' not in body and 'value="investigation"' in body
    intro = re.search(r'<p id="action-intro">(.*?)</p>', body, re.S).group(1)
    assert "Mediation is not possible for this complaint. No officer is identified" in intro
    before = snapshot(c)
    sent = {"explained_by": "Irene", "explained_on": timezone.localdate().isoformat(), "explained_how": "phone"}
    response = client.post(url, {**sent, "choice": "mediation"})  # a form opened before
    assert response.status_code == 200 and snapshot(c) == before
    assert "Mediation is not possible for this complaint. No officer is identified" in text(response)
    client.post(url, {**sent, "choice": "investigation"})
    c.refresh_from_db()
    assert c.status == Status.DECLINED_BY_COMPLAINANT


def test_anonymous_visitors_are_sent_to_sign_in(journey, client):
    c = reach(Status.RECEIVED, journey)
    response = client.post(reverse("cases:acknowledge", kwargs={"ref": c.reference}), {"how": "letter"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_outcome_form_is_not_shown_before_the_session_starts(journey, client, carla):
    """From a browser walk-through: the form was shown, and refused only once filled in."""
    c = reach(Status.SCHEDULED, journey)
    login(client, carla)
    response = client.get(reverse("cases:outcome", kwargs={"ref": c.reference}), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:detail", kwargs={"ref": c.reference})
    assert "Record the outcome: possible once the session has started" in text(response)
    assert 'id="outcome_outcome"' not in response.content.decode()
    with time_machine.travel(_session(c).starts_at + dt.timedelta(minutes=5)):
        login(client, carla)
        assert client.get(reverse("cases:outcome", kwargs={"ref": c.reference})).status_code == 200


def test_a_mediator_is_sent_to_their_own_outcome_page(journey, client, maya):
    c = reach(Status.SCHEDULED, journey)
    session = _session(c)
    mediator = session.mediators.first()
    mediator.user = maya
    mediator.save()
    login(client, maya)
    response = client.get(reverse("cases:outcome", kwargs={"ref": c.reference}))
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:session_outcome", kwargs={"pk": session.pk})


def test_an_old_cancel_form_does_not_cancel_the_session_booked_since(journey, client, carla):
    """From a review: a cancel form opened for the first session, sent after it was called off and
    another booked, cancelled the new one, with a reason written about the old."""
    c = reach(Status.SCHEDULED, journey)
    url = reverse("cases:cancel_session", kwargs={"ref": c.reference})
    login(client, carla)
    first = _session(c)
    assert f'name="for_session" value="{first.pk}"' in client.get(url).content.decode()
    c = services.session_cancel(complaint=c, actor=journey.coordinator, reason="Venue flooded.")
    journey.schedule(c)  # booked again: the complaint is "Scheduled" once more
    c.refresh_from_db()
    before = snapshot(c)
    response = client.post(url, {"reason": "The officer is on leave that week.", "for_session": str(first.pk)})
    assert response.status_code == 200
    assert "the session this form was for was called off, and another is booked now" in text(response)
    assert "The officer is on leave that week." in text(response)  # to copy
    assert snapshot(c) == before and _session(c).status == "scheduled"
    # the form as the page gives it now is for the new session, and works
    fresh = re.search(r'name="for_session" value="(\d+)"', client.get(url).content.decode()).group(1)
    assert client.post(url, {"reason": "On leave.", "for_session": fresh}).status_code == 302


def test_an_old_booking_form_does_not_book_after_a_colleague_booked_and_called_off_a_session(journey, client, carla):
    """From a replay review: a booking form opened before a colleague booked a session and called it off
    ("the officer is in court that week") booked new dates silently, chosen before anyone knew why."""
    c = reach(Status.REFERRED, journey)
    url = reverse("cases:schedule_session", kwargs={"ref": c.reference})
    login(client, carla)
    seen = re.search(r'name="seen_session" value="([^"]*)"', client.get(url).content.decode()).group(1)
    assert seen == "none"  # no session yet
    bea = UserFactory(role=Role.COORDINATOR, first_name="Bea", last_name="Moss")
    journey.coordinator = bea
    journey.schedule(c)
    c = services.session_cancel(complaint=c, actor=bea, reason="The officer is in court that week.")
    before = snapshot(c)
    data = {**_schedule(c), "scheduling_notes": "Evenings only.", "seen_session": seen}
    response = client.post(url, data)
    assert response.status_code == 200
    body = text(response)
    assert (
        "A session was booked and called off since you opened this form (reason: The officer is in court that "
        "week.). Nothing was booked: check the dates and send again." in body
    )
    assert "Evenings only." in body and 'id="schedule-submit"' in body  # what was typed, to send again
    assert snapshot(c) == before and c.sessions.count() == 1
    # the form shown again has seen the session called off: sent again, it books
    again = re.search(r'name="seen_session" value="([^"]*)"', response.content.decode()).group(1)
    assert again == str(_session(c).pk)
    assert client.post(url, {**data, "seen_session": again}).status_code == 302
    c.refresh_from_db()
    assert c.status == Status.SCHEDULED and c.sessions.count() == 2


def test_an_old_booking_form_says_so_when_the_session_booked_meanwhile_was_a_no_show(journey, client, carla):
    c = reach(Status.REFERRED, journey)
    url = reverse("cases:schedule_session", kwargs={"ref": c.reference})
    login(client, carla)
    seen = re.search(r'name="seen_session" value="([^"]*)"', client.get(url).content.decode()).group(1)
    session = journey.schedule(c)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        journey.hold(c, session, SessionOutcome.COMPLAINANT_NO_SHOW, present_parties=set())
    c.refresh_from_db()
    assert c.status == Status.REFERRED
    before = snapshot(c)
    response = client.post(url, {**_schedule(c), "seen_session": seen})
    assert "A session was booked since you opened this form, and the complainant did not attend." in text(response)
    assert snapshot(c) == before


def test_a_mediator_sending_to_the_complaints_outcome_address_is_not_told_of_later_steps(journey, client, irene, maya):
    """From a review: a mediator learned that the complaint was withdrawn, and by whom."""
    c = reach(Status.SCHEDULED, journey)
    session = _session(c)
    mediator = session.mediators.first()
    mediator.user = maya
    mediator.save()
    services.complaint_withdraw(complaint=c, actor=irene, reason="Moved away.")
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        login(client, maya)
        response = client.post(reverse("cases:outcome", kwargs={"ref": c.reference}), _everyone(c))
    page = text(response)
    assert "Withdrawn" not in page and irene.get_full_name() not in page


def test_a_form_sent_after_the_senders_role_was_changed_names_the_role_and_gives_back_what_was_typed(
    journey, client, irene
):
    """From a replay review: a form sent after an administrator changed its sender's role got the bare
    "You cannot do this", and the note typed in it was gone. The refusal names the role, says nothing was
    saved, and shows the sentences typed, to be copied (the form's choices and its token are not)."""
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    url = reverse("cases:screen", kwargs={"ref": c.reference})
    client.get(url)
    type(irene).objects.filter(pk=irene.pk).update(role=Role.IAD)
    before = snapshot(c)
    typed = "Called twice; she wants to meet the officer <b>in person</b>."
    response = client.post(url, {**_no_exclusions(c), "note": typed})
    assert response.status_code == 403 and response["X-Parley-Refused"] == "role"
    page = text(response)
    assert "Your role (Internal Affairs reviewer) does not allow this page or action." in page
    assert "Nothing was saved." in page
    raw = response.content.decode()
    assert "Called twice; she wants to meet the officer &lt;b&gt;in person&lt;/b&gt;.</textarea>" in raw  # escaped
    assert page.count("<textarea") == 1  # the factors' answers ("no") are not sentences anyone typed
    assert snapshot(c) == before
    # a page (not a form) refused says neither
    page = text(client.get(url))
    assert "Your role (Internal Affairs reviewer)" in page and "Nothing was saved" not in page


def test_the_schedule_form_says_the_earliest_date_the_notice_allows_and_refuses_an_earlier_one(journey, client, carla):
    """From a UX review: the program's notice period was not stated, and a date too soon was refused only
    once the form was sent, by the service, with no date given."""
    c = reach(Status.REFERRED, journey)
    c.policy.mediator_notice_days = 4
    c.policy.save()
    earliest = add_days(c.policy, timezone.localdate(), 4)
    login(client, carla)
    url = reverse("cases:schedule_session", kwargs={"ref": c.reference})
    body = text(client.get(url))
    shown = date_format(earliest, "M j, Y")
    assert f"gives mediators and parties 4 days' notice: the earliest date is {shown}." in body
    assert f'min="{earliest.isoformat()}"' in body
    before = snapshot(c)
    data = {**_schedule(c), "day": (earliest - dt.timedelta(days=1)).isoformat()}
    response = client.post(url, data)
    assert response.status_code == 200 and snapshot(c) == before
    assert f"The earliest date is {shown}: this program gives mediators and parties 4 days' notice." in text(response)


def test_the_team_and_the_room_are_checked_beside_their_fields_all_at_once(journey, client, carla):
    """A mediator taken at that time, a room booked then and too small, and a language nobody on the team
    speaks: each problem beside the field it is about, in one answer (they came one save later, as one
    sentence above the form), and nothing is booked."""
    other = reach(Status.SCHEDULED, journey)
    taken = other.sessions.get()
    c = reach(Status.REFERRED, journey)
    c.parties.filter(kind=PartyKind.COMPLAINANT).update(preferred_language="es", needs_interpreter=False)
    small = VenueFactory(name="Back Room", capacity=2)
    starts = timezone.localtime(taken.starts_at)
    busy = taken.mediators.order_by("id").first()
    data = _schedule(c)
    data.update(
        day=starts.date().isoformat(),
        start=starts.strftime("%H:%M"),
        mediator_1=str(busy.pk),
        venue=str(taken.venue_id),
    )
    login(client, carla)
    before = snapshot(c)
    url = reverse("cases:schedule_session", kwargs={"ref": c.reference})
    body = text(client.post(url, data))
    assert f"Mediator 1: {busy} has another session at that time." in body
    assert f"Venue: {taken.venue} is booked at that time." in body
    assert "An interpreter is booked: Nobody on the team speaks the language of" in body
    assert "(Spanish)" in body
    assert snapshot(c) == before and not c.sessions.exists()

    data.update(venue=str(small.pk), mediator_1=str(MediatorFactory(languages=["en", "es"]).pk))
    body = text(client.post(url, data))
    assert "Venue: Back Room holds 2 people;" in body and "will be in the room." in body
    assert "has another session at that time" not in body and "Nobody on the team speaks" not in body
    assert snapshot(c) == before and not c.sessions.exists()


def test_a_language_nobody_speaks_is_said_with_a_date_that_is_wrong(journey, client, carla):
    """The checks that need no time are made even when the date is refused: one answer lists both."""
    c = reach(Status.REFERRED, journey)
    c.parties.filter(kind=PartyKind.COMPLAINANT).update(preferred_language="es")
    data = _schedule(c)
    data["day"] = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    login(client, carla)
    before = snapshot(c)
    body = text(client.post(reverse("cases:schedule_session", kwargs={"ref": c.reference}), data))
    assert "Date: " in body
    assert "An interpreter is booked: Nobody on the team speaks the language of" in body
    assert snapshot(c) == before
    data["interpreter_booked"] = "on"
    body = text(client.post(reverse("cases:schedule_session", kwargs={"ref": c.reference}), data))
    assert "Nobody on the team speaks" not in body


def test_a_session_is_not_booked_until_each_persons_language_is_asked(journey, client, carla):
    """A language nobody asked is not taken for English: the booking says to ask, and once the person's
    details are corrected (the coordinator may correct them too), the same booking goes through."""
    c = reach(Status.REFERRED, journey)
    person = c.parties.get(kind=PartyKind.COMPLAINANT)
    person.preferred_language = ""
    person.save(update_fields=["preferred_language"])
    data = _schedule(c)
    data["interpreter_booked"] = "on"  # an interpreter of what language? Still to be asked
    url = reverse("cases:schedule_session", kwargs={"ref": c.reference})
    login(client, carla)
    opened = text(client.get(url))  # said before anything is typed, with the way to correct it
    assert f"Nobody has asked {person.display_name} which language they prefer, and a session can be booked" in opened
    assert f"Correct the details of {person.display_name}</a>" in opened
    before = snapshot(c)
    data["mediator_2"] = data["mediator_1"]  # and said with the form's other problems, not after them
    body = text(client.post(url, data))
    assert f"Nobody has asked {person.display_name} which language they prefer: ask" in body
    assert "An interpreter is booked: Nobody has asked" not in body  # ticking the box would not meet it
    assert "Choose a different mediator for each place." in body
    assert snapshot(c) == before
    data = {**_schedule(c)}
    services.party_correct(complaint=c, actor=carla, party=person, changes={"preferred_language": "en"}, reason="Asked")
    assert "The session is booked." in text(client.post(url, data, follow=True))


def test_the_referral_says_when_a_language_was_not_asked(journey, client, irene):
    c = reach(Status.READY_FOR_REFERRAL, journey)
    person = c.parties.get(kind=PartyKind.COMPLAINANT)
    url = reverse("cases:refer", kwargs={"ref": c.reference})
    login(client, irene)
    assert "which language they prefer" not in text(client.get(url))
    person.preferred_language = ""
    person.save(update_fields=["preferred_language"])
    body = text(client.get(url))
    assert f"Nobody has asked {person.display_name} which language they prefer, and the mediation center" in body
    assert f"Correct the details of {person.display_name}</a>" in body
