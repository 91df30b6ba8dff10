"""The institution registry's confident match for a partner organisation, for the partner form and imports.

One service for both: the affiliation matcher (`meridian.reference.affiliation.match_affiliation`) is run on
the organisation's names with the partner's country as the known country, and its choice is kept only when
the matcher chose it (score at least 0.9, clearly ahead of every other institution) and it lies in that
country. A suggestion never overwrites anything by itself: callers fill empty identifiers from it.

Cost per call: one run of the matcher over all the names at once (about one indexed query per telling word of
the names, plus three for the candidates' facts, names and the chosen record; no scan of the registry), plus
two small queries for the chosen institution's Chinese name and domains: about ten queries and 40 ms per
organisation on a registry of 13,000 institutions (SQLite), so some three minutes for 5,000 rows without
identifiers. A `RegistryMatcher` made once per import answers "the registry is empty" (no query, no
matching) and "the registry has nothing in this country" from memory after the first row, and remembers the
answer for names it has already seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from meridian.reference.affiliation import MAX_AFFILIATION, match_affiliation, normalise_name
from meridian.reference.models import Institution, InstitutionDomain, InstitutionName

# Name kinds in the order a Chinese name is taken from: the registry's label first, then names and aliases.
_ZH_KINDS = ("label", "name", "alias")


@dataclass(frozen=True)
class RegistrySuggestion:
    """A registry institution that the partner's names confidently mean.

    `score` is the matcher's 0..1 confidence (at least 0.9); `matched_name` is the registry name, label or
    alias that matched. Identifiers the registry lacks are "" (a record from the Erasmus charter list has no
    ROR ID, one from ROR often no Erasmus code); `domains` are the registry's web domains, best source first.
    """

    institution_id: int
    name: str
    country_code: str
    score: float
    ror_id: str = ""
    erasmus_code: str = ""
    pic: str = ""
    website: str = ""
    name_zh: str = ""
    city: str = ""
    matched_name: str = ""
    domains: tuple[str, ...] = field(default=())

    @property
    def domain(self) -> str:
        """The first web domain, or ""."""
        return self.domains[0] if self.domains else ""

    def partner_fields(self) -> dict[str, Any]:
        """Partner field name → value this suggestion offers, only the non-empty ones.

        Keys: `ror_id`, `erasmus_code`, `pic`, `website`, `name_zh`, and `registry_institution` (the
        institution's id). Callers fill only the fields that are empty on their side.
        """
        values = {
            "ror_id": self.ror_id,
            "erasmus_code": self.erasmus_code,
            "pic": self.pic,
            "website": self.website,
            "name_zh": self.name_zh,
            "registry_institution": self.institution_id,
        }
        return {key: value for key, value in values.items() if value}


class RegistryMatcher:
    """Suggests registry institutions for many organisations; make one per import (or request) and reuse it.

    It remembers whether the registry holds any institution at all and in each country asked about, and
    the suggestion for each set of names already seen, so that a file of a few thousand rows costs one
    matcher run per distinct organisation and nothing at all when the registry is empty. Registry changes
    made while it lives are not seen: make a new one for the next import.
    """

    def __init__(self) -> None:
        self._has_registry: bool | None = None
        self._countries: dict[str, bool] = {}
        self._seen: dict[tuple[str, tuple[str, ...]], RegistrySuggestion | None] = {}

    def has_registry(self) -> bool:
        """Whether the registry holds any institution (asked once)."""
        if self._has_registry is None:
            self._has_registry = Institution.objects.exists()
        return self._has_registry

    def _has_country(self, code: str) -> bool:
        if code not in self._countries:
            self._countries[code] = Institution.objects.filter(country_id=code).exists()
        return self._countries[code]

    def suggest(
        self, *, name: str, country_code: str | None, names: Sequence[str] = ()
    ) -> RegistrySuggestion | None:
        """The registry institution that `name` and the other `names` confidently mean, or None.

        Args:
            name: the organisation's official name as written.
            country_code: the partner's ISO 3166-1 alpha-2 country; when given, only an institution in it
                is returned, and institutions of the same name elsewhere do not count as rivals.
            names: other names of the same organisation (English, Chinese, …); blanks are ignored.

        Returns:
            A `RegistrySuggestion` when the matcher chose one institution (see the module docstring), None
            when the registry is empty, nothing is chosen, two of the names point at different
            institutions, or the chosen institution lies in another country. Raises nothing.
        """
        country = (country_code or "").strip().upper()[:2]
        keys: dict[str, str] = {}
        for value in (name, *names):
            text = " ".join((value or "").split())
            key = normalise_name(text) if text else ""
            if key and key not in keys:
                keys[key] = text
        if not keys or not self.has_registry() or (country and not self._has_country(country)):
            return None
        memo = (country, tuple(keys))
        if memo not in self._seen:
            self._seen[memo] = _suggest(list(keys.values()), country)
        return self._seen[memo]


def _suggest(names: list[str], country: str) -> RegistrySuggestion | None:
    # The names go to the matcher as one affiliation, one part each: two names pointing at two institutions
    # make those rivals, so neither is chosen.
    text = "; ".join(name.replace(";", " ") for name in names)[:MAX_AFFILIATION]
    result = match_affiliation(affiliation=text, limit=1, country=country, only_country=True)
    chosen = result.chosen
    if chosen is None:
        return None
    institution = chosen.institution
    if country and institution.country_id != country:
        return None
    return RegistrySuggestion(
        institution_id=institution.pk,
        name=institution.name,
        country_code=institution.country_id or "",
        score=chosen.score,
        ror_id=institution.ror_id or "",
        erasmus_code=institution.erasmus_code or "",
        pic=institution.pic or "",
        website=institution.website,
        name_zh=_chinese_name(institution),
        city=institution.city,
        matched_name=chosen.matched_name,
        domains=_domains(institution),
    )


def _chinese_name(institution: Institution) -> str:
    """The registry's Chinese label (then name, then alias) of the institution, or ""."""
    rows = InstitutionName.objects.filter(
        institution=institution, language__istartswith="zh", kind__in=_ZH_KINDS
    ).values_list("kind", "value")
    ranked = sorted(rows, key=lambda row: _ZH_KINDS.index(row[0]))
    return ranked[0][1] if ranked else ""


def _domains(institution: Institution) -> tuple[str, ...]:
    """The institution's web domains, each once, ROR's first."""
    rows = InstitutionDomain.objects.filter(institution=institution).order_by("pk")
    ordered = sorted(rows.values_list("source", "domain"), key=lambda row: row[0] != "ror")
    return tuple(dict.fromkeys(domain for _source, domain in ordered))


def registry_suggestion(
    *, name: str, country_code: str | None, names: Sequence[str] = ()
) -> RegistrySuggestion | None:
    """One organisation's registry suggestion (see `RegistryMatcher.suggest` for the arguments and rule).

    Asks whether the registry is empty on every call; for many rows make one `RegistryMatcher` and call its
    `suggest` per row instead.
    """
    return RegistryMatcher().suggest(name=name, country_code=country_code, names=names)
