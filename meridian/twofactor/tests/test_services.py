from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from meridian.twofactor import selectors, services
from meridian.twofactor.tests.helpers import add_app, current_code, wrong_code

pytestmark = pytest.mark.django_db


def test_an_app_is_confirmed_only_by_its_current_code(people):
    device = services.totp_device_start(user=people.staff, name="Phone")
    assert not selectors.has_primary_device(people.staff)

    assert services.totp_device_confirm(device=device, token=wrong_code(device)) is False
    device.refresh_from_db()
    assert device.confirmed is False

    device.throttle_reset()
    assert services.totp_device_confirm(device=device, token=current_code(device)) is True
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is True
    assert selectors.has_primary_device(people.staff)


def test_starting_again_drops_the_abandoned_set_up(people):
    first = services.totp_device_start(user=people.staff, name="Phone")
    second = services.totp_device_start(user=people.staff, name="Phone")
    assert list(TOTPDevice.objects.filter(user=people.staff)) == [second]
    assert first.pk != second.pk


def test_recovery_codes_work_once_each(people):
    add_app(people.staff)
    codes = services.recovery_codes_generate(user=people.staff)
    assert len(codes) == len(set(codes)) == services.RECOVERY_CODE_COUNT == 10

    typed = services.format_recovery_code(codes[3]).upper()  # as read off paper: groups, capitals
    first = services.code_verify(user=people.staff, code=typed)
    assert isinstance(first.device, StaticDevice)
    assert selectors.recovery_codes_left(people.staff) == 9

    StaticDevice.objects.filter(user=people.staff).update(throttling_failure_count=0)
    assert services.code_verify(user=people.staff, code=codes[3]).device is None


def test_new_recovery_codes_replace_the_old_ones(people):
    add_app(people.staff)
    old = services.recovery_codes_generate(user=people.staff)
    new = services.recovery_codes_generate(user=people.staff)
    assert not set(old) & set(new)
    assert StaticToken.objects.filter(device__user=people.staff).count() == 10
    assert services.code_verify(user=people.staff, code=old[0]).device is None
    assert services.recovery_codes_ensure(user=people.staff) == []  # already has codes: nothing new


def test_another_users_codes_are_not_accepted(people):
    add_app(people.staff)
    codes = services.recovery_codes_generate(user=people.staff)
    officer_app = add_app(people.officer)
    assert services.code_verify(user=people.officer, code=codes[0]).device is None
    assert services.code_verify(user=people.staff, code=current_code(officer_app)).device is None


def test_failed_codes_are_throttled(people):
    device = add_app(people.staff)
    assert services.code_verify(user=people.staff, code=wrong_code(device)).device is None

    # Right away even the right code is refused, and the person is told to wait.
    outcome = services.code_verify(user=people.staff, code=current_code(device))
    assert outcome.device is None and outcome.throttled is True
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    # Each further failure doubles the wait (1, 2, 4, … seconds).
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
    )
    services.code_verify(user=people.staff, code=wrong_code(device))
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=1.5)
    )
    assert services.code_verify(user=people.staff, code=current_code(device)).throttled is True

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=3)
    )
    assert services.code_verify(user=people.staff, code=current_code(device)).device == device
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_removing_the_last_device_removes_the_recovery_codes(people):
    first = add_app(people.staff, name="Phone")
    second = add_app(people.staff, name="Tablet")
    services.recovery_codes_generate(user=people.staff)

    services.device_remove(user=people.staff, device=first)
    assert selectors.recovery_codes_left(people.staff) == 10
    services.device_remove(user=people.staff, device=second)
    assert not StaticDevice.objects.filter(user=people.staff).exists()
    assert not selectors.has_primary_device(people.staff)


def test_nobody_removes_another_users_device(people):
    device = add_app(people.officer)
    with pytest.raises(PermissionError):
        services.device_remove(user=people.staff, device=device)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
