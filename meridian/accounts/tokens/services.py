"""Creating and revoking API tokens: the one place that writes ``ApiToken`` rows."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meridian.accounts.models import User
from meridian.accounts.permissions import is_administrator, is_internal
from meridian.accounts.tokens.models import ApiToken
from meridian.core.errors import DomainError, PermissionDeniedError

logger = logging.getLogger("meridian.security")

# Lifetimes offered on the account page (days); those above API_TOKEN_MAX_DAYS are left out.
LIFETIME_CHOICES_DAYS = (7, 30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90


def max_lifetime_days() -> int:
    """The longest lifetime a token may have, in days (setting ``API_TOKEN_MAX_DAYS``, at least 1)."""
    return max(1, int(getattr(settings, "API_TOKEN_MAX_DAYS", 365)))


def lifetime_choices() -> list[int]:
    """The lifetimes (days) the account page offers: the standard ones up to the maximum, and the maximum."""
    limit = max_lifetime_days()
    return sorted({d for d in LIFETIME_CHOICES_DAYS if d <= limit} | {limit})


def may_manage_token(user: User, token: ApiToken) -> bool:
    """The owner manages their tokens; an administrator may revoke anyone's."""
    return token.user_id == user.pk or is_administrator(user)


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` valid ``days`` days (1..API_TOKEN_MAX_DAYS); returns ``(token, secret)``.

    The secret (64 hex characters, 256 random bits) is returned once and never stored: only its SHA-512
    digest is. ``actor`` is who asked (the user themselves, or None for the command line). Raises
    ``DomainError`` (code ``invalid``) for an empty name or a lifetime out of range, and
    ``PermissionDeniedError`` when ``actor`` is someone else and not an administrator, or ``user`` is inactive
    or holds no internal role (``accounts.permissions.is_internal``: students and partner contacts use their
    portals, and the "API tokens" page is not theirs either).
    """
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name that says what it is for."), code="invalid")
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise DomainError(_("The name is too long."), code="invalid")
    limit = max_lifetime_days()
    if not 1 <= days <= limit:
        raise DomainError(
            ngettext(
                "A token is valid for at least 1 day and at most %(count)d day.",
                "A token is valid for at least 1 day and at most %(count)d days.",
                limit,
            )
            % {"count": limit},
            code="invalid",
        )
    if actor is not None and actor.pk != user.pk and not is_administrator(actor):
        raise PermissionDeniedError(_("You may create tokens only for yourself."))
    if not user.is_active:
        raise PermissionDeniedError(_("Tokens cannot be created for an inactive user."))
    if not is_internal(user):
        raise PermissionDeniedError(
            _("API tokens are for the university's staff; students and partner contacts use their portals.")
        )
    token, secret = ApiToken.objects.create(user=user, expiry=timedelta(days=days), name=name)
    logger.info("API token %s created for %s (expires %s)", token.pk, user.username, token.expiry.isoformat())
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> None:
    """Revoke ``token`` at once: its row is deleted, so the secret no longer authenticates (401).

    ``actor`` must be the owner or an administrator (None: the command line). Raises
    ``PermissionDeniedError`` otherwise.
    """
    if actor is not None and not may_manage_token(actor, token):
        raise PermissionDeniedError(_("You may not revoke this token."))
    by = actor.username if actor else "command line"
    logger.info("API token %s of %s revoked by %s", token.pk, token.user.username, by)
    ApiToken.objects.filter(pk=token.pk).delete()
