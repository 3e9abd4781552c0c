"""The warning before a session ends for inactivity (WCAG 2.2.1, "Timing Adjustable": a person is told
before a time limit and can extend it).

A signed-in page carries the idle limit (``base.html``); ``parley.js`` asks ``session_status`` how long
the session has left shortly before it could end, shows a dialog two minutes before (or half the limit,
if that is shorter), and "Stay signed in" sends ``stay_signed_in``. Asking does not extend the session,
does not count as use of the browser (the last-seen cookie: whether the sign-in page says "signed out
after inactivity") and is not in the audit trail: it reads nothing but the clock of one's own session.
Other tabs are accounted for, since the answer is the server's. Without JavaScript there is no warning,
and a form sent after the end is still kept for its author (``kept.py``).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from parley.accounts.middleware import IdleSessionMiddleware, is_verified

# Requests that neither extend the session nor count as use (IdleSessionMiddleware, SignedOutNoteMiddleware).
LEAVES_THE_CLOCK = "leaves_the_idle_clock"


def seconds_left(request: HttpRequest) -> int:
    """How long the signed-in session of ``request`` has before it ends without use: it was last
    extended (saved with a new expiry) at its touch mark."""
    touched = int(request.session.get(IdleSessionMiddleware.KEY, 0)) or int(time.time())
    return max(0, touched + settings.SESSION_COOKIE_AGE - int(time.time()))


def _answer(request: HttpRequest, *, signed_in: bool, left: int, status: int = 200) -> JsonResponse:
    return JsonResponse({"signed_in": signed_in, "seconds_left": left}, status=status)


@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    setattr(request, LEAVES_THE_CLOCK, True)
    if not (request.user.is_authenticated and is_verified(request.user)):
        return _answer(request, signed_in=False, left=0)
    return _answer(request, signed_in=True, left=seconds_left(request))


@never_cache
@require_POST
def stay_signed_in(request: HttpRequest) -> JsonResponse:
    """Extend the session now (it is saved with a new expiry): the dialog's "Stay signed in"."""
    if not (request.user.is_authenticated and is_verified(request.user)):
        return _answer(request, signed_in=False, left=0, status=401)
    request.session[IdleSessionMiddleware.KEY] = int(time.time())
    return _answer(request, signed_in=True, left=settings.SESSION_COOKIE_AGE)
