"""The authentication backend: Django's ``ModelBackend``, with the signed-in user of each request read
by fixed SQL (``identity.py``) instead of a query built by the ORM. Signing in, permissions and the
checks on the user read (``user_can_authenticate``: an account switched off is nobody) are Django's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from parley.accounts.identity import user_by_id


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any):
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
