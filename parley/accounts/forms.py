"""The staff sign-in, code and password forms: Django's own, with USWDS widgets and plain-language labels."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core import validators

from parley.uswds import USWDSForm


class SignInForm(USWDSForm, auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "The username or password is not right. Check them and try again.",
        "inactive": "This account is switched off. Ask the program administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's form sets the username's limit after the field is made, so nothing checks it: a longer
        # one went on to the lockout's record of the failed try, which PostgreSQL refused (a 500). No
        # account has a longer name, so no account is tried.
        username = self.fields["username"]
        too_long = f"A username has at most {username.max_length} characters."
        username.validators.append(validators.MaxLengthValidator(username.max_length, message=too_long))


class _PlainPasswordLabels:
    """The field labels the pages show, set on the form so that its error summary names the fields the
    same way."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"old_password": "Your current password", "new_password2": "New password again"}
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label


class PasswordChangeForm(_PlainPasswordLabels, USWDSForm, auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Type it again.",
    }


class PasswordResetForm(USWDSForm, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(_PlainPasswordLabels, USWDSForm, auth_forms.SetPasswordForm):
    pass


class CodeInput(forms.TextInput):
    """A code is typed afresh after a wrong one: the field never shows the previous attempt."""

    def format_value(self, value):
        return None


class CodeForm(USWDSForm, forms.Form):
    """The code from the authenticator app (six digits; spaces and dashes as the app shows them are fine)."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        widget=CodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": "8"}
        ),
        error_messages={"required": "Type the code your authenticator app shows."},
    )

    error_messages = {
        "wrong": "That code is not right. Type the code your app shows now; a code works for about 30 seconds.",
        "wrong_setup": (
            "That code is not right. Check that the app shows the code for Parley, then type the code it shows now."
        ),
        "wait": "Wait a few seconds, then type the code your app shows now.",
    }

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"] if not ch.isspace() and ch != "-")
        if not (code.isascii() and code.isdigit() and len(code) in (6, 8)):
            raise forms.ValidationError("The code is 6 digits, like 123456.")
        return code
