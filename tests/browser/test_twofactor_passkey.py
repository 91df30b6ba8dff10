"""Two-factor sign-in with a passkey: an officer adds one on the account page, gets recovery codes, and signs
in with password + passkey. Chromium's virtual authenticator (DevTools protocol) stands in for the
fingerprint reader or security key."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from conftest import PASSWORD


@pytest.fixture
def passkey_site(settings, live_server) -> None:
    """Passkeys are bound to the site's host name and origin: here the test server's."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url.replace("127.0.0.1", "localhost")]


def add_virtual_authenticator(page: Page) -> None:
    """A platform authenticator (CTAP2) that keeps resident keys and always verifies the user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def password_step(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")


def test_officer_adds_a_passkey_and_signs_in_with_it(new_page, people, passkey_site):
    page = new_page()
    add_virtual_authenticator(page)

    # Without a device, two-factor sign-in is optional: the password alone leads to the dashboard.
    password_step(page, "officer")
    page.wait_for_url("**/dashboard/")

    page.goto("/account/two-factor/")
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    with page.expect_navigation(url=re.compile(r"/account/two-factor/recovery-codes/$")):
        page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    assert WebAuthnCredential.objects.filter(user=people.officer, confirmed=True).count() == 1
    assert StaticToken.objects.filter(device__user=people.officer).count() == 10

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")

    # Now the password is not enough: the passkey is asked for, and it signs the officer in.
    password_step(page, "officer")
    page.wait_for_url(re.compile(r"/account/two-factor/verify/\?next="))
    page.goto("/partners/")
    page.wait_for_url(re.compile(r"/account/two-factor/verify/\?next=%2Fpartners%2F$"))
    with page.expect_navigation(url=re.compile(r"/partners/$")):
        page.get_by_role("button", name="Use your passkey").click()
    expect(page.locator("h1")).not_to_have_text("Two-factor sign-in")
    credential = WebAuthnCredential.objects.get(user=people.officer)
    assert credential.last_used_at is not None
