"""The public home page and the sign-in page, in a real browser, pass axe at WCAG 2.1 AA."""

from __future__ import annotations

import pytest

from parley.testing.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_is_accessible_and_says_what_is_wrong(page):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password", exact=True).fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").count() >= 1
    assert_accessible(page, context="sign-in error state")


def test_the_accessibility_check_itself_catches_an_unlabelled_field(page, live_server):
    bad = "<html lang='en'><head><title>t</title></head><body><main><input type='text'></main></body></html>"
    page.route(f"{live_server.url}/unlabelled", lambda route: route.fulfill(body=bad, content_type="text/html"))
    page.goto("/unlabelled")
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
