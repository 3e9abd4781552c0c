"""Resetting a lost authenticator (command and admin), and the demo logins' sign-in codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts.demo import DEMO_TOTP_KEY, DEMO_TOTP_SECRET, demo_usernames, ensure_demo_devices
from parley.accounts.models import User, UserSession
from parley.accounts.twofactor import secret_base32
from parley.audit.models import AuditEntry
from parley.cases.demo import DEMO_PASSWORD, DEMO_STAFF
from parley.testing.factories import UserFactory
from parley.testing.otp import device_for
from parley.testing.web import login

VERIFY = reverse("accounts:verify")
PASSWORD = "correct horse battery staple"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- reset


def test_reset_2fa_removes_the_app_signs_the_user_out_and_is_audited(irene):
    device_for(irene)
    browser = Client()
    login(browser, irene)
    output = run("reset_2fa", "irene")
    assert "Two-factor sign-in reset for irene" in output
    assert not TOTPDevice.objects.filter(user=irene).exists()
    assert not UserSession.objects.filter(user=irene).exists()
    entry = AuditEntry.objects.get(action="auth.two_factor_reset")
    assert entry.actor is None
    assert entry.detail == {
        "username": "irene",
        "devices_removed": 1,
        "sessions_ended": 1,
        "via": "manage.py reset_2fa",
    }


def test_after_a_reset_the_next_sign_in_sets_up_an_app_again(client, irene):
    device_for(irene)
    run("reset_2fa", "irene")
    client.post(reverse("accounts:login"), {"username": "irene", "password": PASSWORD})
    assert client.get(VERIFY)["Location"].startswith(reverse("accounts:enrol"))


def test_reset_2fa_of_an_unknown_username_says_so(db):
    with pytest.raises(CommandError, match="No staff account is named 'nobody'"):
        run("reset_2fa", "nobody")


def test_the_admin_resets_two_factor_with_one_action(client, irene):
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    device_for(irene)
    login(client, root)
    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [irene.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=irene).exists()
    entry = AuditEntry.objects.get(action="auth.two_factor_reset")
    assert (entry.actor, entry.detail["via"]) == (root, "admin")


def test_the_admin_user_list_shows_who_has_an_app(client, irene, ray):
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    login(client, root)
    device_for(irene)
    response = client.get(reverse("admin:accounts_user_changelist"))
    rows = {u.username: u._has_authenticator for u in response.context["cl"].result_list}
    assert rows == {"root": True, "irene": True, "ray": False}


# --- demo logins


@pytest.fixture
def demo_staff(db):
    return [UserFactory(username=username, role=role) for username, _, _, role in DEMO_STAFF]


def test_the_demo_secret_is_valid_base32_of_twenty_bytes():
    assert len(bytes.fromhex(DEMO_TOTP_KEY)) == 20


def test_every_demo_login_gets_the_published_demo_secret(demo_staff):
    assert ensure_demo_devices() == len(DEMO_STAFF)
    for user in demo_staff:
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed and secret_base32(device) == DEMO_TOTP_SECRET
    assert ensure_demo_devices() == 0  # only once


def test_a_demo_user_who_set_up_their_own_app_keeps_it(demo_staff):
    own = device_for(demo_staff[0])
    ensure_demo_devices()
    assert list(TOTPDevice.objects.filter(user=demo_staff[0])) == [own]


def test_only_demo_usernames_get_the_demo_secret(demo_staff, irene):
    ensure_demo_devices()
    assert not TOTPDevice.objects.filter(user=irene).exists()


def test_demo_logins_print_the_password_the_secret_and_how_to_get_a_code(demo_staff):
    output = run("demo_logins")
    assert f"password for all: {DEMO_PASSWORD}" in output
    assert DEMO_TOTP_SECRET in output
    assert "manage.py demo_otp USERNAME" in output
    assert TOTPDevice.objects.filter(key=DEMO_TOTP_KEY).count() == len(DEMO_STAFF)


def test_a_demo_code_signs_a_demo_user_in(client, demo_staff):
    ensure_demo_devices()
    username = demo_usernames()[0]
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    code = run("demo_otp", username).strip()
    assert len(code) == 6 and code.isdigit()
    assert client.post(response["Location"], {"code": code})["Location"] == "/"


def test_demo_otp_gives_no_code_for_a_real_account(irene, demo_staff):
    device_for(irene)
    with pytest.raises(CommandError, match="not a demo login"):
        run("demo_otp", "irene")
    device_for(demo_staff[0])  # a demo user with their own app: their codes are theirs
    with pytest.raises(CommandError, match="not a demo login"):
        run("demo_otp", demo_staff[0].username)


def test_seeding_the_demo_gives_the_demo_logins_their_codes(db):
    call_command("seed_demo", complaints=5, stdout=io.StringIO())
    assert TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True).count() == len(DEMO_STAFF)


def test_devices_are_not_edited_in_the_admin_only_reset_through_the_audited_action():
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    assert "reset_two_factor" in admin.site._registry[User].actions
