"""Who is asking: the session, the signed-in user and the device they gave their code with, read on
every staff request by SQL written once (``parley/reads.py``) instead of through the ORM.

Django's session engine, its ``ModelBackend`` and django-otp's middleware each build, compile and send
a query to learn these three rows: 1.8 to 3.1 ms a request on the benchmark machine, more than the
page's own query on most pages; by prepared statements of fixed SQL, 0.8 to 1.2 ms (docs/benchmarks.md,
thirteenth round). What each returns is what the ORM would have: the same rows, the same model instances
(``Model.from_db`` with the fields' converters), the same answers for a session that has ended, a user
who is gone or switched off, a device that is not theirs. The three users of these reads:
``sessions.SessionStore.load``, ``backends.StaffBackend.get_user`` and
``middleware.SignedInDeviceMiddleware``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, router
from django_otp.plugins.otp_totp.models import TOTPDevice

from parley import reads
from parley.accounts.models import User, UserSession

# names from the models, every value a parameter
_SESSION_SQL = (
    f'SELECT s."session_data" FROM "{UserSession._meta.db_table}" s'  # noqa: S608  # nosec B608
    ' WHERE s."session_key" = %s AND s."expire_date" > %s'
)
_USER_SQL = f'SELECT {reads.columns(User, "u")} FROM "{User._meta.db_table}" u WHERE u."id" = %s'  # noqa: S608  # nosec B608
_DEVICE_SQL = f'SELECT {reads.columns(TOTPDevice, "d")} FROM "{TOTPDevice._meta.db_table}" d WHERE d."id" = %s'  # noqa: S608  # nosec B608


def session_data(session_key: str, now: dt.datetime) -> str | None:
    """The encoded data of the session ``session_key`` if it has not ended by ``now``."""
    using = router.db_for_read(UserSession)
    expiry = connections[using].ops.adapt_datetimefield_value(now)  # as the ORM sends a DateTimeField's value
    (rows,) = reads.rows_of(using, (_SESSION_SQL, [session_key, expiry]), prepared=True)
    return rows[0][0] if rows else None


def _by_id(model: type[Any], sql: str, pk: Any) -> Any:
    try:
        pk = int(pk)
    except (TypeError, ValueError):  # the ORM raises for an id that is not a number; nobody has it
        return None
    using = router.db_for_read(model)
    low, high = connections[using].ops.integer_field_range(model._meta.pk.get_internal_type())
    if low is not None and not low <= pk <= high:  # nor for one its column cannot hold (TOTP devices': 32 bits)
        return None
    (rows,) = reads.fetch_all(using, reads.Read(sql, [pk], (model,)), prepared=True)
    return rows[0][0] if rows else None


def user_by_id(pk: Any) -> User | None:
    """The user with primary key ``pk`` (a number, or its text as a session keeps it), or None."""
    return _by_id(User, _USER_SQL, pk)


def totp_device_by_id(pk: Any) -> TOTPDevice | None:
    """The TOTP device with primary key ``pk``, or None."""
    return _by_id(TOTPDevice, _DEVICE_SQL, pk)
