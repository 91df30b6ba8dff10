"""The language of the student-exchange e-mails that go out directly (not as notifications): each recipient
reads theirs in the language they prefer; when that is not known, English and Chinese together.

The order follows the platform's notification e-mails (``core.notifications``): the account's e-mail
preference, else the language the account prefers. An account made for an invited student that nobody has
used yet has no language of its own. A partner contact without an e-mail preference is written to in the
language on their contact record (Chinese or English; any other language: both).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import translation

SITE_LANGUAGES = ("en", "zh-hans")
_CONTACT_LANGUAGES = {"en": "en", "zh": "zh-hans", "zh-hans": "zh-hans"}
BOTH_SEPARATOR = "\n\n----------\n\n"


def _preference(user: Any) -> str | None:
    from meridian.core.models import NotificationPreference

    pref = NotificationPreference.objects.filter(user_id=user.pk).first()
    return pref.language if pref is not None and pref.language in SITE_LANGUAGES else None


def user_language(user: Any) -> str | None:
    """ "en", "zh-hans", or None (not known) for the holder of account ``user`` (None: no account)."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    chosen = _preference(user)
    if chosen:
        return chosen
    if user.last_login is None and not user.has_usable_password():
        return None  # made for an invited student; they have not chosen anything yet
    return user.preferred_language if user.preferred_language in SITE_LANGUAGES else None


def contact_language(contact: Any) -> str | None:
    """The language of e-mails to a partner contact: their account's e-mail preference, else the language of
    their contact record ("zh" → Chinese, "en" → English, any other → None)."""
    if contact.user_id is not None:
        chosen = _preference(contact.user)
        if chosen:
            return chosen
    return _CONTACT_LANGUAGES.get(contact.preferred_language or "")


def in_language(language: str | None, build: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """The ``(subject, body)`` that ``build`` writes in ``language``; for None, English then Chinese (subjects
    joined with " / ", bodies with a rule between them)."""
    if language in SITE_LANGUAGES:
        with translation.override(language):
            return build()
    subjects, bodies = [], []
    for code in SITE_LANGUAGES:
        with translation.override(code):
            subject, body = build()
        subjects.append(subject)
        bodies.append(body)
    return " / ".join(subjects), BOTH_SEPARATOR.join(bodies)
