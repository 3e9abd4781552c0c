"""The audit trail: who did what, when, from where. Append-only and hash-chained.

Each entry holds the SHA-256 of the entry before it, so a row changed or removed directly in the
database breaks the chain at that point (``manage.py verify_audit`` finds it). On PostgreSQL the
database itself refuses UPDATE and DELETE on this table and on the complaint event log.

The ``detail`` of an entry may contain personal data (a search for a name, say). The chain covers a
digest of the detail rather than the detail itself, so retention can redact an old entry's detail
(setting ``redacted_at``) without breaking the chain; ``verify_audit`` checks every unredacted detail
against its digest.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

GENESIS = "0" * 64


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditEntry(models.Model):
    created_at = models.DateTimeField()
    # without an index of its own: the (actor, created_at) index below serves lookups by actor
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    detail_digest = models.CharField(max_length=64)
    redacted_at = models.DateTimeField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"
        # The auditor's page (audit/views.py) shows the newest entries first, by time, found by who (the
        # username as it was written), by object (a complaint's reference, without its type), by action
        # or by dates: an index for each that lists them in that order, so that a page reads its own
        # hundred entries. Without them a username that has no entries read the whole trail (220 ms at
        # 3 million entries), a complaint's entries 28 ms, a day long ago 314 ms (docs/benchmarks.md).
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["actor", "created_at"]),
            # the username whatever its case, as the auditor types it ("Intake" finds intake's entries)
            models.Index(Upper("actor_username"), "created_at", "id", name="audit_entry_username_upper"),
            models.Index(fields=["object_id", "created_at", "id"], name="audit_entry_object"),
            models.Index(fields=["action", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username or 'anonymous'} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only; use parley.audit.services.audit_redact for retention.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")

    def chained_fields(self) -> dict[str, object]:
        """What the hash covers: every field but the detail itself (its digest stands in)."""
        return {
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "actor_username": self.actor_username,
            "actor_role": self.actor_role,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "detail_digest": self.detail_digest,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return digest(canonical(self.chained_fields()))


class AuditHead(models.Model):
    """One row that holds the end of the chain. Appends lock it, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return self.last_hash
