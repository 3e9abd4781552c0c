"""The helpers of the Jinja2 tables (parley/jinja.py) write what Django's own would."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.forms.renderers import Jinja2
from django.template import Context, RequestContext, Template, engines
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.cases.forms import ComplaintFilterForm
from parley.jinja import FormRenderer, clock_writer, day, day_writer, iso_day, iso_moment, url_with

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
        assert day(value) == _django(value, "M j, Y") == day_writer()(value)  # a table's, the language read once
        assert iso_day(value) == _django(value, "Y-m-d")


AWARE_MOMENTS = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31), timezones=st.just(dt.UTC)
)


@pytest.mark.parametrize("language", ["en", "es"])
@given(AWARE_MOMENTS)
@COMPARED_WITH_DJANGO
def test_a_time_of_day_and_a_moment_are_written_as_the_date_filter_writes_them(language, value):
    with translation.override(language):
        assert clock_writer()(value) == _django(value, "g:i:s a")
        assert iso_moment(value) == _django(value, "c")


def test_no_date_is_written_as_nothing():
    assert day(None) == "" and iso_day(None) == "" and day_writer()(None) == ""


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


def test_the_plainest_widgets_are_written_without_their_templates(monkeypatch):
    def no_template(name):
        raise AssertionError(f"{name} was read")

    renderer = FormRenderer()
    monkeypatch.setattr(renderer, "get_template", no_template)
    for name in _Choosing.base_fields:
        assert "</select>" in _Choosing({}, renderer=renderer)[name].as_widget()
    assert 'type="date"' in forms.DateField(widget=forms.DateInput(attrs={"type": "date"})).widget.render(
        "d", None, renderer=renderer
    )


def test_a_select_marks_the_chosen_option_and_escapes_the_labels():
    html = _Choosing({"one": "y"}, renderer=FormRenderer())["one"].as_widget()
    assert '<optgroup label="Group">' in html
    assert '<option value="y" selected>Y</option>' in html
    assert "X &lt;&amp;&gt; &#39;quoted&#39;" in html


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_ATTRS = st.dictionaries(
    st.sampled_from(["class", "id", "aria-describedby", "maxlength", "required", "disabled", "data-x"]),
    st.one_of(_TEXT, st.booleans(), st.integers(0, 999)),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(
    widget=st.sampled_from(
        [
            forms.TextInput(),
            forms.DateInput(),
            forms.NumberInput(),
            forms.EmailInput(),
            forms.HiddenInput(),
            forms.PasswordInput(render_value=True),
            forms.CheckboxInput(),
            forms.Textarea(),
            forms.SearchInput(),
            forms.TimeInput(),
        ]
    ),
    value=st.one_of(st.none(), _TEXT, st.booleans(), st.integers(-5, 5)),
    attrs=_ATTRS,
)
def test_an_input_or_text_area_is_written_as_djangos_own_templates_write_it(widget, value, attrs):
    assert FormRenderer().render(widget.template_name, widget.get_context("n<a>me", value, attrs)) == (
        Jinja2().render(widget.template_name, widget.get_context("n<a>me", value, attrs))
    )


_CHOICE = st.tuples(st.one_of(_TEXT, st.integers(0, 9)), _TEXT)


@settings(max_examples=150, deadline=None)
@given(
    choices=st.lists(st.one_of(_CHOICE, st.tuples(_TEXT, st.lists(_CHOICE, max_size=3))), max_size=6),
    value=st.one_of(st.none(), _TEXT, st.lists(_TEXT, max_size=3)),
    attrs=_ATTRS,
    multiple=st.booleans(),
)
def test_a_select_is_written_as_djangos_own_templates_write_it_whatever_its_choices(choices, value, attrs, multiple):
    widget = (forms.SelectMultiple if multiple else forms.Select)(choices=choices)
    ours = FormRenderer().render(widget.template_name, widget.get_context("pick", value, attrs))
    assert ours == Jinja2().render(widget.template_name, widget.get_context("pick", value, attrs))


def test_the_filter_forms_fields_are_written_as_djangos_own_templates_write_them(db):
    data = {"q": "O'Brien <b>", "status": "open", "received_from": "2026-13-01", "overdue": "on", "per_page": "50"}
    for bound in ({}, data):
        form = ComplaintFilterForm(bound or None, renderer=FormRenderer())
        django_form = ComplaintFilterForm(bound or None, renderer=Jinja2())
        for name in form.fields:
            assert form[name].as_widget() == django_form[name].as_widget()


def test_whole_forms_are_written_as_djangos_own_templates_write_them(db):
    data = {"q": "x", "received_from": "not a date", "per_page": "50"}
    for bound in (None, data):
        ours = ComplaintFilterForm(bound, renderer=FormRenderer())
        django_form = ComplaintFilterForm(bound, renderer=Jinja2())
        assert ours.as_div() == django_form.as_div() and ours.errors.as_ul() == django_form.errors.as_ul()
        assert ours["q"].label_tag() == django_form["q"].label_tag()


def test_a_widget_with_templates_of_its_own_is_written_by_them():
    class Starred(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    widget = Starred(choices=[("a", "A")])
    html = FormRenderer().render(widget.template_name, widget.get_context("pick", "a", {}))
    assert html == Jinja2().render(widget.template_name, widget.get_context("pick", "a", {}))
    assert "</option>" not in html and "<label><input" in html  # its own option template


LAYOUT_LINKS = [
    "home",
    "cases:list",
    "cases:intake",
    "cases:find",
    "audit:list",
    "admin:index",
    "accounts:password_change",
    "accounts:logout",
    "accounts:login",
    "accounts:session_status",
    "accounts:stay_signed_in",
]


def _jinja(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


@pytest.mark.parametrize("prefix", ["/", "/parley/"])
def test_the_layouts_kept_links_are_those_url_and_static_write_under_each_script_prefix(prefix):
    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for name in LAYOUT_LINKS:
            expected = Template("{% url name %}").render(Context({"name": name}))
            assert _jinja("{{ fixed_url(name) }}", name=name) == expected
            assert expected.startswith(prefix)
        for path in ("parley.css", "vendor/uswds/css/uswds.min.css"):
            expected = Template("{% load static %}{% static path %}").render(Context({"path": path}))
            assert _jinja("{{ static(path) }}", path=path) == expected
    finally:
        set_script_prefix(before)


def test_the_layouts_kept_links_follow_a_change_of_settings(settings):
    assert _jinja("{{ static('parley.css') }}") == "/static/parley.css"
    settings.STATIC_URL = "https://cdn.example.org/parley/"
    assert _jinja("{{ static('parley.css') }}") == "https://cdn.example.org/parley/parley.css"


def test_the_layout_reverses_no_url_of_its_own():
    from pathlib import Path

    import parley

    layout = (Path(parley.__file__).parent / "templates" / "base.html").read_text()
    assert "url(" not in layout.replace("fixed_url(", "")  # each link through the kept ones above
    assert "fixed_url(" in layout and "static(" in layout


@pytest.mark.parametrize(
    ("query", "changes", "expected"),
    [
        ("", {}, ""),
        ("", {"after": None}, ""),
        ("", {"count": 1}, "?count=1"),
        ("q=Reyes&after=abc", {"after": None, "before": None}, "?q=Reyes"),
        ("after=abc", {"after": None}, "?"),
        ("q=a+b&status=x&status=y", {"after": "k&1"}, "?q=a+b&status=x&status=y&after=k%261"),
        ("q=1", {"status": ["a", "b"]}, "?q=1&status=a&status=b"),
    ],
)
def test_querystring_writes_what_djangos_tag_writes(rf, query, changes, expected):
    request = rf.get(f"/complaints/?{query}")
    ours = _jinja("{{ querystring(**changes) }}", request=request, changes=changes)
    arguments = " ".join(f"{name}={name}" for name in changes)
    theirs = Template(f"{{% querystring {arguments} %}}").render(RequestContext(request, changes))
    assert ours == theirs == expected.replace("&", "&amp;")


def test_a_method_written_without_calling_it_is_an_error_not_text(rf):
    class Thing:
        def label(self) -> str:
            return "called"

    assert _jinja("{{ thing.label() }}", thing=Thing()) == "called"
    with pytest.raises(TypeError, match="without calling it"):
        _jinja("{{ thing.label }}", thing=Thing())


def test_no_page_template_keeps_djangos_template_language():
    """The pages moved from Django's template language to Jinja2 (fifteenth round): what Jinja2 would
    read as text or refuse, left behind, is found here rather than on a page."""
    from pathlib import Path

    import parley

    root = Path(parley.__file__).parent
    templates = list(root.glob("templates/**/*.html")) + list(root.glob("*/templates/**/*.html"))
    assert len(templates) > 30
    django_only = re.compile(
        r"\{% (url|csrf_token|load|static|field|error_summary|empty|now|querystring|translate|with \w+=)[ %]"
        r"|\{% include [^%]* with |forloop\.|\|(default|date|time|join|add):"
    )
    left = [f"{p.relative_to(root)}: {m.group()}" for p in templates for m in django_only.finditer(p.read_text())]
    assert left == []


def test_a_message_marked_safe_is_shown_as_html_and_any_other_is_escaped():
    """The admin's messages are HTML (``format_html``: "The user <a ...>...</a> was changed"); they are
    shown on Parley's pages after a save there, and must not show their markup (a review's finding)."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.utils.html import format_html

    html = _jinja(
        '{% include "includes/messages.html" %}',
        messages=[
            Message(constants.SUCCESS, format_html('The user “<a href="{}">{}</a>” was changed.', "/u/2/", "Ana & Bo")),
            Message(constants.INFO, "Plain <b>text</b> & more"),
        ],
    )
    assert 'The user “<a href="/u/2/">Ana &amp; Bo</a>” was changed.' in html
    assert "Plain &lt;b&gt;text&lt;/b&gt; &amp; more" in html
