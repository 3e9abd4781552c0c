"""Load the demo data set: staff for every role, reference data and complaints in every status."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from parley.accounts.demo import ensure_demo_devices
from parley.cases.demo import generate_complaints
from parley.cases.models import Complaint


class Command(BaseCommand):
    help = "Load deterministic demo data (staff logins, policies, complaints in every status)."

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, default=400, help="How many complaints (default 400).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when complaints exist already.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch-size", type=int, default=2000, help="Complaints per transaction (default 2000).")
        parser.add_argument(
            "--fast-indexes",
            action="store_true",
            help="PostgreSQL, for big loads: drop the foreign keys and secondary indexes of the complaint tables, "
            "load everything in one transaction, then create them again (the tables are locked meanwhile).",
        )

    def handle(self, *args, complaints: int, if_empty: bool, seed: int, batch_size: int, fast_indexes: bool, **options):
        if complaints < 0:
            raise CommandError("--complaints must be zero or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if fast_indexes and connection.vendor != "postgresql":
            raise CommandError("--fast-indexes needs PostgreSQL.")
        if if_empty and Complaint.objects.exists():
            self.stdout.write("Demo data: the database has complaints already; nothing loaded.")
            return
        started = time.monotonic()

        def progress(done: int) -> None:
            if complaints >= 10 * batch_size:
                rate = done / max(time.monotonic() - started, 1e-9)
                self.stdout.write(f"  {done:,} / {complaints:,} complaints ({rate:,.0f}/s)")

        written = generate_complaints(
            complaints,
            seed=seed,
            batch_size=batch_size,
            progress=progress,
            fast_indexes=fast_indexes,
            note=self.stdout.write if complaints >= 10 * batch_size else None,
        )
        ensure_demo_devices()  # the demo logins' sign-in codes (parley/accounts/demo.py)
        self.stdout.write(f"Demo data: {written:,} complaints in {time.monotonic() - started:.1f}s.")
