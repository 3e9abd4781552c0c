"""Keyset pagination (parley/keyset.py), on a table of its own: users, by key."""

from __future__ import annotations

import pytest

from parley.accounts.models import User
from parley.keyset import BadCursor, Segment, keyset_page
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
