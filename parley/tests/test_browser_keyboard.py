"""Keyboard shortcuts of the staff pages (UX.md: "keyboard shortcuts ... for the daily forms; fast
search by reference number"), in a real browser: Ctrl+K goes to the search box, a reference number
found there opens its complaint, and Ctrl+Enter sends the form being filled in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.testing.browser import assert_accessible, sign_in
from parley.testing.factories import Journey
from parley.tests.browser_steps import choose, open_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey(policy, irene, ray, carla) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla)


def test_ctrl_k_finds_a_complaint_by_reference_and_ctrl_enter_sends_the_open_form(page, journey, irene):
    c = reach(Status.RECEIVED, journey)
    sign_in(page, irene)
    expect(page.locator("#keyboard-help")).to_be_visible()  # the footer says which keys do what
    assert_accessible(page, context="the queue, with the header's Find a complaint")

    page.keyboard.press("Control+k")
    box = page.get_by_label("Find a complaint by reference number, name or badge")
    expect(box).to_be_focused()
    page.keyboard.type(c.reference)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=f"Complaint {c.reference}")).to_be_visible()

    panel = open_action(page, "Record the acknowledgement")
    choose(panel, "How was the complainant told?", "Letter")
    panel.locator("#action-form-heading").focus()  # where the focus is when an action has just opened
    page.keyboard.press("Control+Enter")
    expect(page.locator("#messages").get_by_text("The acknowledgement is recorded.")).to_be_visible()

    page.locator("#nav-complaints").click()  # the list: its own search box
    expect(page.locator("#quick-find")).to_have_count(0)
    page.keyboard.press("Control+k")
    expect(page.get_by_label("Search")).to_be_focused()
