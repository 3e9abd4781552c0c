"""Identify an officer only described at intake, before screening (a complaint with no identified officer
cannot be mediated: screening finds it unsuitable)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parley.cases import services
from parley.cases.models import ComplaintOfficer
from parley.cases.tests.helpers import snapshot
from parley.cases.workflow import ActionNotAllowed, GuardFailed, RoleNotAllowed, Status
from parley.testing.factories import OfficerFactory, no_exclusions, receive_complaint
from parley.testing.web import HTMX, login, text


def _described(irene):
    c = receive_complaint(irene, officers=0, unidentified=1)
    return c, c.officers.get()


def _url(c, officer) -> str:
    return reverse("cases:officer_identify", kwargs={"ref": c.reference, "officer_pk": officer.pk})


def test_identifying_copies_the_roster_keeps_the_description_and_lets_screening_find_it_suitable(policy, irene):
    c, described = _described(irene)
    roster = OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234", badge="1098", unit="District 2")
    c = services.officer_identify(complaint=c, actor=irene, officer=described, dsn=" 51234 ")
    named = ComplaintOfficer.objects.get(pk=described.pk)
    assert (named.roster_officer, named.dsn, named.last_name, named.badge, named.unit) == (
        roster,
        "51234",
        "Lee",
        "1098",
        "District 2",
    )
    assert named.description == "Tall, car 4312"
    assert c.status == Status.RECEIVED
    event = c.events.get(action="officer_identify")
    assert event.data == {"officer": named.pk, "dsn": "51234", "name": "Rosa Lee", "described": "Tall, car 4312"}
    assert "Lee" in c.search_names  # the search finds the complaint by the officer's name now
    c = services.complaint_screen(complaint=c, actor=irene, answers=no_exclusions(c))
    assert c.status == Status.SUITABILITY_REVIEW


@pytest.mark.parametrize(
    ("dsn", "message"),
    [
        ("", "Give the officer's DSN."),
        ("99999", "No officer with DSN 99999 is on the roster."),
        ("taken", "is already named in this complaint"),
        ("identified", "This officer is already identified"),
    ],
)
def test_identifying_refuses_what_cannot_be_and_changes_nothing(dsn, message, policy, irene):
    c = receive_complaint(irene, officers=1, unidentified=1)
    named, described = c.officers.order_by("dsn").reverse()  # the roster's first, the described one ("") last
    target = described
    if dsn == "taken":
        dsn = named.dsn
    elif dsn == "identified":
        target, dsn = named, OfficerFactory().dsn
    before = snapshot(c)
    with pytest.raises(GuardFailed, match=message):
        services.officer_identify(complaint=c, actor=irene, officer=target, dsn=dsn)
    assert snapshot(c) == before
    assert ComplaintOfficer.objects.get(pk=described.pk).dsn == ""


def test_identifying_is_for_intake_before_screening(policy, irene, ray):
    c, described = _described(irene)
    dsn = OfficerFactory().dsn
    with pytest.raises(RoleNotAllowed):
        services.officer_identify(complaint=c, actor=ray, officer=described, dsn=dsn)
    other = receive_complaint(irene)
    with pytest.raises(GuardFailed, match="not named in this complaint"):
        services.officer_identify(complaint=c, actor=irene, officer=other.officers.get(), dsn=dsn)
    c = services.complaint_screen(complaint=c, actor=irene, answers=no_exclusions(c))
    assert c.status == Status.UNSUITABLE
    with pytest.raises(ActionNotAllowed):
        services.officer_identify(complaint=c, actor=irene, officer=described, dsn=dsn)


# --- the pages ------------------------------------------------------------------------------------


def test_the_complaint_page_offers_it_for_each_officer_only_described_and_screening_warns(policy, client, irene):
    c = receive_complaint(irene, officers=1, unidentified=1)
    described = c.officers.get(dsn="")
    login(client, irene)
    page = text(client.get(reverse("cases:detail", kwargs={"ref": c.reference})))
    assert page.count('id="action-officer_identify-') == 1
    assert f'id="action-officer_identify-{described.pk}"' in page
    assert "Identify the officer described as “Tall, car 4312”" in page
    screening = text(client.get(reverse("cases:screen", kwargs={"ref": c.reference})))
    assert "No officer of this complaint is identified" not in screening  # one of the two is
    only_described, _ = _described(irene)
    screening = text(client.get(reverse("cases:screen", kwargs={"ref": only_described.reference})))
    assert "No officer of this complaint is identified, so screening will find it unsuitable" in screening
    link = reverse(
        "cases:officer_identify",
        kwargs={"ref": only_described.reference, "officer_pk": only_described.officers.get().pk},
    )
    assert f'<a class="usa-link" href="{link}">Identify the officer described as “Tall, car 4312”</a>' in screening


def test_the_form_identifies_the_officer_and_the_timeline_says_so(policy, client, irene):
    c, described = _described(irene)
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234")
    login(client, irene)
    form = text(client.get(_url(c, described), headers=HTMX))
    assert "Identify the officer described as “Tall, car 4312”" in form
    response = client.post(_url(c, described), {"dsn": "51234"}, follow=True)
    body = text(response)
    assert "The officer is identified: Rosa Lee (DSN 51234)." in body
    assert "Officer identified" in body
    assert "Described as “Tall, car 4312”; identified as Rosa Lee (DSN 51234)" in body
    assert ComplaintOfficer.objects.get(pk=described.pk).dsn == "51234"


@pytest.mark.parametrize("dsn", ["", "99999", "5123\x00"])
def test_the_form_with_a_dsn_not_on_the_roster_says_so_and_changes_nothing(dsn, policy, client, irene):
    c, described = _described(irene)
    login(client, irene)
    before = snapshot(c)
    response = client.post(_url(c, described), {"dsn": dsn})
    assert response.status_code == 200
    body = text(response)
    assert any(
        said in body
        for said in (
            "Give the officer's DSN, or find the officer on the roster.",
            "is on the roster",
            "control character",
        )
    ), body
    assert snapshot(c) == before


def _nothing_saved(c, described, before) -> None:
    assert snapshot(c) == before
    assert ComplaintOfficer.objects.get(pk=described.pk).dsn == ""
    assert not c.events.filter(action="officer_identify").exists()


@pytest.mark.parametrize("sent", [{"find": "1"}, {}], ids=["find", "enter-without-javascript"])
def test_find_on_the_roster_fills_in_the_one_officer_found_and_saves_nothing(sent, policy, client, irene):
    """ "Find on the roster" in the form; without JavaScript, Enter in its box sends the form's first button
    (the save): with words in the box and no DSN, that is a search too."""
    c, described = _described(irene)
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234", badge="1098")
    OfficerFactory(first_name="Ann", last_name="Moss", dsn="60001")
    login(client, irene)
    before = snapshot(c)
    response = client.post(_url(c, described), {"lookup": "  rosa   LEE ", "dsn": "", **sent}, headers=HTMX)
    body = text(response)
    assert response.status_code == 200
    assert "One officer on the roster matches “rosa LEE”: Rosa Lee (DSN 51234)" in body
    assert 'id="officer-identify-found"' in body
    assert 'name="dsn" value="51234"' in body  # the DSN box filled in, to be checked and saved
    assert "usa-error-message" not in body and 'id="error-summary"' not in body  # a search, not a save
    _nothing_saved(c, described, before)
    saved = client.post(_url(c, described), {"lookup": "rosa LEE", "dsn": "51234"}, follow=True)
    assert "The officer is identified: Rosa Lee (DSN 51234)." in text(saved)
    assert ComplaintOfficer.objects.get(pk=described.pk).dsn == "51234"


def test_several_officers_found_are_listed_to_choose_from_and_the_one_used_fills_in_the_dsn(policy, client, irene):
    c, described = _described(irene)
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234", badge="1098", unit="District 2")
    OfficerFactory(first_name="Tom", last_name="Lee", dsn="51235", badge="", unit="", active=False)
    login(client, irene)
    before = snapshot(c)
    body = text(client.post(_url(c, described), {"lookup": "Lee", "dsn": "", "find": "1"}))
    assert "2 officers on the roster match “Lee”: choose the one meant." in body
    assert "Rosa Lee: DSN 51234, badge 1098, District 2" in body
    assert "Tom Lee: DSN 51235 (no longer active)" in body
    assert body.count('name="use"') == 2
    _nothing_saved(c, described, before)
    body = text(client.post(_url(c, described), {"lookup": "Lee", "dsn": "", "use": "51235"}))
    assert "Tom Lee (DSN 51235) is chosen. Save to identify the officer as them." in body
    assert 'name="dsn" value="51235"' in body
    _nothing_saved(c, described, before)
    # a "use" that names no officer of the roster is a save: the DSN box's own check answers it
    body = text(client.post(_url(c, described), {"lookup": "", "dsn": "", "use": "00000"}))
    assert "Give the officer's DSN, or find the officer on the roster." in body
    _nothing_saved(c, described, before)


def test_a_search_that_finds_no_one_says_so_clears_its_box_and_keeps_the_dsn_typed(policy, client, irene):
    c, described = _described(irene)
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234")
    login(client, irene)
    before = snapshot(c)
    body = text(client.post(_url(c, described), {"lookup": "Zyx", "dsn": "51234", "find": "1"}))
    assert "No officer on the roster matches “Zyx”. Check the spelling, or ask the complainant for more" in body
    assert "The DSN box still holds 51234: clear it if that is not the officer." in body
    assert 'name="lookup" value="Zyx"' not in body  # cleared: the next save saves
    _nothing_saved(c, described, before)
    body = text(client.post(_url(c, described), {"lookup": "\x07", "dsn": "", "find": "1"}))
    assert "Type a last name, a first and last name, or a badge number, then find." in body
    _nothing_saved(c, described, before)


def test_the_form_is_get_and_post_only_and_other_roles_are_refused(policy, client, irene, ray, carla):
    c, described = _described(irene)
    dsn = OfficerFactory().dsn
    login(client, irene)
    assert client.put(_url(c, described), {"dsn": dsn}).status_code == 405
    login(client, ray)  # Internal Affairs: sees the complaint, may not identify
    assert client.post(_url(c, described), {"dsn": dsn}).status_code == 403
    login(client, carla)  # the mediation center: no role there identifies officers
    assert client.post(_url(c, described), {"dsn": dsn}).status_code == 403
    assert ComplaintOfficer.objects.get(pk=described.pk).dsn == ""
    login(client, irene)
    elsewhere = receive_complaint(irene)
    wrong = reverse("cases:officer_identify", kwargs={"ref": elsewhere.reference, "officer_pk": described.pk})
    assert client.post(wrong, {"dsn": dsn}).status_code == 404  # an officer of another complaint


# --- from a review ---------------------------------------------------------------------------------


def test_the_roster_officer_already_named_cannot_be_named_again_though_their_dsn_changed(policy, irene):
    c = receive_complaint(irene, officers=1, unidentified=1)
    named = c.officers.exclude(dsn="").get()
    roster = named.roster_officer
    roster.dsn = "88888"  # the roster corrected since; the complaint keeps the number it was given
    roster.save()
    with pytest.raises(GuardFailed, match="already named in this complaint"):
        services.officer_identify(complaint=c, actor=irene, officer=c.officers.get(dsn=""), dsn="88888")
    assert c.officers.filter(roster_officer=roster).count() == 1


def test_identifying_an_officer_no_longer_active_says_so(policy, client, irene):
    c, described = _described(irene)
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234", active=False)
    login(client, irene)
    body = text(client.post(_url(c, described), {"dsn": "51234"}, follow=True))
    assert "The officer is identified: Rosa Lee (DSN 51234), who is no longer active on the roster." in body


def test_a_form_opened_before_a_colleague_identified_the_officer_says_so_and_keeps_what_was_typed(
    policy, client, irene, alma
):
    c, described = _described(irene)
    OfficerFactory(first_name="Rosa", last_name="Lee", dsn="51234")
    services.officer_identify(complaint=c, actor=alma, officer=described, dsn="51234")  # the colleague, meanwhile
    login(client, irene)
    response = client.post(_url(c, described), {"dsn": "51234"})
    body = text(response)
    assert response.status_code == 200
    assert "This was not saved: the officer is identified already, as Rosa Lee" in body
    assert "recorded “Officer identified”" in body
    assert c.events.filter(action="officer_identify").count() == 1


def test_a_long_description_is_cut_short_on_the_button_and_whole_in_the_form(policy, client, irene):
    c, described = _described(irene)
    long = "Tall, grey jacket, car 4312, a scar on the left hand, spoke Spanish, wore glasses"
    ComplaintOfficer.objects.filter(pk=described.pk).update(description=long)
    login(client, irene)
    page = text(client.get(reverse("cases:detail", kwargs={"ref": c.reference})))
    assert f"Identify the officer described as “{long[:40].rstrip()}…”" in page
    assert f"Identify the officer described as “{long}”" in text(client.get(_url(c, described)))


def test_the_timeline_lists_a_screenings_reasons_once(policy, client, irene):
    c, _ = _described(irene)
    services.complaint_screen(complaint=c, actor=irene, answers=no_exclusions(c))
    login(client, irene)
    body = text(client.get(reverse("cases:detail", kwargs={"ref": c.reference})))
    assert body.count("No officer is identified (each is only described)") == 1
