"""Keyset pagination: a page of rows after (or before) the last row seen, never an OFFSET, never a COUNT.

Every page costs about the same however deep it is and however many rows match, because the
database reads the rows of the page from an index in order and stops. A sort order may have several
*segments* that follow each other: the queue shows the complaints that have a due date (by that
date) and then those without one (by how long they have waited), each answered by its own query
that an index can walk. A segment may also ask for rows that match *any of* several conditions
(the complaint list's search: the reference, a complainant's name, an officer); on PostgreSQL each
condition gets its own ordered, limited query, merged by a UNION, so that the planner can pick the
best index for each instead of one plan for an OR of them all. Each part reads the whole row, not
only its key for an outer query to read again: Django compiles one query fewer, and the database
joins nothing (the queue's first page, 16 ms to 11.6 ms at a million complaints). The parts differ
only in their condition, so the query is compiled once, with a slot where the condition goes, and
each condition on its own (``_union_by_text``): Django's own union builds and compiles every part as
a whole query. With the conditions given as SQL too (``Condition``), a search's page read costs 1.8 to
2.9 ms less (docs/benchmarks.md, thirteenth round). A condition whose share of the rows the planner
cannot guess (the search's words in one person's names) is looked for among the first rows of the order
first, and read through its indexes only when those hold no page (``_walked_first``: fourteenth round).

The page links carry a signed cursor (the segment and the sort key of the boundary row), so a
tampered link is refused (``BadCursor``) instead of showing something else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FieldError, FullResultSet
from django.db import connections
from django.db.models import BooleanField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ValuesIterable
from django.db.models.sql import Query
from django.db.models.sql.where import AND, WhereNode


class BadCursor(Exception):
    """A page link that was tampered with, or made for another sort order."""


@dataclass(frozen=True)
class Condition:
    """One of a segment's ``any_of`` given twice: as Django's ``q``, and as SQL written once on the
    segment's table, named by its own name (``"cases_complaint"."id"``), with its ``params``. The union
    by text takes the SQL as it is instead of building and compiling ``q`` (a search's conditions: 1.3
    ms a request, 3.5 ms for two words); everything else (SQLite, a single condition) takes ``q``. The
    two must say the same: the one who writes such a pair tests it (the search's:
    parley/cases/tests/test_search_sql.py). ``q`` is built when first asked for, by ``build``: on
    PostgreSQL a search asks for none, and building them cost 0.35 ms for one word, 1.2 ms for two
    (docs/benchmarks.md, fourteenth round)."""

    build: Callable[[], Q]
    sql: str
    params: tuple[Any, ...] = ()
    # (SQL, params) of the same condition written for the planner to read through its indexes. When given,
    # the union looks for the condition's rows among the first ``WALK_FIRST_ROWS`` of the order first, by
    # ``sql``, and only when they hold no page, by this (``_walked_first``).
    indexed: tuple[str, tuple[Any, ...]] | None = None

    @functools.cached_property
    def q(self) -> Q:
        return self.build()


# How many rows, at most, a ``Condition`` with an ``indexed`` form is looked for in, walking the order,
# before it is read through its indexes (a walk reads some 1,000 rows a millisecond; the union's search).
WALK_FIRST_ROWS = 20_000


def _q(condition: Q | Condition) -> Q:
    return condition.q if isinstance(condition, Condition) else condition


@dataclass(frozen=True)
class Segment:
    """Rows that come, in ``order``, after every row of the segments before it.

    ``order`` names fields or annotations of the rows, each with ``-`` when descending; none may be
    NULL, and the last must be unique (the primary key), so that the order is total.
    ``any_of``: when given, the rows are those of ``queryset`` that match at least one condition.
    """

    queryset: QuerySet
    order: tuple[str, ...]
    any_of: tuple[Q | Condition, ...] = field(default=())


@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def is_complete(self) -> bool:
        """Whether this page holds every matching row (so ``len(rows)`` is the total)."""
        return not self.has_next and not self.has_previous


def _reversed(order: Sequence[str]) -> tuple[str, ...]:
    return tuple(name[1:] if name.startswith("-") else f"-{name}" for name in order)


def _beyond(order: Sequence[str], key: Sequence[Any]) -> Q:
    """Rows that come after ``key`` in ``order``: (a, b, c) > (x, y, z), spelt out field by field.

    The first field's bound is repeated on its own (``a >= x``) so that the database can start an
    index range scan there instead of reading the rows before it.
    """
    alternatives = []
    for i, name in enumerate(order):
        field_name, descending = name.lstrip("-"), name.startswith("-")
        equal = {order[j].lstrip("-"): key[j] for j in range(i)}
        alternatives.append(Q(**equal, **{f"{field_name}__{'lt' if descending else 'gt'}": key[i]}))
    first, descending = order[0].lstrip("-"), order[0].startswith("-")
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": key[0]}) & functools.reduce(operator.or_, alternatives)


def _fetch(segment: Segment, queryset: QuerySet, order: Sequence[str], limit: int) -> list[Any]:
    if not segment.any_of:
        return list(queryset.order_by(*order)[:limit])
    features = connections[queryset.db].features
    if len(segment.any_of) == 1 or not features.supports_slicing_ordering_in_compound:
        # SQLite cannot order and limit the parts of a UNION: one query with the OR (no index for it anyway)
        any_of = functools.reduce(operator.or_, map(_q, segment.any_of))
        return list(queryset.filter(any_of).order_by(*order)[:limit])
    found = _union_by_text(queryset, segment.any_of, order, limit)
    if found is not None:
        return found
    parts = [queryset.filter(_q(condition)).order_by(*order)[:limit] for condition in segment.any_of]
    return list(parts[0].union(*parts[1:]).order_by(*order)[:limit])


# Stands in the compiled query where each condition goes; no SQL of Django's has this word.
_SLOT = "parley_any_of_slot"


def _condition_sql(model: type[Model], condition: Q | Condition, using: str) -> tuple[str, list[Any]] | None:
    """``condition`` as SQL on ``model``'s table (by its own name, as a query without joins names it):
    ``("", [])`` when no row can match it, ``("TRUE", [])`` when every row does, None when it needs a
    join (then it cannot stand in another query's WHERE)."""
    if isinstance(condition, Condition):
        return condition.sql, list(condition.params)
    query = Query(model)
    try:
        where = query.build_where(condition)  # no joins allowed: FieldError if it needs one
        sql, params = query.get_compiler(using).compile(where)
    except FieldError:
        return None
    except EmptyResultSet:
        return "", []
    except FullResultSet:
        return "TRUE", []
    return sql, list(params)


def _union_by_text(
    queryset: QuerySet, any_of: Sequence[Q | Condition], order: Sequence[str], limit: int
) -> list[Any] | None:
    """The rows of ``queryset`` (a ``values()`` one) that match any of ``any_of``, in ``order``, at most
    ``limit``: the UNION of one ordered, limited part per condition, as Django's ``union`` would send it
    (and read it: the same converters, the same dicts), but with the query compiled once. None when
    this cannot be done (a queryset of model instances, a condition that needs a join, a query that
    names its own table otherwise): the caller goes Django's way."""
    if queryset._iterable_class is not ValuesIterable:
        return None
    unwalked = None
    if any(isinstance(condition, Condition) and condition.indexed for condition in any_of):
        any_of, unwalked = _walked_first(queryset, any_of, order, limit)
    using = queryset.db
    slot = RawSQL(_SLOT, (), output_field=BooleanField())  # noqa: S611  # nosec B611 (a constant, no input)
    query = queryset.filter(slot).order_by(*order)[:limit].query
    compiler = query.get_compiler(using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    if query.base_table != query.get_meta().db_table or sql.count(_SLOT) != 1:
        return None
    conditions = [_condition_sql(queryset.model, condition, using) for condition in any_of]
    if any(condition is None for condition in conditions):
        return None
    at = sql.index(_SLOT)
    head, tail = sql[:at], sql[at + len(_SLOT) :]
    before = head.replace("%%", "").count("%s")  # the parameters that come before the slot
    parts, values = [], []
    for condition_sql, condition_params in conditions:
        if condition_sql:  # one that no row matches is left out
            parts.append(f"({head}({condition_sql}){tail})")
            values += [*params[:before], *condition_params, *params[before:]]
    if not parts:
        return []
    names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    by = ", ".join(f"{names.index(name.lstrip('-')) + 1} {'DESC' if name.startswith('-') else 'ASC'}" for name in order)
    # one part left is a query of its own (PostgreSQL takes no ORDER BY after a parenthesised one)
    text = parts[0][1:-1] if len(parts) == 1 else f"{' UNION '.join(parts)} ORDER BY {by} LIMIT {int(limit)}"
    with connections[using].cursor() as cursor:
        cursor.execute(text, values)
        rows = cursor.fetchall()
    if unwalked is not None and len(rows) < limit:
        # A row the walk found changed between the two statements (acted on, or its names changed): the
        # page it made may lack rows beyond the walk, and then it would say there is no next page. Once
        # more, in one statement.
        return _union_by_text(queryset, unwalked, order, limit)
    return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[rows])]


def _walked_first(
    queryset: QuerySet, any_of: Sequence[Q | Condition], order: Sequence[str], limit: int
) -> tuple[list[Q | Condition], list[Q | Condition] | None]:
    """``any_of`` with each condition that has an ``indexed`` form resolved, for a union that runs each
    part once: the rows it found among the first ``WALK_FIRST_ROWS`` rows of ``order`` when those hold
    ``limit`` of them (by key, the condition asked again), or else its ``indexed`` form. And, when a
    condition was resolved by its rows' keys, the conditions resolved without the walk (for the caller
    to use if those rows changed meanwhile); else None.

    Whether the database should walk the page's order and test each row, or find the rows through an
    index and sort them, depends on how many rows match, which the planner cannot know for a condition
    such as "these words in one person's names". A walk finds a page at once when many match and reads
    every row when none do (1.7 s at a million complaints for "Garcia Q"); an index is quick when few
    match and reads thousands of rows to sort when many do (1.5 s for "son M"). So the walk goes first,
    bounded: as far as the ``WALK_FIRST_ROWS``-th row (a range an index scan stops at), and when that
    holds no page, few match and the index is asked."""
    indexed = [
        dataclasses.replace(c, sql=c.indexed[0], params=c.indexed[1], indexed=None)
        if isinstance(c, Condition) and c.indexed
        else c
        for c in any_of
    ]
    plain = [dataclasses.replace(c, indexed=None) if isinstance(c, Condition) else c for c in any_of]
    up_to = _rows_up_to(queryset.model, order)
    if up_to is None:  # an order no range can bound: walked as before
        return plain, None
    bounded = _without_subqueries(queryset).order_by(*order).values_list(*[name.lstrip("-") for name in order])
    bound = list(bounded[WALK_FIRST_ROWS - 1 : WALK_FIRST_ROWS])
    if not bound:  # the whole segment is within the walk
        return plain, None
    walked = queryset.filter(RawSQL(up_to, bound[0], output_field=BooleanField()))  # noqa: S611  # nosec B611 (names from the model)
    resolved: list[Q | Condition] = []
    by_keys = False
    for condition, as_walked, as_indexed in zip(any_of, plain, indexed, strict=True):
        if not (isinstance(condition, Condition) and condition.indexed):
            resolved.append(condition)
            continue
        rows = _union_by_text(walked, [as_walked], order, limit)
        if rows is not None and len(rows) >= limit:  # a page within the walk: those rows, by key
            pk = queryset.model._meta.pk
            keys = [row[pk.name] for row in rows]
            column = f'"{queryset.model._meta.db_table}"."{pk.column}"'
            resolved.append(
                Condition(
                    lambda keys=keys, condition=as_walked: Q(pk__in=keys) & condition.q,
                    f"{column} = ANY(%s) AND ({as_walked.sql})",
                    (keys, *as_walked.params),
                )
            )
            by_keys = True
        else:
            resolved.append(as_indexed)
    return resolved, indexed if by_keys else None


def _without_subqueries(queryset: QuerySet) -> QuerySet:
    """``queryset`` without those of its conditions that ask another query for each row (an officer's or an
    allegation's EXISTS, a mediator's own complaints): as many rows or more, in the same order. The
    walk's bound is the key of a row a number of rows into the order; any key bounds the walk correctly
    (it only says where the walk stops), and found this way it costs an index's entries, not a query for
    each of 20,000 rows (400 to 800 ms with the list's officer filter)."""
    where = queryset.query.where
    if where.connector != AND or where.negated:
        return queryset
    compiler = queryset.query.get_compiler(queryset.db)
    kept = []
    for child in where.children:
        try:
            sql, _ = compiler.compile(child)
        except (EmptyResultSet, FullResultSet):
            kept.append(child)
            continue
        if "SELECT" not in sql.upper():
            kept.append(child)
    if len(kept) == len(where.children):
        return queryset
    lighter = queryset.all()
    lighter.query.where = WhereNode(kept, AND)
    return lighter


def _rows_up_to(model: type[Model], order: Sequence[str]) -> str | None:
    """SQL that holds for the rows up to a key (itself included, its values the parameters) in ``order``:
    one comparison of rows, which an index in that order reads as a range and stops at. None for an
    order it cannot say (on annotations, or ascending and descending mixed)."""
    meta = model._meta
    directions = {name.startswith("-") for name in order}
    try:
        columns = [f'"{meta.db_table}"."{meta.get_field(name.lstrip("-")).column}"' for name in order]
    except FieldDoesNotExist:
        return None
    if len(directions) != 1:
        return None
    return f"({', '.join(columns)}) {'>=' if directions.pop() else '<='} ({', '.join(['%s'] * len(columns))})"


def _encode_value(value: Any) -> list[Any]:
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, int):
        return ["i", value]
    return ["s", str(value)]


def _decode_value(kind: str, raw: Any) -> Any:
    decoders = {"t": dt.datetime.fromisoformat, "d": dt.date.fromisoformat, "i": int, "s": str}
    return decoders[kind](raw)


def _value(row: Model | dict[str, Any], name: str) -> Any:
    """A field of a row: a model instance, or a dict from a ``values()`` queryset."""
    return row[name] if isinstance(row, dict) else getattr(row, name)


class _Cursors:
    def __init__(self, segments: Sequence[Segment], scope: str, salt: str):
        self.segments, self.scope, self.salt = segments, scope, salt

    def encode(self, index: int, row: Model | dict[str, Any]) -> str:
        values = [_encode_value(_value(row, name.lstrip("-"))) for name in self.segments[index].order]
        return signing.dumps({"s": self.scope, "g": index, "v": values}, salt=self.salt)

    def decode(self, token: str) -> tuple[int, list[Any]]:
        try:
            data = signing.loads(token, salt=self.salt)
            if data["s"] != self.scope:
                raise BadCursor("made for another sort order")
            index = int(data["g"])
            if not 0 <= index < len(self.segments) or len(data["v"]) != len(self.segments[index].order):
                raise BadCursor("does not fit this sort order")
            return index, [_decode_value(kind, raw) for kind, raw in data["v"]]
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise BadCursor(str(exc)) from None


def cursor_before(segments: Sequence[Segment], row: Model, *, scope: str, salt: str, index: int = 0) -> str:
    """A cursor whose next page starts with ``row`` (of segment ``index``, ordered ascending by a key that
    ends with the integer primary key): a link to the page where a given row is."""
    order = segments[index].order
    if any(name.startswith("-") for name in order) or order[-1] != "id":
        raise ValueError("cursor_before needs an ascending order that ends with the primary key")
    values = [_encode_value(getattr(row, name)) for name in order[:-1]] + [_encode_value(row.pk - 1)]
    return signing.dumps({"s": scope, "g": index, "v": values}, salt=salt)


def keyset_page(
    segments: Sequence[Segment],
    *,
    size: int,
    scope: str,
    salt: str,
    after: str | None = None,
    before: str | None = None,
) -> KeysetPage:
    """``size`` rows after the cursor ``after`` (or before ``before``; the first page without either).

    ``scope`` names the sort order (a cursor made for another one is refused); ``salt`` the page.
    """
    cursors = _Cursors(segments, scope, salt)
    going_back = bool(before)
    start, key = cursors.decode(before or after) if (before or after) else (0, None)
    indexes = range(start, -1, -1) if going_back else range(start, len(segments))
    found: list[tuple[int, Any]] = []
    for index in indexes:
        segment = segments[index]
        order = _reversed(segment.order) if going_back else segment.order
        queryset = segment.queryset
        if key is not None and index == start:
            queryset = queryset.filter(_beyond(order, key))
        found += [(index, row) for row in _fetch(segment, queryset, order, size + 1 - len(found))]
        if len(found) > size:
            break
    more = len(found) > size
    if going_back and len(found) < size:
        # back at the start with fewer rows than a page: the first page instead (the rows before this
        # one may have gone meanwhile, acted on or filtered out, which left "Previous page" a page of
        # nothing, or of a few rows with the rest of the first page on the next one)
        return keyset_page(segments, size=size, scope=scope, salt=salt)
    found = found[:size]
    if going_back:
        found.reverse()
    first = cursors.encode(*found[0]) if found else None
    last = cursors.encode(*found[-1]) if found else None
    if going_back:
        return KeysetPage([row for _, row in found], next_cursor=last, previous_cursor=first if more else None)
    return KeysetPage(
        [row for _, row in found], next_cursor=last if more else None, previous_cursor=first if after else None
    )
