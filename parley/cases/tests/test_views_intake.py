"""Staff intake: a complaint taken by phone, walk-in, mail or email, with several people and officers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from parley.cases.models import AllegationCategory, Complaint, ComplaintEvent, PartyKind
from parley.testing.factories import OfficerFactory
from parley.testing.web import login, text

INTAKE = reverse("cases:intake")


def _formset(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def _person(**kw: Any) -> dict[str, Any]:
    return {"kind": PartyKind.COMPLAINANT, "first_name": "Dana", "last_name": "Reyes", "preferred_language": "en", **kw}


def _data(*, people=None, officers=None, **kw: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "received_on": today.isoformat(),
        "channel": "walk_in",
        "incident_date": (today - dt.timedelta(days=2)).isoformat(),
        "incident_time": "21:15",
        "incident_location": "Grand Blvd and Olive St",
        "narrative": "The officer shouted at me and my son.",
        "mediation_interest": "yes",
        **kw,
    }
    data.update(_formset("parties", people if people is not None else [_person()]))
    data.update(
        _formset(
            "officers",
            officers if officers is not None else [{"description": "Tall, car 4312", "allegations": ["discourtesy"]}],
        )
    )
    return data


def test_intake_records_a_complaint_with_several_people_and_officers(policy, client, irene):
    roster = OfficerFactory(first_name="Kevin", last_name="Marsh", dsn="77123", badge="4411")
    login(client, irene)
    data = _data(
        people=[
            _person(
                first_name="Luis", last_name="Ortega", phone="(314) 555-0199", preferred_language="es", is_minor="on"
            ),
            _person(kind=PartyKind.GUARDIAN, first_name="Rosa", last_name="Ortega"),
        ],
        officers=[
            {"dsn": "77123", "allegations": ["discourtesy", "offensive-language"]},
            {"description": "Second officer, short, glasses", "allegations": ["failure-to-act"]},
        ],
    )
    response = client.post(INTAKE, data, follow=True)
    c = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cases:detail", kwargs={"ref": c.reference})
    assert f"Complaint {c.reference} is recorded." in text(response)
    assert (c.status, c.channel, c.incident_time, c.mediation_interest) == (
        "received",
        "walk_in",
        dt.time(21, 15),
        "yes",
    )
    people = list(c.parties.order_by("id").values_list("kind", "first_name", "preferred_language", "is_minor"))
    assert people == [("complainant", "Luis", "es", True), ("guardian", "Rosa", "en", False)]
    marsh, unknown = c.officers.order_by("id")
    assert (marsh.roster_officer, marsh.last_name, marsh.badge) == (roster, "Marsh", "4411")
    assert sorted(a.category.code for a in marsh.allegations.all()) == ["discourtesy", "offensive-language"]
    assert (unknown.dsn, unknown.description) == ("", "Second officer, short, glasses")
    event = ComplaintEvent.objects.get(complaint=c)
    assert (event.action, event.actor) == ("complaint_receive", irene)


@pytest.mark.parametrize("phone", ["(314) 555-0199", "314.555.0199", "+1 314 555 0199", "+44 20 7946 0958"])
def test_a_phone_number_written_any_usual_way_is_kept_as_written_and_found_by_the_search(phone, policy, client, irene):
    login(client, irene)
    assert client.post(INTAKE, _data(people=[_person(phone=phone)])).status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.parties.get().phone == phone
    assert complaint.reference in text(client.get(reverse("cases:list"), {"q": phone}))


def test_the_program_administrator_may_record_a_complaint(policy, client, alma):
    login(client, alma)
    assert client.post(INTAKE, _data()).status_code == 302
    assert Complaint.objects.count() == 1


def test_the_intake_page_is_get_and_post_only(policy, client, irene):
    login(client, irene)
    assert client.get(INTAKE).status_code == 200
    assert client.put(INTAKE, _data()).status_code == 405
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("persona", ["ray", "carla", "maya", "audrey"])
def test_other_roles_may_not_record_complaints(persona, policy, client, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(INTAKE).status_code == 403
    assert client.post(INTAKE, _data()).status_code == 403
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("change", "message", "field_id"),
    [
        ({"narrative": ""}, "Describe what happened.", "id_narrative"),
        ({"received_on": "2150-01-01"}, "The date received cannot be in the future.", "id_received_on"),
        ({"channel": ""}, "Choose how the complaint came in.", "id_channel_0"),
        (
            {"officers": [{"dsn": "00000", "allegations": ["discourtesy"]}]},
            "No officer with DSN 00000 is on the roster.",
            "id_officers-0-dsn",
        ),
        (
            {"officers": [{"description": "Tall"}]},
            "Choose at least one kind of misconduct.",
            "id_officers-0-allegations_0",
        ),
        ({"officers": [{"allegations": ["discourtesy"]}]}, "Give the officer's DSN, or describe", "id_officers-0-dsn"),
        (
            {"people": [_person(first_name="", last_name="")]},
            "Give the complainant's first or last name.",
            "id_parties-0-first_name",
        ),
        *(
            ({"people": [_person(phone=phone)]}, "Enter a phone number with its area code", "id_parties-0-phone")
            for phone in (
                "314-555-01",
                "call me",
                "555-0142",
                "314-555-0142 or at work",
                "1234567890123456",
                "314-555-0199 ext. 12",  # the search by the number would not find it: the extension goes in a note
            )
        ),
        (  # only a complainant can stay anonymous: a nameless witness is not told to mark them so
            {"people": [_person(), _person(kind=PartyKind.WITNESS, first_name="", last_name="")]},
            "Give the person's first or last name.",
            "id_parties-1-first_name",
        ),
        ({"people": [_person(kind=PartyKind.WITNESS)]}, "Add at least one complainant.", "id_parties-0-kind"),
        (
            {"incident_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
            "The incident cannot be after the date the complaint was received.",
            "id_incident_date",
        ),
    ],
)
def test_invalid_input_saves_nothing_and_points_at_each_problem(change, message, field_id, policy, client, irene):
    login(client, irene)
    response = client.post(INTAKE, _data(**change))
    body = text(response)
    assert response.status_code == 200
    assert message in body
    assert f'href="#{field_id}"' in body  # the error summary links to the field
    assert "The complaint was not saved: there" in body  # in the error summary, said once
    assert body.count('role="alert"') == 1
    assert not Complaint.objects.exists()


def test_the_field_in_error_carries_the_uswds_error_markup(policy, client, irene):
    login(client, irene)
    body = text(client.post(INTAKE, _data(narrative="")))
    assert 'class="usa-form-group usa-form-group--error" id="id_narrative_group"' in body
    assert 'id="id_narrative_error"' in body
    assert 'aria-describedby="id_narrative_helptext id_narrative_error"' in body


def test_an_anonymous_complaint_is_refused_when_the_program_does_not_accept_them(policy, client, irene):
    login(client, irene)
    response = client.post(INTAKE, _data(people=[_person(first_name="", last_name="", anonymous="on")]))
    assert "does not accept anonymous complaints" in text(response)
    assert not Complaint.objects.exists()


def test_adding_another_officer_keeps_what_was_typed_and_shows_no_errors(policy, client, irene):
    login(client, irene)
    response = client.post(INTAKE, {**_data(narrative="Half typed"), "add": "officer"})
    body = text(response)
    assert response.status_code == 200
    assert 'name="officers-TOTAL_FORMS" value="2"' in body
    assert 'id="officer-2"' in body
    assert "Half typed" in body
    assert "usa-form-group--error" not in body and 'role="alert"' not in body
    assert not Complaint.objects.exists()


def test_adding_another_person_adds_a_blank_person_that_may_stay_blank(policy, client, irene):
    login(client, irene)
    data = {**_data(), "add": "party"}
    body = text(client.post(INTAKE, data))
    assert 'name="parties-TOTAL_FORMS" value="2"' in body
    data = _data()
    data.update({"parties-TOTAL_FORMS": "2", "parties-1-kind": "complainant", "parties-1-preferred_language": ""})
    assert client.post(INTAKE, data).status_code == 302
    assert Complaint.objects.get().parties.count() == 1


def test_a_person_or_officer_added_by_mistake_can_be_removed_and_the_others_keep_what_was_typed(policy, client, irene):
    roster = OfficerFactory(dsn="77123")
    login(client, irene)
    people = [
        _person(first_name="Luis", gender=["man"], is_minor="on"),  # with his mother, Rosa
        _person(kind=PartyKind.WITNESS, first_name="Wrong", last_name="Person", is_minor="on"),
        _person(kind=PartyKind.GUARDIAN, first_name="Rosa", last_name="Ortega", race=["black", "hispanic"]),
    ]
    officers = [
        {"description": "Tall, car 4312", "allegations": ["discourtesy"]},
        {"dsn": "77123", "allegations": ["discourtesy"]},
    ]
    body = text(client.post(INTAKE, {**_data(people=people, officers=officers), "remove": "parties-1"}))
    assert 'name="parties-TOTAL_FORMS" value="2"' in body and 'id="person-3"' not in body
    assert 'value="Wrong"' not in body and 'value="Rosa"' in body
    assert 'id="remove-person-2"' in body and 'id="remove-person-1"' not in body  # the first stays
    # the page says, under the section's heading (where it opens), who went and what moved
    assert (
        'id="people-removed" tabindex="-1"><div class="usa-alert__body"><p class="usa-alert__text">Person 2 (Wrong '
        "Person) is removed from the form. The ones after it moved up one place. Nothing is saved until you save"
    ) in body
    assert 'id="officers-removed"' not in body
    assert "usa-form-group--error" not in body and 'role="alert"' not in body
    assert not Complaint.objects.exists()
    # what the page now holds is what is saved: Rosa moved up with her answers, the wrong person is gone
    data = _data(people=[people[0], people[2]], officers=officers)
    body = text(client.post(INTAKE, {**data, "remove": "officers-1"}))
    assert 'name="officers-TOTAL_FORMS" value="1"' in body and roster.dsn not in body.replace("(DSN 77123)", "")
    assert "Officer 2 (DSN 77123) is removed from the form. Nothing is saved" in body  # the last: none moved
    for row in ("parties-0", "officers-0", "parties-9", "nothing-1", "parties-x"):  # none of these is removed
        body = text(client.post(INTAKE, {**data, "remove": row}))
        assert 'name="parties-TOTAL_FORMS" value="2"' in body and 'name="officers-TOTAL_FORMS" value="2"' in body
        assert "is removed" not in body and "-removed" not in body
    assert client.post(INTAKE, data).status_code == 302
    saved = Complaint.objects.get().parties.order_by("id")
    assert [(p.first_name, p.race) for p in saved] == [("Luis", []), ("Rosa", ["black", "hispanic"])]


def test_voluntary_demographics_are_kept_and_shown_only_to_those_who_see_personal_data(policy, client, irene, audrey):
    login(client, irene)
    person = _person(gender=["woman"], race=["black", "hispanic"], disability=[])
    response = client.post(INTAKE, _data(people=[person]), follow=True)
    party = Complaint.objects.get().parties.get()
    assert (party.gender, party.race, party.disability) == (["woman"], ["black", "hispanic"], [])
    page = text(response)
    assert "Race and ethnicity: Black or African American, Hispanic or Latino" in page and "Gender: Woman" in page
    client.logout()
    login(client, audrey)
    page = text(client.get(reverse("cases:detail", kwargs={"ref": party.complaint.reference})))
    assert "Hispanic or Latino" not in page and "Gender: Woman" not in page


def test_an_answer_that_is_not_offered_changes_nothing_and_says_why(policy, client, irene):
    login(client, irene)
    response = client.post(INTAKE, _data(people=[_person(race=["martian"])]))
    assert response.status_code == 200
    assert "Select a valid choice" in text(response) and "The complaint was not saved" in text(response)
    assert not Complaint.objects.exists()


def test_a_category_retired_while_the_form_was_open_is_named_and_the_others_stay_ticked(policy, client, irene):
    """From a replay review: Django's "Select a valid choice. discourtesy is not one of the available
    choices.", with the category's code."""
    login(client, irene)
    assert "Discourtesy" in text(client.get(INTAKE))
    AllegationCategory.objects.filter(code="discourtesy").update(active=False)
    officer = {"description": "Tall, car 4312", "allegations": ["discourtesy", "offensive-language"]}
    response = client.post(INTAKE, _data(officers=[officer]))
    assert response.status_code == 200
    body = text(response)
    assert "“Discourtesy” is no longer a category of this program; choose another." in body
    assert "not one of the available choices" not in body
    assert re.search(r'value="offensive-language"[^>]*checked', body)  # what was ticked and is still offered
    assert not Complaint.objects.exists()


def test_a_ticked_category_with_a_control_character_is_refused_at_its_field_not_a_server_error(policy, client, irene):
    """From a review: the name of a choice no longer offered was looked up with the value sent, and PostgreSQL
    refuses a NUL in a query (a 500)."""
    login(client, irene)
    officer = {"description": "Tall, car 4312", "allegations": ["discourtesy\x00", "offensive-language"]}
    client.raise_request_exception = False
    response = client.post(INTAKE, _data(officers=[officer]))
    assert response.status_code == 200
    assert "A choice sent is no longer on the list; choose again." in text(response)
    assert not Complaint.objects.exists()


def test_prefers_not_to_say_cannot_be_ticked_with_an_answer(policy, client, irene):
    login(client, irene)
    response = client.post(INTAKE, _data(people=[_person(race=["white", "declined"], disability=["none", "vision"])]))
    body = text(response)
    assert "“Prefers not to say” goes alone" in body and "“No disability” goes alone" in body
    assert not Complaint.objects.exists()


def test_a_complaint_with_no_person_or_no_officer_says_so_in_plain_words(policy, client, irene):
    login(client, irene)
    body = text(client.post(INTAKE, _data(people=[], officers=[])))
    assert "Add at least one person: the complainant." in body
    assert "Add at least one officer: by DSN, or described when not known." in body
    assert "Please submit" not in body and "form." not in body.split("Add at least one officer")[0][-40:]
    assert not Complaint.objects.exists()


def test_a_radio_group_in_error_is_described_by_its_error_message(policy, client, irene):
    login(client, irene)
    body = text(client.post(INTAKE, _data(channel="")))
    assert '<fieldset class="usa-fieldset" id="id_channel" aria-describedby="id_channel_error">' in body
    assert '<span class="usa-error-message" id="id_channel_error">Choose how the complaint came in.</span>' in body


def test_the_error_summary_lists_the_problems_in_the_order_of_the_page(policy, client, irene):
    """How it came in, the people, the officers, then what happened: as the page shows them."""
    login(client, irene)
    data = _data(people=[_person(first_name="", last_name="")], officers=[], channel="", narrative="")
    body = text(client.post(INTAKE, data))
    summary = body.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="#([^"]+)"', summary)
    people = [i for i, link in enumerate(links) if link.startswith(("id_parties", "id_officers"))]
    assert links[0] == "id_channel_0" and links[-1] == "id_narrative"
    assert people and min(people) > 0 and max(people) < len(links) - 1
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("received_on", "0001-01-01", "Enter a date in 1900 or later."),  # had made the reference "1-0001"
        ("incident_date", "0001-01-01", "Enter a date in 1900 or later."),
        ("parties-0-date_of_birth", "0001-01-01", "Enter a date in 1900 or later."),
        ("narrative", "\u202e\ufeff \u200b", "Describe what happened."),
        ("narrative", "x" * 20001, "Ensure this value has at most 20000 characters"),
        ("narrative", "He shouted\x07 at me.", "Remove the control character from this text"),
    ],
)
def test_intake_refuses_impossible_dates_invisible_and_endless_text_and_records_nothing(
    field, value, message, policy, client, irene
):
    login(client, irene)
    response = client.post(INTAKE, _data(**{field: value}))
    assert response.status_code == 200
    assert message in text(response)
    assert not Complaint.objects.exists()
    assert client.post(INTAKE, _data()).status_code == 302  # the same without it is a complaint


def test_a_names_tabs_and_line_breaks_are_spaces_and_the_narratives_lines_stay(policy, client, irene):
    """A one-line field keeps no line break or tab (a paste of spreadsheet cells, a request written by
    hand): each run of them is one space. A text of several lines keeps its own."""
    login(client, irene)
    person = _person(first_name="Ana\tMaria", last_name="Lopez\r\n\u2028Ruiz", address="12 Main St\n\tApt 4")
    narrative = "First line.\r\n\tSecond line, indented."
    assert client.post(INTAKE, _data(people=[person], narrative=narrative)).status_code == 302
    c = Complaint.objects.get()
    party = c.parties.get()
    assert (party.first_name, party.last_name) == ("Ana Maria", "Lopez Ruiz")
    assert "\n" not in party.address and party.address.endswith("Main St Apt 4")
    assert c.narrative == narrative


def test_a_name_with_a_control_character_is_refused_and_nothing_is_recorded(policy, client, irene):
    login(client, irene)
    response = client.post(INTAKE, _data(people=[_person(last_name="Reyes\x1b[31m")]))
    assert response.status_code == 200
    assert "Person 1: Last name: Remove the control character from this text" in text(response)
    assert not Complaint.objects.exists()


def test_the_same_form_sent_twice_records_one_complaint(policy, client, irene):
    """A double click on "Save the complaint", or the page sent again after a slow answer."""
    login(client, irene)
    token = re.search(r'name="submission" value="([0-9a-f-]{36})"', text(client.get(INTAKE))).group(1)
    other = re.search(r'name="submission" value="([0-9a-f-]{36})"', text(client.get(INTAKE))).group(1)
    assert token != other  # a new form each time the page is opened
    data = {**_data(), "submission": token}
    first = client.post(INTAKE, data)
    c = Complaint.objects.get()
    assert first["Location"] == reverse("cases:detail", kwargs={"ref": c.reference})
    again = client.post(INTAKE, data, follow=True)
    assert Complaint.objects.count() == 1 and ComplaintEvent.objects.filter(complaint=c).count() == 1
    assert again.redirect_chain[0][0] == reverse("cases:detail", kwargs={"ref": c.reference})
    assert f"This form was sent twice. Complaint {c.reference} is recorded once." in text(again)
    # a new form (another token) is another complaint, once the person says so (the same account of what
    # happened, a moment later: test_the_same_complaint_saved_again_after_back_is_pointed_out)
    client.post(INTAKE, {**_data(), "submission": other, "separate": "on"})
    assert Complaint.objects.count() == 2


def test_the_same_complaint_saved_again_after_back_is_pointed_out(policy, client, irene, alma):
    """From a data-loss review: Back after a save brings the form back filled in, with a new token (a
    browser does not restore hidden fields), and saving it again recorded a second complaint."""
    login(client, irene)
    assert client.post(INTAKE, _data()).status_code == 302
    first = Complaint.objects.get()
    again = client.post(INTAKE, _data())  # Back, then Save: a new token, the same entries
    assert again.status_code == 200 and Complaint.objects.count() == 1
    page = text(again)
    assert f"You recorded complaint {first.reference} with the same account of what happened at" in page
    assert "Record it as a separate complaint" in page
    assert f'href="{reverse("cases:detail", kwargs={"ref": first.reference})}"' in again.content.decode()
    assert client.post(INTAKE, {**_data(), "separate": "on"}).status_code == 302  # it is another complaint
    assert Complaint.objects.count() == 2
    login(client, alma)  # someone else recording the same words is not asked
    assert client.post(INTAKE, _data()).status_code == 302
    assert Complaint.objects.count() == 3


def test_the_form_keeps_its_token_through_adding_a_person_and_through_errors(policy, client, irene):
    login(client, irene)
    token = "0b6f7a9e-5b8e-4d52-9d3c-2f1c7f7c1a11"
    for extra in ({"add": "party"}, {"narrative": ""}):
        body = text(client.post(INTAKE, {**_data(), "submission": token, **extra}))
        assert f'name="submission" value="{token}"' in body
    assert not Complaint.objects.exists()


def test_intake_asks_about_step_free_access_and_records_it(policy, client, irene):
    """From a UX review: the form had the question but the page did not show it, so the venue rule that
    reads it (a session's venue must be step-free) never had anything to go on."""
    login(client, irene)
    assert 'name="parties-0-needs_step_free"' in text(client.get(INTAKE))
    client.post(INTAKE, _data(people=[_person(needs_step_free="on")]))
    assert Complaint.objects.get().parties.get().needs_step_free is True


# --- "Find on the roster": an officer the complainant knows by name or badge, not by DSN ------------


def _found(body: str, row: int = 1) -> str:
    match = re.search(rf'<div[^>]*id="officer-{row}-found"[^>]*>(.*?)</div></div>', body, re.S)
    return match.group(1) if match else ""


def test_finding_an_officer_by_last_name_fills_in_the_dsn_and_saves_nothing(policy, client, irene):
    lee = OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234", badge="1098", unit="District 2")
    OfficerFactory(first_name="Tom", last_name="Leeds")  # "Lee" starts his name too: two match
    login(client, irene)
    data = _data(officers=[{"lookup": "rosa lee", "allegations": ["discourtesy"]}], received_on="")
    response = client.post(INTAKE, {**data, "find": "officers-0"})
    body = text(response)
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert "One officer on the roster matches “rosa lee”: Rosa Lee (DSN 51234)." in _found(body)
    assert 'name="officers-0-dsn" value="51234"' in body
    assert 'class="usa-error-message" id=' not in body  # the date left blank is not called an error yet
    saved = client.post(INTAKE, {**data, "officers-0-dsn": "51234", "received_on": timezone.localdate().isoformat()})
    assert saved.status_code == 302
    assert Complaint.objects.get().officers.get().roster_officer == lee


def test_several_officers_found_are_listed_and_one_is_chosen(policy, client, irene):
    OfficerFactory(first_name="Ana", last_name="Lopez", dsn="40001", badge="77")
    OfficerFactory(first_name="Luis", last_name="Lopez", dsn="40002", active=False)
    login(client, irene)
    data = _data(officers=[{"lookup": "Lopez", "allegations": ["discourtesy"]}])
    found = _found(text(client.post(INTAKE, {**data, "find": "officers-0"})))
    assert "2 officers on the roster match “Lopez”: choose the one meant." in found
    assert "To describe the officer instead, clear the search box." in found  # a save would search again
    assert "Ana Lopez: DSN 40001, badge 77, District 3" in found
    assert re.search(r"Luis Lopez: DSN 40002, badge \d+, District 3 \(no longer active\)", found)
    assert found.index("Ana Lopez") < found.index("Luis Lopez")  # the active ones first
    body = text(client.post(INTAKE, {**data, "use": "officers-0:40001"}))
    assert "Ana Lopez (DSN 40001) is officer 1." in _found(body)
    assert 'name="officers-0-dsn" value="40001"' in body
    assert not Complaint.objects.exists()


def test_an_officer_is_found_by_badge_and_a_long_list_says_it_is_cut_short(policy, client, irene):
    OfficerFactory(first_name="Kim", last_name="Park", dsn="60001", badge="4411")
    for i in range(12):
        OfficerFactory(first_name=f"Sam{i}", last_name="Smith")
    login(client, irene)
    by_badge = text(client.post(INTAKE, {**_data(officers=[{"lookup": "4411"}]), "find": "officers-0"}))
    assert "Kim Park (DSN 60001)" in _found(by_badge) and 'name="officers-0-dsn" value="60001"' in by_badge
    many = _found(text(client.post(INTAKE, {**_data(officers=[{"lookup": "smith"}]), "find": "officers-0"})))
    assert "12 officers on the roster match “smith”; the first 10 are listed. Add a first name or the badge" in many
    assert many.count("Use this officer<") == 10


@pytest.mark.parametrize(
    ("lookup", "says"),
    [
        ("Nobody", "No officer on the roster matches “Nobody”."),
        ("", "Type a last name, a first and last name, or a badge number, then find."),
        ("Lee\x00", "Type a last name"),
        ("a" * 500, "No officer on the roster matches"),
    ],
)
def test_finding_nothing_says_so_and_changes_nothing(lookup, says, policy, client, irene):
    login(client, irene)
    response = client.post(INTAKE, {**_data(officers=[{"lookup": lookup}]), "find": "officers-0"})
    assert response.status_code == 200 and says in _found(text(response))
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "button",
    [
        {"find": "officers-7"},
        {"find": "parties-0"},
        {"find": "officers-x"},
        {"use": "officers-0:nosuch"},
        {"use": "officers-9:51234"},
        {"use": "garbage"},
        {"use": "officers-0:\x00"},
    ],
)
def test_a_find_or_use_button_that_names_no_row_or_officer_shows_the_page_again(button, policy, client, irene):
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234")
    login(client, irene)
    response = client.post(INTAKE, {**_data(officers=[{"lookup": "Lee"}]), **button})
    body = text(response)
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert 'id="officer-1-found"' not in body and 'name="officers-0-dsn" value="51234"' not in body


@pytest.mark.parametrize(
    "button",
    [{"find": "officers-" + "9" * 5000}, {"use": "officers-" + "9" * 5000 + ":51234"}],
    ids=["find", "use"],
)
def test_intake_find_or_use_with_a_very_long_row_number_is_not_a_server_error(button, policy, client, irene):
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234")
    login(client, irene)
    client.raise_request_exception = False
    response = client.post(INTAKE, {**_data(officers=[{"lookup": "Lee"}]), **button})
    assert response.status_code == 200, f"tampered button value gave {response.status_code}"
    assert not Complaint.objects.exists()


def test_saving_with_words_in_a_find_box_and_no_dsn_runs_the_search_instead(policy, client, irene):
    """From a browser walk-through: without JavaScript, Enter in the "find" box sends the form's first
    button, which saves. Words there and no DSN mean a search not run yet: it is run, nothing is saved."""
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234")
    login(client, irene)
    data = _data(officers=[{"lookup": "Lee", "description": "Tall", "allegations": ["discourtesy"]}])
    body = text(client.post(INTAKE, data))
    assert not Complaint.objects.exists()
    assert "One officer on the roster matches “Lee”" in _found(body)
    assert 'name="officers-0-dsn" value="51234"' in body
    assert client.post(INTAKE, {**data, "officers-0-dsn": "51234"}).status_code == 302  # then it saves


def test_a_search_that_finds_no_one_clears_its_box_and_says_a_dsn_is_still_there(policy, client, irene):
    OfficerFactory(first_name="Amir", last_name="Begic", dsn="10297")
    login(client, irene)
    data = _data(officers=[{"lookup": "Zzyzx", "dsn": "10297", "allegations": ["discourtesy"]}])
    body = text(client.post(INTAKE, {**data, "find": "officers-0"}))
    assert "No officer on the roster matches “Zzyzx”." in _found(body)
    assert "The DSN box still holds 10297: clear it if that is not the officer." in _found(body)
    assert 'name="officers-0-lookup" value="Zzyzx"' not in body
    nobody = text(client.post(INTAKE, _data(officers=[{"lookup": "Zzyzx", "description": "Tall"}])))
    assert "No officer on the roster matches" in _found(nobody) and not Complaint.objects.exists()


def test_the_anonymous_box_is_offered_only_where_the_program_accepts_anonymous_complaints(policy, client, irene):
    login(client, irene)
    assert 'name="parties-0-anonymous"' not in text(client.get(INTAKE))
    policy.anonymous_complaints_accepted = True
    policy.save()
    assert 'name="parties-0-anonymous"' in text(client.get(INTAKE))


def test_a_language_not_asked_stays_not_asked_and_is_said_so(policy, client, irene):
    """UX.md: a blank stays blank, never a made-up default. The form opens at "Not asked"; a person saved so
    is "Not asked" on the complaint page, not English."""
    login(client, irene)
    form = text(client.get(INTAKE))
    assert '<option value="" selected>Not asked</option>' in form
    response = client.post(INTAKE, _data(people=[_person(preferred_language="")]))
    assert response.status_code == 302
    c = Complaint.objects.get()
    assert c.parties.get().preferred_language == ""
    page = text(client.get(reverse("cases:detail", kwargs={"ref": c.reference})))
    assert "Not asked" in page.split('id="people"')[1].split("</section>")[0]
