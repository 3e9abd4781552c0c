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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
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


def fetch_all(using: str, *reads: Read) -> list[list[tuple[Any, ...]]]:
    """The rows of each read: for each row its ``lead`` values, then an instance of each model (``None``
    for an outer join's missing side), all in one round trip on PostgreSQL (``rows_of``). ``using``:
    the database alias."""
    results = rows_of(using, *((read.sql, read.params) for read in reads))
    db = connections[using]
    return [_instances(read, rows, db) for read, rows in zip(reads, results, strict=True)]


def rows_of(using: str, *statements: tuple[str, Sequence[Any]]) -> list[list[tuple[Any, ...]]]:
    """The rows of each ``(sql, params)`` statement, as the database driver gives them. On PostgreSQL
    they go in one round trip (statements separated by semicolons, which its client-side parameter
    binding, Django's default, allows); on SQLite, which runs in this process and has no round trips
    to save, one after the other."""
    with connections[using].cursor() as cursor:
        if len(statements) > 1 and _takes_several_statements(cursor):
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
