"""The warning before a session ends for inactivity: how long is left (asked without extending it), and
"Stay signed in" (parley/accounts/idle.py; the dialog itself: test_browser_idle.py)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parley.accounts.middleware import LAST_SEEN_COOKIE
from parley.accounts.models import UserSession
from parley.audit.models import AuditEntry
from parley.testing.web import login, text

STATUS = reverse("accounts:session_status")
EXTEND = reverse("accounts:stay_signed_in")


def test_asking_how_long_is_left_neither_extends_the_session_nor_counts_as_use(client, irene, policy):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login(client, irene)
        client.get("/")
        key = client.session.session_key
        ends = UserSession.objects.get(session_key=key).expire_date
        entries = AuditEntry.objects.count()
        clock.shift(dt.timedelta(minutes=25))
        response = client.get(STATUS)
        assert response.json() == {"signed_in": True, "seconds_left": 5 * 60}
        assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
        assert UserSession.objects.get(session_key=key).expire_date == ends  # not extended
        assert LAST_SEEN_COOKIE not in response.cookies  # not use: an end after this is still "inactivity"
        assert AuditEntry.objects.count() == entries  # reads nothing but its own session's clock
        clock.shift(dt.timedelta(minutes=6))
        assert client.get(STATUS).json() == {"signed_in": False, "seconds_left": 0}


def test_stay_signed_in_extends_the_session_now_and_is_in_the_trail(client, irene, policy):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login(client, irene)
        client.get("/")
        key = client.session.session_key
        clock.shift(dt.timedelta(minutes=28))
        response = client.post(EXTEND)
        assert response.status_code == 200
        assert response.json() == {"signed_in": True, "seconds_left": 30 * 60}
        ends = UserSession.objects.get(session_key=key).expire_date
        assert ends == timezone.now() + dt.timedelta(minutes=30)
        assert AuditEntry.objects.filter(actor=irene, detail__url="accounts:stay_signed_in").exists()
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(STATUS).json() == {"signed_in": True, "seconds_left": 60}
        assert client.get(EXTEND).status_code == 405  # only the dialog's button, a POST, extends it


def test_stay_signed_in_after_the_end_or_without_a_code_says_signed_out_and_signs_in_no_one(client, irene, policy):
    response = client.post(EXTEND)
    assert response.status_code == 401 and response.json() == {"signed_in": False, "seconds_left": 0}
    client.post(reverse("accounts:login"), {"username": "irene", "password": "correct horse battery staple"})
    assert client.get(STATUS).json()["signed_in"] is False  # the password alone: no second factor yet
    assert client.post(EXTEND)["Location"].startswith(reverse("accounts:verify"))  # as every page


def test_stay_signed_in_needs_the_pages_csrf_token(irene, policy):
    client = Client(enforce_csrf_checks=True)
    login(client, irene)
    page = text(client.get("/"))
    assert 'id="idle-warning"' in page and 'data-idle-seconds="1800"' in page
    assert client.post(EXTEND).status_code == 403
    token = client.cookies["csrftoken"].value
    assert client.post(EXTEND, HTTP_X_CSRFTOKEN=token).json()["signed_in"] is True


def test_the_dialog_is_only_on_pages_of_a_signed_in_person(client, irene, policy):
    assert 'id="idle-warning"' not in text(client.get(reverse("accounts:login")))
    login(client, irene)
    assert 'id="idle-warning"' in text(client.get("/"))
