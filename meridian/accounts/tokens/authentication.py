"""``Authorization: Token <secret>`` for the REST API, checked against the hashed ``ApiToken`` rows."""

from __future__ import annotations

from datetime import timedelta
from hmac import compare_digest
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from meridian.accounts.tokens.models import ApiToken

# A token's last use is written at most this often, so that a busy script does not write on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("The token has expired. Create a new one on your account's API tokens page.")
    default_code = "token_expired"


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication with Meridian's model. Returns ``(user, ApiToken)``.

    Expired tokens are refused (401, code ``token_expired``) but kept for their owner to see; unknown or
    revoked ones answer 401 ``authentication_failed``; each use is noted in ``last_used`` (to the minute).
    """

    def authenticate_credentials(self, token: bytes) -> tuple[Any, ApiToken]:
        try:
            secret = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        digest = hash_token(secret)
        now = timezone.now()
        lookup = secret[: CONSTANTS.TOKEN_KEY_LENGTH]
        for candidate in ApiToken.objects.select_related("user").filter(token_key=lookup):
            if not compare_digest(digest, candidate.digest):
                continue
            if candidate.expiry is not None and candidate.expiry <= now:
                raise TokenExpired()
            if not candidate.user.is_active:
                raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
            if candidate.last_used is None or now - candidate.last_used >= LAST_USED_PRECISION:
                ApiToken.objects.filter(pk=candidate.pk).update(last_used=now)
                candidate.last_used = now
            return candidate.user, candidate
        raise exceptions.AuthenticationFailed(_("Invalid token."))


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI document describes the scheme as before: ``Authorization: Token <secret>``."""

    target_class = "meridian.accounts.tokens.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
