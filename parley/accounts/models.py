from __future__ import annotations

from django.contrib.auth.models import AbstractUser
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
