"""``{% fixed_url "name" %}`` and ``{% fixed_static "path" %}``: Django's ``{% url %}`` (for a URL
without arguments) and ``{% static %}``, worked out once per process instead of on every page. The
layout writes some sixteen of them on every staff page, and reversing a URL pattern costs some 20 µs
each time (docs/benchmarks.md, twelfth round). The answers are kept per script prefix (and URL conf),
and forgotten when a setting they depend on changes (as tests do)."""

from __future__ import annotations

import functools

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import get_script_prefix

from parley.jinja import fixed_path

register = template.Library()


@functools.cache
def _static(path: str, prefix: str) -> str:
    return static(path)  # STATIC_URL is under the script prefix ``prefix`` when it is relative


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}``, for a URL that takes no arguments (``jinja.fixed_path``)."""
    return fixed_path(name)


@register.simple_tag
def fixed_static(path: str) -> str:
    """``{% static path %}``."""
    return _static(path, get_script_prefix())


def _forget(*, setting: str, **kwargs) -> None:
    if setting in {"FORCE_SCRIPT_NAME", "STATIC_URL", "STORAGES", "STATICFILES_STORAGE"}:
        _static.cache_clear()


setting_changed.connect(_forget)
