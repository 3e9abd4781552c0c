"""The client's address in the audit trail and the sign-in lockout: REMOTE_ADDR directly; behind
TRUSTED_PROXY_COUNT proxies, that many entries from the end of X-Forwarded-For, never what the client
wrote there itself."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from parley.audit.models import AuditEntry
from parley.audit.services import client_ip, client_ip_known


def _failed_sign_in(client, **meta) -> str:
    client.post("/accounts/login/", {"username": "irene", "password": "wrong"}, **meta)
    return AuditEntry.objects.filter(action="auth.sign_in_failed").latest("id").ip_address


def test_directly_it_is_the_connections_address_whatever_the_header_says(client, irene):
    assert _failed_sign_in(client, REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.66") == "198.51.100.4"


def test_behind_one_proxy_it_is_the_address_the_proxy_added(client, irene, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # the client wrote "6.6.6.6" itself; the proxy added the address it came from
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    assert _failed_sign_in(client, **meta) == "203.0.113.9"
    assert AccessAttempt.objects.get(username="irene").ip_address == "203.0.113.9"  # the lockout's too


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "address", "known"),
    [
        (0, "", "192.0.2.1", "192.0.2.1", True),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.7", "10.0.0.2", "203.0.113.9", True),
        (1, "2001:DB8:0:0:0:0:0:1", "10.0.0.2", "2001:db8::1", True),  # written as Python writes it
        (1, "", "10.0.0.2", "10.0.0.2", False),  # the proxy said nothing: its own address, not the client's
        (2, "203.0.113.9", "10.0.0.2", "10.0.0.2", False),  # fewer entries than proxies
        (1, "unknown", "10.0.0.2", "10.0.0.2", False),  # not an address
        (1, "203.0.113.9:4711", "10.0.0.2", "203.0.113.9", True),  # some proxies add the port
        (1, "[2001:db8::1]:4711", "10.0.0.2", "2001:db8::1", True),
        (0, "", "::ffff:198.51.100.4", "198.51.100.4", True),  # an IPv4 client of a server on IPv6
        (1, "2001:db8::1:4711", "10.0.0.2", "2001:db8::1:4711", True),  # IPv6 without brackets has no port
        (0, "", "", None, False),
    ],
)
def test_what_each_header_gives(proxies, forwarded, remote, address, known, settings, rf: RequestFactory):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == address
    assert client_ip_known(request) is known


def test_behind_a_proxy_it_was_not_told_about_the_address_is_not_the_clients(settings, rf: RequestFactory):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # TRUST_X_FORWARDED_PROTO=1
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "127.0.0.1"
    assert not client_ip_known(request)


def test_the_deployment_check_warns_of_a_proxy_without_its_count(settings):
    from parley.audit.checks import client_address_behind_a_proxy

    assert client_address_behind_a_proxy() == []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert [w.id for w in client_address_behind_a_proxy()] == ["parley.W001"]
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address_behind_a_proxy() == []
