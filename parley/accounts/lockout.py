"""Sign-in lockout: django-axes' database handler, with a second limit on the address.

Axes pauses an account after ``AXES_FAILURE_LIMIT`` failed tries (by username: staff often share one
office address, so the address alone must not pause everyone at the first few typing mistakes). That
leaves one address free to try a few passwords on every account in turn, and so to pause them all.
``SIGN_IN_ADDRESS_FAILURE_LIMIT`` failed tries from one address, on any accounts, within the lockout
period pause sign-in from that address too, whatever the account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


def _address(request: HttpRequest) -> str | None:
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


def address_failures(request: HttpRequest) -> tuple[int, dt.datetime | None]:
    """Failed tries from the request's address within the lockout period, on any accounts, and when the
    last of them was."""
    address = _address(request)
    if not address:
        return 0, None
    found = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    return found["failures"] or 0, found["last"]


def address_paused(request: HttpRequest) -> bool:
    return address_failures(request)[0] >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Locked when the account is (axes' own rule) or when the address is (``address_paused``)."""

    def is_locked(self, request: Any, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or address_paused(request)
