"""Sessions end after 30 minutes without activity, and all at once when an account is switched off."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parley.accounts.middleware import LAST_SEEN_COOKIE
from parley.accounts.models import User, UserSession
from parley.audit.models import AuditEntry
from parley.testing.otp import device_for
from parley.testing.web import login, text

LOGIN = reverse("accounts:login")
IDLE_NOTE = "You were signed out after 30 minutes without activity."


def test_the_session_engine_is_the_database_one_that_knows_the_user():
    assert settings.SESSION_ENGINE == "parley.accounts.sessions"
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_requests_extend_the_session_with_at_most_one_write_a_minute(client, irene, policy):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login(client, irene)
        client.get("/")
        key = client.session.session_key
        first = UserSession.objects.get(session_key=key).expire_date
        clock.shift(dt.timedelta(seconds=30))
        client.get("/")  # within the minute: the session is not written again
        assert UserSession.objects.get(session_key=key).expire_date == first
        clock.shift(dt.timedelta(seconds=31))
        client.get("/")  # a minute on: it is, and ends 30 minutes from now
        assert UserSession.objects.get(session_key=key).expire_date == timezone.now() + dt.timedelta(minutes=30)


def test_a_session_ends_after_thirty_minutes_without_activity_but_not_while_in_use(client, irene, policy):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        login(client, irene)
        # in use: a request every 29 minutes keeps it going for hours
        for _ in range(6):
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(reverse("cases:list")).status_code == 200
        # then 31 minutes without a request: the database no longer has it
        clock.shift(dt.timedelta(minutes=31))
        key = client.session.session_key
        assert not UserSession.objects.filter(session_key=key, expire_date__gt=timezone.now()).exists()
        response = client.get(reverse("cases:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert SESSION_KEY not in client.session


def test_after_inactivity_the_sign_in_page_says_why_once(client, irene, policy):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        login(client, irene)
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        page = client.get(reverse("cases:list"), follow=True)
        body = text(page)
        assert page.redirect_chain[-1][0].startswith(LOGIN)
        assert IDLE_NOTE in body
        assert 'role="status"' in body and "usa-alert--info" in body
        # said once: the next visit to the sign-in page is a plain one
        assert IDLE_NOTE not in text(client.get(LOGIN))


def test_the_note_waits_for_the_sign_in_page(client, irene, policy):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login(client, irene)
        client.get("/")
        clock.shift(dt.timedelta(hours=2))
        home = text(client.get("/"))  # the public home page first: no note there
        assert 'id="nav-sign-out"' not in home and IDLE_NOTE not in home
        assert IDLE_NOTE in text(client.get(LOGIN))


def test_signing_out_on_purpose_leaves_no_note(client, irene):
    login(client, irene)
    client.get("/")
    response = client.post(reverse("accounts:logout"))
    assert response.cookies[LAST_SEEN_COOKIE].value == ""  # the browser forgets it
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        assert IDLE_NOTE not in text(client.get(LOGIN))


def test_a_session_ended_by_someone_else_says_so_plainly(client, irene):
    login(client, irene)
    client.get("/")
    UserSession.objects.filter(user=irene).delete()
    body = text(client.get(LOGIN))
    assert "Your session has ended. Sign in again to go on." in body
    assert IDLE_NOTE not in body


def test_a_forged_last_seen_cookie_says_nothing(client, db):
    client.cookies[LAST_SEEN_COOKIE] = "0"
    body = text(client.get(LOGIN))
    assert "signed out" not in body and "has ended" not in body


# --- deactivation


def test_deactivating_a_user_ends_all_their_sessions_at_once(irene, ray):
    laptop, phone, colleague = Client(), Client(), Client()
    login(laptop, irene)
    login(phone, irene)
    login(colleague, ray)
    assert UserSession.objects.filter(user=irene).count() == 2

    irene.is_active = False
    irene.save()

    assert not UserSession.objects.filter(user=irene).exists()
    assert UserSession.objects.filter(user=ray).count() == 1
    for browser in (laptop, phone):
        assert 'id="nav-sign-out"' not in text(browser.get("/"))  # the public home page
        assert browser.get(reverse("cases:list"))["Location"].startswith(LOGIN)
    assert colleague.get("/").status_code == 200
    entry = AuditEntry.objects.get(action="user.deactivated")
    assert entry.object_id == str(irene.pk)
    assert entry.detail == {"username": "irene", "sessions_ended": 2}


def test_saving_an_inactive_user_again_is_not_a_new_deactivation(irene):
    irene.is_active = False
    irene.save()
    irene.first_name = "Irène"
    irene.save()
    irene.save(update_fields=["last_login"])
    assert AuditEntry.objects.filter(action="user.deactivated").count() == 1


def test_a_deactivated_users_session_stops_working_on_the_next_request_even_before_cleanup(client, irene, policy):
    login(client, irene)
    assert client.get(reverse("cases:list")).status_code == 200
    # QuerySet.update sends no signal: the session rows stay...
    User.objects.filter(pk=irene.pk).update(is_active=False)
    assert UserSession.objects.filter(user=irene).exists()
    # ...and still the very next request is refused: the session's user must be active
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_admin_deactivates_with_one_action_and_the_trail_says_who(client, irene, db):
    from parley.testing.factories import UserFactory

    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    victim = Client()
    login(victim, irene)
    login(client, root)
    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "deactivate", "_selected_action": [irene.pk]}
    )
    assert response.status_code == 302
    irene.refresh_from_db()
    assert not irene.is_active
    assert victim.get(reverse("cases:list"))["Location"].startswith(LOGIN)
    entry = AuditEntry.objects.get(action="user.deactivated")
    assert (entry.actor, entry.detail["sessions_ended"]) == (root, 1)


def test_the_admin_change_form_deactivates_too(client, irene, db):
    from parley.testing.factories import UserFactory

    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    victim = Client()
    login(victim, irene)
    login(client, root)
    url = reverse("admin:accounts_user_change", args=[irene.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(is_active="", date_joined_0="2026-01-01", date_joined_1="09:00:00", groups=[], user_permissions=[])
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not UserSession.objects.filter(user=irene).exists()
    assert AuditEntry.objects.get(action="user.deactivated").actor == root


def test_a_new_sign_in_of_a_deactivated_user_is_refused(client, irene):
    device_for(irene)
    irene.is_active = False
    irene.save()
    response = client.post(LOGIN, {"username": "irene", "password": "correct horse battery staple"})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
