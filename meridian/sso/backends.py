"""Authentication backends for campus single sign-on; listed always, each answers only while configured.

CAS (1.0/2.0/3.0, django-cas-ng's client): the ticket is validated at the CAS server over HTTP, the CAS user
name is the subject. OpenID Connect (authorisation code flow, mozilla-django-oidc): the ID token's signature,
nonce, audience and issuer are checked, the ``sub`` claim is the subject. Both then call `campus_sign_in`.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from meridian.accounts.models import User
from meridian.core.errors import DomainError
from meridian.sso.choices import Provider
from meridian.sso.conf import cas_enabled, oidc_enabled
from meridian.sso.mapping import map_attributes
from meridian.sso.oidc import oidc_endpoints
from meridian.sso.services import campus_sign_in

logger = logging.getLogger(__name__)


def _sign_in(
    request: HttpRequest | None, provider: str, subject: str, attributes: dict[str, Any]
) -> User | None:
    profile = map_attributes(provider=provider, subject=subject, attributes=attributes)
    try:
        result = campus_sign_in(profile=profile)
    except DomainError as exc:
        logger.warning("Campus sign-in of %s refused: %s", subject, exc.message)
        return None
    if result is None:
        return None
    if request is not None:
        for note in result.notes:
            messages.warning(request, note)
    return result.user


class CasBackend(ModelBackend):
    """Validates a CAS service ticket (``authenticate(request, ticket=…, service=…)``)."""

    def authenticate(self, request: HttpRequest | None, ticket: str, service: str) -> User | None:  # type: ignore[override]
        if not cas_enabled() or not ticket or not service:
            return None
        client = get_cas_client(service_url=service, request=request)
        try:
            subject, attributes, _pgtiou = client.verify_ticket(ticket)
        except (requests.RequestException, ValueError) as exc:
            logger.warning("CAS ticket validation failed: %s", exc)
            return None
        if not subject:
            return None
        return _sign_in(request, Provider.CAS, str(subject), dict(attributes or {}))


class OidcBackend(OIDCAuthenticationBackend):
    """OpenID Connect authorisation code flow; called by the callback view with the nonce it stored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Settings are read per sign-in, not here: Django builds every backend for each password sign-in.
        self.UserModel = get_user_model()

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, nonce: str | None, code_verifier: str | None = None
    ) -> User | None:
        if not oidc_enabled() or request is None:
            return None
        endpoints = oidc_endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = endpoints["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = endpoints["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, KeyError, ValueError) as exc:
            logger.warning("OpenID Connect sign-in failed: %s", exc)
            return None

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        """The provider's signing key for `token`: the one its ``kid`` names, or the only signing key of the
        token's algorithm when the token names none (RFC 7515 §4.1.4 makes ``kid`` optional)."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        header = jwt.get_unverified_header(token)
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig" and key.get("alg", header.get("alg")) == header.get("alg")
        ]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SuspiciousOperation("No single signing key of the provider matches the ID token.")
        return jwt.PyJWK(keys[0])

    def _check_id_token(self, payload: dict[str, Any]) -> None:
        """OpenID Connect Core 1.0 §3.1.3.7: the audience names us, the issuer is the configured one."""
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience does not name this client.")
        issuer = settings.OIDC_OP_ISSUER
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
            raise SuspiciousOperation("ID token issuer is not the configured provider.")
        if not payload.get("sub"):
            raise SuspiciousOperation("ID token has no subject.")

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        self._check_id_token(payload)
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload["sub"]:
            raise SuspiciousOperation("User info is about another subject than the ID token.")
        return _sign_in(self.request, Provider.OIDC, str(payload["sub"]), {**payload, **claims})
