"""The configuration checks refuse dangerous or incomplete single sign-on settings."""

from meridian.sso.checks import sso_settings


def test_default_settings_pass():
    assert sso_settings() == []


def test_a_powerful_default_role_is_refused(settings):
    settings.SSO_STAFF_ROLE = "administrator"
    assert [e.id for e in sso_settings()] == ["sso.E001"]


def test_oidc_needs_a_secret_and_an_issuer_or_endpoints(settings):
    settings.OIDC_RP_CLIENT_ID = "meridian"
    assert {e.id for e in sso_settings()} == {"sso.E003", "sso.E004"}
    settings.OIDC_RP_CLIENT_SECRET = "s"
    settings.OIDC_OP_ISSUER = "https://id.example.edu.cn"
    assert sso_settings() == []
