"""The mediation center's own forms: scheduling notes and the exit survey as filled in on paper."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from parley.mediation.models import Respondent, SurveyAnswer
from parley.mediation.services import MAX_COMMENT, MAX_NOTES
from parley.mediation.survey import STATEMENTS
from parley.uswds import USWDSForm, widget_class


class SchedulingNotesForm(USWDSForm, forms.Form):
    notes = forms.CharField(
        label="Scheduling notes",
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Logistics only: availability, travel, who to call. Never what anyone said about the complaint. "
        "Only the mediation center reads these notes.",
    )

    # the notes as they were when the form was opened (``services.notes_version``)
    was = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def clean_notes(self) -> str:
        # Saving replaces the notes: a form that did not send the box at all (a browser always sends it,
        # empty or not) would erase them without anyone having emptied it.
        if "notes" not in self.data:
            raise forms.ValidationError("The notes did not arrive, so nothing was changed. Try again.")
        return self.cleaned_data["notes"]


class SurveyForm(USWDSForm, forms.Form):
    """One participant's answers. Statements left blank on paper stay blank here."""

    respondent = forms.ChoiceField(  # chosen by the page's link; the statements depend on it
        choices=Respondent.choices,
        widget=forms.HiddenInput,
        error_messages={"required": "Say whose survey this is.", "invalid_choice": "Say whose survey this is."},
    )
    # One per form shown: the same form sent twice is saved once (services.survey_record).
    submission = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "This form could not be read: open the survey again and enter it there."},
    )
    comment = forms.CharField(
        label="Anything else they wrote",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, respondent: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        side = respondent or (self.data.get("respondent") if self.is_bound else None) or Respondent.COMPLAINANT
        if side not in STATEMENTS:
            side = Respondent.COMPLAINANT
        self.side = side
        self.fields["respondent"].initial = side
        self.fields["submission"].initial = uuid.uuid4()
        choices = [("", "Left blank"), *SurveyAnswer.choices]
        self.statement_fields = []
        for code, text in STATEMENTS[side]:
            name = f"s_{code}"
            self.fields[name] = forms.ChoiceField(label=text, choices=choices, required=False)
            self.statement_fields.append((code, name))
            self.fields[name].widget.attrs["class"] = widget_class(self.fields[name].widget)
        self.order_fields(["respondent", "submission", *[name for _code, name in self.statement_fields], "comment"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("respondent", "submission"):  # hidden: their problem is the form's, with no field to point at
            if name in self.errors:
                self.add_error(None, self.errors.pop(name))
        return data

    def answers(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(name) or "" for code, name in self.statement_fields}
