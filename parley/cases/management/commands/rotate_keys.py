"""Re-encrypt every stored contact value under the newest key and recompute the lookup indexes.

To change keys: put the new Fernet key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it),
restart Parley, run `manage.py rotate_keys --dry-run` to see what will change, then
`manage.py rotate_keys`. When it reports every value under the first key, remove the old keys.
A new FIELD_INDEX_KEY takes effect the same way: searches by email or phone find nothing for the rows
not yet rewritten until the command has finished.
"""

from django.core.management.base import BaseCommand, CommandError

from parley.audit.services import audit_record
from parley.crypto import rotate_keys, rotation_report


class Command(BaseCommand):
    help = "Re-encrypt personal contact data under the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        before = rotation_report()
        for r in before:
            self.stdout.write(
                f"{r.table}: {r.values} encrypted values in {r.rows} rows, {r.stale} not under the first key"
                + (f" ({r.unencrypted} of them stored in the clear: they will be encrypted)." if r.unencrypted else ".")
            )
        if dry_run:
            self.stdout.write("Dry run: nothing changed. Run without --dry-run to re-encrypt every value.")
            return
        after = rotate_keys()
        stale = sum(r.stale for r in after)
        audit_record(
            action="keys.rotate",
            detail={r.table: {"values": r.values, "were_stale": b.stale} for r, b in zip(after, before, strict=True)},
        )
        if stale:
            raise CommandError(f"{stale} values are still not under the first key; keep the old keys and run it again.")
        total = sum(r.values for r in after)
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {total} values; every one is now under the first key and every lookup index is "
                "recomputed. The older keys in FIELD_ENCRYPTION_KEYS may now be removed."
            )
        )
