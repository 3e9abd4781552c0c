"""Second-factor helpers for tests: a confirmed authenticator device, and a code it accepts now.

Codes are computed with django-otp's own TOTP (``parley.accounts.twofactor``), as an authenticator
app would compute them; nothing is mocked.
"""

from __future__ import annotations

import time

from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts.twofactor import DEVICE_NAME, code_at, current_step


def device_for(user) -> TOTPDevice:
    """The user's confirmed authenticator device, set up now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return device


def next_code(device: TOTPDevice) -> str:
    """A code ``device`` accepts now. A device never accepts a time step twice, so when the current
    step's code was used already (the same user signing in twice within 30 seconds), this is the next
    step's code, which the device's one-step tolerance accepts; if that was used too, it waits."""
    device.refresh_from_db()
    step = max(current_step(device), device.last_t + 1)
    while step > current_step(device) + device.tolerance:
        time.sleep(0.25)
    return code_at(device, step)


def wrong_code(device: TOTPDevice) -> str:
    """A well-formed code that ``device`` does not accept now."""
    now = current_step(device)
    accepted = {code_at(device, t) for t in range(now - device.tolerance - 1, now + device.tolerance + 2)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in accepted)
