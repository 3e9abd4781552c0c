"""Lockout: five failed tries (wrong passwords and wrong codes together) pause sign-in for 30 minutes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parley.audit.models import AuditEntry
from parley.testing.otp import device_for, next_code, wrong_code
from parley.testing.web import text

PASSWORD = "correct horse battery staple"
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")


def wrong_password(client, username: str = "irene"):
    return client.post(LOGIN, {"username": username, "password": "not the password"})


def right_password(client, username: str = "irene", **meta):
    return client.post(LOGIN, {"username": username, "password": PASSWORD}, **meta)


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_the_defaults_are_five_tries_and_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60


def test_five_wrong_passwords_pause_sign_in_for_thirty_minutes(client, irene):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(4):
            response = wrong_password(client)
            assert response.status_code == 200
            assert "The username or password is not right." in text(response)
        response = wrong_password(client)
        assert response.status_code == 429
        assert "Sign-in is paused for this account" in text(response)
        # now even the right password is refused, and says the same
        response = right_password(client)
        assert response.status_code == 429
        assert SESSION_KEY not in client.session
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert right_password(client).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = right_password(client)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)


def test_a_lockout_is_audited_once_and_each_refused_try_after_it_too(client, irene):
    for _ in range(5):
        wrong_password(client)
    right_password(client)
    locked = entries("auth.locked_out")
    assert len(locked) == 1
    assert locked[0].detail == {"username": "irene", "step": "password"}
    assert locked[0].ip_address == "127.0.0.1"
    assert [e.detail for e in entries("auth.sign_in_refused_locked")] == [{"username": "irene", "step": "password"}]


def test_the_lockout_page_is_calm_and_says_what_to_do(client, irene):
    start = timezone.now().replace(hour=20, minute=12, second=0, microsecond=0)  # 2:12 PM in St. Louis
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            response = wrong_password(client)
    body = text(response)
    assert "There were 5 unsuccessful tries to sign in to this account" in body
    assert "paused for 30 minutes" in body
    local = timezone.localtime(start + dt.timedelta(minutes=30))
    assert f"sign in again after {local:%-I:%M %p}" in body
    assert "tell the program administrator" in body
    assert reverse("accounts:password_reset") in body
    assert "usa-alert--error" not in body and 'role="alert"' not in body  # no alarming red box
    assert "<title>Sign-in paused | Parley</title>" in body


def test_other_accounts_are_not_paused(client, irene, ray):
    for _ in range(5):
        wrong_password(client, "irene")
    assert right_password(client, "ray").status_code == 302


def test_five_wrong_codes_pause_sign_in_and_end_the_half_signed_in_session(client, irene):
    device = device_for(irene)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        right_password(client)
        for attempt in range(1, 6):
            traveller.shift(dt.timedelta(seconds=20))  # past the device's growing wait between guesses
            response = client.post(VERIFY, {"code": wrong_code(device)})
            if attempt < 5:
                assert "That code is not right." in text(response)
        assert response.status_code == 429
        assert "Sign-in is paused for this account" in text(response)
        assert SESSION_KEY not in client.session
        # the password step is paused too: the count belongs to the account, not the session
        assert right_password(client).status_code == 429
    locked = entries("auth.locked_out")
    assert [(e.actor, e.detail) for e in locked] == [(irene, {"username": "irene", "step": "code"})]
    assert len(entries("auth.code_failed")) == 5


def test_wrong_passwords_and_wrong_codes_count_together(client, irene):
    device = device_for(irene)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            wrong_password(client)
        right_password(client)
        for _ in range(2):
            traveller.shift(dt.timedelta(seconds=20))
            response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 429


def test_the_right_password_alone_does_not_clear_the_count(client, irene):
    device = device_for(irene)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(4):
            traveller.shift(dt.timedelta(seconds=20))
            right_password(client)
            client.post(VERIFY, {"code": wrong_code(device)})
            client.post(reverse("accounts:logout"))
        right_password(client)
        traveller.shift(dt.timedelta(seconds=20))
        response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 429


def test_a_full_sign_in_clears_the_count(client, irene):
    device = device_for(irene)
    for _ in range(4):
        wrong_password(client)
    right_password(client)
    assert client.post(VERIFY, {"code": next_code(device)}).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert wrong_password(client).status_code == 200
    assert right_password(client).status_code == 302


def test_a_paused_account_is_refused_at_the_code_step_too(client, irene):
    device = device_for(irene)
    right_password(client)  # signed in with the password in this browser...
    other = client.__class__()
    for _ in range(5):
        wrong_password(other)  # ...while someone else pauses the account elsewhere
    response = client.post(VERIFY, {"code": next_code(device)})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert entries("auth.sign_in_refused_locked")[-1].detail == {"username": "irene", "step": "code"}


def test_quick_guesses_are_slowed_down_by_the_device_without_counting_them(client, irene):
    device = device_for(irene)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        right_password(client)
        client.post(VERIFY, {"code": wrong_code(device)})
        response = client.post(VERIFY, {"code": next_code(device)})  # at once: the device asks to wait
        assert "Wait a few seconds" in text(response)
        assert len(entries("auth.code_failed")) == 1
        traveller.shift(dt.timedelta(seconds=2))
        assert client.post(VERIFY, {"code": next_code(device)}).status_code == 302


def test_the_limit_and_the_pause_come_from_the_environment_and_bad_values_stop_the_start():
    def settings_with(**env: str) -> subprocess.CompletedProcess:
        code = (
            "import parley.settings as s;"
            " print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.SIGN_IN_ADDRESS_FAILURE_LIMIT)"
        )
        return subprocess.run(  # noqa: S603 (this interpreter, our own code)
            [sys.executable, "-c", code],
            env={**os.environ, "SECRET_KEY": "x", **env},
            capture_output=True,
            text=True,
            cwd=Path(settings.BASE_DIR),
            check=False,
        )

    ok = settings_with(SIGN_IN_FAILURE_LIMIT="3", SIGN_IN_LOCKOUT_MINUTES="60", SIGN_IN_ADDRESS_FAILURE_LIMIT="100")
    assert ok.stdout.split() == ["3", "3600.0", "100"]
    bad = settings_with(SIGN_IN_ADDRESS_FAILURE_LIMIT="0")
    assert bad.returncode != 0 and "SIGN_IN_ADDRESS_FAILURE_LIMIT must be at least 1" in bad.stderr
    bad = settings_with(SIGN_IN_FAILURE_LIMIT="five")
    assert bad.returncode != 0 and "SIGN_IN_FAILURE_LIMIT must be a whole number" in bad.stderr
    bad = settings_with(SIGN_IN_LOCKOUT_MINUTES="0")
    assert bad.returncode != 0 and "SIGN_IN_LOCKOUT_MINUTES must be at least 1" in bad.stderr


# --- One address trying many accounts


def _try_accounts(client, names: list[str], tries: int = 2, **meta) -> list:
    return [wrong_password_from(client, name, **meta) for name in names for _ in range(tries)]


def wrong_password_from(client, username: str, **meta):
    return client.post(LOGIN, {"username": username, "password": "not the password"}, **meta)


def test_the_address_limit_defaults_to_thirty_tries():
    assert settings.SIGN_IN_ADDRESS_FAILURE_LIMIT == 30


def test_many_accounts_tried_from_one_address_pause_sign_in_from_it(client, irene, ray, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        responses = _try_accounts(client, ["ana", "ben", "cleo", "dev"])  # two each: no account paused
        assert [r.status_code for r in responses] == [200] * 7 + [429]  # the eighth pauses the address
        body = text(responses[-1])
        assert "Sign-in is paused for this network" in body
        assert "There were 8 unsuccessful tries to sign in from this network" in body
        local = timezone.localtime(start + dt.timedelta(minutes=30))
        assert f"sign in again after {local:%-I:%M %p}" in body
        # even the right password of an account never tried is refused
        response = right_password(client, "ray")
        assert response.status_code == 429
        assert SESSION_KEY not in client.session
        # ... while another address signs in as usual
        response = Client().post(LOGIN, {"username": "ray", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert [e.detail for e in entries("auth.address_paused")] == [{"username": "dev", "step": "password"}]
    assert [e.detail for e in entries("auth.sign_in_refused_locked")] == [{"username": "ray", "step": "password"}]
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert right_password(client, "ray").status_code == 302


def test_the_pause_ends_when_enough_failures_have_aged_out(client, irene, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    start = timezone.now().replace(hour=20, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        _try_accounts(client, ["ana", "ben", "cleo"])  # six at the start
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        response = _try_accounts(client, ["dev"])[-1]  # two more: paused
    assert response.status_code == 429
    ends = timezone.localtime(start + dt.timedelta(minutes=30))  # when the first six age out, not 25 + 30
    assert f"sign in again after {ends:%-I:%M %p}" in text(response)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert right_password(client).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert right_password(client).status_code == 302


def test_fewer_tries_from_one_address_pause_nothing(client, irene, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    _try_accounts(client, ["ana", "ben", "cleo"])
    assert right_password(client).status_code == 302


def test_an_ipv6_client_counts_with_its_whole_network(client, irene, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    for i, name in enumerate(["ana", "ben", "cleo", "dev"]):  # a new address of the same /64 each time
        wrong_password_from(client, name, REMOTE_ADDR=f"2001:db8:1:2::{i + 1}")
    assert right_password(Client(), "irene", REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert right_password(Client(), "irene", REMOTE_ADDR="2001:db8:1:3::1").status_code == 302  # another network
    assert right_password(Client(), "irene").status_code == 302  # 127.0.0.1


def test_behind_a_proxy_parley_was_not_told_about_no_address_is_paused(client, irene, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # every request from the proxy
    _try_accounts(client, ["ana", "ben", "cleo"], secure=True)
    assert right_password(client, "irene", secure=True).status_code == 302
    assert not entries("auth.address_paused")


def test_behind_a_proxy_it_was_told_about_the_clients_address_is_paused(client, irene, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    _try_accounts(client, ["ana", "ben"], **attacker)
    assert right_password(client, "irene", **attacker).status_code == 429
    staff = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}  # the same proxy
    assert right_password(Client(), "irene", **staff).status_code == 302


def test_an_account_paused_by_itself_says_so_not_the_network(client, irene, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    for _ in range(5):
        response = wrong_password(client)
    assert "Sign-in is paused for this account" in text(response)


def test_a_paused_address_learns_nothing_of_the_accounts_it_names(client, irene, ray, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    for _ in range(5):
        wrong_password_from(Client(), "ray", REMOTE_ADDR="10.9.9.9")  # ray's account is paused, from elsewhere
    _try_accounts(client, ["ana", "ben", "cleo", "dev"])  # and this address
    for name in ["ray", "irene", "nobody"]:
        body = text(right_password(client, name))
        assert "Sign-in is paused for this network" in body and "this account" not in body


def test_ipv4_clients_of_a_server_on_ipv6_are_each_their_own_address(client, irene, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    for i, name in enumerate(["ana", "ben", "cleo", "dev"]):
        wrong_password_from(client, name, REMOTE_ADDR=f"::ffff:198.51.100.{i + 1}")
    assert right_password(Client(), "irene", REMOTE_ADDR="::ffff:203.0.113.77").status_code == 302


def test_wrong_codes_count_towards_the_address_too(client, irene, ray, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    device = device_for(irene)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _try_accounts(client, ["ana", "ben"])
        assert right_password(client).status_code == 302
        traveller.shift(dt.timedelta(seconds=20))  # past the device's wait between guesses
        assert "That code is not right." in text(client.post(VERIFY, {"code": wrong_code(device)}))
        traveller.shift(dt.timedelta(seconds=20))
        response = client.post(VERIFY, {"code": wrong_code(device)})  # the sixth from this address
    assert response.status_code == 429
    assert "Sign-in is paused for this network" in text(response)
    assert SESSION_KEY not in client.session  # the half-signed-in session ends
    assert [e.detail for e in entries("auth.address_paused")] == [{"username": "irene", "step": "code"}]
