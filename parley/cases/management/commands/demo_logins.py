from django.core.management.base import BaseCommand

from parley.accounts.demo import DEMO_TOTP_SECRET, ensure_demo_devices
from parley.accounts.models import User
from parley.cases.demo import DEMO_PASSWORD, DEMO_STAFF


class Command(BaseCommand):
    help = "Print the demo staff logins (only those that exist), and how to get their sign-in codes."

    def handle(self, *args, **options):
        existing = set(User.objects.filter(username__in=[u for u, *_ in DEMO_STAFF]).values_list("username", flat=True))
        if not existing:
            self.stdout.write("No demo logins in this database.")
            return
        ensure_demo_devices()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role in DEMO_STAFF:
            if username in existing:
                self.stdout.write(f"  {username:<12} {first} {last}, {role.label}")
        self.stdout.write(
            "After the password, Parley asks for a code from an authenticator app. Every demo login uses the\n"
            f"same demo secret: add {DEMO_TOTP_SECRET} to an authenticator app (time-based, 6 digits,\n"
            "30 seconds), or print the current code with:  DEBUG=1 .venv/bin/python manage.py demo_otp USERNAME"
        )
