"""Changes to a user's second factors: authenticator apps (TOTP, RFC 6238), passkeys and recovery codes."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from meridian.accounts.models import User
from meridian.twofactor import selectors

logger = logging.getLogger("meridian.twofactor")

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"


def normalise_code(code: str) -> str:
    """A code as typed (spaces, hyphens, upper case allowed) in the form it is stored and compared in."""
    return "".join(code.split()).replace("-", "").lower()


def format_recovery_code(code: str) -> str:
    """A recovery code in groups of four characters (``abcd-efgh``), easier to copy by hand."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def totp_device_start(*, user: User, name: str) -> TOTPDevice:
    """Create an unconfirmed authenticator-app device with a fresh 160-bit secret.

    Earlier unconfirmed devices of the user (abandoned set-ups) are deleted. The device does not count for
    sign-in until ``totp_device_confirm`` accepts a code from it.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=name[:64], confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm an unconfirmed authenticator app with a current 6-digit code (RFC 6238, ±1 step).

    Returns False (and counts a throttled failure) when the code does not match; True after confirming.
    """
    if not device.verify_token(normalise_code(token)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    logger.info("two-factor: user %s added an authenticator app (device %s)", device.user_id, device.pk)
    return True


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Replace the user's recovery codes by ``RECOVERY_CODE_COUNT`` new single-use codes and return them.

    Each code is 8 random base-32 characters (40 bits, django-otp's ``StaticToken.random_token``; guessing
    is further slowed by the per-device throttling). Old codes stop working at once. The caller shows the
    returned codes once; they are never shown again.
    """
    device = selectors.recovery_device(user)
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    else:
        device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    logger.info("two-factor: user %s generated new recovery codes", user.pk)
    return codes


def recovery_codes_ensure(*, user: User) -> list[str]:
    """Generate recovery codes only if the user has none yet; return the new codes or ``[]``."""
    if selectors.recovery_device(user) is not None:
        return []
    return recovery_codes_generate(user=user)


@transaction.atomic
def device_remove(*, user: User, device: Device) -> None:
    """Delete one of the user's devices; with the last authenticator app or passkey the recovery codes go too.

    Raises ``PermissionError`` if the device belongs to someone else.
    """
    if device.user_id != user.pk:
        raise PermissionError("not the user's device")
    device.delete()
    logger.info("two-factor: user %s removed %s %s", user.pk, type(device).__name__, device.pk)
    if not selectors.has_primary_device(user):
        StaticDevice.objects.filter(user=user).delete()


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a code: the device that accepted it, and whether a device refused to check it
    because of recent failures (the person should wait and try again)."""

    device: Device | None
    throttled: bool = False


def code_verify(*, user: User, code: str) -> Verification:
    """Check a code against the user's confirmed devices: digits go to authenticator apps, anything else to
    the recovery codes (a used recovery code is deleted: single use).

    Every failure is throttled per device by django-otp (1, 2, 4, … seconds, at most an hour); while a device
    is throttled it accepts nothing, even the right code, and ``throttled`` is True.
    """
    code = normalise_code(code)
    if not code:
        return Verification(device=None)
    devices: list[Device]
    if code.isdigit():
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    throttled = False
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            throttled = throttled or bool(
                details and details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS
            )
            continue
        if device.verify_token(code):
            return Verification(device=device)
    if throttled:
        logger.warning("two-factor: code refused for user %s while throttled", user.pk)
    return Verification(device=None, throttled=throttled)
