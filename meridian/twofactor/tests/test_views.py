import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from conftest import PASSWORD
from meridian.twofactor import services
from meridian.twofactor.tests.helpers import add_app, current_code, wrong_code

pytestmark = pytest.mark.django_db

VERIFY = reverse("twofactor:verify")
OVERVIEW = reverse("twofactor:overview")
PARTNERS = "/partners/"


def sign_in(client, user) -> None:
    """Sign in with the password through the login form, as a person does."""
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["administrator", "officer"]


def test_a_user_with_an_app_is_asked_for_a_code_after_the_password(client, people):
    device = add_app(people.staff)
    sign_in(client, people.staff)

    response = client.get(PARTNERS)
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fpartners%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    refused = client.post(VERIFY, {"code": wrong_code(device), "next": PARTNERS})
    assert refused.status_code == 200
    assert "That code is not valid" in refused.content.decode()
    assert client.get(PARTNERS).status_code == 302  # still not verified

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    accepted = client.post(VERIFY, {"code": current_code(device), "next": PARTNERS})
    assert accepted.status_code == 302 and accepted["Location"] == PARTNERS
    assert client.get(PARTNERS).status_code == 200


def test_the_verify_page_says_to_wait_after_failures(client, people):
    device = add_app(people.staff)
    sign_in(client, people.staff)
    client.post(VERIFY, {"code": wrong_code(device)})
    response = client.post(VERIFY, {"code": current_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(PARTNERS).status_code == 302


def test_a_recovery_code_signs_in_once(client, people):
    add_app(people.staff)
    codes = services.recovery_codes_generate(user=people.staff)
    sign_in(client, people.staff)
    response = client.post(VERIFY, {"code": codes[0]}, follow=True)
    assert "You have 9 recovery codes left" in response.content.decode()
    assert client.get(PARTNERS).status_code == 200

    client.post(reverse("accounts:logout"))
    sign_in(client, people.staff)
    StaticDevice.objects.filter(user=people.staff).update(throttling_failure_count=0)
    again = client.post(VERIFY, {"code": codes[0]})
    assert "That code is not valid" in again.content.decode()


def test_without_a_device_two_factor_is_optional_by_default(client, people):
    sign_in(client, people.officer)
    assert client.get(PARTNERS).status_code == 200


def test_required_roles_are_sent_to_set_up_a_device_first(client, people, required):
    client.force_login(people.coordinator)  # a role that is not listed
    assert client.get(PARTNERS).status_code == 200

    client.force_login(people.officer)
    response = client.get(PARTNERS)
    assert response.status_code == 302
    assert response["Location"] == f"{OVERVIEW}?next=%2Fpartners%2F"
    page = client.get(OVERVIEW)
    assert "Your role requires two-factor sign-in" in page.content.decode()
    assert client.post(reverse("twofactor:recovery_codes")).status_code == 302  # nothing to regenerate yet

    # Adding an authenticator app: the QR code is drawn on the page, then a code from the app confirms it.
    add_page = client.get(reverse("twofactor:totp_add"))
    html = add_page.content.decode()
    assert "<svg" in html and "<script" not in html.split('<main id="main"', 1)[1]
    pending = TOTPDevice.objects.get(user=people.officer, confirmed=False)
    assert client.get(reverse("twofactor:totp_add")).status_code == 200
    assert TOTPDevice.objects.get(user=people.officer, confirmed=False) == pending  # reused on reload

    done = client.post(reverse("twofactor:totp_add"), {"name": "My phone", "code": current_code(pending)})
    assert done["Location"] == reverse("twofactor:recovery_codes")
    codes_page = client.get(done["Location"]).content.decode()
    shown = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", codes_page)
    assert len(shown) == 10
    assert client.get(reverse("twofactor:recovery_codes"))["Location"] == OVERVIEW  # shown once only

    assert client.get(PARTNERS).status_code == 200  # the session was verified by the new app
    assert TOTPDevice.objects.get(pk=pending.pk).name == "My phone"


def test_a_superuser_counts_as_administrator(client, people, required, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@meridian.example", PASSWORD)
    client.force_login(root)
    assert client.get("/admin/")["Location"].startswith(OVERVIEW)


def test_the_admin_site_is_closed_until_the_code_is_entered(client, people, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@meridian.example", PASSWORD)
    device = add_app(root)
    sign_in(client, root)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": current_code(device)})
    assert client.get("/admin/").status_code == 200


def test_htmx_requests_are_redirected_by_header(client, people):
    add_app(people.staff)
    client.force_login(people.staff)
    response = client.get(PARTNERS, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(VERIFY)


def test_the_api_refuses_an_unverified_session_but_tokens_are_unaffected(client, people):
    add_app(people.staff)
    client.force_login(people.staff)
    refused = client.get("/api/v1/countries/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"

    # An API token is checked by DRF after the middleware ran (the session user there is anonymous), which is
    # what force_authenticate reproduces without depending on how tokens are issued.
    api = APIClient()
    api.force_authenticate(people.staff)
    assert api.get("/api/v1/countries/").status_code == 200


def test_removing_a_device_asks_for_the_password_or_a_code(client, people):
    first = add_app(people.staff, name="Phone")
    second = add_app(people.staff, name="Tablet")
    services.recovery_codes_generate(user=people.staff)
    sign_in(client, people.staff)
    client.post(VERIFY, {"code": current_code(first)})
    url = reverse("twofactor:device_remove", args=["totp", first.pk])

    assert "Remove “Phone”" in client.get(url).content.decode()
    assert "Enter your password or a code" in client.post(url, {}).content.decode()
    wrong = client.post(url, {"password": "not the password"})
    assert "That password is not correct" in wrong.content.decode()
    assert TOTPDevice.objects.filter(pk=first.pk).exists()

    assert client.post(url, {"password": PASSWORD})["Location"] == OVERVIEW
    assert not TOTPDevice.objects.filter(pk=first.pk).exists()

    # The session was verified with the removed app; it stays verified (the password was just re-entered).
    by_code = client.post(
        reverse("twofactor:device_remove", args=["totp", second.pk]), {"code": current_code(second)}
    )
    assert by_code["Location"] == OVERVIEW
    assert not StaticDevice.objects.filter(user=people.staff).exists()  # last device: codes go with it
    assert client.get(PARTNERS).status_code == 200  # no device left, not required: free to go on


def test_nobody_sees_or_removes_another_users_device(client, people):
    device = add_app(people.officer)
    client.force_login(people.staff)
    url = reverse("twofactor:device_remove", args=["totp", device.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"password": PASSWORD}).status_code == 404
    assert client.get(reverse("twofactor:device_remove", args=["sms", device.pk])).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_pages_need_a_signed_in_user(client):
    for name in ("overview", "verify", "totp_add", "recovery_codes"):
        response = client.get(reverse(f"twofactor:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_account_page_lists_devices_and_makes_new_recovery_codes(client, people):
    device = add_app(people.staff, name="Work phone")
    old = services.recovery_codes_generate(user=people.staff)
    client.force_login(people.staff)
    client.post(VERIFY, {"code": current_code(device)})
    page = client.get(OVERVIEW).content.decode()
    assert "Work phone" in page and "You have 10 unused recovery codes" in page
    assert 'id="otp_webauthn_config"' in page and "passkey-register-button" in page
    assert 'href="/partners/">Continue' in client.get(OVERVIEW + "?next=/partners/").content.decode()
    elsewhere = client.get(OVERVIEW + "?next=https://elsewhere.example/").content.decode()
    assert 'href="https://elsewhere' not in elsewhere
    assert "elsewhere" not in client.get(VERIFY + "?next=https://elsewhere.example/")["Location"]

    response = client.post(reverse("twofactor:recovery_codes"), follow=True)
    shown = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", response.content.decode())
    assert len(shown) == 10 and not {code.replace("-", "") for code in shown} & set(old)


def test_a_passkey_reported_without_one_changes_nothing(client, people):
    client.force_login(people.staff)
    assert client.post(reverse("twofactor:passkey_added"))["Location"] == OVERVIEW
    assert not StaticDevice.objects.filter(user=people.staff).exists()


def test_an_administrator_can_remove_a_lost_passkey_in_the_admin(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@meridian.example", PASSWORD)
    client.force_login(root)
    assert client.get("/admin/django_otp_webauthn/webauthncredential/").status_code == 200
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200
    assert client.get("/admin/otp_static/staticdevice/").status_code == 200
