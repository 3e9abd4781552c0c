"""The helpers of the Jinja2 tables (parley/jinja.py) write what Django's own would."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import Jinja2
from django.template import Context, Template
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.cases.forms import ComplaintFilterForm
from parley.jinja import FormRenderer, day, iso_day, url_with

# Each example is compared with what Django itself writes (a template rendered, a URL reversed): the
# first can take longer than hypothesis's 200 ms deadline on a busy 2-core machine, and the deadline
# says nothing about what these tests check.
COMPARED_WITH_DJANGO = settings(deadline=None)

REFERENCES = st.text(min_size=1).filter(lambda s: "/" not in s)


@given(REFERENCES)
@COMPARED_WITH_DJANGO
def test_url_with_writes_the_url_reverse_writes(reference):
    assert url_with("cases:detail", "ref", reference) == reverse("cases:detail", kwargs={"ref": reference})


@given(REFERENCES)
@COMPARED_WITH_DJANGO
def test_url_with_follows_the_script_prefix_of_a_site_served_under_a_path(reference):
    before = get_script_prefix()
    set_script_prefix("/parley/")
    try:
        written = url_with("cases:detail", "ref", reference)
        assert written.startswith("/parley/complaints/")
        assert written == reverse("cases:detail", kwargs={"ref": reference})
    finally:
        set_script_prefix(before)


def test_url_with_leaves_a_value_the_pattern_refuses_to_reverse():
    with pytest.raises(NoReverseMatch):
        url_with("cases:detail", "ref", "a/b")


def _django(value, fmt: str) -> str:
    return Template(f"{{{{ value|date:'{fmt}' }}}}").render(Context({"value": value}))


MOMENTS = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31), timezones=st.just(dt.UTC)
    ),  # an aware moment: shown on the day it is in the site's time zone
)


@pytest.mark.parametrize("language", ["en", "es"])
@given(MOMENTS)
@COMPARED_WITH_DJANGO
def test_day_writes_a_date_as_the_date_filter_does_in_each_language(language, value):
    with translation.override(language):
        assert day(value) == _django(value, "M j, Y")
        assert iso_day(value) == _django(value, "Y-m-d")


def test_no_date_is_written_as_nothing():
    assert day(None) == "" and iso_day(None) == ""


class _Choosing(forms.Form):
    one = forms.ChoiceField(
        choices=[("", "Any"), ("x", "X <&> 'quoted'"), ("Group", [("y", "Y"), ("z", "Z")])], required=False
    )
    several = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")], required=False)
    filters = forms.ChoiceField(choices=ComplaintFilterForm.base_fields["status"].choices, required=False)


@pytest.mark.parametrize("data", [{}, {"one": "y", "several": ["1", "2"], "filters": "open"}, {"one": "x"}])
def test_a_select_is_written_as_djangos_own_widget_template_writes_it(data):
    for name in _Choosing.base_fields:
        ours = _Choosing(data, renderer=FormRenderer())[name].as_widget()
        assert ours == _Choosing(data, renderer=Jinja2())[name].as_widget()
        assert "</option>" in ours


def test_the_select_widget_is_written_by_parleys_own_template():
    template = FormRenderer().get_template("django/forms/widgets/select.html")
    assert template.template.filename.endswith("parley/jinja2/django/forms/widgets/select.html")


def test_a_select_marks_the_chosen_option_and_escapes_the_labels():
    html = _Choosing({"one": "y"}, renderer=FormRenderer())["one"].as_widget()
    assert '<optgroup label="Group">' in html
    assert '<option value="y" selected>Y</option>' in html
    assert "X &lt;&amp;&gt; &#39;quoted&#39;" in html
