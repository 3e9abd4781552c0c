"""The mediation center: mediators, venues and sessions.

Nothing said in a session is recorded here, by design: a session holds when and where it was, who
was there, and the outcome code. No notes field exists for its content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Mediator(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="mediator_profile"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    languages = models.JSONField(default=list, help_text='Language codes, e.g. ["en", "es"].')
    former_law_enforcement = models.BooleanField(
        default=False, help_text="Current or former police employment: never eligible for police cases."
    )
    certified_until = models.DateField(null=True, blank=True)
    monthly_case_limit = models.PositiveSmallIntegerField(default=4)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Venue(models.Model):
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    is_video = models.BooleanField(default=False)
    accessible = models.BooleanField(default=True)
    capacity = models.PositiveSmallIntegerField(default=8)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    COMPLAINANT_NO_SHOW = "complainant_no_show", "Complainant did not attend"
    OFFICER_NO_SHOW = "officer_no_show", "Officer did not attend"
    CANCELLED = "cancelled", "Cancelled"


class SessionOutcome(models.TextChoices):
    FULL_AGREEMENT = "full_agreement", "Resolved: full agreement"
    PARTIAL_AGREEMENT = "partial_agreement", "Resolved: partial agreement"
    NOT_RESOLVED = "not_resolved", "Not resolved"
    COMPLAINANT_NO_SHOW = "complainant_no_show", "Complainant did not attend"
    OFFICER_NO_SHOW = "officer_no_show", "Officer did not attend"


class MediationSession(models.Model):
    complaint = models.ForeignKey("cases.Complaint", on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    mediators = models.ManyToManyField(Mediator, related_name="sessions")
    status = models.CharField(max_length=30, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    outcome = models.CharField(max_length=30, choices=SessionOutcome.choices, blank=True)
    agreement_signed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"Session for {self.complaint} at {self.starts_at:%Y-%m-%d %H:%M}"


class SessionAttendance(models.Model):
    """Who was in the room. Exactly one of party, officer, mediator is set."""

    session = models.ForeignKey(MediationSession, on_delete=models.CASCADE, related_name="attendance")
    party = models.ForeignKey("cases.Party", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey(
        "cases.ComplaintOfficer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(party__isnull=False, officer__isnull=True, mediator__isnull=True)
                    | models.Q(party__isnull=True, officer__isnull=False, mediator__isnull=True)
                    | models.Q(party__isnull=True, officer__isnull=True, mediator__isnull=False)
                ),
                name="attendance_names_one_person",
            )
        ]

    def __str__(self) -> str:
        who = self.party or self.officer or self.mediator
        return f"{who}: {'present' if self.present else 'absent'}"
