from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models

from parley.accounts.roles import ORGANISATION_OF_ROLE, Role


class User(AbstractUser):
    """A staff member. Every staff account has exactly one role."""

    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @property
    def organisation(self) -> str:
        return ORGANISATION_OF_ROLE[self.role]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.get_role_display()})" if full else self.username


class UserSession(AbstractBaseSession):
    """A browser's session (Django's database session), with the user signed in on it, if any.

    Django's own session table cannot be searched by user, so ending "every session of this user"
    (when an account is switched off, or its second factor is reset) would mean decoding every row.
    ``parley.accounts.sessions.SessionStore`` fills ``user`` on every save, so the column always
    follows the session, through sign-in, key rotation and sign-out.
    """

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "signed-in session"

    @classmethod
    def get_session_store_class(cls):
        from parley.accounts.sessions import SessionStore

        return SessionStore
