"""Reads by SQL written once: model instances for the complaint page's relations (``fetch_all``), and
plain rows for the list's and the queue's people (``rows_of``), several statements to a round trip.

Django builds a query anew each time it runs one: for the complaint page's ten reads that cost more
than the database took to answer them (docs/benchmarks.md, "Staff pages, sixth round"). Here the SQL
of a read is a constant (the columns and tables named as the models name them, every value a
parameter), and each row becomes model instances as Django's own iterator makes them: the database
driver's and the fields' converters (dates on SQLite, JSON, the encrypted fields), then
``Model.from_db``. What a prefetch would have left on an instance is set as Django sets it
(``set_prefetched``, ``set_related``), so that the rest of the code reads ``complaint.parties.all()``
or ``session.venue`` as ever, without a query.

Plain SQL that SQLite and PostgreSQL both read. Only for reads whose shape is fixed; filters that
depend on who reads stay in the ORM (``permissions.visible_complaints``).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model

# The converters of each model's columns are kept on the database connection they were made for (each
# thread has its own), and go with it: they are bound to the connection's own operations.
_CONVERTERS = "_parley_read_converters"


def columns(model: type[Model], alias: str) -> str:
    """The select list of every concrete column of ``model`` (table alias ``alias``), in the order
    ``Model.from_db`` takes them."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def _converters(model: type[Model], db: Any) -> list[tuple[int, list[Any], Any]]:
    per_model = db.__dict__.setdefault(_CONVERTERS, {})
    found = per_model.get(model)
    if found is None:
        found = []
        for position, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            # as the SQL compiler does (SQLCompiler.get_converters): the backend's, then the field's
            converters = db.ops.get_db_converters(column) + column.get_db_converters(db)
            if converters:
                found.append((position, converters, column))
        per_model[model] = found
    return found


def _instance(model: type[Model], values: Sequence[Any], db: Any) -> Model | None:
    """``model`` from one row's slice of its columns; ``None`` when its primary key is NULL (an outer
    join that found nothing)."""
    if values[model._meta.concrete_fields.index(model._meta.pk)] is None:
        return None
    values = list(values)
    for position, converters, column in _converters(model, db):
        value = values[position]
        for convert in converters:
            value = convert(value, column, db)
        values[position] = value
    return model.from_db(db.alias, None, values)


@dataclass(frozen=True)
class Read:
    """One read for ``fetch_all``: ``sql`` selects its first ``lead`` values as they come, then
    ``columns(model, ...)`` of each of ``models`` in turn."""

    sql: str
    params: Sequence[Any]
    models: tuple[type[Model], ...]
    lead: int = 0


def fetch_all(using: str, *reads: Read, prepared: bool = False) -> list[list[tuple[Any, ...]]]:
    """The rows of each read: for each row its ``lead`` values, then an instance of each model (``None``
    for an outer join's missing side), all in one round trip on PostgreSQL. ``using``: the database
    alias; ``prepared``: as for ``rows_of``."""
    results = rows_of(using, *((read.sql, read.params) for read in reads), prepared=prepared)
    db = connections[using]
    return [_instances(read, rows, db) for read, rows in zip(reads, results, strict=True)]


def rows_of(using: str, *statements: tuple[str, Sequence[Any]], prepared: bool = False) -> list[list[tuple[Any, ...]]]:
    """The rows of each ``(sql, params)`` statement, as the database driver gives them. On PostgreSQL
    they go in one round trip (statements separated by semicolons, which its client-side parameter
    binding, Django's default, allows); on SQLite, which runs in this process and has no round trips
    to save, one after the other.

    ``prepared``: on PostgreSQL (unless ``settings.PREPARED_READS`` is off), each statement is prepared
    on the connection the first time it runs there (``PREPARE``, one more round trip) and run by name
    from then on (``EXECUTE``): the database plans a prepared statement's first runs as any other and
    then keeps a plan for it, where a statement sent as text is planned every time, and for the
    complaint page's joins that took longer than running them (docs/benchmarks.md, twelfth round).
    For statements whose SQL is a constant (each text is one more statement held by every connection),
    with every value a parameter in a place that gives it a type (compared with a column, or cast):
    the server works out a prepared statement's parameter types from the SQL, where a value sent as
    text carries its own (``SELECT %s`` prepared gives the text '5' for the number 5)."""
    with connections[using].cursor() as cursor:
        several = _takes_several_statements(cursor)
        if prepared and several and settings.PREPARED_READS:
            return _run_prepared(cursor, statements)
        if len(statements) > 1 and several:
            cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
            results = [cursor.fetchall()]
            while cursor.nextset():
                results.append(cursor.fetchall())
        else:
            results = []
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
    if len(results) != len(statements):
        raise RuntimeError(f"{len(statements)} statements gave {len(results)} results")
    return results


# The statements prepared on each PostgreSQL connection, by name. Kept with the driver's connection
# object, whose session holds them: a new connection (Django reconnects after CONN_MAX_AGE, or after an
# error) starts with none. A rolled-back transaction keeps them (PREPARE is not transactional). None:
# not known (a round trip that prepared some failed), read from the server before the next.
_PREPARED: weakref.WeakKeyDictionary[Any, set[str] | None] = weakref.WeakKeyDictionary()


def _run_prepared(cursor: Any, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
    """``statements`` run by name, in one round trip that first prepares those not yet prepared on the
    cursor's connection. Should the server not hold what the record says (a ``DEALLOCATE ALL`` or
    ``DISCARD ALL`` sent by something else), the record is read again from the server and, outside a
    transaction, the round trip made once more; inside one the error stands (the transaction is
    aborted) and the next round trip starts from what the server holds."""
    try:
        return _run_prepared_once(cursor, statements)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "sqlstate", None) not in _LOST or cursor.db.in_atomic_block:
            raise
        return _run_prepared_once(cursor, statements)


# the server does not hold a statement the record says it does, or holds one it says it does not
_LOST = {"26000", "42P05"}


def _run_prepared_once(cursor: Any, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
    from psycopg.pq import ExecStatus  # PostgreSQL's driver: only PostgreSQL prepares

    connection = cursor.cursor.connection
    known = _PREPARED.get(connection, set())
    if known is None:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        known = {name for (name,) in cursor.fetchall()}
    _PREPARED[connection] = known
    named = [(_name(sql), sql, params) for sql, params in statements]
    missing = {name: sql for name, sql, _ in named if name not in known}
    text = [f"PREPARE {name} AS {_numbered(sql)}" for name, sql in missing.items()]
    text += [
        f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
        for name, _, params in named
    ]
    try:
        cursor.execute("; ".join(text), [p for _, _, params in named for p in params])
    except BaseException:
        # some may have been prepared before the failure, or the server may hold other than the record
        # says (the very error may be that): read from the server next time
        _PREPARED[connection] = None
        raise
    known.update(missing)
    results = []
    while True:
        # a PREPARE answers with no rows at all, an EXECUTE with rows. Asked of the result's status, not
        # of ``description``, which the driver makes anew each time: an object per column (on the
        # complaint page, eleven statements of some twenty columns each, 0.2 ms a page)
        if cursor.cursor.pgresult.status == ExecStatus.TUPLES_OK:
            results.append(cursor.fetchall())
        if not cursor.nextset():
            break
    if len(results) != len(statements):
        raise RuntimeError(f"{len(statements)} statements gave {len(results)} results")
    return results


@functools.cache
def _name(sql: str) -> str:
    return f"parley_{hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()}"


def _numbered(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders as PostgreSQL's own ``$1``, ``$2`` ... (a ``%%`` stays, for
    the driver to make ``%``)."""
    count = itertools.count(1)
    return re.sub(r"%%|%s", lambda match: f"${next(count)}" if match.group(0) == "%s" else "%%", sql)


def _takes_several_statements(cursor: Any) -> bool:
    try:
        import psycopg
    except ImportError:  # SQLite only
        return False
    return isinstance(cursor.cursor, psycopg.ClientCursor)


def _instances(read: Read, rows: list[tuple[Any, ...]], db: Any) -> list[tuple[Any, ...]]:
    widths = [len(model._meta.concrete_fields) for model in read.models]
    found = []
    for row in rows:
        start, values = read.lead, list(row[: read.lead])
        for model, width in zip(read.models, widths, strict=True):
            values.append(_instance(model, row[start : start + width], db))
            start += width
        found.append(tuple(values))
    return found


def set_prefetched(instance: Model, name: str, objects: Iterable[Model]) -> None:
    """Leave ``objects`` on ``instance`` as ``prefetch_related(name)`` would: ``instance.<name>.all()``
    gives them without a query. ``name`` is a reverse foreign key or a many-to-many field."""
    queryset = getattr(instance, name).get_queryset()  # as Django's prefetch_one_level builds it
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def set_related(instance: Model, name: str, related: Model | None) -> None:
    """Leave ``related`` on ``instance`` as ``select_related(name)`` would (a foreign key, or the
    reverse side of a one-to-one, which is then ``None`` when there is none)."""
    instance._meta.get_field(name).set_cached_value(instance, related)
