"""Every staff request is written to the audit trail: who, when, from where, what (the page, the
complaint, the filters or search words) and how it ended (the status code, so that refused attempts
are there too). Anonymous visitors are recorded when they send something (a POST)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from parley.audit.services import audit_record
from parley.crypto import blind_index, contact_kind

# Requests that are not worth an entry: static files, the health check, and a page asking how long its
# own session has left (the idle warning, parley/accounts/idle.py: it reads nothing else).
UNAUDITED_URL_NAMES = frozenset({"healthz", "favicon", "accounts:session_status"})  # with their namespace
UNAUDITED_PREFIXES = ("/static/",)
# Keyword arguments of URL patterns that name the object a request is about (the admin's pages name
# theirs ``object_id``, and its password page ``id``).
OBJECT_KWARGS = {
    "ref": "complaint",
    "pk": "object",
    "session_pk": "session",
    "officer_pk": "complaint_officer",
    "object_id": "object",
    "id": "object",
}
# The admin's bulk actions name the rows they act on in this field; the trail keeps which they were.
SELECTED_ROWS = "_selected_action"
SECRET_FIELDS = {
    "password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "otp_token",
    "token",
}


def _no_contact_data(value: str) -> str:
    """A search for an email address or phone number is recorded without it: contact data is encrypted
    in the database and hidden from the auditor, so the trail keeps its kind and its lookup key (which
    says, to whoever holds the key, whose it was) instead."""
    kind = contact_kind(value)
    if kind is None:
        return value
    return f"[{'email address' if kind == 'email' else 'phone number'}, lookup key {blind_index(kind, value)[:16]}]"


def classify(request: HttpRequest, url_name: str) -> str:
    if "export" in url_name or request.GET.get("format") == "csv":
        return "export"
    return "view" if request.method in {"GET", "HEAD"} else "change"


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(UNAUDITED_PREFIXES):
            return response
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if not signed_in and request.method in {"GET", "HEAD", "OPTIONS"}:
            return response
        match = getattr(request, "resolver_match", None)  # as the handler resolved it for the view
        if match is None:  # a request answered before its view was found (a middleware's redirect, a 404)
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
        url_name = ""
        if match is not None:
            url_name = f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or "")
        if match and url_name in UNAUDITED_URL_NAMES:
            return response
        object_type, object_id = "", ""
        if match:
            for kwarg, kind in OBJECT_KWARGS.items():
                if kwarg in match.kwargs:
                    object_type, object_id = kind, str(match.kwargs[kwarg])
                    break
        detail = {"method": request.method, "path": request.path, "url": url_name, "status": response.status_code}
        if request.GET:
            detail["query"] = {
                k: [_no_contact_data(v) for v in vs] for k, vs in request.GET.lists() if k not in SECRET_FIELDS
            }
        if request.method == "POST":
            detail["fields"] = sorted(k for k in request.POST if k not in SECRET_FIELDS and k != "csrfmiddlewaretoken")
            if SELECTED_ROWS in request.POST:
                detail["selected"] = [_no_contact_data(v) for v in request.POST.getlist(SELECTED_ROWS)]
        audit_record(
            action=f"{classify(request, url_name)}:{url_name or 'unknown'}",
            request=request,
            actor=user if signed_in else None,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
        return response
