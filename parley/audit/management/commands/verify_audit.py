from django.core.management.base import BaseCommand, CommandError

from parley.audit.models import AuditEntry
from parley.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; report the first broken link (exit 1 if any)."

    def handle(self, *args, **options):
        first = next(verify_chain(), None)
        if first is not None:
            where = f"entry {first.entry_id}" if first.entry_id else "the chain"
            raise CommandError(f"Audit trail broken at {where}: {first.problem}.")
        self.stdout.write(f"Audit trail intact: {AuditEntry.objects.count():,} entries.")
