"""The one place that decides whether the current language is Chinese and picks a localised value."""

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Django ends every form label with gettext(":"); listing it here puts it in the catalogue, whose Chinese
# is the full-width colon (a half-width ":" after Chinese text reads as a typo).
LABEL_SUFFIX = _(":")


def is_chinese() -> bool:
    return (get_language() or "en").startswith("zh")


def localised(english: str, chinese: str) -> str:
    """The Chinese value in Chinese when there is one, the English value otherwise."""
    return chinese if chinese and is_chinese() else english


def university_name() -> str:
    """Our university's name in the reader's language: ``UNIVERSITY_NAME_ZH`` on Chinese pages (when set),
    ``UNIVERSITY_NAME`` otherwise."""
    return localised(settings.UNIVERSITY_NAME, settings.UNIVERSITY_NAME_ZH)
