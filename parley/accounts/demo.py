"""Demo sign-in codes: every demo login gets an authenticator device with ONE fixed, published secret.

The secret is as public as the demo password (both are printed by ``manage.py demo_logins`` and
written in the README), so it protects nothing: it only lets a person sign in to the demo, with an
authenticator app that has the secret added, or with ``manage.py demo_otp USERNAME``. Only the demo
usernames get it, and a demo user who set up their own app keeps it.
"""

from __future__ import annotations

from base64 import b32decode

from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts.models import User
from parley.cases.demo import DEMO_STAFF

DEMO_TOTP_SECRET = "PARLEYDEMOONLYNOTFORREALUSE23456"  # noqa: S105 (base32; printed for the demo, like its password)
DEMO_TOTP_KEY = b32decode(DEMO_TOTP_SECRET).hex()  # how django-otp stores it


def demo_usernames() -> list[str]:
    return [username for username, *_ in DEMO_STAFF]


def ensure_demo_devices() -> int:
    """A confirmed device with the demo secret for each demo user that has none. Returns how many were made."""
    users = User.objects.filter(username__in=demo_usernames()).exclude(totpdevice__confirmed=True)
    devices = [TOTPDevice(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True) for user in users]
    TOTPDevice.objects.bulk_create(devices)
    return len(devices)


def demo_device(username: str) -> TOTPDevice | None:
    """The demo device of a demo user (None for anyone else, or for a demo user with their own app)."""
    if username not in demo_usernames():
        return None
    return TOTPDevice.objects.filter(user__username=username, key=DEMO_TOTP_KEY, confirmed=True).first()
