"""Staff sign-in, sign-out, password change and password reset by email."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from parley.testing.web import login, text

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a much longer new password 42"


def test_the_sign_in_page_has_labelled_fields_and_a_reset_link(client, db):
    body = text(client.get(reverse("accounts:login")))
    assert '<label class="usa-label" for="id_username">Username</label>' in body
    assert '<label class="usa-label" for="id_password">Password</label>' in body
    assert reverse("accounts:password_reset") in body


def test_the_right_password_leads_to_the_code_step(client, irene):
    response = client.post(reverse("accounts:login"), {"username": "irene", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify") + "?next=%2F"


def test_a_wrong_password_says_so_without_saying_which_part_is_wrong(client, irene):
    response = client.post(reverse("accounts:login"), {"username": "irene", "password": "nope"})
    assert response.status_code == 200
    assert "The username or password is not right." in text(response)
    assert 'role="alert"' in text(response)
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_username_longer_than_any_account_has_is_refused_with_a_message_not_a_500(client, irene, length):
    from axes.models import AccessAttempt, AccessFailureLog

    # the sign-in form checks no length of its own (Django's sets the field's limit after making it),
    # and the lockout's record of a failed try holds 255 characters: PostgreSQL refused it, a 500
    response = client.post(reverse("accounts:login"), {"username": "x" * length, "password": PASSWORD})
    assert response.status_code == 200
    assert "A username has at most 150 characters." in text(response)
    assert SESSION_KEY not in client.session
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()  # no account was tried


def test_signing_out_is_a_post(client, irene):
    login(client, irene)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 200
    assert "You are signed out" in text(response)
    assert SESSION_KEY not in client.session


def test_every_staff_page_has_a_sign_out_button(client, irene):
    login(client, irene)
    body = text(client.get("/"))
    assert f'<form method="post" action="{reverse("accounts:logout")}"' in body
    assert 'id="nav-sign-out"' in body


def test_changing_the_password_needs_the_current_one(client, irene):
    login(client, irene)
    url = reverse("accounts:password_change")
    response = client.post(url, {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert 'role="alert"' in text(response)
    # in the words of the page (its field is "Your current password"), and saying what became of it
    assert "Your password was not changed: there is a problem" in text(response)
    assert "Your current password is not right. Type it again." in text(response)
    assert "old password" not in text(response).lower()
    irene.refresh_from_db()
    assert irene.check_password(PASSWORD)
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    irene.refresh_from_db()
    assert irene.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_password_rules_show_as_a_list_not_as_markup(language, client, irene):
    login(client, irene)
    body = client.get(reverse("accounts:password_change"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert '<div class="usa-hint" id="id_new_password1_helptext"><ul><li>' in body
    assert "&lt;li&gt;" not in body


def test_the_error_summary_names_the_password_fields_as_the_form_does(client, irene):
    login(client, irene)
    body = text(client.post(reverse("accounts:password_change"), {"old_password": "", "new_password1": "x"}))
    start = body.index('id="error-summary"')
    summary = body[start : body.index("</ul>", start)]
    assert "Your current password" in summary and "New password again" in summary
    assert "Old password" not in body and "New password confirmation" not in body


def test_changing_the_password_needs_a_signed_in_user(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_password_reset_email_leads_to_a_new_password(client, irene):
    irene.email = "irene@oversight.example"
    irene.last_name = "O'Neil & Ortiz"  # a plain-text email: written as it is, not as HTML would be
    irene.save()
    response = client.post(reverse("accounts:password_reset"), {"email": "irene@oversight.example"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Parley: choose a new password"
    assert f"Hello {irene.first_name} O'Neil & Ortiz,\n" in message.body
    assert f"Your username is: {irene.username}\n" in message.body
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in text(form_page)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    irene.refresh_from_db()
    assert irene.check_password(NEW_PASSWORD)


def test_a_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert "Check your email" in text(response)
    assert mail.outbox == []


def test_a_used_or_wrong_reset_link_says_so(client, irene):
    response = client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}))
    assert "This link does not work any more" in text(response)
