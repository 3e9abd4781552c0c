"""Jinja2: the template engine of every page but the admin's (``settings.TEMPLATES``).

Pages are Jinja2 templates under ``<app>/templates/<app>/`` and ``parley/templates/`` (the layout,
``base.html``), and so is the password reset email. Jinja2 compiles a template to Python code and writes
a page several times faster than Django's template language, which every staff page paid for in its
layout (docs/benchmarks.md, "Staff pages, fourth round" and "fifteenth round"). Django's template
language is left for the admin's own pages and form widgets.

What the templates have besides Jinja2's own (``environment`` below): Django's ``url``, ``static``,
``querystring``, ``now``, ``gettext`` and the filters ``date``, ``time``, ``pluralize``, ``linebreaks``
and ``linebreaksbr``, each as Django's templates write it; ``fixed_url``, a URL without arguments
worked out once per process (the layout's links); ``field`` and ``error_summary``, the USWDS markup of
a form field and of a form's problems (``parley/uswds.py``); ``day``, ``iso_day`` and ``url_with``, for
tables that write a date or a link in every row. The context processors of ``settings.TEMPLATES`` give
every page rendered with its request ``request``, ``user``, ``messages``, ``can`` (what the user may
do), ``verified`` (whether they gave the second factor), the idle limits and ``csrf_input``.

Rows of the busiest tables and the complaint's record are written by their own templates and placed in
the page as pieces of HTML (``render_html``). Form widgets: the plainest (inputs, text areas, selects)
are written in Python as their templates write them, the others through Django's own Jinja2 widget
templates (``FormRenderer``).

Autoescaping is always on, as in Django's templates: every value is escaped unless it is marked safe
(in ``_written`` too, by the same ``escape``), and lazy texts are resolved before they are written (a
lazy object is escaped even when what it stands for is marked safe). A name a template does not get
is an error (``StrictUndefined``), not an empty space: a context value that a page may lack is asked
for with ``|default(...)`` or ``is defined``. And a method is called with ``()``: Django's templates
call it by themselves, Jinja2 writes (or tests the truth of) the method itself.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django import forms
from django.core.signals import setting_changed
from django.forms.renderers import BaseRenderer, Jinja2, TemplatesSetting
from django.template import TemplateDoesNotExist, defaultfilters, engines
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, override
from jinja2 import Environment, StrictUndefined, pass_context
from markupsafe import escape

from parley.uswds import error_items, field_context


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """An aware datetime in the current time zone (as Django's templates show it); a date as it is."""
    return timezone.localtime(value) if isinstance(value, dt.datetime) and timezone.is_aware(value) else value


def day(value: dt.date | dt.datetime | None) -> str:
    """A date as Django's ``date:"M j, Y"`` writes it (Jan 5, 2026), month in the active language."""
    return _day(get_language(), value)


@functools.cache
def _month_abbreviation(language: str, month: int) -> str:
    with override(language):
        return str(MONTHS_3[month]).title()


def date(value: Any, format_string: str) -> str:
    """Django's ``date`` filter (``{{ value|date:"P" }}``), for a format the filters above do not write:
    in the current time zone and language, as Django's templates give it."""
    return defaultfilters.date(template_localtime(value), format_string)


def time(value: Any, format_string: str) -> str:
    """Django's ``time`` filter (``{{ value|time:"P" }}``)."""
    return defaultfilters.time(template_localtime(value), format_string)


def url(name: str, **kwargs: Any) -> str:
    """Django's ``{% url %}``, with keyword arguments."""
    return reverse(name, kwargs=kwargs)


def iso_day(value: dt.date | dt.datetime | None) -> str:
    """The machine-readable date of a ``<time>`` element, as ``date:"Y-m-d"`` writes it: 2026-01-05."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


_PLACEHOLDER = "ZZPARLEYZZ"


@functools.cache
def _url_shape(name: str, argument: str, prefix: str, urlconf: str | None) -> tuple[str, str]:
    path = reverse(name, kwargs={argument: _PLACEHOLDER}, urlconf=urlconf)  # under the script prefix ``prefix``
    before, _, after = path.partition(_PLACEHOLDER)
    return before, after


@functools.cache
def _fixed_path(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)  # under the script prefix ``prefix``


def fixed_path(name: str) -> str:
    """``reverse(name)`` for a URL without arguments, worked out once per script prefix and URL conf
    (for the layout's links, ``{% fixed_url %}``)."""
    return _fixed_path(name, get_script_prefix(), get_urlconf())


def _forget_urls(*, setting: str, **kwargs: Any) -> None:
    """The URLs kept above are forgotten when a setting they depend on changes (as tests do)."""
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _url_shape.cache_clear()
        _fixed_path.cache_clear()


setting_changed.connect(_forget_urls)


def url_with(name: str, argument: str, value: str) -> str:
    """``reverse(name, kwargs={argument: value})`` for a URL whose one argument is a ``str`` path segment,
    without resolving the pattern again for each row of a table (reversing is some 20 µs a call).
    The value is quoted as ``reverse`` quotes it; one the pattern refuses goes to ``reverse``, which says so."""
    return url_writer(name, argument)(value)


def day_writer() -> Callable[[dt.date | dt.datetime | None], str]:
    """``day`` for the active language, looked up once: for a table that writes a date in every row
    (reading the active language, a thread's own, takes longer than writing the date)."""
    return functools.partial(_day, get_language())


def _day(language: str, value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    value = _local(value)
    return f"{_month_abbreviation(language, value.month)} {value.day}, {value.year:04d}"


@functools.cache
def _meridiem(language: str, afternoon: bool) -> str:
    with override(language):
        return gettext("p.m." if afternoon else "a.m.")  # as Django's date format "a" writes them


def _clock(language: str, value: dt.datetime) -> str:
    value = _local(value)
    return f"{value.hour % 12 or 12}:{value.minute:02d}:{value.second:02d} {_meridiem(language, value.hour >= 12)}"


def clock_writer() -> Callable[[dt.datetime], str]:
    """A time of day as Django's ``date:"g:i:s a"`` writes it (3:05:09 p.m.), in the current time zone
    and the active language, looked up once (for a table with a time in every row)."""
    return functools.partial(_clock, get_language())


def iso_moment(value: dt.datetime) -> str:
    """The machine-readable moment of a ``<time>`` element, as ``date:"c"`` writes it, in the current
    time zone: 2026-01-05T15:05:09.123456-06:00."""
    return _local(value).isoformat()


def placed_messages(messages: Any, place: str) -> list[Any]:
    """The request's messages that belong at ``place``: those whose extra tag names it (``"notes"``), or
    for the page's top (``""``) those with none."""
    return [message for message in messages or () if (message.extra_tags or "") == place]


def url_writer(name: str, argument: str) -> Callable[[str], str]:
    """``url_with`` for one URL pattern, its shape under the current script prefix looked up once (for
    a table's link in every row: the script prefix, a thread's own, is slow to read)."""
    before, after = _url_shape(name, argument, get_script_prefix(), get_urlconf())

    def write(value: str) -> str:
        if not value or "/" in value:
            return reverse(name, kwargs={argument: value})
        return f"{before}{quote(value, safe=RFC3986_SUBDELIMS + '~:@')}{after}"

    return write


class FormRenderer(BaseRenderer):
    """Form widgets: the plainest written in Python (``_written``), the others through Django's own
    Jinja2 widget templates (the same markup as its Django templates, written in a third of the time);
    a widget that has Django templates only (the admin's, django.contrib.auth's) through the
    project's template settings, as before."""

    def __init__(self) -> None:
        self.jinja2, self.fallback = Jinja2(), TemplatesSetting()

    def get_template(self, template_name: str) -> Any:
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        """The plainest widgets (inputs, text areas, selects) written in Python, as their templates
        write them; any other through its template."""
        written = _written(template_name, context["widget"]) if "widget" in context else None
        return super().render(template_name, context, request=request) if written is None else written


# The widget templates whose markup ``_written`` writes, the same as Django's templates of these names
# write it: through Jinja2 each widget took some 50 to 150 µs (the complaint list's filter form has a
# dozen, with some 60 options), written here a few µs; tests compare the two (tests/test_jinja.py).
_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "color",
        "search",
        "tel",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
    )
)
_SELECT, _OPTION = "django/forms/widgets/select.html", "django/forms/widgets/select_option.html"
_TEXTAREA = "django/forms/widgets/textarea.html"


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: `` name="value"`` each, `` name`` for True, none for False."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _written(template_name: str, widget: dict[str, Any]) -> str | None:
    if template_name in _INPUTS:
        value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        return (
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
        )
    if template_name == _TEXTAREA:
        text = escape(widget["value"]) if widget["value"] else ""
        return f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'
    if template_name == _SELECT:
        parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(group_name)}">')
            for option in group_choices:
                if option["template_name"] != _OPTION:
                    return None  # an option of its own: the templates write it
                parts.append(
                    f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{escape(option['label'])}</option>"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
    return None


def render_html(template_name: str, context: dict[str, Any]) -> SafeString:
    """A Jinja2 template (``settings.TEMPLATES``) rendered for a place in a Django
    template. The result is marked safe for Django because the environment below escapes every value
    that is not itself marked safe: this is where one engine's escaped output is handed to the other."""
    html = engines["jinja2"].get_template(template_name).render(context)
    return mark_safe(html)  # noqa: S308  # nosec B703 B308: autoescaped by Jinja2 (environment() below)


@functools.cache
def _static(path: str, prefix: str) -> str:
    return static(path)  # STATIC_URL is under the script prefix ``prefix`` when it is relative


def fixed_static(path: str) -> str:
    """Django's ``{% static path %}``, worked out once per script prefix (the layout writes five)."""
    return _static(path, get_script_prefix())


def _forget_static(*, setting: str, **kwargs: Any) -> None:
    if setting in {"FORCE_SCRIPT_NAME", "STATIC_URL", "STORAGES", "STATICFILES_STORAGE"}:
        _static.cache_clear()


setting_changed.connect(_forget_static)


def field(bound: forms.BoundField, hint: str = "", label: str = "") -> SafeString:
    """A form field in USWDS markup, with its label, hint and errors (``uswds/field.html``):
    ``{{ field(form.name) }}``, ``{{ field(form.name, hint="...", label="...") }}``."""
    return render_html("uswds/field.html", field_context(bound, hint, label))


def error_summary(*things: Any, lead: str = "") -> SafeString:
    """The problems of forms, parts of forms and formsets in one alert (``uswds/error_summary.html``).
    ``lead`` says what became of the submission ("Nothing was saved"): said here, once, not again in a
    separate message above the form."""
    return render_html("uswds/error_summary.html", {"items": error_items(things), "lead": lead})


@pass_context
def querystring(context: Any, **changes: Any) -> str:
    """Django's ``{% querystring %}``: the request's query with ``changes`` made to it (a value of None
    takes the name out, a list sets several values), as ``?...``; nothing when both are empty."""
    query = context["request"].GET
    params = query.copy()
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        elif isinstance(value, list | tuple):
            params.setlist(name, value)
        else:
            params[name] = value
    if not params and not query:
        return ""
    return f"?{params.urlencode()}"


def now(format_string: str) -> str:
    """Django's ``{% now %}``: the time now, in the current time zone and language."""
    return date(timezone.now(), format_string)


def _written_value(value: Any) -> Any:
    """Every ``{{ value }}`` passes here (``finalize``): a method or function written as a value is a
    template's mistake (``{{ complaint.get_status_display }}`` without its ``()``), not text to show."""
    if callable(value):
        raise TypeError(f"A template writes {value!r} without calling it: add ().")
    return value


def environment(**options: Any) -> Environment:
    # A name the template does not get is an error, not an empty cell; every value is escaped unless it
    # is marked safe, whatever the settings say; a method written without () is an error too.
    options["undefined"] = StrictUndefined
    options.pop("autoescape", None)
    env = Environment(autoescape=True, finalize=_written_value, **options)
    env.globals.update(
        url_with=url_with,
        url=url,
        fixed_url=fixed_path,
        static=fixed_static,
        field=field,
        error_summary=error_summary,
        querystring=querystring,
        placed_messages=placed_messages,
        gettext=gettext,
        now=now,
    )
    env.filters.update(
        day=day,
        iso_day=iso_day,
        date=date,
        time=time,
        pluralize=defaultfilters.pluralize,
        # Django's, which escape the text and mark the result safe (Jinja2 honours that through __html__)
        linebreaks=functools.partial(defaultfilters.linebreaks_filter, autoescape=True),
        linebreaksbr=functools.partial(defaultfilters.linebreaksbr, autoescape=True),
    )
    return env
