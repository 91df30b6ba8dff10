"""Countries and territories of ISO 3166-1, built from the CLDR data bundled with Babel and the M49 facts."""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.core import get_global

from meridian.reference.data import m49


def _iso_aliases() -> tuple[dict[str, str], dict[str, str]]:
    """alpha-2 → alpha-3 and alpha-2 → numeric, read from CLDR's territory aliases."""
    alpha3: dict[str, str] = {}
    numeric: dict[str, str] = {}
    for alias, targets in get_global("territory_aliases").items():
        if len(targets) != 1 or len(alias) != 3:
            continue
        target = targets[0]
        if alias.isalpha():
            alpha3[target] = alias
        elif alias.isdigit():
            numeric[target] = alias
    for code, (a3, num) in m49.CURRENT_CODES.items():
        alpha3[code], numeric[code] = a3, num
    return alpha3, numeric


@cache
def countries() -> list[dict[str, str]]:
    """One dict per country with the fields of the Country model."""
    en = Locale.parse("en").territories
    zh = Locale.parse("zh_Hans").territories
    alpha3, numeric = _iso_aliases()
    rows = []
    for code in m49.ISO_CODES:
        sub = m49.SUBREGION_OF.get(code, "")
        region = m49.SUBREGIONS[sub][0] if sub else ""
        rows.append(
            {
                "code": code,
                "alpha3": alpha3[code],
                "numeric": numeric[code],
                "name_en": en[code],
                "name_zh": zh[code],
                "region_code": region,
                "region_en": m49.REGIONS[region] if region else "",
                "region_zh": zh[region] if region else "",
                "subregion_code": sub,
                "subregion_en": m49.SUBREGIONS[sub][1] if sub else "",
                "subregion_zh": zh[sub] if sub else "",
            }
        )
    return rows
