"""Staff forms: the complaint list's filters, staff intake, and one small form per workflow action.

Forms validate what a person typed and say what is wrong next to the field. The workflow's own
rules (status, role, the action's guard) are checked by the service the view calls; a refusal comes
back as a message, and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format

from parley import reads
from parley.accounts.models import User
from parley.accounts.permissions import can, organisation_of, reads_reasons_of, role_of
from parley.accounts.roles import Organisation
from parley.cases import demographics, filing, roster, selectors
from parley.cases.deadlines import add_days
from parley.cases.labels import action_url, identify_label
from parley.cases.models import (
    LANGUAGE_NAMES,
    LANGUAGES,
    NOT_ASKED,
    AllegationCategory,
    Channel,
    Complaint,
    ComplaintOfficer,
    Deadline,
    DeadlineKind,
    MediationInterest,
    Officer,
    Party,
    PartyKind,
    language_name,
)
from parley.cases.notes import MAX_NOTE_LENGTH
from parley.cases.services import (
    CONTACT_DETAILS,
    CORRECTABLE,
    EXPLANATION_METHODS,
    INCIDENT_DETAILS,
    INCIDENT_WRITTEN,
    REASON_WITHOUT_CONTACT,
    REASON_WITHOUT_INCIDENT,
    SESSION_NEEDS,
    NewOfficer,
    NewParty,
    alleged_codes,
    already_named,
    attendance_problem,
    companions_of,
    contact_details_in,
    corrected_value,
    field_digest,
    field_digests,
    mediation_impossible,
    required_attendees,
)
from parley.cases.workflow import OPEN, TERMINAL, Disposition, Status, actions_for
from parley.crypto import is_phone_number
from parley.mediation import eligibility
from parley.mediation.models import MediationSession, Mediator, SessionOutcome, SessionStatus, Venue
from parley.policies.models import ProgramPolicy, WrittenAgreement
from parley.uswds import DateInput, FormPart, TimeInput, USWDSForm

YES_NO = [("yes", "Yes"), ("no", "No")]
# The longest a reason or note given with a workflow step may be (some 300 words), and the longest a
# complaint's narrative (some 3,000 words, a long letter): what a person writes, not what a paste of a
# file would be. The timeline shows every reason in full.
MAX_REASON_LENGTH = 2000
MAX_NARRATIVE_LENGTH = 20000


def _yes(value: str) -> bool:
    return value == "yes"


def yes_no_field(label: str, *, help_text: str = "", required_message: str = "Answer yes or no.") -> forms.Field:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=_yes,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message},
    )


class _SaysWhatIsGone:
    """A choice among rows of a list kept in the database (active mediators, venues, allegation
    categories), which can change while the form is open: a choice no longer offered is named, with why,
    in a sentence ``gone`` makes of the value sent (or None when it has none to say). Django's own words,
    "Select a valid choice. 12 is not one of the available choices.", show a key nobody chose by."""

    gone: Callable[[str], str | None] | None = None
    UNREADABLE = "A choice sent is no longer on the list; choose again."

    def validate(self, value: Any) -> None:
        if self.gone is not None:
            sent = value if isinstance(value, list | tuple) else [value]
            missing = [str(v) for v in sent if v not in self.empty_values and not self.valid_value(v)]
            # a value with a control character (a NUL, which PostgreSQL refuses in a query) is looked up nowhere
            problems = [why for v in missing if (why := self.gone(v) if v.isprintable() else self.UNREADABLE)]
            if problems:
                raise forms.ValidationError(problems, code="gone")
        super().validate(value)


class ListChoiceField(_SaysWhatIsGone, forms.ChoiceField):
    pass


class ListMultipleChoiceField(_SaysWhatIsGone, forms.MultipleChoiceField):
    pass


def _row(model: type, key: str) -> Any:
    """The row of ``model`` whose primary key a form sent, if it is one."""
    return model.objects.filter(pk=int(key)).first() if key.isascii() and key.isdigit() else None


# ---------------------------------------------------------------------------------------------
# The complaint list

PAGE_SIZES = [10, 25, 50, 100, 200]
DEFAULT_PAGE_SIZE = 50


# The allegation categories as their model orders them (``AllegationCategory.Meta.ordering``).
_CATEGORIES_SQL = (
    f'SELECT "id", "code", "name" FROM "{AllegationCategory._meta.db_table}"'  # noqa: S608  # nosec B608 (names from the model)
    ' ORDER BY "order", "name", "id"'
)


class ComplaintFilterForm(USWDSForm, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text=(
            "Reference number, complainant's name, or officer's name, DSN or badge. "
            "A word of one or two letters finds names that start with it."
        ),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), ("open", "Open (any step)"), ("closed", "Closed (any outcome)")]
        + [(s.value, s.label) for s in Status if s in OPEN],
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "Any outcome")] + [(s.value, s.label) for s in Status if s in TERMINAL],
    )
    disposition = forms.ChoiceField(
        label="Where it went", required=False, choices=[("", "Anywhere"), *Disposition.choices]
    )
    received_from = forms.DateField(label="Received on or after", required=False, widget=DateInput)
    received_to = forms.DateField(label="Received on or before", required=False, widget=DateInput)
    officer = forms.CharField(label="Officer", required=False, max_length=100, help_text="Name, DSN or badge.")
    category = forms.ChoiceField(label="Allegation", required=False)  # choices: __init__
    overdue = forms.BooleanField(label="Only complaints with a missed due date", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (label, _, _) in selectors.SORTS.items()],
    )
    per_page = forms.TypedChoiceField(
        label="Complaints per page",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(n, str(n)) for n in PAGE_SIZES],
        initial=DEFAULT_PAGE_SIZE,  # shown as chosen, so that changing another filter keeps the page size
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The categories read once, in one query: a model choice field reads its table at every render
        # (on PostgreSQL through a server-side cursor, four round trips); its SQL written once (building
        # it through the ORM took longer than the database's answer).
        (categories,) = reads.rows_of(DEFAULT_DB_ALIAS, (_CATEGORIES_SQL, ()), prepared=True)
        self._category_keys = {code: pk for pk, code, _ in categories}
        self.category_names = {pk: name for pk, _, name in categories}  # for the list's rows
        self.fields["category"].choices = [("", "Any allegation")] + [(code, name) for _, code, name in categories]

    def clean_category(self) -> int | None:
        """The chosen category's key (the URL names it by its code)."""
        code = self.cleaned_data.get("category")
        return self._category_keys[code] if code else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "This date must be on or after the first date.")
            data.pop("received_to", None)
        if data.get("outcome") and data.get("status") not in ("", None, "closed"):
            self.add_error(
                "outcome",
                "An open complaint has no outcome yet. To find complaints by outcome, set the status to "
                "“Any status” or “Closed (any outcome)”.",
            )
            data.pop("outcome", None)
        return data


# ---------------------------------------------------------------------------------------------
# Staff intake

STAFF_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.ONLINE]


class IntakeForm(USWDSForm, forms.Form):
    # One per form shown (a new one each time the page is opened): the complaint it makes is found
    # again by it when the same form is sent twice (services.complaint_receive).
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Shown only when the same person recorded a complaint with the same account a moment ago
    # (views.complaint_intake): the browser's Back after a save brings the form back with a new token.
    separate = forms.BooleanField(label="Record it as a separate complaint", required=False)
    # Blank until it is given (UX.md: never a made-up default date): a letter or an email may have come
    # in days before it is recorded, and a date filled in for the clerk would be saved unread.
    received_on = forms.DateField(
        label="Date received",
        widget=DateInput,
        help_text="The day it reached the office; for a letter, its date stamp.",
        error_messages={"required": "Give the date the complaint was received."},
    )
    channel = forms.ChoiceField(
        label="How the complaint came in",
        choices=STAFF_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the complaint came in."},
    )
    incident_date = forms.DateField(label="Date of the incident", required=False, widget=DateInput)
    incident_time = forms.TimeField(label="Time of the incident", required=False, widget=TimeInput)
    incident_location = forms.CharField(label="Where it happened", required=False, max_length=300)
    police_report_number = forms.CharField(label="Police or corrections report number", required=False, max_length=60)
    narrative = forms.CharField(
        label="What happened",
        max_length=MAX_NARRATIVE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="In the complainant's words, as far as possible.",
        error_messages={"required": "Describe what happened."},
    )
    mediation_interest = forms.ChoiceField(
        label="Is the complainant interested in mediation?",
        required=False,
        choices=[*MediationInterest.choices, ("", "Not asked")],
        widget=forms.RadioSelect,
    )

    # The page shows how it came in, then the people and the officers (formsets), then what happened:
    # the error summary follows it (cases/intake.html).
    RECEIVED_FIELDS = ("received_on", "channel")

    @property
    def received_part(self) -> FormPart:
        return FormPart(self, self.RECEIVED_FIELDS, lead=True)

    @property
    def incident_part(self) -> FormPart:
        return FormPart(self, tuple(name for name in self.fields if name not in self.RECEIVED_FIELDS))

    def clean_received_on(self) -> dt.date:
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future.")
        return received_on

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        received_on, incident_date = data.get("received_on"), data.get("incident_date")
        if received_on and incident_date and incident_date > received_on:
            self.add_error("incident_date", "The incident cannot be after the date the complaint was received.")
        return data


def voluntary_question(label: str, choices: list[tuple[str, str]]) -> forms.MultipleChoiceField:
    """One of the complaint form's demographic questions: voluntary, mark all that apply."""
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Voluntary; mark all that apply.",
    )


class PartyForm(USWDSForm, forms.Form):
    kind = forms.ChoiceField(label="This person is", choices=PartyKind.choices, initial=PartyKind.COMPLAINANT)
    anonymous = forms.BooleanField(
        label="The complainant wants to stay anonymous",
        required=False,
        help_text="An anonymous complainant cannot take part in mediation.",
    )
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    phone = forms.CharField(
        label="Phone", required=False, max_length=40, help_text="With the area code, for example 314-555-0142."
    )
    email = forms.EmailField(label="Email", required=False, max_length=254)
    address = forms.CharField(label="Mailing address", required=False, max_length=300)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput)
    is_minor = forms.BooleanField(label="Under 18", required=False)
    preferred_language = forms.ChoiceField(
        label="Preferred language",
        choices=[(NOT_ASKED, "Not asked"), *LANGUAGES],
        initial=NOT_ASKED,
        required=False,
        help_text="For letters and the session. Leave “Not asked” until the person has said: a session is booked "
        "with mediators, or an interpreter, who speak it.",
    )
    needs_interpreter = forms.BooleanField(label="Needs an interpreter", required=False)
    needs_asl = forms.BooleanField(label="Needs an American Sign Language interpreter", required=False)
    needs_step_free = forms.BooleanField(
        label="Needs step-free access (a wheelchair, a walker, no stairs)", required=False
    )
    accessibility_needs = forms.CharField(
        label="Other accessibility needs",
        required=False,
        max_length=300,
        help_text="For example: large print, a quiet room, breaks.",
    )
    gender = voluntary_question("Gender", demographics.GENDER)
    race = voluntary_question("Race and ethnicity", demographics.RACE)
    disability = voluntary_question("Disability", demographics.DISABILITY)

    def __init__(self, *args: Any, third_party_accepted: bool = True, anonymous_accepted: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.anonymous_accepted = anonymous_accepted  # the page offers the box only where the policy does
        if not third_party_accepted:  # the program's policy: not offered, and said so when sent anyway
            kind = self.fields["kind"]
            kind.choices = [c for c in kind.choices if c[0] != PartyKind.THIRD_PARTY]
            kind.error_messages["invalid_choice"] = f"Choose from the list. {filing.THIRD_PARTY_REFUSED}"

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone") or ""
        # the search of phone numbers finds what it takes for one (crypto.is_phone_number): "314-555-01" or
        # "call me" could not be called back, nor found
        if phone and not is_phone_number(phone):
            raise forms.ValidationError(
                "Enter a phone number with its area code, for example 314-555-0142. An extension, or anything "
                "else about reaching the person, goes in a note."
            )
        return phone

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        named = (data.get("first_name") or "").strip() or (data.get("last_name") or "").strip()
        if data.get("anonymous"):
            if data.get("kind") != PartyKind.COMPLAINANT:
                self.add_error("anonymous", "Only a complainant can stay anonymous.")
            elif named:
                self.add_error("first_name", "Leave the name blank for an anonymous complainant.")
        elif not named and data.get("kind") == PartyKind.COMPLAINANT:
            self.add_error(
                "first_name",
                "Give the complainant's first or last name"
                + (", or mark them anonymous." if self.anonymous_accepted else "."),
            )
        elif not named:
            self.add_error("first_name", "Give the person's first or last name.")
        for question in demographics.QUESTIONS:
            if problem := demographics.conflict(data.get(question) or []):
                self.add_error(question, problem)
        return data

    def as_typed(self) -> NewParty:
        """What the form says of who may file, as typed ("Under 18" only when it was ticked)."""
        d = self.cleaned_data
        return NewParty(
            kind=d.get("kind") or "",
            anonymous=bool(d.get("anonymous")),
            is_minor=bool(d.get("is_minor")),
            date_of_birth=d.get("date_of_birth"),
        )

    def new_party(self, on: dt.date) -> NewParty:
        """The person as the service takes them; "under 18" as of ``on``, the day the complaint came in."""
        d = self.cleaned_data
        born = d.get("date_of_birth")
        return NewParty(
            kind=d["kind"],
            anonymous=bool(d.get("anonymous")),
            first_name=(d.get("first_name") or "").strip(),
            last_name=(d.get("last_name") or "").strip(),
            phone=d.get("phone") or "",
            email=d.get("email") or "",
            address=d.get("address") or "",
            date_of_birth=born,
            is_minor=bool(d.get("is_minor")) or (born is not None and filing.age_on(born, on) < filing.ADULT_AGE),
            preferred_language=d.get("preferred_language") or NOT_ASKED,
            needs_interpreter=bool(d.get("needs_interpreter")),
            needs_asl=bool(d.get("needs_asl")),
            needs_step_free=bool(d.get("needs_step_free")),
            accessibility_needs=d.get("accessibility_needs") or "",
            gender=list(d.get("gender") or []),
            race=list(d.get("race") or []),
            disability=list(d.get("disability") or []),
        )


class BasePartyFormSet(forms.BaseFormSet):
    item_label = "Person"
    quiet = False
    # set by the view: the active policy's rules of who may file, and the day the complaint came in
    policy: ProgramPolicy | None = None
    received_on: dt.date | None = None
    default_error_messages = {
        "too_few_forms": "Add at least one person: the complainant.",
        "too_many_forms": "Add no more than %(num)d people.",
    }

    @property
    def on(self) -> dt.date:
        """The day that counts for an age: the day the complaint was received (today until it is known)."""
        return self.received_on or timezone.localdate()

    def clean(self) -> None:
        if self.policy is not None:  # who may file, at the person's field (the service checks it again);
            # with the other errors of the page, so that all are shown at once
            filled = [form for form in self.forms if form.cleaned_data]
            people = [form.as_typed() for form in filled]
            for problem in filing.problems(self.policy, people, self.on):
                if problem.field not in filled[problem.person].errors:
                    filled[problem.person].add_error(problem.field, problem.message)
        if any(form.errors for form in self.forms):
            return
        kinds = [form.cleaned_data.get("kind") for form in self.forms if form.has_changed() or not form.empty_permitted]
        if PartyKind.COMPLAINANT not in kinds:
            raise forms.ValidationError("Add at least one complainant.")

    def new_parties(self) -> list[NewParty]:
        return [form.new_party(self.on) for form in self.forms if form.cleaned_data]


# At least one row and at most 20 of people and of officers. ``absolute_max``: a tampered TOTAL_FORMS
# draws 20 rows, not a million (Django's default is max_num + 1,000).
ROWS: dict[str, Any] = {
    "extra": 0,
    "min_num": 1,
    "validate_min": True,
    "max_num": 20,
    "validate_max": True,
    "absolute_max": 20,
}
PartyFormSet = forms.formset_factory(PartyForm, formset=BasePartyFormSet, **ROWS)


class OfficerForm(USWDSForm, forms.Form):
    dsn = forms.CharField(
        label="DSN (department serial number)",
        required=False,
        max_length=20,
        help_text="From the roster. Leave blank when the officer is not known.",
    )
    lookup = forms.CharField(
        label="Or find the officer by name or badge",
        required=False,
        max_length=100,
        help_text="What the complainant knows: a last name, a first and last name, or a badge number. Then "
        "choose “Find on the roster”.",
    )
    description = forms.CharField(
        label="Description of an officer who is not known",
        required=False,
        max_length=300,
        help_text="What the complainant saw: for example height, car number, name tag.",
    )
    allegations = ListMultipleChoiceField(
        label="What the officer is accused of",
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose one or more.",
        error_messages={"required": "Choose at least one kind of misconduct."},
    )

    def __init__(self, *args: Any, categories: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["allegations"].choices = list(categories or [])
        self.fields["allegations"].gone = self._category_gone
        self.roster_officer: Officer | None = None

    @staticmethod
    def _category_gone(code: str) -> str:
        """Why a category ticked is not offered any more: the administrator retired it while the form was open."""
        category = AllegationCategory.objects.filter(code=code).first()
        if category is None:
            return "A kind of misconduct chosen is no longer on the list; choose another."
        return f"“{category.name}” is no longer a category of this program; choose another."

    def clean_dsn(self) -> str:
        dsn = (self.cleaned_data.get("dsn") or "").strip()
        if dsn:
            self.roster_officer = Officer.objects.filter(dsn=dsn).first()
            if self.roster_officer is None:
                raise forms.ValidationError(
                    f"No officer with DSN {dsn} is on the roster. Check the number, or leave it blank and "
                    "describe the officer."
                )
        return dsn

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "dsn" in data and not data.get("dsn") and not (data.get("description") or "").strip():
            self.add_error("dsn", "Give the officer's DSN, or describe the officer in the next box.")
        return data

    def new_officer(self) -> NewOfficer:
        return NewOfficer(
            roster=self.roster_officer,
            description=(self.cleaned_data.get("description") or "").strip(),
            allegation_codes=list(self.cleaned_data["allegations"]),
        )


class BaseOfficerFormSet(forms.BaseFormSet):
    item_label = "Officer"
    quiet = False
    default_error_messages = {
        "too_few_forms": "Add at least one officer: by DSN, or described when not known.",
        "too_many_forms": "Add no more than %(num)d officers.",
    }

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        dsns = [form.cleaned_data.get("dsn") for form in self.forms if form.cleaned_data.get("dsn")]
        if len(dsns) != len(set(dsns)):
            raise forms.ValidationError("The same officer is named twice. Give each officer once.")

    def new_officers(self) -> list[NewOfficer]:
        return [form.new_officer() for form in self.forms if form.cleaned_data]


OfficerFormSet = forms.formset_factory(OfficerForm, formset=BaseOfficerFormSet, **ROWS)


# ---------------------------------------------------------------------------------------------
# One form per workflow action. Each knows its title and button; the view calls the service.


class ActionForm(USWDSForm, forms.Form):
    slug: str = "action"
    title: str = ""
    intro: str = ""
    submit_label: str = "Save"
    success_message: str = "Saved."
    # a step that cannot be taken back: the form says so, and its button is not the everyday blue one
    final: bool = False
    # what the person should know before sending it (a USWDS warning above the form), and where to act
    warning: str = ""
    warning_links: tuple[tuple[str, str], ...] = ()

    def __init__(self, *args: Any, complaint: Complaint, user: User, **kwargs: Any):
        kwargs.setdefault("auto_id", f"{self.slug}_%s")
        self.complaint = complaint
        self.user = user
        super().__init__(*args, **kwargs)

    def made_for_something_else(self) -> str | None:
        """Why this form, sent now, would act on something other than what it showed (a session booked
        since it was opened, say), or None. The view treats it as a step someone else took first."""
        return None

    def look_up(self) -> bool:
        """Whether the form was sent to look something up for it (a button inside it, such as "Find on
        the roster"), not to take the step: the view then shows it again, with what was found and what
        was typed, and saves nothing."""
        return False


class SessionActionForm(ActionForm):
    """A step on the complaint's booked session (cancel it, record its outcome). The form carries the
    session it was opened for: sent after that one was called off and another booked, it would
    otherwise act on the new one (from a review: an old cancel form cancelled the session booked since)."""

    for_session = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def _for(self, session: MediationSession | None) -> None:
        self.booked = session
        self.fields["for_session"].initial = session.pk if session else None

    def made_for_something_else(self) -> str | None:
        sent = self.data.get("for_session", "") if self.is_bound else ""
        if sent and (
            not str(sent).isascii() or not str(sent).isdigit() or self.booked is None or int(sent) != self.booked.pk
        ):
            return "This was not saved: the session this form was for was called off, and another is booked now."
        return None


class AcknowledgeForm(ActionForm):
    slug = "acknowledge"
    title = "Record the acknowledgement"
    intro = "Record that the complainant was told the complaint was received."
    submit_label = "Save the acknowledgement"
    success_message = "The acknowledgement is recorded."

    how = forms.ChoiceField(
        label="How was the complainant told?",
        choices=[("letter", "Letter"), ("email", "Email"), ("phone", "Phone call"), ("in_person", "In person")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the complainant was told."},
    )


class ScreenForm(ActionForm):
    slug = "screen"
    title = "Screen for exclusion factors"
    intro = (
        "Answer every question of this program. A yes makes the complaint unsuitable for mediation; "
        "it then goes to a full investigation."
    )
    submit_label = "Save the screening"
    success_message = "The screening is recorded."

    note = forms.CharField(label="Note", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.factors = list(self.complaint.policy.exclusion_factors.all())
        factor_fields = {
            f"factor_{f.code}": yes_no_field(f.question, required_message="Answer this question.") for f in self.factors
        }
        self.fields = {**factor_fields, "note": self.fields["note"]}
        officers = list(self.complaint.officers.all())
        described = [o for o in officers if not o.identified]
        if len(described) == len(officers):
            self.warning = (
                "No officer of this complaint is identified, so screening will find it unsuitable for mediation. "
                "If the complainant can say who it was, identify the officer first:"
            )
            self.warning_links = tuple(
                (identify_label(o.description), action_url(self.complaint, "officer_identify", o)) for o in described
            )

    def answers(self) -> dict[str, bool]:
        return {f.code: self.cleaned_data[f"factor_{f.code}"] for f in self.factors}


class SuitabilityForm(ActionForm):
    slug = "suitability"
    title = "Decide on suitability"
    intro = "Decide whether this complaint is appropriate for mediation."
    submit_label = "Save the decision"
    success_message = "The suitability decision is recorded."

    appropriate = yes_no_field("Is this complaint appropriate for mediation?", required_message="Choose yes or no.")
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the complaint is not appropriate for mediation.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("appropriate") is False and not (data.get("reason") or "").strip() and "reason" not in self.errors:
            self.add_error("reason", "Give the reason the complaint is not appropriate for mediation.")
        return data


EXPLANATION_LABELS = {"in_person": "In person", "phone": "Phone call", "video": "Video call", "letter": "Letter"}


class ChoiceForm(ActionForm):
    slug = "choice"
    title = "Both processes explained, and the complainant's choice"
    intro = (
        "Record who explained BOTH processes (investigation and mediation) to the complainant, when and how, "
        "and what the complainant chose."
    )
    submit_label = "Save the choice"
    success_message = "The complainant's choice is recorded."

    explained_by = forms.CharField(label="Explained by", max_length=200)
    explained_on = forms.DateField(
        label="Date explained",
        widget=DateInput,
        error_messages={"required": "Give the date both processes were explained."},
    )
    explained_how = forms.ChoiceField(
        label="How it was explained",
        choices=[(m, EXPLANATION_LABELS.get(m, m)) for m in sorted(EXPLANATION_METHODS)],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how both processes were explained."},
    )
    choice = forms.ChoiceField(
        label="The complainant chose",
        choices=[
            ("mediation", "Mediation: a meeting with the officer and trained mediators"),
            ("investigation", "Investigation by Internal Affairs"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Record what the complainant chose."},
    )
    reason = forms.CharField(
        label="Note", required=False, max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["explained_by"].initial = self.user.get_full_name() or self.user.get_username()
        # only the choices there are: mediation is not offered when it cannot happen, and the form says why
        if impossible := mediation_impossible(self.complaint):
            self.fields["choice"].choices = [c for c in self.fields["choice"].choices if c[0] != "mediation"]
            self.intro = f"{self.intro} Mediation is not possible for this complaint. {impossible}"
            # a form opened before (mediation was offered then) says why, not "Select a valid choice"
            self.fields["choice"].error_messages["invalid_choice"] = (
                f"Choose from the list. Mediation is not possible for this complaint. {impossible}"
            )
        # the date stays blank (UX.md: never a made-up default date): the call may have been days ago
        # usually filled in during a call: who to call, for those who may see contact details
        self.contacts = []
        if can(self.user, "view_personal_data"):
            self.contacts = [
                (p.display_name, p.phone, p.email)
                for p in self.complaint.parties.filter(kind=PartyKind.COMPLAINANT, anonymous=False).order_by("id")
            ]

    def clean_explained_on(self) -> dt.date:
        day = self.cleaned_data["explained_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        if day < self.complaint.received_on:
            raise forms.ValidationError("The date cannot be before the complaint was received.")
        return day


class OfficerIdentifyForm(ActionForm):
    slug = "officer-identify"
    title = "Identify an officer"
    submit_label = "Save the officer"
    success_message = "The officer is identified."

    lookup = forms.CharField(
        label="Find the officer by name or badge",
        required=False,
        max_length=roster.MAX_WORDS_LENGTH,
        help_text="A last name, a first and last name, or a badge number. Then choose “Find on the roster”.",
        widget=forms.TextInput(attrs={"data-find": "officer-identify-find", "autocomplete": "off"}),
    )
    dsn = forms.CharField(
        label="DSN (department serial number)",
        max_length=20,
        help_text="From the roster. Mediation needs an identified officer who can be asked to take part.",
        error_messages={"required": "Give the officer's DSN, or find the officer on the roster."},
    )
    found: roster.RosterFound | None = None  # what "Find on the roster" found, shown under its box

    def __init__(self, *args: Any, officer: ComplaintOfficer, **kwargs: Any):
        self.officer = officer
        super().__init__(*args, **kwargs)
        self.title = identify_label(officer.description, short=False)
        self.intro = (
            "Give the roster's DSN of the officer the complainant described, or find the officer by name or "
            "badge. Do it before screening: a complaint with no identified officer cannot be mediated."
        )

    def look_up(self) -> bool:
        """ "Find on the roster" (or Enter in its box, which without JavaScript sends the form's first
        button, the save, with no DSN given), and "Use this officer" of what was found: the form again,
        its DSN box filled in when one officer is meant."""
        data = self.data
        dsn = (data.get("dsn") or "").strip()
        if "use" in data:
            officer = roster.chosen(str(data.get("use") or ""))
            if officer is None:
                return False  # not an officer of the roster: saving says what is wrong with the DSN
            data = data.copy()
            data["dsn"] = officer.dsn
            self.found = roster.RosterFound(f"{officer} is chosen. Save to identify the officer as them.")
        elif "find" in data or (roster.words_of(data.get("lookup")) and not dsn):
            data = data.copy()
            self.found = roster.find(
                data.get("lookup"),
                dsn_kept=dsn,
                if_none="Check the spelling, or ask the complainant for more: a badge or car number, a unit.",
            )
            if self.found.nothing:
                data["lookup"] = ""  # searched: saving now saves, without searching again
            if self.found.dsn:
                data["dsn"] = self.found.dsn
        else:
            return False
        self.data = data
        self.quiet = True  # nothing was meant to be saved: no field is called wrong
        return True

    def made_for_something_else(self) -> str | None:
        if self.officer.identified:  # a colleague identified this officer since the form was opened
            return f"This was not saved: the officer is identified already, as {self.officer.display_name}."
        return None

    def clean_dsn(self) -> str:
        dsn = self.cleaned_data["dsn"].strip()
        roster = self.roster_officer = Officer.objects.filter(dsn=dsn).first()
        if roster is None:
            raise forms.ValidationError(f"No officer with DSN {dsn} is on the roster. Check the number.")
        if already_named(self.complaint, roster):
            raise forms.ValidationError(f"{roster} is already named in this complaint.")
        gone = "" if roster.active else ", who is no longer active on the roster"
        self.success_message = f"The officer is identified: {roster}{gone}."
        return dsn


class AllegationsCorrectForm(ActionForm):
    """The kinds of misconduct alleged against one officer, corrected before screening. The hidden ``was`` is
    the digest of what they were when the form opened: a colleague's correction meanwhile comes back at the
    field, saying what they are now, and saving again saves this form's choice."""

    slug = "allegations-correct"
    submit_label = "Save the correction"
    success_message = "The allegations are corrected."

    allegations = ListMultipleChoiceField(
        label="What the officer is accused of",
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose one or more.",
        error_messages={"required": "Choose at least one kind of misconduct."},
    )
    reason = forms.CharField(
        label="Why are they corrected?",
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the allegations are corrected."},
    )
    was = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, officer: ComplaintOfficer, **kwargs: Any):
        self.officer = officer
        super().__init__(*args, **kwargs)
        self.current = alleged_codes(officer)
        # the program's categories, and any alleged here that the administrator retired since (kept, if ticked)
        offered = AllegationCategory.objects.filter(Q(active=True) | Q(code__in=self.current))
        self.names = dict(offered.values_list("code", "name"))
        self.fields["allegations"].choices = list(self.names.items())
        self.fields["allegations"].gone = OfficerForm._category_gone
        self.fields["allegations"].initial = self.current
        self.fields["was"].initial = field_digest(self.current)
        self.title = f"Correct the allegations against {officer.display_name}"
        self.intro = (
            "Screening reads them: a kind of misconduct this program does not mediate makes the complaint "
            "unsuitable for mediation. The timeline says which were added and removed."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "allegations" not in data:
            return data
        now = field_digest(self.current)
        if (self.data.get("was") or now) != now:  # a colleague corrected them since this form opened
            self.data = self.data.copy()
            self.data["was"] = now  # saving again saves this form's choice over theirs
            self.add_error(
                "allegations",
                "Someone else corrected these since you opened this form; they are now: "
                f"{', '.join(self.names.get(code, code) for code in self.current)}. Check your choice, and save again.",
            )
        elif sorted(data["allegations"]) == self.current:
            self.add_error("allegations", "Nothing was changed: tick or untick a kind of misconduct.")
        return data


class CorrectionForm(ActionForm):
    """A form that corrects details of a record (``details``: names and what the timeline calls them), over
    what they were when it opened: the hidden ``was`` holds a digest of each (``services.field_digests``).
    What is saved is what its person changed. A detail someone else corrected meanwhile is kept, unless this
    form changed the same one: then the form comes back, saying so at that detail, its other entries
    kept, and saving it again saves what it shows."""

    submit_label = "Save the correction"
    details: dict[str, str] = {}
    reason_rule = REASON_WITHOUT_CONTACT
    written_details: tuple[str, ...] = ()  # what the reason may not repeat (contact details, the place)

    reason = forms.CharField(
        label="Why is it corrected?",
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the details are corrected."},
    )
    was = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    corrected: dict[str, Any]  # what the form corrects, once it is valid (``changes``)

    def record(self) -> Any:
        raise NotImplementedError

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        record = self.record()
        for name in self.details:
            if name in self.fields:
                self.fields[name].initial = getattr(record, name)
        self.fields["was"].initial = json.dumps(field_digests(record, self.details))

    def opened(self) -> dict[str, str] | None:
        """The digest of each detail as the form opened, or None when the form did not say (or garbled it)."""
        try:
            sent = json.loads(self.data.get("was") or "null")
        except ValueError:
            return None
        return sent if isinstance(sent, dict) and all(isinstance(v, str) for v in sent.values()) else None

    def changes(self) -> dict[str, Any]:
        """The details its person changed: those that differ from what the form opened with (from the record
        as it is, for a form that does not say). A text field the form did not send at all is not a correction
        to blank (a box left unticked is: a browser sends nothing for it)."""
        d, record, opened = self.cleaned_data, self.record(), self.opened()
        changed = {}
        for name in self.details:
            if name not in self.fields or (name not in self.data and not name.startswith("needs_")):
                continue
            value = corrected_value(name, d.get(name))
            was = opened.get(name) if opened is not None else field_digest(getattr(record, name))
            if field_digest(value) != was:
                changed[name] = d.get(name)
        return changed

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"]
        record = self.record()
        details = [str(getattr(record, n) or "") for n in self.written_details]
        details += [str(self.data.get(n) or "") for n in self.written_details]
        if contact_details_in(reason, details):
            raise forms.ValidationError(self.reason_rule)
        return reason

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        corrected = self.changes()
        record, opened = self.record(), self.opened() or {}
        now = field_digests(record, self.details)
        # the same detail corrected by someone else since the form opened, to something else: said there
        clashes = [
            name
            for name in corrected
            if opened.get(name, now[name]) != now[name]
            and field_digest(corrected_value(name, corrected[name])) != now[name]
        ]
        if clashes or any(opened.get(name, now[name]) != now[name] for name in self.details):
            # shown again, or saved: either way, over the record as it is now
            shown = self.data.copy()
            for name in self.details:
                if name not in corrected and name in self.fields:
                    value = getattr(record, name)
                    if isinstance(value, bool):
                        shown.pop(name, None)
                        if value:
                            shown[name] = "on"
                    else:
                        shown[name] = "" if value is None else str(value)
            shown["was"] = json.dumps(
                {**opened, **{n: now[n] for n in self.details if n not in corrected or n in clashes}}
            )
            self.data = shown
        for name in clashes:
            now_shown = self.shown(name, getattr(record, name))
            self.add_error(
                name,
                f"Someone else corrected this since you opened the form, to “{now_shown}”. Save again to keep what "
                "you typed here, or change it.",
            )
        if clashes:
            return data
        if not corrected:
            self.add_error(None, "Nothing was changed: correct at least one detail, or go back without saving.")
        self.corrected = corrected
        self.expected = {name: now[name] for name in corrected}  # as checked here: a save since is refused
        return data

    def shown(self, name: str, value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if name == "preferred_language":
            return language_name(value)
        return "(blank)" if value in (None, "") else str(value)


class PartyCorrectForm(CorrectionForm):
    slug = "party-correct"
    details = CORRECTABLE
    written_details = CONTACT_DETAILS

    first_name = PartyForm.base_fields["first_name"]
    last_name = PartyForm.base_fields["last_name"]
    phone = PartyForm.base_fields["phone"]
    email = PartyForm.base_fields["email"]
    address = PartyForm.base_fields["address"]
    preferred_language = PartyForm.base_fields["preferred_language"]
    needs_interpreter = PartyForm.base_fields["needs_interpreter"]
    needs_asl = PartyForm.base_fields["needs_asl"]
    needs_step_free = PartyForm.base_fields["needs_step_free"]
    accessibility_needs = PartyForm.base_fields["accessibility_needs"]
    field_order = [*CORRECTABLE, "reason"]

    clean_phone = PartyForm.clean_phone

    def __init__(self, *args: Any, party: Party, **kwargs: Any):
        self.party = party
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = (
            "For example: “The complainant called with a new phone number.” Everyone who can open this complaint "
            "reads it in the timeline, with what was corrected: leave the details themselves out."
        )
        self.title = f"Correct the details of {party.display_name} ({party.get_kind_display().lower()})"
        self.success_message = f"The details of {party.display_name} are corrected."
        self.intro = (
            "Correct what was taken down wrong or has changed since. What this person is to the complaint, and "
            "their age, stay as the complaint was received."
        )
        if party.anonymous:  # stays anonymous: no name to correct
            del self.fields["first_name"], self.fields["last_name"]
            self.intro += " The complainant is anonymous: the complaint holds no name for them."

    def record(self) -> Party:
        return self.party

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        named = self.data.get("first_name", "").strip() or self.data.get("last_name", "").strip()
        if not self.errors and not self.party.anonymous and not named:
            self.add_error("first_name", "Give the person's first or last name.")
        return data

    def after_save(self, complaint: Complaint) -> Complaint:
        """A need or a language corrected while a session is booked: the message says what of the booking no
        longer suits, and who can book again (the complaint page's Sessions say it too, until then)."""
        booked = complaint.sessions.filter(status=SessionStatus.SCHEDULED).select_related("venue", "complaint")
        session = booked.order_by("starts_at").first() if SESSION_NEEDS & set(self.corrected) else None
        center = organisation_of(self.user) == Organisation.MEDIATION_CENTER
        if session is not None and (problems := eligibility.booked_session_problems(session, center=center)):
            if can(self.user, "session_schedule"):
                then = "Cancel it and book again."
            else:
                then = "Tell the mediation center's coordinator: only they can book it again."
            self.success_message = (
                f"{self.success_message} The booked session no longer suits: {' '.join(problems)} {then}"
            )
        return complaint


class ComplaintCorrectForm(CorrectionForm):
    slug = "correct"
    title = "Correct the incident's details"
    intro = (
        "Correct what was taken down wrong. The date the complaint was received (its due dates count from it) "
        "and the complainant's account of what happened stay as they were received."
    )
    success_message = "The incident's details are corrected."
    details = INCIDENT_DETAILS
    written_details = INCIDENT_WRITTEN
    reason_rule = REASON_WITHOUT_INCIDENT

    incident_date = IntakeForm.base_fields["incident_date"]
    incident_time = IntakeForm.base_fields["incident_time"]
    incident_location = IntakeForm.base_fields["incident_location"]
    police_report_number = IntakeForm.base_fields["police_report_number"]
    field_order = [*INCIDENT_DETAILS, "reason"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = (
            "For example: “The street was taken down wrong.” The mediation center reads it in the timeline, with "
            "what was corrected, and not the incident's details: leave them out."
        )

    def record(self) -> Complaint:
        return self.complaint

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("incident_date")
        if day and day > self.complaint.received_on:
            self.add_error("incident_date", "The incident cannot be after the date the complaint was received.")
        return data


class OfficerConsentForm(ActionForm):
    slug = "consent"
    title = "Record the officer's answer"
    submit_label = "Save the answer"
    success_message = "The officer's answer is recorded."

    accepted = yes_no_field("Does the officer agree to mediation?", required_message="Choose yes or no.")
    reason = forms.CharField(
        label="Note", required=False, max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, officer: ComplaintOfficer, **kwargs: Any):
        self.officer = officer
        super().__init__(*args, **kwargs)
        self.title = f"Record the answer of {officer.display_name}"


class ReferForm(ActionForm):
    slug = "refer"
    title = "Refer to the mediation center"
    intro = "The complainant and the officers who take part agreed. The mediation center will schedule a session."
    submit_label = "Refer"
    success_message = "The complaint is referred to the mediation center."

    note = forms.CharField(
        label="Note for the mediation center", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _warn_of_languages_not_asked(self, "the mediation center can book a session")


def _warn_of_languages_not_asked(form: ActionForm, until: str) -> None:
    """A language nobody asked holds up the booking: the form says so before it is sent, and links to the
    correction of each person's details (where the person's role may correct them)."""
    if unasked := eligibility.not_asked(form.complaint):
        names = ", ".join(p.display_name for p in unasked)
        form.warning = f"Nobody has asked {names} which language they prefer, and {until} only once someone has:"
        if "party_correct" in actions_for(form.complaint.status, role_of(form.user)):
            form.warning_links = tuple(
                (f"Correct the details of {p.display_name}", action_url(form.complaint, "party_correct", party=p))
                for p in unasked
            )
        else:
            form.warning += " ask oversight intake to correct their details."


class ScheduleForm(ActionForm):
    slug = "schedule"
    title = "Schedule a session"
    submit_label = "Book the session"
    success_message = "The session is booked."

    day = forms.DateField(label="Date", widget=DateInput)
    start = forms.TimeField(label="Start time", widget=TimeInput)
    duration = forms.IntegerField(label="Length in minutes", min_value=15, max_value=480)
    venue = ListChoiceField(label="Venue", error_messages={"required": "Choose a venue."})
    interpreter_booked = forms.BooleanField(
        label="An interpreter is booked",
        required=False,
        help_text="Needed when nobody on the team speaks the language of someone in the room.",
    )
    scheduling_notes = forms.CharField(
        label="Scheduling notes (mediation center only)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Logistics only: availability, travel, who to call. Never what anyone said about the complaint. "
        "Oversight and Internal Affairs never see these notes.",
    )
    # The complaint's latest session when the form was opened ("none" before the first). A form opened
    # before a colleague booked a session and called it off would otherwise book again, silently, dates
    # chosen before anyone knew why the last ones failed (from a replay review).
    seen_session = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.latest_session = self.complaint.sessions.order_by("-id").first()
        seen = str(self.latest_session.pk) if self.latest_session else "none"
        self.fields["seen_session"].initial = seen
        # a form without it (kept from before it was asked) is not checked
        self.sessions_changed = bool(self.is_bound and self.data.get("seen_session", seen) not in (seen, ""))
        if self.sessions_changed:  # the form shown again has seen them: sent again, it books
            self.data = self.data.copy()
            self.data["seen_session"] = seen
        policy = self.complaint.policy
        mediators = "one mediator" if policy.mediators_per_session == 1 else f"{policy.mediators_per_session} mediators"
        self.intro = f"This program uses {mediators} per session of about {policy.session_minutes} minutes."
        due = Deadline.objects.open().filter(complaint=self.complaint, kind=DeadlineKind.SCHEDULE_SESSION).first()
        if due is not None:
            by = date_format(due.due_on, "M j, Y")
            if due.due_on < timezone.localdate():  # as the complaint page's due dates say it
                self.intro += f" The first session was due by {by}: that date has passed (overdue)."
            else:
                self.intro += f" Hold the first session by {by}."
        # the program's notice: the earliest day says so before the form is sent, and the picker starts there
        self.earliest = None
        if policy.mediator_notice_days:
            self.earliest = add_days(policy, timezone.localdate(), policy.mediator_notice_days)
            self.intro += (
                f" This program gives mediators and parties {policy.mediator_notice_days} days' notice: the "
                f"earliest date is {date_format(self.earliest, 'M j, Y')}."
            )
            self.fields["day"].widget.attrs["min"] = self.earliest.isoformat()
        # the people and the officers, read once for the form's list and for every check of the booking
        prefetch_related_objects([self.complaint], "parties", "officers")
        self.people = [
            (p.display_name, p.get_kind_display(), language_name(p.preferred_language), p)
            for p in eligibility.in_the_room(self.complaint)
        ]
        self.fields["duration"].initial = policy.session_minutes
        _warn_of_languages_not_asked(self, "a session can be booked")
        venues = list(Venue.objects.filter(active=True).order_by("name"))
        self.venues = {str(v.pk): v for v in venues}
        self.fields["venue"].choices = [("", "Choose a venue")] + [
            (str(v.pk), f"{v.name}{' (video)' if v.is_video else ''}{'' if v.accessible else ' (not step-free)'}")
            for v in venues
        ]
        self.fields["venue"].gone = self._venue_gone
        mediators = list(Mediator.objects.filter(active=True, former_law_enforcement=False).order_by("last_name"))
        self.mediators = {str(m.pk): m for m in mediators}
        choices = [("", "Choose a mediator")] + [
            # the languages in words, as the people in the room are shown above (from a walk-through: "en, es")
            (
                str(m.pk),
                f"{m.first_name} {m.last_name} ({', '.join(LANGUAGE_NAMES.get(c, c) for c in m.languages or ['en'])})",
            )
            for m in mediators
        ]
        self.mediator_fields = []
        for i in range(1, policy.mediators_per_session + 1):
            name = f"mediator_{i}"
            self.fields[name] = ListChoiceField(
                label="Mediator" if policy.mediators_per_session == 1 else f"Mediator {i}",
                choices=choices,
                error_messages={"required": "Choose a mediator."},
            )
            self.fields[name].gone = self._mediator_gone
            self.mediator_fields.append(name)
        # the team, then whether an interpreter is booked (it depends on the team), then the notes
        self.order_fields(["day", "start", "duration", "venue", *self.mediator_fields, "interpreter_booked"])

    @staticmethod
    def _mediator_gone(key: str) -> str:
        """Why a mediator chosen is not offered any more: changed by the administrator while the form was open."""
        mediator = _row(Mediator, key)
        if mediator is None:
            return "A mediator chosen is no longer on the list; choose another."
        if mediator.former_law_enforcement:
            return f"{mediator} has worked in law enforcement and cannot mediate police cases; choose another."
        return f"{mediator} is no longer an active mediator; choose another."

    @staticmethod
    def _venue_gone(key: str) -> str:
        venue = _row(Venue, key)
        if venue is None:
            return "The venue chosen is no longer on the list; choose another."
        return f"{venue} is no longer an active venue; choose another."

    def _what_happened_since_opened(self) -> str:
        session = self.latest_session
        if session is None:  # (a form altered on the way)
            what = "The sessions of this complaint changed since you opened this form."
        elif session.status == SessionStatus.CANCELLED:
            called_off = self.complaint.events.filter(action="session_cancel").order_by("-created_at", "-id").first()
            reason = ""
            if called_off is not None and called_off.reason and reads_reasons_of(self.user, called_off.actor_role):
                reason = f" (reason: {called_off.reason})"
            what = f"A session was booked and called off since you opened this form{reason}."
        elif session.status in (SessionStatus.COMPLAINANT_NO_SHOW, SessionStatus.OFFICER_NO_SHOW):
            who = session.get_status_display()
            what = f"A session was booked since you opened this form, and the {who[0].lower()}{who[1:]}."
        else:
            what = "A session was booked since you opened this form."
        return f"{what} Nothing was booked: check the dates and send again."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.sessions_changed:
            self.add_error(None, self._what_happened_since_opened())
        chosen = [data.get(name) for name in self.mediator_fields if data.get(name)]
        if len(chosen) != len(set(chosen)):
            self.add_error(self.mediator_fields[-1], "Choose a different mediator for each place.")
        day, start = data.get("day"), data.get("start")
        if day and self.earliest and day < self.earliest:
            self.add_error(
                "day",
                f"The earliest date is {date_format(self.earliest, 'M j, Y')}: this program gives mediators and "
                f"parties {self.complaint.policy.mediator_notice_days} days' notice.",
            )
        elif day and start and self.starts_at() <= timezone.now():
            if day == timezone.localdate():  # the day is right: the hour has passed
                self.add_error("start", "That time has passed: a session today must start later than now.")
            else:
                self.add_error("day", "The session must start in the future.")
        self._check_team_and_room(data)
        return data

    def _check_team_and_room(self, data: dict[str, Any]) -> None:
        """The booking's own checks (the service makes them again, inside its transaction), each beside the
        field it is about and all at once, with the form's other problems: a mediator taken at that time,
        over their monthly limit or no longer certified, at that mediator; the room booked, too small or
        not step-free, at the venue; a language nobody on the team speaks, at "An interpreter is booked".
        Until now they came one save later, as one sentence above the form."""
        team: dict[int, tuple[str, Mediator]] = {}
        for name in self.mediator_fields:
            mediator = self.mediators.get(str(data.get(name) or ""))
            if mediator is not None and mediator.pk not in team:  # twice: "choose a different mediator" says it
                team[mediator.pk] = (name, mediator)
        if unasked := eligibility.language_not_asked_problem(self.complaint):
            self.add_error(None, unasked)  # no team and no interpreter box meets a language nobody asked
        elif len(team) == len(self.mediator_fields):
            language = eligibility.spoken_language_problem(
                self.complaint,
                [m for _, m in team.values()],
                interpreter_booked=bool(data.get("interpreter_booked")),
            )
            if language:
                self.add_error("interpreter_booked", language)
        if not (data.get("day") and data.get("start") and data.get("duration")) or any(
            self.has_error(name) for name in ("day", "start", "duration")
        ):
            return  # no time to check the team and the room against
        starts_at = self.starts_at()
        ends_at = starts_at + dt.timedelta(minutes=data["duration"])
        for name, mediator in team.values():
            if problem := eligibility.mediator_problem(
                mediator, complaint=self.complaint, starts_at=starts_at, ends_at=ends_at
            ):
                self.add_error(name, problem)
        venue = self.venues.get(str(data.get("venue") or ""))
        if venue is not None and (
            problem := eligibility.venue_problem(
                venue,
                starts_at=starts_at,
                ends_at=ends_at,
                complaint=self.complaint,
                team_size=len(self.mediator_fields),
            )
        ):
            self.add_error("venue", problem)

    def starts_at(self) -> dt.datetime:
        naive = dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["start"])
        return timezone.make_aware(naive)

    def chosen_mediators(self) -> list[Mediator]:
        return [self.mediators[self.cleaned_data[name]] for name in self.mediator_fields]

    def chosen_venue(self) -> Venue:
        return self.venues[self.cleaned_data["venue"]]


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason."},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # who reads it: the rule of the timeline (permissions.reads_reasons_of)
        if organisation_of(self.user) == Organisation.MEDIATION_CENTER:
            self.fields["reason"].help_text = (
                "Only the mediation center reads this reason; oversight and Internal Affairs see the step, not "
                "why. Never write what was said in a session."
            )
        else:
            self.fields["reason"].help_text = "Everyone who can open this complaint reads this reason in its timeline."


class CancelSessionForm(SessionActionForm, ReasonForm):
    slug = "cancel"
    title = "Cancel the session"
    submit_label = "Yes, cancel the session"
    final = True

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        session = (
            self.complaint.sessions.filter(status=SessionStatus.SCHEDULED)
            .select_related("venue")
            .order_by("starts_at")
            .first()
        )
        self._for(session)
        which = "The session"
        if session is not None:
            where = f" at {session.venue.name}" if session.venue else ""
            which = f"The session of {date_format(timezone.localtime(session.starts_at), 'l, M j, Y, P')}{where}"
        self.intro = (
            f"{which} is called off and leaves the mediators' lists of sessions. Parley sends no message: tell the "
            "mediators and the parties. The complaint goes back to waiting for a session."
        )

    success_message = "The session is cancelled. The complaint waits to be scheduled again."


class SendBackForm(ReasonForm):
    slug = "send_back"
    title = "Send back to investigation: no good faith"
    intro = (
        "The complainant says the officer did not take part in good faith. The complaint goes to a full investigation."
    )
    submit_label = "Send back to investigation"
    final = True
    success_message = "The complaint is sent back to investigation."


class WithdrawForm(ReasonForm):
    slug = "withdraw"
    title = "Record a withdrawal"
    submit_label = "Save the withdrawal"
    final = True
    success_message = "The withdrawal is recorded."

    what = forms.ChoiceField(
        label="What does the complainant withdraw?",
        choices=[
            ("mediation", "Only the mediation: the complaint goes to a full investigation"),
            ("complaint", "The whole complaint: it is closed"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the complainant withdraws."},
    )
    field_order = ["what", "reason"]


class OutcomeForm(SessionActionForm):
    slug = "outcome"
    title = "Record the outcome"
    intro = "Record who was there and how the session ended. Nothing said in the session is written down."
    submit_label = "Save the outcome"
    success_message = "The outcome is recorded."
    final = True
    ATTENDANCE = ("present_parties", "present_officers", "present_mediators")
    field_order = ["outcome", "present_parties", "present_companions"]

    outcome = forms.ChoiceField(
        label="How did the session end?",
        choices=SessionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the session ended."},
    )
    present_parties = forms.TypedMultipleChoiceField(
        label="Complainants present", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    present_officers = forms.TypedMultipleChoiceField(
        label="Officers present", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    present_mediators = forms.TypedMultipleChoiceField(
        label="Mediators present", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    present_companions = forms.TypedMultipleChoiceField(
        label="With the complainant, present", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    agreement_signed = forms.BooleanField(label="A written agreement was signed", required=False)
    agreement_terms = forms.CharField(
        label="Terms of the signed agreement",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the parties agreed to do, as written in the agreement they signed (for example: an "
        "apology; the officer visits a community group). Not what was said in the session.",
    )
    agreement_public = forms.BooleanField(
        label="The parties agreed that the terms may be made public",
        required=False,
        help_text="Unless this is ticked, only the mediation center reads the terms; oversight and Internal "
        "Affairs see only that an agreement was signed.",
    )

    def __init__(self, *args: Any, session: MediationSession, **kwargs: Any):
        self.session = session
        super().__init__(*args, **kwargs)
        self._for(session)
        parties, officers, mediators = required_attendees(self.complaint, session)
        self.fields["present_parties"].choices = [
            (p.pk, p.display_name) for p in self.complaint.parties.filter(pk__in=parties).order_by("id")
        ]
        # a mediator knows an officer by name, as their session card shows (from a walk-through: the DSN)
        by_name = not can(self.user, "view_complaint")
        self.fields["present_officers"].choices = [
            (o.pk, " ".join(filter(None, [o.rank, o.first_name, o.last_name])) if by_name else o.display_name)
            for o in self.complaint.officers.filter(pk__in=officers).order_by("id")
        ]
        self.fields["present_mediators"].choices = [
            (m.pk, str(m)) for m in Mediator.objects.filter(pk__in=mediators).order_by("last_name", "first_name")
        ]
        companions = self.complaint.parties.filter(pk__in=companions_of(self.complaint)).order_by("id")
        if companions:  # a parent or guardian, a support person (from a walk-through: they could not be marked)
            self.fields["present_companions"].choices = [
                (p.pk, f"{p.display_name} ({p.get_kind_display().lower()})") for p in companions
            ]
        else:
            del self.fields["present_companions"]
        for name in self.ATTENDANCE:  # needed or not by the outcome chosen (``attendance_problem``)
            self.fields[name].depends_on_answers = True
        self.fields["present_parties"].help_text = "Tick everyone who was there, here and below."
        if self.complaint.policy.written_agreement == WrittenAgreement.NONE:
            for name in ("agreement_signed", "agreement_terms", "agreement_public"):
                del self.fields[name]
        when = date_format(timezone.localtime(session.starts_at), "M j, P")
        self.title = f"Record the outcome of the session of {when}"
        if not can(self.user, "complaint_send_back_good_faith"):  # a mediator: the coordinator records that
            self.intro += (
                " If the complainant says the officer did not take part in good faith, save nothing here: tell"
                " the coordinator, who sends the case back to investigation."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("outcome"):
            present = tuple(set(data.get(name) or ()) for name in self.ATTENDANCE)
            needed = tuple({key for key, _ in self.fields[name].choices} for name in self.ATTENDANCE)
            if problem := attendance_problem(data["outcome"], present, needed):
                self.add_error(*problem)
        resolved = data.get("outcome") in {SessionOutcome.FULL_AGREEMENT, SessionOutcome.PARTIAL_AGREEMENT}
        terms = (data.get("agreement_terms") or "").strip()
        if "agreement_terms" not in self.fields or not data.get("outcome"):
            return data
        if terms and not resolved:
            self.add_error("agreement_terms", "An agreement goes only with a session that ended in an agreement.")
        elif terms and not data.get("agreement_signed"):
            self.add_error("agreement_signed", "Tick this when the parties signed the agreement whose terms you wrote.")
        elif (
            resolved
            and data.get("agreement_signed")
            and self.complaint.policy.written_agreement == WrittenAgreement.REQUIRED
            and not terms
        ):
            self.add_error("agreement_terms", "This program keeps the terms of every agreement: write them as signed.")
        elif data.get("agreement_public") and not terms:
            self.add_error("agreement_public", "Write the terms that the parties agreed may be made public.")
        return data


class NoteForm(USWDSForm, forms.Form):
    body = forms.CharField(
        label="New note",
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only people of your organisation can read it.",
        error_messages={"required": "Write the note before saving it."},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)
