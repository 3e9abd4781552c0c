"""A form sent after the session ended is kept for the person who typed it, and filled in again once
they have signed in through the real sign-in pages (password, then code). From a data-loss review:
a long intake sent after the idle timeout had been thrown away, and the sign-in page pasted inside
the complaint page's action panel."""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from parley.accounts.kept import KEEP_SECONDS, KEPT_MESSAGE, KEY
from parley.accounts.models import UserSession
from parley.accounts.roles import Role
from parley.accounts.tests.test_views_two_factor import VERIFY, password_step
from parley.cases import services as case_services
from parley.cases.models import Complaint, Note
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.tests.test_views_intake import INTAKE, _data, _person
from parley.cases.workflow import Status
from parley.testing.factories import Journey, UserFactory
from parley.testing.otp import device_for, next_code
from parley.testing.web import HTMX, login, text

NARRATIVE = "A long account, typed for forty minutes: the officer stopped me at Grand and Olive."


def _session_ends(client, user) -> None:
    """The session ends on the server (the idle timeout, or an administrator); the browser keeps its
    other cookies, as it does."""
    UserSession.objects.filter(user=user).delete()


def _signed_out_on(client, user, page: str) -> None:
    """``user`` signed in, opened ``page``, and their session ended while it was open."""
    login(client, user)
    client.get(page)
    _session_ends(client, user)


@pytest.fixture
def received(policy, irene, ray, carla, alma):
    return reach(Status.RECEIVED, Journey(intake=irene, iad=ray, coordinator=carla, admin=alma))


def _sign_in_again(client, user, next_url: str):
    response = password_step(client, user, next_url)
    response = client.post(VERIFY, {"code": next_code(device_for(user)), "next": next_url})
    assert response.status_code == 302
    return response["Location"]


def test_an_intake_sent_after_the_session_ended_is_filled_in_again_after_signing_in(policy, client, irene):
    login(client, irene)
    client.get(INTAKE)  # the browser was last used by Irene
    _session_ends(client, irene)
    response = client.post(INTAKE, _data(narrative=NARRATIVE, incident_location="Grand Blvd & Olive St"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert not Complaint.objects.exists()  # nothing saved without a signed-in person

    back = _sign_in_again(client, irene, INTAKE)
    assert back == INTAKE
    response = client.get(back)
    assert KEPT_MESSAGE in text(response)
    assert NARRATIVE in text(response) and 'value="Grand Blvd &amp; Olive St"' in response.content.decode()
    assert not Complaint.objects.exists()  # shown again, not saved: the person saves it
    assert KEPT_MESSAGE not in text(client.get(INTAKE))  # given back once


def test_the_entries_go_back_only_to_the_person_who_typed_them(policy, client, irene, alma):
    _signed_out_on(client, irene, INTAKE)
    client.post(INTAKE, _data(narrative=NARRATIVE))
    _sign_in_again(client, alma, INTAKE)  # someone else signs in on the same browser
    page = text(client.get(INTAKE))
    assert NARRATIVE not in page and KEPT_MESSAGE not in page


def test_the_entries_are_not_kept_for_ever(policy, client, irene):
    _signed_out_on(client, irene, INTAKE)
    client.post(INTAKE, _data(narrative=NARRATIVE))
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=KEEP_SECONDS + 60)):
        _sign_in_again(client, irene, INTAKE)
        assert NARRATIVE not in text(client.get(INTAKE))


def test_an_action_sent_from_the_panel_after_the_session_ended_comes_back_on_its_own_page(received, client, irene):
    c = received
    url = reverse("cases:withdraw", kwargs={"ref": c.reference})
    _signed_out_on(client, irene, reverse("cases:detail", kwargs={"ref": c.reference}))
    before = snapshot(c)
    response = client.post(url, {"what": "mediation", "reason": "She moved to Chicago."}, headers=HTMX)
    # the whole page goes to the sign-in page (not the sign-in page inside the panel), then to the form's page
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('accounts:login')}?next={url.replace('/', '%2F')}"
    assert snapshot(c) == before
    _sign_in_again(client, irene, url)
    page = client.get(url)
    assert KEPT_MESSAGE in text(page) and "She moved to Chicago." in text(page)
    assert re.search(r'<input type="radio"[^>]*value="mediation"[^>]*checked', page.content.decode())
    assert snapshot(c) == before


def test_a_note_sent_while_signed_out_is_filled_in_again_on_the_complaint_page(received, client, irene):
    c = received
    page_url = reverse("cases:detail", kwargs={"ref": c.reference})
    _signed_out_on(client, irene, page_url)
    response = client.post(reverse("cases:note_create", kwargs={"ref": c.reference}), {"body": "Called back at 4."})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Note.objects.exists()
    back = _sign_in_again(client, irene, page_url + "#notes")
    assert back == page_url + "#notes"
    page = text(client.get(page_url))
    assert KEPT_MESSAGE in page and re.search(r'id="note_body">\s*Called back at 4\.</textarea>', page)


def test_nothing_is_kept_from_a_browser_no_one_was_signed_in_on(policy, client, irene):
    response = client.post(INTAKE, _data(narrative=NARRATIVE))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_parley_kept_entries" not in client.session


def test_a_forged_form_is_refused_before_anything_is_kept(policy, irene):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    _signed_out_on(browser, irene, INTAKE)
    response = browser.post(INTAKE, _data(narrative=NARRATIVE))  # no CSRF token: from another site
    assert response.status_code == 403
    assert "_parley_kept_entries" not in browser.session


def test_the_entries_are_encrypted_in_the_session_table(policy, client, irene):
    """A form may carry a civilian's email or phone number, which the database stores only encrypted."""
    _signed_out_on(client, irene, INTAKE)
    client.post(INTAKE, _data(people=[{**_person(), "email": "dana.reyes@example.org"}]))
    kept = [session.get_decoded()[KEY] for session in UserSession.objects.all() if KEY in session.get_decoded()]
    assert len(kept) == 1 and kept[0][INTAKE]["user"] == irene.pk
    assert "dana.reyes" not in json.dumps(kept) and "Reyes" not in json.dumps(kept)  # the session, decoded
    _sign_in_again(client, irene, INTAKE)
    assert "dana.reyes@example.org" in text(client.get(INTAKE))


def test_forms_sent_from_two_tabs_are_both_kept_even_after_the_sign_in_page_said_why(received, client, irene):
    """From a review: the sign-in page, once it had said why the session ended, forgot who it had been,
    and a second form sent while signed out replaced the first."""
    c = received
    note_url = reverse("cases:note_create", kwargs={"ref": c.reference})
    _signed_out_on(client, irene, INTAKE)
    client.post(INTAKE, _data(narrative=NARRATIVE))  # the first tab
    assert "Your session has ended" in text(client.get(reverse("accounts:login")))  # the note, once
    client.post(note_url, {"body": "Called back at 4."})  # the second tab, afterwards
    _sign_in_again(client, irene, INTAKE)
    assert NARRATIVE in text(client.get(INTAKE))
    assert re.search(
        r'id="note_body">\s*Called back at 4\.</textarea>',
        text(client.get(reverse("cases:detail", kwargs={"ref": c.reference}))),
    )


def test_a_kept_form_whose_step_someone_took_meanwhile_still_comes_back(received, client, irene):
    """From a review: the kept reason was unreachable once the step was no longer possible."""
    c = received
    url = reverse("cases:withdraw", kwargs={"ref": c.reference})
    _signed_out_on(client, irene, url)
    client.post(url, {"what": "mediation", "reason": "She moved to Chicago."})
    ivy = UserFactory(role=Role.INTAKE)
    case_services.complaint_withdraw(complaint=c, actor=ivy, reason="Called the office.")  # someone else, meanwhile
    _sign_in_again(client, irene, url)
    page = text(client.get(url))
    assert "This was not saved: the complaint is now 'Withdrawn'." in page
    assert "She moved to Chicago." in page  # to copy
