"""No page of Parley is kept by a browser or a proxy.

Staff pages carry civilians' and officers' names, allegations and the program's records; the public
pages carry a complainant's case status and the receipt of their complaint. A browser on a shared
workstation (a library, an office's front desk) could otherwise show them again from its cache after
the person signed out, through "Back" or its history. Every response that does not say how it may be
kept gets ``Cache-Control: no-store`` (Django's ``add_never_cache_headers``). The static files are
not affected: WhiteNoise answers them before this middleware, with its own long-lived caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
