from django.core.management.base import BaseCommand, CommandError

from parley.accounts.models import User
from parley.accounts.services import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a staff member's authenticator app (lost or new phone). They are signed out everywhere "
        "and set up an app again at their next sign-in. Recorded in the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No staff account is named {username!r}.") from None
        removed = two_factor_reset(user=user, via="manage.py reset_2fa")
        if removed:
            self.stdout.write(f"Two-factor sign-in reset for {username}: they set up an app at their next sign-in.")
        else:
            self.stdout.write(f"{username} had no authenticator app; they set one up at their next sign-in.")
