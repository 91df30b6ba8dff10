"""Reads of a user's second-factor devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from meridian.accounts.models import User

# URL names of the device kinds a person can add and remove (recovery codes are managed as one set).
KIND_TOTP = "totp"
KIND_PASSKEY = "passkey"
DEVICE_MODELS: dict[str, type[Device]] = {KIND_TOTP: TOTPDevice, KIND_PASSKEY: WebAuthnCredential}


@dataclass(frozen=True)
class DeviceRow:
    """One device as the account page lists it."""

    kind: str
    pk: int
    name: str
    created_at: datetime | None
    last_used_at: datetime | None


def primary_devices(user: User) -> list[DeviceRow]:
    """The user's confirmed authenticator apps and passkeys, oldest first (two queries)."""
    rows: list[DeviceRow] = []
    for kind, model in DEVICE_MODELS.items():
        for device in model.objects.filter(user=user, confirmed=True).order_by("pk"):
            rows.append(
                DeviceRow(
                    kind=kind,
                    pk=device.pk,
                    name=device.name,
                    created_at=getattr(device, "created_at", None),
                    last_used_at=getattr(device, "last_used_at", None),
                )
            )
    return sorted(rows, key=lambda row: (row.created_at is None, row.created_at or datetime.min, row.pk))


def has_primary_device(user: User) -> bool:
    """True when the user has a confirmed authenticator app or passkey (at most two queries)."""
    return any(model.objects.filter(user=user, confirmed=True).exists() for model in DEVICE_MODELS.values())


def has_passkey(user: User) -> bool:
    """True when the user has a confirmed passkey (one query)."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the user has (one query)."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_device(user: User) -> StaticDevice | None:
    """The user's recovery-code device, if any."""
    return StaticDevice.objects.filter(user=user).order_by("pk").first()


def any_device(user: User) -> Device | None:
    """One of the user's confirmed authenticator apps or passkeys, or None."""
    for model in DEVICE_MODELS.values():
        device = model.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is not None:
            return device
    return None


def user_device(user: User, kind: str, pk: int) -> Device | None:
    """The user's own device of that kind, or None (someone else's device is never returned)."""
    model = DEVICE_MODELS.get(kind)
    if model is None:
        return None
    return model.objects.filter(user=user, pk=pk).first()
