"""Complaints and everything recorded about them.

A complaint's ``status`` is changed only by the service functions in ``parley.cases.services``,
following the transition table in ``parley.cases.workflow``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.utils import timezone

from parley.accounts.roles import Organisation
from parley.cases.workflow import OPEN, Disposition, Status
from parley.crypto import BlindIndexField, EncryptedDateField, EncryptedTextField


def new_public_id() -> str:
    """The identifier a complainant uses to follow their case: unguessable, never the primary key."""
    return secrets.token_urlsafe(12)


class Channel(models.TextChoices):
    ONLINE = "online", "Online form"
    PHONE = "phone", "Phone"
    WALK_IN = "walk_in", "Walk-in"
    MAIL = "mail", "Mail"
    EMAIL = "email", "Email"


class MediationInterest(models.TextChoices):
    YES = "yes", "Interested in mediation"
    NO = "no", "Not interested"
    UNSURE = "unsure", "Not sure"


class AllegationCategory(models.Model):
    """An editable list of the kinds of misconduct (the program administrator keeps it)."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "allegation categories"

    def __str__(self) -> str:
        return self.name


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year; read and incremented under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# The roles whose queue is kept on the complaint, a flag each (``Complaint.waits_for_<role>``).
KEPT_QUEUES = ("intake", "iad", "coordinator", "admin")


def waits_for(role: str) -> str:
    """The name of the complaint's flag that says whether a step of ``role`` waits on it."""
    return f"waits_for_{role}"


# The statuses of an open complaint, as the list's "open" filter asks for them (partial indexes below).
_OPEN = models.Q(status__in=sorted(OPEN))


class Complaint(models.Model):
    reference = models.CharField(max_length=20, unique=True, help_text="Public reference such as 2026-0042.")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    policy = models.ForeignKey("policies.ProgramPolicy", on_delete=models.PROTECT, related_name="complaints")

    status = models.CharField(max_length=30, choices=Status.choices, default=Status.RECEIVED, editable=False)
    disposition = models.CharField(max_length=30, choices=Disposition.choices, blank=True, editable=False)
    discipline_referral = models.BooleanField(default=False, editable=False)
    status_changed_at = models.DateTimeField(editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    received_on = models.DateField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    incident_date = models.DateField(null=True, blank=True)
    incident_time = models.TimeField(null=True, blank=True)
    incident_location = models.CharField(max_length=300, blank=True)
    police_report_number = models.CharField(max_length=60, blank=True)
    narrative = models.TextField()
    mediation_interest = models.CharField(max_length=10, choices=MediationInterest.choices, blank=True)

    # Dates the workflow itself captures (never typed afterwards).
    acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    screened_at = models.DateTimeField(null=True, blank=True, editable=False)
    suitability_decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    choice_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    referred_at = models.DateTimeField(null=True, blank=True, editable=False)
    complainant_no_shows = models.PositiveSmallIntegerField(default=0, editable=False)
    # The earliest open deadline, kept with the deadlines themselves (``deadlines.refresh_next_due``,
    # in the same transaction): the queue, "only overdue" and "next due date" read it from an index
    # instead of looking for each complaint's earliest deadline.
    next_due = models.DateField(null=True, blank=True, editable=False)
    # What that deadline is for (its kind; empty with no open deadline), kept with it: the queue shows it.
    next_due_kind = models.CharField(max_length=30, blank=True, default="", db_default="", editable=False)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When retention removed the personal data."
    )
    # The names a one-word search reads, copied from the complaint's people: "first last" of each named
    # party and each officer, a line each. Write it wherever names change (parley/cases/names.py).
    # (db_default: code older than the column leaves it out of its INSERTs, and takes in complaints still)
    search_names = models.TextField(blank=True, default="", db_default="", editable=False)
    # Who the complaint is about, as the list and the queue print it, copied from its people with the
    # search's copy (parley/cases/names.py, ``people_copy``): {"c": complainants, "o": officers}. Empty
    # until written (a complaint taken in by code older than the column): those pages then read the
    # people themselves.
    people = models.JSONField(
        blank=True, default=dict, db_default=Value({}, output_field=models.JSONField()), editable=False
    )

    # Whether a step of the role waits on the complaint, for "my queue": kept by the workflow after each
    # step (``selectors.refresh_waiting``, from the conditions under which each step is due), so that a
    # queue is one ordered walk of its role's index below instead of a union of those conditions. A
    # mediator's one step, the outcome, waits on the clock (its session starting) and is read, not kept.
    waits_for_intake = models.BooleanField(default=False, db_default=False, editable=False)
    waits_for_iad = models.BooleanField(default=False, db_default=False, editable=False)
    waits_for_coordinator = models.BooleanField(default=False, db_default=False, editable=False)
    waits_for_admin = models.BooleanField(default=False, db_default=False, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            # the list filtered by one status, newest first, a page at a time (no sort step)
            models.Index(fields=["status", "received_on", "id"]),
            models.Index(fields=["received_on", "id"]),
            models.Index(fields=["status_changed_at", "id"]),  # longest waiting first (the list, the queue)
            # the queue: in each step, by due date and then the longest waiting (a page per step, merged)
            models.Index(fields=["status", "next_due", "status_changed_at", "id"], name="complaint_queue"),
            # the queue's "acknowledge the complaint", due in any status until it is done
            models.Index(
                fields=["status", "next_due", "status_changed_at", "id"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="complaint_unacknowledged",
            ),
            # the list by next due date, and "only overdue"
            models.Index(fields=["next_due", "id"], condition=models.Q(next_due__isnull=False), name="complaint_due"),
            # the list of open complaints in the orders the newest do not answer: oldest first, longest
            # in its step, by reference. Open complaints are a minority once a program has run a few
            # years, and the oldest are closed: walking every complaint in these orders for the open
            # ones read most of them (0.75 s at a million, "longest in its step").
            models.Index(fields=["received_on", "id"], condition=_OPEN, name="complaint_open_received"),
            models.Index(fields=["status_changed_at", "id"], condition=_OPEN, name="complaint_open_waiting"),
            models.Index(fields=["reference", "id"], condition=_OPEN, name="complaint_open_reference"),
            # what one person recorded lately (intake's check of the same complaint saved twice)
            models.Index(fields=["created_by", "created_at"], name="complaint_created_by_at"),
            # "my queue" of each role that keeps one: by due date, then the longest waiting
            *(
                models.Index(
                    fields=["next_due", "status_changed_at", "id"],
                    condition=models.Q(**{waits_for(role): True}),
                    name=f"complaint_queue_{role}",
                )
                for role in KEPT_QUEUES
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_terminal(self) -> bool:
        from parley.cases.workflow import TERMINAL

        return self.status in TERMINAL


def party_name(anonymous: bool, first_name: str, last_name: str) -> str:
    """How a party is named on every page (``Party.display_name``; the list's rows call it directly)."""
    if anonymous:
        return "Anonymous"
    return f"{first_name} {last_name}".strip() or "(name not given)"


def officer_name(first_name: str, last_name: str, dsn: str, description: str) -> str:
    """How an officer named in a complaint is shown (``ComplaintOfficer.display_name``)."""
    if not dsn:
        return f"Unidentified officer{': ' + description if description else ''}"
    return f"{f'{first_name} {last_name}'.strip() or 'Officer'} (DSN {dsn})"


class IntakeSubmission(models.Model):
    """The intake form a complaint came from, by the token the form carried (one per form shown): the
    same form sent twice (a double click, a page sent again after a slow answer) finds the complaint it
    made instead of making a second one."""

    token = models.UUIDField(unique=True)
    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="intake_submission")

    def __str__(self) -> str:
        return f"{self.token} -> {self.complaint_id}"


class PartyKind(models.TextChoices):
    COMPLAINANT = "complainant", "Complainant"
    WITNESS = "witness", "Witness"
    GUARDIAN = "guardian", "Parent or guardian"
    SUPPORT_PERSON = "support_person", "Support person"
    ALTERNATE_CONTACT = "alternate_contact", "Alternate contact"
    # someone who files for the person it happened to without being their parent or guardian: only where
    # the program's policy accepts third-party complaints; never in the session's room
    THIRD_PARTY = "third_party", "Third party who filed for the complainant"


# The languages a person may prefer (intake asks; the mediators' languages are of the same codes).
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("bs", "Bosnian"),
    ("vi", "Vietnamese"),
    ("ar", "Arabic"),
    ("zh", "Chinese"),
    ("so", "Somali"),
    ("fr", "French"),
    ("other", "Another language"),
]
LANGUAGE_NAMES = dict(LANGUAGES)
# A person's preferred language before anyone asked (intake's default: never a made-up "English").
NOT_ASKED = ""


def language_name(code: str) -> str:
    """A person's preferred language in words ("Spanish"; "Not asked")."""
    return "Not asked" if code == NOT_ASKED else LANGUAGE_NAMES.get(code, code)


# Who of a complaint's people comes into the session's room (with the officers who take part).
IN_THE_ROOM = frozenset({PartyKind.COMPLAINANT, PartyKind.GUARDIAN, PartyKind.SUPPORT_PERSON})


class Party(models.Model):
    """A person on the civilian side of a complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(max_length=30, choices=PartyKind.choices, default=PartyKind.COMPLAINANT)
    represents = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="representatives",
        help_text="For a guardian or support person: the complainant they are with.",
    )
    anonymous = models.BooleanField(default=False, help_text="An anonymous complainant cannot take part in mediation.")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    # Contact data is encrypted at rest (parley/crypto.py); email and phone have blind indexes so that
    # staff can find a person by an exact address or number.
    email = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    address = EncryptedTextField(blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    email_index = BlindIndexField(source="email", kind="email")
    phone_index = BlindIndexField(source="phone", kind="phone")
    is_minor = models.BooleanField(default=False)
    # blank: not asked (the session's team cannot be matched to it until it is)
    preferred_language = models.CharField(max_length=10, default=NOT_ASKED, blank=True)
    needs_interpreter = models.BooleanField(default=False)
    needs_asl = models.BooleanField(default=False)
    # a need the session's venue must meet (a wheelchair, a walker, no stairs): the venue rule reads this,
    # not the free text, which also holds needs no venue decides ("large print")
    needs_step_free = models.BooleanField(default=False, db_default=False)
    accessibility_needs = models.CharField(max_length=300, blank=True)
    gender = models.JSONField(default=list, blank=True)
    race = models.JSONField(default=list, blank=True)
    disability = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["complaint", "id"]
        verbose_name_plural = "parties"
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:  # a saved email or phone takes its lookup index along
            indexes = {
                f.name for f in self._meta.fields if isinstance(f, BlindIndexField) and f.source in update_fields
            }
            kwargs["update_fields"] = {*update_fields, *indexes}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return party_name(self.anonymous, self.first_name, self.last_name)

    def clean(self) -> None:
        if self.anonymous and self.kind != PartyKind.COMPLAINANT:
            raise ValidationError("Only a complainant may be anonymous.")
        if not self.anonymous and not (self.first_name or self.last_name):
            raise ValidationError("Give a name, or mark the complainant anonymous.")


class Officer(models.Model):
    """The department's roster. Complaints copy what they need when an officer is added."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    dsn = models.CharField("DSN", max_length=20, unique=True, help_text="Department serial number.")
    badge = models.CharField(max_length=20, blank=True)
    unit = models.CharField(max_length=120, blank=True)
    rank = models.CharField(max_length=60, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} (DSN {self.dsn})"


class ConsentAnswer(models.TextChoices):
    ACCEPTED = "accepted", "Accepted mediation"
    DECLINED = "declined", "Declined mediation"
    REQUIRED = "required", "Required to take part (policy)"


class ComplaintOfficer(models.Model):
    """An officer named in a complaint, with the roster details as they were when added.

    An officer not yet identified has no roster link and no DSN; such an officer cannot be asked to
    mediate, and their allegations stay with the investigation.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="officers")
    roster_officer = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    dsn = models.CharField("DSN", max_length=20, blank=True)
    badge = models.CharField(max_length=20, blank=True)
    unit = models.CharField(max_length=120, blank=True)
    rank = models.CharField(max_length=60, blank=True)
    description = models.CharField(
        max_length=300, blank=True, help_text="For an unidentified officer: what the complainant saw."
    )
    consent = models.CharField(max_length=20, choices=ConsentAnswer.choices, blank=True, editable=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["complaint", "id"]
        indexes = [models.Index(fields=["dsn"]), models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def identified(self) -> bool:
        return bool(self.dsn)

    @property
    def display_name(self) -> str:
        return officer_name(self.first_name, self.last_name, self.dsn, self.description)

    @property
    def takes_part(self) -> bool:
        return self.consent in {ConsentAnswer.ACCEPTED, ConsentAnswer.REQUIRED}


class Allegation(models.Model):
    complaint_officer = models.ForeignKey(ComplaintOfficer, on_delete=models.CASCADE, related_name="allegations")
    category = models.ForeignKey(AllegationCategory, on_delete=models.PROTECT, related_name="allegations")
    details = models.TextField(blank=True)

    class Meta:
        ordering = ["complaint_officer", "id"]

    def __str__(self) -> str:
        return str(self.category)


class ScreeningAnswer(models.Model):
    """One exclusion factor as it was asked and answered at screening (the question is copied so
    that later policy edits do not rewrite what was asked)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="screening_answers")
    factor_code = models.SlugField(max_length=60)
    question = models.CharField(max_length=300)
    answer = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["complaint", "id"]
        constraints = [models.UniqueConstraint(fields=["complaint", "factor_code"], name="one_answer_per_factor")]

    def __str__(self) -> str:
        return f"{self.question} {'Yes' if self.answer else 'No'}"


class DeadlineKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Acknowledge the complaint"
    SUITABILITY = "suitability", "Decide suitability"
    COMPLAINANT_CHOICE = "complainant_choice", "Explain both processes and record the choice"
    OFFICER_ANSWER = "officer_answer", "Officer's answer"
    SCHEDULE_SESSION = "schedule_session", "Hold the first session"
    FINISH_MEDIATION = "finish_mediation", "Finish the mediation"


class DeadlineQuerySet(models.QuerySet):
    def open(self) -> DeadlineQuerySet:
        """The deadlines still running: neither met nor cancelled."""
        return self.filter(met_at__isnull=True, cancelled=False)


class Deadline(models.Model):
    """A due date the policy sets on a complaint. Met when the workflow takes the step."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=30, choices=DeadlineKind.choices)
    due_on = models.DateField()
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled = models.BooleanField(
        default=False, help_text="The step no longer applies (the complaint left the path)."
    )

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["complaint", "kind"], name="one_deadline_per_kind")]
        indexes = [
            models.Index(
                fields=["due_on"], condition=models.Q(met_at__isnull=True, cancelled=False), name="open_deadline_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due_on}"


class ComplaintEvent(models.Model):
    """One step of a complaint's history. Append-only: written once by the workflow, never changed."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at", "id"])]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.action} {self.from_status} -> {self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Complaint events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Complaint events are append-only.")


class Note(models.Model):
    """An internal note on a complaint. Readable only inside the author's organisation (the
    confidentiality wall): the organisation is copied from the author's role when the note is written,
    so a later change of role does not move old notes across the wall."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(max_length=30, choices=Organisation.choices)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "organisation", "created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.complaint_id} by {self.author_id}"
