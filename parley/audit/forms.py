from __future__ import annotations

from django import forms

from parley.uswds import DateInput, USWDSForm


class AuditFilterForm(USWDSForm, forms.Form):
    who = forms.CharField(label="Staff username", required=False, max_length=150)
    action = forms.CharField(
        label="Action contains",
        required=False,
        max_length=60,
        help_text="A word of the action as shown or of its code. For example: complaint, downloaded, sign_in",
    )
    object_id = forms.CharField(label="Complaint reference or object id", required=False, max_length=60)
    since = forms.DateField(label="From", required=False, widget=DateInput())
    until = forms.DateField(label="To", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date must be on or after the start date.")
        return data
