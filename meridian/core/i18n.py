"""The one place that decides whether the current language is Chinese and picks a localised value."""

from django.utils.translation import get_language


def is_chinese() -> bool:
    return (get_language() or "en").startswith("zh")


def localised(english: str, chinese: str) -> str:
    """The Chinese value in Chinese when there is one, the English value otherwise."""
    return chinese if chinese and is_chinese() else english
