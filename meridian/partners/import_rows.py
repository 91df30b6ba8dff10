"""Spreadsheet import of partners: the columns, the row handler, and its registration as an import kind.

Rows are matched to stored partners by identifier (ROR ID, Erasmus code, PIC, website domain) and then by name
and country; creates and updates go through the partner services.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from meridian.accounts.permissions import can_write_university
from meridian.core.bulk import new_instance
from meridian.core.registry import ImportKind, registry
from meridian.core.tabular import columns as c
from meridian.core.tabular import parsing as p
from meridian.core.tabular.engine import PlannedRow, RowImporter, differs
from meridian.core.tabular.report import CREATE, UNCHANGED, UPDATE
from meridian.core.text import half_width, name_key, normalise_domain
from meridian.partners.choices import PartnerType, RelationshipStatus
from meridian.partners.registry_match import RegistryMatcher

KIND = "partners"

# Chinese (and a few English) words for choice values, so that imports work without compiled translations.
PARTNER_TYPE_WORDS: dict[str, str] = {
    "大学": "university",
    "高校": "university",
    "高等院校": "university",
    "学院": "university",
    "研究机构": "research_institute",
    "研究所": "research_institute",
    "科研机构": "research_institute",
    "研究院": "research_institute",
    "企业": "enterprise",
    "公司": "enterprise",
    "company": "enterprise",
    "政府机构": "government",
    "政府部门": "government",
    "政府": "government",
    "government": "government",
    "国际组织": "international_organisation",
    "international organization": "international_organisation",
    "基金会": "foundation",
    "非政府组织": "foundation",
    "基金会/非政府组织": "foundation",
    "ngo": "foundation",
    "foundation": "foundation",
    "医院": "hospital",
    "其他": "other",
}

RELATIONSHIP_STATUS_WORDS: dict[str, str] = {
    "潜在": "prospect",
    "潜在合作": "prospect",
    "意向": "prospect",
    "洽谈中": "prospect",
    "活跃": "active",
    "合作中": "active",
    "有效": "active",
    "休眠": "dormant",
    "暂停": "dormant",
    "不活跃": "dormant",
    "以往": "former",
    "前合作伙伴": "former",
    "已终止": "former",
    "过去": "former",
}


def partner_columns() -> list[c.Column]:
    """The columns a partner spreadsheet may have, with English and Chinese headers and synonyms."""
    return [
        c.Column(
            "name",
            "Name",
            "名称",
            required=True,
            synonyms=("Official name", "机构名称", "正式名称"),
            fallbacks=("name_en", "name_zh"),
        ),
        c.Column("name_en", "English name", "英文名称", synonyms=("Name (English)", "英文名")),
        c.Column("name_zh", "Chinese name", "中文名称", synonyms=("Name (Chinese)", "中文名")),
        c.Column("acronym", "Acronym", "简称", synonyms=("缩写",)),
        c.Column("kind", "Type", "类型", c.CHOICE, choices=PartnerType, synonyms=("机构类型",)),
        c.Column(
            "country",
            "Country",
            "国家",
            c.COUNTRY,
            required=True,
            synonyms=("国家或地区", "Country or region", "国家/地区"),
        ),
        c.Column("city", "City", "城市"),
        c.Column("province", "Province", "省/州", synonyms=("Province / state", "State", "省份", "州")),
        c.Column("website", "Website", "网站", c.WEBSITE, synonyms=("网址", "Web site", "URL")),
        c.Column("ror_id", "ROR ID", "ROR编号", c.ROR, synonyms=("ROR",)),
        c.Column("erasmus_code", "Erasmus code", "Erasmus代码", synonyms=("Erasmus",)),
        c.Column("pic", "PIC", "PIC代码", synonyms=("PIC code",)),
        c.Column("schac_code", "SCHAC code", "SCHAC代码", synonyms=("SCHAC",)),
        c.Column(
            "status",
            "Status",
            "合作状态",
            c.CHOICE,
            choices=RelationshipStatus,
            synonyms=("Relationship status", "状态"),
        ),
        c.Column(
            "cooperating_since",
            "Cooperating since",
            "合作起始",
            c.DATE,
            synonyms=("合作起始日期", "合作开始"),
        ),
        c.Column("tags", "Tags", "标签", c.LIST),
        c.Column("is_public", "Public", "公开", c.BOOL, synonyms=("Shown publicly", "是否公开")),
        c.Column("notes", "Notes", "备注", synonyms=("Internal notes", "内部备注")),
        c.Column("latitude", "Latitude", "纬度", c.DECIMAL),
        c.Column("longitude", "Longitude", "经度", c.DECIMAL),
    ]


def erasmus_key(code: str) -> str:
    """Erasmus codes keep their padding when stored; matching ignores it ("D  HEIDELB01" == "d heidelb01").

    The registry's key (``meridian.reference.erasmus.erasmus_key``) of the code's official form, so that every
    typed form of one code ("D-HEIDELB01", full-width letters) gives one key; text that is no Erasmus code is
    keyed as typed.
    """
    from meridian.reference.erasmus import ErasmusCodeError, normalise_erasmus_code
    from meridian.reference.erasmus import erasmus_key as registry_key

    try:
        return registry_key(normalise_erasmus_code(code or ""))
    except ErasmusCodeError:
        return registry_key(code or "")


class CountryIndex:
    """Country and territory names in every spelling offices use → Country, loaded once per import.

    ISO codes, ISO/UN/CLDR names and common English and Chinese variants ("UK", "Korea, Republic of",
    中国香港, 台湾地区) through ``meridian.reference.countries.CountryResolver``; a name that means two
    countries ("Korea", "Congo") is refused with the choices, an unknown one with a message.
    """

    def __init__(self) -> None:
        from meridian.reference.countries import CountryResolver

        self.resolver = CountryResolver()

    def find(self, value: object) -> Any:
        from meridian.reference.countries import CountryError

        try:
            return self.resolver.find(p.as_text(value))
        except CountryError as exc:
            raise p.CellError(exc.message) from None


# A near match: token_sort_ratio (0–100, rapidfuzz) of two name keys at or above this is shown to the user.
NEAR_MATCH_SCORE = 90
# At most this many stored names are scored for one row (the rarest blocks first), and this many shown.
NEAR_MATCH_CANDIDATES = 100
NEAR_MATCH_SHOWN = 3
# Words too common in organisation names to narrow the search for near matches (after name_key).
_COMMON_WORDS_TEXT = """
    a an and at de del della der des di die du em en et for fur fuer im in la le les of on the und y zu
    university universitat universite universidad universita universidade universiteit universitet
    uniwersytet college institute institut instituto school hochschule fachhochschule academy akademie
    national state technical technische technology polytechnic science sciences applied research center
    centre medical faculty foundation hospital company group
"""
COMMON_NAME_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
# Runs of Chinese, Japanese or Korean characters, and runs of other letters and digits.
_UNSPACED_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_SCRIPT_RUNS = re.compile(f"[{_UNSPACED_CHARS}]+|[^\\s{_UNSPACED_CHARS}]+")
_UNSPACED = re.compile(f"[{_UNSPACED_CHARS}]")
_ROMAN_OR_NUMBER = re.compile(r"^(?:\d+|(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))$")


@functools.lru_cache(maxsize=200_000)
def _blocks(key: str) -> frozenset[str]:
    """Cheap keys that near-identical names share: distinctive words and their first four letters, and the
    character pairs of Chinese (and other unspaced) script runs."""
    out: set[str] = set()
    for token in _SCRIPT_RUNS.findall(key):
        if token in COMMON_NAME_WORDS or _ROMAN_OR_NUMBER.match(token):
            continue
        if _UNSPACED.match(token):
            out.update(token[i : i + 2] for i in range(len(token) - 1))
        else:
            out.add(token)
            out.add(token[:4] + "…")
    return frozenset(out or {key})


def _only_numbers_differ(one: str, other: str) -> bool:
    """ "Université Paris 1" and "Université Paris 8" are different universities, not a typo."""
    difference = set(one.split()) ^ set(other.split())
    return bool(difference) and all(_ROMAN_OR_NUMBER.match(token) for token in difference)


class NameIndex:
    """Organisation names by country: exact look-up by ``name_key`` and near matches by fuzzy score.

    Everything is in memory; a near-match search scores only the names that share a block (a distinctive
    word, its first letters or a pair of Chinese characters) in the same country, rarest blocks first, so its
    cost does not grow with the number of stored names.
    """

    def __init__(self) -> None:
        self.exact: dict[tuple[str, str], list[Any]] = {}
        self.blocks: dict[tuple[str, str], list[int]] = {}
        self.keys: list[str] = []
        self.items: list[Any] = []

    def add(self, key: str, country: str, item: Any) -> None:
        if not key:
            return
        self.exact.setdefault((country, key), []).append(item)
        position = len(self.keys)
        self.keys.append(key)
        self.items.append(item)
        for block in _blocks(key):
            self.blocks.setdefault((country, block), []).append(position)

    def find(self, key: str, country: str) -> list[Any]:
        """Items stored under exactly this key in this country."""
        return self.exact.get((country, key), []) if key else []

    def similar(self, key: str, country: str) -> list[tuple[Any, str, float]]:
        """(item, its key, score) of near matches in `country`, best first; exact matches are left out.

        The candidates are the names sharing the key's rarest blocks, whole blocks in order of size while
        they fit in ``NEAR_MATCH_CANDIDATES``.
        """
        if not key:
            return []
        buckets = sorted(
            (self.blocks[(country, block)] for block in _blocks(key) if (country, block) in self.blocks),
            key=len,
        )
        positions: list[int] = []
        for bucket in buckets:
            if positions and len(positions) + len(bucket) > NEAR_MATCH_CANDIDATES:
                break
            positions.extend(bucket[-NEAR_MATCH_CANDIDATES:])
        if not positions:
            return []
        keys = self.keys
        choices = [keys[position] for position in positions]
        if len(choices) <= 32:
            # A few candidates (the usual case): scoring them directly costs less than the batch call.
            scored = ((choice, fuzz.token_sort_ratio(key, choice, score_cutoff=NEAR_MATCH_SCORE), index)
                      for index, choice in enumerate(choices))  # fmt: skip
            found = sorted((item for item in scored if item[1]), key=lambda item: -item[1])
        else:
            found = process.extract(
                key,
                choices,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=NEAR_MATCH_SCORE,
                limit=NEAR_MATCH_SHOWN,
            )
        out: dict[int, tuple[Any, str, float]] = {}
        for choice, score, index in found:
            position = positions[index]
            if choice != key and position not in out and not _only_numbers_differ(choice, key):
                out[position] = (self.items[position], choice, score)
        return list(out.values())


class StoredNames(NamedTuple):
    """A stored partner's id, country and names: what matching needs before the record itself is read."""

    pk: int
    country_id: str
    name: str
    name_en: str
    name_zh: str
    acronym: str


# Stored partners are read in chunks of this many (matched rows' records, their tags).
FETCH_CHUNK = 1000
# Rows without identifiers looked up in the institution registry, per file (IMPORT_REGISTRY_MATCH_ROWS).
REGISTRY_MATCH_ROWS = 2_000


class PartnerIndex:
    """Stored partners by identifier, website domain and name, for matching rows to stored records.

    The index holds ids, identifiers and names only (one ``values_list`` query, no model instances):
    ``by_ror``, ``by_erasmus`` (by ``erasmus_key``), ``by_pic`` and ``by_domain`` map to a partner id;
    ``names`` holds the name keys (``name_key``) of official, English and Chinese names and acronyms by
    country, with ``StoredNames`` as items. The records of matched partners (and, ``with_tags``, their tag
    names) are read when needed: ``load(ids)`` reads many in chunks of ``FETCH_CHUNK`` (an importer calls it
    for a chunk of rows before planning them) and ``get(id)`` returns one, reading it if it was not loaded.
    So the cost of an import grows with its rows and not with the number of stored records it matches;
    building the index itself reads each stored partner's identifiers and names once.
    """

    def __init__(self, *, with_tags: bool) -> None:
        from meridian.partners.models import Partner

        self.with_tags = with_tags
        self.tags: dict[int, list[str]] = {}
        self.by_ror: dict[str, int] = {}
        self.by_erasmus: dict[str, int] = {}
        self.by_pic: dict[str, int] = {}
        self.by_domain: dict[str, int] = {}
        self.by_key: dict[str, list[StoredNames]] = {}
        self.names = NameIndex()
        self._records: dict[int, Any] = {}
        rows = Partner.objects.order_by("pk").values_list(
            "pk", "country_id", "name", "name_en", "name_zh", "acronym",
            "ror_id", "erasmus_code", "pic", "website_domain",
        )  # fmt: skip
        for pk, country, name, name_en, name_zh, acronym, ror_id, erasmus, pic, domain in rows.iterator(
            chunk_size=5000
        ):
            if ror_id:
                self.by_ror[ror_id.lower()] = pk
            if erasmus:
                self.by_erasmus[erasmus_key(erasmus)] = pk
            if pic:
                self.by_pic[pic] = pk
            if domain:
                self.by_domain.setdefault(domain, pk)
            stored = StoredNames(pk, country, name, name_en, name_zh, acronym)
            keys = {name_key(text) for text in (name, name_en, name_zh) if text}
            for key in keys:
                self.by_key.setdefault(key, []).append(stored)
                self.names.add(key, country, stored)
            acronym_key = name_key(acronym)
            if acronym_key and acronym_key not in keys:
                self.names.add(acronym_key, country, stored)

    def load(self, ids: Iterable[int]) -> None:
        """Read the records (with their country) of these partners, and their tag names, in chunks."""
        from meridian.partners.models import Partner

        wanted = sorted({pk for pk in ids if pk not in self._records})
        for start in range(0, len(wanted), FETCH_CHUNK):
            chunk = wanted[start : start + FETCH_CHUNK]
            for partner in Partner.objects.select_related("country").filter(pk__in=chunk):
                self._records[partner.pk] = partner
            if self.with_tags:
                links = Partner.tags.through.objects.filter(partner_id__in=chunk)
                for partner_id, tag_name in links.values_list("partner_id", "tag__name"):
                    self.tags.setdefault(partner_id, []).append(tag_name)

    def get(self, pk: int) -> Any:
        """The partner with this id (read now when ``load`` did not read it)."""
        if pk not in self._records:
            self.load([pk])
        return self._records[pk]

    def identifier_ids(self, fields: dict[str, Any]) -> list[tuple[str, int]]:
        """(field, partner id) for each identifier in ``fields`` that already belongs to a partner."""
        found = []
        if fields.get("ror_id") and fields["ror_id"] in self.by_ror:
            found.append(("ror_id", self.by_ror[fields["ror_id"]]))
        if fields.get("erasmus_code"):
            key = erasmus_key(fields["erasmus_code"])
            if key in self.by_erasmus:
                found.append(("erasmus_code", self.by_erasmus[key]))
        if fields.get("pic") and fields["pic"] in self.by_pic:
            found.append(("pic", self.by_pic[fields["pic"]]))
        domain = normalise_domain(fields.get("website", ""))
        if domain and domain in self.by_domain:
            found.append(("website", self.by_domain[domain]))
        return found

    def by_identifiers(self, fields: dict[str, Any]) -> list[tuple[str, Any]]:
        """(field, partner) for each identifier in `fields` that already belongs to a partner."""
        return [(name, self.get(pk)) for name, pk in self.identifier_ids(fields)]

    def named(self, key: str) -> list[Any]:
        """Partners (any country, oldest first) one of whose official, English or Chinese names has this
        ``name_key``."""
        return [self.get(stored.pk) for stored in self.by_key.get(key, [])] if key else []

    def by_name_and_country(self, name: str, country_code: str) -> Any:
        """The first partner (oldest) in this country one of whose names or acronym has this name key."""
        found = self.names.find(name_key(name), country_code)
        return self.get(found[0].pk) if found else None


MATCHED_BY = {
    "ror_id": gettext_lazy("ROR ID"),
    "erasmus_code": gettext_lazy("Erasmus code"),
    "pic": gettext_lazy("PIC"),
    "website": gettext_lazy("website"),
    "name": gettext_lazy("name"),
    "acronym": gettext_lazy("acronym"),
}
# Text fields stored with full-width letters and digits made ASCII and runs of spaces made one.
HALF_WIDTH_FIELDS = (
    "name", "name_en", "name_zh", "acronym", "city", "province", "erasmus_code", "pic", "schac_code",
)  # fmt: skip
# Fields compared by name_key: two spellings of one name are no change.
NAME_LIKE_FIELDS = frozenset({"name", "name_en", "name_zh", "acronym", "city", "province"})
_LATIN = re.compile(r"^[\x00-\u024f\u1e00-\u1eff\s\W\d]*$")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def normalise_text_fields(fields: dict[str, Any]) -> None:
    """Full-width letters and digits become ASCII ("ＭＩＴ" → "MIT"), Chinese punctuation in Chinese text is
    kept, and runs of spaces become one, before a value is compared or stored (see ``half_width``)."""
    for name in HALF_WIDTH_FIELDS:
        if isinstance(fields.get(name), str):
            value = " ".join(half_width(fields[name]).split())
            fields[name] = value if name != "erasmus_code" else half_width(fields[name]).strip()


def row_name_keys(fields: dict[str, Any]) -> list[str]:
    """The name keys of a row's official, English and Chinese names, without repeats."""
    keys = (name_key(fields.get(name) or "") for name in ("name", "name_en", "name_zh"))
    return list(dict.fromkeys(key for key in keys if key))


def _partner_keys(partner: Any, *, official: bool = True) -> set[str]:
    names = [partner.name_en, partner.name_zh] + ([partner.name] if official else [partner.acronym])
    return {name_key(name) for name in names if name}


def _name_for(partner: Any, keys: list[str]) -> str:
    """The partner's name (official, English, Chinese or acronym) that has one of these keys."""
    for name in (partner.name, partner.name_en, partner.name_zh, partner.acronym):
        if name and name_key(name) in keys:
            return name
    return partner.name


def language_field(incoming: str, stored: str) -> str:
    """ "name_zh" / "name_en" when `incoming` is Chinese / Latin-script text and `stored` is not; else ""."""
    if _HAN.search(incoming) and not _HAN.search(stored):
        return "name_zh"
    if _LATIN.match(incoming) and not _LATIN.match(stored):
        return "name_en"
    return ""


def same_value(field_name: str, stored: Any, incoming: Any) -> bool:
    """Whether a stored value and a file's value are the same for an import (so nothing changes)."""
    if not isinstance(stored, str) or not isinstance(incoming, str):
        return False
    if field_name in NAME_LIKE_FIELDS:
        # Two spellings of one name are no change, unless the file has letters the stored one lacks ("Zurich"
        # stored, "Zürich" in the file): that is a conflict for the user to decide, while a file that drops
        # them ("ECOLE POLYTECHNIQUE" for "École polytechnique") changes nothing.
        return name_key(stored) == name_key(incoming) and not _has_more_letters(incoming, stored)
    if field_name == "erasmus_code":
        return erasmus_key(stored) == erasmus_key(incoming)
    if field_name == "website":
        # "https://www.univie.ac.at/" and "https://univie.ac.at" are one site: same host without "www.", same
        # path; a different scheme or path is a difference.
        return _website_key(stored) == _website_key(incoming)
    return " ".join(stored.split()) == " ".join(incoming.split())


def _has_more_letters(incoming: str, stored: str) -> bool:
    """Whether ``incoming`` has more letters outside plain ASCII (accents, umlauts, other scripts) than
    ``stored``: the file spells a name more fully than the record does."""
    return sum(not ch.isascii() and ch.isalpha() for ch in incoming) > sum(
        not ch.isascii() and ch.isalpha() for ch in stored
    )


def _website_key(url: str) -> tuple[str, str, str]:
    """(scheme, host without "www.", path without a trailing slash), case-insensitive."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return (url.strip().casefold(), "", "")
    host = (parts.hostname or "").removeprefix("www.")
    return (
        parts.scheme.casefold(),
        host,
        parts.path.rstrip("/") + ("?" + parts.query if parts.query else ""),
    )


def display_value(value: Any, field_name: str = "") -> str:
    """A stored or incoming value of a partner field as the import report shows it (choices by label)."""
    from meridian.partners.models import Partner

    choices = dict(Partner._meta.get_field(field_name).flatchoices) if field_name else {}
    if value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, models.Model):
        return str(getattr(value, "name_en", "") or value)
    return str(value)


class PartnerImporter(RowImporter):
    kind = KIND

    @classmethod
    def declared_columns(cls) -> list[c.Column]:
        return partner_columns()

    def prepare(self, rows: list[tuple[int, list[object]]]) -> None:
        self.countries = CountryIndex()
        self.partners = PartnerIndex(with_tags=True)
        self.lookups = {
            "kind": c.choice_lookup(PartnerType, PARTNER_TYPE_WORDS),
            "status": c.choice_lookup(RelationshipStatus, RELATIONSHIP_STATUS_WORDS),
        }
        # identity key → first row that used it, so that a file cannot name the same partner twice.
        self.seen: dict[tuple[str, str], int] = {}
        self.registry = RegistryMatcher()
        self.registry_lookups = 0
        self.registry_skipped = 0
        self.registry_filled: dict[int, str] = {}
        self.registry_filled_names: dict[int, str] = {}

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        """Read the stored partners that the next rows match, by identifier or by name, in one go
        (``PartnerIndex.load``), instead of one query per matched row."""
        ids: set[int] = set()
        for _number, values in rows:
            fields = values
            if isinstance(values.get("pic"), str):
                fields = {**values, "pic": re.sub(r"\s+", "", values["pic"])}
            ids.update(pk for _field, pk in self.partners.identifier_ids(fields))
            country = getattr(values.get("country"), "pk", None)
            for key in row_name_keys(values):
                ids.update(stored.pk for stored in self.partners.names.find(key, country))
        self.partners.load(ids)

    def resolve(self, column: c.Column, value: object) -> Any:
        if column.parse == c.COUNTRY:
            return self.countries.find(value)
        if column.parse == c.CHOICE:
            return p.parse_choice(value, self.lookups[column.field])
        raise p.CellError(_("cannot be read"))

    def _identity_keys(self, fields: dict[str, Any]) -> list[tuple[str, str]]:
        keys = []
        if fields.get("ror_id"):
            keys.append(("ror_id", fields["ror_id"]))
        if fields.get("erasmus_code"):
            keys.append(("erasmus_code", erasmus_key(fields["erasmus_code"])))
        if fields.get("pic"):
            keys.append(("pic", fields["pic"]))
        if normalise_domain(fields.get("website", "")):
            keys.append(("website", normalise_domain(fields["website"])))
        for key in row_name_keys(fields):
            keys.append(("name", f"{key}|{fields['country'].pk}"))
        return keys

    def plan(self, number: int, values: dict[str, Any]) -> PlannedRow | None:
        """Match the row to a stored partner (identifiers, then names in the same country) and plan it.

        A matched partner's blank fields are filled; a field whose stored value differs is a conflict and
        keeps the stored value unless the user chose the file's (``self.decisions``). An unmatched row is
        created; near matches by name are listed as possible duplicates for the user to check.
        """
        from meridian.partners.models import Partner

        tags = values.pop("tags", None)
        fields = values
        normalise_text_fields(fields)
        # Stored the way the partner services store them, so that a re-import compares like with like.
        if "erasmus_code" in fields:
            from meridian.reference.erasmus import ErasmusCodeError, normalise_erasmus_code

            try:
                fields["erasmus_code"] = normalise_erasmus_code(fields["erasmus_code"])
            except ErasmusCodeError as exc:
                self.report.problem(number, self.header("erasmus_code"), exc.message)
                return None
        if "pic" in fields:
            fields["pic"] = re.sub(r"\s+", "", fields["pic"])
        identity = self._identity_keys(fields)
        for key in identity:
            if key in self.seen:
                column = self.header(key[0])
                self.report.problem(
                    number, column, _("the same partner as row %(row)s") % {"row": self.seen[key]}
                )
                return None
        for key in identity:
            self.seen[key] = number

        matches = self.partners.by_identifiers(fields)
        existing = matches[0][1] if matches else None
        for field_name, other in matches[1:]:
            if existing is not None and other.pk != existing.pk:
                self.report.problem(
                    number,
                    self.header(field_name),
                    _("already belongs to another partner (%(other)s) than the one matched by %(column)s")
                    % {"other": other.name, "column": self.header(matches[0][0])},
                )
                return None
        matched = str(MATCHED_BY[matches[0][0]]) if matches else ""
        possible: list[dict] = []
        if existing is None:
            existing, matched, possible = self._match_by_name(fields)
        if existing is None and not (fields.get("ror_id") or fields.get("erasmus_code") or fields.get("pic")):
            existing, matched, same = self._match_in_registry(number, fields)
            possible += same

        if existing is None:
            possible += self._near_matches(number, fields)
            # The record is built and validated once, by ``check``.
            return PlannedRow(
                row=number,
                action=CREATE,
                label=fields["name"],
                fields=fields,
                extra={"tags": tags},
                possible_duplicates=possible[:NEAR_MATCH_SHOWN],
                matched=self.registry_filled.get(number, ""),
            )

        first = self.seen.setdefault(("partner", str(existing.pk)), number)
        if first != number:
            self.report.problem(number, "", _("the same partner as row %(row)s") % {"row": first})
            return None
        changed, conflicts = self._compare(number, existing, fields)
        stored_tags = sorted(self.partners.tags.get(existing.pk, []))
        new_tags = None
        if tags is not None:
            if self.decisions.get(str(number), {}).get("tags") == "file":
                new_tags = sorted(set(tags))
            elif not set(tags) <= set(stored_tags):
                new_tags = sorted(set(stored_tags) | set(tags))  # tags are added, none is taken away
            if new_tags == stored_tags:
                new_tags = None
        action = UPDATE if changed or new_tags is not None else UNCHANGED
        changes = [self.header(k) or str(Partner._meta.get_field(k).verbose_name) for k in changed]
        changes += [self.header("tags")] if new_tags is not None else []
        return PlannedRow(
            row=number,
            action=action,
            label=existing.name,
            instance=existing,
            fields=changed,
            extra={"tags": new_tags},
            changes=changes,
            conflicts=conflicts,
            possible_duplicates=possible[:NEAR_MATCH_SHOWN],
            matched=matched,
        )

    def _match_in_registry(self, number: int, fields: dict[str, Any]) -> tuple[Any, str, list[dict]]:
        """(stored partner, how it was matched, possible duplicates) for a row without identifiers, through
        the registry.

        The institution registry's confident match for the row's names in its country
        (``meridian.partners.registry_match``, the partner form's rule): when a stored partner holds its ROR
        ID, that partner is the match; otherwise the row's new partner gets the ROR ID and the registry
        link, and the report says so (the dry run shows it before anything is stored); a later row of the
        same institution is left as it is and named a possible duplicate of the first. At most
        ``IMPORT_REGISTRY_MATCH_ROWS`` rows of one file (default 2,000) are looked up, since each distinct
        organisation costs some 40 ms; the report says when the rest were not.
        """
        from django.conf import settings

        limit = getattr(settings, "IMPORT_REGISTRY_MATCH_ROWS", REGISTRY_MATCH_ROWS)
        if self.registry_lookups >= limit:
            if not self.registry_skipped:
                self.report.notices.append(
                    _(
                        "The institution registry was consulted for the first %(limit)s rows without "
                        "identifiers only; the rows after them were matched by name alone."
                    )
                    % {"limit": f"{limit:,}"}
                )
            self.registry_skipped += 1
            return None, "", []
        self.registry_lookups += 1
        suggestion = self.registry.suggest(
            name=fields["name"],
            country_code=fields["country"].pk,
            names=[fields.get(name) or "" for name in ("name_en", "name_zh")],
        )
        if suggestion is None or not suggestion.ror_id:
            return None, "", []
        how = _("ROR ID from the registry: %(name)s") % {"name": suggestion.name}
        holder = self.partners.by_ror.get(suggestion.ror_id)
        if holder is not None:
            return self.partners.get(holder), how, []
        first = self.seen.setdefault(("ror_id", suggestion.ror_id), number)
        if first != number:
            reason = _("the same institution in the registry as row %(row)s: %(name)s") % {
                "row": first,
                "name": suggestion.name,
            }
            label = self.registry_filled_names.get(first, "")
            return None, "", [{"id": None, "label": label, "reason": reason}]
        fields["ror_id"] = suggestion.ror_id
        fields["registry_institution_id"] = suggestion.institution_id
        self.registry_filled[number] = how
        self.registry_filled_names[number] = fields["name"]
        return None, "", []

    def _match_by_name(self, fields: dict[str, Any]) -> tuple[Any, str, list[dict]]:
        """(partner, how it was matched, other partners of the same name) by the row's names and country.

        The row's official, English and Chinese names are looked up among the stored partners' names and
        acronyms in the same country; the oldest partner found is the match.
        """
        country = fields["country"].pk
        found: dict[int, tuple[StoredNames, str]] = {}
        for key in row_name_keys(fields):
            for partner in self.partners.names.find(key, country):
                how = (
                    "acronym"
                    if key == name_key(partner.acronym) and key not in _partner_keys(partner)
                    else "name"
                )
                found.setdefault(partner.pk, (partner, how))
        if not found:
            return None, "", []
        ordered = [found[pk] for pk in sorted(found)]
        stored, how = ordered[0]
        partner = self.partners.get(stored.pk)
        others = [
            {
                "id": other.pk,
                "label": other.name,
                "reason": _("same name: %(name)s") % {"name": _name_for(other, row_name_keys(fields))},
            }
            for other, _how in ordered[1:]
        ]
        return partner, str(MATCHED_BY[how]), others

    def _near_matches(self, number: int, fields: dict[str, Any]) -> list[dict]:
        """Stored partners and earlier rows of this file with a name close to this row's official name
        (same country).

        The row's official name is then remembered, so that later rows are compared with it too.
        """
        country = fields["country"].pk
        keys = row_name_keys(fields)
        shown: list[dict] = []
        if keys:
            # The official name is compared with every stored name (official, English, Chinese, acronym).
            seen: set[int] = set()
            for partner, other_key, _score in self.partners.names.similar(keys[0], country):
                if partner.pk not in seen and len(shown) < NEAR_MATCH_SHOWN:
                    seen.add(partner.pk)
                    name = _name_for(partner, [other_key])
                    reason = _("similar name: %(name)s") % {"name": name}
                    shown.append({"id": partner.pk, "label": partner.name, "reason": reason})
            for (row, name), _other_key, _score in self.file_names.similar(keys[0], country):
                if len(shown) < NEAR_MATCH_SHOWN:
                    reason = _("similar name in row %(row)s: %(name)s") % {"row": row, "name": name}
                    shown.append({"id": None, "label": name, "reason": reason})
            self.file_names.add(keys[0], country, (number, fields["name"]))
        return shown

    @property
    def file_names(self) -> NameIndex:
        """Names of the rows of this file planned so far (created on first use)."""
        if not hasattr(self, "_file_names"):
            self._file_names = NameIndex()
        return self._file_names

    def _compare(self, number: int, existing: Any, fields: dict[str, Any]) -> tuple[dict, list[dict]]:
        """(fields to change, conflicts) between a stored partner and a row.

        Blank stored fields are filled. A value that is the same under ``name_key`` (names, city, province),
        padding (Erasmus code), a trailing slash (website) or spacing is no change. Any other difference is a
        conflict ``{"field", "column", "stored", "incoming"}`` and keeps the stored value unless the user
        chose the file's for that row and field. A row's official name that is already one of the partner's
        other names changes nothing; in another script than the stored official name (an English row for a
        partner with a Russian official name) it fills the English or Chinese name instead when that is
        blank, and is a conflict with it when not.
        """
        chosen = self.decisions.get(str(number), {})
        changed: dict[str, Any] = {}
        conflicts: list[dict] = []
        for field_name, incoming in fields.items():
            stored = getattr(existing, field_name)
            if not differs(stored, incoming) or same_value(field_name, stored, incoming):
                continue
            if stored in (None, ""):
                changed.setdefault(field_name, incoming)
                continue
            target = field_name
            if field_name == "name":
                if name_key(incoming) in _partner_keys(existing, official=False):
                    continue
                other_language = language_field(incoming, stored)
                if other_language and other_language not in fields:
                    held = getattr(existing, other_language)
                    if not held:
                        changed.setdefault(other_language, incoming)
                        continue
                    target, stored = other_language, held
            if chosen.get(target) == "file":
                changed[target] = incoming
                continue
            conflicts.append(
                {
                    "field": target,
                    "column": self.header(field_name),
                    "stored": display_value(stored, target),
                    "incoming": display_value(incoming, target),
                }
            )
        return changed, conflicts

    def apply(self, planned: PlannedRow) -> Any:
        from meridian.partners import services

        if planned.action == CREATE:
            return services.partner_create(actor=self.actor, tags=planned.extra.get("tags"), **planned.fields)
        return services.partner_update(
            partner=planned.instance, actor=self.actor, tags=planned.extra.get("tags"), **planned.fields
        )

    # Bulk form: the dry run plans in memory; a commit creates partners in bulk --------------------------

    plans_in_memory = True

    def check(self, planned: PlannedRow) -> bool:
        """Validate the record a planned row would write, as the partner services do (no write, no query).

        A new partner is checked as ``partner_create`` checks it (every field; the foreign keys once per file,
        see ``partners.services.BULK_CHECKED``); a changed one in the values the row sets (the others were
        valid when stored). The checked record is kept on the row (``extra["partner"]``) for the commit, which
        then writes it without building and checking it again.
        """
        from django.core.exceptions import ValidationError

        from meridian.partners import services
        from meridian.partners.models import Partner

        checked: tuple[str, ...] = services.BULK_CHECKED
        if planned.action == CREATE:
            partner = new_instance(Partner, planned.fields)
        else:
            stored = planned.instance
            fields = Partner._meta.concrete_fields
            partner = Partner(**{f.attname: getattr(stored, f.attname) for f in fields})
            for name, value in planned.fields.items():
                setattr(partner, name, value)
            unchanged = {f.name for f in fields} - set(planned.fields)
            checked = (*checked, *sorted(unchanged))
        try:
            services.partner_check(partner=partner, checked=checked)
            services.partner_tag_names(planned.extra.get("tags") or [])
        except ValidationError as exc:
            self.report_validation(planned.row, exc)
            return False
        planned.extra["partner"] = partner
        return True

    def stage_bulk(self, plans: list[PlannedRow]) -> None:
        """Prepare the new partners before the write transaction (``partner_build_bulk``), from the records
        ``check`` built and checked."""
        from meridian.partners import services

        creates = [p for p in plans if p.action == CREATE]
        rows = [(p.row, p.fields, p.extra.get("tags")) for p in creates]
        checked = {p.row: p.extra["partner"] for p in creates if "partner" in p.extra}
        self._drafts = services.partner_build_bulk(actor=self.actor, rows=rows, checked=checked)

    def apply_bulk(self, plans: list[PlannedRow], progress: Any = None) -> dict[int, Any]:
        """New partners through ``partner_create_bulk``, changed ones through ``partner_update_bulk`` (which
        refuses a partner someone else saved after the dry run); ``{row: partner id}``.
        ``progress(done, total)`` follows the batches. Raises ``BulkRowError`` for a refused row."""
        from meridian.partners import services

        creates = [planned for planned in plans if planned.action == CREATE]
        updates = [planned for planned in plans if planned.action == UPDATE]
        total = len(creates) + len(updates)
        step = progress or (lambda done, total: None)
        drafts = getattr(self, "_drafts", None)
        if drafts is not None and drafts.keys != [planned.row for planned in creates]:
            drafts = None  # staged for other rows: build them again
        created = services.partner_create_bulk(
            actor=self.actor,
            rows=None if drafts else [(p.row, p.fields, p.extra.get("tags")) for p in creates],
            drafts=drafts,
            progress=lambda done, _count: step(done, total),
        )
        saved = {planned.row: partner.pk for planned, partner in zip(creates, created, strict=True)}
        changes = [
            services.PartnerChange(
                key=planned.row,
                partner=planned.instance,
                fields=planned.fields,
                tags=planned.extra.get("tags"),
                checked=planned.extra.get("partner"),
            )
            for planned in updates
        ]
        changed = services.partner_update_bulk(
            actor=self.actor, changes=changes, progress=lambda done, _count: step(len(creates) + done, total)
        )
        saved.update({planned.row: partner.pk for planned, partner in zip(updates, changed, strict=True)})
        return saved


def can_import_partners(user) -> bool:
    """Importing may change any partner, so it takes a university-wide write role (officer, administrator)."""
    return can_write_university(user)


registry.import_kinds.add(
    ImportKind(
        key=KIND,
        label=gettext_lazy("Partners"),
        handler=lambda: PartnerImporter,
        permission=can_import_partners,
        order=10,
    )
)
