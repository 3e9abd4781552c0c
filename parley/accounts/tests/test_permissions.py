"""The permission table and ``get_complaint_for``: scopes, capabilities, and the workflow's roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from parley.accounts.permissions import PERMISSIONS, SCOPES, can, get_complaint_for, visible_complaints
from parley.accounts.roles import Role
from parley.cases.tests.helpers import reach
from parley.cases.workflow import TRANSITIONS, Status
from parley.mediation.models import MediationSession
from parley.testing.factories import Journey, UserFactory


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def test_every_role_has_exactly_one_scope():
    for role in Role.values:
        assert sum(role in PERMISSIONS[scope] for scope in SCOPES) == 1, role


def test_the_workflow_actions_take_their_roles_from_the_workflow_table():
    for t in TRANSITIONS:
        assert PERMISSIONS[t.action] == t.roles


def test_auditors_may_read_but_take_no_action_and_write_nothing():
    writes = {"intake", "add_note", "complaint_receive", *(t.action for t in TRANSITIONS)}
    for capability in writes:
        assert Role.AUDITOR not in PERMISSIONS[capability], capability
    assert Role.AUDITOR in PERMISSIONS["view_complaint"] and Role.AUDITOR in PERMISSIONS["export_complaints"]


def test_mediators_see_only_what_a_session_needs():
    for capability in ["view_complaint", "view_narrative", "view_allegations", "view_screening", "view_notes"]:
        assert Role.MEDIATOR not in PERMISSIONS[capability], capability
    assert Role.MEDIATOR in PERMISSIONS["view_session_needs"]
    assert Role.MEDIATOR not in PERMISSIONS["export_complaints"]


def test_nobody_anonymous_or_switched_off_can_do_anything(db):
    off = UserFactory(role=Role.ADMIN, is_active=False)
    for capability in PERMISSIONS:
        assert not can(AnonymousUser(), capability)
        assert not can(off, capability)


def test_a_complaint_is_found_by_reference_or_primary_key(journey, irene):
    c = reach(Status.RECEIVED, journey)
    assert get_complaint_for(irene, c.reference) == c
    assert get_complaint_for(irene, c.pk) == c
    with pytest.raises(Http404):
        get_complaint_for(irene, "2000-0001")


def test_a_missing_capability_is_forbidden_and_a_complaint_outside_the_scope_is_not_found(journey, carla, audrey):
    c = reach(Status.RECEIVED, journey)
    with pytest.raises(PermissionDenied):
        get_complaint_for(audrey, c.reference, need="complaint_screen")
    with pytest.raises(Http404):
        get_complaint_for(carla, c.reference)  # not referred: the mediation center cannot find it


def test_the_suitability_deciders_come_from_the_complaints_policy(journey, irene, ray):
    c = reach(Status.SUITABILITY_REVIEW, journey)
    assert get_complaint_for(ray, c.reference, need="complaint_decide_suitability") == c
    with pytest.raises(PermissionDenied):
        get_complaint_for(irene, c.reference, need="complaint_decide_suitability")


def test_a_mediator_finds_only_complaints_of_sessions_they_are_assigned_to(journey, maya):
    mine, theirs = reach(Status.SCHEDULED, journey), reach(Status.SCHEDULED, journey)
    mediator = MediationSession.objects.get(complaint=mine).mediators.first()
    mediator.user = maya
    mediator.save()
    assert list(visible_complaints(maya)) == [mine]
    assert get_complaint_for(maya, mine.reference, need="view_session") == mine
    with pytest.raises(Http404):
        get_complaint_for(maya, theirs.reference, need="view_session")
