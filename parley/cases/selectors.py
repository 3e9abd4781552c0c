"""Reads about complaints that several pages and commands share."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, QuerySet
from django.utils import timezone

from parley.cases.models import Complaint, ComplaintEvent, Deadline
from parley.cases.workflow import OPEN


def open_deadlines() -> QuerySet[Deadline]:
    return Deadline.objects.filter(met_at__isnull=True, cancelled=False, complaint__status__in=OPEN)


def overdue_deadlines(*, today: dt.date | None = None) -> QuerySet[Deadline]:
    """Deadlines not met by their due date, on complaints still open; the most overdue first."""
    today = today or timezone.localdate()
    return open_deadlines().filter(due_on__lt=today).select_related("complaint").order_by("due_on", "id")


def overdue_complaints(*, today: dt.date | None = None) -> QuerySet[Complaint]:
    """Open complaints with at least one missed deadline, annotated with the earliest one (``overdue_since``)."""
    today = today or timezone.localdate()
    return (
        Complaint.objects.filter(
            status__in=OPEN,
            deadlines__met_at__isnull=True,
            deadlines__cancelled=False,
            deadlines__due_on__lt=today,
        )
        .annotate(overdue_since=Min("deadlines__due_on"))
        .order_by("overdue_since", "id")
    )


def replay_status(complaint: Complaint) -> str:
    """The status that the complaint's event log leads to (it must equal ``complaint.status``)."""
    status = ""
    for from_status, to_status in (
        # insertion order is the order the actions were taken; clocks may disagree
        ComplaintEvent.objects.filter(complaint=complaint).order_by("id").values_list("from_status", "to_status")
    ):
        if from_status != status:
            raise ValueError(f"event from {from_status!r} does not follow {status!r}")
        status = to_status
    return status
