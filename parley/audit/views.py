"""The auditor's view of the audit trail: search it, read it, download it. Nothing here changes it."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from parley import jinja
from parley.accounts.kept import login_required
from parley.accounts.permissions import require
from parley.accounts.roles import Role
from parley.audit.forms import AuditFilterForm
from parley.audit.labels import describe
from parley.audit.models import AuditEntry
from parley.redirects import back_to_the_list

PAGE_SIZE = 100


# Every action code in the trail, once each, by walking the action's index from one code to the next:
# a read per code (some tens of them), however long the trail.
_ACTION_CODES_SQL = f"""
WITH RECURSIVE codes (action) AS (
    SELECT MIN(action) FROM {AuditEntry._meta.db_table}
    UNION ALL
    SELECT (SELECT MIN(e.action) FROM {AuditEntry._meta.db_table} e WHERE e.action > codes.action)
    FROM codes WHERE codes.action IS NOT NULL
)
SELECT action FROM codes WHERE action IS NOT NULL
"""  # noqa: S608  # nosec B608 (the table's name, from the model)


def action_codes_containing(text: str) -> list[str]:
    """The action codes in the trail that contain ``text``, or whose words on the page do ("Opened a
    complaint page" for view:cases:detail), whatever its case. The trail is searched by those codes,
    each found through its index, where a search for the text inside every entry's code read the whole
    trail when few or none matched (1.1 s at 3 million entries)."""
    wanted = text.upper()
    with connection.cursor() as cursor:
        cursor.execute(_ACTION_CODES_SQL)
        return [code for (code,) in cursor.fetchall() if wanted in code.upper() or wanted in describe(code).upper()]


# Newest first, by the time each entry was made (the id breaks ties): the order of the indexes of every
# lookup (models.AuditEntry), so that a page reads its hundred entries and no more.
NEWEST_FIRST = ("-created_at", "-id")


def _filtered(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.order_by(*NEWEST_FIRST)
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    if data["who"]:
        qs = qs.filter(actor_username__iexact=data["who"].strip())
    if data["action"]:
        qs = qs.filter(action__in=action_codes_containing(data["action"].strip()))
    if data["object_id"]:
        qs = qs.filter(object_id=data["object_id"].strip())
    tz = timezone.get_current_timezone()
    if data["since"]:
        qs = qs.filter(created_at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=tz))
    if data["until"]:
        qs = qs.filter(created_at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def _entry_of(before: str) -> AuditEntry | None:
    """The entry a page link ends at (``?before=<its id>``); ``None`` for any other text (the first page
    is shown)."""
    if not (before.isascii() and before.isdigit()) or int(before) > _LARGEST_ID:
        return None
    return AuditEntry.objects.filter(id=int(before)).only("id", "created_at").first()


_LARGEST_ID = 2**63 - 1


def _rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """What the table shows of each entry, its time written as the page writes times (a hundred rows)."""
    roles, day, clock = dict(Role.choices), jinja.day_writer(), jinja.clock_writer()
    return [
        {
            "entry": e,
            "iso": jinja.iso_moment(e.created_at),
            "day": day(e.created_at),
            "clock": clock(e.created_at),
            "what": describe(e.action),
            "role": roles.get(e.actor_role, e.actor_role),
        }
        for e in entries
    ]


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "view_audit")
    form = AuditFilterForm(request.GET)  # every field is optional: no filters shows the newest entries
    entries: list[AuditEntry] = []
    if form.is_valid():
        qs = _filtered(form)
        if (last := _entry_of(request.GET.get("before", ""))) is not None:  # the entries older than it
            qs = qs.filter(created_at__lte=last.created_at).filter(
                Q(created_at__lt=last.created_at) | Q(id__lt=last.id)
            )
        entries = list(qs[: PAGE_SIZE + 1])
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form,
            "entries": entries,
            "rows": _rows(entries),
            "next_before": entries[-1].id if more and entries else None,
            "query": query.urlencode(),
        },
    )


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    require(request.user, "export_audit")
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return back_to_the_list(request, form, reverse("audit:list"))

    def rows() -> Iterator[str]:
        class Echo:
            def write(self, value: str) -> str:
                return value

        writer = csv.writer(Echo())
        yield writer.writerow(
            [
                "id",
                "time",
                "username",
                "role",
                "ip",
                "action",
                "object_type",
                "object_id",
                "detail",
                "prev_hash",
                "hash",
            ]
        )
        for e in _filtered(form).order_by("id").iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.id,
                    e.created_at.isoformat(),
                    e.actor_username,
                    e.actor_role,
                    e.ip_address or "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.detail,
                    e.prev_hash,
                    e.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="parley-audit-{timezone.localdate():%Y%m%d}.csv"'
    return response
