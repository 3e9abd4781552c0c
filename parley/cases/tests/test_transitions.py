"""Every transition of the workflow table: allowed for the right role and status, refused otherwise
with the domain error, exactly one event written, nothing changed on refusal."""

from __future__ import annotations

import pytest

from parley.accounts.roles import Role
from parley.cases.models import ComplaintEvent
from parley.cases.tests.helpers import call, reach, snapshot
from parley.cases.workflow import (
    BY_ACTION,
    TRANSITIONS,
    ActionNotAllowed,
    RoleNotAllowed,
    Status,
    WorkflowError,
)
from parley.testing.factories import Journey, UserFactory, receive_complaint

ROLES = list(Role.values)


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _allowed_roles(action: str, policy) -> set[str]:
    roles = set(BY_ACTION[action].roles)
    if action == "complaint_decide_suitability":
        roles &= set(policy.suitability_deciders)
    return roles


REACHABLE_UNDER_ST_LOUIS = [s for s in Status.values if s != Status.MEDIATION_ATTEMPTED]


@pytest.mark.parametrize(
    ("action", "source"),
    [(t.action, s) for t in TRANSITIONS for s in sorted(t.sources) if s in REACHABLE_UNDER_ST_LOUIS],
)
def test_each_transition_works_for_each_allowed_role_and_writes_one_event(action, source, journey, policy):
    for role in sorted(_allowed_roles(action, policy)):
        complaint = reach(source, journey)
        if action == "officer_record_consent" and source == Status.AWAITING_CHOICE:
            continue  # only under a parallel-consent policy: see test_policies
        if action == "complaint_acknowledge" and complaint.acknowledged_at:
            continue
        if action == "officer_identify":  # needs an officer only described
            complaint = receive_complaint(journey.intake, officers=1, unidentified=1)
        actor = UserFactory(role=role)
        before = ComplaintEvent.objects.filter(complaint=complaint).count()
        call(action, complaint, actor, journey)
        complaint.refresh_from_db()
        events = ComplaintEvent.objects.filter(complaint=complaint).order_by("id")
        assert events.count() == before + 1
        last = events.last()
        assert (last.action, last.from_status, last.to_status, last.actor, last.actor_role) == (
            action,
            source,
            complaint.status,
            actor,
            role,
        )
        transition = BY_ACTION[action]
        assert complaint.status in (transition.targets or (source,))


@pytest.mark.parametrize("action", [t.action for t in TRANSITIONS])
def test_each_transition_is_refused_to_every_other_role_and_changes_nothing(action, journey, policy):
    source = sorted(s for s in BY_ACTION[action].sources if s in REACHABLE_UNDER_ST_LOUIS)[0]
    for role in sorted(set(ROLES) - _allowed_roles(action, policy)):
        complaint = reach(source, journey)
        before = snapshot(complaint)
        with pytest.raises(RoleNotAllowed) as refused:
            call(action, complaint, UserFactory(role=role), journey)
        assert refused.value.role == role
        assert snapshot(complaint) == before


@pytest.mark.parametrize("status", REACHABLE_UNDER_ST_LOUIS)
def test_actions_outside_their_statuses_are_refused_naming_the_status(status, journey, policy):
    complaint = reach(status, journey)
    for transition in TRANSITIONS:
        if status in transition.sources:
            continue
        role = sorted(_allowed_roles(transition.action, policy))[0]
        before = snapshot(complaint)
        with pytest.raises(ActionNotAllowed) as refused:
            call(transition.action, complaint, UserFactory(role=role), journey)
        assert Status(status).label in str(refused.value)
        assert snapshot(complaint) == before


def test_an_inactive_account_can_take_no_action(journey, irene):
    complaint = reach(Status.RECEIVED, journey)
    irene.is_active = False
    irene.save()
    before = snapshot(complaint)
    with pytest.raises(RoleNotAllowed, match="inactive"):
        call("complaint_screen", complaint, irene, journey)
    assert snapshot(complaint) == before


def test_a_closed_complaint_says_nothing_is_possible(journey):
    complaint = reach(Status.DECLINED_BY_COMPLAINANT, journey)
    with pytest.raises(WorkflowError, match="nothing"):
        call("complaint_refer", complaint, journey.intake, journey)
