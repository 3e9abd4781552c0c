"""The helpers of the Jinja2 tables (parley/jinja.py) write what Django's own would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from parley.jinja import day, iso_day, url_with


@given(st.text(min_size=1).filter(lambda s: "/" not in s))
def test_url_with_writes_the_url_reverse_writes(reference):
    assert url_with("cases:detail", "ref", reference) == reverse("cases:detail", kwargs={"ref": reference})


def test_url_with_leaves_a_value_the_pattern_refuses_to_reverse():
    with pytest.raises(NoReverseMatch):
        url_with("cases:detail", "ref", "a/b")


@pytest.mark.parametrize("language", ["en", "es"])
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_day_writes_a_date_as_the_date_filter_does_in_each_language(language, value):
    with translation.override(language):
        assert day(value) == date_filter(value, "M j, Y")
        assert iso_day(value) == date_filter(value, "Y-m-d")


def test_no_date_is_written_as_nothing():
    assert day(None) == "" and iso_day(None) == ""
