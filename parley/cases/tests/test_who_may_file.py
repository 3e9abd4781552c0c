"""Who may file a complaint: the program policy's rules (DOMAIN.md section 3), at intake and in the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parley.cases import filing, services
from parley.cases.models import Complaint, Party, PartyKind
from parley.cases.tests.test_views_intake import INTAKE, _data, _person
from parley.cases.workflow import GuardFailed
from parley.testing.web import login, text


def _years_ago(years: int, *, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born + dt.timedelta(days=days)


def _receive(irene, parties, *, received_on=None):
    return services.complaint_receive(
        actor=irene,
        received_on=received_on or timezone.localdate(),
        channel="phone",
        narrative="He swore at my son.",
        parties=parties,
        officers=[services.NewOfficer(description="Tall, car 4312", allegation_codes=["discourtesy"])],
    )


def _error_at(body: str, field_id: str) -> str:
    """The error message shown at one field of the intake page ("" when there is none)."""
    marker = f'id="{field_id}_error"'
    if marker not in body:
        return ""
    return body.split(marker, 1)[1].split(">", 1)[1].split("</span>", 1)[0]


# --- the service: every way a complaint comes in --------------------------------------------------


def test_a_minor_complainant_with_no_parent_or_guardian_is_refused_and_nothing_is_recorded(policy, irene):
    with pytest.raises(GuardFailed, match="under 18 files through a parent or guardian"):
        _receive(irene, [services.NewParty(first_name="Luis", last_name="Ortega", is_minor=True)])
    assert not Complaint.objects.exists() and not Party.objects.exists()


def test_a_minor_complainant_listed_with_a_guardian_is_recorded(policy, irene):
    c = _receive(
        irene,
        [
            services.NewParty(first_name="Luis", last_name="Ortega", is_minor=True),
            services.NewParty(kind=PartyKind.GUARDIAN, first_name="Rosa", last_name="Ortega"),
        ],
    )
    assert sorted(c.parties.values_list("kind", "is_minor")) == [("complainant", True), ("guardian", False)]


def test_the_age_that_counts_is_the_age_on_the_day_the_complaint_was_received(policy, irene):
    received = timezone.localdate() - dt.timedelta(days=30)
    born = _years_ago(18, days=-10)  # 18 today, 17 on the day the letter came in
    with pytest.raises(GuardFailed, match="parent or guardian"):
        _receive(irene, [services.NewParty(first_name="Luis", date_of_birth=born)], received_on=received)
    c = _receive(irene, [services.NewParty(first_name="Luis", date_of_birth=born)])  # received today: an adult
    assert c.parties.get().kind == PartyKind.COMPLAINANT


def test_a_program_that_lets_minors_file_alone_records_them(policy, irene):
    policy.guardian_required_for_minors = False
    policy.save()
    c = _receive(irene, [services.NewParty(first_name="Luis", last_name="Ortega", is_minor=True)])
    assert c.parties.get().is_minor


def test_a_minor_witness_needs_no_guardian(policy, irene):
    c = _receive(
        irene,
        [
            services.NewParty(first_name="Dana", last_name="Reyes"),
            services.NewParty(kind=PartyKind.WITNESS, first_name="Sam", last_name="Reyes", is_minor=True),
        ],
    )
    assert c.parties.count() == 2


def test_a_third_party_complaint_is_refused_where_the_program_does_not_accept_them(policy, irene):
    people = [
        services.NewParty(first_name="Dana", last_name="Reyes"),
        services.NewParty(kind=PartyKind.THIRD_PARTY, first_name="Pat", last_name="Neighbour"),
    ]
    with pytest.raises(GuardFailed, match="does not accept complaints filed for someone else"):
        _receive(irene, people)
    assert not Complaint.objects.exists()
    policy.third_party_complaints_accepted = True
    policy.save()
    c = _receive(irene, people)
    assert sorted(c.parties.values_list("kind", flat=True)) == ["complainant", "third_party"]


def test_an_anonymous_complaint_is_refused_where_the_program_does_not_accept_them(policy, irene):
    with pytest.raises(GuardFailed, match="does not accept anonymous complaints"):
        _receive(irene, [services.NewParty(anonymous=True)])
    policy.anonymous_complaints_accepted = True
    policy.save()
    assert _receive(irene, [services.NewParty(anonymous=True)]).parties.get().anonymous


# --- the intake page: the message at the person's field -------------------------------------------


def test_intake_points_at_the_minor_who_has_no_guardian_and_keeps_what_was_typed(policy, client, irene):
    login(client, irene)
    response = client.post(INTAKE, _data(people=[_person(first_name="Luis", last_name="Ortega", is_minor="on")]))
    body = text(response)
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert "under 18 files through a parent or guardian" in _error_at(body, "id_parties-0-is_minor")
    assert 'href="#id_parties-0-is_minor"' in body  # the error summary leads to it
    assert 'value="Luis"' in body


def test_intake_points_at_the_date_of_birth_when_under_18_was_not_ticked(policy, client, irene):
    login(client, irene)
    born = _years_ago(15)
    response = client.post(INTAKE, _data(people=[_person(date_of_birth=born.isoformat())]))
    body = text(response)
    assert "parent or guardian" in _error_at(body, "id_parties-0-date_of_birth")
    assert not _error_at(body, "id_parties-0-is_minor")
    assert not Complaint.objects.exists()


def test_intake_records_the_minor_once_the_guardian_is_added(policy, client, irene):
    login(client, irene)
    people = [
        _person(first_name="Luis", last_name="Ortega", date_of_birth=_years_ago(15).isoformat()),
        _person(kind=PartyKind.GUARDIAN, first_name="Rosa", last_name="Ortega"),
    ]
    response = client.post(INTAKE, _data(people=people), follow=True)
    c = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cases:detail", kwargs={"ref": c.reference})
    assert "Luis Ortega (under 18)" in text(response)


def test_intake_refuses_a_third_party_at_their_role_and_records_them_where_accepted(policy, client, irene):
    login(client, irene)
    people = [_person(), _person(kind=PartyKind.THIRD_PARTY, first_name="Pat", last_name="Neighbour")]
    body = text(client.post(INTAKE, _data(people=people)))
    assert "does not accept complaints filed for someone else" in _error_at(body, "id_parties-1-kind")
    assert not Complaint.objects.exists()
    policy.third_party_complaints_accepted = True
    policy.save()
    response = client.post(INTAKE, _data(people=people), follow=True)
    assert "Third party who filed for the complainant" in text(response)
    assert Complaint.objects.get().parties.filter(kind=PartyKind.THIRD_PARTY).exists()


def test_intake_says_the_programs_rules_of_who_may_file(policy, client, irene):
    login(client, irene)
    rules = text(client.get(INTAKE)).split('id="who-may-file"', 1)[1].split("</p>", 1)[0]
    assert "under 18 files through a parent or guardian" in rules
    assert "does not accept complaints filed for someone else" in rules
    assert "does not accept anonymous complaints" in rules
    policy.anonymous_complaints_accepted = policy.third_party_complaints_accepted = True
    policy.guardian_required_for_minors = False
    policy.save()
    rules = text(client.get(INTAKE)).split('id="who-may-file"', 1)[1].split("</p>", 1)[0]
    assert "guardian" not in rules and "anonymous" not in rules
    assert "added as the third party who filed" in rules


# --- from a review -------------------------------------------------------------------------------


def test_intake_names_the_missing_guardian_in_the_same_round_as_another_persons_error(policy, client, irene):
    """Every error at once (the view validates all three parts for that): a minor without a parent or
    guardian is not reported while any other person's row has an error, so staff fix one round, save,
    and only then learn of the guardian."""
    login(client, irene)
    people = [
        _person(first_name="Luis", last_name="Ortega", is_minor="on"),
        _person(kind=PartyKind.WITNESS, first_name="Sam", last_name="Reyes", email="not-an-email"),
    ]
    body = text(client.post(INTAKE, _data(people=people)))
    assert _error_at(body, "id_parties-1-email"), "the witness's email error is shown"
    assert "parent or guardian" in _error_at(body, "id_parties-0-is_minor")


@pytest.mark.parametrize(
    "guardian",
    [
        {"is_minor": "on"},  # a "parent or guardian" who is under 18 themselves
    ],
    ids=["guardian-under-18"],
)
def test_a_minor_complainant_is_not_covered_by_a_guardian_who_is_a_minor(guardian, policy, client, irene):
    login(client, irene)
    people = [
        _person(first_name="Luis", last_name="Ortega", is_minor="on"),
        _person(kind=PartyKind.GUARDIAN, first_name="Nico", last_name="Ortega", **guardian),
    ]
    body = text(client.post(INTAKE, _data(people=people)))
    assert not Complaint.objects.exists(), "a 'parent or guardian' under 18 satisfied the guardian rule"
    assert "must be 18 or older" in _error_at(body, "id_parties-1-is_minor")
    assert "files through a parent or guardian" in _error_at(body, "id_parties-0-is_minor")


def test_an_adult_complainant_with_a_guardian_listed_is_a_third_party_complaint_where_refused(policy, client, irene):
    """St. Louis accepts no third-party complaints; a 'parent or guardian' of an adult complainant is
    someone filing for another person, and the rule is not checked (has_guardian with no minor)."""
    assert not policy.third_party_complaints_accepted
    login(client, irene)
    people = [_person(), _person(kind=PartyKind.GUARDIAN, first_name="Pat", last_name="Neighbour")]
    body = text(client.post(INTAKE, _data(people=people)))
    assert not Complaint.objects.exists(), "an adult's 'parent or guardian' filed where third parties are refused"
    assert "Someone who comes with an adult complainant is a support person" in _error_at(body, "id_parties-1-kind")
    policy.third_party_complaints_accepted = True
    policy.save()
    assert client.post(INTAKE, _data(people=people)).status_code == 302


def test_the_under_18_recorded_is_as_on_the_day_received_like_the_guardian_rule(policy, client, irene):
    """Intake required a guardian because the complainant was 17 on the day received (filing.is_minor on
    received_on), yet PartyForm.new_party stores is_minor by today's age: the record drops "(under 18)"."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    received = today - dt.timedelta(days=30)
    born = dt.date(today.year - 18, today.month, min(today.day, 28)) - dt.timedelta(days=10)  # 18 now, 17 then
    login(client, irene)
    people = [
        _person(first_name="Luis", last_name="Ortega", date_of_birth=born.isoformat()),
        _person(kind=PartyKind.GUARDIAN, first_name="Rosa", last_name="Ortega"),
    ]
    without_guardian = text(
        client.post(INTAKE, _data(people=people[:1], received_on=received.isoformat(), incident_date=""))
    )
    assert "parent or guardian" in _error_at(without_guardian, "id_parties-0-date_of_birth")  # a minor then
    assert (
        client.post(INTAKE, _data(people=people, received_on=received.isoformat(), incident_date="")).status_code == 302
    )
    assert Party.objects.get(kind=PartyKind.COMPLAINANT).is_minor is True


# --- the age ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (dt.date(2008, 12, 1), dt.date(2026, 12, 1), 18),  # the birthday itself
        (dt.date(2008, 12, 2), dt.date(2026, 12, 1), 17),  # the day before
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),  # born on 29 February: 18 on 1 March
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
    ],
)
def test_the_age_in_whole_years(born, day, age):
    assert filing.age_on(born, day) == age


def _anniversary(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a year without one: the day after 28 February
        return dt.date(born.year + years, 3, 1)


@given(born=st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), later=st.integers(0, 40_000))
def test_an_age_is_the_number_of_birthdays_reached(born, later):
    day = born + dt.timedelta(days=later)
    reached = 0
    while _anniversary(born, reached + 1) <= day:
        reached += 1
    assert filing.age_on(born, day) == reached
