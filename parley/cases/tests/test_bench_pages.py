"""The benchmark command runs every page it names, through the whole stack, and says what it measured."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parley.cases.demo import LAST


@pytest.mark.django_db(transaction=True)
def test_it_times_each_page_beside_the_floor_and_then_the_searches():
    out = io.StringIO()
    call_command("bench_pages", complaints=40, requests=5, searches=True, breakdown=True, stdout=out)
    text = out.getvalue()
    assert "Seeding 40 complaints" in text
    assert re.search(r"^page +median ms +p95 ms +x floor +db ms +other ms +x floor, db only$", text, re.MULTILINE)
    number = r"\s+([\d.]+)"
    for page in ("floor: minimal view", "complaint list", "filtered search", "my queue", "complaint page"):
        row = re.search(rf"^{re.escape(page)}.*?{number * 6}$", text, re.MULTILINE)
        assert row, page
        median, p95, ratio, db, other, db_only = map(float, row.groups())
        assert 0 < median <= p95 and ratio > 0
        # every page, the floor too, waits on the database (the session, the user, the second factor)
        assert 0 < db < median and other > 0 and db_only > 0
    searches = 2 * (len(set(LAST)) + 11)  # the last names, and 11 other searches
    summary = re.search(
        rf"^{searches} searches: median ([\d.]+) ms, 90th percentile ([\d.]+) ms, slowest ([\d.]+) ms$",
        text,
        re.MULTILINE,
    )
    assert summary, text
    median, p90, slowest = map(float, summary.groups())
    assert 0 < median <= p90 <= slowest
    assert len(re.findall(r"^ +[\d.]+ ms  '", text, re.MULTILINE)) == 5


@pytest.mark.django_db
def test_it_refuses_to_measure_too_few_requests_or_with_debug_on(settings):
    with pytest.raises(CommandError, match="at least 5"):
        call_command("bench_pages", requests=4, stdout=io.StringIO())
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("bench_pages", stdout=io.StringIO())
