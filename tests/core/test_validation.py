"""``plainly_valid``: the fields whose values ``full_clean`` would accept anyway, so that a bulk check may
skip them; it must never name a field whose value ``full_clean`` refuses."""

from __future__ import annotations

import warnings
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from meridian.core.validation import plainly_valid
from meridian.partners.models import Partner

FIELD_NAMES = [f.name for f in Partner._meta.concrete_fields]
# Values a spreadsheet, a form or a careless caller may put on a model: lengths around the limits (40, 120,
# 300), blanks, NUL characters, scripts whose characters are wider than one byte, and values of other types.
TRICKY_VALUES = [
    "",
    " ",
    "\t\n",
    "a",
    "Universität Heidelberg",
    "x" * 9,
    "x" * 10,
    "x" * 40,
    "x" * 41,
    "x" * 120,
    "x" * 121,
    "x" * 300,
    "x" * 301,
    "海" * 300,
    "海" * 301,
    "😀" * 300,
    "😀" * 301,
    "e\u0301" * 150,  # 300 code points shown as 150 letters
    "e\u0301" * 151,
    "\x00",
    "Heidel\x00berg",
    "\u200b",
    "\ud800",  # a lone surrogate
    "1' OR '1'='1",
    mark_safe("safe text"),  # a str subclass  # noqa: S308
    gettext_lazy("official name"),  # a lazy text, not a str
    None,
    0,
    42,
    1.5,
    Decimal("1.5"),
    True,
    False,
    date(2020, 1, 1),
    datetime(2020, 1, 1, 12, 30),
    "2020-01-01",
    b"bytes",
    ["a"],
]


def _partner(**values) -> Partner:
    partner = Partner(name="Universität Heidelberg", kind="university", status="active")
    for name, value in values.items():
        setattr(partner, name, value)
    return partner


def _clean_only(partner: Partner, field: str) -> None:
    """``full_clean`` of one field (the others excluded)."""
    others = [name for name in FIELD_NAMES if name != field]
    partner.full_clean(exclude=others, validate_unique=False, validate_constraints=False)


def test_a_short_name_is_plainly_valid():
    assert "name" in plainly_valid(_partner(name="Universität Heidelberg"))
    assert "name" in plainly_valid(_partner(name="x" * 300))
    assert {"name_en", "city", "notes"} <= plainly_valid(_partner(name_en="", city="", notes="free text"))


@pytest.mark.parametrize(
    "value",
    ["x" * 301, "", "Heidel\x00berg", 42, None, gettext_lazy("official name")],
    ids=["too long", "empty but required", "NUL", "int", "None", "lazy text"],
)
def test_a_name_full_clean_may_refuse_is_not_plainly_valid(value):
    assert "name" not in plainly_valid(_partner(name=value))


def test_blank_is_plainly_valid_only_where_the_field_allows_it():
    found = plainly_valid(_partner(name="", name_en=""))
    assert "name" not in found and "name_en" in found


def test_choices_relations_and_fields_with_own_checks_are_never_plainly_valid():
    partner = _partner(
        kind="university", status="active", website="https://www.ku.dk", latitude=Decimal("1.5")
    )
    found = plainly_valid(partner)
    for name in ("kind", "status", "country", "parent", "owner_unit", "registry_institution", "created_by"):
        assert name not in found
    # An URL has its own validator, a decimal its digits, the key and the version are no text.
    for name in ("website", "latitude", "longitude", "id", "version", "created_at", "updated_at"):
        assert name not in found


def test_yes_no_and_date_fields():
    assert {"is_public", "cooperating_since"} <= plainly_valid(
        _partner(is_public=False, cooperating_since=date(2019, 3, 1))
    )
    found = plainly_valid(_partner(is_public="yes", cooperating_since=datetime(2019, 3, 1, 8)))
    assert "is_public" not in found and "cooperating_since" not in found
    assert "cooperating_since" not in plainly_valid(_partner(cooperating_since="2019-03-01"))


def test_full_clean_accepts_every_value_plainly_valid_names():
    named = refused_by_full_clean = 0
    for field in FIELD_NAMES:
        for value in TRICKY_VALUES:
            partner = _partner(**{Partner._meta.get_field(field).attname: value})
            if field in plainly_valid(partner):
                named += 1
                try:
                    _clean_only(partner, field)
                except ValidationError as exc:  # pragma: no cover - the failure being tested for
                    pytest.fail(f"plainly_valid named {field}={value!r}, full_clean says {exc.message_dict}")
            elif not Partner._meta.get_field(field).is_relation:  # a relation's check reads the database
                try:
                    with warnings.catch_warnings():  # a date in a date-and-time field is "naive"
                        warnings.simplefilter("ignore", RuntimeWarning)
                        _clean_only(partner, field)
                except (ValidationError, TypeError, ValueError):
                    refused_by_full_clean += 1
    # The property is not vacuous: many values are named, and many others are left to full_clean, which
    # refuses them.
    assert named > 100
    assert refused_by_full_clean > 100
