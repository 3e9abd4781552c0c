"""The warning before a session ends for inactivity, in a real browser: it counts down, "Stay signed in"
extends the session, and once the session has ended the page says so and keeps what it holds.

The browser's clock is Playwright's (``page.clock``), moved on at will; the server's is real, so the
session's own clock (its touch mark) is set back in the database instead of waiting half an hour."""

from __future__ import annotations

import re
import time
from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import expect

from parley.accounts.middleware import IdleSessionMiddleware
from parley.testing.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGE = settings.SESSION_COOKIE_AGE
LEAD = min(120, AGE // 2)  # as parley.js: the warning comes this long before the end


def _session(page):
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def _later(page, seconds: int) -> None:
    page.clock.fast_forward(seconds * 1000)
    page.wait_for_timeout(300)  # the question to the server, and its answer


def test_the_idle_warning_counts_down_and_stay_signed_in_extends_the_session(page, irene, policy):
    page.clock.install()
    sign_in(page, irene)
    expect(page.get_by_role("heading", level=1, name="My queue")).to_be_visible()
    warning = page.get_by_role("dialog", name="Are you still working?")
    # the first question comes before the session could end; the server says there is time: no dialog
    _later(page, AGE - settings.SESSION_TOUCH_SECONDS - LEAD)
    expect(warning).to_be_hidden()
    # as if the session had last been used 29 minutes ago (in another tab, say): a minute is left
    session = _session(page)
    session[IdleSessionMiddleware.KEY] = int(time.time()) - AGE + 60
    session.save()
    _later(page, AGE - LEAD)  # the next question, two minutes before the end the browser last heard of
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"signs you out after {AGE // 60} minutes without activity")
    expect(warning.locator("[data-idle-countdown]")).to_have_text(
        # the answer is the server's, a moment after the mark was set
        re.compile(r"^(1 minute|5\d seconds)$")
    )
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert_accessible(page, context="the idle warning")
    before = int(time.time())
    stay.click()
    expect(warning).to_be_hidden()
    assert _session(page)[IdleSessionMiddleware.KEY] >= before  # extended now, by the server

    # the session ends on the server (an administrator ended it, or the computer slept): the next
    # question finds it gone, and the page stays as it is, with a way to sign in again and come back
    _session(page).delete()
    _later(page, AGE)
    ended = page.get_by_role("dialog", name="You are signed out")
    expect(ended).to_be_visible()
    # the first button keeps the page (an Enter meant for a form must not leave what was typed)
    expect(ended.get_by_role("button", name="Stay on this page")).to_be_focused()
    expect(ended.get_by_role("link", name="Sign in again")).to_have_attribute("href", "/accounts/login/?next=%2F")
    assert_accessible(page, context="the signed-out dialog")
    page.keyboard.press("Enter")
    expect(ended).to_be_hidden()
    expect(page.get_by_role("heading", level=1, name="My queue")).to_be_visible()
    _later(page, 60)  # asked again in a minute: still signed out, and they chose to stay, so no dialog
    expect(ended).to_be_hidden()


def test_a_page_woken_from_sleep_asks_at_once_and_says_the_session_ended(page, irene, policy):
    """Timers stop while a laptop sleeps; coming back into view, the page asks the server."""
    page.clock.install()
    sign_in(page, irene)
    expect(page.get_by_role("heading", level=1, name="My queue")).to_be_visible()
    _session(page).delete()
    page.clock.set_system_time(int((time.time() + 2 * 60 * 60) * 1000))  # two hours later, no timer fired
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.get_by_role("dialog", name="You are signed out")).to_be_visible()


def test_escape_in_the_warning_is_as_good_as_stay_signed_in(page, irene, policy):
    page.clock.install()
    sign_in(page, irene)
    session = _session(page)
    session[IdleSessionMiddleware.KEY] = int(time.time()) - AGE + 60
    session.save()
    _later(page, AGE - settings.SESSION_TOUCH_SECONDS - LEAD)
    warning = page.get_by_role("dialog", name="Are you still working?")
    expect(warning).to_be_visible()
    before = int(time.time())
    page.keyboard.press("Escape")
    expect(warning).to_be_hidden()
    page.wait_for_timeout(300)
    assert _session(page)[IdleSessionMiddleware.KEY] >= before
