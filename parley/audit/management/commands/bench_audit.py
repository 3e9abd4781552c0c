"""Server time of the auditor's page of the audit trail, on a long trail, beside a minimal view.

    DEBUG=0 SECRET_KEY=... SECURE_SSL_REDIRECT=0 DATABASE_URL=postgres://... \\
        python manage.py bench_audit --entries 3000000 --requests 30

The trail grows by a staff request at a time (every page view is an entry), so a program's trail is
soon millions of entries long, and the auditor looks in it for a complaint's entries, a person's, an
action's or a day's (audit/views.py). ``--entries N`` first appends entries until the trail holds N:
a year of staff work on the complaints already in the database (run ``seed_demo`` first), made by the
demo staff, each entry linked to the one before it as any other (``verify_audit`` still passes). For
a demo or benchmark database only: the entries say that people opened pages they never opened.

Requests go through the whole Django stack in this process, as in ``bench_pages``; the floor is
``/healthz``. The pages are timed in rounds, one request of each per round.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from parley.accounts.models import User
from parley.accounts.roles import Role
from parley.audit import services
from parley.audit.models import AuditEntry, AuditHead, canonical, digest
from parley.cases.management.commands.bench_pages import _percentile, _verified_client
from parley.cases.models import Complaint

# what staff do most, and how often (a share of the entries)
_ACTIONS = [
    ("view:cases:detail", 35),
    ("view:cases:list", 25),
    ("view:home", 20),
    ("auth.sign_in", 8),
    ("auth.sign_out", 5),
    ("change:cases:note_create", 5),
    ("export:cases:export", 2),
]
_ABOUT_A_COMPLAINT = {"view:cases:detail", "change:cases:note_create"}
_BATCH = 5000


class Command(BaseCommand):
    help = "Measure the auditor's page of the audit trail (by complaint, person, action, dates) on a long trail."

    def add_arguments(self, parser):
        parser.add_argument(
            "--entries", type=int, default=0, help="First append entries until the trail holds this many."
        )
        parser.add_argument("--requests", type=int, default=30, help="Timed requests per page (after 3 warm-ups).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, entries: int, requests: int, seed: int, **options):
        if settings.DEBUG:
            raise CommandError("Run with DEBUG=0: DEBUG records every query and would distort the figures.")
        if requests < 5:
            raise CommandError("--requests must be at least 5.")
        rng = random.Random(seed)
        have = AuditEntry.objects.count()
        if entries > have:
            started = time.monotonic()
            self._append(entries - have, rng)
            self.stdout.write(f"Appended {entries - have:,} entries in {time.monotonic() - started:.0f}s.")
        auditor = User.objects.filter(role=Role.AUDITOR, is_active=True).order_by("id").first()
        if auditor is None:
            raise CommandError("No auditor: run seed_demo first.")
        client = _verified_client(auditor)
        total = AuditEntry.objects.count()
        about = AuditEntry.objects.filter(object_type="complaint").order_by("-id")
        reference, username = about.values_list("object_id", "actor_username").first() or ("-", auditor.username)
        oldest = AuditEntry.objects.order_by("created_at").values_list("created_at", flat=True).first()
        long_ago = timezone.localdate(oldest) + dt.timedelta(days=30) if oldest else timezone.localdate()
        theirs = AuditEntry.objects.filter(actor_username=username).order_by("-created_at", "-id")
        second = theirs.values_list("id", flat=True)[99:100]  # where their first page ends
        pages = {
            "floor: minimal view (/healthz)": "/healthz",
            "the newest entries": "/audit/",
            "a complaint's entries": f"/audit/?{urlencode({'object_id': reference})}",
            "a person's entries": f"/audit/?{urlencode({'who': username})}",
            "a person's, their second page": f"/audit/?{urlencode({'who': username, 'before': (second or [''])[0]})}",
            "a name with no entries": "/audit/?who=nobody-by-this-name",
            "an action: export": "/audit/?action=export",
            "an action in no entry": "/audit/?action=password_reset",
            "one day, a month after the first": f"/audit/?{urlencode({'since': long_ago, 'until': long_ago})}",
        }
        self.stdout.write(
            f"{connection.vendor} {connection.settings_dict.get('NAME')}: {total:,} audit entries; "
            f"{requests} timed requests per page"
        )
        timings: dict[str, list[float]] = {name: [] for name in pages}
        for round_number in range(requests + 3):
            for name, url in pages.items():
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200 or b'role="alert"' in response.content:
                    raise CommandError(f"{url} answered {response.status_code}, or with an error message")
                if round_number >= 3:
                    timings[name].append(elapsed)
        floor = statistics.median(timings["floor: minimal view (/healthz)"])
        self.stdout.write(f"{'page':<36} {'median ms':>10} {'p95 ms':>10} {'x floor':>8}")
        for name, values in timings.items():
            median = statistics.median(values)
            self.stdout.write(f"{name:<36} {median:>10.1f} {_percentile(values, 0.95):>10.1f} {median / floor:>8.1f}")

    def _append(self, count: int, rng: random.Random) -> None:
        """``count`` entries spread over the year before now, oldest first, chained on from the head
        (held locked meanwhile, so that no request's entry forks the chain)."""
        staff = list(User.objects.filter(is_active=True).exclude(role="").values_list("id", "username", "role"))
        if not staff:
            raise CommandError("No staff to have made the entries: run seed_demo first.")
        references = list(Complaint.objects.order_by("?").values_list("reference", flat=True)[:20000])
        if not references:
            raise CommandError("No complaints for the entries to be about: run seed_demo first.")
        codes, weights = zip(*_ACTIONS, strict=True)
        now = timezone.now()
        start, step = now - dt.timedelta(days=365), dt.timedelta(days=365) / count
        with transaction.atomic():
            head = AuditHead.objects.select_for_update().get_or_create(id=1)[0]
            prev = head.last_hash
            batch: list[AuditEntry] = []
            for n in range(count):
                actor_id, username, role = rng.choice(staff)
                action = rng.choices(codes, weights)[0]
                about = action in _ABOUT_A_COMPLAINT
                detail = {"status": 200, "method": "GET"}
                entry = AuditEntry(
                    created_at=start + step * n,
                    actor_id=actor_id,
                    actor_username=username,
                    actor_role=role,
                    ip_address=f"10.0.{rng.randrange(4)}.{rng.randrange(1, 250)}",
                    user_agent="",
                    action=action,
                    object_type="complaint" if about else "",
                    object_id=rng.choice(references) if about else "",
                    detail=detail,
                    detail_digest=digest(canonical(detail)),
                    prev_hash=prev,
                )
                entry.hash = prev = entry.compute_hash()
                batch.append(entry)
                if len(batch) == _BATCH:
                    AuditEntry.objects.bulk_create(batch)
                    batch.clear()
                    if n + 1 >= 20 * _BATCH and (n + 1) % (20 * _BATCH) == 0:
                        self.stdout.write(f"  {n + 1:,} / {count:,} entries")
            AuditEntry.objects.bulk_create(batch)
            head.last_hash = prev
            head.save(update_fields=["last_hash"])
        services._last_hash.pop(connection.alias, None)  # the head moved: read it again before the next append
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE audit_auditentry")
