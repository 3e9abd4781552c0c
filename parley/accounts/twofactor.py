"""The second factor: one TOTP device (an authenticator app) per staff member.

A user has at most one *confirmed* device, the one they sign in with. While they enrol, an
*unconfirmed* device holds the secret shown on the set-up page; the first right code confirms it.
"""

from __future__ import annotations

import time
from base64 import b32encode

import segno
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"


def confirmed_device(user) -> TOTPDevice | None:
    """The device ``user`` signs in with, or None if they have not set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user) -> TOTPDevice:
    """The device being set up (created with a fresh random secret when there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (RFC 4648 base32, no padding)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret in groups of four, easier to read aloud and to type."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as an inline SVG QR code (no image library needed)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#1b1b1b", light="#ffffff")


def code_at(device: TOTPDevice, t: int) -> str:
    """The code of time step ``t`` (zero-padded, as an app shows it)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + t * device.step
    return str(totp.token()).zfill(device.digits)


def current_step(device: TOTPDevice) -> int:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return totp.t()


def code_now(device: TOTPDevice) -> str:
    """The code an authenticator app shows right now."""
    return code_at(device, current_step(device))


def seconds_left(device: TOTPDevice) -> int:
    """How long the current code stays current."""
    return device.step - int(time.time() - device.t0) % device.step
