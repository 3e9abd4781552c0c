"""Issue 3, the branches that leave mediation, in a real browser: each starts from a complaint brought
to the step before through the services, then takes the decisive step through the page, first
wrongly (the form says what is wrong, and passes axe) and then rightly."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parley.accounts.roles import Role
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.mediation.models import MediationSession
from parley.testing.browser import assert_accessible, sign_in
from parley.testing.factories import Journey, MediatorFactory
from parley.tests.browser_steps import (
    action_buttons,
    choose,
    expect_refused,
    expect_status,
    find_in_list,
    move_session_into_the_past,
    open_action,
    open_complaint,
    save,
    sign_out,
    submit_expecting_errors,
    tick,
    timeline,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TO_INVESTIGATION = "Returned to Internal Affairs for a full investigation"


@pytest.fixture
def journey(policy, irene, ray, carla) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla)


def test_a_yes_at_screening_finds_the_complaint_unsuitable_and_sends_it_to_investigation(page, journey, irene, ray):
    c = reach(Status.RECEIVED, journey)
    sign_in(page, irene)
    expect(page.locator("#queue").get_by_role("row").filter(has_text=c.reference)).to_contain_text(
        "Screen for exclusion factors"
    )
    open_complaint(page, c.reference)
    panel = open_action(page, "Record the acknowledgement")
    choose(panel, "How was the complainant told?", "Letter")
    save(page, "Save the acknowledgement", "The acknowledgement is recorded.")  # the page now shows a message
    panel = open_action(page, "Screen for exclusion factors")
    choose(panel, "Does the complaint allege serious physical injury?", "No")
    choose(panel, "Does the complaint allege property damage?", "No")
    choose(panel, "Is there a pending criminal case connected to the incident?", "No")
    submit_expecting_errors(
        page,
        "Save the screening",
        "Is there a civil lawsuit connected to the incident? Answer this question.",
        context="the screening form with a question unanswered",
    )
    expect(panel.locator("#error-summary")).to_contain_text("Nothing was saved: there is a problem")
    expect(panel.locator("#action-messages .usa-alert--error")).to_have_count(0)  # said once, not twice
    expect(panel.get_by_label("No", exact=True).first).to_be_checked()  # the answers given are kept
    choose(panel, "Is there a civil lawsuit connected to the incident?", "Yes")
    save(page, "Save the screening", "The screening is recorded.")

    expect_status(page, "Found unsuitable")
    expect(page.locator("#complaint-disposition")).to_have_text(TO_INVESTIGATION)
    expect(page.locator("#timeline")).to_contain_text("Is there a civil lawsuit connected to the incident? Yes.")
    expect(page.locator("#timeline")).to_contain_text("Received → Found unsuitable")
    expect(action_buttons(page)).to_have_count(0)
    assert_accessible(page, context="the complaint page, found unsuitable")
    sign_out(page)

    # Internal Affairs has nothing to decide on it, and finds it closed to mediation, with the reason.
    sign_in(page, ray)
    expect(page.get_by_role("heading", name="Nothing is waiting for you")).to_be_visible()
    assert_accessible(page, context="IAD's empty queue")
    find_in_list(page, c.reference)
    open_complaint(page, c.reference)
    expect_status(page, "Found unsuitable")
    expect(page.locator("#screening").get_by_role("row").filter(has_text="civil lawsuit")).to_contain_text("Yes")
    assert_accessible(page, context="the unsuitable complaint, for IAD")


def test_an_officer_who_declines_sends_the_complaint_to_investigation(page, journey, ray, carla):
    c = reach(Status.AWAITING_OFFICER_CONSENT, journey)
    officer = c.officers.get()
    sign_in(page, ray)  # Internal Affairs asks the officer
    expect(page.locator("#queue").get_by_role("row").filter(has_text=c.reference)).to_contain_text(
        "Record the officer's answer"
    )
    open_complaint(page, c.reference)
    panel = open_action(page, f"Record the officer's answer: {officer.display_name}")
    expect(panel.get_by_role("heading", name=f"Record the answer of {officer.display_name}")).to_be_visible()
    submit_expecting_errors(
        page,
        "Save the answer",
        "Does the officer agree to mediation? Choose yes or no.",
        context="the officer's answer form, unanswered",
    )
    choose(panel, "Does the officer agree to mediation?", "No")
    panel.get_by_label("Note").fill("The officer prefers the investigation.")
    save(page, "Save the answer", "The officer's answer is recorded.")

    expect_status(page, "Declined by officer")
    expect(page.locator("#complaint-disposition")).to_have_text(TO_INVESTIGATION)
    expect(page.locator("#officers")).to_contain_text("Declined mediation")
    expect(page.locator("#timeline")).to_contain_text(f"Officer DSN {officer.dsn}: declined")
    assert_accessible(page, context="the complaint page, declined by the officer")
    sign_out(page)

    # Never referred: the mediation center does not see it at all.
    sign_in(page, carla)
    page.get_by_role("link", name="Complaints", exact=True).click()
    expect(page.locator("#result-count")).to_have_text("0 complaints found")
    assert_accessible(page, context="the coordinator's empty complaint list")
    expect_refused(page, f"/complaints/{c.reference}/", 404)


def test_a_session_that_does_not_resolve_it_sends_the_complaint_to_investigation(page, journey, carla, maya):
    c = reach(Status.REFERRED, journey)
    team = [MediatorFactory(user=maya, first_name="Maya", last_name="Fischer"), MediatorFactory(first_name="Sam")]
    session = journey.schedule(c, mediators=team)
    move_session_into_the_past(session)

    # The coordinator records it from the complaint page (the mediators did not).
    sign_in(page, carla)
    expect(page.locator("#queue").get_by_role("row").filter(has_text=c.reference)).to_contain_text("Record the outcome")
    open_complaint(page, c.reference)
    panel = open_action(page, "Record the outcome")
    assert_accessible(page, context="the coordinator's outcome form")
    tick(panel, "Dana Reyes")
    submit_expecting_errors(
        page, "Save the outcome", "How did the session end? Choose how the session ended.", context="outcome, none"
    )
    expect(panel.get_by_label("Dana Reyes", exact=True)).to_be_checked()  # what was ticked is kept
    choose(panel, "How did the session end?", "Not resolved")
    choose(panel, "Officers present", c.officers.get().display_name)
    choose(panel, "Mediators present", "Maya Fischer")
    choose(panel, "Mediators present", str(team[1]))
    save(page, "Save the outcome", "The outcome is recorded.")

    expect_status(page, "Not resolved")
    expect(page.locator("#complaint-disposition")).to_have_text(TO_INVESTIGATION)
    expect(page.locator("#sessions")).to_contain_text("Held: Not resolved")
    expect(page.locator("#sessions")).to_contain_text("Dana Reyes: present")
    assert timeline(page)[-1] == "Session outcome recorded"
    assert_accessible(page, context="the complaint page, not resolved")
    sign_out(page)

    # The mediator has nothing left to do for it.
    sign_in(page, maya)
    expect(page.locator(".parley-session")).to_have_count(0)
    expect_refused(page, f"/sessions/{session.pk}/outcome/", 302)  # back to her sessions, with a message


def test_a_complainant_can_send_the_complaint_back_when_the_officer_did_not_take_part_in_good_faith(
    page, journey, irene
):
    c = reach(Status.SCHEDULED, journey)
    move_session_into_the_past(MediationSession.objects.get(complaint=c))
    sign_in(page, irene)  # the complainant calls the oversight board after the session
    find_in_list(page, "Reyes")
    open_complaint(page, c.reference)
    # The action's own page (what the button opens without JavaScript, or in a new tab).
    href = action_buttons(page).filter(has_text="Send back: no good faith").get_attribute("href")
    page.goto(href)
    expect(page.get_by_role("heading", level=2, name="Send back to investigation: no good faith")).to_be_visible()
    assert_accessible(page, context="the send-back page")
    submit_expecting_errors(page, "Send back to investigation", "Reason: Give the reason.", context="send-back, empty")
    page.get_by_label("Reason").fill("The officer left after five minutes and would not talk.")
    save(page, "Send back to investigation", "The complaint is sent back to investigation.")

    expect_status(page, "Good-faith send-back")
    expect(page.locator("#complaint-disposition")).to_have_text(TO_INVESTIGATION)
    expect(page.locator("#timeline")).to_contain_text("The officer left after five minutes and would not talk.")
    expect(page.locator("#timeline")).to_contain_text("Session scheduled → Good-faith send-back")
    assert_accessible(page, context="the complaint page, sent back")


def test_opening_another_action_asks_before_dropping_what_was_typed_in_the_open_one(page, journey, irene):
    c = reach(Status.RECEIVED, journey)
    sign_in(page, irene)
    open_complaint(page, c.reference)
    panel = open_action(page, "Screen for exclusion factors")
    screen = page.get_by_role("link", name="Screen for exclusion factors")
    expect(screen).to_have_attribute("aria-current", "true")  # the open one is marked
    background = "e => getComputedStyle(e).backgroundColor"  # and looks it, beside one that is not open
    page.mouse.move(0, 0)  # (not only while the pointer is over it)
    assert screen.evaluate(background) != page.get_by_role("link", name="Record the acknowledgement").evaluate(
        background
    )
    choose(panel, "Does the complaint allege property damage?", "No")
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("link", name="Record the acknowledgement").click()
    expect(panel.get_by_role("heading", name="Screen for exclusion factors")).to_be_visible()  # kept
    property_damage = panel.get_by_role("group", name="Does the complaint allege property damage?")
    expect(property_damage.get_by_label("No", exact=True)).to_be_checked()
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("link", name="Record the acknowledgement").click()
    expect(panel.get_by_role("heading", name="Record the acknowledgement")).to_be_visible()
    expect(page.get_by_role("link", name="Record the acknowledgement")).to_have_attribute("aria-current", "true")
    expect(screen).not_to_have_attribute("aria-current", "true")
    assert len(asked) == 2 and "not saved" in asked[0]


def test_a_form_the_server_refuses_says_so_in_the_panel_and_keeps_what_was_typed(page, journey, irene):
    """From a data-loss review: a form of the panel refused by the CSRF check (a page left open while its
    person signed in again elsewhere) did nothing visible."""
    c = reach(Status.RECEIVED, journey)
    sign_in(page, irene)
    open_complaint(page, c.reference)
    panel = open_action(page, "Record the acknowledgement")
    choose(panel, "How was the complainant told?", "Letter")
    page.context.clear_cookies(name="csrftoken")  # the page's token no longer matches the browser's
    # the refusal itself, as the browser and htmx report it
    page.expected_errors += ["status of 403 (Forbidden)", "Response Status Error Code 403"]
    page.get_by_role("button", name="Save the acknowledgement", exact=True).click()
    alert = panel.locator(".parley-send-failed")
    expect(alert).to_contain_text("This was not sent, so nothing was saved. The page was out of date")
    expect(alert).to_be_focused()
    expect(panel.get_by_label("Letter")).to_be_checked()  # what was typed is still there
    assert_accessible(page, context="the panel with a refused form")
    c.refresh_from_db()
    assert c.acknowledged_at is None


def test_a_panel_form_refused_for_a_role_changed_meanwhile_says_so_and_keeps_what_was_typed(page, journey, irene):
    """From a replay review: an action's form sent after the sender's role was changed got the message of
    an out-of-date page ("reload and send it again"), which could never work."""
    c = reach(Status.RECEIVED, journey)
    sign_in(page, irene)
    open_complaint(page, c.reference)
    panel = open_action(page, "Record the acknowledgement")
    choose(panel, "How was the complainant told?", "Letter")
    type(irene).objects.filter(pk=irene.pk).update(role=Role.IAD)
    page.expected_errors += ["status of 403 (Forbidden)", "Response Status Error Code 403"]
    page.get_by_role("button", name="Save the acknowledgement", exact=True).click()
    alert = panel.locator(".parley-send-failed")
    expect(alert).to_contain_text("Nothing was saved: your role does not allow this")
    expect(alert).not_to_contain_text("reload the page")
    expect(alert).to_be_focused()
    expect(panel.get_by_label("Letter")).to_be_checked()
    c.refresh_from_db()
    assert c.acknowledged_at is None
