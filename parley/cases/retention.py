"""Retention: closed complaints lose their personal data after the policy's number of years.

What stays is the shape a program needs for its yearly figures: the complaint's dates, channel,
statuses, outcome, officers (public employees acting in an official capacity) and allegation
categories, its event log (actions, statuses, times, roles) and the audit trail's entries (who looked,
when). What goes: the civilians' names and contact details, demographics, the narrative, the incident
place, free-text reasons and notes, and the search words and form details in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from parley.audit.models import AuditEntry
from parley.audit.services import audit_record, audit_redact
from parley.cases.models import Complaint, ComplaintEvent, Note, Party
from parley.cases.names import refresh_people_copies
from parley.cases.workflow import TERMINAL
from parley.mediation.models import Agreement, MediationSession, SurveyResponse

REMOVED = "[removed under the retention policy]"
# What a form sent to an anonymised complaint is told: retention does not come back for what is added later.
NOTHING_ADDED = "This complaint's personal data was removed under the retention policy: nothing can be added."
# Event data keys that may hold free text written about people; the rest are codes and ids.
FREE_TEXT_KEYS = {"note", "explained_by", "how"}


@dataclass
class RetentionReport:
    complaints: list[str]
    parties: int
    notes: int
    events: int
    audit_entries: int
    mediation_records: int = 0  # sessions with scheduling notes, agreements, surveys with comments


def due_for_retention(*, now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """Closed, not yet anonymised complaints whose policy's retention period has passed."""
    now = now or timezone.now()
    candidates = Complaint.objects.filter(
        status__in=TERMINAL, anonymised_at__isnull=True, closed_at__isnull=False, policy__retention_years__isnull=False
    ).select_related("policy")
    due = [
        c.pk
        for c in candidates.only("pk", "closed_at", "policy__retention_years")
        if c.closed_at <= _years_before(now, c.policy.retention_years)
    ]
    return Complaint.objects.filter(pk__in=due).order_by("closed_at", "id")


def _years_before(now: dt.datetime, years: int) -> dt.datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _audit_entries_for(references: list[str]) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type="complaint", object_id__in=references, redacted_at__isnull=True)


def retention_report(*, now: dt.datetime | None = None) -> RetentionReport:
    """What a real run would change, changing nothing."""
    complaints = list(due_for_retention(now=now))
    refs = [c.reference for c in complaints]
    return RetentionReport(
        complaints=refs,
        parties=Party.objects.filter(complaint__in=complaints).count(),
        notes=Note.objects.filter(complaint__in=complaints).count(),
        events=ComplaintEvent.objects.filter(complaint__in=complaints).count(),
        audit_entries=_audit_entries_for(refs).count(),
        mediation_records=(
            MediationSession.objects.filter(complaint__in=complaints).exclude(scheduling_notes="").count()
            + Agreement.objects.filter(session__complaint__in=complaints).count()
            + SurveyResponse.objects.filter(session__complaint__in=complaints).exclude(comment="").count()
        ),
    )


def apply_retention(*, actor=None, now: dt.datetime | None = None) -> RetentionReport:
    """Anonymise every complaint that is due, in one transaction each; returns what was done."""
    report = retention_report(now=now)
    stamp = timezone.now()
    for complaint in due_for_retention(now=now):
        with transaction.atomic():
            # the complaint's row locked first: a note being written to it (note_add takes the same lock)
            # is either in before this reads the notes, and removed with them, or refused after
            still_due = Complaint.objects.select_for_update().filter(pk=complaint.pk, anonymised_at__isnull=True)
            if still_due.first() is None:
                continue  # another run took it meanwhile
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # the append-only trigger lets redaction through
                    cursor.execute("SET LOCAL parley.redaction = 'on'")
            Party.objects.filter(complaint=complaint).update(
                first_name="",
                last_name="",
                email="",
                phone="",
                address="",
                date_of_birth=None,
                email_index="",  # update() does not recompute blind indexes
                phone_index="",
                accessibility_needs="",
                gender=[],
                race=[],
                disability=[],
            )
            Note.objects.filter(complaint=complaint).update(body=REMOVED)
            # the mediation center's free text: logistics, the agreement's terms, survey comments
            MediationSession.objects.filter(complaint=complaint).exclude(scheduling_notes="").update(
                scheduling_notes=REMOVED
            )
            Agreement.objects.filter(session__complaint=complaint).update(terms=REMOVED)
            SurveyResponse.objects.filter(session__complaint=complaint).exclude(comment="").update(comment=REMOVED)
            for event in ComplaintEvent.objects.filter(complaint=complaint):
                data = {k: v for k, v in event.data.items() if k not in FREE_TEXT_KEYS}
                if event.reason or data != event.data:
                    ComplaintEvent.objects.filter(pk=event.pk).update(reason=REMOVED if event.reason else "", data=data)
            Complaint.objects.filter(pk=complaint.pk).update(
                narrative=REMOVED, incident_location="", police_report_number="", anonymised_at=stamp
            )
            refresh_people_copies([complaint.pk])  # the names just removed go from the copies too (search, lists)
            entries = list(_audit_entries_for([complaint.reference]).values_list("pk", flat=True))
            audit_redact(entry_ids=entries, reason="retention")
    audit_record(
        action="retention.apply",
        actor=actor,
        detail={"complaints": len(report.complaints), "parties": report.parties, "events": report.events},
    )
    return report
