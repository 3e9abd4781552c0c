"""Personal contact data encrypted at rest (addresses, phone numbers, email addresses, birth dates).

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package)
under the keys in ``FIELD_ENCRYPTION_KEYS``: the first key encrypts, every key decrypts, so a new key
is put first, ``manage.py rotate_keys`` re-encrypts every value with it, and the old key can then be
removed. Encrypted values cannot be searched, so each searchable one also gets a blind index: an
HMAC-SHA256 of the normalised value under ``FIELD_INDEX_KEY``, for exact-match lookups.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key: {exc}") from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        raise ValueError("an encrypted column holds a value that was not encrypted")
    try:
        return fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS (was a key removed "
            "before `manage.py rotate_keys` ran?)"
        ) from None


def rotate(value: str) -> str:
    """The same plaintext, encrypted again under the first key."""
    return PREFIX + fernet().rotate(value[len(PREFIX) :].encode()).decode()


def normalise(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == "phone":
        return re.sub(r"\D", "", value)[-10:]  # US numbers: the last ten digits, whatever the punctuation
    return value.lower()


def blind_index(kind: str, value: str) -> str:
    """The lookup key of a value: equal values give equal keys; the key reveals nothing else."""
    value = normalise(kind, value)
    if not value:
        return ""
    key = settings.FIELD_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted. Only emptiness can be queried; search through a blind index."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name: str):
        if lookup_name not in {"isnull", "exact"}:
            return None  # Django then reports the lookup as unsupported
        return super().get_lookup(lookup_name)


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted (as its ISO text)."""

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            value = value.isoformat()
        return super().get_prep_value(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        return dt.date.fromisoformat(text) if text else None

    def to_python(self, value: Any) -> Any:
        if value in (None, "") or isinstance(value, dt.date):
            return value or None
        return dt.date.fromisoformat(str(value))

    def formfield(self, **kwargs):
        from django import forms

        return forms.DateField(**{"required": not self.blank, **kwargs})


@checks.register(checks.Tags.security, deploy=True)
def check_encryption_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    problems = []
    if getattr(settings, "FIELD_KEYS_DERIVED", False):
        problems.append(
            checks.Warning(
                "FIELD_ENCRYPTION_KEYS and FIELD_INDEX_KEY are not set: personal data is encrypted with keys "
                "derived from SECRET_KEY.",
                hint="Set both from your secret store (Fernet keys: "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())').",
                id="parley.W001",
            )
        )
    return problems
