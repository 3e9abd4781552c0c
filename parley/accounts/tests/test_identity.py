"""The session, the signed-in user and their device are read by fixed SQL (``identity.py``) on every
staff request: the same rows and instances the ORM gives, the same answers for what has ended, gone or
is not theirs; and a staff page reads them as prepared statements on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts import identity
from parley.accounts.backends import StaffBackend
from parley.accounts.middleware import SignedInDeviceMiddleware
from parley.accounts.models import User, UserSession
from parley.testing.otp import device_for
from parley.testing.web import login

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_session_is_read_as_the_orm_reads_it_until_it_ends(client, irene):
    login(client, irene)
    key = client.session.session_key
    stored = UserSession.objects.get(session_key=key)
    assert identity.session_data(key, timezone.now()) == stored.session_data
    assert identity.session_data(key, stored.expire_date - dt.timedelta(microseconds=1)) == stored.session_data
    assert identity.session_data(key, stored.expire_date) is None  # ended at its expiry, as expire_date__gt says
    assert identity.session_data("no-such-session-key-at-all", timezone.now()) is None


def test_a_gone_session_leaves_the_store_without_a_key(client, irene):
    login(client, irene)
    store = client.session
    UserSession.objects.filter(session_key=store.session_key).delete()
    fresh = type(store)(store.session_key)
    assert fresh.load() == {}
    assert fresh.session_key is None  # a save makes a new key rather than reviving the old one


def test_users_and_devices_are_the_instances_the_orm_gives(irene):
    device = device_for(irene)
    user = identity.user_by_id(irene.pk)
    assert type(user) is User and _fields(user) == _fields(User.objects.get(pk=irene.pk))
    assert identity.user_by_id(str(irene.pk)) == irene  # as a session keeps it
    found = identity.totp_device_by_id(device.pk)
    assert type(found) is TOTPDevice and _fields(found) == _fields(TOTPDevice.objects.get(pk=device.pk))
    assert found.bin_key == device.bin_key


@pytest.mark.parametrize("pk", ["abc", None, "", "1.5", 2**31, -(2**31) - 1, 2**40, 2**63, -(2**63) - 1, 10**9])
def test_an_id_nobody_has_finds_nobody(irene, pk):
    assert identity.user_by_id(pk) is None
    assert identity.totp_device_by_id(pk) is None


def test_the_backend_refuses_a_switched_off_account(irene):
    assert StaffBackend().get_user(str(irene.pk)) == irene
    User.objects.filter(pk=irene.pk).update(is_active=False)
    assert StaffBackend().get_user(str(irene.pk)) is None


def test_a_switched_off_account_is_signed_out_on_its_next_request(client, irene, policy):
    login(client, irene)
    assert client.get(reverse("cases:list")).status_code == 200
    User.objects.filter(pk=irene.pk).update(is_active=False)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_session_signed_in_through_another_backend_is_not_signed_in(client, irene, policy):
    login(client, irene)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"  # not in the settings
    session.save()
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_device_that_is_not_the_users_or_not_confirmed_verifies_nothing(client, irene, ray, policy):
    login(client, irene)
    assert client.get(reverse("cases:list")).status_code == 200
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device_for(ray).persistent_id  # someone else's
    session.save()
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:verify"))
    assert DEVICE_ID_SESSION_KEY not in client.session  # as django-otp leaves it

    login(client, irene)
    TOTPDevice.objects.filter(user=irene).update(confirmed=False)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:verify"))


def test_other_kinds_of_device_are_read_as_django_otp_reads_them(irene):
    middleware = SignedInDeviceMiddleware(lambda request: None)
    device = device_for(irene)
    assert middleware._device_from_persistent_id(device.persistent_id) == device
    assert middleware._device_from_persistent_id("otp_totp.TOTPDevice/" + str(device.pk)) == device
    assert middleware._device_from_persistent_id("otp_static.staticdevice/1") is None  # not installed
    assert middleware._device_from_persistent_id("otp_totp.totpdevice/x") is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_staff_page_reads_who_is_asking_by_prepared_statements(client, irene, policy, settings):
    login(client, irene)
    client.get("/")  # the connection prepares them once
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    sent = [query["sql"] for query in captured.captured_queries]
    assert all(sql.startswith("EXECUTE parley_") for sql in sent[:3])
    assert not any("accounts_usersession" in sql or "accounts_user" in sql or "otp_totp" in sql for sql in sent)
    settings.PREPARED_READS = False  # behind a pooler: the same reads, sent as text
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    sent = [query["sql"] for query in captured.captured_queries]
    assert "accounts_usersession" in sent[0] and "accounts_user" in sent[1] and "otp_totp_totpdevice" in sent[2]
