"""Reading API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from meridian.accounts.models import User
from meridian.accounts.tokens.models import ApiToken


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (expired ones included, so that the owner sees them expire)."""
    return ApiToken.objects.filter(user=user).order_by("-created", "-id")
