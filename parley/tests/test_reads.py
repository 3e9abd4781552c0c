"""Reads run as statements prepared on the PostgreSQL connection (``reads.rows_of(..., prepared=True)``):
the same rows as the statements sent as text, prepared once per connection in the same round trip as
their first run, and still right after a round trip that failed part-way, on a new connection, or
when the server no longer holds what was prepared; on SQLite the statements as they are."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from parley import reads

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared reads are PostgreSQL's (CI runs them there)"
)

# a statement unlike any other test's, so that what this connection has prepared is known here
_ANSWER = "SELECT %s::int + 1, 'lit%%eral', %s::text /* parley test {tag} */"
_ROWS = "SELECT n FROM generate_series(1, %s) AS n WHERE n > %s ORDER BY n DESC /* parley test {tag} */"


def _sent(block) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        result = block()
    return [query["sql"] for query in captured.captured_queries], result


@postgresql_only
def test_prepared_statements_give_the_rows_the_same_statements_give_as_text(settings):
    statements = [(_ANSWER.format(tag="same"), [41, "it's"]), (_ROWS.format(tag="same"), [5, 2]), ("SELECT 1", [])]
    expected = [[(42, "lit%eral", "it's")], [(5,), (4,), (3,)], [(1,)]]
    assert reads.rows_of("default", *statements) == expected
    assert reads.rows_of("default", *statements, prepared=True) == expected
    assert reads.rows_of("default", *statements, prepared=True) == expected  # run by name, now
    settings.PREPARED_READS = False
    sent, rows = _sent(lambda: reads.rows_of("default", *statements, prepared=True))
    assert rows == expected and "EXECUTE" not in sent[0]


@postgresql_only
def test_a_statement_is_prepared_once_per_connection_in_the_round_trip_of_its_first_run():
    statements = [(_ANSWER.format(tag="once"), [1, "a"]), (_ROWS.format(tag="once"), [3, 0])]
    first, rows = _sent(lambda: reads.rows_of("default", *statements, prepared=True))
    assert len(first) == 1 and first[0].count("PREPARE ") == 2 and first[0].count("EXECUTE ") == 2
    assert rows == [[(2, "lit%eral", "a")], [(3,), (2,), (1,)]]
    again, rows = _sent(lambda: reads.rows_of("default", *statements, prepared=True))
    assert len(again) == 1 and "PREPARE" not in again[0] and again[0].count("EXECUTE ") == 2
    assert rows == [[(2, "lit%eral", "a")], [(3,), (2,), (1,)]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%parley test once%%'")
        assert cursor.fetchone() == (2,)


@postgresql_only
def test_a_round_trip_that_failed_after_preparing_leaves_the_next_one_right():
    good, failing = (_ANSWER.format(tag="fails"), [1, "b"]), ("SELECT 1 / %s /* parley test fails */", [0])
    with pytest.raises(DatabaseError), transaction.atomic():
        reads.rows_of("default", good, failing, prepared=True)  # both prepared, then the division fails
    sent, rows = _sent(
        lambda: reads.rows_of("default", good, ("SELECT 1 / %s /* parley test fails */", [1]), prepared=True)
    )
    assert rows == [[(2, "lit%eral", "b")], [(1,)]]
    assert "PREPARE" not in sent[-1]  # the server said what it holds: nothing prepared twice


@postgresql_only
@pytest.mark.django_db(transaction=True)  # the connection is closed: not inside the test's transaction
def test_a_new_connection_prepares_again():
    statements = [(_ANSWER.format(tag="reconnect"), [5, "c"])]
    assert reads.rows_of("default", *statements, prepared=True) == [[(6, "lit%eral", "c")]]
    connection.close()
    sent, rows = _sent(lambda: reads.rows_of("default", *statements, prepared=True))
    assert rows == [[(6, "lit%eral", "c")]] and "PREPARE" in sent[0]


@postgresql_only
def test_statements_the_server_no_longer_holds_are_prepared_again_inside_a_transaction():
    statements = [(_ANSWER.format(tag="lost"), [7, "d"]), (_ROWS.format(tag="lost"), [2, 0])]
    expected = [[(8, "lit%eral", "d")], [(2,), (1,)]]
    assert reads.rows_of("default", *statements, prepared=True) == expected
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler's DISCARD ALL would
    with pytest.raises(DatabaseError), transaction.atomic():  # the transaction's error stands
        reads.rows_of("default", *statements, prepared=True)
    assert reads.rows_of("default", *statements, prepared=True) == expected  # the next one is right


@postgresql_only
@pytest.mark.django_db(transaction=True)  # outside a transaction: the round trip is made again at once
def test_statements_the_server_no_longer_holds_are_prepared_again_at_once_outside_a_transaction():
    statements = [(_ANSWER.format(tag="lost-now"), [9, "e"])]
    assert reads.rows_of("default", *statements, prepared=True) == [[(10, "lit%eral", "e")]]
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert reads.rows_of("default", *statements, prepared=True) == [[(10, "lit%eral", "e")]]
    # held by the server but not in the record ("already exists" when it is prepared): no error either
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE {reads._name(_ROWS.format(tag='lost-now'))}(int, int) AS SELECT $1 - $2")
    rows = reads.rows_of("default", (_ROWS.format(tag="lost-now"), [3, 1]), prepared=True)
    assert rows == [[(2,)]]  # the statement the server holds under that name (made here to look like ours)
    assert reads.rows_of("default", *statements, prepared=True) == [[(10, "lit%eral", "e")]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's")
def test_on_sqlite_prepared_reads_are_the_statements_as_they_are():
    statements = [("SELECT %s + 1, 'lit%%eral'", [41]), ("SELECT 2", [])]
    sent, rows = _sent(lambda: reads.rows_of("default", *statements, prepared=True))
    assert rows == [[(42, "lit%eral")], [(2,)]] == reads.rows_of("default", *statements)
    assert len(sent) == 2 and not any("PREPARE" in sql or "EXECUTE" in sql for sql in sent)
