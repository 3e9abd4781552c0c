"""Writing to the audit trail. Every entry goes through ``audit_record``."""

from __future__ import annotations

import contextlib
import functools
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from parley.audit.models import GENESIS, AuditEntry, AuditHead, canonical, digest


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from, for the audit trail and the sign-in lockout (django-axes'
    ``AXES_CLIENT_IP_CALLABLE``). Directly, that is REMOTE_ADDR. Behind ``TRUSTED_PROXY_COUNT``
    reverse proxies, each of which adds the address it was reached from to X-Forwarded-For, it is
    that many entries from the end of the header: what the client itself wrote there comes before
    them and is never believed. ``None`` when there is no usable address."""
    if request is None:
        return None
    return _forwarded_client(request) or _address(request.META.get("REMOTE_ADDR"))


def client_ip_known(request: HttpRequest) -> bool:
    """Whether ``client_ip`` is the client's own address: it is not when Parley is behind a proxy that
    it has not been told about (TRUST_X_FORWARDED_PROTO without TRUSTED_PROXY_COUNT), or when the
    proxies it was told about did not say (REMOTE_ADDR is then a proxy's, shared by everyone)."""
    if settings.TRUSTED_PROXY_COUNT:
        return _forwarded_client(request) is not None
    return not settings.SECURE_PROXY_SSL_HEADER and _address(request.META.get("REMOTE_ADDR")) is not None


def _forwarded_client(request: HttpRequest) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return None
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    return _address(forwarded[-proxies]) if len(forwarded) >= proxies else None


def _address(text: str | None) -> str | None:
    """An address as Python writes it, from the forms proxies write: ``203.0.113.9``, ``203.0.113.9:4711``,
    ``2001:db8::1``, ``[2001:db8::1]:4711``; an IPv4 client of a server listening on IPv6
    (``::ffff:203.0.113.9``) is its IPv4 address. ``None`` for anything else."""
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # [v6] or [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return None
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return str(parsed)


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, committed before this returns (or with the caller's transaction,
    when there is one)."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    detail = _storable(detail or {})
    object_id = _storable(str(object_id))
    if len(object_id) > _MAX["object_id"]:  # from a URL, so any length: the whole of it goes to the detail
        detail["object_id"] = object_id
        object_id = object_id[: _MAX["object_id"] - 1] + "…"
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor,
        actor_username=_fit("actor_username", getattr(actor, "username", "") or ""),
        actor_role=_fit("actor_role", getattr(actor, "role", "") or ""),
        ip_address=client_ip(request),
        user_agent=_fit("user_agent", request.META.get("HTTP_USER_AGENT", "") if request is not None else ""),
        action=_fit("action", action),
        object_type=_fit("object_type", object_type),
        object_id=object_id,
        detail=detail,
        detail_digest=digest(canonical(detail)),
    )
    if connection.vendor == "postgresql":
        for _ in range(_OPTIMISTIC_TRIES):
            if _append_in_one_statement(entry):
                return entry
    _append_locked(entry)
    return entry


_MAX = {f.name: f.max_length for f in AuditEntry._meta.get_fields() if getattr(f, "max_length", None)}


def _fit(name: str, value: str) -> str:
    """``value`` as it can be stored in the column ``name``: cut to its length, here and not by the
    database, so that the hash covers exactly what is stored."""
    value = _storable(value)
    limit = _MAX[name]
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _storable(value: Any) -> Any:
    """``value`` with every NUL character written out as ``\\x00``: neither text columns nor JSON in
    PostgreSQL can hold one, and a request may carry one (``?q=a%00b``) that must still be recorded."""
    if isinstance(value, str):
        return value.replace("\x00", "\\x00")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def _append_locked(entry: AuditEntry) -> None:
    """Lock the head of the chain, link the entry to it, move the head on (a transaction)."""
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        if head is None:  # the migration creates it; a database flushed by tests may not have it
            AuditHead.objects.bulk_create([AuditHead(id=1)], ignore_conflicts=True)  # another may, at once
            head = AuditHead.objects.select_for_update().get(id=1)
        entry.prev_hash = head.last_hash
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_hash = entry.hash
        head.save(update_fields=["last_hash"])
    _last_hash[connection.alias] = entry.hash


# PostgreSQL: the entry is linked to the head this process last saw, and written by one statement that
# moves the head on only if it is still there (and inserts nothing otherwise). One round trip instead
# of five (begin, lock, insert, update, commit), and the head stays locked only while that statement
# commits, instead of across every round trip of a transaction, so that staff requests wait less on
# each other. When another process appended in between, the statement changes nothing and says what
# the head is now; after a few such misses the entry takes the lock instead (_append_locked).
_OPTIMISTIC_TRIES = 3
_last_hash: dict[str, str] = {}
_COLUMNS = [
    "created_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "ip_address",
    "user_agent",
    "action",
    "object_type",
    "object_id",
    "detail",
    "detail_digest",
    "prev_hash",
    "hash",
]


def _field(column: str):
    return AuditEntry._meta.get_field("actor" if column == "actor_id" else column)


def _cast(column: str) -> str:
    """The type to cast a value to: the column's, but text for a varchar(n), since a cast to varchar(n)
    would cut a longer value without a word (the insert itself refuses one)."""
    field = _field(column)
    db_type = field.rel_db_type(connection) if column == "actor_id" else field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


@functools.cache
def _append_sql() -> str:
    # each value cast to its column's type: in an INSERT ... SELECT a bare literal would be text
    values = ", ".join(f"%s::{_cast(c)}" for c in _COLUMNS)
    # names and types from the model, never from input; every value is a parameter
    insert = f"INSERT INTO audit_auditentry ({', '.join(_COLUMNS)}) SELECT {values} FROM moved RETURNING id"  # noqa: S608  # nosec B608 (names from the model)
    return (
        "WITH moved AS (UPDATE audit_audithead SET last_hash = %s WHERE id = 1 AND last_hash = %s RETURNING id),"  # noqa: S608  # nosec B608
        f" added AS ({insert})"
        " SELECT (SELECT id FROM added), (SELECT last_hash FROM audit_audithead WHERE id = 1)"
    )


def _append_in_one_statement(entry: AuditEntry) -> bool:
    """Try the one-statement append; False when the head had moved on (then it is known for the next try)."""
    prev = _last_hash.get(connection.alias)
    if prev is None:
        prev = AuditHead.objects.filter(id=1).values_list("last_hash", flat=True).first()
        if prev is None:
            return False  # no head row: the locked path creates it
    entry.prev_hash = prev
    entry.hash = entry.compute_hash()
    params = [entry.hash, prev]
    for column in _COLUMNS:
        value = entry.actor_id if column == "actor_id" else getattr(entry, column)
        params.append(value if column == "actor_id" else _field(column).get_db_prep_save(value, connection))
    # inside a caller's transaction, a savepoint: a failure here must not abort the caller's work
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(_append_sql(), params)
        new_id, head = cursor.fetchone()
    if new_id is None:
        # The head moved on. What the statement saw (its snapshot) may itself be outdated by now; the
        # next try finds out, and the locked path settles it for good.
        if head and head != prev:
            _last_hash[connection.alias] = head
        else:
            _last_hash.pop(connection.alias, None)
        return False
    entry.pk = new_id
    entry._state.adding = False
    entry._state.db = connection.alias
    _last_hash[connection.alias] = entry.hash
    return True


@dataclass
class Break:
    entry_id: int | None
    problem: str


def verify_chain(*, batch_size: int = 5000) -> Iterator[Break]:
    """Every place where the stored chain does not hold, in order."""
    expected_prev = GENESIS
    last_id = 0
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        count += 1
        if entry.prev_hash != expected_prev:
            yield Break(entry.id, "the entry before it was changed or removed (prev_hash does not match)")
        if entry.compute_hash() != entry.hash:
            yield Break(entry.id, "the entry was changed after it was written (hash does not match)")
        if entry.redacted_at is None and digest(canonical(entry.detail)) != entry.detail_digest:
            yield Break(entry.id, "the entry's detail was changed (digest does not match)")
        expected_prev = entry.hash
        last_id = entry.id
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and head.last_hash != expected_prev:
        yield Break(last_id or None, "entries at the end of the chain were removed (the head does not match)")
    if head is None and count:
        yield Break(None, "the chain head is missing")


def audit_redact(*, entry_ids: list[int], reason: str) -> int:
    """Blank the detail of old entries (retention). The chain stays valid; the redaction is recorded."""
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the append-only trigger lets this one change through
                cursor.execute("SET LOCAL parley.redaction = 'on'")
        changed = AuditEntry.objects.filter(id__in=entry_ids, redacted_at__isnull=True).update(
            detail={"redacted": reason}, redacted_at=now
        )
    return changed
