from __future__ import annotations

from parley.audit.models import AuditEntry


def test_a_sign_in_and_a_failed_one_are_recorded_with_the_address(client, irene):
    client.post("/accounts/login/", {"username": "irene", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.force_login(irene)
    failed = AuditEntry.objects.get(action="auth.sign_in_failed")
    assert failed.detail == {"username": "irene"}
    assert failed.ip_address == "10.1.2.3"
    assert "wrong" not in str(failed.detail)


def test_a_real_sign_in_is_recorded(client, irene):
    client.post("/accounts/login/", {"username": "irene", "password": "correct horse battery staple"})
    entry = AuditEntry.objects.get(action="auth.sign_in")
    assert (entry.actor, entry.actor_role) == (irene, "intake")
