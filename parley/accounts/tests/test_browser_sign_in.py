"""The two-factor sign-in pages in a real browser: every step and every error state passes axe."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from parley.testing.browser import assert_accessible, sign_in
from parley.testing.otp import device_for, next_code, wrong_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def type_password(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_setting_up_an_authenticator_app_step_by_step(page, irene):
    type_password(page, "irene")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code for adding Parley to an authenticator app")).to_be_visible()
    assert_accessible(page, context="the set-up page")
    device = TOTPDevice.objects.get(user=irene, confirmed=False)
    page.get_by_label("Code from your authenticator app").fill(wrong_code(device))
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    assert_accessible(page, context="the set-up page with a wrong code")
    page.wait_for_timeout(1100)  # the device's wait after a wrong code
    page.get_by_label("Code from your authenticator app").fill(next_code(device))
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")


def test_the_code_step_and_its_error_state(page, irene):
    device = device_for(irene)
    type_password(page, "irene")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    assert_accessible(page, context="the code page")
    page.get_by_label("Code from your authenticator app").fill(wrong_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    assert_accessible(page, context="the code page with a wrong code")
    page.wait_for_timeout(1100)
    page.get_by_label("Code from your authenticator app").fill(next_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")


def test_the_lockout_page_is_calm_and_accessible(page, irene):
    for _ in range(4):
        type_password(page, "irene", "a wrong password")
    # Chromium logs the 429 answer as a console error: this tab accepts exactly that one message
    tab = page.context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 429" not in m.text else None)
    type_password(tab, "irene", "a wrong password")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Sign-in is paused for this account")
    assert_accessible(tab, context="the lockout page")
    tab.close()
    assert not errors, errors


def test_the_page_of_a_paused_network_is_calm_and_accessible(page, irene, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    for name in ["ana", "ben", "cleo"]:
        type_password(page, name, "a wrong password")
    tab = page.context.new_page()  # as above: this tab accepts the one 429 console message
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 429" not in m.text else None)
    type_password(tab, "dev", "a wrong password")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Sign-in is paused for this network")
    expect(tab.get_by_text("There were 4 unsuccessful tries to sign in from this network")).to_be_visible()
    assert_accessible(tab, context="the lockout page of a network")
    tab.close()
    assert not errors, errors


def test_after_inactivity_the_sign_in_page_says_why(page, irene, policy):
    sign_in(page, irene)
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")
    # 31 minutes later for the server (time_machine moves the live server's clock too)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        page.goto("/complaints/")
        expect(page.get_by_role("status")).to_contain_text("You were signed out after 30 minutes without activity")
        assert_accessible(page, context="the sign-in page after inactivity")
