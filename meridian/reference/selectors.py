"""Reads of reference data: country choices and the institution registry look-up."""

from __future__ import annotations

import re
import uuid

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, prefetch_related_objects

from meridian.core.i18n import localised
from meridian.core.sorting import sort_key
from meridian.core.text import normalise_domain
from meridian.reference.choices import RegistrySource
from meridian.reference.erasmus import ErasmusCodeError, erasmus_key, normalise_erasmus_code
from meridian.reference.folding import search_name, search_words
from meridian.reference.models import (
    Country,
    Institution,
    InstitutionDomain,
    InstitutionName,
    InstitutionToken,
    RegistryImport,
)
from meridian.reference.registry_import.ror import ror_id_of

_HOST = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[/:].*)?$", re.IGNORECASE)
_PIC = re.compile(r"^\d{9}$")
_TOP = "\U0010ffff"  # sorts after every character: "abc" <= token < "abc" + _TOP is "token starts with abc"
_CANDIDATES = 60  # name matches fetched per rank before ordering in Python
_COUNT_CAP = 2000  # enough to tell a rare word from a common one
_DRIVER_SCAN = 4000  # tokens of the driving word examined per attempt
_CHUNK = 900  # ids per IN (...) list, below SQLite's limit on query parameters


def country_choices() -> QuerySet[Country]:
    return Country.objects.order_by("name_en")


def region_name(*, english: str, chinese: str, code: str = "") -> str:
    """The display name of a UN M49 region or sub-region in the reader's language: its CLDR Chinese name on
    Chinese pages when there is one, else its M49 English name, else its code."""
    return localised(english, chinese) or code


def region_choices(*, subregions: bool = False) -> list[tuple[str, str]]:
    """(M49 code, display name) of the world regions that have countries, sorted by the name the reader sees
    (Chinese by pinyin, see ``meridian.core.sorting``); with ``subregions``, each region is followed by its
    sub-regions, their names prefixed by a dash. Names from `region_name`."""
    rows = (
        Country.objects.exclude(region_code="")
        .values_list(
            "region_code", "region_en", "region_zh", "subregion_code", "subregion_en", "subregion_zh"
        )
        .distinct()
    )
    regions: dict[str, str] = {}
    children: dict[str, dict[str, str]] = {}
    for code, english, chinese, sub_code, sub_english, sub_chinese in rows:
        regions[code] = region_name(english=english, chinese=chinese, code=code)
        if sub_code and sub_code != code:
            children.setdefault(code, {})[sub_code] = region_name(
                english=sub_english, chinese=sub_chinese, code=sub_code
            )
    choices: list[tuple[str, str]] = []
    for code, name in sorted(regions.items(), key=lambda item: sort_key(item[1])):
        choices.append((code, name))
        if subregions:
            below = sorted(children.get(code, {}).items(), key=lambda item: sort_key(item[1]))
            choices += [(sub_code, f"— {sub_name}") for sub_code, sub_name in below]
    return choices


def _prefix(field: str, value: str) -> Q:
    """An index-friendly "starts with": a range on SQLite, LIKE with the pattern index on PostgreSQL."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": value})
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + _TOP})


def _identifier_ids(query: str) -> list[int]:
    text = query.strip()
    ids: list[int] = []
    ror = ror_id_of(text)
    if ror:
        ids += Institution.objects.filter(ror_id=ror).values_list("pk", flat=True)
    if _PIC.match(text):
        ids += Institution.objects.filter(pic=text).values_list("pk", flat=True)
    keys = _erasmus_keys(text)
    if keys:
        ids += Institution.objects.filter(erasmus_key__in=keys).values_list("pk", flat=True)
    return ids


def _erasmus_keys(text: str) -> list[str]:
    """Look-up keys of a text that may be an Erasmus code in any typed form ("d-heidelb01")."""
    try:
        code = normalise_erasmus_code(text)
    except ErasmusCodeError:
        return []
    return list(dict.fromkeys([erasmus_key(code), erasmus_key(text)]))


# Second-level labels under a country code that are not an institution's own domain (ac.uk, edu.au ...).
_GENERIC_SECOND_LEVEL = {"ac", "edu", "co", "com", "gov", "org", "net", "or", "ne", "go", "sch", "gob", "mil"}


def _domain_ids(query: str, country: str | None) -> list[int]:
    """Institutions with the domain of a website or e-mail address, or a parent (cs.ox.ac.uk → ox.ac.uk)."""
    text = query.strip()
    if " " in text or not ("@" in text or _HOST.match(text)):
        return []
    labels = normalise_domain(text).split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    candidates = [
        c for c in candidates if not (c.count(".") == 1 and c.split(".")[0] in _GENERIC_SECOND_LEVEL)
    ]
    rows = InstitutionDomain.objects.filter(domain__in=candidates)
    if country:
        rows = rows.filter(institution__country_id=country)
    ordered = sorted(rows.values_list("domain", "institution_id"), key=lambda row: -len(row[0]))
    return [inst_id for _domain, inst_id in ordered]


def _selectivity(word: str) -> int:
    """How many tokens start with the word, counted no further than needed to compare words.

    Only indexed columns are read, so both databases answer from the (token, institution) index alone.
    """
    return len(
        InstitutionToken.objects.filter(_prefix("token", word)).values_list("institution_id")[:_COUNT_CAP]
    )


def _name_ids(
    query: str, country: str | None, *, words_too: bool = True
) -> tuple[list[int], list[int], list[int]]:
    """Ids by rank: name equals the query; name starts with it; every query word starts a name word.

    Names and words are compared in search form (meridian.reference.folding): case, accents, full-width
    forms, punctuation and Chinese script variants (Traditional, Japanese kanji) do not matter.
    """
    folded = search_name(query)
    query_words = list(dict.fromkeys(search_words(query)))
    if not folded or not query_words:
        return [], [], []
    names = InstitutionName.objects.all()
    tokens = InstitutionToken.objects.all()
    if country:
        names = names.filter(institution__country_id=country)
        tokens = tokens.filter(institution__country_id=country)
    exact = list(names.filter(normalised=folded).values_list("institution_id", flat=True)[:_CANDIDATES])
    prefix = list(
        names.filter(_prefix("normalised", folded)).values_list("institution_id", flat=True)[:_CANDIDATES]
    )
    if not words_too:
        return exact, prefix, []
    return exact, prefix, _word_ids(query_words, country)


def _word_ids(query_words: list[str], country: str | None) -> list[int]:
    """Institutions with every query word starting one of their tokens.

    One word "drives": a bounded range scan of its tokens gives candidates, and every other word is
    checked per candidate through the (institution, token) index. The rarest word drives first; when
    all words are common, a bounded scan can miss, so the next word takes over until enough are found.
    """
    wanted = _CANDIDATES * 2
    if len(query_words) > 1:
        counts = {word: _selectivity(word) for word in query_words}
        query_words = sorted(query_words, key=lambda w: (counts[w], -len(w)))
    else:
        counts = {query_words[0]: 0}
    found: list[int] = []
    for driver in query_words:
        candidates = InstitutionToken.objects.filter(_prefix("token", driver))
        if country:
            candidates = candidates.filter(institution__country_id=country)
        matches = Institution.objects.filter(pk__in=candidates.values("institution_id")[:_DRIVER_SCAN])
        for word in query_words:
            if word != driver:
                others = InstitutionToken.objects.filter(
                    _prefix("token", word), institution_id=OuterRef("pk")
                )
                matches = matches.filter(Exists(others))
        found += [pk for pk in matches.values_list("pk", flat=True)[:wanted] if pk not in found]
        if len(found) >= wanted or counts[driver] < _COUNT_CAP:
            break  # enough, or the scan saw every token of a rare driver
    return found


_BY_NAME = 2  # rank group of name matches (identifier = 0, domain = 1)
_EQUAL, _STARTS, _HAS_ALL, _SPREAD = range(4)


def _word_fits(query_word: str, name_word: str) -> bool:
    if query_word[0] >= "\u2e80":  # a Chinese or Japanese run is found inside a longer one (大学 in 北京大学)
        return query_word in name_word
    return name_word.startswith(query_word)


def _name_fits(ids: list[int], query_name: str) -> dict[int, tuple[int, int]]:
    """How well each institution's best single name fits the query: (kind, extra words), lower is better.

    kind: the name equals the query (0), starts with it (1), holds every query word (2), or the query's
    words are spread over several names (3). Extra words are the name's words the query does not match:
    for "Ludwig Maximilians Universitat Munchen", "Physiologisches Institut der Ludwig-Maximilians-Universität
    München" has three and the university's own name none. One query per 900 candidates reads their names.
    """
    query_words = query_name.split()
    fits: dict[int, tuple[int, int]] = dict.fromkeys(ids, (_SPREAD, 0))
    if not query_words:
        return fits
    for chunk_start in range(0, len(ids), _CHUNK):
        chunk = ids[chunk_start : chunk_start + _CHUNK]
        for inst_id, name in InstitutionName.objects.filter(institution_id__in=chunk).values_list(
            "institution_id", "normalised"
        ):
            name_words = name.split()
            if name == query_name:
                fit = (_EQUAL, 0)
            elif name.startswith(query_name):
                fit = (_STARTS, len(name_words) - len(query_words))
            else:
                matched = [w for w in name_words if any(_word_fits(q, w) for q in query_words)]
                if not all(any(_word_fits(q, w) for w in name_words) for q in query_words):
                    continue
                fit = (_HAS_ALL, len(name_words) - len(matched))
            if fit < fits[inst_id]:
                fits[inst_id] = fit
    return fits


def registry_lookup(*, query: str, limit: int = 10, country: str | None = None) -> list[Institution]:
    """Institutions matching a name, alias, acronym, domain, e-mail address or identifier, best first.

    Args:
        query: what a person typed: a name in any language and script, an acronym, a website, an e-mail
            address, a ROR ID, a PIC or an Erasmus code in any spacing ("d heidelb01").
        limit: at most this many institutions.
        country: ISO 3166-1 alpha-2 code to keep to, or None.

    Returns:
        Institutions (country selected), best first: identifier and domain matches; then by how well the
        institution's best single name fits the query (see `_name_fits`): a name equal to the query, then a
        name starting with it, then a name holding every query word, fewest extra words first, so that the
        organisation comes before its institutes ("Ludwig Maximilians Universitat Munchen" finds the
        university first); then shorter names. Withdrawn institutions come last.
    """
    query = (query or "").strip()[:200]
    if not query or limit <= 0:
        return []
    country = (country or "").upper() or None
    by_domain = _domain_ids(query, country)
    # A host name or an e-mail address is not a list of name words ("cs", "ox", "ac", "uk").
    looks_like_address = "@" in query or "://" in query or bool(by_domain)
    groups = [_identifier_ids(query), by_domain, *_name_ids(query, country, words_too=not looks_like_address)]
    rank: dict[int, tuple[int, int, int]] = {}
    for position, ids in enumerate(groups):
        for inst_id in ids:
            rank.setdefault(inst_id, (min(position, _BY_NAME), 0, 0))
    if not rank:
        return []
    by_name = [inst_id for inst_id, (group, _fit, _extra) in rank.items() if group == _BY_NAME]
    for inst_id, fit in _name_fits(by_name, search_name(query)).items():
        rank[inst_id] = (_BY_NAME, *fit)
    candidates = Institution.objects.filter(pk__in=list(rank))
    if country:
        candidates = candidates.filter(country_id=country)
    ordered = sorted(
        candidates.values_list("pk", "name", "status"),
        key=lambda row: (row[2] == "withdrawn", rank[row[0]], len(row[1]), row[1].casefold(), row[0]),
    )
    best = [row[0] for row in ordered[:limit]]
    found = Institution.objects.select_related("country").in_bulk(best)
    return [found[pk] for pk in best]


def registry_status() -> dict:
    """The latest import of each source with its counts, and the registry's size, for the registry page."""
    per_source = []
    for value, label in RegistrySource.choices:
        last = RegistryImport.objects.filter(source=value).order_by("-started_at", "-pk").first()
        per_source.append({"source": value, "label": label, "count": last.total if last else 0, "last": last})
    return {"sources": per_source, "total": Institution.objects.count()}


def institution_english_name(institution: Institution) -> str:
    """The English label when the registry has one, else the name itself."""
    for name in institution.names.all():
        if name.language == "en" and name.kind in ("label", "name"):
            return name.value
    return institution.name


def _coordinate(value: float | None) -> float | None:
    return round(value, 6) if value is not None else None


def institution_prefill(institution: Institution) -> dict:
    """Partner form values from a registry institution (keys are Partner field names)."""
    return {
        "name": institution.name,
        "name_en": institution_english_name(institution),
        "country_id": institution.country_id,
        # The form's select is named after the field, so it is filled from "country".
        "country": institution.country_id,
        "province": institution.subdivision,
        "city": institution.city,
        "latitude": _coordinate(institution.latitude),
        "longitude": _coordinate(institution.longitude),
        "website": institution.website,
        "ror_id": institution.ror_id or "",
        "erasmus_code": institution.erasmus_code or "",
        "pic": institution.pic or "",
        "registry_institution": institution.pk,
    }


def institutions_with_names(institutions: list[Institution]) -> list[Institution]:
    """Attach names and domains to a look-up result in two queries, whatever its length."""
    prefetch_related_objects(institutions, "names", "domains")
    return institutions


# --- city names in the reader's language -------------------------------------------------------------------

PLACES_TOKEN_KEY = "reference:places-token"
_places_memo: dict[str, object] = {"token": None, "table": {}}


def places_changed() -> None:
    """Forget the city-name table (after `meridian load-places`): every process reloads it on next use."""
    from django.core.cache import cache

    cache.set(PLACES_TOKEN_KEY, uuid.uuid4().hex, None)


def _places_table() -> dict[tuple[str, str], str]:
    """``{(country code, folded name): Chinese name}`` for every place with a Chinese name.

    Read with one query and kept in the process until ``places_changed`` renews the token in the shared
    cache; where a name is given to two places of one country (two Suzhous), the larger place wins.
    """
    from django.core.cache import cache

    from meridian.core.text import fold
    from meridian.reference.models import Place

    token = cache.get(PLACES_TOKEN_KEY)
    if token is None:  # cache emptied: start a new token so that every process reloads once
        fresh = uuid.uuid4().hex
        cache.add(PLACES_TOKEN_KEY, fresh, None)
        token = cache.get(PLACES_TOKEN_KEY) or fresh
    if _places_memo["token"] == token:
        return _places_memo["table"]  # type: ignore[return-value]
    table: dict[tuple[str, str], str] = {}
    # Smallest first: the larger place of a shared name is written last and wins.
    rows = (
        Place.objects.exclude(name_zh="")
        .order_by(F("population").asc(nulls_first=True))
        .values_list("country_code", "name", "name_en", "name_ascii", "name_zh")
    )
    for code, *names, chinese in rows:
        for name in names:
            if name:
                table[(code, fold(name))] = chinese
    _places_memo.update(token=token, table=table)
    return table


def city_name(country_code: str | None, city: str | None, language: str | None = None) -> str:
    """``city`` as a reader of ``language`` (default: the active language) should see it.

    For a Chinese reader, the Simplified Chinese name of the place called ``city`` (its name, English or ASCII
    name, compared case- and accent-insensitively) in the country ``country_code``, when the place-name table
    knows one; otherwise, and for every other language, ``city`` as stored. The table is read once per
    process (``_places_table``), not once per row.
    """
    from django.utils.translation import get_language

    from meridian.core.text import fold

    city = city or ""
    language = language or get_language() or "en"
    if not city or not country_code or not language.lower().startswith("zh"):
        return city
    return _places_table().get((country_code.upper(), fold(city)), city)
