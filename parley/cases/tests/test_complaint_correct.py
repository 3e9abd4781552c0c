"""Correct the incident's details after intake (a date, a time, a place or a report number taken down
wrong): oversight intake, while the complaint is open, with a reason that leaves the details out; the
timeline says which were corrected, never the values."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from parley.cases import services
from parley.cases.models import Complaint
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.workflow import ActionNotAllowed, GuardFailed, RoleNotAllowed, Status
from parley.testing.factories import Journey, receive_complaint
from parley.testing.web import HTMX, login, text


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _url(c: Complaint) -> str:
    return reverse("cases:correct", kwargs={"ref": c.reference})


def _form(c: Complaint, **changes) -> dict[str, str]:
    """The form as it opens (the incident as recorded), with ``changes`` typed over it."""
    return {
        "incident_date": c.incident_date.isoformat() if c.incident_date else "",
        "incident_time": c.incident_time.strftime("%H:%M") if c.incident_time else "",
        "incident_location": c.incident_location,
        "police_report_number": c.police_report_number,
        "reason": "The street was taken down wrong.",
        "was": json.dumps(services.field_digests(c, services.INCIDENT_DETAILS)),
        **changes,
    }


def test_correcting_changes_the_incident_and_the_event_names_what_changed_only(policy, irene):
    c = receive_complaint(irene)
    day = c.incident_date - dt.timedelta(days=1)
    c = services.complaint_correct(
        complaint=c,
        actor=irene,
        changes={"incident_date": day, "incident_location": " Market St and 15th St ", "police_report_number": ""},
        reason="Taken down wrong",
    )
    c.refresh_from_db()
    assert (c.incident_date, c.incident_location, c.status) == (day, "Market St and 15th St", Status.RECEIVED)
    event = c.events.get(action="complaint_correct")
    assert event.data == {"fields": ["incident_date", "incident_location"]}
    assert event.reason == "Taken down wrong"


@pytest.mark.parametrize(
    ("changes", "reason", "message"),
    [
        ({"incident_location": "Elm St"}, " ", "Give a reason for the correction."),
        ({"incident_location": "Market St and 14th St"}, "x", "Nothing was changed"),
        ({"narrative": "Something else"}, "x", "cannot be corrected here: narrative"),
        ({"incident_date": "later"}, "x", "Give the incident's date as a date."),
        ({"incident_date": timezone.localdate()}, "x", "cannot be after the date the complaint was received"),
        ({"incident_location": "Olive St and 9th St"}, "It was Olive St and 9th St", "Leave the details themselves"),
        ({"incident_location": "Olive St"}, "Not market st and 14th st", "Leave the details themselves out"),
    ],
)
def test_correcting_refuses_what_cannot_be_and_changes_nothing(changes, reason, message, policy, irene):
    c = receive_complaint(irene)
    before = snapshot(c)
    with pytest.raises(GuardFailed, match=message):
        services.complaint_correct(complaint=c, actor=irene, changes=changes, reason=reason)
    assert snapshot(c) == before


def test_correcting_is_for_oversight_intake_while_the_complaint_is_open(journey, irene, ray, carla, alma):
    c = reach(Status.SCHEDULED, journey)
    for outsider in (ray, carla):
        with pytest.raises(RoleNotAllowed):
            services.complaint_correct(complaint=c, actor=outsider, changes={"incident_location": "x"}, reason="x")
    services.complaint_correct(complaint=c, actor=alma, changes={"incident_location": "Elm St"}, reason="Wrong")
    closed = reach(Status.UNSUITABLE, journey)
    with pytest.raises(ActionNotAllowed):
        services.complaint_correct(complaint=closed, actor=irene, changes={"incident_location": "x"}, reason="x")


def test_a_correction_on_a_form_opened_before_anothers_is_refused(policy, irene, alma):
    c = receive_complaint(irene)
    opened = services.field_digests(c, services.INCIDENT_DETAILS)
    services.complaint_correct(complaint=c, actor=alma, changes={"incident_location": "Elm St"}, reason="Wrong")
    before = snapshot(c)
    with pytest.raises(GuardFailed, match="someone else corrected the place since you opened this form"):
        services.complaint_correct(
            complaint=c, actor=irene, changes={"incident_location": "Olive St"}, reason="Heard wrong", was=opened
        )
    assert snapshot(c) == before


# --- the pages ------------------------------------------------------------------------------------


def test_the_summary_offers_it_to_oversight_intake_on_an_open_complaint_only(journey, client, irene, ray):
    c = receive_complaint(irene)
    page = reverse("cases:detail", kwargs={"ref": c.reference})
    login(client, irene)
    assert 'id="correct-incident"' in text(client.get(page))
    assert 'id="correct-incident"' not in text(client.get(page, {"print": "1"}))
    assert 'id="action-complaint_correct"' not in text(client.get(page))  # beside the incident, not a button
    login(client, ray)
    assert 'id="correct-incident"' not in text(client.get(page))
    closed = reach(Status.UNSUITABLE, journey)
    login(client, irene)
    assert 'id="correct-incident"' not in text(client.get(reverse("cases:detail", kwargs={"ref": closed.reference})))


def test_the_form_corrects_and_the_timeline_says_which_details(policy, client, irene, carla):
    c = receive_complaint(irene)
    login(client, irene)
    form = text(client.get(_url(c), headers=HTMX))
    assert "Correct the incident's details" in form
    assert 'value="Market St and 14th St"' in form
    body = text(
        client.post(_url(c), _form(c, incident_location="Olive St and 9th St", incident_time="21:40"), follow=True)
    )
    assert "The incident's details are corrected." in body
    assert "time, place" in body
    c.refresh_from_db()
    assert (c.incident_location, c.incident_time) == ("Olive St and 9th St", dt.time(21, 40))


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"incident_date": "2026-13-45"}, "Date of the incident: "),
        ({"incident_time": "25:99"}, "Time of the incident: "),
        ({"reason": ""}, "Why is it corrected? Say why the details are corrected."),
        ({}, "Nothing was changed: correct at least one detail, or go back without saving."),
        ({"incident_location": "x" * 301}, "Where it happened: "),
        ({"incident_date": "2199-01-01"}, "The incident cannot be after the date the complaint was received."),
        ({"incident_location": "Olive St", "reason": "It was Olive St"}, "Leave the details themselves out"),
    ],
)
def test_the_form_with_something_wrong_says_so_and_changes_nothing(changes, said, policy, client, irene):
    c = receive_complaint(irene)
    login(client, irene)
    before = snapshot(c)
    response = client.post(_url(c), _form(c, **changes))
    assert response.status_code == 200
    assert said in text(response)
    assert snapshot(c) == before


def test_the_form_is_get_and_post_only_and_other_roles_are_refused(journey, client, irene, ray, carla, maya):
    c = receive_complaint(irene)
    data = _form(c, incident_location="Elm St")
    login(client, irene)
    assert client.put(_url(c), data).status_code == 405
    before = snapshot(c)
    login(client, ray)
    assert client.post(_url(c), data).status_code == 403
    for outsider in (carla, maya):
        login(client, outsider)
        assert client.post(_url(c), data).status_code in (403, 404)
    assert snapshot(c) == before


def test_a_form_opened_before_a_colleague_corrected_says_so_and_keeps_what_was_typed(policy, client, irene, alma):
    c = receive_complaint(irene)
    data = _form(c, incident_location="Olive St and 9th St")
    services.complaint_correct(
        complaint=c, actor=alma, changes={"incident_location": "Elm St", "police_report_number": "R-9"}, reason="x"
    )
    login(client, irene)
    body = text(client.post(_url(c), data))
    assert "Where it happened: Someone else corrected this since you opened the form, to “Elm St”." in body
    assert 'value="Olive St and 9th St"' in body and 'value="R-9"' in body  # typed, and the colleague's number
    c.refresh_from_db()
    assert (c.incident_location, c.police_report_number) == ("Elm St", "R-9")
