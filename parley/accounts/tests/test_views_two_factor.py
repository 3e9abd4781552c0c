"""Two-factor sign-in: the password, then a code from an authenticator app, or setting one up."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts.models import UserSession
from parley.accounts.permissions import can, role_of
from parley.accounts.twofactor import code_now, secret_base32, secret_in_groups
from parley.audit.models import AuditEntry
from parley.cases.workflow import Status
from parley.testing.factories import UserFactory, receive_complaint
from parley.testing.otp import device_for, next_code, wrong_code
from parley.testing.web import HTMX, login, text

PASSWORD = "correct horse battery staple"
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")


def password_step(client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def actions() -> list[str]:
    """The sign-in entries of the audit trail, oldest first."""
    return list(AuditEntry.objects.filter(action__startswith="auth.").values_list("action", flat=True))


# --- the code step


def test_a_staff_member_signs_in_with_the_password_and_a_code_and_lands_on_their_queue(client, irene):
    device = device_for(irene)
    response = password_step(client, irene)
    assert response["Location"] == f"{VERIFY}?next=%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Enter your sign-in code" in text(page)
    assert '<label class="usa-label" for="id_code">Code from your authenticator app</label>' in text(page)
    assert 'autocomplete="one-time-code"' in text(page)
    key_after_password = client.session.session_key

    response = client.post(VERIFY, {"code": next_code(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != key_after_password  # a fresh key once fully signed in
    assert client.get("/").status_code == 200
    assert actions()[:2] == ["auth.sign_in", "auth.code_verified"]


def test_the_code_step_keeps_where_the_user_was_going(client, irene, policy):
    device = device_for(irene)
    response = password_step(client, irene, next_url=reverse("cases:list"))
    assert response["Location"] == f"{VERIFY}?next=%2Fcomplaints%2F"
    response = client.post(VERIFY, {"code": next_code(device), "next": reverse("cases:list")})
    assert response["Location"] == reverse("cases:list")


def test_the_code_step_never_sends_the_user_to_another_site(client, irene):
    device = device_for(irene)
    password_step(client, irene)
    response = client.post(VERIFY, {"code": next_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_codes_may_be_typed_with_spaces_as_the_app_shows_them(client, irene):
    device = device_for(irene)
    password_step(client, irene)
    code = next_code(device)
    response = client.post(VERIFY, {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302


def test_a_wrong_code_says_so_and_the_user_stays_on_the_code_step(client, irene):
    device = device_for(irene)
    password_step(client, irene)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200
    body = text(response)
    assert "That code is not right." in body
    assert 'role="alert"' in body
    assert "<title>Error: Enter your sign-in code | Parley</title>" in body
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/")["Location"] == f"{VERIFY}?next=%2F"
    failed = AuditEntry.objects.get(action="auth.code_failed")
    assert (failed.actor, failed.detail) == (irene, {"username": "irene"})


def test_a_code_that_is_not_six_digits_is_refused_and_not_counted_as_a_guess(client, irene):
    device = device_for(irene)
    password_step(client, irene)
    for typed, message in [("", "Type the code your authenticator app shows."), ("12ab56", "The code is 6 digits")]:
        response = client.post(VERIFY, {"code": typed})
        assert message in text(response)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert "auth.code_failed" not in actions()


def test_a_code_works_only_once(client, irene):
    device = device_for(irene)
    with time_machine.travel(timezone.now(), tick=False):
        code = code_now(device)
        password_step(client, irene)
        assert client.post(VERIFY, {"code": code}).status_code == 302
        client.post(reverse("accounts:logout"))
        password_step(client, irene)
        response = client.post(VERIFY, {"code": code})
    assert "That code is not right." in text(response)


def test_the_code_page_answers_only_get_and_post(client, irene):
    device_for(irene)
    password_step(client, irene)
    assert client.put(VERIFY).status_code == 405
    assert client.put(ENROL).status_code == 405


def test_the_code_pages_send_a_visitor_who_is_not_signed_in_to_sign_in(client, db):
    for url in [VERIFY, ENROL]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_fully_signed_in_user_on_the_code_page_goes_on_to_the_queue(client, irene):
    login(client, irene)
    assert client.get(VERIFY)["Location"] == "/"
    assert client.get(reverse("accounts:login"))["Location"] == "/"


# --- setting up an authenticator app


def test_a_user_without_an_app_is_taken_to_set_one_up(client, irene):
    response = password_step(client, irene)
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"
    page = client.get(response["Location"])
    body = text(page)
    device = TOTPDevice.objects.get(user=irene)
    assert not device.confirmed
    assert "Set up your authenticator app" in body
    assert "<svg" in body and 'role="img"' in body and 'aria-label="QR code' in body
    assert secret_in_groups(device) in body  # for typing, and for screen readers
    assert f'href="{device.config_url}"' in body
    assert device.config_url.startswith("otpauth://totp/Parley%3Airene?secret=")
    assert f"secret={secret_base32(device)}" in device.config_url and "issuer=Parley" in device.config_url
    # the same secret on every visit until it is confirmed
    assert secret_in_groups(device) in text(client.get(ENROL))
    assert TOTPDevice.objects.filter(user=irene).count() == 1


def test_the_first_right_code_confirms_the_app_and_signs_the_user_in(client, irene):
    password_step(client, irene)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=irene)
    response = client.post(ENROL, {"code": next_code(device), "next": "/"})
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(action="auth.two_factor_enrolled")
    assert (entry.actor, entry.object_id) == (irene, str(irene.pk))


def test_a_wrong_first_code_leaves_the_app_unconfirmed(client, irene):
    password_step(client, irene)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=irene)
    response = client.post(ENROL, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "That code is not right. Check that the app shows the code for Parley" in text(response)
    assert 'role="alert"' in text(response)
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/")["Location"].startswith(VERIFY)
    assert "auth.two_factor_enrol_failed" in actions()


def test_the_password_alone_cannot_add_a_second_app_to_an_account(client, irene):
    device = device_for(irene)
    password_step(client, irene)
    response = client.get(ENROL)
    assert response["Location"] == f"{VERIFY}?next=%2F"
    response = client.post(ENROL, {"code": "123456"})
    assert response["Location"] == f"{VERIFY}?next=%2F"
    assert list(TOTPDevice.objects.filter(user=irene)) == [device]


# --- nothing before the second factor


@pytest.fixture
def complaint(policy, irene, ray, carla, alma):
    return receive_complaint(irene)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        reverse("cases:list"),
        reverse("cases:intake"),
        reverse("mediation:my_sessions"),
        reverse("accounts:password_change"),
        reverse("admin:index"),
        "/admin/accounts/user/",
    ],
)
def test_until_the_code_is_given_no_staff_page_opens(client, url, complaint, irene):
    device_for(irene)
    password_step(client, irene)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")


def test_until_the_code_is_given_a_complaint_cannot_be_read_or_changed(client, complaint, irene):
    device_for(irene)
    password_step(client, irene)
    detail = reverse("cases:detail", kwargs={"ref": complaint.reference})
    assert client.get(detail)["Location"] == f"{VERIFY}?next={detail.replace('/', '%2F')}"
    response = client.post(detail, {"text": "a note"})
    assert response["Location"] == VERIFY
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_an_htmx_request_before_the_code_is_sent_to_the_code_step_as_a_whole_page(client, irene):
    device_for(irene)
    password_step(client, irene)
    response = client.get(
        reverse("cases:list") + "?page=2", headers={**HTMX, "HX-Current-URL": "http://testserver/complaints/"}
    )
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2Fcomplaints%2F"


def test_until_the_code_is_given_the_header_offers_only_signing_out(client, irene):
    device_for(irene)
    password_step(client, irene)
    body = text(client.get(VERIFY))
    assert 'id="nav-sign-out"' in body
    assert 'id="nav-queue"' not in body
    assert 'id="nav-complaints"' not in body


def test_a_user_who_gave_only_the_password_can_sign_out(client, irene):
    device_for(irene)
    password_step(client, irene)
    response = client.post(reverse("accounts:logout"))
    assert "You are signed out" in text(response)
    assert SESSION_KEY not in client.session


def test_a_role_counts_only_after_the_second_factor(client, irene):
    """The second lock behind the middleware: the permission table sees no role before the code."""
    device_for(irene)
    password_step(client, irene)
    response = client.get(VERIFY)
    half_signed_in = response.wsgi_request.user
    assert half_signed_in.is_authenticated and not half_signed_in.is_verified()
    assert role_of(half_signed_in) == ""
    assert not can(half_signed_in, "list_complaints")
    assert role_of(irene) == "intake"  # a user loaded outside a request (services, commands) keeps it


# --- the admin


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)


def test_the_admin_opens_only_after_the_second_factor(client, superuser):
    device = device_for(superuser)
    password_step(client, superuser)
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    client.post(VERIFY, {"code": next_code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_page_leads_to_parleys_sign_in(client, superuser):
    response = client.get("/admin/", follow=False)
    assert response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_a_verified_user_who_is_not_an_administrator_is_refused_by_the_admin(client, irene):
    login(client, irene)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


def test_the_admin_site_itself_checks_the_second_factor(superuser, rf):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = superuser
    superuser.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    superuser.is_verified = lambda: True
    assert admin.site.has_permission(request)


# --- sessions are indexed by user


def test_every_session_row_names_its_user_through_sign_in_and_key_changes(client, irene):
    device = device_for(irene)
    password_step(client, irene)
    assert UserSession.objects.get(session_key=client.session.session_key).user == irene
    client.post(VERIFY, {"code": next_code(device)})
    assert UserSession.objects.get(session_key=client.session.session_key).user == irene
    assert UserSession.objects.filter(user=irene).count() == 1  # the old key went with the rotation
    client.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=irene).exists()
