"""Which identity providers are configured, read from the settings at call time (tests may change them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from meridian.core.i18n import is_chinese
from meridian.sso.choices import Provider

ALLOWED_ROLES = ("staff", "student", "")


@dataclass(frozen=True)
class ProviderInfo:
    """A configured provider as the sign-in page shows it."""

    key: str
    name: str
    login_url: str


def cas_enabled() -> bool:
    """CAS sign-in is on when CAS_SERVER_URL is set."""
    return bool(getattr(settings, "CAS_SERVER_URL", ""))


def oidc_enabled() -> bool:
    """OpenID Connect sign-in is on when OIDC_RP_CLIENT_ID is set."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def provider_name(provider: str) -> str:
    """The campus name of the provider in the current language (CAS_NAME / CAS_NAME_ZH, OIDC_NAME / …)."""
    prefix = "CAS" if provider == Provider.CAS else "OIDC"
    english = getattr(settings, f"{prefix}_NAME", "") or str(Provider(provider).label)
    chinese = getattr(settings, f"{prefix}_NAME_ZH", "")
    return chinese if is_chinese() and chinese else english


def configured_providers() -> list[ProviderInfo]:
    """The providers whose sign-in button the sign-in page shows, CAS first; empty when SSO is off."""
    found = []
    if cas_enabled():
        found.append(ProviderInfo(Provider.CAS, provider_name(Provider.CAS), reverse("sso:cas_login")))
    if oidc_enabled():
        found.append(ProviderInfo(Provider.OIDC, provider_name(Provider.OIDC), reverse("sso:oidc_login")))
    return found


def attribute_names(provider: str) -> dict[str, str]:
    """The attribute (CAS) or claim (OIDC) name configured for each mapped field; "" = not used."""
    return dict(settings.SSO_ATTRIBUTES.get(provider, {}))
