"""The list's search conditions are written twice (``selectors.search_alternatives``): as Django's Q,
and as SQL that the union on PostgreSQL takes as it is (``keyset.Condition``). Here the two are held to
each other: for any search words, each condition's SQL finds the complaints its Q finds, and it is made
of the same column expressions (which the search's indexes are made of) with the same patterns."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley import keyset
from parley.cases import selectors, services
from parley.cases.models import Complaint, PartyKind
from parley.keyset import _condition_sql
from parley.testing.factories import OfficerFactory
from parley.testing.web import login

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the conditions' SQL is PostgreSQL's (CI runs it there)"
    ),
]

# people and officers whose names hold what a LIKE pattern treats specially, accents, quotes, short names
PEOPLE = [("Ana", "García-López"), ("Li", "Nguyen"), ("Sean", "O'Brien"), ("a%b", "x_y"), ("Back\\slash", "Ng")]
OFFICERS = [("Ada", "Okafor", "20417", "3117"), ("Li", "Wu", "A-17", "x_1"), ("Sam", "Garcia", "20%", "")]
WORDS = [
    "Ana",
    "ana",
    "García",
    "garc",
    "Li",
    "li",
    "Ng",
    "O'Brien",
    "'",
    "%",
    "_",
    "a%b",
    "x_y",
    "\\",
    "k\\s",
    "slash",
]
WORDS += ["Okafor", "okaf", "20417", "3117", "A-17", "x_1", "20%", "Wu", "Sam Garcia", "ann@example.org"]
WORDS += ["(314) 555-0101", "314-555-0101", "2026", "0001", "-", "Ada Okafor", "Li Wu", "Hidden", "Hid", "Zed"]
WORDS += ["Ana Ga", "García Ana", "Nguyen L", "Ana Okafor", "x_y A%"]


@pytest.fixture
def complaints(irene, policy):
    made = []
    roster = [OfficerFactory(first_name=f, last_name=la, dsn=dsn, badge=badge) for f, la, dsn, badge in OFFICERS]
    for i, (first, last) in enumerate(PEOPLE):
        officer = roster[i % len(roster)]
        parties = [services.NewParty(first_name=first, last_name=last, email="ann@example.org" if i == 0 else "")]
        # a witness who stays anonymous: found by phone, never by name
        parties.append(
            services.NewParty(
                kind=PartyKind.WITNESS, first_name="Hidden", last_name=last, anonymous=True, phone="(314) 555-0101"
            )
        )
        made.append(
            services.complaint_receive(
                actor=irene,
                received_on=timezone.localdate(),
                channel="phone",
                narrative="It happened.",
                parties=parties,
                officers=[services.NewOfficer(roster=officer, allegation_codes=["discourtesy"])],
            )
        )
    return made


def _found_by_sql(condition, *, indexed: bool = False) -> set[int]:
    sql, params = condition.indexed if indexed else (condition.sql, condition.params)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "id" FROM "cases_complaint" WHERE {sql}', list(params))  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


search_words = st.one_of(
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(" ".join),
    st.text(alphabet="aAnN%_\\' -0123", min_size=1, max_size=6).filter(str.strip),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=search_words)
def test_each_conditions_sql_finds_what_its_q_finds(complaints, text):
    for condition in selectors.search_alternatives(text, contact=True):
        found = set(Complaint.objects.filter(condition.q).values_list("id", flat=True))
        assert _found_by_sql(condition) == found
        if condition.indexed:  # the same condition written for the index (keyset._walked_first)
            assert _found_by_sql(condition, indexed=True) == found


def test_the_words_find_something_so_that_the_comparison_says_something(complaints):
    found = {
        text: set().union(*(_found_by_sql(c) for c in selectors.search_alternatives(text, contact=True)))
        for text in WORDS
    }
    assert found["Zed"] == set() and len(found["(314) 555-0101"]) == len(complaints)
    assert [
        text
        for text in ["Ana", "Li", "a%b", "x_y", "k\\s", "Okafor", "20417", "A-17", "20%", "Li Wu"]
        if not found[text]
    ] == []


_EXPRESSION = re.compile(
    r'UPPER\([^()]*::text\) (?:LIKE|=) UPPER\(%s\)|U0\."\w+_index" = %s'
    r"|COALESCE\(UPPER\([^()]*\)::text ~ \(UPPER\(%s\)\), "  # the words in one person's line of the copy
)


@pytest.mark.parametrize("text", WORDS)
def test_each_conditions_sql_is_made_of_the_expressions_and_patterns_django_writes(text):
    for condition in selectors.search_alternatives(text, contact=True):
        django_sql, django_params = _condition_sql(Complaint, condition.q, "default")
        assert sorted(_EXPRESSION.findall(condition.sql)) == sorted(_EXPRESSION.findall(django_sql))
        assert list(condition.params) == [p for p in django_params if isinstance(p, str)]


def test_blank_words_are_no_search(complaints):
    assert selectors.search_alternatives("  \t ", contact=True) == ()
    assert Complaint.objects.filter(selectors.search_q(" ")).count() == len(complaints)


@pytest.mark.parametrize("walk", [2, 10_000], ids=["walk-then-index", "all-walked"])
def test_the_list_searches_by_the_union_of_these_conditions_not_djangos(complaints, client, irene, monkeypatch, walk):
    def refused(*args, **kwargs):
        raise AssertionError("the list went Django's way")

    monkeypatch.setattr(QuerySet, "union", refused)
    monkeypatch.setattr(keyset, "WALK_FIRST_ROWS", walk)  # several words: the walk of 2 rows holds no page
    login(client, irene)
    searches = [("Okafor", 2), ("Li Wu", 2), ("(314) 555-0101", 5), ("2026", 5), ("Sam Garcia", 1), ("Ga ana", 1)]
    for words, expected in [*searches, ("Ana Okafor", 0), ("Ana Ló", 0)]:
        response = client.get(reverse("cases:list"), {"q": words})
        assert response.status_code == 200
        assert len(re.findall(r'<th scope="row" data-label="Reference"', response.content.decode())) == expected
