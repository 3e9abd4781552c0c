"""Helpers for tests of the staff pages (plain functions: no fixtures, no mocks)."""

from __future__ import annotations

import html
import time
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY

from parley.accounts.middleware import IdleSessionMiddleware
from parley.testing.otp import device_for

HTMX = {"HX-Request": "true"}
# Queries the audit trail adds to every staff request, whatever the page (a savepoint, the chain
# head locked, the entry written, the head moved on, the savepoint released).
AUDIT = 5


def login(client, user) -> None:
    """Sign ``user`` in on the test client with both factors: the session is signed in (like
    ``client.force_login``) AND verified with the user's authenticator device (set up if missing),
    as if they had typed the code. Staff pages refuse a session that is only ``force_login``-ed."""
    device = device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[IdleSessionMiddleware.KEY] = int(time.time())  # as signing in through the pages leaves it
    session.save()


def text(response) -> str:
    """The response body as a reader would see it (HTML entities decoded)."""
    return html.unescape(response.content.decode())


@contextmanager
def count_queries():
    """``with count_queries() as n: ...`` then ``len(n)`` is the number of queries issued."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
