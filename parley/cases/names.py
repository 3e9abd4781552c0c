"""Copies of a complaint's people on its own row: ``Complaint.search_names``, which the search reads, and
``Complaint.people``, which the list and the queue print.

The complaint list's search finds a complaint by a word in the first or last name of one of its named
(not anonymous) parties or of one of its officers. Those live in other tables, so for a common name
the database walked the complaints in the page's order and looked up each one's people: some 1,400
lookups, 9 ms, for a page of "Garcia" among the mediated complaints of a million. With the names on
the complaint's row, the walk reads them as it goes, and a rare name is found through a trigram index
of the copy (migration 0009).

The search's copy is a line "first<TAB>last" for each such person (a tab or line break inside a name is
written as a space). A search word has no spaces, so it is in one of a person's names exactly when it is
in that person's line; it starts the first name where the line starts, and the last name after the
line's tab. So the search reads the copy alone for every search with a word of three letters or more
(``selectors.search_alternatives``), through the copy's trigram index or on the complaint's row as the
database walks the page's order; a search of one- and two-letter words only, which no trigram can
find, still reads the people. DSNs and badges are not in it: they are matched whole, through their own
indexes. Migration 0015 wrote the copies of the complaints already there in this form (it was "first
last", which could not tell a two-word first name from the last name).

The lists' copy (``people_copy``) holds what a row of the list or the queue shows of the people: each
complainant (anonymous or not, and the names), each officer (names, DSN, description) with the keys of
the categories alleged against them, in the order they were added. The pages read it with the row
instead of reading the people of a page in a second round trip, which was a quarter of the list's and
the queue's time (docs/benchmarks.md, "eleventh round"). It keeps category keys, not names, so that a
category renamed shows its new name at once.

Both copies must be right wherever the people are written: at intake (``services.complaint_receive``),
by retention when it removes the civilians' names (or the old name would still find the complaint, and
still show in the list), and by the demo loader; ``refresh_people_copies`` writes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from parley.cases.models import Allegation, Complaint, ComplaintOfficer, Party, PartyKind


def search_names_text(people: Iterable[tuple[str, str]]) -> str:
    """The copy for a complaint's people, each given as (first name, last name): a line "first<TAB>last"
    each. A tab or a line break inside a name is written as a space, so that the line's one tab is where
    the last name starts, and the line is the person's (``selectors.search_alternatives``)."""
    lines = ("\t".join(_one_line(name) for name in person) for person in people if any(person))
    return "\n".join(lines)


def _one_line(name: str) -> str:
    return name.replace("\t", " ").replace("\n", " ")


def people_copy(complainants: Iterable[Sequence[Any]], officers: Iterable[Sequence[Any]]) -> dict[str, list]:
    """The lists' copy of a complaint's people (``Complaint.people``): ``complainants`` as (anonymous,
    first name, last name), ``officers`` as (first name, last name, DSN, description, category keys),
    each in the order they were added."""
    return {
        "c": [[bool(anonymous), first, last] for anonymous, first, last in complainants],
        "o": [
            [first, last, dsn, description, list(categories)] for first, last, dsn, description, categories in officers
        ],
    }


def refresh_people_copies(complaint_ids: Iterable[int]) -> int:
    """Write both copies of these complaints again from their people, where they differ; returns how many
    complaints were written. In the caller's transaction: the complaints are locked first (on PostgreSQL),
    so that names another transaction has just removed (retention) are read as removed, never written
    back."""
    ids = list(complaint_ids)
    current = {
        pk: (names, people)
        for pk, names, people in Complaint.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "search_names", "people")
    }
    searched: dict[int, list[tuple[str, ...]]] = {pk: [] for pk in current}
    complainants: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in current}
    officers: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in current}
    parties = Party.objects.filter(complaint_id__in=current).order_by("id")
    for complaint_id, kind, anonymous, first, last in parties.values_list(
        "complaint_id", "kind", "anonymous", "first_name", "last_name"
    ):
        if not anonymous:
            searched[complaint_id].append((first, last))
        if kind == PartyKind.COMPLAINANT:
            complainants[complaint_id].append((anonymous, first, last))
    alleged: dict[int, list[int]] = defaultdict(list)
    for officer_id, category_id in (
        Allegation.objects.filter(complaint_officer__complaint_id__in=current)
        .order_by("id")
        .values_list("complaint_officer_id", "category_id")
    ):
        alleged[officer_id].append(category_id)
    for complaint_id, officer_id, first, last, dsn, description in (
        ComplaintOfficer.objects.filter(complaint_id__in=current)
        .order_by("id")
        .values_list("complaint_id", "id", "first_name", "last_name", "dsn", "description")
    ):
        searched[complaint_id].append((first, last))
        officers[complaint_id].append((first, last, dsn, description, alleged[officer_id]))
    changed = []
    for pk, (names, people) in current.items():
        text = search_names_text(searched[pk])
        copy = people_copy(complainants[pk], officers[pk])
        if text != names or copy != people:
            changed.append(Complaint(pk=pk, search_names=text, people=copy))
    Complaint.objects.bulk_update(changed, ["search_names", "people"], batch_size=500)
    return len(changed)
