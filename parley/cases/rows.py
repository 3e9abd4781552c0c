"""The rows of the complaint list, of "my queue" and of the list's CSV: what each shows of a complaint
and its people, read in a fixed number of flat queries (per page, or per batch of the CSV), and for
the pages written as one table by Jinja2 (``templates/cases/``).

Each page of rows is read as plain values, not model instances, in one query: the complaints of the
page (the keyset page's query, ``LIST_FIELDS`` or ``QUEUE_FIELDS``), each with its copy of its people
(``Complaint.people``: complainants, officers with the keys of the categories alleged against each)
and, for the queue, the kind of its earliest open deadline (``Complaint.next_due_kind``). The CSV, and
a page with a complaint that has no copy yet, read the people themselves (``people_of``: two flat
queries, one round trip on PostgreSQL). Reading them as models, with a prefetch per relation, and
writing the table with Django's template language was most of these pages' time (docs/benchmarks.md,
"Staff pages, fourth round"); reading the people in a second round trip was a quarter of what was
left ("eleventh round").
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from parley import reads
from parley.cases.models import (
    Allegation,
    AllegationCategory,
    Channel,
    Complaint,
    ComplaintOfficer,
    DeadlineKind,
    Party,
    PartyKind,
    officer_name,
    party_name,
)
from parley.cases.workflow import TERMINAL, Disposition, Status
from parley.jinja import day_writer, iso_day, render_html, url_writer

# What a row of the list reads of the complaint (with every field a sort of the list orders by).
# Its people come with it, from the complaint's copy of them (``Complaint.people``, parley/cases/names.py).
LIST_FIELDS = ("id", "reference", "status", "disposition", "received_on", "status_changed_at", "next_due", "people")
# What a row of the queue reads (with its policy's key, whose rules say which of the role's steps wait:
# ``selectors.queue_steps_for``; the queue's order; and what its earliest open deadline is for).
QUEUE_FIELDS = (
    "id",
    "reference",
    "status",
    "policy_id",
    "acknowledged_at",
    "status_changed_at",
    "next_due",
    "next_due_kind",
    "people",
)


def queue_rows(complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """``complaints`` as rows of the queue (``QUEUE_FIELDS``)."""
    return complaints.values(*QUEUE_FIELDS)


# What a line of the CSV reads of the complaint (besides its people).
# The dates of the workflow's steps, in the order a complaint reaches them: the CSV gives each as a day,
# so that a program's figures (how long to referral, to closure) need no complaint opened by hand.
STEP_FIELDS = ("acknowledged_at", "screened_at", "suitability_decided_at", "choice_recorded_at", "referred_at")
CSV_FIELDS = (
    "id",
    "reference",
    "received_on",
    "channel",
    "status",
    "disposition",
    "next_due",
    "closed_at",
    *STEP_FIELDS,
)
CSV_COLUMNS = [
    "reference",
    "received_on",
    "channel",
    "status",
    "disposition",
    "complainants",
    "officers",
    "allegations",
    "next_due",
    "overdue",
    "closed_on",
    "acknowledged_on",
    "screened_on",
    "suitability_decided_on",
    "choice_recorded_on",
    "referred_on",
    "days_to_referral",
    "days_to_close",
]
CSV_BATCH = 500

STATUS_LABELS: dict[str, str] = dict(Status.choices)
CHANNEL_LABELS: dict[str, str] = dict(Channel.choices)
DISPOSITION_LABELS: dict[str, str] = dict(Disposition.choices)
DEADLINE_LABELS: dict[str, str] = dict(DeadlineKind.choices)


@dataclass(slots=True)
class People:
    """Who a complaint is about, ready to print: complainants' names; officers, each with the
    categories alleged against them (empty when allegations were not read)."""

    complainants: list[str] = field(default_factory=list)
    officers: list[tuple[str, list[str]]] = field(default_factory=list)


def _in(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


# The people of a page of complaints (or a batch of the CSV), in hand-written SQL: the ORM took longer to
# build these queries and turn their rows into tuples than the database took to answer them (3.6 ms of
# 5.7 ms for the people of 50 complaints; docs/benchmarks.md, "Staff pages, fifth round"). Plain SQL
# that SQLite and PostgreSQL both read (Django's drivers give dates and booleans back as Python's);
# the tables named as the models name them; every value a parameter.
_PARTY, _OFFICER, _ALLEGATION, _CATEGORY = (
    model._meta.db_table for model in (Party, ComplaintOfficer, Allegation, AllegationCategory)
)
_COMPLAINANTS_SQL = (
    f"SELECT complaint_id, anonymous, first_name, last_name FROM {_PARTY}"  # noqa: S608  # nosec B608 (names from the models)
    " WHERE kind = %s AND complaint_id IN ({ids}) ORDER BY id"
)
_OFFICERS_SQL = (
    "SELECT o.complaint_id, o.id, o.first_name, o.last_name, o.dsn, o.description{category}"  # noqa: S608
    f" FROM {_OFFICER} o{{join}} WHERE o.complaint_id IN ({{ids}}) ORDER BY o.id{{then}}"  # nosec B608 (names from the models)
)
# each officer once per allegation (or once, with NULL, when there is none)
_ALLEGED_JOIN = (
    f" LEFT JOIN {_ALLEGATION} a ON a.complaint_officer_id = o.id LEFT JOIN {_CATEGORY} c ON c.id = a.category_id"
)


def _people_statements(ids: list[int], *, allegations: bool) -> list[tuple[str, list[Any]]]:
    """The two reads of ``people_of`` (complainants, then officers), for ``reads.rows_of``."""
    placeholders = _in(ids)
    officers_sql = _OFFICERS_SQL.format(
        category=", c.name" if allegations else "",
        join=_ALLEGED_JOIN if allegations else "",
        then=", a.id" if allegations else "",
        ids=placeholders,
    )
    return [
        (_COMPLAINANTS_SQL.format(ids=placeholders), [PartyKind.COMPLAINANT.value, *ids]),
        (officers_sql, list(ids)),
    ]


def _people_from(complainants: list[tuple[Any, ...]], officers: list[tuple[Any, ...]]) -> dict[int, People]:
    found: dict[int, People] = defaultdict(People)
    for complaint_id, anonymous, first_name, last_name in complainants:
        found[complaint_id].complainants.append(party_name(anonymous, first_name, last_name))
    last_officer = None
    for complaint_id, officer_id, first_name, last_name, dsn, description, *alleged in officers:
        listed = found[complaint_id].officers
        if officer_id != last_officer:
            listed.append((officer_name(first_name, last_name, dsn, description), []))
            last_officer = officer_id
        if alleged and alleged[0]:
            listed[-1][1].append(alleged[0])
    return found


def _people_copied(copy: Mapping[str, Any], categories: Mapping[int, str] | None) -> People:
    """``People`` from a complaint's copy of them; allegations named from ``categories`` (key to name),
    left out when it is None (the reader may not see them)."""
    return People(
        complainants=[party_name(*complainant) for complainant in copy["c"]],
        officers=[
            (
                officer_name(first, last, dsn, description),
                [categories.get(key, "") for key in alleged] if categories is not None else [],
            )
            for first, last, dsn, description, alleged in copy["o"]
        ],
    )


def people_of_rows(rows: Sequence[Mapping[str, Any]], *, categories: Mapping[int, str] | None) -> dict[int, People]:
    """The people of a page of rows read with their copy of them (``Complaint.people``); ``categories``
    as for ``_people_copied``. A complaint without a copy (taken in by code older than the copy, until
    ``manage.py refresh_search_names`` writes it) has its people read, in one more round trip."""
    found: dict[int, People] = defaultdict(People)  # a complaint with nobody (changed outside Parley): none
    missing = []
    for row in rows:
        if row["people"]:
            found[row["id"]] = _people_copied(row["people"], categories)
        else:
            missing.append(row["id"])
    if missing:
        found.update(people_of(missing, allegations=categories is not None))
    return found


def people_of(ids: Sequence[int], *, allegations: bool) -> dict[int, People]:
    """The people of the complaints ``ids`` (two reads, one round trip on PostgreSQL; none for no
    ids), in the order they were added. Complainants' contact data (encrypted) is not read."""
    if not ids:
        return defaultdict(People)
    complainants, officers = reads.rows_of(
        DEFAULT_DB_ALIAS, *_people_statements([int(i) for i in ids], allegations=allegations)
    )
    return _people_from(complainants, officers)


class Row(SimpleNamespace):
    """A row as a table writes it: its values as attributes, which Jinja2 reads at once (a dict's keys
    it reads only after the attribute lookup has failed, an exception per cell)."""


def days_since(moment: dt.datetime, today: dt.date, zone: dt.tzinfo | None = None) -> int:
    """Whole days from ``moment`` (its local date) to ``today``: the queue's days waiting, the
    complaint page's days in the current step. ``zone``: the current time zone, when the caller has
    read it once for many rows."""
    return max((today - timezone.localdate(moment, zone)).days, 0)


def _is_overdue(row: Mapping[str, Any], today: dt.date) -> bool:
    return bool(row["next_due"] and row["next_due"] < today and row["status"] not in TERMINAL)


def render_list_table(
    rows: Iterable[Mapping[str, Any]], *, today: dt.date, categories: Mapping[int, str] | None, caption: str
) -> SafeString:
    """The complaint list's table for a page of ``LIST_FIELDS`` rows. ``categories``: the allegation
    categories' names by key, or None when the reader may not see allegations. What each row's cells
    say is worked out here, in Python, and the template writes it (a filter called in a template costs
    several times what the same work costs here: docs/benchmarks.md, twelfth round)."""
    rows = list(rows)
    people = people_of_rows(rows, categories=categories)
    day, link = day_writer(), url_writer("cases:detail", "ref")
    shown = []
    for row in rows:
        who = people[row["id"]]
        shown.append(
            Row(
                reference=row["reference"],
                link=link(row["reference"]),
                received_iso=iso_day(row["received_on"]),
                received_day=day(row["received_on"]),
                status_label=STATUS_LABELS.get(row["status"], row["status"]),
                disposition_label=DISPOSITION_LABELS.get(row["disposition"], row["disposition"])
                if row["disposition"]
                else "",
                complainants=", ".join(who.complainants),
                officers=[(name, ", ".join(alleged)) for name, alleged in who.officers],
                next_due_day=day(row["next_due"]),
                overdue=_is_overdue(row, today),
            )
        )
    return render_html("cases/list_table.html", {"rows": shown, "caption": caption})


def render_queue_table(
    rows: Iterable[Mapping[str, Any]],
    *,
    steps_of: Callable[[Mapping[str, Any]], list[str]],
    today: dt.date,
    caption: str,
) -> SafeString:
    """The queue's table for a page of ``QUEUE_FIELDS`` rows. ``steps_of(row)`` names the steps that
    wait for the reader's role on it. As for the list's table, the cells are worked out here."""
    rows = list(rows)
    people = people_of_rows(rows, categories=None)
    day, link, zone = day_writer(), url_writer("cases:detail", "ref"), timezone.get_current_timezone()
    shown = []
    for row in rows:
        due_on, who = row["next_due"], people[row["id"]]
        shown.append(
            Row(
                reference=row["reference"],
                link=link(row["reference"]),
                steps="; ".join(steps_of(row)),
                due_on=due_on,
                due_iso=iso_day(due_on),
                due_day=day(due_on),
                due_kind=DEADLINE_LABELS.get(row["next_due_kind"], row["next_due_kind"]),
                overdue=bool(due_on and due_on < today),
                days_waiting=days_since(row["status_changed_at"], today, zone),
                complainants=", ".join(who.complainants),
                officers="; ".join(name for name, _ in who.officers),
            )
        )
    return render_html("cases/queue_table.html", {"rows": shown, "caption": caption})


def csv_lines(rows: Iterable[Mapping[str, Any]], *, today: dt.date) -> Iterator[list[str]]:
    """The CSV's lines (``CSV_COLUMNS``) for ``CSV_FIELDS`` rows in order, their people read a batch of
    ``CSV_BATCH`` at a time (two queries per batch, however long the list)."""
    rows = iter(rows)
    while batch := list(itertools.islice(rows, CSV_BATCH)):  # itertools.batched from Python 3.12
        people = people_of([row["id"] for row in batch], allegations=True)
        for row in batch:
            who = people[row["id"]]
            closed = timezone.localdate(row["closed_at"]) if row["closed_at"] else None
            referred = timezone.localdate(row["referred_at"]) if row["referred_at"] else None
            yield [
                row["reference"],
                row["received_on"].isoformat(),
                CHANNEL_LABELS.get(row["channel"], row["channel"]),
                STATUS_LABELS.get(row["status"], row["status"]),
                DISPOSITION_LABELS.get(row["disposition"], row["disposition"]),
                ", ".join(who.complainants) or "—",
                "; ".join(name for name, _ in who.officers),
                "; ".join(f"{name}: {category}" for name, alleged in who.officers for category in alleged),
                row["next_due"].isoformat() if row["next_due"] else "",
                "yes" if _is_overdue(row, today) else "no",
                closed.isoformat() if closed else "",
                *(timezone.localdate(row[name]).isoformat() if row[name] else "" for name in STEP_FIELDS),
                str((referred - row["received_on"]).days) if referred else "",
                str((closed - row["received_on"]).days) if closed else "",
            ]
