from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from parley.accounts.permissions import capabilities


def permissions(request: HttpRequest) -> dict[str, Any]:
    """``can``: the capabilities of the signed-in user, for hiding buttons and links (never the check)."""
    return {"can": capabilities(getattr(request, "user", None))}


def idle_limit(request: HttpRequest) -> dict[str, Any]:
    """The idle limit, for the warning before it (``accounts/idle.py``)."""
    return {
        "idle_seconds": settings.SESSION_COOKIE_AGE,
        "idle_touch_seconds": settings.SESSION_TOUCH_SECONDS,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
