"""Due dates: from the program policy's day counts, and every change to a complaint's deadlines.

Each complaint keeps its earliest open deadline in ``Complaint.next_due`` (and its kind in
``next_due_kind``: of two due the same day, the one opened first), for the queue and the list to read
from an index and print. They change only here, with the deadlines, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parley.cases.models import Complaint, Deadline
from parley.policies.models import DeadlineCalendar, ProgramPolicy


def add_days(policy: ProgramPolicy, start: dt.date, days: int) -> dt.date:
    """``days`` after ``start``, counted the way the policy counts (calendar or business days)."""
    if policy.deadline_calendar == DeadlineCalendar.CALENDAR:
        return start + dt.timedelta(days=days)
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def _open(complaint: Complaint) -> QuerySet[Deadline]:
    return Deadline.objects.open().filter(complaint=complaint)


def _refresh(complaint: Complaint) -> None:
    # written whatever the object in memory says: it may be older than the row
    complaint.next_due, complaint.next_due_kind = _open(complaint).order_by("due_on", "id").values_list(
        "due_on", "kind"
    ).first() or (None, "")
    Complaint.objects.filter(pk=complaint.pk).update(next_due=complaint.next_due, next_due_kind=complaint.next_due_kind)


def set_deadline(complaint: Complaint, kind: str, days: int | None, start: dt.date | None = None) -> None:
    """Open (or open again) the deadline ``kind``, ``days`` after ``start`` (today); none when the policy
    sets no day count for it."""
    if days is None:
        return
    start = start or timezone.localdate()
    Deadline.objects.update_or_create(
        complaint=complaint,
        kind=kind,
        defaults={"due_on": add_days(complaint.policy, start, days), "met_at": None, "cancelled": False},
    )
    _refresh(complaint)


def meet_deadline(complaint: Complaint, kind: str) -> None:
    """The step of ``kind`` was taken."""
    if _open(complaint).filter(kind=kind).update(met_at=timezone.now()):
        _refresh(complaint)


def cancel_open_deadlines(complaint: Complaint) -> None:
    """The complaint left the path (it closed): none of its open steps applies any more."""
    _open(complaint).update(cancelled=True)
    complaint.next_due, complaint.next_due_kind = None, ""
    Complaint.objects.filter(pk=complaint.pk).update(next_due=None, next_due_kind="")


def refresh_next_due(complaint_ids: Iterable[int] | QuerySet[Complaint] | None = None) -> int:
    """Compute ``next_due`` and ``next_due_kind`` again from the deadlines, of the given complaints or of
    all: after deadlines were changed in bulk outside the functions above (a data repair, a test).
    Returns how many rows."""
    earliest = Deadline.objects.open().filter(complaint=OuterRef("pk")).order_by("due_on", "id")
    complaints = Complaint.objects.all() if complaint_ids is None else Complaint.objects.filter(pk__in=complaint_ids)
    return complaints.update(
        next_due=Subquery(earliest.values("due_on")[:1]),
        next_due_kind=Coalesce(Subquery(earliest.values("kind")[:1]), Value("")),
    )
