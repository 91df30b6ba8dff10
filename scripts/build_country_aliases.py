"""Build meridian/reference/data/country_aliases.py from CLDR, UNTERM/ISO names and a hand-written list.

Usage (from the project root, with the project's virtual environment):

    python scripts/build_country_aliases.py DATA_DIR meridian/reference/data/country_aliases.py

DATA_DIR holds cldr/territories.{en,zh,zh-Hant}.json (CLDR 47, cldr-json "localenames-full") and
country-codes.csv (datasets/country-codes: UNTERM English/Chinese short and formal names, ISO spellings).
The application never reads DATA_DIR: it imports the generated module, which is committed.

Every name and its derived forms (parenthesised part removed, "X, Y" read as "Y X") is folded with
country_key. A key that more than one country produces is ambiguous, unless the hand-written list decides it.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meridian.reference.data.countries import countries  # noqa: E402
from meridian.reference.folding import country_key  # noqa: E402

# Names offices use that no data set lists, and the EU's own codes.
COMMON: dict[str, list[str]] = {
    "AE": ["UAE", "U.A.E.", "Emirates", "阿联酋", "阿拉伯联合酋长国"],
    "BA": ["Bosnia-Herzegovina", "波黑"],
    "BN": ["Brunei", "文莱"],
    "BO": ["Bolivia", "玻利维亚"],
    "CD": ["DRC", "DR Congo", "D.R. Congo", "Congo-Kinshasa", "Zaire", "刚果（金）", "刚果金", "民主刚果"],
    "CG": ["Congo-Brazzaville", "Republic of the Congo", "刚果（布）", "刚果布"],
    "CI": ["Ivory Coast", "Cote d'Ivoire", "象牙海岸", "科特迪瓦"],
    "CN": [
        "PRC",
        "P.R. China",
        "P.R.C.",
        "PR China",
        "Mainland China",
        "China (Mainland)",
        "China Mainland",
        "People's Republic of China",
        "中国大陆",
        "中国内地",
        "中华人民共和国",
    ],
    "CV": ["Cape Verde", "Cabo Verde", "佛得角"],
    "CZ": ["Czech Republic", "Czechia", "Czech", "捷克", "捷克共和国"],
    "DE": ["Federal Republic of Germany", "Deutschland", "德国", "德意志联邦共和国"],
    "GB": [
        "UK",
        "U.K.",
        "Great Britain",
        "Britain",
        "United Kingdom",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "英国",
        "大不列颠及北爱尔兰联合王国",
        "联合王国",
        "英格兰",
        "苏格兰",
        "威尔士",
        "北爱尔兰",
    ],
    "GR": ["EL", "Hellas", "希腊"],
    "HK": [
        "Hong Kong",
        "Hong Kong SAR",
        "Hong Kong S.A.R.",
        "Hong Kong, China",
        "Hong Kong SAR, China",
        "HKSAR",
        "香港",
        "中国香港",
        "香港特别行政区",
        "中国香港特别行政区",
        "香港特区",
    ],
    "IR": ["Iran", "Persia", "伊朗"],
    "KP": [
        "North Korea",
        "DPRK",
        "D.P.R.K.",
        "Korea, North",
        "朝鲜",
        "北韩",
        "北朝鲜",
        "朝鲜民主主义人民共和国",
    ],
    "KR": ["South Korea", "Korea, South", "ROK", "韩国", "大韩民国", "南韩", "南朝鲜"],
    "LA": ["Laos", "Lao PDR", "Lao", "老挝"],
    "MD": ["Moldova", "Republic of Moldova", "摩尔多瓦"],
    "MK": ["Macedonia", "North Macedonia", "FYROM", "FYR Macedonia", "马其顿", "北马其顿"],
    "MM": ["Burma", "Myanmar", "缅甸"],
    "MO": [
        "Macao",
        "Macau",
        "Macao SAR",
        "Macau SAR",
        "Macao, China",
        "Macau, China",
        "澳门",
        "中国澳门",
        "澳门特别行政区",
        "中国澳门特别行政区",
        "澳门特区",
    ],
    "NL": ["Holland", "The Netherlands", "Netherlands", "荷兰", "尼德兰"],
    "NZ": ["New Zealand", "Aotearoa", "新西兰", "纽西兰"],
    "PS": ["Palestine", "State of Palestine", "Palestinian Territories", "巴勒斯坦"],
    "RU": ["Russia", "Russian Federation", "俄罗斯", "俄罗斯联邦", "俄国"],
    "SA": ["KSA", "Saudi", "沙特", "沙特阿拉伯"],
    "SK": ["Slovak Republic", "斯洛伐克"],
    "SY": ["Syria", "叙利亚"],
    "SZ": ["Swaziland", "Eswatini", "斯威士兰", "埃斯瓦蒂尼"],
    "TL": ["East Timor", "Timor-Leste", "东帝汶"],
    "TR": ["Turkey", "Türkiye", "Turkiye", "土耳其"],
    "TW": [
        "Taiwan",
        "Taiwan, China",
        "Taiwan, Province of China",
        "Chinese Taipei",
        "台湾",
        "中国台湾",
        "台湾地区",
        "中国台湾地区",
        "台湾省",
        "中国台湾省",
    ],
    "TZ": ["Tanzania", "坦桑尼亚"],
    "US": [
        "USA",
        "U.S.A.",
        "US",
        "U.S.",
        "America",
        "United States",
        "United States of America",
        "美国",
        "美利坚合众国",
    ],
    "VA": ["Vatican", "Vatican City", "Vatican City State", "Holy See", "梵蒂冈", "教廷"],
    "VE": ["Venezuela", "委内瑞拉"],
    "VN": ["Vietnam", "Viet Nam", "越南"],
    "XK": ["Kosovo", "Republic of Kosovo", "科索沃"],
}
# Names of two or more countries that no single source lists as such.
AMBIGUOUS: dict[str, list[str]] = {
    "Korea": ["KR", "KP"],
    "韩国朝鲜": ["KR", "KP"],
    "Congo": ["CD", "CG"],
    "刚果": ["CD", "CG"],
    "Virgin Islands": ["VG", "VI"],
    "维尔京群岛": ["VG", "VI"],
}
_PARENTHESES = re.compile(r"\s*[(（][^()（）]*[)）]\s*")
_STAR = re.compile(r"\s*\*$")


def _variants(name: str) -> set[str]:
    """The name, without a trailing "*" or "(the)", without its parenthesised part, and comma-swapped."""
    name = _STAR.sub("", name.strip())
    found = {name}
    stripped = _PARENTHESES.sub(" ", name).strip()
    if stripped:
        found.add(stripped)
    for value in list(found):
        head, _sep, tail = value.rpartition(",")
        if head and tail.strip():
            found.add(f"{tail.strip()} {head.strip()}")
    return {v for v in found if v}


def _territories(path: Path, locale: str) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["main"][locale]["localeDisplayNames"]["territories"]


def build(data_dir: Path) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    rows = countries()
    codes = {row["code"] for row in rows}
    names: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        names[row["code"]].update([row["code"], row["alpha3"], row["name_en"], row["name_zh"]])
    for locale, file_name in (("en", "en"), ("zh", "zh"), ("zh-Hant", "zh-Hant")):
        for key, value in _territories(data_dir / "cldr" / f"territories.{file_name}.json", locale).items():
            code = key.split("-alt-")[0]
            if code in codes:
                names[code].add(value)
    columns = [
        "UNTERM English Short",
        "UNTERM English Formal",
        "official_name_en",
        "ISO4217-currency_country_name",
        "CLDR display name",
        "UNTERM Chinese Short",
        "UNTERM Chinese Formal",
        "official_name_cn",
    ]
    with (data_dir / "country-codes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["ISO3166-1-Alpha-2"]
            if code in codes:
                names[code].update(row[c] for c in columns if row[c])
    for code, extra in COMMON.items():
        names[code].update(extra)
    by_key: dict[str, set[str]] = defaultdict(set)
    for code, values in names.items():
        for value in values:
            for variant in _variants(value):
                key = country_key(variant)
                if key:
                    by_key[key].add(code)
    # The hand-written names decide over derived forms ("Macedonia" is North Macedonia).
    for code, extra in COMMON.items():
        for value in extra:
            by_key[country_key(value)] = {code}
    for value, choices in AMBIGUOUS.items():
        by_key[country_key(value)] = set(choices)
    aliases = {key: next(iter(c)) for key, c in by_key.items() if len(c) == 1}
    ambiguous = {key: tuple(sorted(c)) for key, c in by_key.items() if len(c) > 1}
    return aliases, ambiguous


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render(aliases: dict[str, str], ambiguous: dict[str, tuple[str, ...]]) -> str:
    lines = [
        '"""Country name keys (see meridian.reference.countries.country_key) → ISO 3166-1 alpha-2 codes.',
        "",
        "Generated by scripts/build_country_aliases.py from CLDR 47 territory names (en, zh, zh-Hant;",
        "Unicode licence), the UN's UNTERM names and ISO spellings (datasets/country-codes, ODC-PDDL) and",
        "hand-written common names. Do not edit by hand: change the script and run it again.",
        '"""',
        "",
        "ALIASES: dict[str, str] = {",
    ]
    lines += [f"    {_quote(key)}: {_quote(code)}," for key, code in sorted(aliases.items())]
    lines += ["}", "", "# Names of more than one country: the choices offered."]
    lines.append("AMBIGUOUS: dict[str, tuple[str, ...]] = {")
    for key, codes in sorted(ambiguous.items()):
        lines.append(f"    {_quote(key)}: ({', '.join(_quote(c) for c in codes)}),")
    lines += ["}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    Path(sys.argv[2]).write_text(render(*build(Path(sys.argv[1]))), encoding="utf-8")
