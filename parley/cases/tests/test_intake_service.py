"""complaint_receive: what a new complaint gets, and what it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from parley.cases import services
from parley.cases.models import Complaint, ComplaintEvent
from parley.cases.workflow import GuardFailed, RoleNotAllowed, Status
from parley.testing.factories import OfficerFactory, receive_complaint


def test_a_complaint_gets_a_yearly_reference_and_a_secret_public_id(policy, irene):
    first = receive_complaint(irene)
    second = receive_complaint(irene)
    year = first.received_on.year
    assert (first.reference, second.reference) == (f"{year}-0001", f"{year}-0002")
    assert len(first.public_id) >= 16 and first.public_id != second.public_id
    assert first.reference not in first.public_id


def test_receiving_writes_the_first_event_and_copies_the_officer_from_the_roster(policy, irene):
    officer = OfficerFactory(first_name="Pat", last_name="Lane", unit="District 2")
    c = services.complaint_receive(
        actor=irene,
        received_on=timezone.localdate(),
        channel="walk_in",
        narrative="He swore at me.",
        parties=[services.NewParty(first_name="Dana", last_name="Reyes")],
        officers=[services.NewOfficer(roster=officer, allegation_codes=["discourtesy", "offensive-language"])],
    )
    officer.unit = "Traffic"
    officer.save()
    named = c.officers.get()
    assert (named.last_name, named.dsn, named.unit) == ("Lane", officer.dsn, "District 2")
    assert sorted(named.allegations.values_list("category__code", flat=True)) == ["discourtesy", "offensive-language"]
    (event,) = ComplaintEvent.objects.filter(complaint=c)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "complaint_receive",
        "",
        Status.RECEIVED,
        irene,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"narrative": "  "}, "Describe what happened"),
        ({"parties": []}, "at least one complainant"),
        ({"officers": []}, "Name at least one officer"),
        ({"received_on": dt.date(2999, 1, 1)}, "future"),
        ({"incident_date": dt.date(2999, 1, 1)}, "incident date"),
        ({"parties": [services.NewParty()]}, "needs a name"),
        ({"officers": [services.NewOfficer(description="x", allegation_codes=["no-such"])]}, "Unknown allegation"),
    ],
)
def test_bad_intake_is_refused_with_a_clear_message_and_nothing_saved(policy, irene, change, message):
    args = {
        "actor": irene,
        "received_on": timezone.localdate(),
        "channel": "phone",
        "narrative": "He swore at me.",
        "parties": [services.NewParty(first_name="Dana", last_name="Reyes")],
        "officers": [services.NewOfficer(description="Tall")],
    } | change
    with pytest.raises(GuardFailed, match=message):
        services.complaint_receive(**args)
    assert not Complaint.objects.exists()


def test_only_oversight_staff_record_complaints(policy, carla):
    with pytest.raises(RoleNotAllowed):
        receive_complaint(carla)
    assert not Complaint.objects.exists()


def test_intake_without_an_active_policy_says_so(db, irene):
    with pytest.raises(GuardFailed, match="No program policy is active"):
        receive_complaint(irene)


def _receive_with(party: services.NewParty, actor) -> Complaint:
    return services.complaint_receive(
        actor=actor,
        received_on=timezone.localdate(),
        channel="phone",
        narrative="Shouted at me.",
        parties=[party],
        officers=[services.NewOfficer(description="Tall", allegation_codes=["discourtesy"])],
    )


def test_a_demographic_answer_that_is_not_offered_is_refused(policy, irene):
    party = services.NewParty(first_name="Dana", last_name="Reyes", gender=["woman", "robot"])
    with pytest.raises(services.GuardFailed, match="Unknown gender answer: robot"):
        _receive_with(party, irene)
    assert not Complaint.objects.exists()


def test_demographic_answers_that_are_not_a_list_are_refused_not_a_crash(policy, irene):
    party = services.NewParty(first_name="Dana", last_name="Reyes", race=None)
    with pytest.raises(services.GuardFailed, match="list of the codes offered"):
        _receive_with(party, irene)
    assert not Complaint.objects.exists()


def test_prefers_not_to_say_goes_alone_whatever_calls_the_service(policy, irene):
    party = services.NewParty(first_name="Dana", last_name="Reyes", gender=["woman", "declined"])
    with pytest.raises(services.GuardFailed, match="goes alone"):
        _receive_with(party, irene)
    assert not Complaint.objects.exists()
