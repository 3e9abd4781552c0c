"""Browser-test fixtures: Debian's Chromium driven by Playwright, axe-core checks, console errors.

Every page a browser test visits can be checked with ``assert_accessible(page)``; a console error on
any page fails the test (``page`` fixture). Chromium is never downloaded: the tests use
/usr/bin/chromium and are skipped (and listed) by the root conftest when it is missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests make
    # between page actions are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # While Playwright's event loop runs in this thread, Django keeps the thread's database
        # connections apart from those it had before (asgiref's Local follows the async context), so
        # every test after the first browser test used a second connection. Closed here, before the loop
        # stops: left open, it outlived the run, and dropping the test database failed ("is being
        # accessed by other users").
        connections.close_all()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser page on the live server. Any console error or page error fails the test, except
    those a test says it causes on purpose (``page.expected_errors``: parts of their text)."""
    # The Content-Security-Policy stays on: a violation is a console error, and fails the test.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.expected_errors = []
    yield page
    context.close()
    errors = [e for e in errors if not any(part in e for part in page.expected_errors)]
    assert not errors, "\n".join(errors)


def assert_accessible(page, *, context: str = "") -> None:
    """Run axe-core on the page as it is now; fail on any WCAG 2.1 A/AA violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # from our own origin, so the page's Content-Security-Policy allows it
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    # only the violations travel back from the browser (the whole result is large and slow to send)
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target),
            }));
        }""",
        WCAG_AA,
    )
    where = context or page.url
    assert not violations, f"axe found WCAG 2.1 AA violations on {where}:\n{json.dumps(violations, indent=2)}"


def sign_in(page, user, password: str = "correct horse battery staple") -> None:  # noqa: S107 (factories' password)
    """Sign ``user`` in through the real sign-in pages (every step a person would take): the password,
    then the code of their authenticator app (a confirmed device is set up for them if they have none,
    and the code is computed as the app would). After a wrong password it stops on the sign-in page."""
    from parley.testing.otp import device_for, next_code

    device = device_for(user)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if urlparse(page.url).path != "/accounts/login/code/":
        return
    page.get_by_label("Code from your authenticator app").fill(next_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
