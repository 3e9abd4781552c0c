"""The audit trail is a hash chain; tampering in the database is found, and PostgreSQL refuses it."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from parley.audit.models import AuditEntry
from parley.audit.services import audit_record, audit_redact, verify_chain
from parley.cases.models import ComplaintEvent
from parley.testing.factories import receive_complaint


def _entries(n: int, actor) -> list[AuditEntry]:
    return [
        audit_record(action="complaint.view", actor=actor, object_type="complaint", object_id=i, detail={"i": i})
        for i in range(n)
    ]


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_untouched_trail_verifies(db, irene, capsys):
    _entries(5, irene)
    assert list(verify_chain()) == []
    call_command("verify_audit")
    assert "intact: 6 entries" in capsys.readouterr().out  # the five and the creation of irene's account


def test_each_entry_holds_the_hash_of_the_one_before(db, irene):
    first, second, third = _entries(3, irene)
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the change itself: see below")
def test_a_row_changed_in_the_database_is_found(db, irene):
    entries = _entries(5, irene)
    _raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["complaint.nothing", entries[2].id])
    first = next(verify_chain())
    assert first.entry_id == entries[2].id
    with pytest.raises(CommandError, match=f"entry {entries[2].id}"):
        call_command("verify_audit")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the change itself: see below")
def test_a_detail_changed_in_the_database_is_found(db, irene):
    entries = _entries(3, irene)
    _raw("UPDATE audit_auditentry SET detail = %s WHERE id = %s", ['{"i": 99}', entries[1].id])
    assert next(verify_chain()).entry_id == entries[1].id


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the change itself: see below")
def test_a_row_deleted_in_the_middle_is_found(db, irene):
    entries = _entries(5, irene)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].id])
    assert next(verify_chain()).entry_id == entries[3].id


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the change itself: see below")
def test_rows_deleted_at_the_end_are_found(db, irene):
    entries = _entries(5, irene)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[4].id])
    assert "end of the chain" in next(verify_chain()).problem


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
)
def test_postgresql_refuses_to_change_or_delete_an_audit_entry(db, irene, sql):
    entry = _entries(1, irene)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(sql, [entry.id])
    assert list(verify_chain()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_complaintevent SET to_status = 'mediated' WHERE id = %s",
        "DELETE FROM cases_complaintevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_to_change_or_delete_a_complaint_event(policy, irene, sql):
    event = ComplaintEvent.objects.filter(complaint=receive_complaint(irene)).get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(sql, [event.id])
    event.refresh_from_db()
    assert event.to_status == "received"


def test_redaction_blanks_the_detail_and_keeps_the_chain(db, irene):
    entries = _entries(3, irene)
    assert audit_redact(entry_ids=[entries[1].id], reason="retention") == 1
    entries[1].refresh_from_db()
    assert entries[1].detail == {"redacted": "retention"} and entries[1].redacted_at is not None
    assert list(verify_chain()) == []


def test_the_model_refuses_to_save_an_entry_twice(db, irene):
    entry = _entries(1, irene)[0]
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement append is PostgreSQL's (CI runs it there)"
)


@pytest.mark.postgres
@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)  # as a request is: not inside a transaction (there: a savepoint too)
def test_on_postgresql_an_entry_is_appended_in_one_statement(irene, django_assert_num_queries):
    _entries(1, irene)  # this process now knows the head
    with django_assert_num_queries(1):
        entry = audit_record(action="complaint.view", actor=irene, detail={"q": "x"})
    assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash
    assert list(verify_chain()) == []


@pytest.mark.postgres
@ON_POSTGRESQL
def test_an_append_after_another_process_moved_the_head_links_to_the_real_head(db, irene):
    from parley.audit import services

    first = _entries(1, irene)[0]
    services._last_hash[connection.alias] = "f" * 64  # what a process saw before others appended
    second = audit_record(action="complaint.view", actor=irene)
    assert second.prev_hash == first.hash
    assert AuditEntry.objects.exclude(action="user.created").count() == 2  # beside the creation of irene
    assert list(verify_chain()) == []


@pytest.mark.postgres
@ON_POSTGRESQL
def test_an_entry_rolled_back_with_its_transaction_leaves_the_chain_whole(db, irene):
    first = _entries(1, irene)[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="complaint.view", actor=irene)  # this process now believes in its hash
        raise RuntimeError("the request failed")
    after = audit_record(action="complaint.view", actor=irene)
    assert after.prev_hash == first.hash
    assert AuditEntry.objects.exclude(action="user.created").count() == 2  # beside the creation of irene
    assert list(verify_chain()) == []


@pytest.mark.postgres
@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_or_lose_the_chain(irene):
    """Four threads (each its own connection, like separate server processes) append at once."""
    import threading

    from django.db import connections

    from parley.audit import services

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def append(n: int) -> None:
        try:
            start.wait()
            for i in range(n):
                audit_record(action="complaint.view", actor=irene, object_id=i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    services._last_hash.clear()
    threads = [threading.Thread(target=append, args=(25,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.filter(action="complaint.view").count() == 100
    assert list(verify_chain()) == []
