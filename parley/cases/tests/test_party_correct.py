"""Correct a person's details after intake (a name misspelt, a new phone number, a language or a need learnt
later): oversight intake, while the complaint is open, with a reason; the timeline says what was corrected,
never the details themselves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parley.cases import services
from parley.cases.forms import party_version
from parley.cases.models import Complaint, Party, PartyKind
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.workflow import ActionNotAllowed, GuardFailed, RoleNotAllowed, Status
from parley.crypto import blind_index
from parley.testing.factories import Journey, receive_complaint
from parley.testing.web import HTMX, login, text


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _person(c: Complaint) -> Party:
    return c.parties.get(kind=PartyKind.COMPLAINANT)


def _url(c: Complaint, person: Party) -> str:
    return reverse("cases:party_correct", kwargs={"ref": c.reference, "party_pk": person.pk})


def _form(person: Party, **changes) -> dict[str, str]:
    """The form as it opens (the person's details), with ``changes`` typed over it."""
    data = {name: getattr(person, name) for name in services.CORRECTABLE}
    data = {name: ("on" if value else "") if isinstance(value, bool) else value for name, value in data.items()}
    return {**data, "reason": "The complainant called with a new number.", **changes}


# --- the service -----------------------------------------------------------------------------------


def test_correcting_changes_the_details_names_what_changed_and_the_search_finds_the_new_name(policy, irene):
    c = receive_complaint(irene)
    person = _person(c)
    c = services.party_correct(
        complaint=c,
        actor=irene,
        party=person,
        changes={"last_name": " Reyes-Ortiz ", "phone": "314-555-0199", "preferred_language": "es", "email": ""},
        reason="Misspelt at intake; a new number",
    )
    person.refresh_from_db()
    assert (person.last_name, person.phone, person.preferred_language) == ("Reyes-Ortiz", "314-555-0199", "es")
    assert c.status == Status.RECEIVED
    event = c.events.get(action="party_correct")
    assert event.data == {
        "party": person.pk,
        "kind": "complainant",
        "fields": ["last_name", "phone", "preferred_language"],
    }
    assert "0199" not in str(event.data) and "Ortiz" not in str(event.data)  # what changed, not the values
    assert event.reason == "Misspelt at intake; a new number"
    assert "Reyes-Ortiz" in c.search_names
    # the number is found by its lookup index (kept with it: a number's own search), the old one no longer
    assert Party.objects.get(pk=person.pk).phone_index == blind_index("phone", "314-555-0199")
    assert blind_index("phone", "314-555-0199") != blind_index("phone", "(314) 555-0101")


@pytest.mark.parametrize(
    ("changes", "reason", "message"),
    [
        ({"phone": "314-555-0199"}, "  ", "Give a reason for the correction."),
        ({"phone": "(314) 555-0101"}, "A reason", "Nothing was changed"),
        ({"kind": "witness"}, "A reason", "cannot be corrected here: kind"),
        ({"first_name": "", "last_name": ""}, "A reason", "Give the person's first or last name."),
        ({"phone": "call me"}, "A reason", "Enter a phone number with its area code"),
        ({"preferred_language": "xx"}, "A reason", "Choose a language from the list."),
    ],
)
def test_correcting_refuses_what_cannot_be_and_changes_nothing(changes, reason, message, policy, irene):
    c = receive_complaint(irene)
    before = snapshot(c)
    with pytest.raises(GuardFailed, match=message):
        services.party_correct(complaint=c, actor=irene, party=_person(c), changes=changes, reason=reason)
    assert snapshot(c) == before


def test_an_anonymous_complainant_gets_no_name_and_a_person_of_another_complaint_is_refused(policy, irene):
    policy.anonymous_complaints_accepted = True
    policy.save()
    c = receive_complaint(irene, anonymous=True)
    before = snapshot(c)
    with pytest.raises(GuardFailed, match="An anonymous complainant has no name"):
        services.party_correct(complaint=c, actor=irene, party=_person(c), changes={"first_name": "Ann"}, reason="x")
    other = receive_complaint(irene)
    with pytest.raises(GuardFailed, match="not named in this complaint"):
        services.party_correct(complaint=c, actor=irene, party=_person(other), changes={"phone": ""}, reason="x")
    assert snapshot(c) == before


def test_correcting_is_for_oversight_intake_while_the_complaint_is_open(journey, irene, ray, carla):
    c = reach(Status.SCHEDULED, journey)
    person = _person(c)
    for outsider in (ray, carla):
        with pytest.raises(RoleNotAllowed):
            services.party_correct(complaint=c, actor=outsider, party=person, changes={"phone": ""}, reason="x")
    services.party_correct(complaint=c, actor=irene, party=person, changes={"needs_asl": True}, reason="Asked")
    closed = reach(Status.MEDIATED, journey)
    with pytest.raises(ActionNotAllowed):
        services.party_correct(
            complaint=closed, actor=irene, party=_person(closed), changes={"needs_asl": True}, reason="x"
        )


# --- the pages ------------------------------------------------------------------------------------


def test_the_people_table_offers_it_to_intake_on_an_open_complaint_only(journey, client, irene, ray):
    c = receive_complaint(irene)
    person = _person(c)
    page = reverse("cases:detail", kwargs={"ref": c.reference})
    login(client, irene)
    body = text(client.get(page))
    assert f'id="correct-party-{person.pk}"' in body
    assert 'Correct the details<span class="usa-sr-only"> of Dana Reyes</span>' in body
    assert 'id="action-party_correct' not in body  # beside the person, not among the action buttons
    assert f'id="correct-party-{person.pk}"' not in text(client.get(page, {"print": "1"}))
    login(client, ray)
    assert "correct-party-" not in text(client.get(page))
    closed = reach(Status.UNSUITABLE, journey)
    login(client, irene)
    assert "correct-party-" not in text(client.get(reverse("cases:detail", kwargs={"ref": closed.reference})))


def test_the_form_corrects_and_the_timeline_says_what_not_the_details(policy, client, irene, ray):
    c = receive_complaint(irene)
    person = _person(c)
    login(client, irene)
    form = text(client.get(_url(c, person), headers=HTMX))
    assert "Correct the details of Dana Reyes (complainant)" in form
    assert 'value="(314) 555-0101"' in form  # the form opens with the details as they are
    response = client.post(_url(c, person), _form(person, phone="314-555-0199", needs_interpreter="on"), follow=True)
    body = text(response)
    assert "The details are corrected." in body
    assert "A person&#39;s details corrected" in body or "A person's details corrected" in body
    assert "Dana Reyes: phone, needs an interpreter" in body
    assert "The complainant called with a new number." in body
    person.refresh_from_db()
    assert (person.phone, person.needs_interpreter) == ("314-555-0199", True)
    login(client, ray)  # Internal Affairs reads the timeline: what was corrected, not the number
    timeline = text(client.get(reverse("cases:detail", kwargs={"ref": c.reference})))
    assert "Dana Reyes: phone, needs an interpreter" in timeline


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"phone": "call me"}, "Phone: Enter a phone number with its area code"),
        ({"first_name": "", "last_name": ""}, "First name: Give the person's first or last name."),
        ({"reason": ""}, "Why is it corrected? Say why the details are corrected."),
        ({}, "Nothing was changed: correct at least one detail, or go back without saving."),
        ({"email": "not an address"}, "Email: "),
        ({"preferred_language": "xx"}, "Preferred language: "),
    ],
)
def test_the_form_with_something_wrong_says_so_and_changes_nothing(changes, said, policy, client, irene):
    c = receive_complaint(irene)
    person = _person(c)
    login(client, irene)
    before = snapshot(c)
    response = client.post(_url(c, person), _form(person, **changes))
    assert response.status_code == 200
    assert said in text(response)
    assert snapshot(c) == before


def test_the_form_is_get_and_post_only_and_other_roles_are_refused(journey, client, irene, ray, carla, maya):
    c = receive_complaint(irene)
    person = _person(c)
    data = _form(person, phone="314-555-0199")
    login(client, irene)
    assert client.put(_url(c, person), data).status_code == 405
    before = snapshot(c)
    login(client, ray)
    assert client.post(_url(c, person), data).status_code == 403
    login(client, carla)
    assert client.post(_url(c, person), data).status_code in (403, 404)
    login(client, maya)
    assert client.post(_url(c, person), data).status_code in (403, 404)
    assert snapshot(c) == before
    login(client, irene)
    other = receive_complaint(irene)
    wrong = reverse("cases:party_correct", kwargs={"ref": other.reference, "party_pk": person.pk})
    assert client.post(wrong, data).status_code == 404  # a person of another complaint
    assert snapshot(c) == before


def test_a_form_opened_before_a_colleague_corrected_the_person_says_so_and_keeps_what_was_typed(
    policy, client, irene, alma
):
    c = receive_complaint(irene)
    person = _person(c)
    data = _form(person, phone="314-555-0199", was=party_version(person))  # the form as opened
    services.party_correct(complaint=c, actor=alma, party=person, changes={"phone": "314-555-0123"}, reason="x")
    login(client, irene)
    response = client.post(_url(c, person), data)
    body = text(response)
    assert response.status_code == 200
    assert "This was not saved: Dana Reyes's details were corrected since you opened this form." in body
    assert "314-555-0199" in body  # what was typed, to copy
    person.refresh_from_db()
    assert person.phone == "314-555-0123"
    assert c.events.filter(action="party_correct").count() == 1


def test_a_need_corrected_while_a_session_is_booked_says_to_check_the_session(journey, client, irene):
    c = reach(Status.SCHEDULED, journey)
    person = _person(c)
    login(client, irene)
    body = text(client.post(_url(c, person), _form(person, needs_step_free="on"), follow=True))
    assert "A session is booked: check that its team and venue still suit" in body
    body = text(client.post(_url(c, person), _form(Party.objects.get(pk=person.pk), address="2 Elm St"), follow=True))
    assert "The details are corrected." in body and "A session is booked" not in body
