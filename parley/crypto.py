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
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact

PREFIX = "fernet:"
logger = logging.getLogger(__name__)


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
        # Written in the clear by something that bypassed the field (raw SQL, a restore, an old release
        # still running during a deploy). Reading it must not break the page; `rotate_keys` encrypts it.
        logger.warning("An encrypted column holds a value in the clear; run `manage.py rotate_keys` to encrypt it.")
        return value
    try:
        return fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS (was a key removed "
            "before `manage.py rotate_keys` ran?)"
        ) from None


def rotate(value: str) -> str:
    """The same plaintext, encrypted again under the first key (a value found in the clear is encrypted)."""
    if not value.startswith(PREFIX):
        return encrypt(value)
    try:
        return PREFIX + fernet().rotate(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS; rotation stopped "
            "and nothing of this batch was written."
        ) from None


def under_first_key(value: str) -> bool:
    """Whether a stored value is encrypted under the first (newest) key."""
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode()).decrypt(value[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


def normalise(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == "phone":
        return re.sub(r"\D", "", value)[-10:]  # US numbers: the last ten digits, whatever the punctuation
    return value.lower()


_PHONE_LIKE = re.compile(r"[\d\s().+\-]+")
_REFERENCE_LIKE = re.compile(r"\d{4}-\d+")  # a complaint's reference number ("2026-0042"), never a phone


def is_phone_number(text: str) -> bool:
    """Whether ``text`` is a phone number as people write one (digits with spaces, dots, dashes, brackets
    or a leading +) of 10 to 15 digits, the area code included (15: the longest an international number
    may be): what intake takes as a phone number, and what the search looks up as one."""
    text = (text or "").strip()
    digits = len(re.sub(r"\D", "", text))
    return bool(_PHONE_LIKE.fullmatch(text)) and not _REFERENCE_LIKE.fullmatch(text) and 10 <= digits <= 15


def contact_kind(text: str) -> str | None:
    """``"email"`` or ``"phone"`` when ``text`` (a search, say) is an email address or a phone number
    (``is_phone_number``), else None."""
    text = (text or "").strip()
    if "@" in text and " " not in text:
        return "email"
    if is_phone_number(text):
        return "phone"
    return None


def blind_index(kind: str, value: str) -> str:
    """The lookup key of a value: equal values give equal keys; the key reveals nothing else."""
    value = normalise(kind, value)
    if not value:
        return ""
    key = settings.FIELD_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class EmptyOnlyExact(Exact):
    """``filter(email="")`` works; ``filter(email="x")`` would silently match nothing (every encryption
    differs), so it is refused: search through the blind index instead."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: an exact search compares ciphertexts and finds nothing. "
                "Filter on its blind index (BlindIndexField.lookup_key) instead."
            )
        return super().get_prep_lookup()


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
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name != "isnull":
            return None  # Django then reports the lookup as unsupported
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """The blind index of another field of the same model, kept up to date whenever the row is saved
    (``save()`` and ``bulk_create()``). ``QuerySet.update()`` does not run it: whoever updates the
    source column that way sets this column too (retention blanks both)."""

    def __init__(self, *args: Any, source: str, kind: str, **kwargs: Any):
        self.source, self.kind = source, kind
        kwargs.update(max_length=64, blank=True, default="", editable=False, db_index=True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "blank", "default", "editable", "db_index"):
            kwargs.pop(fixed, None)
        return name, path, args, {**kwargs, "source": self.source, "kind": self.kind}

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.source)
        key = blind_index(self.kind, str(value) if value else "")
        setattr(model_instance, self.attname, key)
        return key

    def lookup_key(self, value: str) -> str:
        """What to filter this column by to find rows whose source equals ``value``."""
        return blind_index(self.kind, value)


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


# ---------------------------------------------------------------------------------------------------
# Rewriting stored values in place: the migration that first encrypted them, and key rotation
# ---------------------------------------------------------------------------------------------------


@dataclass
class EncryptedColumns:
    """One table's encrypted columns and the blind indexes computed from them."""

    table: str
    columns: list[str]
    indexes: dict[str, tuple[str, str]] = field(default_factory=dict)  # index column -> (kind, source column)


def encrypted_tables() -> list[EncryptedColumns]:
    """Every model with an encrypted column, from the models themselves (a new one is found by itself)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        columns = [f.column for f in fields if isinstance(f, EncryptedTextField)]
        if columns:
            by_name = {f.name: f for f in fields}
            indexes = {f.column: (f.kind, by_name[f.source].column) for f in fields if isinstance(f, BlindIndexField)}
            found.append(EncryptedColumns(model._meta.db_table, columns, indexes))
    return found


@dataclass
class RewriteCount:
    rows: int = 0
    values: int = 0
    unencrypted: int = 0  # values found in the clear (and encrypted by this rewrite)


def _select_batch(connection, spec: EncryptedColumns, after: int | None, batch: int, *, lock: bool) -> list[tuple]:
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in spec.columns)
    where = "" if after is None else f"WHERE {qn('id')} > %s "
    locking = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn('id')}, {names} FROM {qn(spec.table)} {where}ORDER BY {qn('id')} LIMIT {int(batch)}{locking}",  # noqa: S608  # nosec B608 (names from the models)
            [] if after is None else [after],
        )
        return cursor.fetchall()


def read_batches(connection, spec: EncryptedColumns, batch: int) -> Iterator[list[tuple]]:
    """Every row's encrypted columns, in batches by key (for reading only)."""
    last = None
    while rows := _select_batch(connection, spec, last, batch, lock=False):
        last = rows[-1][0]
        yield rows


def rewrite_columns(
    connection,
    spec: EncryptedColumns,
    transform: Callable[[str], str],
    *,
    plaintext: Callable[[str, str], str],
    batch: int = 2000,
) -> RewriteCount:
    """Rewrite every non-empty value of the table's encrypted columns with ``transform`` and recompute
    its blind indexes from ``plaintext(old_value, new_value)``.

    Batch by batch, each in its own transaction (a savepoint inside the caller's): the batch's rows are
    read with ``SELECT ... FOR UPDATE`` (PostgreSQL), so an edit or an erasure committed meanwhile is
    never overwritten with the old value, and no lock is held longer than one batch."""
    from django.db import transaction

    qn = connection.ops.quote_name
    targets = spec.columns + list(spec.indexes)
    assignments = ", ".join(f"{qn(c)} = %s" for c in targets)
    sql = f"UPDATE {qn(spec.table)} SET {assignments} WHERE {qn('id')} = %s"  # noqa: S608  # nosec B608
    count = RewriteCount()
    last = None
    while True:
        with transaction.atomic(using=connection.alias):
            rows = _select_batch(connection, spec, last, batch, lock=True)
            if not rows:
                return count
            last = rows[-1][0]
            updates = []
            for pk, *values in rows:
                new, plain, touched = [], {}, False
                for column, value in zip(spec.columns, values, strict=True):
                    text = value.isoformat() if isinstance(value, dt.date) else value
                    if text in (None, ""):
                        new.append(value)
                        plain[column] = ""
                        continue
                    changed = transform(text)
                    new.append(changed)
                    plain[column] = plaintext(text, changed)
                    count.values += 1
                    count.unencrypted += not text.startswith(PREFIX)
                    touched = True
                if touched:
                    keys = [blind_index(kind, plain[source]) for kind, source in spec.indexes.values()]
                    updates.append([*new, *keys, pk])
            if updates:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, updates)
                count.rows += len(updates)


@checks.register(checks.Tags.security, deploy=True)
def check_encryption_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    problems = []
    if getattr(settings, "FIELD_KEYS_DERIVED", False):
        problems.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS and FIELD_INDEX_KEY are not set: personal data is encrypted with keys "
                "derived from SECRET_KEY, so changing SECRET_KEY (after a leak, say) would make it unreadable.",
                hint="Set both from your secret store (Fernet keys: "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())').",
                id="parley.E001",
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------------
# Key rotation (manage.py rotate_keys)
# ---------------------------------------------------------------------------------------------------


@dataclass
class RotationReport:
    table: str
    rows: int = 0
    values: int = 0
    stale: int = 0  # values not (yet) under the first key, those in the clear included
    unencrypted: int = 0  # values in the clear


def _count_stale(connection, spec: EncryptedColumns) -> RotationReport:
    report = RotationReport(spec.table)
    for rows in read_batches(connection, spec, 5000):
        for _pk, *values in rows:
            present = [str(v) for v in values if v not in (None, "")]
            report.rows += bool(present)
            report.values += len(present)
            report.unencrypted += sum(1 for v in present if not v.startswith(PREFIX))
            report.stale += sum(1 for v in present if not v.startswith(PREFIX) or not under_first_key(v))
    return report


def rotation_report() -> list[RotationReport]:
    """How many stored values each table has, and how many are not under the first key. Changes nothing."""
    from django.db import connection

    return [_count_stale(connection, spec) for spec in encrypted_tables()]


def rotate_keys() -> list[RotationReport]:
    """Re-encrypt every stored value under the first key of FIELD_ENCRYPTION_KEYS (encrypting any found
    in the clear) and recompute every blind index under FIELD_INDEX_KEY, one locked batch at a time, so
    the site can stay up. Returns what is left afterwards (``stale`` is then 0 everywhere)."""
    from django.db import connection

    for spec in encrypted_tables():
        rewrite_columns(connection, spec, rotate, plaintext=lambda old, new: decrypt(new))
    return rotation_report()
