"""Program policies: the rules in which mediation programs differ, kept as data (DOMAIN.md section 4).

Code reads a policy's fields; it never asks which city it is serving.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from parley.accounts.roles import Role


class ConsentOrder(models.TextChoices):
    COMPLAINANT_FIRST = "complainant_first", "Complainant first, then the officer is asked"
    PARALLEL = "parallel", "Complainant and officer asked at the same time"


class MultiOfficerRule(models.TextChoices):
    ALL_MUST_AGREE = "all_must_agree", "Every officer named must agree"
    PROCEED_WITH_CONSENTING = "proceed_with_consenting", "Go on with the officers who agree"


class WrittenAgreement(models.TextChoices):
    NONE = "none", "No written agreement"
    OPTIONAL = "optional", "Written agreement optional"
    REQUIRED = "required", "Written agreement required"


class DeadlineCalendar(models.TextChoices):
    CALENDAR = "calendar", "Calendar days"
    BUSINESS = "business", "Business days (Monday to Friday)"


class NoShowClosure(models.TextChoices):
    MEDIATION_ATTEMPTED = "mediation_attempted", "Closed as mediation attempted"
    NOT_RESOLVED = "not_resolved", "Back to investigation (not resolved)"


class ProgramPolicy(models.Model):
    """One program's rules. Exactly one policy is active; each complaint keeps the policy it was
    received under, so switching policy changes new complaints and never rewrites old ones."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)

    # Who may file (checked at intake: cases.services.complaint_receive, and the intake form's people)
    anonymous_complaints_accepted = models.BooleanField(
        default=False, help_text="A complainant may stay anonymous (and then cannot take part in mediation)."
    )
    third_party_complaints_accepted = models.BooleanField(
        default=False,
        help_text="Someone other than the person it happened to (or their parent or guardian) may file for them; "
        "they are listed on the complaint as the third party who filed.",
    )
    guardian_required_for_minors = models.BooleanField(
        default=True,
        help_text="A complainant under 18 files through a parent or guardian, who is listed on the complaint "
        "(St. Louis).",
    )

    # Suitability: every role listed must approve; any of them may find the complaint not appropriate.
    suitability_deciders = models.JSONField(default=list, help_text='Roles whose approval is required, e.g. ["iad"].')
    excluded_categories = models.ManyToManyField(
        "cases.AllegationCategory",
        blank=True,
        related_name="excluding_policies",
        help_text="Allegation categories that make a complaint unsuitable for mediation.",
    )
    officer_repeat_window_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        # Ten years: far beyond any program's rule (Dallas: 180 days), and a date that far back can
        # always be computed, where a million days before now is before the year 1 (a server error).
        validators=[MaxValueValidator(3650)],
        help_text="An officer who took part in a mediation this many days before is not offered another (Dallas: 180).",
    )

    # Consent
    consent_order = models.CharField(
        max_length=30, choices=ConsentOrder.choices, default=ConsentOrder.COMPLAINANT_FIRST
    )
    officer_participation_mandatory = models.BooleanField(
        default=False, help_text="Once the complainant chooses mediation the officer must take part (DC)."
    )
    multi_officer_rule = models.CharField(
        max_length=30, choices=MultiOfficerRule.choices, default=MultiOfficerRule.ALL_MUST_AGREE
    )
    officer_refusal_discipline_referral = models.BooleanField(
        default=False, help_text="An officer's refusal or bad faith is also referred for discipline (DC)."
    )

    # The session
    mediators_per_session = models.PositiveSmallIntegerField(default=2)
    session_minutes = models.PositiveSmallIntegerField(default=60)
    written_agreement = models.CharField(max_length=20, choices=WrittenAgreement.choices, default=WrittenAgreement.NONE)
    partial_agreement_counts_as_mediated = models.BooleanField(default=True)
    no_show_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Complainant no-shows that end the mediation; blank: the coordinator reschedules.",
    )
    no_show_closure = models.CharField(
        max_length=30, choices=NoShowClosure.choices, default=NoShowClosure.MEDIATION_ATTEMPTED
    )

    # Deadlines, in days (blank: no deadline)
    deadline_calendar = models.CharField(
        max_length=20, choices=DeadlineCalendar.choices, default=DeadlineCalendar.CALENDAR
    )
    acknowledge_days = models.PositiveSmallIntegerField(null=True, blank=True)
    suitability_review_days = models.PositiveSmallIntegerField(null=True, blank=True)
    complainant_choice_days = models.PositiveSmallIntegerField(null=True, blank=True)
    officer_answer_days = models.PositiveSmallIntegerField(null=True, blank=True)
    schedule_session_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="From referral to the first session (Minneapolis: 14)."
    )
    mediator_notice_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Notice mediators and parties get before a session (New Orleans: 4)."
    )
    finish_after_first_session_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The mediation must end this many days after the first session (DC: 30)."
    )

    # Retention
    retention_years = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        # At least a year: 0 would anonymise every closed complaint at the next run, at once and for
        # good. At most a century: longer is "kept" (blank), and 3,000 years before now is before
        # the year 1, which the retention run cannot compute.
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Closed complaints are anonymised this many years after closing (blank: kept).",
    )

    class Meta:
        verbose_name_plural = "program policies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_policy"),
            models.CheckConstraint(
                condition=models.Q(mediators_per_session__gte=1) & models.Q(mediators_per_session__lte=3),
                name="policy_mediators_between_1_and_3",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        valid_roles = {Role.INTAKE, Role.IAD, Role.ADMIN}
        if not self.suitability_deciders or not isinstance(self.suitability_deciders, list):
            raise ValidationError({"suitability_deciders": "Name at least one role that decides suitability."})
        # a nested list or an object is not a role (and, unhashable, cannot even be looked up as one)
        unknown = [r for r in self.suitability_deciders if not isinstance(r, str) or r not in valid_roles]
        if unknown:
            raise ValidationError(
                {"suitability_deciders": f"Unknown or unsuitable roles {unknown}; use intake, iad or admin."}
            )

    @classmethod
    def active(cls) -> ProgramPolicy:
        return cls.objects.get(is_active=True)


class ExclusionFactor(models.Model):
    """One screening question. Answering yes makes the complaint unsuitable for mediation."""

    policy = models.ForeignKey(ProgramPolicy, on_delete=models.CASCADE, related_name="exclusion_factors")
    code = models.SlugField(max_length=60)
    question = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["policy", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="unique_factor_per_policy")]

    def __str__(self) -> str:
        return self.question
