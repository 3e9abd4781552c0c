"""What a person does on Parley's staff pages, one small function per step, for the browser journeys.

Each step acts through the page the way a person would (links, labels, buttons) and waits for what
the page shows next. Signing in is never done here: journeys call ``parley.testing.browser.sign_in``,
which owns every step of it (the password, and the authenticator code).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from parley.mediation.models import MediationSession
from parley.testing.browser import assert_accessible


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="You are signed out")).to_be_visible()


def open_complaint(page: Page, reference: str) -> None:
    """Follow the link named by the reference (from the queue or the list) to the complaint page."""
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=f"Complaint {reference}")).to_be_visible()


def find_in_list(page: Page, words: str) -> None:
    """Search the complaint list (reference, name, DSN or badge)."""
    page.get_by_role("link", name="Complaints", exact=True).click()
    page.get_by_label("Search").fill(words)
    page.get_by_role("button", name="Show complaints").click()
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator("#result-count")).to_be_visible()


def expect_status(page: Page, label: str) -> None:
    expect(page.locator("#complaint-status")).to_have_text(label)


def action_buttons(page: Page) -> Locator:
    return page.locator("#actions .parley-actions a")


def open_action(page: Page, label: str) -> Locator:
    """Press an action button of the complaint page: its form opens in the page's action panel (htmx)."""
    page.locator("#actions").get_by_role("link", name=label).click()
    panel = page.locator("#action-panel")
    expect(panel.locator("form")).to_be_visible()
    expect(panel.locator("#action-form-heading")).to_be_focused()  # keyboard and screen-reader users land on it
    return panel


def choose(panel: Locator, question: str, answer: str) -> None:
    """Pick ``answer`` among the radio buttons (or tick the box) of the fieldset named ``question``.

    USWDS draws each option as a tile on its label and moves the input itself off-screen, so this
    clicks the label, as a person does, and checks that the option is now selected."""
    group = panel.get_by_role("group", name=question)
    group.locator("label").get_by_text(answer, exact=True).click()
    expect(group.get_by_label(answer, exact=True)).to_be_checked()


def tick(scope: Page | Locator, label: str) -> None:
    """Tick a single USWDS checkbox by clicking its label (the input itself is drawn off-screen)."""
    scope.locator("label").get_by_text(label, exact=True).click()
    expect(scope.get_by_label(label, exact=True)).to_be_checked()


def save(page: Page, button: str, message: str) -> None:
    """Submit the open form and wait for the page that says it was saved."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("#messages").get_by_text(message)).to_be_visible()
    expect(page.locator("#messages")).to_be_focused()  # a screen reader reads it out; the keyboard starts there


def submit_expecting_errors(page: Page, button: str, *errors: str, context: str, beside_field: bool = True) -> None:
    """Submit a form that is wrong. The USWDS error summary takes the focus and lists each problem
    (``errors``: parts of its text) with a link that leads to the field; when ``beside_field``, the
    problems are also shown next to their fields. Then the page, errors and all, must pass axe."""
    page.get_by_role("button", name=button, exact=True).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()  # so that a screen reader reads it out, and the keyboard starts there
    for error in errors:
        expect(summary).to_contain_text(error)
    anchors = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href').slice(1))")
    assert anchors, "the error summary links each problem to its field"
    missing = [a for a in anchors if page.locator(f"[id='{a}']").count() != 1]
    assert not missing, f"error summary links lead nowhere: {missing}"
    beside = page.locator(".usa-error-message").all_inner_texts()
    if beside_field:
        assert beside, "each problem is also shown next to its field"
    summary_text = summary.inner_text()
    assert all(text in summary_text for text in beside), f"shown by a field but not in the summary: {beside}"
    assert_unique_ids(page)
    assert_accessible(page, context=context)


def assert_unique_ids(page: Page) -> None:
    """No id twice on the page (axe 4.14 no longer checks this, but labels, error links and
    aria-describedby all lead to the first element of an id)."""
    twice = page.evaluate(
        "() => [...document.querySelectorAll('[id]')].map(e => e.id).filter((id, i, all) => all.indexOf(id) !== i)"
    )
    assert not twice, f"ids used more than once: {sorted(set(twice))}"


def timeline(page: Page) -> list[str]:
    """The steps of the complaint's timeline, oldest first."""
    return page.locator("#timeline tbody tr th").all_inner_texts()


def move_session_into_the_past(session: MediationSession) -> None:
    """The coordinator booked the session for a day ahead; the session then takes place. A test cannot
    wait for that day, so the booked time is moved back to an hour ago directly in the database (the
    outcome form rightly refuses an outcome before the session has started)."""
    MediationSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))


def expect_refused(page: Page, url: str, status: int) -> None:
    """The signed-in user asks for ``url`` (with the browser's own cookies) and gets ``status``: 403 or 404
    for a refusal, 302 where the page sends the user elsewhere. The answer is not shown in the page,
    whose console would report the 4xx as an error (``open_refused_page`` shows one)."""
    response = page.request.get(url, max_redirects=0)
    assert response.status == status, f"{url} answered {response.status}, expected {status}"


def open_refused_page(page: Page, url: str, status: int, heading: str) -> None:
    """Open ``url`` in a second tab of the same signed-in browser, check the refusal page it shows, and
    run axe on it. Chromium logs every 4xx page as a console error; this tab accepts exactly that one
    message and fails on any other console error."""
    tab = page.context.new_page()
    errors: list[str] = []
    expected = f"the server responded with a status of {status}"
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" and expected not in m.text else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        response = tab.goto(url)
        assert response is not None and response.status == status, f"{url} answered {response and response.status}"
        expect(tab.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_accessible(tab, context=f"the {status} page for {url}")
    finally:
        tab.close()
    assert not errors, "\n".join(errors)
