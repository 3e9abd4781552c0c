"""Retention anonymises closed complaints after the policy's years: a dry run first, then for real."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from parley.audit.models import AuditEntry
from parley.audit.services import audit_record, verify_chain
from parley.cases.models import Complaint, Note
from parley.cases.retention import REMOVED, apply_retention, retention_report
from parley.cases.selectors import replay_status
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.policies.models import ProgramPolicy
from parley.testing.factories import Journey
from parley.testing.web import login


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    ProgramPolicy.objects.filter(pk=policy.pk).update(retention_years=5)
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


@pytest.fixture
def old_closed(journey, irene):
    with time_machine.travel(timezone.now() - dt.timedelta(days=365 * 6)):
        c = reach(Status.DECLINED_BY_COMPLAINANT, journey)
        Note.objects.create(complaint=c, author=irene, organisation="oversight", body="Called Dana at home.")
        audit_record(
            action="view:cases:detail",
            actor=irene,
            object_type="complaint",
            object_id=c.reference,
            detail={"query": {"q": ["Dana Reyes"]}},
        )
    return c


def test_the_dry_run_lists_what_would_go_and_changes_nothing(old_closed, journey, capsys):
    recent = reach(Status.DECLINED_BY_COMPLAINANT, journey)
    still_open = reach(Status.REFERRED, journey)
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "Dry run: would anonymise 1 complaint" in out and old_closed.reference in out
    assert recent.reference not in out and still_open.reference not in out
    old_closed.refresh_from_db()
    assert old_closed.anonymised_at is None and old_closed.parties.get().last_name == "Reyes"


def test_a_real_run_removes_the_personal_data_and_keeps_the_shape(old_closed, journey):
    events_before = list(old_closed.events.values_list("action", "from_status", "to_status", "actor_role"))
    report = apply_retention()
    assert report.complaints == [old_closed.reference]
    c = Complaint.objects.get(pk=old_closed.pk)
    party = c.parties.get()
    assert (party.last_name, party.phone, party.email) == ("", "", "")
    assert (party.phone_index, party.email_index) == ("", "")  # nobody can be found by the old number either
    assert c.narrative == REMOVED and c.anonymised_at is not None
    assert c.notes.get().body == REMOVED
    assert (c.status, c.received_on) == (Status.DECLINED_BY_COMPLAINANT, old_closed.received_on)
    assert list(c.events.values_list("action", "from_status", "to_status", "actor_role")) == events_before
    assert not any("explained_by" in e.data for e in c.events.all())
    assert replay_status(c) == c.status
    entry = AuditEntry.objects.get(object_id=c.reference)
    assert entry.redacted_at is not None and "Dana" not in str(entry.detail)
    assert list(verify_chain()) == []


def test_running_twice_changes_nothing_more(old_closed):
    apply_retention()
    assert apply_retention().complaints == []


def test_a_policy_without_a_retention_period_keeps_everything(old_closed, policy):
    ProgramPolicy.objects.filter(pk=policy.pk).update(retention_years=None)
    assert retention_report().complaints == []


def test_a_note_sent_from_a_page_opened_before_retention_ran_is_refused_and_kept_on_screen(old_closed, client, irene):
    """Retention does not come back to a complaint it has anonymised, so a note written to it later (from
    a complaint page opened before the run) would keep its personal data for good: it is refused, and
    the page shows it again so that it can be copied."""
    login(client, irene)
    apply_retention()
    typed = "Dana Reyes called back from 314-555-0101."
    response = client.post(reverse("cases:note_create", kwargs={"ref": old_closed.reference}), {"body": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The note was not saved. This complaint&#39;s personal data was removed under the retention policy" in body
    assert typed in body
    assert not Note.objects.filter(body__contains="555-0101").exists()
