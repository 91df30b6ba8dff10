"""Cooperation conditions (places) of exchange agreements, and partners' factsheets.

A condition says, for one academic year or for every year of the agreement, who sends whom (direction),
for what (mobility type), how many persons (``places``, 1–999) and months in all (``total_months``, at most
12 per place), in which subject areas (ISCED-F 2013 codes), at which study levels (EQF 5–8), with which
language requirements (ISO 639-1 language and CEFR level), between which units, and the partner's nomination
and application deadlines (``--MM-DD``). Its shape follows the Erasmus inter-institutional agreement's
cooperation conditions (EWP IIAs API v7, ``student-studies-mobility-spec`` and siblings; see
``ewp_conditions.py``).

Who: conditions are changed by the International Office and by the coordinators (and foreign-affairs
secretaries) of the agreement's responsible unit (``permissions.can_edit_conditions``); a factsheet by the
office and by the partner's own coordinators in the partner portal (``permissions.can_edit_factsheet``).
``actor=None`` is the system (imports, demo data) and skips the permission check.

Every function is keyword-only, runs in one transaction with the rows it changes locked, records an
activity (on the agreement for conditions, on the partner for its factsheet) and raises
``PermissionDeniedError``, ``TransitionError`` (an agreement that carries no conditions or has ended; a
condition in use), ``StaleEditError`` (saved by someone else since ``expected_version``) or Django's
``ValidationError`` with a message per field. Nothing is stored when one is raised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meridian.accounts.models import OrgUnit
from meridian.agreements.models import Agreement
from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.mobility import permissions
from meridian.mobility.choices import STUDENT_MOBILITY_TYPES, CefrLevel, Direction, MobilityType
from meridian.mobility.models import ConditionLanguage, CooperationCondition, PartnerFactsheet
from meridian.mobility.models.base import TOTAL_MONTHS, academic_year_label, validate_month_day
from meridian.mobility.selectors.conditions import (
    ENDED_AGREEMENT_STATES,
    EXCHANGE_AGREEMENT_TYPES,
    agreement_academic_years,
    carries_conditions,
    condition_usage,
    iso_639_1_codes,
)
from meridian.partners.models import Partner, PartnerUnit
from meridian.reference.models import IscedField

MIN_PLACES = 1
MAX_PLACES = 999
MONTHS_PER_PLACE = 12  # a place is at most one academic year abroad (EWP total-months-per-year)
EQF_LEVELS = (5, 6, 7, 8)  # short cycle, bachelor, master, doctorate (EWP eqf-level of student mobility)
MAX_LANGUAGES = 10
# Plausible academic years (the year they start in): the services refuse typing slips such as 226 or 20266.
FIRST_YEAR, LAST_YEAR = 2000, 2100

DEADLINE_NAMES = (
    "autumn_nomination_deadline",
    "autumn_application_deadline",
    "spring_nomination_deadline",
    "spring_application_deadline",
)
# What a form (or the API) may give; ``subject_areas`` (ISCED-F codes), ``eqf_levels`` (ints) and
# ``languages`` (``[(language, cefr_level), …]``) are stored outside the row's plain columns.
CONDITION_FIELDS = (
    "partner",
    "academic_year",
    "direction",
    "mobility_type",
    "places",
    "total_months",
    "subject_areas",
    "eqf_levels",
    "languages",
    "home_unit",
    "partner_unit",
    *DEADLINE_NAMES,
    "other_requirements",
    "internal_note",
)
# Fields that say which places a condition is: they cannot change once calls or mobilities use it.
IDENTITY_FIELDS = ("partner", "direction", "mobility_type", "academic_year")
ROW_FIELDS = tuple(f for f in CONDITION_FIELDS if f not in ("subject_areas", "languages"))
TEXT_FIELDS = ("other_requirements", "internal_note")

FACTSHEET_FIELDS = (
    "contact_email",
    "contact_phone",
    "website",
    "autumn_term",
    "spring_term",
    *DEADLINE_NAMES,
    "course_catalogue_url",
    "accommodation",
    "additional_info",
)

_MONTH_DAY = re.compile(r"^(--)?(\d{1,2})-(\d{1,2})$")


# --- shared helpers -----------------------------------------------------------------------------------------


def normalise_month_day(value: Any) -> str:
    """``"3-15"``, ``"03-15"`` and ``"--03-15"`` → ``"--03-15"`` (XML Schema gMonthDay, as EWP writes
    deadlines); anything else is returned stripped, for ``validate_month_day`` to refuse."""
    text = str(value or "").strip()
    match = _MONTH_DAY.match(text)
    if match:
        return f"--{int(match.group(2)):02d}-{int(match.group(3)):02d}"
    return text


def _deadline_errors(values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name in DEADLINE_NAMES:
        if name not in values:
            continue
        values[name] = normalise_month_day(values[name])
        try:
            validate_month_day(values[name])
        except ValidationError as exc:
            errors[name] = list(exc.messages)


def _unknown(values: dict[str, Any], allowed: Iterable[str], errors: dict[str, list[str]]) -> None:
    for name in sorted(set(values) - set(allowed)):
        errors[name] = [_("Unknown field.")]


# --- factsheets ---------------------------------------------------------------------------------------------


def _clean_factsheet(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    _unknown(values, FACTSHEET_FIELDS, errors)
    for name in FACTSHEET_FIELDS:
        if name in values and name not in DEADLINE_NAMES:
            values[name] = str(values[name] or "").strip()
    _deadline_errors(values, errors)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def factsheet_update(
    *, partner: Partner, actor, expected_version: int | None, **fields: Any
) -> PartnerFactsheet:
    """Create or change ``partner``'s factsheet (what the partner tells incoming students and our office,
    after the EWP Factsheet API): fields named in ``FACTSHEET_FIELDS`` — the exchange office's e-mail and
    phone, the page for exchange students, the semesters (free text, "September – January"), the nomination
    and application deadlines per semester (``--MM-DD``; ``MM-DD`` is accepted and completed), the course
    catalogue link, accommodation and further information. Fields not given keep their value.

    ``expected_version`` is the version the editor started from (0 when there was no factsheet yet; None
    skips the check). Who: the International Office and the partner's coordinators
    (``permissions.can_edit_factsheet``; viewers only read). The public partner page shows the page for
    exchange students, course catalogue, semesters and deadlines. Raises ``PermissionDeniedError``,
    ``StaleEditError`` and ``ValidationError`` (per field: a malformed deadline, e-mail or web address, a text
    too long). Returns the factsheet.
    """
    if actor is not None and not permissions.can_edit_factsheet(actor, partner):
        raise PermissionDeniedError(
            _("Only the International Office and the partner's coordinators may change its factsheet.")
        )
    Partner.objects.select_for_update().filter(pk=partner.pk).values_list("pk", flat=True).first()
    current = PartnerFactsheet.objects.select_for_update().filter(partner_id=partner.pk).first()
    if current is not None:
        ensure_fresh(instance=current, expected_version=expected_version, fields=list(FACTSHEET_FIELDS))
    values = _clean_factsheet(dict(fields))
    created = current is None
    sheet = current if current is not None else PartnerFactsheet(partner=partner)
    changed = [name for name, value in values.items() if getattr(sheet, name) != value]
    if not created and not changed:
        return sheet
    for name in changed:
        setattr(sheet, name, values[name])
    sheet.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    sheet.full_clean()
    if not created:
        bump_version(sheet)
    sheet._history_user = actor  # type: ignore[attr-defined]
    sheet.save()
    activity_record(
        target=partner,
        verb="factsheet_changed",
        actor=actor,
        message=lambda: _("Exchange factsheet of %(partner)s updated") % {"partner": partner.display_name},
    )
    return sheet


# --- conditions: checks -------------------------------------------------------------------------------------


def condition_blocker(agreement: Agreement) -> str:
    """Why conditions of ``agreement`` cannot be added or changed now ("" when they can): its type carries
    none (``selectors.conditions.EXCHANGE_AGREEMENT_TYPES``), or it has ended (expired, terminated,
    renewed), when its conditions are kept as they were."""
    if not carries_conditions(agreement):
        return _(
            "Cooperation conditions belong to exchange agreements (student or staff exchange, Erasmus+ "
            "inter-institutional agreements, joint education programmes, memoranda of understanding); "
            "this agreement is of type “%(type)s”."
        ) % {"type": agreement.get_kind_display()}
    if agreement.state in ENDED_AGREEMENT_STATES:
        return _("The agreement has ended (%(state)s): its cooperation conditions are kept as they were.") % {
            "state": agreement.get_state_display()
        }
    return ""


def _may_edit(actor, agreement: Agreement) -> None:
    if actor is not None and not permissions.can_edit_conditions(actor, agreement):
        raise PermissionDeniedError(
            _(
                "Only the International Office and the coordinators of the agreement's responsible unit "
                "may change its cooperation conditions."
            )
        )


def _as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise ValueError
    return int(text)


def _clean_partner(value: Any, agreement: Agreement, errors: dict[str, list[str]]) -> Partner | None:
    parties = {p.pk: p for p in Partner.objects.filter(agreement_parties__agreement=agreement)}
    if value is None or value == "":
        if len(parties) == 1:
            return next(iter(parties.values()))
        errors["partner"] = [_("Choose the partner this condition is with.")]
        return None
    pk = value.pk if isinstance(value, Partner) else value
    try:
        partner = parties.get(int(pk))
    except (TypeError, ValueError):
        partner = None
    if partner is None:
        errors["partner"] = [_("The partner must be a party of the agreement.")]
    return partner


def _clean_year(value: Any, errors: dict[str, list[str]]) -> int | None:
    try:
        year = _as_int(value)
    except ValueError:
        errors["academic_year"] = [_("Give the year the academic year starts in, e.g. 2026 for 2026/2027.")]
        return None
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        errors["academic_year"] = [_("Give the year the academic year starts in, e.g. 2026 for 2026/2027.")]
    return year


def _year_in_period(year: int, agreement: Agreement, errors: dict[str, list[str]]) -> None:
    first, last = agreement_academic_years(agreement)
    if (first is not None and year < first) or (last is not None and year > last):
        if first is not None and last is not None:
            message = _(
                "The academic year must lie within the agreement's period: %(first)s to %(last)s."
            ) % {
                "first": academic_year_label(first),
                "last": academic_year_label(last),
            }
        elif first is not None:
            message = _("The agreement starts in %(first)s: choose that academic year or a later one.") % {
                "first": academic_year_label(first)
            }
        else:
            message = _("The agreement ends in %(last)s: choose that academic year or an earlier one.") % {
                "last": academic_year_label(last)
            }
        errors["academic_year"] = [message]


def _clean_places(value: Any, errors: dict[str, list[str]]) -> int | None:
    try:
        places = _as_int(value)
    except ValueError:
        places = -1
    if places is None:
        errors["places"] = [_("Give the number of places (persons per year).")]
    elif not MIN_PLACES <= places <= MAX_PLACES:
        errors["places"] = [
            _("Places are persons per year: a whole number from %(min)s to %(max)s.")
            % {"min": MIN_PLACES, "max": MAX_PLACES}
        ]
        return None
    return places


def _clean_months(value: Any, places: int | None, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        months = Decimal(str(value).strip())
    except InvalidOperation:
        errors["total_months"] = [_("Give the months as a number, e.g. 10 or 4.5.")]
        return None
    # Bounds first: quantizing an absurd number (1e308) would itself fail.
    if not months.is_finite():
        errors["total_months"] = [_("Give the months as a number, e.g. 10 or 4.5.")]
    elif months < 0:
        errors["total_months"] = [_("The total months cannot be negative.")]
    elif places is None and months > TOTAL_MONTHS[1]:
        errors["total_months"] = [
            _("The total months per year are at most %(max)s.") % {"max": TOTAL_MONTHS[1]}
        ]
    elif places is not None and months > places * MONTHS_PER_PLACE:
        errors["total_months"] = [
            _(
                "%(months)s months is more than %(places)s places can use in a year "
                "(at most %(max)s months per place, %(total)s in all)."
            )
            % {
                "months": months,
                "places": places,
                "max": MONTHS_PER_PLACE,
                "total": places * MONTHS_PER_PLACE,
            }
        ]
    elif months != months.quantize(Decimal("0.1")):
        errors["total_months"] = [_("Give the months with at most one decimal, e.g. 4.5.")]
    return months


def _clean_choice(name: str, value: Any, choices, message: str, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if text not in choices.values:
        errors[name] = [message]
    return text


def _clean_subjects(value: Any, errors: dict[str, list[str]]) -> list[IscedField]:
    codes: list[str] = []
    for item in value or []:
        code = item.code if isinstance(item, IscedField) else str(item).strip()
        if code and code not in codes:
            codes.append(code)
    found = {f.code: f for f in IscedField.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors["subject_areas"] = [
            _("Unknown ISCED-F 2013 field: %(codes)s. Give codes such as 0714 or 07.")
            % {"codes": ", ".join(unknown)}
        ]
    return [found[code] for code in codes if code in found]


def _clean_eqf(value: Any, mobility_type: str, errors: dict[str, list[str]]) -> list[int]:
    levels: set[int] = set()
    try:
        for item in value or []:
            level = _as_int(item)
            if level is None:
                continue
            if level not in EQF_LEVELS:
                raise ValueError
            levels.add(level)
    except (TypeError, ValueError):
        errors["eqf_levels"] = [
            _("Study levels are EQF levels 5 to 8 (5 short cycle, 6 bachelor, 7 master, 8 doctorate).")
        ]
        return []
    if levels and mobility_type and mobility_type not in STUDENT_MOBILITY_TYPES:
        errors["eqf_levels"] = [_("Study levels apply to student mobility only, not to staff mobility.")]
    return sorted(levels)


def _clean_languages(value: Any, errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    problems: list[str] = []
    known = iso_639_1_codes()
    for item in value or []:
        if isinstance(item, str):
            item = item.split()  # "en B2"
        try:
            language, level = item
        except (TypeError, ValueError):
            problems.append(
                _("Give each language requirement as a language code and a CEFR level, e.g. en B2.")
            )
            continue
        language = str(language or "").strip().lower()
        level = str(level or "").strip().upper()
        if language not in known:
            problems.append(
                _("“%(code)s” is not an ISO 639-1 language code (two letters: en, de, fr, ja, …).")
                % {"code": language}
            )
        elif level not in CefrLevel.values:
            problems.append(
                _("“%(level)s” is not a CEFR level (A1, A2, B1, B2, C1 or C2).") % {"level": level or "—"}
            )
        elif any(language == seen for seen, _level in rows):
            problems.append(_("The language “%(code)s” is given twice.") % {"code": language})
        else:
            rows.append((language, level))
    if len(rows) > MAX_LANGUAGES:
        problems.append(_("Give at most %(n)s language requirements.") % {"n": MAX_LANGUAGES})
    if problems:
        errors["languages"] = problems
    return rows


def _clean_units(
    values: dict[str, Any], partner: Partner | None, actor, errors: dict[str, list[str]]
) -> None:
    home = values.get("home_unit")
    if home is not None and home != "":
        unit = home if isinstance(home, OrgUnit) else OrgUnit.objects.filter(pk=_safe_pk(home)).first()
        if unit is None:
            errors["home_unit"] = [_("Unknown unit.")]
        elif (
            actor is not None
            and not permissions.is_office(actor)
            and unit.pk not in permissions.acted_unit_ids(actor)
        ):
            errors["home_unit"] = [
                _("Choose a unit you coordinate, or leave it to the International Office.")
            ]
        values["home_unit"] = unit
    else:
        values["home_unit"] = None
    other = values.get("partner_unit")
    if other is not None and other != "":
        theirs = (
            other
            if isinstance(other, PartnerUnit)
            else PartnerUnit.objects.filter(pk=_safe_pk(other)).first()
        )
        if theirs is None or (partner is not None and theirs.partner_id != partner.pk):
            errors["partner_unit"] = [_("The unit at the partner must be one of the partner's own units.")]
        values["partner_unit"] = theirs
    else:
        values["partner_unit"] = None


def _safe_pk(value: Any) -> int:
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return 0


def _overlap_errors(
    *,
    agreement: Agreement,
    partner: Partner,
    direction: str,
    mobility_type: str,
    year: int | None,
    exclude_pk: int | None,
    errors: dict[str, list[str]],
) -> None:
    """One condition per agreement, partner, direction, type and year; a condition for every year of the
    agreement leaves no room for single-year ones of the same kind (two sources of places for one year)."""
    siblings = CooperationCondition.objects.filter(
        agreement=agreement, partner=partner, direction=direction, mobility_type=mobility_type
    )
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    years = sorted({y for y in siblings.values_list("academic_year", flat=True) if y is not None})
    every_year = siblings.filter(academic_year__isnull=True).exists()
    kind = {
        "direction": Direction(direction).label,
        "type": MobilityType(mobility_type).label,
        "partner": partner.display_name,
    }
    if year is None and every_year:
        message = (
            _(
                "This agreement already has a condition for every year for %(direction)s, %(type)s with "
                "%(partner)s: change that one."
            )
            % kind
        )
    elif year is None and years:
        message = _(
            "This agreement already has conditions for single years (%(years)s) for %(direction)s, %(type)s "
            "with %(partner)s: change those, or delete them before giving one for every year."
        ) % {**kind, "years": ", ".join(academic_year_label(y) for y in years)}
    elif year is not None and year in years:
        message = _(
            "This agreement already has a condition for %(year)s for %(direction)s, %(type)s with "
            "%(partner)s: change that one."
        ) % {**kind, "year": academic_year_label(year)}
    elif year is not None and every_year:
        message = (
            _(
                "A condition for every year of this agreement already covers %(direction)s, %(type)s with "
                "%(partner)s: change that one, or delete it before giving conditions for single years."
            )
            % kind
        )
    else:
        return
    errors[NON_FIELD_ERRORS] = [message]


def _clean_condition(
    values: dict[str, Any], *, agreement: Agreement, actor, current: CooperationCondition | None
) -> dict[str, Any]:
    """Check and normalise the given values (with ``current``, the condition being changed, for those not
    given); raises ``ValidationError`` per field. Returns the values to store."""
    errors: dict[str, list[str]] = {}
    _unknown(values, CONDITION_FIELDS, errors)
    creating = current is None
    if creating or "partner" in values:
        values["partner"] = _clean_partner(values.get("partner"), agreement, errors)
    if creating or "academic_year" in values:
        values["academic_year"] = _clean_year(values.get("academic_year"), errors)
    if creating or "direction" in values:
        values["direction"] = _clean_choice(
            "direction", values.get("direction"), Direction, _("Choose the direction."), errors
        )
    if creating or "mobility_type" in values:
        values["mobility_type"] = _clean_choice(
            "mobility_type", values.get("mobility_type"), MobilityType, _("Choose the mobility type."), errors
        )
    if creating or "places" in values:
        values["places"] = _clean_places(values.get("places"), errors)

    def now(name: str) -> Any:
        return values[name] if name in values else getattr(current, name, None)

    places = now("places")
    if "total_months" in values or (current is not None and "places" in values):
        values["total_months"] = _clean_months(
            now("total_months"),
            places if "places" not in errors else None,
            errors,
        )
    if "subject_areas" in values:
        values["subject_areas"] = _clean_subjects(values["subject_areas"], errors)
    if "eqf_levels" in values or (current is not None and "mobility_type" in values):
        values["eqf_levels"] = _clean_eqf(
            now("eqf_levels"),
            now("mobility_type"),
            errors,
        )
    if "languages" in values:
        values["languages"] = _clean_languages(values["languages"], errors)
    partner = now("partner")
    if creating or {"home_unit", "partner_unit", "partner"} & set(values):
        units = {
            name: values[name] if name in values else getattr(current, name, None)
            for name in ("home_unit", "partner_unit")
        }
        # A coordinator may keep a unit outside their reach that the office chose; they only choose anew
        # among their own units.
        unchanged_home = current is not None and _safe_pk(units["home_unit"]) == (current.home_unit_id or 0)
        _clean_units(units, partner, None if unchanged_home else actor, errors)
        values.update(units)
    _deadline_errors(values, errors)
    for name in TEXT_FIELDS:
        if name in values:
            values[name] = str(values[name] or "").strip()
    year = now("academic_year")
    year_changed = current is None or (
        "academic_year" in values and values["academic_year"] != current.academic_year
    )
    if year is not None and year_changed and "academic_year" not in errors:
        _year_in_period(year, agreement, errors)
    if current is not None:
        _in_use_errors(current, values, errors)
    identity = [now(name) for name in ("partner", "direction", "mobility_type")]
    if all(identity) and not (set(IDENTITY_FIELDS) & set(errors)):
        _overlap_errors(
            agreement=agreement,
            partner=identity[0],
            direction=identity[1],
            mobility_type=identity[2],
            year=year,
            exclude_pk=None if current is None else current.pk,
            errors=errors,
        )
    if errors:
        raise ValidationError(errors)
    return values


def _in_use_errors(
    current: CooperationCondition, values: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    """A condition that calls or mobilities use keeps what it is (partner, direction, type, year), and its
    places do not fall below what one academic year uses already."""
    identity_changed = [
        name
        for name in IDENTITY_FIELDS
        if name in values
        and name not in errors
        and _comparable(values[name]) != _comparable(getattr(current, name))
    ]
    places: int | None = values.get("places")
    lowered = "places" not in errors and places is not None and places < current.places
    if not identity_changed and not lowered:
        return
    usage = condition_usage(current)
    if identity_changed and usage.in_use:
        message = _(
            "Calls or mobilities use this condition: its partner, direction, mobility type and academic year "
            "cannot change. Add a new condition instead."
        )
        for name in identity_changed:
            errors[name] = [message]
    if lowered and places is not None and places < usage.most_in_one_year:
        errors["places"] = [
            ngettext(
                "%(used)s place is already used in one academic year (by calls or mobilities): the places "
                "cannot go below that.",
                "%(used)s places are already used in one academic year (by calls or mobilities): the places "
                "cannot go below that.",
                usage.most_in_one_year,
            )
            % {"used": usage.most_in_one_year}
        ]


def _comparable(value: Any) -> Any:
    return getattr(value, "pk", value)


def _store_related(condition: CooperationCondition, values: dict[str, Any]) -> list[str]:
    """Write subject areas and languages when given; returns the names of those that changed."""
    changed = []
    if "subject_areas" in values:
        new = [f.code for f in values["subject_areas"]]
        if sorted(new) != sorted(condition.subject_areas.values_list("code", flat=True)):
            condition.subject_areas.set(values["subject_areas"])
            changed.append("subject_areas")
    if "languages" in values:
        new_rows = list(values["languages"])
        old_rows = list(condition.languages.order_by("id").values_list("language", "cefr_level"))
        if new_rows != old_rows:
            condition.languages.all().delete()
            ConditionLanguage.objects.bulk_create(
                [
                    ConditionLanguage(condition=condition, language=lang, cefr_level=lvl)
                    for lang, lvl in new_rows
                ]
            )
            changed.append("languages")
    return changed


def _record(condition: CooperationCondition, agreement: Agreement, actor, verb: str, message) -> None:
    activity_record(target=agreement, verb=verb, actor=actor, message=message)


# --- conditions: create, change, delete ---------------------------------------------------------------------


@transaction.atomic
def condition_create(*, agreement: Agreement, actor, **fields: Any) -> CooperationCondition:
    """Add a cooperation condition to ``agreement`` (fields in ``CONDITION_FIELDS``).

    Required: ``direction`` (``Direction``), ``mobility_type`` (``MobilityType``), ``places`` (persons per
    academic year, 1–999) and ``partner`` (a ``Partner`` or its id; a party of the agreement — taken as the
    only party when the agreement has one). Optional: ``academic_year`` (the year it starts in, inside the
    agreement's period; None = every year of the agreement), ``total_months`` (Decimal, one decimal, from 0
    to 12 × places), ``subject_areas`` (ISCED-F 2013 codes or ``IscedField`` rows), ``eqf_levels`` (a subset
    of 5–8, student mobility only), ``languages`` (``[(ISO 639-1 code, CEFR level), …]``, at most 10),
    ``home_unit`` (an ``OrgUnit``; a coordinator chooses one of their units), ``partner_unit`` (a unit of the
    partner), the four deadlines (``--MM-DD``), ``other_requirements`` (public) and ``internal_note`` (never
    shown outside the university).

    One condition per agreement, partner, direction, type and year; a condition for every year excludes
    single-year ones of the same kind. Raises ``PermissionDeniedError``
    (``permissions.can_edit_conditions``), ``TransitionError`` (``condition_blocker``) and ``ValidationError``
    per field (``__all__`` for a duplicate).
    """
    _may_edit(actor, agreement)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    blocker = condition_blocker(locked)
    if blocker:
        raise TransitionError(blocker)
    values = _clean_condition(dict(fields), agreement=locked, actor=actor, current=None)
    condition = CooperationCondition(agreement=locked, **{k: v for k, v in values.items() if k in ROW_FIELDS})
    condition.full_clean(exclude=["subject_areas"])
    condition._history_user = actor  # type: ignore[attr-defined]
    condition.save()
    _store_related(condition, values)
    _record(
        condition,
        locked,
        actor,
        "condition_added",
        lambda: _("Cooperation condition added: %(condition)s") % {"condition": str(condition)},
    )
    return condition


@transaction.atomic
def condition_update(
    *, condition: CooperationCondition, actor, expected_version: int | None, **fields: Any
) -> CooperationCondition:
    """Change a cooperation condition (fields in ``CONDITION_FIELDS``, checked as in ``condition_create``;
    fields not given keep their value; ``subject_areas`` and ``languages`` given replace the old ones).

    The academic year is checked against the agreement's period only when it changes, so a condition keeps
    its year when the agreement's dates move. Once calls' destinations or mobilities use the condition, its
    partner, direction, mobility type and year stay, and its places cannot fall below the most one academic
    year uses (``selectors.conditions.condition_usage``). Raises ``PermissionDeniedError``,
    ``TransitionError``, ``StaleEditError`` (changed since ``expected_version``; None skips the check) and
    ``ValidationError`` per field.
    """
    current = (
        CooperationCondition.objects.select_for_update(of=("self",))
        .select_related("agreement", "partner", "home_unit", "partner_unit")
        .get(pk=condition.pk)
    )
    agreement = current.agreement
    _may_edit(actor, agreement)
    blocker = condition_blocker(agreement)
    if blocker:
        raise TransitionError(blocker)
    ensure_fresh(instance=current, expected_version=expected_version, fields=list(ROW_FIELDS))
    values = _clean_condition(dict(fields), agreement=agreement, actor=actor, current=current)
    changed = [
        name
        for name in ROW_FIELDS
        if name in values and _comparable(getattr(current, name)) != _comparable(values[name])
    ]
    for name in changed:
        setattr(current, name, values[name])
    related = _store_related(current, values)
    if not changed and not related:
        return current
    current.full_clean(exclude=["subject_areas"])
    bump_version(current)
    current._history_user = actor  # type: ignore[attr-defined]
    current.save()  # also when only subject areas or languages changed: the public pages watch the row
    _record(
        current,
        agreement,
        actor,
        "condition_changed",
        lambda: _("Cooperation condition changed: %(condition)s") % {"condition": str(current)},
    )
    return current


def delete_blocker(condition: CooperationCondition) -> str:
    """Why ``condition`` cannot be deleted ("" when it can): its agreement has ended, or calls' destinations
    or mobilities use it. (A condition of an agreement whose type no longer carries conditions may go.)"""
    if condition.agreement.state in ENDED_AGREEMENT_STATES:
        return condition_blocker(condition.agreement)
    usage = condition_usage(condition)
    if not usage.in_use:
        return ""
    return _(
        "This condition cannot be deleted: %(destinations)s and %(mobilities)s use it. Change its places "
        "instead, or set them on a new condition."
    ) % {
        "destinations": ngettext(
            "%(n)s destination of a call", "%(n)s destinations of calls", usage.destination_rows
        )
        % {"n": usage.destination_rows},
        "mobilities": ngettext("%(n)s mobility", "%(n)s mobilities", usage.mobility_rows)
        % {"n": usage.mobility_rows},
    }


@transaction.atomic
def condition_delete(*, condition: CooperationCondition, actor) -> None:
    """Delete a condition that no call destination and no mobility uses (``delete_blocker``), of an agreement
    that has not ended. Raises ``PermissionDeniedError`` and ``TransitionError``."""
    current = (
        CooperationCondition.objects.select_for_update(of=("self",))
        .select_related("agreement", "partner")
        .get(pk=condition.pk)
    )
    agreement = current.agreement
    _may_edit(actor, agreement)
    blocker = delete_blocker(current)
    if blocker:
        raise TransitionError(blocker)
    described = {"condition": str(current)}
    current._history_user = actor  # type: ignore[attr-defined]
    current.delete()
    _record(
        current,
        agreement,
        actor,
        "condition_deleted",
        lambda: _("Cooperation condition deleted: %(condition)s") % described,
    )


__all__ = [
    "CONDITION_FIELDS",
    "EXCHANGE_AGREEMENT_TYPES",
    "FACTSHEET_FIELDS",
    "condition_blocker",
    "condition_create",
    "condition_delete",
    "condition_update",
    "delete_blocker",
    "factsheet_update",
    "normalise_month_day",
]
