"""Keyset pagination (parley/keyset.py), on a table of its own: users, by key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley import keyset
from parley.accounts.models import User
from parley.keyset import BadCursor, Condition, Segment, _condition_sql, _union_by_text, keyset_page
from parley.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _page(**cursor):
    segments = [Segment(User.objects.filter(is_active=True), order=("id",))]
    return keyset_page(segments, size=2, scope="users", salt="test", **cursor)


def _ids(page) -> list[int]:
    return [user.pk for user in page.rows]


def test_pages_follow_each_other_and_back():
    users = [UserFactory().pk for _ in range(5)]
    first = _page()
    assert _ids(first) == users[:2] and first.has_next and not first.has_previous
    second = _page(after=first.next_cursor)
    assert _ids(second) == users[2:4] and second.has_previous
    third = _page(after=second.next_cursor)
    assert _ids(third) == users[4:] and not third.has_next
    back = _page(before=third.previous_cursor)
    assert _ids(back) == users[2:4] and back.has_previous and back.has_next
    assert _ids(_page(before=back.previous_cursor)) == users[:2]


def test_previous_page_after_the_rows_before_went_is_the_first_page_not_a_page_of_nothing():
    users = [UserFactory().pk for _ in range(5)]
    second = _page(after=_page().next_cursor)
    User.objects.filter(pk__in=users[:2]).update(is_active=False)  # acted on meanwhile: gone from the list
    back = _page(before=second.previous_cursor)
    assert _ids(back) == users[2:4] and not back.has_previous and back.has_next


def test_previous_page_with_fewer_rows_than_a_page_before_it_is_the_whole_first_page():
    users = [UserFactory().pk for _ in range(5)]
    second = _page(after=_page().next_cursor)
    User.objects.filter(pk=users[0]).update(is_active=False)
    back = _page(before=second.previous_cursor)
    assert _ids(back) == [users[1], users[2]] and not back.has_previous


def test_a_tampered_cursor_is_refused():
    for _ in range(3):
        UserFactory()
    with pytest.raises(BadCursor):
        _page(after="garbage")
    with pytest.raises(BadCursor):
        keyset_page(
            [Segment(User.objects.all(), order=("id",))], size=2, scope="other", salt="test", after=_page().next_cursor
        )


def test_previous_page_back_to_a_whole_first_page_asks_once(django_assert_num_queries):
    users = [UserFactory().pk for _ in range(5)]
    second = _page(after=_page().next_cursor)
    with django_assert_num_queries(1):
        back = _page(before=second.previous_cursor)
    assert _ids(back) == users[:2] and not back.has_previous


# The UNION of a segment's conditions, compiled once with a slot for each condition
# (``keyset._union_by_text``): the rows of Django's own union, or None where it cannot stand in.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL orders and limits the parts of a UNION"
)
_FIELDS = ("id", "username", "first_name", "last_name", "role", "date_joined", "is_active")


def _django_union(queryset, conditions, order, limit):
    parts = [queryset.filter(q).order_by(*order)[:limit] for q in conditions]
    return list(parts[0].union(*parts[1:]).order_by(*order)[:limit])


def _people(names: list[str]) -> None:
    for i, name in enumerate(names):
        UserFactory(username=f"u{i}-{name}", first_name=name, last_name=names[-1 - i], is_active=i % 3 != 0)


@postgresql_only
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.text(alphabet="ab%_\\' x", min_size=1, max_size=3), min_size=2, max_size=3),
    descending=st.booleans(),
    limit=st.integers(min_value=1, max_value=6),
)
def test_the_union_is_the_rows_djangos_union_gives(words, descending, limit):
    User.objects.all().delete()
    _people(["a%b", "ab", "a_b", "x'y", "b\\a", "abba", "%", "_", "ba b"])
    base = User.objects.filter(is_active=True, username__contains="-").values(*_FIELDS)  # parameters before the slot
    conditions = [Q(first_name__icontains=w) | Q(last_name__istartswith=w) for w in words]
    conditions.append(Q(Exists(User.objects.filter(pk=OuterRef("pk"), username__iendswith=words[0]))))
    order = ("-last_name", "-id") if descending else ("last_name", "id")
    expected = _django_union(base, conditions, order, limit)
    assert _union_by_text(base, conditions, order, limit) == expected


@postgresql_only
def test_conditions_no_row_or_every_row_matches_and_an_empty_scope():
    _people(["ann", "bob", "cy"])
    base = User.objects.values(*_FIELDS)
    order = ("username", "id")
    assert _union_by_text(base, [Q(pk__in=[]), Q(first_name="bob")], order, 5) == list(
        base.filter(first_name="bob").order_by(*order)
    )
    assert _union_by_text(base, [Q(pk__in=[]), Q(pk__in=[])], order, 5) == []
    assert _union_by_text(base, [Q(), Q(first_name="bob")], order, 5) == list(base.order_by(*order)[:5])
    assert _union_by_text(base.none(), [Q(first_name="ann"), Q(first_name="bob")], order, 5) == []


@postgresql_only
def test_what_cannot_stand_in_the_slot_goes_djangos_way(django_assert_num_queries):
    _people(["ann", "bob"])
    order = ("id",)
    conditions = [Q(first_name="ann"), Q(groups__name="staff")]  # the second needs a join
    assert _union_by_text(User.objects.values(*_FIELDS), conditions, order, 5) is None
    assert _union_by_text(User.objects.all(), [Q(first_name="ann"), Q(first_name="bob")], order, 5) is None
    segments = [Segment(User.objects.values(*_FIELDS), order=order, any_of=tuple(conditions))]
    page = keyset_page(segments, size=5, scope="users", salt="test")
    assert [row["first_name"] for row in page.rows] == ["ann"]
    segments = [Segment(User.objects.values(*_FIELDS), order=order, any_of=(Q(first_name="ann"), Q(first_name="bob")))]
    with django_assert_num_queries(1):  # one statement, the union (test_search_sql.py tells whose)
        assert [row["first_name"] for row in keyset_page(segments, size=5, scope="u", salt="t").rows] == ["ann", "bob"]


# A condition with an ``indexed`` form is looked for among the first WALK_FIRST_ROWS rows of the order
# first (``keyset._walked_first``), and through its indexed form only when they hold no page.
def _condition(q: Q, *, indexed: tuple[str, tuple] | None = None) -> Condition:
    sql, params = _condition_sql(User, q, "default")
    return Condition(lambda: q, sql, tuple(params), indexed=(sql, tuple(params)) if indexed is None else indexed)


@postgresql_only
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.sampled_from(["a", "b", "ab", "x", "%", "ba"]), min_size=1, max_size=3),
    descending=st.booleans(),
    limit=st.integers(min_value=1, max_value=6),
    walk=st.integers(min_value=1, max_value=12),
)
def test_walked_first_the_union_is_the_rows_djangos_union_gives(words, descending, limit, walk, monkeypatch):
    User.objects.all().delete()
    _people(["ab", "ba", "a%", "x", "abba", "b", "xa", "bab", "a", "ax", "xb"])
    monkeypatch.setattr(keyset, "WALK_FIRST_ROWS", walk)
    # a condition that asks a query of each row, which the walk's bound leaves out (_without_subqueries)
    not_x = ~Exists(User.objects.filter(pk=OuterRef("pk"), first_name="x"))
    base = User.objects.filter(is_active=True).filter(not_x).values(*_FIELDS)
    qs = [Q(first_name__icontains=word) for word in words]
    order = ("-last_name", "-id") if descending else ("last_name", "id")
    expected = _django_union(base, [*qs, Q(username="nobody")], order, limit)
    conditions = [*map(_condition, qs), Q(username="nobody")]
    assert _union_by_text(base, conditions, order, limit) == expected


@postgresql_only
def test_the_indexed_form_is_asked_only_when_the_walk_holds_no_page(monkeypatch):
    _people(["ann", "bob", "cy", "dee", "ann", "eve", "ann", "fay"])
    base = User.objects.values(*_FIELDS)
    order = ("username", "id")
    anns = list(base.filter(first_name="ann").order_by(*order))
    never = _condition(Q(first_name="ann"), indexed=("FALSE", ()))  # a wrong indexed form shows when it is used
    monkeypatch.setattr(keyset, "WALK_FIRST_ROWS", 5)  # "ann" is the 1st and 5th by username: a page of 2
    assert _union_by_text(base, [never, Q(pk__in=[])], order, 2) == anns[:2]
    assert _union_by_text(base, [never, Q(pk__in=[])], order, 3) == []  # 2 in the walk, not 3: the index
    monkeypatch.setattr(keyset, "WALK_FIRST_ROWS", 50)  # more than there are: the walk is all
    assert _union_by_text(base, [never, Q(pk__in=[])], order, 3) == anns
    assert keyset._rows_up_to(User, ("username", "-id")) is None  # mixed directions: no range to stop at


@postgresql_only
def test_a_row_the_walk_found_that_changes_before_the_union_costs_the_page_nothing(monkeypatch):
    names = ["ann", "bob", "ann", "ann", "cy", "ann", "ann", "dee"]
    users = [UserFactory(username=f"u{i}", first_name=name, is_active=True) for i, name in enumerate(names)]
    base = User.objects.filter(is_active=True).values(*_FIELDS)
    order = ("username", "id")
    walk = keyset._walked_first

    def acted_on_meanwhile(*args):
        resolved, unwalked = walk(*args)
        User.objects.filter(pk=users[0].pk).update(is_active=False)  # between the walk and the union
        return resolved, unwalked

    monkeypatch.setattr(keyset, "_walked_first", acted_on_meanwhile)
    monkeypatch.setattr(keyset, "WALK_FIRST_ROWS", 6)  # the walk holds u0, u2, u3, u5: a page of 3
    found = _union_by_text(base, [_condition(Q(first_name="ann")), Q(pk__in=[])], order, 3)
    assert [row["username"] for row in found] == ["u2", "u3", "u5"]  # not u2 and u3 alone, "no next page"


def test_the_walks_bound_leaves_out_the_conditions_that_ask_a_query_of_each_row():
    staff = Exists(User.objects.filter(pk=OuterRef("pk"), groups__name="staff"))
    lighter = keyset._without_subqueries(User.objects.filter(is_active=True).filter(staff).values("id"))
    sql = str(lighter.query).upper()
    assert "EXISTS" not in sql and "IS_ACTIVE" in sql
    either = User.objects.filter(Q(is_active=True) | Q(staff), username__startswith="u")
    for username, active in [("u1", False), ("u2", True), ("v3", True)]:
        UserFactory(username=username, is_active=active)
    lighter = keyset._without_subqueries(either)  # the condition with a query in it goes, the other stays
    assert "EXISTS" not in str(lighter.query).upper()
    assert sorted(lighter.values_list("username", flat=True)) == ["u1", "u2"]  # more rows, never fewer
    plain = User.objects.filter(is_active=True)
    assert keyset._without_subqueries(plain) is plain
