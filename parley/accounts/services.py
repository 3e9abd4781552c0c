"""Changes to staff accounts that security depends on. Each one is audited."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts.models import User, UserSession
from parley.audit.services import audit_record


def user_sessions_end(*, user: User) -> int:
    """Sign ``user`` out everywhere: delete every session they are signed in on. Returns how many."""
    ended, _ = UserSession.objects.filter(user=user).delete()
    return ended


def two_factor_reset(*, user: User, request: HttpRequest | None = None, via: str) -> int:
    """Remove the user's authenticator app (lost phone, new phone). Returns how many devices went.

    The user is signed out everywhere, and at their next sign-in sets up an app again. ``via`` says
    where the reset came from (the admin, a management command) for the audit trail.
    """
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        ended = user_sessions_end(user=user)
        audit_record(
            action="auth.two_factor_reset",
            request=request,
            object_type="user",
            object_id=user.pk,
            detail={"username": user.username, "devices_removed": removed, "sessions_ended": ended, "via": via},
        )
    return removed
