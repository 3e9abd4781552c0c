"""Each preset changes how the workflow behaves; program rules are data, not code branches."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from parley.accounts.roles import Role
from parley.cases import services
from parley.cases.models import ConsentAnswer, Deadline, DeadlineKind
from parley.cases.tests.helpers import reach, snapshot
from parley.cases.workflow import Disposition, GuardFailed, RoleNotAllowed, Status
from parley.conftest import use_preset
from parley.mediation.models import SessionOutcome
from parley.policies.models import ConsentOrder, ProgramPolicy
from parley.testing.factories import Journey, MediatorFactory, no_exclusions, receive_complaint


@pytest.fixture
def journey(irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


# --- St. Louis (the default) -----------------------------------------------------------------


def test_st_louis_lets_only_internal_affairs_decide_suitability(policy, journey):
    c = reach(Status.SUITABILITY_REVIEW, journey)
    with pytest.raises(RoleNotAllowed):
        services.complaint_decide_suitability(complaint=c, actor=journey.intake, appropriate=True, reason="ok")
    c = services.complaint_decide_suitability(complaint=c, actor=journey.iad, appropriate=True, reason="ok")
    assert c.status == Status.AWAITING_CHOICE


@pytest.mark.parametrize("factor", ["serious-injury", "property-damage", "criminal-case", "civil-suit"])
def test_st_louis_screens_out_each_exclusion_factor_with_the_reason(policy, journey, factor):
    c = receive_complaint(journey.intake)
    answers = {f.code: f.code == factor for f in c.policy.exclusion_factors.all()}
    c = services.complaint_screen(complaint=c, actor=journey.intake, answers=answers)
    assert (c.status, c.disposition) == (Status.UNSUITABLE, Disposition.INVESTIGATION)
    event = c.events.last()
    question = c.policy.exclusion_factors.get(code=factor).question
    assert question in event.reason
    assert c.screening_answers.get(factor_code=factor).answer is True


def test_screening_refuses_missing_answers_and_changes_nothing(policy, journey):
    c = receive_complaint(journey.intake)
    before = snapshot(c)
    with pytest.raises(GuardFailed, match="Answer every screening question"):
        services.complaint_screen(complaint=c, actor=journey.intake, answers={"serious-injury": False})
    assert snapshot(c) == before


def test_st_louis_needs_every_officer_to_agree(policy, journey):
    c = journey.choose(journey.to_awaiting_choice(receive_complaint(journey.intake, officers=2)))
    first, second = c.officers.all()
    c = services.officer_record_consent(complaint=c, actor=journey.intake, officer=first, accepted=True)
    assert c.status == Status.AWAITING_OFFICER_CONSENT
    c = services.officer_record_consent(complaint=c, actor=journey.intake, officer=second, accepted=False)
    assert (c.status, c.disposition) == (Status.DECLINED_BY_OFFICER, Disposition.INVESTIGATION)
    assert c.discipline_referral is False


def test_st_louis_uses_two_mediators(policy, journey):
    c = journey.to_referred(receive_complaint(journey.intake))
    with pytest.raises(GuardFailed, match="2 distinct mediator"):
        journey.schedule(c, mediators=[MediatorFactory()])
    session = journey.schedule(c)
    assert session.mediators.count() == 2
    assert session.duration_minutes == 60


def test_st_louis_sends_a_no_show_back_to_be_rescheduled(policy, journey):
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        c = journey.hold(c, session, SessionOutcome.COMPLAINANT_NO_SHOW, present_parties=set())
    assert c.status == Status.REFERRED
    assert c.complainant_no_shows == 1


def test_an_officer_is_never_offered_mediation_before_the_complainant_agreed(policy, journey):
    c = reach(Status.AWAITING_CHOICE, journey)
    before = snapshot(c)
    with pytest.raises(GuardFailed, match="only after the complainant"):
        services.officer_record_consent(complaint=c, actor=journey.intake, officer=c.officers.first(), accepted=True)
    assert snapshot(c) == before


def test_anonymous_complaints_are_refused_where_the_program_does_not_accept_them(policy, journey):
    with pytest.raises(GuardFailed, match="anonymous"):
        receive_complaint(journey.intake, anonymous=True)


def test_a_complaint_whose_officers_are_only_described_is_found_unsuitable_at_screening(policy, journey):
    """No officer to ask: mediation cannot happen, so the complaint goes to investigation at screening
    rather than through the suitability review and the complainant's choice first."""
    c = receive_complaint(journey.intake, officers=0, unidentified=2)
    c = services.complaint_screen(complaint=c, actor=journey.intake, answers=no_exclusions(c))
    assert c.status == Status.UNSUITABLE
    assert services.NO_IDENTIFIED_OFFICER in c.events.get(action="complaint_screen").reason
    one_named = receive_complaint(journey.intake, officers=1, unidentified=1)  # one officer to ask is enough
    one_named = services.complaint_screen(complaint=one_named, actor=journey.intake, answers=no_exclusions(one_named))
    assert one_named.status == Status.SUITABILITY_REVIEW


def test_mediation_cannot_be_chosen_once_no_officer_is_identified(policy, journey):
    c = journey.to_awaiting_choice(receive_complaint(journey.intake))
    c.officers.update(dsn="")  # screened while an officer was identified
    before = snapshot(c)
    with pytest.raises(GuardFailed, match="identified officer"):
        journey.choose(c)
    assert snapshot(c) == before


# --- New York City CCRB ------------------------------------------------------------------------


def test_nyc_lets_the_board_decide_and_uses_one_mediator(db, journey):
    use_preset("nyc-ccrb")
    c = reach(Status.SUITABILITY_REVIEW, journey)
    with pytest.raises(RoleNotAllowed):
        services.complaint_decide_suitability(complaint=c, actor=journey.iad, appropriate=True, reason="ok")
    c = journey.to_referred(receive_complaint(journey.intake))
    assert journey.schedule(c).mediators.count() == 1


def test_nyc_goes_on_with_the_officers_who_agree(db, journey):
    use_preset("nyc-ccrb")
    c = journey.choose(journey.to_awaiting_choice(receive_complaint(journey.intake, officers=2)))
    first, second = c.officers.all()
    services.officer_record_consent(complaint=c, actor=journey.intake, officer=first, accepted=False)
    c = services.officer_record_consent(complaint=c, actor=journey.intake, officer=second, accepted=True)
    assert c.status == Status.READY_FOR_REFERRAL
    session = journey.schedule(services.complaint_refer(complaint=c, actor=journey.intake))
    _, officers, _ = services.required_attendees(c, session)
    assert officers == {second.pk}


def test_nyc_closes_as_mediation_attempted_after_two_no_shows(db, journey):
    use_preset("nyc-ccrb")
    c = reach(Status.MEDIATION_ATTEMPTED, journey)
    assert (c.status, c.disposition) == (Status.MEDIATION_ATTEMPTED, Disposition.CLOSED_MEDIATION_ATTEMPTED)
    assert c.complainant_no_shows == 2
    outcomes = list(c.events.filter(action="session_record_outcome").values_list("to_status", flat=True))
    assert outcomes == [Status.REFERRED, Status.MEDIATION_ATTEMPTED]


@time_machine.travel(dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC))  # a Friday
def test_nyc_counts_the_acknowledgement_deadline_in_business_days(db, journey):
    use_preset("nyc-ccrb")
    c = services.complaint_receive(
        actor=journey.intake,
        received_on=dt.date(2026, 11, 27),
        channel="phone",
        narrative="Rude officer.",
        parties=[services.NewParty(first_name="Dana", last_name="Reyes")],
        officers=[services.NewOfficer(description="Unknown")],
    )
    assert c.deadlines.get(kind=DeadlineKind.ACKNOWLEDGE).due_on == dt.date(2026, 12, 8)  # 7 business days


# --- Washington DC OPC ---------------------------------------------------------------------------


def test_dc_requires_the_officer_to_take_part_once_the_complainant_chose_mediation(db, journey):
    use_preset("dc-opc")
    c = journey.choose(journey.to_awaiting_choice(receive_complaint(journey.intake)))
    assert c.status == Status.READY_FOR_REFERRAL
    assert c.officers.get().consent == ConsentAnswer.REQUIRED


def test_dc_requires_a_signed_agreement_to_close_as_mediated(db, journey):
    use_preset("dc-opc")
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        before = snapshot(c)
        with pytest.raises(GuardFailed, match="signed written agreement"):
            journey.hold(c, session)
        assert snapshot(c) == before
        c = journey.hold(c, session, agreement_signed=True)
    assert c.status == Status.MEDIATED
    assert session.duration_minutes == 120


def test_dc_refers_an_officer_who_does_not_show_for_discipline(db, journey):
    use_preset("dc-opc")
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        c = journey.hold(c, session, SessionOutcome.OFFICER_NO_SHOW, present_officers=set())
    assert (c.status, c.disposition, c.discipline_referral) == (
        Status.DECLINED_BY_OFFICER,
        Disposition.INVESTIGATION,
        True,
    )


def test_dc_sends_a_complainant_no_show_back_to_investigation(db, journey):
    use_preset("dc-opc")
    c = reach(Status.SCHEDULED, journey)
    session = c.sessions.get()
    with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
        c = journey.hold(c, session, SessionOutcome.COMPLAINANT_NO_SHOW, present_parties=set())
    assert (c.status, c.disposition) == (Status.NOT_RESOLVED, Disposition.INVESTIGATION)


# --- New Orleans IPM --------------------------------------------------------------------------------


def test_new_orleans_screens_out_allegations_it_does_not_mediate(db, journey):
    use_preset("new-orleans-ipm")
    c = receive_complaint(journey.intake, allegations=("excessive-force",))
    c = services.complaint_screen(complaint=c, actor=journey.intake, answers={"not-minor": False})
    assert c.status == Status.UNSUITABLE
    assert "excessive use of force" in c.events.last().reason


def test_new_orleans_gives_mediators_four_days_notice(db, journey):
    use_preset("new-orleans-ipm")
    c = journey.to_referred(receive_complaint(journey.intake))
    before = snapshot(c)
    with pytest.raises(GuardFailed, match="4 days' notice"):
        journey.schedule(c, starts_at=timezone.now() + dt.timedelta(days=2))
    assert snapshot(c) == before
    assert journey.schedule(c).duration_minutes == 90


# --- Options other programs use -------------------------------------------------------------------


def test_the_repeat_window_screens_out_an_officer_mediated_recently(policy, journey):
    ProgramPolicy.objects.filter(pk=policy.pk).update(officer_repeat_window_days=180)
    first = reach(Status.MEDIATED, journey)
    officer = first.officers.get().roster_officer
    c = services.complaint_receive(
        actor=journey.intake,
        received_on=timezone.localdate(),
        channel="phone",
        narrative="Same officer again.",
        parties=[services.NewParty(first_name="Lee", last_name="Park")],
        officers=[services.NewOfficer(roster=officer, allegation_codes=["discourtesy"])],
    )
    c = services.complaint_screen(
        complaint=c, actor=journey.intake, answers={f.code: False for f in c.policy.exclusion_factors.all()}
    )
    assert c.status == Status.UNSUITABLE
    assert "180 days" in c.events.last().reason


def test_parallel_consent_lets_the_officer_answer_first(policy, journey):
    ProgramPolicy.objects.filter(pk=policy.pk).update(consent_order=ConsentOrder.PARALLEL)
    c = reach(Status.AWAITING_CHOICE, journey)
    c = services.officer_record_consent(complaint=c, actor=journey.iad, officer=c.officers.get(), accepted=True)
    assert c.status == Status.AWAITING_CHOICE
    c = journey.choose(c)
    assert c.status == Status.READY_FOR_REFERRAL


def test_two_deciders_must_both_approve(policy, journey):
    ProgramPolicy.objects.filter(pk=policy.pk).update(suitability_deciders=[Role.INTAKE, Role.IAD])
    c = reach(Status.SUITABILITY_REVIEW, journey)
    c = services.complaint_decide_suitability(complaint=c, actor=journey.iad, appropriate=True, reason="ok")
    assert c.status == Status.SUITABILITY_REVIEW
    with pytest.raises(GuardFailed, match="already approved"):
        services.complaint_decide_suitability(complaint=c, actor=journey.iad, appropriate=True, reason="ok")
    c = services.complaint_decide_suitability(complaint=c, actor=journey.intake, appropriate=True, reason="ok")
    assert c.status == Status.AWAITING_CHOICE


def test_switching_preset_changes_new_complaints_and_keeps_old_ones(policy, journey):
    old = receive_complaint(journey.intake)
    nyc = use_preset("nyc-ccrb")
    new = receive_complaint(journey.intake)
    old.refresh_from_db()
    assert (old.policy.slug, new.policy) == ("st-louis", nyc)
    assert ProgramPolicy.objects.filter(is_active=True).count() == 1


def test_every_preset_runs_the_whole_path_to_mediated(db, journey):
    for slug in ["st-louis", "nyc-ccrb", "dc-opc", "new-orleans-ipm"]:
        use_preset(slug)
        c = reach(Status.SCHEDULED, journey)
        session = c.sessions.get()
        assert session.mediators.count() == c.policy.mediators_per_session
        with time_machine.travel(session.starts_at + dt.timedelta(hours=3)):
            c = journey.hold(c, session, agreement_signed=True)
        assert (c.policy.slug, c.status, c.disposition) == (slug, Status.MEDIATED, Disposition.CLOSED_MEDIATED)
        assert not Deadline.objects.filter(complaint=c, met_at__isnull=True, cancelled=False).exists()
