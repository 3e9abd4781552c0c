from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from parley.accounts import forms, idle, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    # The second step of signing in: a code from the authenticator app, or setting one up.
    path("login/code/", views.verify, name="verify"),
    path("login/set-up/", views.enrol, name="enrol"),
    # Signing out is a POST (a form button in the header); GET answers 405.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # How long the session has left without use, and "Stay signed in" (the idle warning: idle.py).
    path("session/", idle.session_status, name="session_status"),
    path("session/extend/", idle.stay_signed_in, name="stay_signed_in"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            form_class=forms.PasswordChangeForm, success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=forms.PasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=forms.SetPasswordForm, success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
