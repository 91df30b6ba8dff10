"""Affiliation matching: a free-text affiliation string → ranked registry institutions and at most one choice.

The method follows the affiliation matching strategy of the ROR community (the ROR API's `affiliation`
query, described by ROR as "matching affiliation strings to ROR IDs"): clean the string (HTML entities,
Unicode forms), split it into candidate substrings, detect the country it names, compare each substring with
every name, alias, label and acronym of the candidate organisations by fuzzy string similarity (rapidfuzz:
edit ratio, word-order-insensitive ratio, and the name found inside a longer substring), and choose a match
only when its score reaches a confidence threshold (0.9, as ROR's) and is clearly ahead of every other
organisation; an acronym alone never chooses. Candidate organisations are fetched through the registry's
word index (words rare enough to be telling, typos corrected against the registry's words), never by
scanning every name.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from meridian.core.text import fold, words
from meridian.reference.data.country_aliases import ALIASES
from meridian.reference.folding import country_key, fold_han, search_words
from meridian.reference.models import Country, Institution, InstitutionName, InstitutionToken
from meridian.reference.tokens import MAX_TOKEN

MAX_AFFILIATION = 1000  # characters; longer strings are refused by the API
MIN_CHOSEN_SCORE = 0.9  # a candidate below this is never chosen (as in ROR's matching)
MIN_MARGIN = 0.04  # the chosen candidate leads the next organisation by at least this much
MIN_CANDIDATE_SCORE = 0.5  # weaker candidates are not listed
_FORMER_WEIGHT = 0.93  # a former name still matches, but the current name written next to it wins

_RARE = 400  # a word shared by fewer institutions than this fetches them all
_CANDIDATES = 250  # institutions scored per affiliation
_MAX_PARTS = 16  # parts of an affiliation considered (a string of many authors' affiliations is cut)
_CJK_PIECES = 40  # substrings of a Chinese or Japanese run looked up in the word index
_MAX_RUN = 3  # consecutive substrings joined into one candidate ("University of California, Los Angeles")


def _set_of(words_text: str) -> frozenset[str]:
    return frozenset(words_text.split())


# Words of organisational units: a department or hospital before or after a university's name.
_UNIT_WORDS = _set_of(
    """
    department dept faculty school division section laboratory lab laboratories centre center unit group
    chair hospital clinic affiliated teaching first second third fourth fifth sixth medical medicine
    college institute graduate research program programme of the and for in at general children childrens
    university campus library office sciences science engineering
    """
)
# Words that start the name of a unit ("Department of Physics", "Faculty of Medicine") before its university.
_UNIT_HEADS = _set_of(
    """
    department dept faculty school division section laboratory lab laboratories centre center unit group
    chair hospital clinic affiliated teaching institute college graduate research program programme
    library office first second third fourth fifth sixth key
    """
)
# Common words of institution names that say nothing about which institution is meant.
_WEAK_WORDS = _set_of(
    """
    of the and for in at de del della di des du la le el y et und fur a an i e do da dos das von van der
    den zu
    """
)
_ABBREVIATIONS = {
    "univ": "university",
    "uni": "university",
    "dept": "department",
    "inst": "institute",
    "coll": "college",
    "sch": "school",
    "fac": "faculty",
    "natl": "national",
    "nat": "national",
    "intl": "international",
    "st": "saint",
    "ste": "sainte",
    "ctr": "center",
    "cent": "center",
    "centre": "center",
    "lab": "laboratory",
    "hosp": "hospital",
    "acad": "academy",
    "sci": "science",
    "technol": "technology",
    "polytech": "polytechnic",
}
_FORMER = re.compile(
    r"^\s*(?:formerly|previously|former|earlier|ex|n[ée]e|renamed from)(?:\s+(?:known\s+as|named|called))?"
    r"\s*[:\-]?\s+",
    re.IGNORECASE,
)
_NOW = re.compile(r"^\s*(?:now|currently|renamed(?:\s+to)?|today)\s*[:\-]?\s+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:[,;|()\[\]\n\t/、，；]|\s[-–—]\s)\s*")
# "University of CopenhagenDenmark": a capitalised word glued to the end of a lower-case word.
_GLUED = re.compile(r"(?<=[^\W\d_][a-z]{3})(?=[A-Z][a-z]|[A-Z]{2,}\b)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

# Spellings in affiliations that the project's country alias table does not carry (names in the language
# of the country, "Korea Rep", "P R China").
_COUNTRY_EXTRA = {
    "korea rep": "KR", "대한민국": "KR", "p r china": "CN", "peoples republic of china": "CN",
    "taiwan roc": "TW", "espana": "ES", "italia": "IT", "brasil": "BR", "schweiz": "CH", "suisse": "CH",
    "osterreich": "AT", "nippon": "JP", "deutschland": "DE", "nederland": "NL", "sverige": "SE",
    "norge": "NO", "danmark": "DK", "polska": "PL", "suomi": "FI", "россия": "RU", "ελλαδα": "GR",
}  # fmt: skip
# Country names that end other place names: "Atlanta, Georgia", "New Mexico" (see _trailing_country).
_NOT_TRAILING = {"america", "georgia", "jersey"}
# Two-letter state and province abbreviations that are also ISO country codes ("Los Angeles, CA, USA").
_NOT_A_COUNTRY_CODE = _set_of(
    """
    AL AR AZ BC CA CO DE GA ID IL IN KY LA MA MD ME MN MO MS MT NC NE NL NS NT NY ON PA PE SA SC SD SK TN
    VA WA
    """
)


@dataclass(frozen=True)
class AffiliationCandidate:
    """One institution that an affiliation may mean.

    `score` is 0..1; `matched` is the substring of the affiliation that matched and `matched_name` the
    registry name, alias, label or acronym it matched (`matched_kind`).
    """

    institution: Institution
    score: float
    matched: str
    matched_name: str
    matched_kind: str
    chosen: bool = False


@dataclass
class AffiliationResult:
    """Candidates best first; `chosen` is the one confident match or None; `country` the detected ISO code."""

    affiliation: str
    country: str = ""
    candidates: list[AffiliationCandidate] = field(default_factory=list)
    chosen: AffiliationCandidate | None = None


@dataclass(frozen=True)
class _Run:
    """A candidate substring: `text` as written, `key` normalised, `parts` the indexes of its parts."""

    text: str
    key: str
    parts: tuple[int, ...]
    former: bool = False


def clean_affiliation(text: str) -> str:
    """HTML entities decoded (also doubly escaped ones), Unicode NFKC, odd spaces made plain and collapsed."""
    text = text or ""
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"<[^>]{0,40}>", " ", text)  # stray tags such as <sup>1</sup>
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """The comparison key of a name: folded words, "&" as "and", usual abbreviations expanded, no "the"."""
    text = fold_han(fold(text.replace("&", " and ").replace("'", "").replace("’", "")))
    tokens = [_ABBREVIATIONS.get(word, word) for word in words(text)]
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


_COUNTRIES: dict[str, str] = {}


def _country_table() -> dict[str, str]:
    """Country name key (see `country_key`) → ISO alpha-2 code: the stored English and Chinese names, the
    project's alias table of common spellings, and the forms affiliations use ("England", "PR China")."""
    global _COUNTRIES
    if _COUNTRIES:
        return _COUNTRIES
    table: dict[str, str] = {}
    for code, name_en, name_zh in Country.objects.values_list("code", "name_en", "name_zh"):
        for name in (name_en, name_zh, name_en.replace(" SAR China", ""), name_zh.replace("特别行政区", "")):
            table[country_key(name)] = code
    table.update(ALIASES)
    table.update({country_key(name): code for name, code in _COUNTRY_EXTRA.items()})
    table.pop("", None)
    if Country.objects.exists():
        _COUNTRIES = table
    return table


def _is_code(key: str) -> bool:
    return len(key) <= 3 and key.isascii() and key.isalpha()


def _part_country(part: str) -> str:
    """The country a whole part names ("Denmark", "P.R. China", "Korea, Republic of", "UK", "中国"), or "".

    Codes and abbreviations count only in capitals ("DE", "USA"; "de" and "in" are words), and never the
    two-letter ones that are also state or province abbreviations ("Los Angeles, CA, USA").
    """
    key = country_key(part)
    if not key:
        return ""
    if _is_code(key):
        letters = part.replace(".", "").replace(" ", "")
        if not letters.isupper() or (len(letters) == 2 and letters in _NOT_A_COUNTRY_CODE):
            return ""
    return _country_table().get(key, "")


def _trailing_country(part: str) -> tuple[str, str]:
    """A country name at the end of a part ("Copenhagen Denmark", "北京大学中国"): (code, part without it).

    Not when the name reads on: "University of Indonesia", "New Jersey", "Atlanta Georgia".
    """
    table = _country_table()
    tokens = part.split()
    last = tokens[-1] if tokens else ""
    for cut in range(2, len(last) - 3):
        # "MysuruIndia", "SEKEcuador", "GarçaBrazil": a country name glued to the last word.
        if last[cut].isupper() and last[cut - 1].isalpha() and country_key(last[cut:]) in table:
            return table[country_key(last[cut:])], part[: len(part) - len(last) + cut]
    for size in (3, 2, 1):
        if len(tokens) > size:
            tail = country_key(" ".join(tokens[-size:]))
            before = normalise_name(tokens[-size - 1])
            if (
                tail in table
                and not _is_code(tail)
                and tail not in _NOT_TRAILING
                and before not in _WEAK_WORDS
                and before != "new"
            ):
                return table[tail], " ".join(tokens[:-size])
    if _CJK.search(part):
        for cut in range(2, min(len(part) - 1, 9)):
            if country_key(part[-cut:]) in table:
                return table[country_key(part[-cut:])], part[:-cut]
            if country_key(part[:cut]) in table:
                return table[country_key(part[:cut])], part[cut:]
    return "", part


def split_affiliation(text: str, *, unglue: bool = True) -> tuple[list[str], list[bool], str]:
    """The parts of a cleaned affiliation, whether each is a former name, and the detected country code.

    Parts that only name a country are dropped; a country written at the end of a part is cut off. With
    `unglue`, a capitalised word glued to a lower-case one starts a new part ("CopenhagenDenmark").
    """
    raw_parts = [p.strip(" .:-") for p in _SEPARATORS.split(_GLUED.sub(", ", text) if unglue else text)]
    raw_parts = [p for p in raw_parts if p][:_MAX_PARTS]
    parts: list[str] = []
    former: list[bool] = []
    country = ""
    now_seen = False
    skip = -1
    for index, part in enumerate(raw_parts):
        found = _part_country(part)
        if not found and index + 1 < len(raw_parts):
            # "Korea, Republic of": a country name with a comma in it.
            found = _part_country(f"{part}, {raw_parts[index + 1]}")
            if found:
                skip = index + 1
        if found or index == skip:
            country = found or country  # the last country named wins: "Atlanta, Georgia, USA"
            continue
        is_former = bool(_FORMER.match(part))
        if _NOW.match(part):
            now_seen = True
            former = [True] * len(former)
            part = _NOW.sub("", part)
        part = _FORMER.sub("", part)
        trailing, rest = _trailing_country(part)
        if trailing and rest.strip():
            country = trailing
            parts.append(part)  # the whole part too: "Universidad de Chile" names a country inside a name
            former.append(is_former)
            part = rest.strip()
        parts.append(part)
        former.append(is_former and not now_seen)
    return parts, former, country


def _runs(parts: list[str], former: list[bool], runs: dict[str, _Run], offset: int = 0) -> None:
    """Add every run of up to _MAX_RUN consecutive parts to `runs` (keyed by normalised text)."""
    for start in range(len(parts)):
        for end in range(start + 1, min(start + _MAX_RUN, len(parts)) + 1):
            text = ", ".join(parts[start:end])
            key = normalise_name(text)
            if key and key not in runs:
                span = tuple(offset + i for i in range(start, end))
                runs[key] = _Run(text, key, span, any(former[start:end]))


def _cjk_pieces(word: str) -> list[str]:
    """Substrings of a CJK run that may be a name or its suffix token ("中国北京大学" → "北京大学", ...).

    Three to ten characters ("大学" alone tells nothing); those starting early first, since Chinese and
    Japanese affiliations name the institution before its school ("北京大学物理学院"); at most _CJK_PIECES.
    """
    pieces = [word[i:j] for i in range(len(word)) for j in range(i + 3, min(len(word), i + 10) + 1)]
    return list(dict.fromkeys(pieces))[:_CJK_PIECES]


_VOCABULARY: dict[str, object] = {"key": None, "by_length": {}}


def _vocabulary() -> dict[int, list[str]]:
    """Distinct registry tokens by length, for correcting typos; rebuilt when the token table changes."""
    tokens = InstitutionToken.objects.order_by("pk").values_list("pk", flat=True)
    key = (tokens.first(), tokens.last())
    if _VOCABULARY["key"] != key:
        by_length: dict[int, list[str]] = defaultdict(list)
        for token in InstitutionToken.objects.values_list("token", flat=True).distinct().iterator():
            if len(token) >= 4 and not _CJK.match(token):
                by_length[len(token)].append(token)
        _VOCABULARY.update(key=key, by_length=dict(by_length))
    return _VOCABULARY["by_length"]  # type: ignore[return-value]


def _corrections(word: str) -> list[str]:
    """Registry words one edit (insertion, deletion, substitution, transposition) away from `word`."""
    vocabulary = _vocabulary()
    found: list[str] = []
    for length in (len(word) - 1, len(word), len(word) + 1):
        choices = vocabulary.get(length, [])
        matches = process.extract(word, choices, scorer=OSA.distance, score_cutoff=1, limit=8)
        found += [choice for choice, _distance, _index in matches]
    return found


def _query_words(runs: list[_Run]) -> set[str]:
    """The words of the substrings as the token index holds them, plus their expanded abbreviations."""
    found: set[str] = set()
    for run in runs:
        for word in [*search_words(run.text), *run.key.split()]:
            if _CJK.match(word):
                found.update(_cjk_pieces(word))
            elif word not in _WEAK_WORDS and len(word) >= 2:
                found.add(word[:MAX_TOKEN])
    return found


def _candidate_ids(runs: list[_Run]) -> list[int]:
    """Institutions sharing telling words with the affiliation, most telling first.

    Each word's institutions are counted up to _RARE through the (token, institution) index; rare words
    weigh more (inverse frequency), words shared by more institutions are not used. A word the index does
    not know may be misspelt: the registry words one edit away stand in for it ("angles" → "angeles").
    """
    weights: dict[int, float] = defaultdict(float)
    for word in sorted(_query_words(runs)):
        ids = set(
            InstitutionToken.objects.filter(token=word).values_list("institution_id", flat=True)[: _RARE + 1]
        )
        if not ids and len(word) >= 5 and not _CJK.match(word):
            corrected = _corrections(word)
            if corrected:
                ids = set(
                    InstitutionToken.objects.filter(token__in=corrected).values_list(
                        "institution_id", flat=True
                    )[: _RARE + 1]
                )
        if not ids or len(ids) > _RARE:
            continue
        weight = math.log(1 + _RARE / len(ids))
        for inst_id in ids:
            weights[inst_id] += weight
    ranked = sorted(weights, key=lambda pk: -weights[pk])
    return ranked[:_CANDIDATES]


def _same_word(a: str, b: str) -> bool:
    """Equal, or one edit apart when both are long enough (6 letters) for a typo to be told from another
    word: "Angles" is "Angeles", but "Sohag" is not "Sohar"."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 6 or a[0] != b[0] and a[1] != b[1]:
        return False
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _unit_only(tokens: list[str]) -> bool:
    return all(t in _UNIT_WORDS or t.isdigit() for t in tokens)


def _missing(these: list[str], other: list[str]) -> tuple[int, int, int]:
    """Words of `these` without an equal in `other`: (telling words missing, one typo away, small words)."""
    present = set(other)
    unmatched = [w for w in these if w not in present and w not in _WEAK_WORDS]
    near = sum(1 for w in unmatched if any(_same_word(w, o) for o in other))
    weak = sum(1 for w in these if w in _WEAK_WORDS and w not in present)
    return len(unmatched) - near, near, weak


def _inside(run_words: list[str], name_words: list[str]) -> float:
    """The name as consecutive words of a longer substring, scored by what surrounds it (0 when absent).

    Words of a unit before the name cost little ("Faculty of Medicine University of Copenhagen", "Hospital
    of the University of Oxford"); other words before it are a qualifier of another institution's name
    ("Islamic University of Indonesia", "Royal Holloway University of London"), and words after it a campus
    or another institution ("University of California Los Angeles", "State University of New York at
    Oswego"): each such word costs at least 0.15. Unit words after the name cost little ("Peking University
    Third Hospital").
    """
    size = len(name_words)
    total = sum(len(w) + 1 for w in run_words)
    for start in range(len(run_words) - size + 1):
        window = run_words[start : start + size]
        if all(_same_word(a, b) for a, b in zip(window, name_words, strict=True)):
            edits = sum(1 for a, b in zip(window, name_words, strict=True) if a != b)
            before, after = run_words[:start], run_words[start + size :]
            share_before = sum(len(w) + 1 for w in before) / total
            share_after = sum(len(w) + 1 for w in after) / total
            if not before or (_UNIT_HEADS & set(before[:2]) and before[-1] in _UNIT_WORDS | _WEAK_WORDS):
                cost = 0.03 * share_before
            else:
                cost = max(0.7 * share_before, 0.15 * _count_foreign(before))
            if _unit_only(after):
                cost += 0.15 * share_after
            else:
                cost += max(0.8 * share_after, 0.15 * _count_foreign(after))
            return (1 - 0.03 * edits) * (1 - cost)
    return 0.0


def _aligned(run_words: list[str], name_words: list[str]) -> float:
    """Word by word the same name but for typos in long words ("Los Angles", "Univresity"): 0.95 per typo."""
    if len(run_words) != len(name_words):
        return 0.0
    edits = 0
    for a, b in zip(run_words, name_words, strict=True):
        if a != b:
            if not _same_word(a, b):
                return 0.0
            edits += 1
    return 0.95**edits


def _count_foreign(tokens: list[str]) -> int:
    return sum(1 for t in tokens if t not in _UNIT_WORDS and t not in _WEAK_WORDS)


def _cjk_inside(run: str, name: str) -> float:
    """A Chinese or Japanese name inside a longer run; first in it (a school of the university) is best."""
    if len(name) < 3 or name not in run:
        return 0.0
    rest = (len(run) - len(name)) / len(run)
    return 1 - (0.1 if run.startswith(name) else 0.4) * rest


def _similarity(run: str, name: str, kind: str, *, single: bool = True) -> float:
    """0..1 likeness of a substring and a registry name (both normalised).

    Whole-string similarity (rapidfuzz edit ratio, also with the words sorted) less a cost for each telling
    word that only one side has; a name found as consecutive words of a longer substring scores by what
    surrounds it (see _inside), within one part of the affiliation (`single`): across a comma, the part
    itself is compared. An acronym counts only when it is the whole substring.
    """
    if not run or not name:
        return 0.0
    if kind == "acronym":
        # Acronyms are shared by many institutions: one alone ranks a candidate but never chooses it.
        return 0.85 if run.replace(" ", "") == name.replace(" ", "") else 0.0
    if run == name:
        return 1.0
    run_words, name_words = run.split(), name.split()
    # Word order counts a little: "Miami University" and "University of Miami" are two universities.
    whole = max(fuzz.ratio(run, name), 0.9 * fuzz.token_sort_ratio(run, name)) / 100
    if whole >= 0.7:
        # A word only the name has, a word only the substring has ("SBC Tokyo Medical University"), a
        # word spelt differently ("Universidad" for "Universidade") and a small word ("de El Salvador")
        # each cost a little.
        name_only, near, name_weak = _missing(name_words, run_words)
        run_only, _near, run_weak = _missing(run_words, name_words)
        whole *= 0.93**name_only * 0.92**run_only * 0.95**near * 0.98 ** (name_weak + run_weak)
        whole = max(whole, _aligned(run_words, name_words))
    if _CJK.search(name):
        return max(whole, _cjk_inside(run, name))
    if (
        single
        and len(name_words) >= 2
        and len(run_words) > len(name_words)
        and len(set(name_words) - set(run_words)) <= 1 + len(name_words) // 4
    ):
        return max(whole, _inside(run_words, name_words))
    return whole


def _choose(ranked: list[tuple[int, float, _Run, str, str]], facts: dict[int, tuple]) -> int | None:
    """The id to choose from (id, score, run, matched name, kind) best first, or None when not confident.

    The leader must reach MIN_CHOSEN_SCORE and lead the next organisation by MIN_MARGIN. Candidates close
    behind it that matched the same name in the same country, at most one of them from ROR, are one
    organisation held twice (registry sources that could not be merged): they do not count as rivals, and
    the ROR record is chosen.
    """
    if not ranked or ranked[0][1] < MIN_CHOSEN_SCORE:
        return None
    leader_id, leader_score, _run, leader_name, _kind = ranked[0]
    key = (normalise_name(leader_name), facts[leader_id][0])
    twins, rival = [leader_id], 0.0
    for inst_id, score, _run, name, _kind in ranked[1:]:
        if leader_score - score < MIN_MARGIN and (normalise_name(name), facts[inst_id][0]) == key:
            twins.append(inst_id)
            continue
        rival = score
        break
    with_ror = [pk for pk in twins if facts[pk][3]]
    if leader_score - rival < MIN_MARGIN or len(with_ror) > 1:
        return None  # two ROR records of one name in one country are two organisations
    return with_ror[0] if with_ror else leader_id


def match_affiliation(
    *, affiliation: str, limit: int = 5, country: str = "", only_country: bool = False
) -> AffiliationResult:
    """Registry institutions that an affiliation string names, best first, with at most one `chosen`.

    `affiliation` is free text as authors and offices write it ("Dept. of Physics, University of Oxford,
    UK", "University of CopenhagenDenmark", "Texas A&amp;M University"); `limit` caps the candidates
    returned. Scores are 0..1. Candidates in the detected country are preferred and those elsewhere
    penalised; substrings marked "formerly …" count slightly less than current names. The best candidate is
    chosen only when it scores at least MIN_CHOSEN_SCORE and leads every other institution by MIN_MARGIN.
    `country` (ISO alpha-2) is the country the caller already knows, such as a partner record's: it counts
    as the detected country and wins over one named in the text, so that two institutions of one name in
    two countries are told apart. `result.country` is the country used. With `only_country` and a
    `country`, institutions in other countries are neither scored nor listed, which saves work for callers
    that accept only an institution in that country; such an institution then cannot block the choice
    either (it could only when it scored within MIN_MARGIN of the leader, i.e. its city named in the text).
    Raises nothing: an empty or unmatched string gives an empty result.
    """
    text = clean_affiliation(affiliation)[:MAX_AFFILIATION]
    known = (country or "").strip().upper()[:2]
    result = AffiliationResult(affiliation=text, country=known)
    if not text:
        return result
    parts, former, detected = split_affiliation(text)
    country = known or detected
    result.country = country
    found: dict[str, _Run] = {}
    _runs(parts, former, found)
    if _GLUED.search(text):
        # "ShanghaiTech" is one word: the string as written is tried as well.
        whole_parts, whole_former, _country = split_affiliation(text, unglue=False)
        _runs(whole_parts, whole_former, found, offset=len(parts))
    runs = list(found.values())
    if not runs:
        return result
    ids = _candidate_ids(runs)
    if not ids:
        return result
    facts = {
        pk: (country_id, city, status, ror_id)
        for pk, country_id, city, status, ror_id in Institution.objects.filter(pk__in=ids).values_list(
            "pk", "country_id", "city", "status", "ror_id"
        )
    }
    if only_country and known:
        # Elsewhere an institution scores at most 0.87 (x 0.85, then the city bonus below): never chosen
        # and never "strong"; leaving it out saves fetching and scoring its names.
        ids = [pk for pk in ids if pk in facts and facts[pk][0] in (known, None)]
    names: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for inst_id, kind, value in InstitutionName.objects.filter(institution_id__in=ids).values_list(
        "institution_id", "kind", "value"
    ):
        names[inst_id].append((kind, value, normalise_name(value)))
    folded_text = " " + normalise_name(text) + " "
    best: dict[int, tuple[float, _Run, str, str]] = {}
    for inst_id, inst_names in names.items():
        if inst_id not in facts:
            continue
        inst_country, inst_city, inst_status, _ror_id = facts[inst_id]
        top: tuple[float, _Run, str, str] | None = None
        for run in runs:
            for kind, value, key in inst_names:
                score = _similarity(run.key, key, kind, single=len(run.parts) == 1)
                if run.former:
                    score *= _FORMER_WEIGHT
                # On a tie the longer substring explains more of the affiliation.
                if top is None or score > top[0] or score == top[0] and len(run.parts) > len(top[1].parts):
                    top = (score, run, value, kind)
        if top is None:
            continue
        score = top[0]
        if country and inst_country:
            score = min(score + 0.02, 1.0) if inst_country == country else score * 0.85
        if inst_city and f" {normalise_name(inst_city)} " in folded_text and inst_city not in top[2]:
            score = min(score + 0.02, 1.0)
        if inst_status != "active":
            score *= 0.95
        best[inst_id] = (score, *top[1:])
    # A match inside another institution's longer matched substring is explained by it ("University of
    # California" inside "University of California, Los Angeles").
    strong = [(inst_id, set(run.parts)) for inst_id, (score, run, _v, _k) in best.items() if score >= 0.9]
    adjusted: list[tuple[int, float, _Run, str, str]] = []
    for inst_id, (score, run, value, kind) in best.items():
        span = set(run.parts)
        if any(other != inst_id and span < longer for other, longer in strong):
            score *= 0.9
        adjusted.append((inst_id, score, run, value, kind))
    adjusted.sort(key=lambda item: (-item[1], item[0]))
    adjusted = [item for item in adjusted if item[1] >= MIN_CANDIDATE_SCORE]
    chosen_id = _choose(adjusted, facts)
    if chosen_id is not None:
        adjusted.sort(key=lambda item: item[0] != chosen_id)  # the chosen one first, the rest in order
    shown = adjusted[: max(limit, 1)]
    institutions = Institution.objects.select_related("country").in_bulk([item[0] for item in shown])
    for inst_id, score, run, value, kind in shown:
        candidate = AffiliationCandidate(
            institution=institutions[inst_id],
            score=round(score, 3),
            matched=run.text,
            matched_name=value,
            matched_kind=kind,
            chosen=inst_id == chosen_id,
        )
        result.candidates.append(candidate)
        if candidate.chosen:
            result.chosen = candidate
    return result
