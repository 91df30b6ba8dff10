"""Writing the spending standards (财行〔2013〕516号 per-country table) and the exchange rates the budget rule
compares with. Amounts are per person: accommodation per night, meals and incidentals per day, in the row's
currency; rates are CNY per one unit of a currency. Only officers and administrators write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.travel.models import CountryStandard, ExchangeRate

COLUMNS = ("country", "city", "currency", "accommodation", "meals", "incidentals", "valid_from")
OPTIONAL = ("source",)
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


def _require_office(actor: Any) -> None:
    from meridian.travel.permissions import is_office

    if actor is not None and not is_office(actor):
        raise PermissionDeniedError(_("Only the International Office changes the spending standards."))


@transaction.atomic
def standard_save(*, actor: Any, standard: CountryStandard | None = None, **fields: Any) -> CountryStandard:
    """Create or change a standard row (``country``, ``city``, ``currency``, ``accommodation``, ``meals``,
    ``incidentals``, ``valid_from``, ``source``). Raises ``PermissionDeniedError``, ``ValidationError``
    (a second row for the same country, city and date, negative amounts, …)."""
    _require_office(actor)
    row = standard or CountryStandard()
    for name, value in fields.items():
        setattr(row, name, value)
    row.currency = (row.currency or "").upper()
    row.city = (row.city or "").strip()
    _check_amounts(row)
    row.full_clean()
    row.save()
    return row


def _check_amounts(row: CountryStandard) -> None:
    for name in ("accommodation", "meals", "incidentals"):
        value = getattr(row, name)
        if value is not None and Decimal(value) < 0:
            raise ValidationError({name: [_("Amounts cannot be negative.")]})


def standard_delete(*, actor: Any, standard: CountryStandard) -> None:
    _require_office(actor)
    standard.delete()


@transaction.atomic
def rate_save(*, actor: Any, rate: ExchangeRate | None = None, **fields: Any) -> ExchangeRate:
    """Create or change an exchange rate (``currency``, ``cny_per_unit`` > 0, ``valid_from``)."""
    _require_office(actor)
    row = rate or ExchangeRate()
    for name, value in fields.items():
        setattr(row, name, value)
    row.currency = (row.currency or "").upper()
    if row.cny_per_unit is not None and Decimal(row.cny_per_unit) <= 0:
        raise ValidationError({"cny_per_unit": [_("A rate is more than zero.")]})
    row.full_clean()
    row.save()
    return row


def rate_delete(*, actor: Any, rate: ExchangeRate) -> None:
    _require_office(actor)
    rate.delete()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def _header(value: object) -> str:
    return str(value or "").strip().lower().replace(" ", "_").replace("-", "_")


def standards_import(*, actor: Any, stream: IO[bytes]) -> ImportResult:
    """Import standards from a CSV (or XLSX) file with the columns ``country`` (ISO 3166-1 alpha-2), ``city``
    (empty: the whole country), ``currency`` (ISO 4217), ``accommodation``, ``meals``, ``incidentals`` and
    ``valid_from`` (YYYY-MM-DD), optionally ``source``. A row with the same country, city and date replaces
    the stored one. Every row is checked first; if any row is wrong nothing is stored and ``ValidationError``
    lists each problem with its row number. Raises ``DomainError`` for a file that cannot be read.
    """
    from meridian.core.tabular.parsing import CellError, is_blank, parse_date, parse_decimal
    from meridian.core.tabular.readers import ImportFileError, open_table
    from meridian.reference.models import Country

    _require_office(actor)
    try:
        table = open_table(stream)
    except ImportFileError as exc:
        raise DomainError(exc.message, code="invalid_file") from None
    headers = [_header(h) for h in table.headers]
    missing = [c for c in COLUMNS if c not in headers]
    if missing:
        raise DomainError(
            _("The file lacks the columns: %(columns)s. Expected: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)},
            code="invalid_file",
        )
    index = {name: headers.index(name) for name in (*COLUMNS, *OPTIONAL) if name in headers}
    known = set(Country.objects.values_list("code", flat=True))
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, Any], int] = {}
    for number, cells in table.rows:
        if len(rows) + len(errors) >= MAX_ROWS:
            raise DomainError(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS}, code="invalid_file")

        def cell(name: str, cells: list[object] = cells) -> object:
            i = index.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        if all(is_blank(c) for c in cells):
            continue
        problems: list[str] = []
        row: dict[str, Any] = {}
        code = str(cell("country") or "").strip().upper()
        if code not in known:
            problems.append(_("country “%(value)s” is not a known ISO code") % {"value": code})
        row["country_id"] = code
        row["city"] = str(cell("city") or "").strip()[:120]
        currency = str(cell("currency") or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            problems.append(_("currency “%(value)s” is not a three-letter code") % {"value": currency})
        row["currency"] = currency
        for name in ("accommodation", "meals", "incidentals"):
            try:
                value = parse_decimal(cell(name))
                if value < 0:
                    raise CellError(_("“%(value)s” is negative") % {"value": value})
                row[name] = value.quantize(Decimal("0.01"))
            except CellError as exc:
                problems.append(f"{name}: {exc.reason}")
        try:
            row["valid_from"] = parse_date(cell("valid_from"))
        except CellError as exc:
            problems.append(f"valid_from: {exc.reason}")
        row["source"] = str(cell("source") or "").strip()[:200]
        key = (code, row["city"].lower(), row.get("valid_from"))
        if not problems and key in seen:
            problems.append(_("repeats row %(row)s") % {"row": seen[key]})
        seen.setdefault(key, number)
        if problems:
            errors.append(_("Row %(row)s: %(problems)s.") % {"row": number, "problems": "; ".join(problems)})
        else:
            rows.append(row)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise DomainError(_("The file has no rows."), code="invalid_file")
    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            _row, created = CountryStandard.objects.update_or_create(
                country_id=row["country_id"],
                city=row["city"],
                valid_from=row["valid_from"],
                defaults={k: row[k] for k in ("currency", "accommodation", "meals", "incidentals", "source")},
            )
            if created:
                result.created += 1
            else:
                result.updated += 1
    if actor is not None:
        activity_record(
            target=actor,
            verb="standards_imported",
            actor=actor,
            message=lambda: (
                _("Spending standards imported: %(created)s new, %(updated)s replaced")
                % {"created": result.created, "updated": result.updated}
            ),
        )
    return result
