"""Correct a person's details after intake (a name misspelt, a new phone number, a language or a need learnt
later): oversight intake, while the complaint is open, with a reason; the timeline says what was corrected,
never the details themselves."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from parley.cases import services
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
    assert Party.objects.filter(pk=person.pk, phone_index=blind_index("phone", "314-555-0199")).exists()
    assert not Party.objects.filter(pk=person.pk, phone_index=blind_index("phone", "(314) 555-0101")).exists()


@pytest.mark.parametrize(
    ("changes", "reason", "message"),
    [
        ({"phone": "314-555-0199"}, "  ", "Give a reason for the correction."),
        ({"phone": "(314) 555-0101"}, "A reason", "Nothing was changed"),
        ({"kind": "witness"}, "A reason", "cannot be corrected here: kind"),
        ({"first_name": "", "last_name": ""}, "A reason", "Give the person's first or last name."),
        ({"phone": "call me"}, "A reason", "Enter a phone number with its area code"),
        ({"preferred_language": "xx"}, "A reason", "Choose a language from the list."),
        ({"phone": "314-555-0199"}, "New number 314 555 0199", "Leave the details themselves out of the reason"),
        ({"phone": "314-555-0199"}, "Old one was 555-0101", "Leave the details themselves out of the reason"),
        ({"email": "dana@example.org"}, "Write to dana@example.org", "Leave the details themselves out"),
        ({"address": "12 Elm Street"}, "Moved to 12 elm street", "Leave the details themselves out of the reason"),
        ({"phone": ""}, "Call 314-555-0142 instead", "Leave the details themselves out of the reason"),
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


def test_correcting_is_for_oversight_intake_and_the_coordinator_while_the_complaint_is_open(
    journey, irene, ray, carla, maya
):
    c = reach(Status.SCHEDULED, journey)
    person = _person(c)
    for outsider in (ray, maya):  # Internal Affairs, a mediator
        with pytest.raises(RoleNotAllowed):
            services.party_correct(complaint=c, actor=outsider, party=person, changes={"phone": ""}, reason="x")
    services.party_correct(complaint=c, actor=irene, party=person, changes={"needs_asl": True}, reason="Asked")
    # the mediation center's coordinator, who calls the people to schedule, learns a need or a new number too
    services.party_correct(complaint=c, actor=carla, party=person, changes={"needs_asl": False}, reason="Asked")
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
    assert "The details of Dana Reyes are corrected." in body
    assert "A person's details corrected" in body
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


def _opened(person: Party) -> str:
    """The form's hidden ``was``, as it opens on ``person``."""
    return json.dumps(services.field_digests(person, services.CORRECTABLE))


def test_a_colleagues_correction_of_another_detail_meanwhile_is_kept(policy, client, irene, alma):
    c = receive_complaint(irene)
    person = _person(c)
    data = _form(person, email="d@example.org", was=_opened(person))  # the form as opened, then typed in
    services.party_correct(complaint=c, actor=alma, party=person, changes={"phone": "314-555-0123"}, reason="x")
    login(client, irene)
    assert "The details of Dana Reyes are corrected." in text(client.post(_url(c, person), data, follow=True))
    person.refresh_from_db()
    assert (person.phone, person.email) == ("314-555-0123", "d@example.org")  # both: nothing undone
    assert c.events.filter(action="party_correct").latest("id").data["fields"] == ["email"]


def test_the_same_detail_corrected_by_a_colleague_meanwhile_is_said_there_and_saving_again_keeps_what_was_typed(
    policy, client, irene, alma
):
    c = receive_complaint(irene)
    person = _person(c)
    data = _form(person, phone="314-555-0199", address="2 Elm St", was=_opened(person))
    services.party_correct(
        complaint=c, actor=alma, party=person, changes={"phone": "314-555-0123", "needs_asl": True}, reason="x"
    )
    login(client, irene)
    before = snapshot(c)
    response = client.post(_url(c, person), data)
    body = text(response)
    assert response.status_code == 200
    assert "Phone: Someone else corrected this since you opened the form, to “314-555-0123”." in body
    assert 'value="314-555-0199"' in body and 'value="2 Elm St"' in body  # what was typed, kept
    assert snapshot(c) == before
    again = _form_as_shown(body)
    assert again["needs_asl"] == "on"  # the colleague's other correction, shown: saving keeps it
    assert "The details of Dana Reyes are corrected." in text(client.post(_url(c, person), again, follow=True))
    person.refresh_from_db()
    assert (person.phone, person.address, person.needs_asl) == ("314-555-0199", "2 Elm St", True)


def _form_as_shown(body: str) -> dict[str, str]:
    """The correction form's fields as the page shows them (what the browser would send)."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|textarea|select)[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in ("csrfmiddlewaretoken", "find", "use"):
            continue
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                fields[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    language = re.search(r'name="preferred_language".*?<option value="([^"]*)" selected', body, re.S)
    fields["preferred_language"] = language.group(1) if language else ""
    reason = re.search(r'<textarea[^>]*name="reason"[^>]*>(.*?)</textarea>', body, re.S)
    fields["reason"] = html.unescape(reason.group(1)).strip() if reason else ""
    return fields


def test_a_correction_of_a_detail_corrected_meanwhile_is_refused_by_the_service_too(policy, irene, alma):
    """Two people save corrections of the same detail at the same moment: the second, checked again once the
    person is locked, is refused (it would undo the first unseen)."""
    c = receive_complaint(irene)
    person = _person(c)
    opened = services.field_digests(person, services.CORRECTABLE)
    services.party_correct(complaint=c, actor=alma, party=person, changes={"phone": "314-555-0123"}, reason="x")
    before = snapshot(c)
    with pytest.raises(GuardFailed, match="someone else corrected the phone since you opened this form"):
        services.party_correct(
            complaint=c, actor=irene, party=person, changes={"phone": "314-555-0177"}, reason="y", was=opened
        )
    assert snapshot(c) == before


def test_the_form_corrects_only_what_was_changed_and_a_field_not_sent_is_not_blanked(policy, client, irene):
    c = receive_complaint(irene)
    person = _person(c)
    data = _form(person, email="d@example.org")
    del data["phone"]  # (a browser always sends it; a form altered on the way might not)
    login(client, irene)
    client.post(_url(c, person), data)
    person.refresh_from_db()
    assert (person.email, person.phone) == ("d@example.org", "(314) 555-0101")
    assert c.events.get(action="party_correct").data["fields"] == ["email"]


def test_the_form_refuses_a_reason_with_the_contact_details_in_it(policy, client, irene):
    c = receive_complaint(irene)
    person = _person(c)
    login(client, irene)
    before = snapshot(c)
    body = text(client.post(_url(c, person), _form(person, phone="314-555-0199", reason="New: 314.555.0199")))
    assert "Why is it corrected? Leave the details themselves out of the reason" in body
    assert snapshot(c) == before


def test_a_need_corrected_that_the_booked_session_no_longer_suits_is_said_there_and_to_its_coordinator(
    journey, client, irene, carla
):
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    session.venue.accessible = False
    session.venue.save()
    person = _person(c)
    page = reverse("cases:detail", kwargs={"ref": c.reference})
    login(client, irene)
    assert f'id="session-problems-{session.pk}"' not in text(client.get(page))
    body = text(client.post(_url(c, person), _form(person, needs_step_free="on"), follow=True))
    assert "The details of Dana Reyes are corrected. The booked session no longer suits:" in body
    assert f"{session.venue} is not step-free, and Dana Reyes needs step-free access" in body
    assert "Tell the mediation center's coordinator: only they can book it again." in body
    assert f'id="session-problems-{session.pk}"' in body  # and above the session, until it is booked again
    assert "Only the mediation center's coordinator can book it again" in body
    login(client, carla)
    body = text(client.get(page))
    assert f'id="session-problems-{session.pk}"' in body and "Cancel it and book again." in body
    person.refresh_from_db()
    body = text(client.post(_url(c, person), _form(person, address="2 Elm St", reason="Moved"), follow=True))
    assert "The details of Dana Reyes are corrected." in body and "The booked session no longer suits" not in body
