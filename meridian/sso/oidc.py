"""The OpenID Connect provider's endpoints: as configured, else from its discovery document.

Discovery (OpenID Connect Discovery 1.0, ``<issuer>/.well-known/openid-configuration``) is fetched from the
campus provider on first use and kept for the life of the process; an endpoint set in the settings wins.
"""

from __future__ import annotations

import threading

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_SETTINGS = {
    "authorization_endpoint": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "OIDC_OP_TOKEN_ENDPOINT",
    "userinfo_endpoint": "OIDC_OP_USER_ENDPOINT",
    "jwks_uri": "OIDC_OP_JWKS_ENDPOINT",
    "end_session_endpoint": "OIDC_OP_LOGOUT_ENDPOINT",
}
_REQUIRED = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
_discovered: dict[str, dict[str, str]] = {}
_lock = threading.Lock()


def _discover(issuer: str) -> dict[str, str]:
    with _lock:
        if issuer not in _discovered:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
            if document.get("issuer", "").rstrip("/") != issuer:
                raise ImproperlyConfigured(f"The provider at {issuer} names another issuer in its discovery.")
            _discovered[issuer] = {k: str(document.get(k) or "") for k in _SETTINGS}
        return _discovered[issuer]


def forget_discovery() -> None:
    """Drop discovered endpoints (tests start providers on new ports)."""
    with _lock:
        _discovered.clear()


def oidc_endpoints() -> dict[str, str]:
    """Endpoint URLs keyed by their discovery names. Raises `ImproperlyConfigured` when a required one is
    neither set nor discoverable, and `requests.RequestException` when discovery cannot be fetched."""
    configured = {key: getattr(settings, name, "") for key, name in _SETTINGS.items()}
    issuer = settings.OIDC_OP_ISSUER
    if issuer and not all(configured[k] for k in _REQUIRED):
        discovered = _discover(issuer)
        configured = {k: configured[k] or discovered.get(k, "") for k in _SETTINGS}
    missing = [_SETTINGS[k] for k in _REQUIRED if not configured[k]]
    if missing:
        raise ImproperlyConfigured(f"OpenID Connect needs OIDC_OP_ISSUER or {', '.join(missing)}.")
    return configured
