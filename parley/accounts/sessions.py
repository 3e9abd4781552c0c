"""The session engine (``SESSION_ENGINE``): Django's database sessions, indexed by user.

Each save writes the signed-in user's id beside the session, so ``UserSession.objects.filter(user=...)``
finds every session of a user without decoding any. Nothing else differs from Django's ``db`` engine:
expiry, ``clearsessions`` and key rotation work as documented. A session is read by fixed SQL
(``identity.session_data``) rather than through the ORM: it is read on every staff request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from parley.accounts.models import UserSession

        return UserSession

    def load(self) -> dict[str, Any]:
        from parley.accounts.identity import session_data

        key = self.session_key
        data = session_data(key, timezone.now()) if key else None
        if data is None:  # gone or ended: as Django's engine, forget the key so that a save makes a new one
            self._session_key = None
            return {}
        return self.decode(data)

    def create_model_instance(self, data: dict[str, Any]):
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        try:
            session.user_id = int(user_id) if user_id is not None else None
        except (TypeError, ValueError):
            session.user_id = None
        return session
