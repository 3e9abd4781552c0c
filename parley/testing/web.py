"""Helpers for tests of the staff pages (plain functions: no fixtures, no mocks)."""

from __future__ import annotations

import html
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    """The response body as a reader would see it (HTML entities decoded)."""
    return html.unescape(response.content.decode())


@contextmanager
def count_queries():
    """``with count_queries() as n: ...`` then ``len(n)`` is the number of queries issued."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
