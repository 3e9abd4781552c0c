"""The auditor's view of the audit trail: search it, read it, download it. Nothing here changes it."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from parley.accounts.kept import login_required
from parley.accounts.permissions import require
from parley.accounts.roles import Role
from parley.audit.forms import AuditFilterForm
from parley.audit.labels import describe
from parley.audit.models import AuditEntry
from parley.redirects import back_to_the_list

PAGE_SIZE = 100


def _filtered(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.order_by("-id")
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    if data["who"]:
        qs = qs.filter(actor_username=data["who"].strip())
    if data["action"]:
        qs = qs.filter(action__icontains=data["action"].strip())
    if data["object_id"]:
        qs = qs.filter(object_id=data["object_id"].strip())
    tz = timezone.get_current_timezone()
    if data["since"]:
        qs = qs.filter(created_at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=tz))
    if data["until"]:
        qs = qs.filter(created_at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "view_audit")
    form = AuditFilterForm(request.GET)  # every field is optional: no filters shows the newest entries
    entries: list[AuditEntry] = []
    if form.is_valid():
        qs = _filtered(form)
        before = request.GET.get("before", "")
        if before.isascii() and before.isdigit():
            qs = qs.filter(id__lt=int(before))
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
            "rows": [
                {
                    "entry": e,
                    "what": describe(e.action),
                    "role": Role(e.actor_role).label if e.actor_role in Role.values else e.actor_role,
                }
                for e in entries
            ],
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
