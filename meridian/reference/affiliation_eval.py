"""An evaluation set for the affiliation matcher, generated from a ROR CSV file (not stored in the project).

Records are sampled with a fixed seed; a share of them is held out of the registry, and their affiliation
strings are negatives (the matcher must choose nothing). Positives are the names, aliases, labels and
acronyms of the loaded records, decorated as affiliations are written: a department or faculty before, a
city or country after, missing spaces, HTML entities, one-letter typos, former names, hospitals of a
university. Precision and recall are those of `chosen` (see `evaluate`).
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.entities import codepoint2name
from pathlib import Path

from meridian.reference.affiliation import match_affiliation, normalise_name

DEPARTMENTS = [
    "Department of Physics",
    "Dept. of Chemistry",
    "School of Computer Science",
    "Institute of Mathematics",
    "Department of Economics and Management",
    "Laboratory of Molecular Biology",
    "Division of Engineering",
    "Center for Environmental Studies",
    "Graduate School of Education",
]
HOSPITALS = ["{name} Affiliated Hospital", "Hospital of the {name}", "Teaching Hospital, {name}"]
# Organisations outside an education registry; the matcher must not choose any institution for them.
OUTSIDERS = [
    "Siemens AG, Munich, Germany",
    "Google Research, Mountain View, CA, USA",
    "World Health Organization, Geneva, Switzerland",
    "European Space Agency, ESTEC, Noordwijk, The Netherlands",
    "Ministry of Education, Beijing, China",
    "National Institutes of Health, Bethesda, MD, USA",
    "Samsung Electronics Co., Suwon, Republic of Korea",
    "Microsoft Research Asia, Beijing, P.R. China",
    "Tata Consultancy Services, Mumbai, India",
    "Deutsche Bank AG, Frankfurt am Main, Germany",
    "Novartis Institutes for BioMedical Research, Basel, Switzerland",
    "Bureau of Meteorology, Melbourne, Australia",
    "Food and Agriculture Organization of the United Nations, Rome, Italy",
    "Geological Survey of Finland, Espoo, Finland",
    "Toyota Motor Corporation, Toyota City, Japan",
    "Pfizer Inc., New York, NY, USA",
    "Airbus Defence and Space, Toulouse, France",
    "Statistics Norway, Oslo, Norway",
    "中国石油化工股份有限公司, 北京",
    "Banco Central do Brasil, Brasília, Brazil",
]
COUNTRY_VARIANTS = {
    "GB": ["UK", "United Kingdom", "England"],
    "US": ["USA", "United States", "U.S.A."],
    "CN": ["China", "P.R. China", "中国"],
    "KR": ["South Korea", "Republic of Korea", "Korea, Republic of"],
    "DE": ["Germany", "Deutschland"],
    "NL": ["The Netherlands", "Netherlands"],
    "RU": ["Russia", "Russian Federation"],
    "CZ": ["Czech Republic", "Czechia"],
    "TR": ["Turkey", "Türkiye"],
}
STYLES = [
    "plain",
    "department",
    "faculty",
    "hospital",
    "city",
    "country",
    "city_country",
    "glued",
    "html",
    "typo",
    "former",
    "acronym",
    "case",
]
_PIECES = re.compile(r",|\s[-–—]\s|[()]")
_LATIN = re.compile(r"^[\x00-\u024f\s]+$")


@dataclass
class Case:
    """One affiliation string; `expected` is the ROR ID the matcher should choose, or "" for none."""

    affiliation: str
    expected: str
    style: str


@dataclass
class Outcome:
    """Precision and recall of `chosen` over a set of cases, with counts per style and the misses."""

    positives: int = 0
    negatives: int = 0
    correct: int = 0
    wrong: int = 0
    false_positives: int = 0
    per_style: dict[str, list[int]] = field(default_factory=dict)  # style → [cases, correct]
    misses: list[tuple[Case, str]] = field(default_factory=list)

    @property
    def chosen(self) -> int:
        return self.correct + self.wrong + self.false_positives

    @property
    def precision(self) -> float:
        return self.correct / self.chosen if self.chosen else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.positives if self.positives else 0.0


def read_ror(path: Path) -> list[dict[str, str]]:
    """Rows of a ROR CSV file (the columns of the shared subset)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("status", "active") == "active"]


def split_rows(
    rows: list[dict[str, str]], *, seed: int, held_out: int, keep: Iterable[str] = ()
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(rows to load into the registry, rows held out as organisations the registry does not have).

    Rows whose ROR ID (the last part of the URL) is in `keep` are never held out.
    """
    rng = random.Random(seed)
    kept = set(keep)
    eligible = [i for i, row in enumerate(rows) if row["ror_id"].rsplit("/", 1)[-1] not in kept]
    out = set(rng.sample(eligible, held_out))
    return [r for i, r in enumerate(rows) if i not in out], [r for i, r in enumerate(rows) if i in out]


def write_ror(rows: Iterable[dict[str, str]], path: Path) -> Path:
    rows = list(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _names(row: dict[str, str], column: str) -> list[str]:
    return [v for v in row.get(column, "").split("|") if v]


def _labels(row: dict[str, str]) -> list[str]:
    labels = []
    for label in _names(row, "labels"):
        language, _, value = label.partition(":")
        if value and (language == "zh" or _LATIN.match(value)):
            labels.append(value)
    return labels


def _typo(name: str, rng: random.Random) -> str:
    words = name.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long_words:
        return name
    i = rng.choice(long_words)
    word = words[i]
    at = rng.randrange(1, len(word) - 1)
    edit = rng.choice(["drop", "swap", "replace"])
    if edit == "drop":
        word = word[:at] + word[at + 1 :]
    elif edit == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        word = word[:at] + rng.choice("aeiourstnl") + word[at + 1 :]
    words[i] = word
    return " ".join(words)


def _entities(name: str, rng: random.Random) -> str:
    escaped = "".join(
        f"&{codepoint2name[ord(c)]};" if ord(c) > 127 and ord(c) in codepoint2name else c for c in name
    )
    escaped = escaped.replace("&", "&amp;").replace("&amp;amp;", "&amp;") if "&" in name else escaped
    escaped = escaped.replace("'", "&#39;")
    if escaped == name:
        return f"{rng.choice(['Dept. of Physics &amp; Astronomy', 'School of Law &amp; Politics'])}, {name}"
    return escaped


def _country(row: dict[str, str], rng: random.Random) -> str:
    code = row["country_code"]
    return rng.choice(COUNTRY_VARIANTS.get(code, [row.get("country_name") or code]))


def decorate(name: str, row: dict[str, str], style: str, rng: random.Random) -> str:
    """An affiliation string written around a name in the given style."""
    city = row.get("city") or ""
    if style == "department":
        return f"{rng.choice(DEPARTMENTS)}, {name}"
    if style == "faculty":
        return f"Faculty of Medicine, {name}"
    if style == "hospital":
        return rng.choice(HOSPITALS).format(name=name)
    if style == "city" and city:
        return f"{name}, {city}"
    if style == "country":
        return f"{name}, {_country(row, rng)}"
    if style == "city_country":
        return f"{rng.choice(DEPARTMENTS)}, {name}, {city + ', ' if city else ''}{_country(row, rng)}"
    if style == "glued":
        tail = _country(row, rng)
        return f"{name}{tail}" if tail[:1].isupper() else f"{name}, {tail}"
    if style == "html":
        return _entities(name, rng)
    if style == "typo":
        return _typo(name, rng)
    if style == "case":
        return rng.choice([name.upper(), name.lower()])
    return name


def _formerly(row: dict[str, str], rng: random.Random) -> str:
    aliases = _names(row, "aliases")
    if not aliases:
        return f"{rng.choice(DEPARTMENTS)}, {row['name']}"
    alias = rng.choice(aliases)
    if rng.random() < 0.5:
        return f"{row['name']} (formerly {alias})"
    return f"{alias} (now {row['name']})"


def affiliation_for(row: dict[str, str], style: str, rng: random.Random) -> str:
    """One affiliation string for a ROR row: a name, alias or label, decorated in the style."""
    if style == "former":
        return _formerly(row, rng)
    acronyms = _names(row, "acronyms")
    if style == "acronym":
        name = row["name"]
        return f"{name} ({rng.choice(acronyms)})" if acronyms else f"{rng.choice(DEPARTMENTS)}, {name}"
    choices = [row["name"]] * 6 + _names(row, "aliases")[:2] + _labels(row)[:2]
    return decorate(rng.choice(choices), row, style, rng)


def _also(text: str, row: dict[str, str], style: str, rng: random.Random) -> tuple[str, str]:
    """A third of the strings get a second decoration: the country after, or a department before."""
    if rng.random() >= 0.35:
        return text, style
    if style not in ("country", "city_country", "glued"):
        return f"{text}, {_country(row, rng)}", f"{style}+country"
    if style not in ("department", "faculty", "hospital", "city_country"):
        return f"{rng.choice(DEPARTMENTS)}, {text}", f"{style}+department"
    return text, style


def build_cases(
    loaded: list[dict[str, str]],
    held_out: list[dict[str, str]],
    *,
    seed: int,
    positives: int,
    negatives: int,
) -> list[Case]:
    """Positive cases from loaded rows, negative ones from held-out rows and outside organisations.

    A held-out row that shares a name with a loaded one is not a negative: its string names a registry
    organisation. Nor is a unit of a loaded one written as "unit, university" ("Medical Institute of
    Bioregulation, Kyushu University"), where choosing the university is right.
    """
    rng = random.Random(seed)
    loaded_names = {
        normalise_name(n)
        for row in loaded
        for n in [row["name"], *_names(row, "aliases"), *_labels(row), *_names(row, "acronyms")]
    }
    cases = []
    for row in rng.sample(loaded, min(positives, len(loaded))):
        style = rng.choice(STYLES)
        text, style = _also(affiliation_for(row, style, rng), row, style, rng)
        cases.append(Case(text, row["ror_id"].rsplit("/", 1)[-1], style))
    unknown = []
    for row in held_out:
        names = [row["name"], *_names(row, "aliases"), *_labels(row)]
        pieces = {normalise_name(piece) for name in names for piece in [name, *_PIECES.split(name)]}
        if not pieces & loaded_names:
            unknown.append(row)
    outsiders = rng.sample(OUTSIDERS, min(len(OUTSIDERS), negatives // 4 if negatives > 3 else negatives))
    for row in rng.sample(unknown, max(min(negatives - len(outsiders), len(unknown)), 0)):
        style = rng.choice([s for s in STYLES if s not in ("former", "acronym")])
        text, style = _also(decorate(row["name"], row, style, rng), row, style, rng)
        cases.append(Case(text, "", f"negative:{style}"))
    cases += [Case(text, "", "negative:outsider") for text in outsiders]
    return cases


def evaluate(cases: list[Case], *, match: Callable = match_affiliation) -> Outcome:
    """Run the matcher on every case: precision = right choices / all choices, recall = right / positives."""
    outcome = Outcome()
    styles: dict[str, Counter] = {}
    for case in cases:
        result = match(affiliation=case.affiliation)
        chosen = result.chosen.institution.ror_id or "" if result.chosen else ""
        tally = styles.setdefault(case.style, Counter())
        tally["cases"] += 1
        if case.expected:
            outcome.positives += 1
            if chosen == case.expected:
                outcome.correct += 1
                tally["right"] += 1
            else:
                outcome.wrong += bool(result.chosen)
                outcome.misses.append((case, result.chosen.institution.name if result.chosen else ""))
        else:
            outcome.negatives += 1
            if result.chosen:
                outcome.false_positives += 1
                outcome.misses.append((case, result.chosen.institution.name))
            else:
                tally["right"] += 1
    outcome.per_style = {style: [t["cases"], t["right"]] for style, t in sorted(styles.items())}
    return outcome
