"""Two people act on one complaint at the same moment: the row lock lets exactly one through."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from parley.cases import services
from parley.cases.models import Complaint, ComplaintEvent
from parley.cases.tests.helpers import reach
from parley.cases.workflow import ActionNotAllowed, Status
from parley.policies.presets import install_presets
from parley.testing.factories import Journey, UserFactory, receive_complaint

pytestmark = pytest.mark.postgres


def _race(*actions):
    """Run the actions in threads released at the same instant; return what each raised (or None)."""
    barrier = threading.Barrier(len(actions))
    results: list[BaseException | None] = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            action()
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it there)")
@pytest.mark.django_db(transaction=True)
def test_two_conflicting_choices_at_once_let_exactly_one_through():
    install_presets(activate="st-louis")
    irene = UserFactory(role="intake")
    marcus = UserFactory(role="intake")
    journey = Journey(intake=irene, iad=UserFactory(role="iad"), coordinator=UserFactory(role="coordinator"))
    complaint = reach(Status.AWAITING_CHOICE, journey)
    events_before = ComplaintEvent.objects.filter(complaint=complaint).count()

    def choose(actor, choice):
        return lambda: services.complaint_record_choice(
            complaint=complaint.pk,
            actor=actor,
            explained_by=actor.get_full_name(),
            explained_on=complaint.received_on,
            explained_how="phone",
            choice=choice,
        )

    results = _race(choose(irene, "mediation"), choose(marcus, "investigation"))

    assert sum(r is None for r in results) == 1, results
    (error,) = [r for r in results if r is not None]
    assert isinstance(error, ActionNotAllowed)
    complaint.refresh_from_db()
    assert complaint.status in {Status.AWAITING_OFFICER_CONSENT, Status.DECLINED_BY_COMPLAINANT}
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events_before + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it there)")
@pytest.mark.django_db(transaction=True)
def test_reference_numbers_stay_unique_when_many_complaints_arrive_at_once():
    install_presets(activate="st-louis")
    users = [UserFactory(role="intake") for _ in range(6)]
    results = _race(*[(lambda u=u: receive_complaint(u)) for u in users])
    assert results == [None] * 6
    references = list(Complaint.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it there)")
@pytest.mark.django_db(transaction=True)
def test_the_same_intake_form_saved_twice_at_once_records_one_complaint():
    """A double click: both saves start before either has finished. The token is unique in the database:
    the second waits for the first, fails, rolls back (its reference number too) and says which it was."""
    import uuid

    from parley.cases.models import ReferenceCounter
    from parley.cases.workflow import AlreadyReceived
    from parley.testing.factories import OfficerFactory

    install_presets(activate="st-louis")
    irene = UserFactory(role="intake")
    roster = OfficerFactory()
    token = uuid.uuid4()

    def save():
        services.complaint_receive(
            actor=irene,
            received_on=timezone.localdate(),  # the program's today (the UTC date can be tomorrow)
            channel="phone",
            narrative="The officer called me names.",
            parties=[services.NewParty(first_name="Dana", last_name="Reyes")],
            officers=[services.NewOfficer(roster=roster, allegation_codes=["discourtesy"])],
            submission=token,
        )

    results = _race(save, save)
    assert sum(r is None for r in results) == 1, results
    (error,) = [r for r in results if r is not None]
    assert isinstance(error, AlreadyReceived)
    complaint = Complaint.objects.get()
    assert error.complaint.pk == complaint.pk
    assert ReferenceCounter.objects.get().last == 1  # the second save's number went back with it


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it there)")
@pytest.mark.django_db(transaction=True)
def test_a_policys_rules_changed_while_a_step_is_under_way_leave_every_queue_flag_right():
    """The change sets the flags of the policy's open complaints again. Without the step's share lock on
    the policy it waited only for the step's complaint lock, then read the step's own rows (its suitability
    decision) as they were before it: Internal Affairs kept a decision it had already taken in its queue."""
    from django.db import transaction

    from parley.cases import selectors
    from parley.policies.models import ProgramPolicy

    install_presets(activate="st-louis")
    policy = ProgramPolicy.active()
    policy.suitability_deciders = ["iad", "intake"]
    policy.save()
    iad = UserFactory(role="iad")
    journey = Journey(intake=UserFactory(role="intake"), iad=iad, coordinator=UserFactory(role="coordinator"))
    complaint = reach(Status.SUITABILITY_REVIEW, journey)
    assert Complaint.objects.get(pk=complaint.pk).waits_for_iad
    step_done, done = threading.Event(), []

    def decide():
        with transaction.atomic():
            services.complaint_decide_suitability(complaint=complaint.pk, actor=iad, appropriate=True, reason="Fine.")
            step_done.set()
            threading.Event().wait(1.0)  # the change of rules comes now, while the step is not committed
        done.append("step")

    def change_rules():
        step_done.wait(10)
        with transaction.atomic():  # as the admin's change form
            changed = ProgramPolicy.objects.get(pk=policy.pk)
            changed.suitability_deciders = ["intake", "iad"]  # the same deciders: their flags are set again
            changed.save()
        done.append("rules")

    assert _race(decide, change_rules) == [None, None]
    assert done == ["step", "rules"]  # the change waited for the step
    assert selectors.stale_waiting() == {}
    assert not Complaint.objects.get(pk=complaint.pk).waits_for_iad  # Internal Affairs has decided
