"""The mediation center: mediators, venues, sessions, written agreements and exit surveys.

Nothing said in a session is recorded here, by design: a session holds when and where it was, who
was there, and the outcome code. No notes field exists for its content. What the mediation center
keeps beyond that stays behind the confidentiality wall (``parley/accounts/permissions.py``):
the scheduling notes (logistics only), the written agreement the parties signed (shown outside the
center only when they agreed it may be public), and the exit survey answers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from parley.crypto import EncryptedTextField


def validate_language_codes(value: Any) -> None:
    """A list of the language codes intake asks about: matching a team to the people in the room, and
    the schedule form that names each mediator's languages, read them as such."""
    from parley.cases.models import LANGUAGE_NAMES  # the cases app's models import this module's app

    if not isinstance(value, list) or not all(isinstance(code, str) and code in LANGUAGE_NAMES for code in value):
        raise ValidationError(
            'Enter a list of language codes, e.g. ["en", "es"]. The codes are: %(codes)s.',
            code="language_codes",  # not "invalid": the admin's JSON field would show its own message instead
            params={"codes": ", ".join(LANGUAGE_NAMES)},
        )


class Mediator(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="mediator_profile"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    languages = models.JSONField(
        default=list, validators=[validate_language_codes], help_text='Language codes, e.g. ["en", "es"].'
    )
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
    # the coordinator booked an interpreter for the session (SCHEDULING.md: a mediator speaks each
    # person's language, or an interpreter is booked)
    interpreter_booked = models.BooleanField(default=False, db_default=False)
    scheduling_notes = models.TextField(
        blank=True,
        help_text="Logistics for the mediation center only (availability, travel, who to call). "
        "Never what anyone said about the complaint.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A scheduled session that no longer suits since it was booked (a person's need or language corrected,
    # its venue or a mediator changed in the admin): kept by ``eligibility.recheck_bookings``, read by the
    # coordinator's queue, where such a session waits to be booked again. The complaint page says why.
    no_longer_suits = models.BooleanField(default=False, db_default=False, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"]),
            # the sessions that have started and wait for their outcome (the coordinator's queue)
            models.Index(
                fields=["starts_at"], condition=models.Q(status=SessionStatus.SCHEDULED), name="session_scheduled_start"
            ),
            # the bookings to make again (the coordinator's queue)
            models.Index(
                fields=["complaint"],
                condition=models.Q(status=SessionStatus.SCHEDULED, no_longer_suits=True),
                name="session_to_book_again",
            ),
        ]

    def __str__(self) -> str:
        return f"Session for {self.complaint} at {self.starts_at:%Y-%m-%d %H:%M}"


class SessionAttendance(models.Model):
    """Who was in the room. Exactly one of party, officer, mediator is set."""

    session = models.ForeignKey(MediationSession, on_delete=models.CASCADE, related_name="attendance")
    party = models.ForeignKey("cases.Party", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey(
        "cases.ComplaintOfficer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # PROTECT: a session's record says who was in the room; removing a mediator must not rewrite it
    # (a mediator who stops is deactivated instead).
    mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
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


class Agreement(models.Model):
    """The written agreement the parties signed at a resolved session: its terms, as signed.

    Non-public unless the parties agreed otherwise: then only the mediation center reads the terms;
    oversight and Internal Affairs see that an agreement was signed, not what it says.
    """

    session = models.OneToOneField(MediationSession, on_delete=models.PROTECT, related_name="agreement")
    terms = EncryptedTextField(help_text="What the parties agreed to do, as written in the signed agreement.")
    public = models.BooleanField(default=False, help_text="The parties agreed that the terms may be made public.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Agreement of {self.session}"


class Respondent(models.TextChoices):
    COMPLAINANT = "complainant", "Complainant (community participant)"
    OFFICER = "officer", "Officer"


class SurveyAnswer(models.TextChoices):
    AGREE = "agree", "Agree"
    DISAGREE = "disagree", "Disagree"
    NO_OPINION = "no_opinion", "No opinion"


class SurveyResponse(models.Model):
    """One participant's exit survey after a held session, as they filled it in (on paper, entered by
    the mediation center). Not linked to a named person: the session and the side are enough for
    the program's figures. Read by the mediation center only."""

    session = models.ForeignKey(MediationSession, on_delete=models.PROTECT, related_name="survey_responses")
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    answers = models.JSONField(default=dict, help_text="Statement code -> agree, disagree or no_opinion.")
    comment = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    # The token of the form it was entered with (one per form shown): the same form sent twice (a double
    # click, Back and save again) is saved once, even where the session had room for another survey of
    # that side. Empty for surveys entered before forms carried one.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["session", "id"]

    def __str__(self) -> str:
        return f"{self.get_respondent_display()} survey of {self.session}"

    def tally(self) -> str:
        """The answers in one line: "Agree 10, disagree 2, no opinion 1, 3 left blank"."""
        from parley.mediation.survey import STATEMENTS

        counts = [sum(1 for v in self.answers.values() if v == answer) for answer in SurveyAnswer.values]
        blank = len(STATEMENTS.get(self.respondent, [])) - sum(counts)
        parts = [f"{label} {n}" for (_value, label), n in zip(SurveyAnswer.choices, counts, strict=True)]
        return ", ".join(parts) + (f", {blank} left blank" if blank > 0 else "")
