"""The kinds of misconduct alleged against an officer, corrected before screening (which reads them): a
category the program excludes from mediation, taken down wrong at intake, would decide the screening."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from parley.accounts.models import User
from parley.cases import services
from parley.cases.models import Allegation, AllegationCategory, Complaint
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.views import _event_details
from parley.cases.workflow import GuardFailed, Status
from parley.testing.factories import Journey, UserFactory, receive_complaint
from parley.testing.web import login, text


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _url(c: Complaint, officer) -> str:
    return reverse("cases:allegations_correct", kwargs={"ref": c.reference, "officer_pk": officer.pk})


def _page(c: Complaint) -> str:
    return reverse("cases:detail", kwargs={"ref": c.reference})


def _codes(officer) -> list[str]:
    return services.alleged_codes(officer)


def test_a_category_added_and_one_taken_off_are_saved_and_the_timeline_names_both(policy, irene):
    c = receive_complaint(irene, allegations=("discourtesy", "other"))
    officer = c.officers.get()
    kept = officer.allegations.get(category__code="discourtesy")
    Allegation.objects.filter(pk=kept.pk).update(details="Called her names")
    services.allegations_correct(
        complaint=c, actor=irene, officer=officer, codes=["discourtesy", "improper-stop"], reason="Misheard"
    )
    assert _codes(officer) == ["discourtesy", "improper-stop"]
    assert Allegation.objects.get(pk=kept.pk).details == "Called her names"  # a category kept keeps its details
    event = c.events.get(action="allegations_correct")
    assert (event.data["added"], event.data["removed"], event.reason) == (["improper-stop"], ["other"], "Misheard")
    assert event.to_status == event.from_status == Status.RECEIVED
    details = _event_details(event, irene, officers={officer.pk: officer.display_name})
    assert details == [f"{officer.display_name}: added Improper stop, search or arrest; removed Other misconduct"]


def test_a_category_the_program_does_not_mediate_taken_off_lets_screening_find_the_complaint_suitable(policy, irene):
    policy.excluded_categories.add(AllegationCategory.objects.get(code="excessive-force"))
    wrong = receive_complaint(irene, allegations=("excessive-force",))
    right = receive_complaint(irene, allegations=("excessive-force",))
    services.allegations_correct(
        complaint=right, actor=irene, officer=right.officers.get(), codes=["discourtesy"], reason="It was a shove"
    )
    no = {f.code: False for f in policy.exclusion_factors.all()}
    assert services.complaint_screen(complaint=wrong, actor=irene, answers=no).status == Status.UNSUITABLE
    assert services.complaint_screen(complaint=right, actor=irene, answers=no).status == Status.SUITABILITY_REVIEW


def test_the_list_shows_the_officer_with_the_corrected_allegations(policy, client, irene):
    c = receive_complaint(irene, allegations=("discourtesy",))
    services.allegations_correct(
        complaint=c, actor=irene, officer=c.officers.get(), codes=["racial-profiling"], reason="Misheard"
    )
    login(client, irene)
    body = text(client.get(reverse("cases:list")))
    row = body[body.index(c.reference) :]
    row = row[: row.index("</tr>")]
    assert "Racial profiling" in row and "Discourtesy" not in row


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([], "Choose at least one kind of misconduct."),
        (["discourtesy"], "Nothing was changed"),
        (["discourtesy", "no-such-thing"], "not on the program's list: no-such-thing"),
    ],
)
def test_the_service_refuses_a_correction_that_leaves_none_changes_nothing_or_names_no_category(
    policy, irene, codes, message
):
    c = receive_complaint(irene, allegations=("discourtesy",))
    before = snapshot(c)
    with pytest.raises(GuardFailed, match=message):
        services.allegations_correct(complaint=c, actor=irene, officer=c.officers.get(), codes=codes, reason="x")
    assert snapshot(c) == before


def test_a_retired_category_can_be_kept_but_not_added(policy, client, irene):
    c = receive_complaint(irene, allegations=("discourtesy", "other"))
    officer = c.officers.get()
    AllegationCategory.objects.filter(code__in=["other", "vehicle-operation"]).update(active=False)
    login(client, irene)
    form = text(client.get(_url(c, officer)))
    assert "Other misconduct" in form  # alleged here: still offered, ticked
    assert "Unsafe vehicle operation" not in form  # retired, and not alleged here
    before = snapshot(c)
    with pytest.raises(GuardFailed, match="cannot be added: Unsafe vehicle operation"):
        services.allegations_correct(
            complaint=c, actor=irene, officer=officer, codes=["other", "vehicle-operation"], reason="x"
        )
    assert snapshot(c) == before
    services.allegations_correct(complaint=c, actor=irene, officer=officer, codes=["other"], reason="Not rude")
    assert _codes(officer) == ["other"]


def test_the_form_opens_with_what_is_alleged_and_saves_the_new_choice(policy, client, irene):
    c = receive_complaint(irene, allegations=("discourtesy",))
    officer = c.officers.get()
    login(client, irene)
    page = text(client.get(_page(c)))
    assert f'id="correct-allegations-{officer.pk}"' in page
    form = text(client.get(_url(c, officer)))
    assert f"Correct the allegations against {officer.display_name}" in form
    ticked = re.findall(r'<input type="checkbox" name="allegations" value="([^"]+)"[^>]*checked', form)
    assert ticked == ["discourtesy"]
    response = client.post(
        _url(c, officer), {"allegations": ["discourtesy", "offensive-language"], "reason": "She told us again"}
    )
    assert response.status_code == 302
    assert _codes(officer) == ["discourtesy", "offensive-language"]
    body = text(client.get(response["Location"]))
    assert "The allegations are corrected." in body
    assert "added Offensive language, including slurs" in body


def test_a_colleagues_correction_meanwhile_comes_back_at_the_field_and_saving_again_saves(policy, client, irene, alma):
    c = receive_complaint(irene, allegations=("discourtesy",))
    officer = c.officers.get()
    login(client, irene)
    form = text(client.get(_url(c, officer)))
    was = form.split('name="was" value="')[1].split('"')[0]
    services.allegations_correct(  # the administrator, a moment earlier
        complaint=c, actor=alma, officer=officer, codes=["discourtesy", "other"], reason="From the letter"
    )
    before = snapshot(c)
    sent = {"allegations": ["improper-stop"], "reason": "She told us", "was": was}
    body = text(client.post(_url(c, officer), sent))
    assert "Someone else corrected these since you opened this form; they are now: Discourtesy, Other misconduct" in (
        body
    )
    assert snapshot(c) == before
    again = body.split('name="was" value="')[1].split('"')[0]
    assert again != was
    response = client.post(_url(c, officer), {**sent, "was": again})
    assert response.status_code == 302
    assert _codes(officer) == ["improper-stop"]


def test_the_form_says_when_nothing_was_changed(policy, client, irene):
    c = receive_complaint(irene, allegations=("discourtesy",))
    officer = c.officers.get()
    login(client, irene)
    before = snapshot(c)
    body = text(client.post(_url(c, officer), {"allegations": ["discourtesy"], "reason": "Checked"}))
    assert "Nothing was changed: tick or untick a kind of misconduct." in body
    assert snapshot(c) == before


def test_after_screening_the_allegations_are_not_corrected_and_the_page_offers_no_link(journey, client, irene):
    c = reach(Status.SUITABILITY_REVIEW, journey)
    officer = c.officers.first()
    login(client, irene)
    assert "correct-allegations-" not in text(client.get(_page(c)))
    before = snapshot(c)
    body = text(client.post(_url(c, officer), {"allegations": ["other"], "reason": "Late"}))
    assert "This was not saved: the complaint is now" in body and "Suitability review" in body
    assert snapshot(c) == before


def test_who_may_not_read_allegations_reads_only_whose_were_corrected(policy, irene):
    c = receive_complaint(irene, allegations=("discourtesy",))
    officer = c.officers.get()
    services.allegations_correct(complaint=c, actor=irene, officer=officer, codes=["other"], reason="x")
    event = c.events.get(action="allegations_correct")
    mediator: User = UserFactory(role="mediator")
    assert _event_details(event, mediator, officers={officer.pk: "Sgt Lee"}) == ["Sgt Lee"]
    assert _event_details(event, irene, officers={officer.pk: "Sgt Lee"}) == [
        "Sgt Lee: added Other misconduct; removed Discourtesy"
    ]


def test_internal_affairs_and_the_coordinator_see_no_correction_link(journey, client, ray, carla):
    c = reach(Status.RECEIVED, journey)
    for user in (ray, carla):
        login(client, user)
        response = client.get(_page(c))
        if response.status_code == 200:
            assert "correct-allegations-" not in text(response)
        assert client.get(_url(c, c.officers.first())).status_code in {403, 404}


# From a review: a NUL in a choice, the reason's readers, the details of a category taken off.


def test_a_code_with_a_nul_byte_gets_a_clear_message_not_a_server_error(policy, client, irene):
    """PostgreSQL refuses NUL in a query: the 'gone' lookup of the category sent (forms.py _category_gone)
    must not query with it."""
    c = receive_complaint(irene, allegations=("discourtesy",))
    officer = c.officers.get()
    login(client, irene)
    before = snapshot(c)
    client.raise_request_exception = False
    response = client.post(_url(c, officer), {"allegations": ["other\x00", "discourtesy"], "reason": "Misheard"})
    assert response.status_code == 200
    assert "no longer on the list" in text(response)
    assert snapshot(c) == before


def test_the_mediation_center_does_not_read_why_the_allegations_were_corrected(journey, client, irene, carla):
    """The coordinator reads the categories, not the investigation side of an allegation
    (view_allegation_details); the reason for correcting them is that side, as a screening's reason is."""
    c = receive_complaint(irene, allegations=("other",))
    services.allegations_correct(
        complaint=c,
        actor=irene,
        officer=c.officers.get(),
        codes=["discourtesy"],
        reason="He pushed her against the car but she was not hurt; the swearing is the complaint.",
    )
    c = journey.to_awaiting_choice(c)
    c = journey.choose(c)
    for officer in c.officers.all():
        c = services.officer_record_consent(complaint=c, actor=irene, officer=officer, accepted=True)
    c = services.complaint_refer(complaint=c, actor=irene)
    login(client, carla)
    page = text(client.get(reverse("cases:detail", kwargs={"ref": c.reference})))
    assert "Allegations corrected" in page  # the step itself is on the timeline
    assert "pushed her against the car" not in page


def test_the_details_of_a_category_taken_off_are_not_lost_without_a_trace(policy, irene):
    """The details written with a category are deleted with it, and the event does not keep them: a
    correction taken back (the category ticked again) cannot bring them back, and nothing says what they were."""
    c = receive_complaint(irene, allegations=("discourtesy", "other"))
    officer = c.officers.get()
    Allegation.objects.filter(complaint_officer=officer, category__code="other").update(
        details="Kept her ID for an hour"
    )
    services.allegations_correct(complaint=c, actor=irene, officer=officer, codes=["discourtesy"], reason="Misread")
    services.allegations_correct(
        complaint=c, actor=irene, officer=officer, codes=["discourtesy", "other"], reason="Undo"
    )
    kept = Allegation.objects.filter(complaint_officer=officer, category__code="other").values_list(
        "details", flat=True
    )
    recorded = " ".join(str(e.data) for e in c.events.filter(action="allegations_correct"))
    assert "Kept her ID for an hour" in [*kept] or "Kept her ID for an hour" in recorded
    first = c.events.filter(action="allegations_correct").order_by("id").first()
    said = "written with Other misconduct: Kept her ID for an hour"
    assert said in _event_details(first, irene, officers={officer.pk: "Sgt Lee"})[0]  # oversight reads it
    assert said not in _event_details(first, UserFactory(role="coordinator"), officers={officer.pk: "Sgt Lee"})[0]
