from django.core.management.base import BaseCommand

from parley.accounts.models import User
from parley.cases.demo import DEMO_PASSWORD, DEMO_STAFF


class Command(BaseCommand):
    help = "Print the demo staff logins (only those that exist)."

    def handle(self, *args, **options):
        existing = set(User.objects.filter(username__in=[u for u, *_ in DEMO_STAFF]).values_list("username", flat=True))
        if not existing:
            self.stdout.write("No demo logins in this database.")
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role in DEMO_STAFF:
            if username in existing:
                self.stdout.write(f"  {username:<12} {first} {last}, {role.label}")
