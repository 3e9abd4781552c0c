"""Issue 3, the whole path in a real browser: a complaint taken by staff intake goes through every
role's pages to "Mediated", and at each step each role sees what it should and nothing more.

Everything a role does here is done through its pages (headless Chromium, signed in through the
sign-in page). Only the other complaints that the step checks need (one not referred, one booked
with other mediators) are set up through the services. Every page visited passes axe (WCAG 2.1 AA).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parley.cases.models import Complaint, ComplaintOfficer
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.mediation.models import MediationSession
from parley.testing.browser import assert_accessible, sign_in
from parley.testing.factories import Journey, MediatorFactory, OfficerFactory, VenueFactory, receive_complaint
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

NARRATIVE = "The sergeant shouted at me and called me names during a traffic stop on Grand Boulevard."
NOTE = "Ms. Vega prefers calls after 5 pm."


def test_a_complaint_taken_at_intake_goes_through_every_role_to_mediated(page, policy, irene, ray, carla, maya):
    roster_officer = OfficerFactory(first_name="Paul", last_name="Brennan", rank="Sergeant", badge="4120")
    MediatorFactory(user=maya, first_name="Maya", last_name="Fischer", languages=["en", "es"])
    MediatorFactory(first_name="Sam", last_name="Okafor")
    VenueFactory(name="Carpenter Branch Library", address="3309 S Grand Blvd")
    # Other work in the program, for what the coordinator and the mediator must NOT see.
    journey = Journey(intake=irene, iad=ray, coordinator=carla)
    not_referred = reach(Status.AWAITING_CHOICE, journey)
    booked_with_others = reach(Status.SCHEDULED, journey)

    # --- Irene (oversight intake) records the complaint taken by phone.
    sign_in(page, irene)
    expect(page.get_by_role("heading", level=1, name="My queue")).to_be_visible()
    assert_accessible(page, context="intake's queue")
    page.get_by_role("link", name="New complaint").click()
    expect(page.get_by_role("heading", level=1, name="Record a complaint")).to_be_visible()
    assert_accessible(page, context="the intake form")
    expect(page.get_by_label("Date received")).to_have_value("")  # never a made-up default date
    page.get_by_label("Date received").fill(timezone.localdate().isoformat())
    choose(page, "How the complaint came in", "Phone")
    person = page.locator("#person-1")
    person.get_by_label("First name").fill("Marisol")
    person.get_by_label("Last name").fill("Vega")
    person.get_by_label("Phone").fill("(314) 555-0199")
    person.get_by_label("Email").fill("marisol.vega@example.com")
    person.get_by_label("Preferred language").select_option(label="Spanish")
    tick(person, "Needs an interpreter")
    person.get_by_label("Accessibility needs").fill("Uses a wheelchair")
    officer = page.locator("#officer-1")
    officer.get_by_label("DSN (department serial number)").fill(roster_officer.dsn)
    choose(officer, "What the officer is accused of", "Discourtesy")
    choose(officer, "What the officer is accused of", "Offensive language, including slurs")
    page.get_by_label("Date of the incident").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    page.get_by_label("Where it happened").fill("Grand Blvd and Arsenal St")
    page.get_by_label("What happened", exact=True).fill(NARRATIVE)
    choose(page, "Is the complainant interested in mediation?", "Interested in mediation")
    page.get_by_role("button", name="Save the complaint").click()

    expect(page.locator("#messages")).to_contain_text("is recorded")
    complaint = Complaint.objects.get(narrative=NARRATIVE)
    ref = complaint.reference
    expect(page.get_by_role("heading", level=1, name=f"Complaint {ref}")).to_be_visible()
    expect_status(page, "Received")
    # the officer chosen by DSN is the roster's officer, copied onto the complaint
    expect(page.locator("#officers")).to_contain_text(f"Sergeant Paul Brennan (DSN {roster_officer.dsn})")
    expect(page.locator("#officers")).to_contain_text("Badge 4120")
    expect(page.locator("#people")).to_contain_text("Spanish; needs an interpreter; Uses a wheelchair")
    assert_accessible(page, context="the complaint page, just received")

    # An internal note of the oversight board (the mediation center must never read it).
    page.get_by_label("New note").fill(NOTE)
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator("#notes")).to_contain_text(NOTE)
    expect(page.locator("#notes-messages")).to_be_focused()  # the page opens at the notes, on what was saved

    panel = open_action(page, "Record the acknowledgement")
    assert_accessible(page, context="the acknowledgement form")
    choose(panel, "How was the complainant told?", "Phone call")
    save(page, "Save the acknowledgement", "The acknowledgement is recorded.")

    panel = open_action(page, "Screen for exclusion factors")
    assert_accessible(page, context="the screening form")
    for question in [
        "Does the complaint allege serious physical injury?",
        "Does the complaint allege property damage?",
        "Is there a pending criminal case connected to the incident?",
        "Is there a civil lawsuit connected to the incident?",
    ]:
        choose(panel, question, "No")
    save(page, "Save the screening", "The screening is recorded.")
    expect_status(page, "Suitability review")
    expect(page.locator("#waiting-on")).to_contain_text("Decide on suitability (Internal Affairs reviewer)")
    assert not action_buttons(page).filter(has_text="Decide on suitability").count()  # IAD decides in St. Louis
    sign_out(page)
    assert_accessible(page, context="signed out")

    # --- Ray (Internal Affairs) finds it in his queue and decides it is appropriate.
    sign_in(page, ray)
    queue = page.locator("#queue")
    expect(queue.get_by_role("row").filter(has_text=ref)).to_contain_text("Decide on suitability")
    assert_accessible(page, context="IAD's queue")
    expect(page.get_by_role("link", name="New complaint")).to_have_count(0)
    expect_refused(page, "/complaints/new/", 403)  # IAD does not record intake
    open_complaint(page, ref)
    expect(page.locator("#screening")).to_contain_text("Does the complaint allege serious physical injury?")
    expect(page.locator("#notes")).not_to_contain_text(NOTE)  # the oversight board's note, not the police's
    assert_accessible(page, context="the complaint page, for IAD")
    panel = open_action(page, "Decide on suitability")
    assert_accessible(page, context="the suitability form")
    choose(panel, "Is this complaint appropriate for mediation?", "Yes")
    panel.get_by_label("Reason").fill("Discourtesy only; no injury, no pending case.")
    save(page, "Save the decision", "The suitability decision is recorded.")
    expect_status(page, "Awaiting the complainant's choice")
    expect(action_buttons(page)).to_have_count(0)
    sign_out(page)

    # --- Irene explains both processes; the complainant chooses mediation; the officer accepts; she refers.
    sign_in(page, irene)
    open_complaint(page, ref)
    panel = open_action(page, "Record the complainant's choice")
    assert_accessible(page, context="the choice form")
    expect(panel.get_by_label("Explained by")).to_have_value("Irene Ortiz")
    expect(panel.get_by_label("Date explained")).to_have_value("")
    panel.get_by_label("Date explained").fill(timezone.localdate().isoformat())
    choose(panel, "How it was explained", "Phone call")
    choose(panel, "The complainant chose", "Mediation: a meeting with the officer and trained mediators")
    save(page, "Save the choice", "The complainant's choice is recorded.")
    expect_status(page, "Awaiting the officer's answer")

    panel = open_action(page, "Record the officer's answer: Paul Brennan")
    assert_accessible(page, context="the officer's answer form")
    choose(panel, "Does the officer agree to mediation?", "Yes")
    save(page, "Save the answer", "The officer's answer is recorded.")
    expect_status(page, "Ready for referral")
    expect(page.locator("#officers")).to_contain_text("Accepted mediation")

    panel = open_action(page, "Refer to the mediation center")
    assert_accessible(page, context="the referral form")
    panel.get_by_label("Note for the mediation center").fill("Spanish interpreter needed; step-free room.")
    save(page, "Refer", "The complaint is referred to the mediation center.")
    expect_status(page, "Referred to the mediation center")
    sign_out(page)

    # --- Carla (mediation center) sees only referred complaints, and books the session.
    sign_in(page, carla)
    expect(page.locator("#queue").get_by_role("row").filter(has_text=ref)).to_contain_text("Schedule a session")
    assert_accessible(page, context="the coordinator's queue")
    page.get_by_role("link", name="Complaints", exact=True).click()
    listed = page.locator("#complaints")
    expect(listed.get_by_role("link", name=ref, exact=True)).to_be_visible()
    expect(listed.get_by_role("link", name=booked_with_others.reference, exact=True)).to_be_visible()
    expect(listed.get_by_role("link", name=not_referred.reference, exact=True)).to_have_count(0)
    assert_accessible(page, context="the coordinator's complaint list")
    expect_refused(page, f"/complaints/{not_referred.reference}/", 404)
    open_complaint(page, ref)
    expect(page.locator("#people")).to_contain_text("(314) 555-0199")  # the center contacts the parties
    expect(page.locator("#timeline")).to_contain_text("Spanish interpreter needed; step-free room.")
    expect(page.locator("#screening")).to_have_count(0)  # the investigation side stays with oversight and police
    expect(page.locator("#notes")).not_to_contain_text(NOTE)
    assert_accessible(page, context="the complaint page, for the coordinator")

    panel = open_action(page, "Schedule a session")
    assert_accessible(page, context="the scheduling form")
    day = timezone.localdate() + dt.timedelta(days=5)
    panel.get_by_label("Date").fill(day.isoformat())
    panel.get_by_label("Start time").fill("10:00")
    panel.get_by_label("Venue").select_option(label="Carpenter Branch Library")
    panel.get_by_label("Mediator 1").select_option(label="Maya Fischer (English, Spanish)")
    panel.get_by_label("Mediator 2").select_option(label="Maya Fischer (English, Spanish)")
    # the same mediator twice: the form says so, next to the field and in the summary
    submit_expecting_errors(
        page, "Book the session", "Choose a different mediator for each place.", context="the scheduling form, invalid"
    )
    panel.get_by_label("Mediator 2").select_option(label="Sam Okafor (English)")
    save(page, "Book the session", "The session is booked.")
    expect_status(page, "Session scheduled")
    expect(page.locator("#sessions")).to_contain_text("Carpenter Branch Library")
    expect(page.locator("#actions")).to_contain_text("Record the outcome: possible once the session has started")
    sign_out(page)

    # The session takes place on the day booked. A real session happens days later; here its booked time
    # is moved back in the database, since the outcome form refuses an outcome before the session starts.
    move_session_into_the_past(MediationSession.objects.get(complaint=complaint))

    # --- Maya (mediator) sees her session, and only what the session needs; she records the outcome.
    sign_in(page, maya)
    expect(page.get_by_role("heading", level=1, name="My sessions")).to_be_visible()
    sessions = page.locator("main")
    card = page.locator(".parley-session")
    expect(card).to_have_count(1)  # not the session booked with other mediators
    expect(card).to_contain_text("Marisol Vega (complainant): speaks Spanish; needs an interpreter; Uses a wheelchair")
    expect(card).to_contain_text("Sergeant Paul Brennan")
    expect(card).to_contain_text("Carpenter Branch Library")
    expect(card).to_contain_text("Maya Fischer, Sam Okafor")
    for secret in [
        NARRATIVE,
        NOTE,
        "Grand Blvd and Arsenal St",  # where it happened
        "Discourtesy",  # the allegations
        "Does the complaint allege",  # the screening
        "(314) 555-0199",
        "marisol.vega@example.com",
    ]:
        expect(sessions).not_to_contain_text(secret)
    expect(page.get_by_role("link", name="Complaints", exact=True)).to_have_count(0)
    assert_accessible(page, context="the mediator's sessions")
    expect_refused(page, f"/complaints/{booked_with_others.reference}/", 404)
    other_session = MediationSession.objects.get(complaint=booked_with_others)
    expect_refused(page, f"/sessions/{other_session.pk}/outcome/", 404)

    page.get_by_role("link", name="Record who came and the outcome").click()
    expect(page.get_by_role("heading", level=2, name="Record the outcome of the session")).to_be_visible()
    for secret in [NARRATIVE, NOTE, "(314) 555-0199"]:
        expect(page.locator("main")).not_to_contain_text(secret)
    assert_accessible(page, context="the mediator's outcome form")
    form = page.locator("#action-panel")
    choose(form, "How did the session end?", "Resolved: full agreement")
    # nobody ticked as present: no session took place without its mediators
    submit_expecting_errors(
        page, "Save the outcome", "No mediator is marked present", context="the outcome form, no one ticked"
    )
    choose(form, "Mediators present", "Maya Fischer")
    choose(form, "Mediators present", "Sam Okafor")
    # the parties still missing: a mediation cannot be resolved without the people in the room
    submit_expecting_errors(
        page,
        "Save the outcome",
        "every complainant, every participating officer",
        context="the outcome form, invalid",
        beside_field=False,  # a rule about the whole form, not one field
    )
    choose(form, "Complainants present", "Marisol Vega")
    choose(form, "Officers present", "Sergeant Paul Brennan")  # by name: a mediator is not shown the DSN
    expect(form).not_to_contain_text(roster_officer.dsn)
    save(page, "Save the outcome", "Thank you. The outcome is recorded.")
    expect(page.locator(".parley-session")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("No session is booked for you.")
    sign_out(page)

    # --- Irene sees the complaint closed as mediated, with the whole history.
    sign_in(page, irene)
    expect(page.locator("#queue").get_by_role("link", name=ref, exact=True)).to_have_count(0)
    find_in_list(page, ref)
    assert_accessible(page, context="intake's complaint list, searched")
    expect(page.locator("#complaints")).to_contain_text("Mediated")
    open_complaint(page, ref)
    expect_status(page, "Mediated")
    expect(page.locator("#complaint-disposition")).to_have_text(
        "Closed as mediated: no further investigation, no discipline"
    )
    expect(page.locator("#no-actions")).to_have_text("This complaint is closed. Nothing more can be done to it here.")
    assert timeline(page) == [
        "Complaint received",
        "Acknowledged",
        "Screened for exclusion factors",
        "Suitability decided",
        "Both processes explained; choice recorded",
        "Officer's answer recorded",
        "Referred to the mediation center",
        "Session scheduled",
        "Session outcome recorded",
    ]
    expect(page.locator("#timeline")).to_contain_text("Session scheduled → Mediated")
    expect(page.locator("#timeline")).to_contain_text("Resolved: full agreement")
    expect(page.locator("#sessions")).to_contain_text("Held: Resolved: full agreement")
    assert_accessible(page, context="the complaint page, mediated")
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", level=1, name=f"Complaint {ref}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Status: Mediated")
    expect(page.locator("main")).not_to_contain_text(NOTE)  # notes are not part of the record
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown once the script runs
    assert_accessible(page, context="the print view")


def test_an_intake_form_sent_with_missing_fields_lists_every_problem_and_keeps_what_was_typed(page, policy, irene):
    sign_in(page, irene)
    page.get_by_role("link", name="New complaint").click()
    page.locator("#person-1").get_by_label("First name").fill("Marisol")
    page.locator("label[for=id_parties-0-is_minor]").click()  # under 18, and no parent or guardian listed
    page.locator("#officer-1").get_by_label("DSN (department serial number)").fill("99999")
    submit_expecting_errors(
        page,
        "Save the complaint",
        "Date received: Give the date the complaint was received.",
        "How the complaint came in",
        "Person 1: Under 18: A complainant under 18 files through a parent or guardian: add the parent or "
        "guardian as another person.",
        "What happened: Describe what happened.",
        "Officer 1: DSN (department serial number): No officer with DSN 99999 is on the roster.",
        "Officer 1: What the officer is accused of: Choose at least one kind of misconduct.",
        context="the intake form with missing fields",
    )
    expect(page.locator("#error-summary")).to_contain_text("The complaint was not saved: there are 6 problems")
    expect(page.locator("#messages .usa-alert--error")).to_have_count(0)  # said once, not twice
    expect(page.locator("#person-1").get_by_label("First name")).to_have_value("Marisol")
    expect(page.locator("#person-1").get_by_label("Under 18")).to_be_checked()
    expect(page.locator("#officer-1").get_by_label("DSN (department serial number)")).to_have_value("99999")
    assert not Complaint.objects.exists()


@contextlib.contextmanager
def _intake_on_a_phone(browser, live_server, user, *, javascript: bool) -> Iterator:
    """The intake form on a phone-sized screen, with or without JavaScript, the complainant's first name
    typed: the long form's add and remove buttons are tested there."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", java_script_enabled=javascript, viewport={"width": 375, "height": 812}
    )
    page = context.new_page()
    try:
        sign_in(page, user)
        page.goto("/complaints/new/")
        page.locator("#person-1").get_by_label("First name").fill("Marisol")
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_adding_another_person_or_officer_opens_the_page_at_the_new_one(
    javascript, browser, live_server, policy, irene
):
    """The intake form is long (8,000 pixels on a phone): after "Add another person" the page that comes
    back shows the person just added, not the top of the form; with JavaScript its first field has the
    focus. Without JavaScript too."""
    with _intake_on_a_phone(browser, live_server, irene, javascript=javascript) as page:
        for button, added in (("Add another person", "#person-2"), ("Add another officer", "#officer-2")):
            with page.expect_navigation():
                page.get_by_role("button", name=button).click()
            assert page.url.endswith(f"/complaints/new/{added}")
            expect(page.locator(added)).to_be_in_viewport()
            assert page.evaluate("window.scrollY") > 1000  # not the top of the form
            if javascript:
                expect(page.locator(added).locator(":focus")).to_have_count(1)
        expect(page.locator("#person-1").get_by_label("First name")).to_have_value("Marisol")


@pytest.mark.parametrize("javascript", [True, False])
def test_removing_a_person_says_who_went_where_the_page_opens(javascript, browser, live_server, policy, irene):
    """After "Remove person 2" the page comes back at the people's heading, with a note under it that
    says who was removed; with JavaScript the note has the focus (not the page's body, where a screen
    reader would start again from the top without a word)."""
    with _intake_on_a_phone(browser, live_server, irene, javascript=javascript) as page:
        for _ in range(2):
            with page.expect_navigation():
                page.get_by_role("button", name="Add another person").click()
        page.locator("#person-2").get_by_label("First name").fill("Wrong")
        page.locator("#person-3").get_by_label("First name").fill("Rosa")
        with page.expect_navigation():
            page.get_by_role("button", name="Remove person 2").click()
        note = page.locator("#people-removed")
        expect(note).to_have_text(
            "Person 2 (Wrong) is removed from the form. The ones after it moved up one place. "
            "Nothing is saved until you save the complaint."
        )
        expect(note).to_be_in_viewport()
        expect(page.locator("#person-2").get_by_label("First name")).to_have_value("Rosa")
        expect(page.locator("#person-3")).to_have_count(0)
        if javascript:  # (axe runs in the page: not without JavaScript)
            expect(note).to_be_focused()
            assert_accessible(page, context="the intake form after a person was removed")


@pytest.mark.parametrize("javascript", [True, False])
def test_an_officer_known_by_name_is_found_on_the_roster_and_chosen(javascript, browser, live_server, policy, irene):
    """A complainant knows the officer's name, not the DSN: "Find on the roster" lists who matches, and
    "Use this officer" fills the DSN in. With JavaScript, Enter in the box finds (instead of saving the
    complaint) and the focus goes to what was found."""
    OfficerFactory(first_name="Ana", last_name="Lopez", dsn="40001", badge="77")
    OfficerFactory(first_name="Luis", last_name="Lopez", dsn="40002", badge="78")
    with _intake_on_a_phone(browser, live_server, irene, javascript=javascript) as page:
        officer = page.locator("#officer-1")
        officer.get_by_label("Or find the officer by name or badge").fill("Lopez")
        with page.expect_navigation():
            if javascript:
                officer.get_by_label("Or find the officer by name or badge").press("Enter")
            else:
                officer.get_by_role("button", name="Find on the roster").click()
        found = page.locator("#officer-1-found")
        expect(found).to_contain_text("2 officers on the roster match “Lopez”: choose the one meant.")
        expect(found).to_be_in_viewport()
        if javascript:
            expect(found).to_be_focused()
            assert_accessible(page, context="the intake form with the officers found on the roster")
        with page.expect_navigation():
            found.get_by_role("button", name="Luis Lopez, DSN 40002").click()
        expect(page.locator("#officer-1-found")).to_have_text("Luis Lopez (DSN 40002) is officer 1.")
        expect(page.locator("#officer-1").get_by_label("DSN (department serial number)")).to_have_value("40002")
        expect(page.locator("#person-1").get_by_label("First name")).to_have_value("Marisol")  # kept
        assert not Complaint.objects.exists()


@pytest.mark.parametrize("javascript", [True, False])
def test_an_officer_described_at_intake_is_found_on_the_roster_and_identified(
    javascript, browser, live_server, policy, irene
):
    """The complainant later remembers a name: on the complaint page, "Identify the officer" finds them on
    the roster (Enter in its box finds, with JavaScript inline and with the focus on what was found;
    without, the form's own page comes back at it), "Use this officer" fills the DSN in, and the save
    identifies the officer. Nothing is saved by a search."""
    c = receive_complaint(irene, officers=0, unidentified=1)
    OfficerFactory(first_name="Ana", last_name="Lopez", dsn="40001", badge="77")
    OfficerFactory(first_name="Luis", last_name="Lopez", dsn="40002", badge="78")
    context = browser.new_context(base_url=live_server.url, locale="en-US", java_script_enabled=javascript)
    page = context.new_page()
    try:
        sign_in(page, irene)
        page.goto(f"/complaints/{c.reference}/")
        button = "Identify the officer described as “Tall, car 4312”"
        if javascript:
            form = open_action(page, button)
        else:
            with page.expect_navigation():
                page.locator("#actions").get_by_role("link", name=button).click()
            form = page.locator("#action-form-officer-identify")
        box = form.get_by_label("Find the officer by name or badge")
        box.fill("lopez")
        if javascript:
            box.press("Enter")
        else:
            with page.expect_navigation():
                box.press("Enter")  # the form's first button, the save: with words and no DSN, a search
        found = page.locator("#officer-identify-found")
        expect(found).to_contain_text("2 officers on the roster match “lopez”: choose the one meant.")
        expect(found).to_be_in_viewport()
        if javascript:
            expect(found).to_be_focused()
            assert_accessible(page, context="the identify form with the officers found on the roster")
        assert ComplaintOfficer.objects.get(complaint=c).dsn == ""
        if javascript:
            found.get_by_role("button", name="Luis Lopez, DSN 40002").click()
        else:
            with page.expect_navigation():
                found.get_by_role("button", name="Luis Lopez, DSN 40002").click()
        expect(page.locator("#officer-identify-found")).to_have_text(
            "Luis Lopez (DSN 40002) is chosen. Save to identify the officer as them."
        )
        expect(page.get_by_label("DSN (department serial number)")).to_have_value("40002")
        assert ComplaintOfficer.objects.get(complaint=c).dsn == ""
        with page.expect_navigation():
            page.get_by_role("button", name="Save the officer", exact=True).click()
        expect(page.locator("#messages")).to_contain_text("The officer is identified: Luis Lopez (DSN 40002).")
        if javascript:
            expect(page.locator("#messages")).to_be_focused()
        expect(page.locator("#officers")).to_contain_text("Luis Lopez (DSN 40002)")
        assert ComplaintOfficer.objects.get(complaint=c).dsn == "40002"
    finally:
        context.close()


def test_a_persons_details_are_corrected_from_the_people_table(page, policy, irene, ray):
    """A new phone number and a need learnt after intake: "Correct the details" beside the person opens
    the form in the action panel (the focus on its heading), the save says so (the focus on the message),
    the People table shows the new details, and the timeline says what was corrected, not the number."""
    c = receive_complaint(irene)
    person = c.parties.get()
    sign_in(page, irene)
    page.goto(f"/complaints/{c.reference}/")
    page.locator("#people").get_by_role("link", name="Correct the details of Dana Reyes").click()
    panel = page.locator("#action-panel")
    expect(panel.locator("#action-form-heading")).to_have_text("Correct the details of Dana Reyes (complainant)")
    expect(panel.locator("#action-form-heading")).to_be_focused()
    expect(panel.get_by_label("Phone")).to_have_value("(314) 555-0101")
    assert_accessible(page, context="the form that corrects a person's details")
    panel.get_by_label("Phone").fill("314-555-0199")
    tick(panel, "Needs an interpreter")
    panel.get_by_label("Why is it corrected?").fill("The complainant called with a new number.")
    save(page, "Save the correction", "The details of Dana Reyes are corrected.")
    expect(page.locator("#people")).to_contain_text("314-555-0199")
    expect(page.locator("#people")).to_contain_text("needs an interpreter")
    expect(page.locator("#timeline")).to_contain_text("Dana Reyes: phone, needs an interpreter")
    person.refresh_from_db()
    assert (person.phone, person.needs_interpreter) == ("314-555-0199", True)
    sign_out(page)
    sign_in(page, ray)  # Internal Affairs: no correcting, and the timeline without the number
    page.goto(f"/complaints/{c.reference}/")
    expect(page.locator("#people").get_by_role("link", name=re.compile("Correct the details"))).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("Dana Reyes: phone, needs an interpreter")


def test_correct_the_details_asks_before_it_drops_a_form_with_unsaved_entries(page, policy, irene):
    """The People table's link opens its form in the same panel as the action buttons: with a form open and
    typed in, it asks first, as the buttons do; answered no, what was typed stays."""
    c = receive_complaint(irene, unidentified=1)
    sign_in(page, irene)
    page.goto(f"/complaints/{c.reference}/")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    panel = open_action(page, "Identify the officer described as “Tall, car 4312”")
    panel.get_by_label("DSN (department serial number)").fill("4000")
    page.locator("#people").get_by_role("link", name="Correct the details of Dana Reyes").click()
    expect(panel.get_by_label("DSN (department serial number)")).to_have_value("4000")
    assert asked == ["The open form has entries that are not saved. Leave it and open the other one?"]
    expect(panel.locator("#action-form-heading")).to_contain_text("Identify the officer")


def test_the_incidents_details_are_corrected_from_the_summary(page, policy, irene):
    """A street taken down wrong: "Correct the incident's details" under the incident opens its form in the
    action panel; the save says so, the summary shows the new place and the timeline which detail changed."""
    c = receive_complaint(irene)
    sign_in(page, irene)
    page.goto(f"/complaints/{c.reference}/")
    page.locator("#summary").get_by_role("link", name="Correct the incident's details").click()
    panel = page.locator("#action-panel")
    expect(panel.locator("#action-form-heading")).to_be_focused()
    expect(panel.get_by_label("Where it happened")).to_have_value("Market St and 14th St")
    assert_accessible(page, context="the form that corrects the incident's details")
    panel.get_by_label("Where it happened").fill("Market St and 15th St")
    panel.get_by_label("Why is it corrected?").fill("The cross street was taken down wrong.")
    save(page, "Save the correction", "The incident's details are corrected.")
    expect(page.locator("#summary")).to_contain_text("Market St and 15th St")
    expect(page.locator("#timeline")).to_contain_text("The incident's details corrected")
    c.refresh_from_db()
    assert c.incident_location == "Market St and 15th St"


def test_a_booking_that_a_correction_no_longer_suits_waits_in_the_coordinators_queue(page, policy, irene, ray, carla):
    """Intake learns that the complainant needs step-free access after the session was booked at a venue with
    steps: the save says the booking no longer suits, and the coordinator's queue lists the complaint to book
    again; the complaint page says why, and once the session is cancelled the queue asks for a new one."""
    c = reach(Status.SCHEDULED, Journey(intake=irene, iad=ray, coordinator=carla, admin=irene))
    session = c.sessions.get()
    type(session.venue).objects.filter(pk=session.venue_id).update(accessible=False)
    sign_in(page, irene)
    page.goto(f"/complaints/{c.reference}/")
    page.locator("#people").get_by_role("link", name="Correct the details of Dana Reyes").click()
    panel = page.locator("#action-panel")
    tick(panel, "Needs step-free access (a wheelchair, a walker, no stairs)")
    panel.get_by_label("Why is it corrected?").fill("She uses a wheelchair, she told us today.")
    save(page, "Save the correction", "The booked session no longer suits")
    sign_out(page)
    sign_in(page, carla)
    row = page.locator("#queue tr", has=page.get_by_role("link", name=c.reference, exact=True))
    expect(row).to_contain_text("Book the session again: it no longer suits")
    assert_accessible(page, context="the coordinator's queue with a booking to make again")
    open_complaint(page, c.reference)
    expect(page.locator(f"#session-problems-{session.pk}")).to_contain_text("is not step-free")
    panel = open_action(page, "Cancel the session")
    panel.get_by_label("Reason").fill("The venue has steps at its entrance.")
    save(page, "Yes, cancel the session", "The session is cancelled.")
    page.get_by_role("link", name="My queue").click()
    expect(row).to_contain_text("Schedule a session")
    expect(row).not_to_contain_text("Book the session again")


def test_the_allegations_against_an_officer_are_corrected_before_screening(page, policy, irene):
    """A kind of misconduct taken down wrong: "Correct the allegations" beside the officer opens the form in the
    action panel with what is alleged ticked; the save says so, and the table and the timeline show the change."""
    c = receive_complaint(irene, allegations=("discourtesy",))
    officer = c.officers.get()
    sign_in(page, irene)
    page.goto(f"/complaints/{c.reference}/")
    page.locator("#officers").get_by_role(
        "link", name=f"Correct the allegations against {officer.display_name}"
    ).click()
    panel = page.locator("#action-panel")
    expect(panel.locator("#action-form-heading")).to_be_focused()
    expect(panel.get_by_label("Discourtesy", exact=True)).to_be_checked()
    assert_accessible(page, context="the form that corrects the allegations against an officer")
    tick(panel, "Racial profiling")
    panel.get_by_label("Why are they corrected?").fill("The complainant explained the stop again.")
    save(page, "Save the correction", "The allegations are corrected.")
    expect(page.locator("#officers")).to_contain_text("Racial profiling")
    expect(page.locator("#timeline")).to_contain_text("added Racial profiling")


def test_a_form_that_came_back_with_problems_is_not_dropped_without_asking(page, policy, irene):
    """A form sent, and sent back with its problems, holds entries not saved yet: following the advice of its
    error to another form ("Correct the details") asks first, as for a form not sent yet."""
    c = receive_complaint(irene, unidentified=1)
    sign_in(page, irene)
    page.goto(f"/complaints/{c.reference}/")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    panel = open_action(page, "Identify the officer described as “Tall, car 4312”")
    panel.get_by_label("DSN (department serial number)").fill("99999")
    panel.get_by_role("button", name="Save the officer", exact=True).click()
    expect(panel.locator("#error-summary")).to_contain_text("No officer with DSN 99999 is on the roster.")
    page.locator("#people").get_by_role("link", name="Correct the details of Dana Reyes").click()
    expect(panel.get_by_label("DSN (department serial number)")).to_have_value("99999")
    assert asked == ["The open form has entries that are not saved. Leave it and open the other one?"]
