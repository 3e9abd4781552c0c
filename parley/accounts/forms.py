"""The staff sign-in and password forms: Django's own, with USWDS widgets and plain-language labels."""

from __future__ import annotations

from django.contrib.auth import forms as auth_forms

from parley.uswds import USWDSForm


class SignInForm(USWDSForm, auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "The username or password is not right. Check them and try again.",
        "inactive": "This account is switched off. Ask the program administrator.",
    }


class PasswordChangeForm(USWDSForm, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(USWDSForm, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(USWDSForm, auth_forms.SetPasswordForm):
    pass
