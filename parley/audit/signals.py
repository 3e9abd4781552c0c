"""Sign-ins, sign-outs, failed sign-ins and lockouts go to the audit trail."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from parley.audit.services import audit_record


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(action="auth.sign_in", request=request, actor=user, object_type="user", object_id=user.pk)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action="auth.sign_out", request=request, actor=user, object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # the username tried is kept (to see guessing); the password never is
    audit_record(action="auth.sign_in_failed", request=request, detail={"username": credentials.get("username", "")})


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    # django-axes sends this when a failure reaches the limit, and again for each attempt while locked
    reached_limit = getattr(request, "axes_failures_since_start", None) is not None
    audit_record(
        action="auth.locked_out" if reached_limit else "auth.sign_in_refused_locked",
        request=request,
        detail={"username": username or "", "step": getattr(request, "parley_sign_in_step", "password")},
    )
