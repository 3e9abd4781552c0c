"""Three middlewares of the staff sign-in.

``SignedInDeviceMiddleware``: django-otp's ``OTPMiddleware`` (``request.user.is_verified()``, the
device the code was given with), reading that device by fixed SQL (``identity.py``).

``SecondFactorRequiredMiddleware``: a user who gave the password but not yet the code (or has not set
up an authenticator app) reaches only the pages of ``ALLOWED_BEFORE_SECOND_FACTOR``; every other page
sends them to the code page. It runs after django-otp's ``OTPMiddleware``, which tells whether the
session was verified with a device.

``SignedOutNoteMiddleware``: when a session ends without the user signing out (after
``SESSION_IDLE_SECONDS`` of inactivity, or because an administrator ended it), the sign-in page says
so. The browser forgets the session cookie at the same moment the server forgets the session, so a
separate, signed cookie remembers when this browser was last used while signed in, and by whom (what
a signed-out form carried is kept for that account: ``kept.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts.identity import totp_device_by_id

# URL names a signed-in but not yet verified user may open.
ALLOWED_BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:verify",
        "accounts:enrol",
        "accounts:session_status",  # answers "not signed in" until the code is given
        "healthz",
    }
)

LAST_SEEN_COOKIE = "parley_last_seen"
LAST_SEEN_SALT = "parley.accounts.last_seen"
LAST_SEEN_MAX_AGE = 12 * 60 * 60  # long enough to explain a sign-out after lunch, or the next morning


NOTED = "noted"  # the third part of the cookie once the sign-in page has said why the session ended


def _last_seen_parts(request: HttpRequest) -> list[str]:
    try:  # no older than the cookie is meant to live, whatever the browser kept
        value = request.get_signed_cookie(LAST_SEEN_COOKIE, salt=LAST_SEEN_SALT, max_age=LAST_SEEN_MAX_AGE)
    except (KeyError, signing.BadSignature):
        return []
    return value.split(":")


def _noted(request: HttpRequest) -> bool:
    return _last_seen_parts(request)[2:3] == [NOTED]


def last_seen(request: HttpRequest) -> tuple[int, int | None] | None:
    """When this browser was last used while signed in, and by which account (the signed last-seen
    cookie), or None. A cookie written before it named the account gives None for the account."""
    parts = _last_seen_parts(request)
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 and parts[1] else None
    except (IndexError, ValueError):
        return None


def is_verified(user) -> bool:
    """Whether the user gave the second factor in this session (False for users that did not come
    through OTPMiddleware, such as those returned by ``authenticate``)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


class SignedInDeviceMiddleware(OTPMiddleware):
    def _device_from_persistent_id(self, persistent_id: str):
        label, _, pk = self._normalize_persistent_id(persistent_id).rpartition("/")
        app_label, _, model_name = label.partition(".")
        if app_label == TOTPDevice._meta.app_label and model_name.lower() == TOTPDevice._meta.model_name:
            return totp_device_by_id(pk)
        return super()._device_from_persistent_id(persistent_id)  # another kind of device: django-otp's way


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_BEFORE_SECOND_FACTOR:
            return None
        target = reverse("accounts:verify")
        htmx = getattr(request, "htmx", None)
        if htmx:  # a fragment was asked for: the whole page goes to the code step, then back to the page
            back = htmx.current_url_abs_path
            return HttpResponseClientRedirect(target + ("?" + urlencode({"next": back}) if back else ""))
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


class IdleSessionMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` seconds without a request (an idle timeout).

    Each request moves the end further by marking the session changed, so that Django saves it with
    a new expiry and sends the cookie again; but at most once every ``SESSION_TOUCH_SECONDS``, because
    a save is a database write and a commit on every page. A session therefore ends between
    ``SESSION_COOKIE_AGE - SESSION_TOUCH_SECONDS`` and ``SESSION_COOKIE_AGE`` after the last request.
    """

    KEY = "_parley_touched"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or getattr(request, "leaves_the_idle_clock", False):  # asking how long is left
            return response
        now = int(time.time())
        saved_anyway = session.modified and not session.is_empty()  # a sign-in, a message: the minute starts now
        due = (  # only a request that used the session extends it (a health check does not load it)
            session.accessed
            and session.session_key
            and now - int(session.get(self.KEY, 0)) >= settings.SESSION_TOUCH_SECONDS
        )
        if saved_anyway or due:
            session[self.KEY] = now
        return response


class SignedOutNoteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        if not was_signed_in and LAST_SEEN_COOKIE in request.COOKIES:
            request.signed_out_reason = self._reason(request)  # type: ignore[attr-defined]
        response = self.get_response(request)
        if getattr(request, "leaves_the_idle_clock", False):  # asking how long is left is not use
            return response
        if request.user.is_authenticated:
            self._remember(response, f"{int(time.time())}:{request.user.pk}")
        elif LAST_SEEN_COOKIE in request.COOKIES and was_signed_in:  # signed out on purpose: forget it all
            response.delete_cookie(LAST_SEEN_COOKIE, samesite="Lax")
        elif getattr(request, "signed_out_note_shown", False) and (seen := last_seen(request)) is not None:
            # the sign-in page has explained it: nothing more to say, but who it was stays known, so that a
            # form sent from another tab of theirs is still kept for them (kept.py)
            self._remember(response, f"{seen[0]}:{seen[1] or ''}:{NOTED}")
        return response

    @staticmethod
    def _remember(response: HttpResponse, value: str) -> None:
        response.set_signed_cookie(
            LAST_SEEN_COOKIE,
            value,
            salt=LAST_SEEN_SALT,
            max_age=LAST_SEEN_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )

    @staticmethod
    def _reason(request: HttpRequest) -> str:
        """``"idle"`` when the last signed-in request is older than the idle limit, else ``"ended"``."""
        seen = last_seen(request)
        if seen is None or _noted(request):
            return ""
        idle = time.time() - seen[0]
        # the session's end moves at most once a minute (IdleSessionMiddleware), so it may end that much early
        return "idle" if idle >= settings.SESSION_COOKIE_AGE - settings.SESSION_TOUCH_SECONDS - 5 else "ended"
