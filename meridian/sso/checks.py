"""System checks of the single sign-on settings (run by `meridian check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from meridian.accounts.choices import Role
from meridian.sso.choices import MemberKind
from meridian.sso.conf import ALLOWED_ROLES


@register()
def sso_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Default roles must be harmless ones; OIDC needs a secret and an issuer or the endpoints."""
    errors = []
    for name in ("SSO_STAFF_ROLE", "SSO_STUDENT_ROLE"):
        value = getattr(settings, name, "")
        if value not in ALLOWED_ROLES:
            errors.append(
                Error(
                    f"{name} is {value!r}; sign-in may grant only {Role.STAFF!r} or {Role.STUDENT!r} "
                    "(or nothing).",
                    id="sso.E001",
                )
            )
    if settings.SSO_DEFAULT_KIND not in ("", *MemberKind.values):
        errors.append(Error("SSO_DEFAULT_KIND must be 'staff', 'student' or empty.", id="sso.E002"))
    if settings.OIDC_RP_CLIENT_ID:
        if not settings.OIDC_RP_CLIENT_SECRET:
            errors.append(Error("OIDC_RP_CLIENT_ID is set but OIDC_RP_CLIENT_SECRET is not.", id="sso.E003"))
        if not settings.OIDC_OP_ISSUER and not (
            settings.OIDC_OP_AUTHORIZATION_ENDPOINT
            and settings.OIDC_OP_TOKEN_ENDPOINT
            and settings.OIDC_OP_USER_ENDPOINT
            and settings.OIDC_OP_JWKS_ENDPOINT
        ):
            errors.append(
                Error(
                    "OpenID Connect needs OIDC_OP_ISSUER or all four OIDC_OP_*_ENDPOINT settings.",
                    id="sso.E004",
                )
            )
    if settings.CAS_SERVER_URL and settings.CAS_VERSION not in ("1", "2", "3", "CAS_2_SAML_1_0"):
        errors.append(Error("CAS_VERSION must be 1, 2, 3 or CAS_2_SAML_1_0.", id="sso.E005"))
    return errors
