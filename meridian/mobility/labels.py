"""How codes stored on exchange records read for the person in front of a page, an e-mail or a letter: an
ISCED-F field by its name, an ISO 639-1 language by its name, a yearly "--MM-DD" deadline as a month and a
day, and the university by its name, each in the reader's language (the Chinese name where the record or
the reference data has one, the English one otherwise)."""

from __future__ import annotations

from django.core.cache import cache

from meridian.core.i18n import is_chinese, localised
from meridian.mobility.selectors.conditions import language_label, month_day_label

__all__ = [
    "isced_field_label",
    "isced_field_name",
    "isced_label",
    "language_label",
    "month_day_label",
    "university_name",
]

# The Chinese names of the broad ISCED-F fields (the reference data names only those in Chinese), by code.
_BROAD_KEY = "mobility:isced-broad-zh"
_BROAD_SECONDS = 3600


def _broad_chinese() -> dict[str, str]:
    names = cache.get(_BROAD_KEY)
    if names is None:
        from meridian.reference.models import IscedField

        names = dict(
            IscedField.objects.filter(parent__isnull=True).exclude(name_zh="").values_list("code", "name_zh")
        )
        cache.set(_BROAD_KEY, names, _BROAD_SECONDS)
    return names


def isced_field_name(code: str, name_en: str, name_zh: str = "") -> str:
    """The field's name: in Chinese its Chinese name; a field without one (the reference data names only the
    broad fields in Chinese) keeps its English name, followed by its broad field's Chinese name:
    "Mechanics and metal trades（工程、制造和建筑）"."""
    name = localised(name_en, name_zh)
    if is_chinese() and not name_zh:
        broad = _broad_chinese().get(code[:2], "")
        if broad and broad != name:
            name = f"{name}（{broad}）" if name else broad
    return name


def isced_field_label(code: str, name_en: str, name_zh: str = "") -> str:
    """The code and ``isced_field_name``: "0715 Mechanics and metal trades"."""
    return f"{code} {isced_field_name(code, name_en, name_zh)}".strip()


def isced_label(code: str) -> str:
    """An ISCED-F code as ``isced_field_label`` shows it ("" for no code; the code alone when the reference
    data does not know it)."""
    code = (code or "").strip()
    if not code:
        return ""
    from meridian.reference.models import IscedField

    field = IscedField.objects.filter(code=code).only("code", "name_en", "name_zh").first()
    if field is None:
        return code
    return isced_field_label(field.code, field.name_en, field.name_zh)


def university_name() -> str:
    """Our university's name in the reader's language: the top unit of the organisation (its Chinese name on
    Chinese pages), else the ``UNIVERSITY_NAME`` setting."""
    from meridian.mobility.documents_nominations import university_names

    names = university_names()
    return localised(names["name_en"], names["name_zh"])
