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


def admin_form_opened(client, url: str) -> dict[str, str]:
    """What an admin change form carries besides its fields: the stored values as they were when the
    form was opened (``parley.accounts.admin_site.StaleFormGuard``). A POST as the page sends it."""
    form = client.get(url).context["adminform"].form
    return {"_stored_values": form["_stored_values"].value()}


def admin_change_data(client, url: str, **changes) -> dict:
    """An admin change form's data as the page would send it (the form, its inlines and the stored
    values it carries), with ``changes``."""
    from django import forms

    context = client.get(url).context
    data: dict = {}
    pages_forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        pages_forms += formset.forms
    for form in pages_forms:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if field.disabled or value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(field.widget, forms.MultiWidget):
                data.update({f"{key}_{i}": str(part) for i, part in enumerate(field.widget.decompress(value))})
            else:
                data[key] = str(value)
    data.update(changes)
    return data


def admin_list_data(client, url: str, **changes) -> dict:
    """A list edited in place (``list_editable``) as its page would send it back when saved: every
    row's values, the management form with the digests of the rows as opened, and ``changes``
    (``form-0-order``...). ``row_of(data, pk)`` says which row holds a record."""
    formset = client.get(url).context["cl"].formset
    management = formset.management_form
    opened = {management.add_prefix(name): value for name, value in management.initial.items()}
    return {**_list_as_sent(formset, opened), **changes}


def admin_list_shown_again(response) -> dict:
    """A list edited in place that was shown again (a row refused), sent back as it stands: its rows as
    shown, and the digests it carries now."""
    formset = response.context["cl"].formset
    return _list_as_sent(formset, dict(formset.management_form.data.items()))


def _list_as_sent(formset, data: dict) -> dict:
    data = dict(data)
    for form in formset.forms:
        for name in form.fields:
            value, key = form[name].value(), form.add_prefix(name)
            if value is None or value is False:
                data.pop(key, None)  # an unticked box sends nothing
            else:
                data[key] = "on" if value is True else str(value)
    data["_save"] = "Save"
    return data


def row_of(data: dict, pk: int) -> str:
    """The prefix of the row of a list edited in place that holds the record ``pk`` ("form-3")."""
    return next(key.removesuffix("-id") for key, value in data.items() if key.endswith("-id") and value == str(pk))
