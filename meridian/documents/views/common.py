from __future__ import annotations

from django.core.exceptions import ValidationError

from meridian.core.errors import DomainError


def error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
