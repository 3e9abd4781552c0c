"""The rules every staff form keeps (parley/uswds.py, USWDSForm): text that shows nothing is no text,
dates fall between 1900 and 2199, and free text has a length limit. From a fuzzing review, which
stored a complaint received in year 1 (reference "1-0001") and reasons made of a byte-order mark."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.urls import reverse

from parley.cases.models import ComplaintEvent, Note
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.workflow import Status
from parley.mediation.models import MediationSession
from parley.mediation.services import notes_version
from parley.testing.factories import Journey
from parley.testing.web import login, text
from parley.uswds import USWDSForm, strip_invisible

INVISIBLE = "\u202e\ufeff\u200b \u00a0\t"


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


class _Form(USWDSForm, forms.Form):
    required_text = forms.CharField(max_length=50)
    optional_text = forms.CharField(required=False, max_length=50)
    kept = forms.CharField(required=False, strip=False, max_length=50)  # a password keeps what it is given
    day = forms.DateField(required=False)


def test_text_that_shows_nothing_is_no_text():
    form = _Form({"required_text": INVISIBLE, "optional_text": INVISIBLE, "kept": " \ufeff "})
    assert not form.is_valid()
    assert form.errors["required_text"] == ["This field is required."]
    assert form.cleaned_data["optional_text"] == "" and form.cleaned_data["kept"] == " \ufeff "


def test_visible_text_loses_only_what_shows_nothing_at_its_ends():
    form = _Form({"required_text": "\ufeff Dana\u200dReyes \u202e"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["required_text"] == "Dana\u200dReyes"
    assert strip_invisible("\u00a0x\u00a0") == "x" and strip_invisible("") == ""


class _Lines(USWDSForm, forms.Form):
    line = forms.CharField(required=False, max_length=80)
    lines = forms.CharField(required=False, max_length=80, widget=forms.Textarea)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Ana\tMaria", "Ana Maria"),
        ("Ana \t\n Maria", "Ana   Maria"),  # each run of breaks and tabs is one space; spaces stay as typed
        ("a\rb\x0bc\x0cd\x1ce\x1df\x1eg\x1fh\x85i\u2028j\u2029k", "a b c d e f g h i j k"),
        ("\tLopez\n", "Lopez"),
    ],
)
def test_a_one_line_field_keeps_no_line_break_or_tab(line, kept):
    form = _Lines({"line": line})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["line"] == kept


def test_a_text_of_several_lines_keeps_its_breaks_and_tabs():
    form = _Lines({"lines": "One\n\tTwo\r\nThree"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["lines"] == "One\n\tTwo\r\nThree"


def test_a_text_of_several_lines_has_its_other_line_breaks_as_line_feeds():
    """A soft line break pasted from a word processor (a vertical tab), a page break (a form feed)."""
    form = _Lines({"lines": "One\x0bTwo\x0cThree\x85Four\x1cFive\x1eSix"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["lines"] == "One\nTwo\nThree\nFour\nFive\nSix"


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x1b", "\x7f", "\x9b"])
@pytest.mark.parametrize("name", ["line", "lines"])
def test_no_text_keeps_a_control_character(char, name):
    form = _Lines({name: f"Dana{char}Reyes"})
    assert not form.is_valid()
    assert form.errors[name] == [
        f"Remove the control character from this text: it is invisible, and no text here can hold it "
        f"(U+{ord(char):04X})."
    ]


@pytest.mark.parametrize(
    ("day", "valid"),
    [("0001-01-01", False), ("1899-12-31", False), ("1900-01-01", True), ("2199-12-31", True), ("2200-01-01", False)],
)
def test_a_date_falls_between_1900_and_2199(day, valid):
    form = _Form({"required_text": "x", "day": day})
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["day"][0].startswith("Enter a date")


def test_every_text_field_of_the_programs_forms_has_a_length_limit():
    """The case, mediation center and audit forms (the sign-in forms are Django's: a username's limit
    is set when the form is made, and a password is hashed, not stored)."""
    from parley.audit import forms as audit_forms
    from parley.cases import forms as case_forms
    from parley.mediation import forms as center_forms

    unlimited, seen = [], 0
    for module in (case_forms, center_forms, audit_forms):
        for name, form_class in vars(module).items():
            if isinstance(form_class, type) and issubclass(form_class, forms.BaseForm):
                for field_name, field in form_class.base_fields.items():
                    if isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField):
                        seen += 1
                        if field.max_length is None:
                            unlimited.append(f"{module.__name__}.{name}.{field_name}")
    assert seen > 20 and unlimited == []


@pytest.mark.parametrize("reason", [INVISIBLE, "x" * 2001])
def test_a_withdrawal_needs_a_reason_that_shows_and_is_not_too_long(reason, journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    before = snapshot(c)
    login(client, irene)
    response = client.post(reverse("cases:withdraw", kwargs={"ref": c.reference}), {"reason": reason})
    assert response.status_code == 200
    assert "Give the reason." in text(response) or "at most 2000 characters" in text(response)
    assert snapshot(c) == before


def test_a_note_of_invisible_characters_is_not_saved(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    client.post(reverse("cases:note_create", kwargs={"ref": c.reference}), {"body": INVISIBLE})
    assert not Note.objects.exists()


def test_the_choice_needs_who_explained_in_visible_letters(journey, client, irene):
    c = reach(Status.AWAITING_CHOICE, journey)
    login(client, irene)
    data = {
        "explained_by": INVISIBLE,
        "explained_on": dt.date.today().isoformat(),
        "explained_how": "phone",
        "choice": "mediation",
    }
    response = client.post(reverse("cases:choice", kwargs={"ref": c.reference}), data)
    assert response.status_code == 200 and "This field is required." in text(response)
    assert not ComplaintEvent.objects.filter(complaint=c, action="complaint_record_choice").exists()


def test_scheduling_notes_that_did_not_arrive_do_not_erase_them(journey, client, carla):
    c = reach(Status.SCHEDULED, journey)
    session = MediationSession.objects.get(complaint=c)
    url = reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})
    login(client, carla)
    assert client.post(url, {"notes": "Call after 5pm."}).status_code == 302
    response = client.post(url, {})
    assert response.status_code == 200 and "The notes did not arrive" in text(response)
    session.refresh_from_db()
    assert session.scheduling_notes == "Call after 5pm."
    was = notes_version("Call after 5pm.")
    assert client.post(url, {"notes": "", "was": was}).status_code == 302  # emptying the box on purpose works
    session.refresh_from_db()
    assert session.scheduling_notes == ""


def test_scheduling_notes_sent_without_the_version_they_started_from_do_not_overwrite_others(journey, client, carla):
    c = reach(Status.SCHEDULED, journey)
    session = MediationSession.objects.get(complaint=c)
    url = reverse("mediation:scheduling_notes", kwargs={"pk": session.pk})
    login(client, carla)
    assert client.post(url, {"notes": "Call after 5pm."}).status_code == 302  # over none: nothing is lost
    for was in ("", "\x00", None):  # an old form, a tampered one
        data = {"notes": "Bring the interpreter."} | ({} if was is None else {"was": was})
        response = client.post(url, data)
        assert response.status_code == 200 and "Someone changed these notes since you opened them" in text(response)
        assert "Call after 5pm." in text(response)  # the saved notes are shown, to combine with these
        session.refresh_from_db()
        assert session.scheduling_notes == "Call after 5pm."
    # the page that refused them carries the version it showed: saving it again is saving on purpose
    kept = re.search(r'name="was" value="([0-9a-f]{16})"', text(response))[1]
    assert client.post(url, {"notes": "Bring the interpreter.", "was": kept}).status_code == 302
    session.refresh_from_db()
    assert session.scheduling_notes == "Bring the interpreter."


def _action_forms() -> list[type]:
    from parley.cases.forms import ActionForm

    found, todo = [], [ActionForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if "slug" in vars(sub):  # a form of its own, not a base of several
                found.append(sub)
    return found


def test_an_action_forms_button_is_not_the_link_that_opened_it():
    """A screen reader reads the action's link, then the form's heading, then its button: the button says
    what it does (save, confirm) in words of its own, so that it is not heard as the link again (from a
    browser walk-through)."""
    from parley.cases.labels import ACTION_LABELS

    action_forms = _action_forms()
    assert len(action_forms) >= len(ACTION_LABELS), "every workflow action has its form"
    for form in action_forms:
        assert form.submit_label not in ACTION_LABELS.values(), form.__name__
        assert form.submit_label != "Save", form.__name__  # the default: it would not say what is saved


def test_text_longer_than_its_limit_is_refused_whole_not_cut_by_the_browser(policy, client, irene):
    """From a data-loss review: every field carried ``maxlength``, so a browser cut a pasted 25,000-character
    letter to 20,000 without a word, and the complaint was saved without its end."""
    from parley.cases.models import Complaint
    from parley.cases.tests.test_views_intake import INTAKE, _data

    login(client, irene)
    page = client.get(INTAKE).content.decode()
    assert "<textarea" in page and "maxlength" not in page.split('id="main-content"')[1]
    letter = "I was stopped on my way home. " * 700  # 21,000 characters
    response = client.post(INTAKE, _data(narrative=letter))
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert "at most 20000 characters (it has 20999)" in text(response)  # its last space aside
    assert letter.strip() in text(response)  # all of it, still in the field


def test_a_reason_too_long_gets_one_error_not_two(journey, client, ray):
    """From a data-loss review: "Give the reason ..." came beside "at most 2000 characters"."""
    c = reach(Status.SUITABILITY_REVIEW, journey)
    login(client, ray)
    before = snapshot(c)
    url = reverse("cases:suitability", kwargs={"ref": c.reference})
    page = text(client.post(url, {"appropriate": "no", "reason": "x" * 2001}))
    assert "at most 2000 characters" in page and "Give the reason" not in page
    assert snapshot(c) == before


def test_a_tampered_row_count_draws_twenty_rows_not_a_million(policy, client, irene):
    """From a data-loss review: parties-TOTAL_FORMS=1000000 drew 1,020 blocks of a person (15 MB)."""
    from parley.cases.models import Complaint
    from parley.cases.tests.test_views_intake import INTAKE, _data

    login(client, irene)
    response = client.post(INTAKE, {**_data(), "parties-TOTAL_FORMS": "1000000"})
    assert response.status_code == 200 and not Complaint.objects.exists()
    body = response.content.decode()
    assert len(body) < 400_000 and 'id="person-21"' not in body
    assert "Add no more than 20 people." in text(response)
