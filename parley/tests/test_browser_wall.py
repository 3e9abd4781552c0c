"""Issue 4, the confidentiality wall in a real browser: under a policy that requires a written agreement
(DC), the mediator records a non-public agreement, the coordinator keeps scheduling notes and enters an
exit survey, and Internal Affairs then sees that a mediation happened and its outcome, but none of that.
Every page and error state on the way passes axe (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.conftest import use_preset
from parley.mediation.models import MediationSession
from parley.testing.browser import assert_accessible, sign_in
from parley.testing.factories import Journey
from parley.tests.browser_steps import (
    choose,
    move_session_into_the_past,
    save,
    sign_out,
    submit_expecting_errors,
    tick,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TERMS = "Officer Brennan will speak at the Dutchtown neighborhood meeting in March."
NOTES = "Complainant works until 5 pm; call her sister first."


def test_agreement_notes_and_surveys_stay_inside_the_mediation_center(page, policy, irene, ray, carla, maya):
    use_preset("dc-opc")
    journey = Journey(intake=irene, iad=ray, coordinator=carla)
    c = reach(Status.SCHEDULED, journey)
    session = MediationSession.objects.get(complaint=c)
    mediator = session.mediators.get()
    mediator.user, mediator.first_name, mediator.last_name = maya, "Maya", "Fischer"
    mediator.save()
    move_session_into_the_past(session)
    officer = c.officers.get()

    # --- Maya (mediator) records the outcome with the signed agreement's terms.
    sign_in(page, maya)
    page.get_by_role("link", name="Record who came and the outcome").click()
    form = page.locator("#action-panel")
    choose(form, "How did the session end?", "Resolved: full agreement")
    choose(form, "Complainants present", "Dana Reyes")
    # by name, as a mediator knows the officers (not their DSN)
    choose(form, "Officers present", f"{officer.first_name} {officer.last_name}".strip())
    choose(form, "Mediators present", "Maya Fischer")
    tick(form, "A written agreement was signed")
    submit_expecting_errors(
        page, "Save the outcome", "write them as signed", context="the outcome form without the agreement's terms"
    )
    form.get_by_label("Terms of the signed agreement").fill(TERMS)
    save(page, "Save the outcome", "Thank you. The outcome is recorded.")
    sign_out(page)

    # --- Carla (coordinator) reads the terms, keeps scheduling notes and enters the complainant's survey.
    sign_in(page, carla)
    page.goto(f"/complaints/{c.reference}/")
    sessions = page.locator("#sessions")
    expect(sessions).to_contain_text(TERMS)
    expect(sessions).to_contain_text("Not public")
    page.get_by_role("link", name="Edit the scheduling notes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scheduling notes")
    assert_accessible(page, context="the scheduling notes form")
    page.get_by_label("Scheduling notes").fill(NOTES)
    save(page, "Save the notes", "The scheduling notes are saved.")
    expect(page.locator("#sessions")).to_contain_text(NOTES)

    page.get_by_role("link", name="Enter an exit survey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exit survey")
    assert_accessible(page, context="the exit survey form")
    submit_expecting_errors(
        page, "Save the survey", "The survey is empty", context="the exit survey, empty", beside_field=False
    )
    page.get_by_label("I was satisfied with the mediation process.").select_option("agree")
    page.get_by_label("I had an opportunity to explain my point of view.").select_option("agree")
    page.get_by_label("Anything else they wrote").fill("The library was a good place to meet.")
    save(page, "Save the survey", "The survey is saved. Thank you.")
    expect(page.locator("#sessions")).to_contain_text("Complainant (community participant): Agree 2")
    assert_accessible(page, context="the coordinator's complaint page with the center's records")
    sign_out(page)

    # --- Ray (Internal Affairs) sees that it was mediated, and none of the center's records.
    sign_in(page, ray)
    page.goto(f"/complaints/{c.reference}/")
    expect(page.locator("#complaint-status")).to_have_text("Mediated")
    main = page.locator("main")
    expect(main).to_contain_text("Resolved: full agreement")
    expect(main).to_contain_text("Its terms are not public")
    for secret in (TERMS, NOTES, "The library was a good place", "Exit surveys", "Scheduling notes"):
        expect(main).not_to_contain_text(secret)
    assert_accessible(page, context="Internal Affairs' view of a mediated complaint")
