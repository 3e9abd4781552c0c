"""Writing to the audit trail. Every entry goes through ``audit_record``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from parley.audit.models import GENESIS, AuditEntry, AuditHead, canonical, digest


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from. Behind a proxy, set it in the proxy's X-Forwarded-For
    handling (the proxy, not Parley, is the one to trust); Parley reads REMOTE_ADDR."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Runs in its own transaction (a savepoint when nested)."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    detail = detail or {}
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        if head is None:  # the migration creates it; a database flushed by tests may not have it
            head = AuditHead.objects.create(id=1)
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor,
            actor_username=getattr(actor, "username", "") or "",
            actor_role=getattr(actor, "role", "") or "",
            ip_address=client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
            detail_digest=digest(canonical(detail)),
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_hash = entry.hash
        head.save(update_fields=["last_hash"])
    return entry


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
