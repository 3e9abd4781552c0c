from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from parley.accounts.middleware import is_verified
from parley.accounts.permissions import capabilities


def permissions(request: HttpRequest) -> dict[str, Any]:
    """``can``: the capabilities of the signed-in user, for hiding buttons and links (never the check);
    ``verified``: whether they gave the second factor (until then the layout leads only to signing out)."""
    user = getattr(request, "user", None)
    verified = bool(user is not None and user.is_authenticated and is_verified(user))
    return {"can": capabilities(user), "verified": verified}


def idle_limit(request: HttpRequest) -> dict[str, Any]:
    """The idle limit, for the warning before it (``accounts/idle.py``)."""
    return {
        "idle_seconds": settings.SESSION_COOKIE_AGE,
        "idle_touch_seconds": settings.SESSION_TOUCH_SECONDS,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
