"""Turning one spreadsheet cell into a typed value, or a clear reason why it cannot be."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from meridian.core.tabular import columns as c
from meridian.core.tabular.readers import Formula
from meridian.core.text import clean_spaces, fold

FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ALWAYS_FORMULA_START = ("=", "@", "\uff1d", "\uff20")
# The first characters of FORMULA_START: text starting with any other character is no formula.
FORMULA_FIRST = frozenset(FORMULA_START)
# Separators of multi-value cells: semicolons, commas and the Chinese enumeration comma (、) in either width,
# and line breaks (Alt+Enter in Excel).
LIST_SEPARATORS = re.compile(r"[;；,，、\r\n]+")
# Partner names may contain an ASCII comma ("University of California, Berkeley"), so it does not separate
# partners; the other separators do.
PARTNER_SEPARATORS = re.compile(r"[;；，、\r\n]+")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# A time of day after the date, as Excel and WPS write date cells to CSV: "2024/3/1 0:00", "… 00:00:00".
_TIME_SUFFIX = re.compile(
    r"(?:[ T]+|(?<=[日号])\s*)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_MONTH_ONLY = re.compile(r"^(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月份?)$")
_ROR = re.compile(r"^(?:https?://)?(?:www\.)?(?:ror\.org/)?(0[a-z0-9]{6}\d{2})/?$", re.IGNORECASE)
_TRUE = {"yes", "y", "true", "t", "1", "x", "√", "✓", "✔", "☑", "是", "对", "有", "公开", "真"}
_FALSE = {"no", "n", "false", "f", "0", "×", "✗", "✘", "☒", "否", "不", "无", "没有", "不公开", "假"}


class CellError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not clean_spaces(value))


def as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_spaces(str(value))


def check_formula(value: object, parse: str) -> None:
    """Refuse formulas and formula-like text; in numeric columns a sign before a number is allowed."""
    if isinstance(value, Formula):
        raise CellError(_("contains a spreadsheet formula; enter the value itself"))
    if not isinstance(value, str):
        return
    text = clean_spaces(value)
    starts = ALWAYS_FORMULA_START if parse in c.NUMERIC_KINDS else FORMULA_START
    if text.startswith(starts):
        raise CellError(_("looks like a spreadsheet formula"))


def parse_text(value: object) -> str:
    return as_text(value)


def parse_choice(value: object, lookup: dict[str, str]) -> str:
    text = as_text(value)
    found = lookup.get(c.header_key(text))
    if found is None:
        known = lookup.values_text() if isinstance(lookup, c.ChoiceLookup) else ""
        if known:
            raise CellError(
                _("“%(value)s” is not a known value; use one of: %(choices)s")
                % {"value": text, "choices": known}
            )
        raise CellError(_("“%(value)s” is not a known value") % {"value": text})
    return found


def parse_date(value: object) -> date:
    """A date cell as a ``date``.

    Accepts date and datetime cells, Excel serial numbers (1927–2173), ISO dates, and the text forms Chinese
    and Western Excel and WPS write to CSV: "2024/3/1 0:00", "2024/03/01 00:00:00", "2024.3.1",
    "2024年3月1日", "2024年03月01号", and 20240301 (number or text). Raises ``CellError`` when the text is
    not a date, or names only a month ("2024-03", "2024年3月", "2024/3": the day is needed).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            return _compact_date(str(int(value)))
        return _excel_serial(value)
    text = as_text(value)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _excel_serial(float(text))
    text = _TIME_SUFFIX.sub("", text).strip()
    if _MONTH_ONLY.match(text):
        raise CellError(
            _("“%(value)s” names a month but no day; write the full date, e.g. 2026-03-01") % {"value": text}
        )
    if re.fullmatch(r"\d{8}", text):
        return _compact_date(text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date; write it as 2026-03-01") % {"value": text})


def _compact_date(digits: str) -> date:
    """ "20240301" → 2024-03-01 (the YYYYMMDD form of ISO 8601 basic format)."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise CellError(_("“%(value)s” is not a date; write it as 2026-03-01") % {"value": digits}) from None


def _excel_serial(number: float) -> date:
    from openpyxl.utils.datetime import from_excel

    # Serial numbers between 1927 and 2173: anything else is more likely a typo than a date.
    if not 10000 <= number <= 100000:
        raise CellError(_("“%(value)s” is not a date; write it as 2026-03-01") % {"value": number})
    return from_excel(number).date()


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(as_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("“%(value)s” is not yes or no") % {"value": as_text(value)})


def parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a whole number") % {"value": value})
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = as_text(value)
        if not re.fullmatch(r"\+?\d+", text):
            raise CellError(_("“%(value)s” is not a whole number") % {"value": text})
        number = int(text)
    if number < 0:
        raise CellError(_("“%(value)s” is not a whole number") % {"value": number})
    return number


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number") % {"value": value})
    text = as_text(value) if not isinstance(value, (int, float)) else repr(value)
    try:
        number = Decimal(text.replace("\u2212", "-"))
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number") % {"value": text}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number") % {"value": text})
    return number.quantize(Decimal("0.000001"))


def parse_list(value: object) -> list[str]:
    """A multi-value cell as its distinct items in order; see ``LIST_SEPARATORS``."""
    items: list[str] = []
    for part in LIST_SEPARATORS.split(as_text(value)):
        part = clean_spaces(part)
        if part and part not in items:
            items.append(part)
    return items


def parse_website(value: object) -> str:
    """A website cell as ``meridian.core.websites.normalise_website`` gives it (the forms' and API's rule)."""
    from django.core.exceptions import ValidationError

    from meridian.core.websites import normalise_website

    try:
        return normalise_website(as_text(value))
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from None


def parse_ror(value: object) -> str:
    text = as_text(value)
    match = _ROR.match(text)
    if not match:
        raise CellError(_("“%(value)s” is not a ROR ID (nine characters, e.g. 038t36y30)") % {"value": text})
    return match.group(1).lower()


def parse_languages(value: object) -> str:
    codes: list[str] = []
    for part in parse_list(value):
        key = fold(part)
        code = c.LANGUAGE_NAMES.get(key) or (key if re.fullmatch(r"[a-z]{2,3}", key) else None)
        if code is None:
            raise CellError(_("“%(value)s” is not a language; use codes such as en, zh") % {"value": part})
        if code not in codes:
            codes.append(code)
    return ", ".join(codes)


def partner_refs(value: object) -> list[str]:
    """A cell naming several partners, split at ``PARTNER_SEPARATORS`` (not at an ASCII comma)."""
    return [clean_spaces(p) for p in PARTNER_SEPARATORS.split(as_text(value)) if clean_spaces(p)]
