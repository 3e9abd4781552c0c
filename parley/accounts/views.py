"""Staff sign-in: the password, then a code from an authenticator app (or setting one up), and the
calm page a locked-out user sees.

The password step is Django's ``LoginView``; it signs the user in without the second factor, and
``SecondFactorRequiredMiddleware`` keeps such a user on the pages below until they give a code.
Failed codes count towards the same lockout as failed passwords (django-axes, by username), and each
device also slows down repeated guesses (django-otp's throttling).
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts import forms, lockout
from parley.accounts.middleware import is_verified
from parley.accounts.twofactor import confirmed_device, pending_device, qr_code_svg, secret_in_groups
from parley.audit.services import audit_record

SIGNED_OUT_NOTES = {
    "idle": "You were signed out after {minutes} without activity. Sign in again to go on.",
    "ended": "Your session has ended. Sign in again to go on.",
}


def _minutes(seconds: int) -> int:
    return max(1, round(seconds / 60))


def _next_url(request: HttpRequest) -> str:
    """Where to go once signed in: ``next`` if it is a page of this site, else my queue."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, target: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


class SignInView(auth_views.LoginView):
    """The password step. Success leads to the code step (or to setting up an app)."""

    form_class = forms.SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: forms.SignInForm) -> HttpResponse:
        response = super().form_valid(form)
        # a new sign-in starts unverified, whatever the browser's session held before
        self.request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        return response

    def get_success_url(self) -> str:
        target = super().get_success_url()
        if is_verified(self.request.user):
            return target
        return _with_next("accounts:verify", target)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = getattr(self.request, "signed_out_reason", "")
        if reason in SIGNED_OUT_NOTES and self.request.method == "GET":
            minutes = _minutes(settings.SESSION_COOKIE_AGE)
            context["signed_out_note"] = SIGNED_OUT_NOTES[reason].format(
                minutes=f"{minutes} minute{'' if minutes == 1 else 's'}"
            )
            self.request.signed_out_note_shown = True  # type: ignore[attr-defined]
        return context


def _finish_sign_in(request: HttpRequest, device: TOTPDevice, *, action: str) -> None:
    """The second factor is given: mark the session verified and clear the failure count."""
    django_otp.login(request, device)
    request.session.cycle_key()  # a new session key for the fully signed-in session
    AxesProxyHandler.reset_attempts(username=request.user.get_username())
    audit_record(action=action, request=request, object_type="user", object_id=request.user.pk)


def _refuse_locked(request: HttpRequest, credentials: dict[str, str], *, step: str) -> HttpResponse:
    audit_record(
        action="auth.sign_in_refused_locked",
        request=request,
        object_type="user",
        object_id=request.user.pk,
        detail={"username": credentials["username"], "step": step},
    )
    logout(request)
    return locked_out(request, credentials=credentials)


def _second_step_guard(request: HttpRequest) -> HttpResponse | None:
    """The answer for a request that does not belong on the code pages, or None."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if is_verified(request.user):
        return HttpResponseRedirect(_next_url(request))
    return None


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: the code the user's authenticator app shows."""
    if (answer := _second_step_guard(request)) is not None:
        return answer
    user = request.user
    target = _next_url(request)
    device = confirmed_device(user)
    if device is None:
        return HttpResponseRedirect(_with_next("accounts:enrol", target))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _refuse_locked(request, credentials, step="code")

    form = forms.CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", forms.CodeForm.error_messages["wait"])
        elif django_otp.verify_token(user, device.persistent_id, form.cleaned_data["code"]) is not None:
            _finish_sign_in(request, device, action="auth.code_verified")
            return HttpResponseRedirect(target)
        else:
            audit_record(
                action="auth.code_failed",
                request=request,
                object_type="user",
                object_id=user.pk,
                detail={"username": credentials["username"]},
            )
            request.parley_sign_in_step = "code"  # type: ignore[attr-defined]  (for the lockout audit entry)
            AxesProxyHandler.user_login_failed(sender=verify, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)
                return locked_out(request, credentials=credentials)
            form.add_error("code", forms.CodeForm.error_messages["wrong"])
    return render(request, "registration/verify.html", {"form": form, "next": target})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Setting up an authenticator app, for a user who has none: scan (or type) the secret, then
    confirm with the first code. Only a user with no confirmed app may be here, so the password
    alone can never add a second app to an account."""
    if (answer := _second_step_guard(request)) is not None:
        return answer
    user = request.user
    target = _next_url(request)
    if confirmed_device(user) is not None:
        return HttpResponseRedirect(_with_next("accounts:verify", target))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _refuse_locked(request, credentials, step="enrol")

    device = pending_device(user)
    form = forms.CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            allowed, _ = device.verify_is_allowed()
            confirmed = allowed and device.verify_token(form.cleaned_data["code"])
            if confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
        if confirmed:
            _finish_sign_in(request, device, action="auth.two_factor_enrolled")
            return HttpResponseRedirect(target)
        if not allowed:
            form.add_error("code", forms.CodeForm.error_messages["wait"])
        else:
            # not counted towards the lockout: a wrong code here guesses nothing, it only fails to set up
            audit_record(action="auth.two_factor_enrol_failed", request=request, object_type="user", object_id=user.pk)
            form.add_error("code", forms.CodeForm.error_messages["wrong_setup"])
    context = {
        "form": form,
        "next": target,
        "qr_svg": qr_code_svg(device),
        "secret": secret_in_groups(device),
        "otpauth_url": device.config_url,
        "issuer": settings.OTP_TOTP_ISSUER,
        "digits": device.digits,
        "step": device.step,
    }
    return render(request, "registration/enrol.html", context)


def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The lockout page (django-axes' ``AXES_LOCKOUT_CALLABLE``): plain, calm, and says what to do."""
    username = (credentials or {}).get("username") or ""
    cool_off = get_cool_off(request)
    # A paused address learns nothing about the accounts it names (no try from it is counted now).
    address_ends = lockout.address_pause_ends(request)
    by_address = address_ends is not None
    until = address_ends
    if not by_address and username and cool_off:
        recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=timezone.now() - cool_off)
        last = recent.aggregate(last=Max("attempt_time"))["last"]
        until = last + cool_off if last else None
    context = {
        "limit": settings.SIGN_IN_ADDRESS_FAILURE_LIMIT if by_address else settings.AXES_FAILURE_LIMIT,
        "by_address": by_address,
        "minutes": _minutes(int(cool_off.total_seconds())) if cool_off else None,
        "until": until,
    }
    return render(request, "registration/locked_out.html", context, status=429)
