"""Sign-in lockout: django-axes' database handler, with a second limit on the address.

Axes pauses an account after ``AXES_FAILURE_LIMIT`` failed tries (by username: staff often share one
office address, so the address alone must not pause everyone at the first few typing mistakes). That
leaves one address free to try a few passwords on every account in turn, and so to pause them all.
``SIGN_IN_ADDRESS_FAILURE_LIMIT`` failed tries from one address, on any accounts, within the lockout
period pause sign-in from that address too, whatever the account. An IPv6 address counts with its
whole network of 64 bits (one client has all of it). The rule applies only where Parley knows the
client's address (``client_ip_known``): behind a proxy it was not told about, every request would
seem to come from the proxy, and the rule would pause everyone.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils import timezone

from parley.audit.services import audit_record, client_ip, client_ip_known


def _failures_from(request: HttpRequest) -> list[tuple[dt.datetime, int]]:
    """(last failure, failures) of each attempt record within the lockout period from the request's
    address (or its IPv6 network), oldest first; none when the address is not the client's own."""
    address = client_ip(request)
    if address is None or not client_ip_known(request):
        return []
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    parsed = ipaddress.ip_address(address)
    network = ipaddress.ip_network(f"{address}/{32 if parsed.version == 4 else 64}", strict=False)
    if parsed.version == 4:
        rows = recent.filter(ip_address=address)
    elif connection.vendor == "postgresql":  # the column is an inet: the database finds the network's rows
        rows = recent.filter(RawSQL("ip_address <<= %s::inet", [str(network)], output_field=BooleanField()))
    else:  # SQLite (the embedded default, not for the internet) keeps text: each row is checked below
        rows = recent.filter(ip_address__contains=":")
    found = rows.values_list("ip_address", "attempt_time", "failures_since_start")
    return sorted((when, failures) for ip, when, failures in found if ipaddress.ip_address(ip) in network)


def address_pause_ends(request: HttpRequest) -> dt.datetime | None:
    """When sign-in from the request's address may go on again, if it is paused now: the moment enough
    of its failures have aged out of the lockout period to leave fewer than the limit."""
    failures = _failures_from(request)
    remaining = sum(count for _, count in failures)
    for when, count in failures:
        if remaining < settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            break
        remaining -= count
        if remaining < settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            return when + settings.AXES_COOLOFF_TIME
    return None


def address_paused(request: HttpRequest) -> bool:
    return address_pause_ends(request) is not None


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Locked when the account is (axes' own rule) or when the address is (``address_paused``)."""

    def is_locked(self, request: Any, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or address_paused(request)

    def user_login_failed(self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        """As axes records a failure; and when it is the one that pauses the address, the try is answered
        with the lockout page at once (as the account's own last try is) and the pause is audited."""
        was_locked = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or was_locked or getattr(request, "axes_locked_out", False):
            return
        if address_paused(request):
            request.axes_locked_out = True
            audit_record(
                action="auth.address_paused",
                request=request,
                detail={
                    "username": (credentials or {}).get("username", ""),
                    "step": getattr(request, "parley_sign_in_step", "password"),
                },
            )
