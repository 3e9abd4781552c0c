"""What a staff member had typed when their session ended: kept for them, and shown again once they
have signed in (no submission is ever lost).

A form sent after the idle timeout (or after an administrator ended the session) reaches its view
from a signed-out browser. ``login_required`` here keeps what the form carried in the browser's new,
signed-out session, with the account that had been signed in on it (from the signed last-seen cookie,
``middleware.last_seen``) and the address the form was sent to; then it asks for the sign-in, as
Django's decorator does. Django's sign-in keeps a session's data when it gives the session a new key,
so once the same person has signed in again, the page of the form calls ``kept_entries`` and shows
the form filled in again, unsaved, with a message that says so. Nothing is saved until they press
save again: the complaint may have moved on meanwhile.

Never kept: the CSRF token, passwords and sign-in codes; what is kept is encrypted, as contact data
is. Entries are given back only to the account that typed them (another person who signs in on the
same browser gets nothing), once, and not after ``KEEP_SECONDS``. The decorator runs after Django's
CSRF check, so a form forged on another site is refused before anything of it is kept.

A request from htmx (a form inside the complaint page) is sent to the sign-in page as a whole page,
not as a fragment pasted into the panel; the address after the sign-in is the form's own page.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from parley import crypto
from parley.accounts.middleware import last_seen

KEY = "_parley_kept_entries"
KEEP_SECONDS = 2 * 60 * 60
KEPT_FORMS = 5  # forms of different addresses kept at once (several tabs)
NEVER_KEPT = frozenset({"csrfmiddlewaretoken", "password", "old_password", "new_password1", "new_password2", "code"})
KEPT_MESSAGE = (
    "You were signed out before this was saved, so nothing was saved. What was typed in this browser is "
    "filled in again below: check it and save again."
)


def _keep(request: HttpRequest) -> None:
    seen = last_seen(request)
    if seen is None or not seen[1]:  # no one was signed in on this browser lately: nobody to keep it for
        return
    data = {name: request.POST.getlist(name) for name in request.POST if name not in NEVER_KEPT}
    # encrypted as contact data is (crypto.py): a form may carry a civilian's email, phone or birth date,
    # which no database dump may show, and a session lives in the database
    sealed = crypto.encrypt(json.dumps(data))
    # one entry per address (two tabs sent while signed out: both kept), the latest few
    kept = {path: entry for path, entry in _all_kept(request).items() if path != request.path}
    kept[request.path] = {"user": seen[1], "at": int(time.time()), "data": sealed}
    request.session[KEY] = dict(list(kept.items())[-KEPT_FORMS:])


def _all_kept(request: HttpRequest) -> dict[str, Any]:
    kept = request.session.get(KEY)
    return {path: entry for path, entry in kept.items() if isinstance(entry, dict)} if isinstance(kept, dict) else {}


def login_required(
    view: Callable[..., HttpResponse] | None = None, *, shown_at: Callable[..., str] | None = None
) -> Any:
    """Django's ``login_required``, which also keeps what a signed-out form carried (module docstring).

    ``shown_at(request, *args, **kwargs)``: the page to return to after the sign-in, for a view that
    takes only POSTs (a note is sent from the complaint page, and shown again there); by default the
    address the request was sent to."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            if request.method == "POST":
                _keep(request)
            back = shown_at(request, *args, **kwargs) if shown_at else request.get_full_path()
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}")
            return redirect_to_login(back)

        return wrapped

    return decorate(view) if view is not None else decorate


def kept_entries(request: HttpRequest, *, path: str | None = None) -> QueryDict | None:
    """The entries kept for this user from a form sent to ``path`` (this request's by default) while
    they were signed out, as the form's data, given once; None when there are none. Says so in a
    message."""
    every = _all_kept(request)
    kept = every.pop(path or request.path, None)
    if kept is None:
        return None
    request.session[KEY] = every  # given once
    if kept.get("user") != request.user.pk or time.time() - kept.get("at", 0) > KEEP_SECONDS:
        return None
    try:
        values_of = json.loads(crypto.decrypt(str(kept.get("data") or "")))
    except (ImproperlyConfigured, ValueError):  # a key rotated away meanwhile, or not ours: nothing to give
        return None
    if not isinstance(values_of, dict):
        return None
    data = QueryDict(mutable=True)
    for name, values in values_of.items():
        data.setlist(str(name), [str(value) for value in values] if isinstance(values, list) else [str(values)])
    messages.warning(request, KEPT_MESSAGE)
    return data
