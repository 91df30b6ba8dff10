"""Country and territory names in every spelling offices use, resolved to ISO 3166-1 countries.

Accepted: ISO 3166-1 alpha-2 and alpha-3 codes, the EU's codes (EL, UK), CLDR's English and Chinese names with
their short and variant forms, the UN's short and formal names (UNTERM), ISO's own spellings ("Korea, Republic
of", "Iran (Islamic Republic of)") and common names ("USA", "Holland", "Burma", 南韩, 台湾地区). Names are
compared case-, width- and accent-insensitively, Traditional Chinese as Simplified, with punctuation and a
leading "the" ignored. A name that truly names two countries ("Korea", "Congo", 刚果, "Virgin Islands") is
refused with the choices; the alias table is meridian/reference/data/country_aliases.py.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from meridian.core.errors import DomainError
from meridian.reference.data.country_aliases import ALIASES, AMBIGUOUS
from meridian.reference.folding import country_key
from meridian.reference.models import Country


class CountryError(DomainError):
    """A country name could not be resolved; `message` says why."""

    code = "unknown_country"


class UnknownCountry(CountryError):  # noqa: N818  (named as the domain speaks)
    """No country or territory has this name or code."""


class AmbiguousCountry(CountryError):  # noqa: N818
    """The name fits more than one country; `choices` lists them (Country objects), best known first."""

    code = "ambiguous_country"

    def __init__(self, message: str, *, choices: list[Country]) -> None:
        super().__init__(message)
        self.choices = choices


def _swapped(text: str) -> str:
    """ "Korea, Republic of" → "Republic of Korea" (ISO's inverted order)."""
    head, _sep, tail = text.rpartition(",")
    return f"{tail} {head}" if head and tail.strip() else ""


def _codes_for(text: str) -> tuple[str, ...]:
    """ISO alpha-2 codes the text can mean: one when it is clear, several when ambiguous, none if unknown."""
    for candidate in (text, _swapped(text)):
        key = country_key(candidate)
        if not key:
            continue
        if key in ALIASES:
            return (ALIASES[key],)
        if key in AMBIGUOUS:
            return AMBIGUOUS[key]
    return ()


def _unknown(text: str) -> UnknownCountry:
    return UnknownCountry(
        _("“%(name)s” is not a known country or territory; use its name or ISO code (e.g. DE, CHN).")
        % {"name": text.strip()}
    )


def _ambiguous(text: str, choices: list[Country]) -> AmbiguousCountry:
    listed = "; ".join(f"{c.name} ({c.code})" for c in choices)
    return AmbiguousCountry(
        _("“%(name)s” may mean more than one country or territory: %(choices)s. Give the full name or code.")
        % {"name": text.strip(), "choices": listed},
        choices=choices,
    )


class CountryResolver:
    """Resolves many country names against the stored countries, reading them from the database once.

    For imports: build one per file, then call `find(text)` for every cell. Stored countries are also known
    by their stored English and Chinese names and their codes, even when the alias table lacks them.
    """

    def __init__(self) -> None:
        self.countries: dict[str, Country] = {c.code: c for c in Country.objects.all()}
        self.by_key: dict[str, str] = {}
        for country in self.countries.values():
            for name in (country.name_en, country.name_zh, country.alpha3):
                key = country_key(name)
                if key and key not in ALIASES and key not in AMBIGUOUS:
                    self.by_key.setdefault(key, country.code)

    def find(self, text: str) -> Country:
        """The country a name or code stands for.

        Raises:
            UnknownCountry: no stored country has this name or code (message names the text).
            AmbiguousCountry: the name fits several countries; `.choices` lists them.
        """
        if not (text or "").strip():
            raise _unknown(text or "")
        code = (text or "").strip().upper()
        if len(code) == 2 and code in self.countries:
            return self.countries[code]
        codes = _codes_for(text)
        if not codes:
            codes = tuple(filter(None, [self.by_key.get(country_key(text))]))
        found = [self.countries[c] for c in codes if c in self.countries]
        if len(codes) > 1:
            raise _ambiguous(text, found)
        if not found:
            raise _unknown(text)
        return found[0]

    def code_of(self, text: str) -> str:
        """The alpha-2 code of `find(text)`; same errors."""
        return self.find(text).code


def resolve_country(text: str) -> Country:
    """The Country a name or code in any common spelling means: "U.K." → GB, 中国香港 → HK, "Türkiye" → TR.

    One database query. For many names use CountryResolver, which reads the countries once.

    Raises:
        UnknownCountry: not a country or territory name or code known to the project.
        AmbiguousCountry: a name of two or more countries ("Korea", "Congo"); `.choices` lists them.
    """
    if not (text or "").strip():
        raise _unknown(text or "")
    code = text.strip().upper()
    codes = (code,) if len(code) == 2 and code.isascii() and code.isalpha() else ()
    codes = tuple(c for c in codes if Country.objects.filter(pk=c).exists()) or _codes_for(text)
    if not codes:
        stored = Country.objects.filter(name_en__iexact=text.strip()) | Country.objects.filter(
            name_zh=text.strip()
        )
        found = list(stored[:2])
        if len(found) == 1:
            return found[0]
        raise _unknown(text)
    by_code = Country.objects.in_bulk(list(codes))
    found = [by_code[c] for c in codes if c in by_code]
    if len(codes) > 1:
        raise _ambiguous(text, found)
    if not found:
        raise _unknown(text)
    return found[0]
