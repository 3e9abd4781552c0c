"""Issue 3, who sees what, in a real browser: each role signs in and tries the pages of other roles.

A refusal is checked twice: the answer's status (with the browser's own sign-in), and the refusal
page itself, which must say what happened and pass axe like every other page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parley.cases.notes import note_add
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.mediation.models import MediationSession
from parley.testing.browser import assert_accessible, sign_in
from parley.testing.factories import Journey, MediatorFactory
from parley.tests.browser_steps import (
    action_buttons,
    expect_refused,
    expect_status,
    open_complaint,
    open_refused_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_FOUND = "Page not found"
NOT_ALLOWED = "You cannot do this"
PHONE = "(314) 555-0101"  # the complainant's phone number, as recorded at intake (receive_complaint)


@pytest.fixture
def journey(policy, irene, ray, carla) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla)


def test_the_auditor_reads_a_complaint_but_has_no_action_buttons_and_no_contact_details(page, journey, irene, audrey):
    c = reach(Status.AWAITING_CHOICE, journey)
    note_add(complaint=c, author=irene, body="Called back on Tuesday.")
    sign_in(page, audrey)
    expect(page.get_by_role("heading", name="Nothing is waiting for you")).to_be_visible()
    expect(page.get_by_role("link", name="New complaint")).to_have_count(0)
    assert_accessible(page, context="the auditor's queue")
    page.get_by_role("link", name="Complaints", exact=True).click()
    expect(page.locator("#complaints").get_by_role("link", name=c.reference, exact=True)).to_be_visible()
    assert_accessible(page, context="the auditor's complaint list")
    open_complaint(page, c.reference)

    expect_status(page, "Awaiting the complainant's choice")
    expect(action_buttons(page)).to_have_count(0)
    expect(page.locator("#no-actions")).to_have_text("Nothing on this complaint waits for your role right now.")
    expect(page.locator("#people")).to_contain_text("Dana Reyes")
    expect(page.locator("#people").get_by_role("columnheader", name="Contact")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(PHONE)
    expect(page.locator("#narrative")).to_contain_text("The officer called me names")
    expect(page.locator("#screening")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Suitability decided")
    expect(page.locator("#notes")).to_contain_text("Called back on Tuesday.")  # the oversight board's own note
    expect(page.get_by_role("button", name="Save the note")).to_have_count(0)
    assert_accessible(page, context="the complaint page, for the auditor")

    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", level=1, name=f"Complaint {c.reference}")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(PHONE)

    # The action pages answer "not allowed", whatever the buttons show.
    for slug in ["choice", "withdraw", "acknowledge"]:
        expect_refused(page, f"/complaints/{c.reference}/{slug}/", 403)
    expect_refused(page, "/complaints/new/", 403)
    open_refused_page(page, f"/complaints/{c.reference}/choice/", 403, NOT_ALLOWED)


def test_internal_affairs_cannot_record_a_complaint(page, policy, ray):
    sign_in(page, ray)
    expect(page.get_by_role("link", name="Complaints", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="New complaint")).to_have_count(0)
    open_refused_page(page, "/complaints/new/", 403, NOT_ALLOWED)


def test_the_coordinator_sees_only_complaints_referred_to_the_mediation_center(page, journey, carla):
    not_referred = [
        reach(status, journey)
        for status in [
            Status.RECEIVED,
            Status.SUITABILITY_REVIEW,
            Status.AWAITING_CHOICE,
            Status.AWAITING_OFFICER_CONSENT,
            Status.READY_FOR_REFERRAL,
            Status.DECLINED_BY_OFFICER,
            Status.UNSUITABLE,
        ]
    ]
    referred = reach(Status.REFERRED, journey)
    scheduled = reach(Status.SCHEDULED, journey)

    sign_in(page, carla)
    queue = page.locator("#queue")
    expect(queue.get_by_role("link", name=referred.reference, exact=True)).to_be_visible()
    expect(queue.locator("tbody tr")).to_have_count(1)  # the booked session waits for its day, not for her
    page.get_by_role("link", name="Complaints", exact=True).click()
    expect(page.locator("#result-count")).to_have_text("2 complaints found")
    listed = page.locator("#complaints tbody th a").all_inner_texts()
    assert sorted(listed) == sorted([referred.reference, scheduled.reference])
    expect(page.get_by_role("link", name="New complaint")).to_have_count(0)
    for c in not_referred:
        expect_refused(page, f"/complaints/{c.reference}/", 404)
        expect_refused(page, f"/complaints/{c.reference}/?print=1", 404)
    open_refused_page(page, f"/complaints/{not_referred[0].reference}/", 404, NOT_FOUND)


def test_a_mediator_sees_only_her_own_sessions_and_no_complaint_page(page, journey, maya):
    mine = reach(Status.REFERRED, journey)
    session = journey.schedule(mine, mediators=[MediatorFactory(user=maya), MediatorFactory()])
    others = reach(Status.SCHEDULED, journey)
    other_session = MediationSession.objects.get(complaint=others)
    not_referred = reach(Status.AWAITING_CHOICE, journey)

    sign_in(page, maya)
    expect(page.get_by_role("heading", level=1, name="My sessions")).to_be_visible()
    expect(page.locator(".parley-session")).to_have_count(1)
    expect(page.locator(f"#session-{session.pk}")).to_contain_text(mine.reference)
    expect(page.get_by_role("link", name="Record who came and the outcome")).to_have_count(0)  # not held yet
    expect(page.get_by_role("link", name="Complaints", exact=True)).to_have_count(0)

    # Too early for the outcome: she is sent back to her sessions, told why.
    page.goto(f"/sessions/{session.pk}/outcome/")
    expect(page.locator("#messages")).to_contain_text("Record the outcome after the session has taken place.")
    assert_accessible(page, context="the mediator's sessions, with a message")
    # Her own complaint's page leads to her sessions; no other complaint's page opens at all.
    page.goto(f"/complaints/{mine.reference}/")
    expect(page.get_by_role("heading", level=1, name="My sessions")).to_be_visible()
    for c in [others, not_referred]:
        expect_refused(page, f"/complaints/{c.reference}/", 404)
        expect_refused(page, f"/complaints/{c.reference}/outcome/", 404)
    expect_refused(page, f"/sessions/{other_session.pk}/outcome/", 404)
    expect_refused(page, f"/complaints/{mine.reference}/?print=1", 302)  # to her sessions, as above
    expect_refused(page, "/complaints/", 403)
    expect_refused(page, "/complaints/new/", 403)
    open_refused_page(page, f"/complaints/{others.reference}/", 404, NOT_FOUND)
