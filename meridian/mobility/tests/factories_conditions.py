"""Test helpers of cooperation conditions: a few ISCED-F 2013 fields (the reference data is not loaded in
tests) and a valid set of condition fields for the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from meridian.mobility.choices import Direction, MobilityType
from meridian.reference.choices import IscedLevel
from meridian.reference.models import IscedField

# The world's agreement runs 2025-01-01 to 2030-01-01: academic years 2024/2025 to 2029/2030.
IN_PERIOD = 2027

ISCED = (
    ("01", IscedLevel.BROAD, "Education", "教育"),
    ("011", IscedLevel.NARROW, "Education", ""),
    ("0110", IscedLevel.DETAILED, "Education not further defined", ""),
    ("0111", IscedLevel.DETAILED, "Education science", ""),
    ("06", IscedLevel.BROAD, "Information and Communication Technologies (ICTs)", "信息和通信技术"),
    ("061", IscedLevel.NARROW, "Information and Communication Technologies (ICTs)", ""),
    ("0610", IscedLevel.DETAILED, "ICTs not further defined", ""),
    ("0613", IscedLevel.DETAILED, "Software and applications development and analysis", ""),
    ("07", IscedLevel.BROAD, "Engineering, manufacturing and construction", "工程、制造和建筑"),
    ("070", IscedLevel.NARROW, "Engineering, manufacturing and construction not further defined", ""),
    ("0700", IscedLevel.DETAILED, "Engineering, manufacturing and construction not further defined", ""),
    ("071", IscedLevel.NARROW, "Engineering and engineering trades", ""),
    ("0710", IscedLevel.DETAILED, "Engineering and engineering trades not further defined", ""),
    ("0714", IscedLevel.DETAILED, "Electronics and automation", ""),
)


def make_isced() -> dict[str, IscedField]:
    fields: dict[str, IscedField] = {}
    for code, level, name_en, name_zh in ISCED:
        parent = fields.get(code[:-1]) if len(code) > 2 else None
        # The ISCED-F fields arrive with the migrations; the tests' own names replace the official ones.
        fields[code] = IscedField.objects.update_or_create(
            code=code, defaults={"level": level, "name_en": name_en, "name_zh": name_zh, "parent": parent}
        )[0]
    return fields


def condition_fields(partner, **overrides: Any) -> dict[str, Any]:
    """Every field of a valid outgoing semester condition for ``IN_PERIOD`` with ``partner``."""
    values: dict[str, Any] = {
        "partner": partner,
        "academic_year": IN_PERIOD,
        "direction": Direction.OUTGOING,
        "mobility_type": MobilityType.FULL_YEAR,
        "places": 3,
        "total_months": Decimal("27.0"),
        "subject_areas": ["0714", "0613"],
        "eqf_levels": [6, 7],
        "languages": [("de", "B2"), ("en", "B2")],
        "autumn_nomination_deadline": "--04-30",
        "autumn_application_deadline": "--05-31",
        "spring_nomination_deadline": "--10-15",
        "spring_application_deadline": "--11-15",
        "other_requirements": "Courses are taught in German in the first year.",
        "internal_note": "Partner asked for balance; CONFIDENTIAL-NOTE",
    }
    values.update(overrides)
    return values
