from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parley.accounts.permissions import capabilities


def permissions(request: HttpRequest) -> dict[str, Any]:
    """``can``: the capabilities of the signed-in user, for hiding buttons and links (never the check)."""
    return {"can": capabilities(getattr(request, "user", None))}
