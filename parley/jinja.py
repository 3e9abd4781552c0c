"""Jinja2 where Django's template language is too slow: the tables of the busiest pages and form fields.

Every page is a Django template. Written by Jinja2 and placed in those pages as pieces of HTML
(``render_html``): the rows of the complaint list and of "my queue" (``<app>/jinja2/``, 50 rows by
default), the complaint's record on its page and in its print view, and each form field's USWDS
markup (``parley/jinja2/uswds/field.html``, for ``{% field %}``). Form widgets render through
Django's own Jinja2 widget templates (``FormRenderer``), except the select, whose options
``parley/jinja2/django/forms/widgets/select.html`` writes in one template. Jinja2 compiles a template
to Python code and writes these several times faster (docs/benchmarks.md, "Staff pages, fourth
round"). Autoescaping is always on, as in Django's templates: every value is escaped unless it is
marked safe, and lazy texts are resolved before they are written (a lazy object is escaped even when
what it stands for is marked safe).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote

import django.forms
from django.forms.renderers import BaseRenderer, Jinja2, TemplatesSetting
from django.template import TemplateDoesNotExist, defaultfilters, engines
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, override
from jinja2 import Environment, StrictUndefined


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """An aware datetime in the current time zone (as Django's templates show it); a date as it is."""
    return timezone.localtime(value) if isinstance(value, dt.datetime) and timezone.is_aware(value) else value


def day(value: dt.date | dt.datetime | None) -> str:
    """A date as Django's ``date:"M j, Y"`` writes it (Jan 5, 2026), month in the active language."""
    if value is None:
        return ""
    value = _local(value)
    return f"{_month_abbreviation(get_language(), value.month)} {value.day}, {value.year:04d}"


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
def _url_shape(name: str, argument: str, prefix: str) -> tuple[str, str]:
    path = reverse(name, kwargs={argument: _PLACEHOLDER})  # under the script prefix ``prefix``
    before, _, after = path.partition(_PLACEHOLDER)
    return before, after


def url_with(name: str, argument: str, value: str) -> str:
    """``reverse(name, kwargs={argument: value})`` for a URL whose one argument is a ``str`` path segment,
    without resolving the pattern again for each row of a table (reversing is some 20 µs a call).
    The value is quoted as ``reverse`` quotes it; one the pattern refuses goes to ``reverse``, which says so."""
    if not value or "/" in value:
        return reverse(name, kwargs={argument: value})
    before, after = _url_shape(name, argument, get_script_prefix())
    return f"{before}{quote(value, safe=RFC3986_SUBDELIMS + '~:@')}{after}"


class _WidgetTemplates(Jinja2):
    """Django's Jinja2 widget templates, except where ``parley/jinja2/django/forms/`` has its own
    (Django's renderer looks in its own folder first, so that an app's template cannot replace one)."""

    @functools.cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(__file__).parent / "jinja2", Path(django.forms.__file__).parent / "jinja2"],
                "NAME": "parley-forms",
                "OPTIONS": {},
            }
        )


class FormRenderer(BaseRenderer):
    """Form widgets through Django's own Jinja2 widget templates (the same markup as its Django
    templates, written in a third of the time: the complaint list's filter form has some 60 options);
    a widget that has Django templates only (the admin's, django.contrib.auth's) through the
    project's template settings, as before."""

    def __init__(self) -> None:
        self.jinja2, self.fallback = _WidgetTemplates(), TemplatesSetting()

    def get_template(self, template_name: str) -> Any:
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)


def render_html(template_name: str, context: dict[str, Any]) -> SafeString:
    """A Jinja2 template (``<app>/jinja2/``, ``parley/jinja2/``) rendered for a place in a Django
    template. The result is marked safe for Django because the environment below escapes every value
    that is not itself marked safe: this is where one engine's escaped output is handed to the other."""
    html = engines["jinja2"].get_template(template_name).render(context)
    return mark_safe(html)  # noqa: S308  # nosec B703 B308: autoescaped by Jinja2 (environment() below)


def environment(**options: Any) -> Environment:
    # A name the template does not get is an error, not an empty cell; every value is escaped unless it
    # is marked safe, whatever the settings say.
    options["undefined"] = StrictUndefined
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals.update(url_with=url_with, url=url)
    env.filters.update(
        day=day,
        iso_day=iso_day,
        date=date,
        time=time,
        # Django's, which escape the text and mark the result safe (Jinja2 honours that through __html__)
        linebreaks=functools.partial(defaultfilters.linebreaks_filter, autoescape=True),
        linebreaksbr=functools.partial(defaultfilters.linebreaksbr, autoescape=True),
    )
    return env
