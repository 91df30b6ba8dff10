"""Shared steps of the two-factor tests: devices with known secrets and the codes they show now."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from meridian.accounts.models import User


def add_app(user: User, *, name: str = "Phone") -> TOTPDevice:
    """A confirmed authenticator app for ``user``."""
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The 6-digit code the app shows at this moment (RFC 6238 with the device's own parameters)."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A 6-digit code that is certainly not accepted now (differs from the codes of the tolerated steps)."""
    right = {int(current_code(device))}
    for offset in (-1, 1):
        right.add(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset))
    return next(f"{n:06d}" for n in range(1000000) if n not in right)
