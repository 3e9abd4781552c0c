"""The auditor's benchmark appends a chain that still verifies, then times each lookup beside the floor."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parley.audit.models import AuditEntry
from parley.audit.services import audit_record, verify_chain

PAGES = (
    "floor: minimal view (/healthz)",
    "the newest entries",
    "a complaint's entries",
    "a person's entries",
    "a person's, their second page",
    "a name with no entries",
    "an action: export",
    "an action in no entry",
    "one day, a month after the first",
)


@pytest.mark.django_db(transaction=True)
def test_it_appends_entries_that_chain_on_and_times_each_lookup():
    call_command("seed_demo", complaints=20, stdout=io.StringIO())
    audit_record(action="view:home")  # the trail already has entries: the new ones chain on from them
    before = AuditEntry.objects.count()
    out = io.StringIO()
    call_command("bench_audit", entries=before + 1500, requests=5, stdout=out)
    text = out.getvalue()
    assert "Appended 1,500 entries" in text
    assert list(verify_chain()) == []  # the appended entries, then the benchmark's own requests
    assert AuditEntry.objects.filter(action="export:cases:export").exists()
    assert AuditEntry.objects.filter(object_type="complaint").exclude(object_id="").exists()
    for page in PAGES:
        row = re.search(rf"^{re.escape(page)}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", text, re.MULTILINE)
        assert row, (page, text)
        median, p95, ratio = map(float, row.groups())
        assert 0 < median <= p95 and ratio > 0


@pytest.mark.django_db
def test_it_refuses_too_few_requests_or_debug_on(settings):
    with pytest.raises(CommandError, match="at least 5"):
        call_command("bench_audit", requests=4, stdout=io.StringIO())
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("bench_audit", stdout=io.StringIO())
