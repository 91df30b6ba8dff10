"""Reads of cooperation conditions (places) and partners' factsheets: the staff list with the places used,
the agreement page's panel, the public partner page's block, and the helpers both sides share (academic
years, labels in the reader's language).

Academic years are stored as the year they start in (2026 = 2026/2027) and start in September
(``ACADEMIC_YEAR_START_MONTH``), as at Chinese universities and in the EWP northern-hemisphere scheme
("2026/2027", EWP academic-term types). Every list here is already restricted to what the reader may see
(``CooperationCondition.objects.visible_to``); the public reads take only published facts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from meridian.agreements.choices import AgreementState, AgreementType
from meridian.agreements.selectors import active_agreement_condition
from meridian.core.i18n import is_chinese
from meridian.mobility.choices import CallState, MobilityState
from meridian.mobility.models import CallDestination, CooperationCondition, Mobility, PartnerFactsheet
from meridian.mobility.models.base import academic_year_label

# Agreements that carry cooperation conditions: the exchange agreements, the Erasmus+ inter-institutional
# agreement (whose conditions ours follow), joint education programmes (students spend semesters at the
# partner) and memoranda of understanding (many Chinese universities put the exchange places in the MoU).
# Research, laboratories, training, conferences and government-level agreements carry no places.
EXCHANGE_AGREEMENT_TYPES = (
    AgreementType.STUDENT_EXCHANGE,
    AgreementType.STAFF_EXCHANGE,
    AgreementType.ERASMUS_IIA,
    AgreementType.JOINT_EDUCATION,
    AgreementType.MOU,
)
# Agreements whose conditions are kept as they were: nobody changes them any more.
ENDED_AGREEMENT_STATES = (AgreementState.EXPIRED, AgreementState.TERMINATED, AgreementState.RENEWED)
ACADEMIC_YEAR_START_MONTH = 9
# Mobilities that no longer use a place.
RELEASED_MOBILITY_STATES = (MobilityState.REJECTED, MobilityState.CANCELLED)

EQF_LABELS = {
    5: _("short cycle"),
    6: _("bachelor"),
    7: _("master"),
    8: _("doctorate"),
}
DEADLINE_FIELDS = (
    ("autumn_nomination_deadline", _("Nomination, autumn semester")),
    ("autumn_application_deadline", _("Application, autumn semester")),
    ("spring_nomination_deadline", _("Nomination, spring semester")),
    ("spring_application_deadline", _("Application, spring semester")),
)


# --- academic years and labels ------------------------------------------------------------------------------


def academic_year_of(day: datetime.date) -> int:
    """The academic year ``day`` falls in, as the year it starts in: 2026-10-01 → 2026, 2027-03-01 → 2026."""
    return day.year if day.month >= ACADEMIC_YEAR_START_MONTH else day.year - 1


def current_academic_year(today: datetime.date | None = None) -> int:
    return academic_year_of(today or timezone.localdate())


def agreement_academic_years(agreement) -> tuple[int | None, int | None]:
    """The first and last academic years an agreement's period touches (``None``: no start date, or
    open-ended). 2025-01-01 … 2030-01-01 → (2024, 2029): spring 2025 and autumn 2029 lie inside it."""
    first = academic_year_of(agreement.start_date) if agreement.start_date else None
    last = academic_year_of(agreement.end_date) if agreement.end_date else None
    return first, last


def carries_conditions(agreement) -> bool:
    """Whether an agreement's type carries cooperation conditions (``EXCHANGE_AGREEMENT_TYPES``)."""
    return agreement.kind in EXCHANGE_AGREEMENT_TYPES


def month_day_label(value: str) -> str:
    """``"--03-15"`` → "March 15" / "3月15日" in the reader's language; ``""`` → ``""``."""
    if not value or len(value) != 7:
        return value or ""
    try:
        day = datetime.date(2024, int(value[2:4]), int(value[5:7]))
    except ValueError:
        return value
    if is_chinese():
        return f"{day.month}月{day.day}日"  # "5月15日", not the locale format's "05月15日"
    return formats.date_format(day, "MONTH_DAY_FORMAT")


@lru_cache(maxsize=8)
def _language_names(locale_name: str) -> dict[str, str]:
    from babel import Locale

    try:
        return dict(Locale.parse(locale_name).languages)
    except (ValueError, LookupError):
        return {}


def language_label(code: str) -> str:
    """The name of an ISO 639-1 language in the reader's language: "de" → "German" / "德语"."""
    names = _language_names(to_locale(get_language() or "en"))
    return names.get(code) or _language_names("en").get(code) or code


def iso_639_1_codes() -> frozenset[str]:
    """The two-letter ISO 639-1 language codes (as the Unicode CLDR lists them)."""
    return frozenset(code for code in _language_names("en") if len(code) == 2 and code.isalpha())


# --- one condition as the pages show it ---------------------------------------------------------------------


@dataclass
class ConditionView:
    """A condition as a panel or list shows it, with labels in the reader's language. ``internal_note`` is
    filled only for readers inside the university; public and partner pages never receive it."""

    pk: int
    agreement_id: int
    year: int | None
    year_label: str
    partner_id: int
    partner: str
    direction: str
    direction_label: str
    mobility_type: str
    mobility_type_label: str
    places: int
    total_months: Any
    subjects: list[tuple[str, str]] = field(default_factory=list)
    eqf_levels: list[tuple[int, str]] = field(default_factory=list)
    languages: list[tuple[str, str, str]] = field(default_factory=list)
    home_unit: str = ""
    partner_unit: str = ""
    deadlines: list[tuple[str, str]] = field(default_factory=list)
    other_requirements: str = ""
    internal_note: str = ""
    separator: str = ", "  # between items of a list, "、" in Chinese


def condition_view(condition: CooperationCondition, *, internal: bool) -> ConditionView:
    """Describe ``condition`` (its ``subject_areas`` and ``languages`` prefetched, ``partner``, ``home_unit``
    and ``partner_unit`` selected); ``internal`` adds the internal note."""
    from meridian.mobility.labels import isced_field_name

    return ConditionView(
        pk=condition.pk,
        agreement_id=condition.agreement_id,
        year=condition.academic_year,
        year_label=academic_year_label(condition.academic_year) or str(_("Every year of the agreement")),
        partner_id=condition.partner_id,
        partner=condition.partner.display_name,
        direction=condition.direction,
        direction_label=str(condition.get_direction_display()),
        mobility_type=condition.mobility_type,
        mobility_type_label=str(condition.get_mobility_type_display()),
        places=condition.places,
        total_months=condition.total_months,
        subjects=[
            (f.code, isced_field_name(f.code, f.name_en, f.name_zh)) for f in condition.subject_areas.all()
        ],
        eqf_levels=[(level, str(EQF_LABELS.get(level, ""))) for level in condition.eqf_levels or []],
        languages=[
            (row.language, language_label(row.language), row.cefr_level) for row in condition.languages.all()
        ],
        home_unit=condition.home_unit.name if condition.home_unit is not None else "",
        partner_unit=str(condition.partner_unit) if condition.partner_unit_id else "",
        deadlines=[
            (str(label), month_day_label(getattr(condition, name)))
            for name, label in DEADLINE_FIELDS
            if getattr(condition, name)
        ],
        other_requirements=condition.other_requirements,
        internal_note=condition.internal_note if internal else "",
        separator="、" if is_chinese() else ", ",
    )


@dataclass
class YearGroup:
    """The conditions of one academic year (``year`` None: every year of the agreement)."""

    year: int | None
    label: str
    conditions: list[ConditionView]


def group_by_year(views: list[ConditionView]) -> list[YearGroup]:
    """Every-year conditions first, then by academic year; inside a year in the order given."""
    groups: dict[int | None, list[ConditionView]] = {}
    for view in views:
        groups.setdefault(view.year, []).append(view)
    order = sorted(groups, key=lambda year: -1 if year is None else year)
    return [YearGroup(year, groups[year][0].year_label, groups[year]) for year in order]


def _described(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("partner", "home_unit", "partner_unit", "agreement").prefetch_related(
        "subject_areas", "languages"
    )


# --- the staff list and the agreement page ------------------------------------------------------------------


def conditions_visible_to(user) -> QuerySet[CooperationCondition]:
    """Conditions ``user`` may see (``permissions.condition_visibility_filter``), with what the pages show."""
    return _described(CooperationCondition.objects.visible_to(user))


def agreement_conditions(*, agreement, user) -> list[YearGroup]:
    """The conditions of ``agreement`` that ``user`` sees (a partner contact: their own organisation's), by
    academic year; the internal note only for readers inside the university. A fixed number of queries."""
    from meridian.accounts.permissions import is_internal

    internal = is_internal(user)
    rows = (
        conditions_visible_to(user)
        .filter(agreement=agreement)
        .order_by("academic_year", "partner__name", "direction", "mobility_type", "pk")
    )
    return group_by_year([condition_view(c, internal=internal) for c in rows])


def condition_list(*, user, year: int | None = None) -> QuerySet[CooperationCondition]:
    """Conditions ``user`` may see, each annotated with the places used: ``in_calls`` (places offered by the
    destinations of calls not cancelled) and ``in_mobilities`` (mobilities not rejected or cancelled). For a
    condition of one academic year they count that year; for a condition of every year they count ``year``
    (the year filtered on, else the current academic year). Two subqueries, no per-row queries."""
    counted = year if year is not None else current_academic_year()
    destinations = (
        CallDestination.objects.filter(condition=OuterRef("pk"))
        .exclude(call__state=CallState.CANCELLED)
        .filter(
            Q(condition__academic_year__isnull=False, call__academic_year=OuterRef("academic_year"))
            | Q(condition__academic_year__isnull=True, call__academic_year=counted)
        )
        .order_by()
        .values("condition")
        .annotate(total=Sum("places"))
        .values("total")
    )
    mobilities = (
        Mobility.objects.filter(condition=OuterRef("pk"))
        .exclude(state__in=RELEASED_MOBILITY_STATES)
        .filter(
            Q(condition__academic_year__isnull=False, academic_year=OuterRef("academic_year"))
            | Q(condition__academic_year__isnull=True, academic_year=counted)
        )
        .order_by()
        .values("condition")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        conditions_visible_to(user)
        .annotate(
            in_calls=Coalesce(Subquery(destinations, output_field=IntegerField()), Value(0)),
            in_mobilities=Coalesce(Subquery(mobilities, output_field=IntegerField()), Value(0)),
        )
        .order_by("partner__name", "agreement__number", "academic_year", "direction", "mobility_type", "pk")
    )


@dataclass(frozen=True)
class ConditionUsage:
    """What uses a condition: per academic year, the places offered by calls' destinations (calls not
    cancelled) and the mobilities holding a place (not rejected or cancelled); and every row at all."""

    destinations_by_year: dict[int, int]
    mobilities_by_year: dict[int, int]
    destination_rows: int
    mobility_rows: int

    @property
    def most_in_one_year(self) -> int:
        """The most places one year uses, by calls or by mobilities."""
        return max([0, *self.destinations_by_year.values(), *self.mobilities_by_year.values()])

    @property
    def in_use(self) -> bool:
        return bool(self.destination_rows or self.mobility_rows)


def condition_usage(condition: CooperationCondition) -> ConditionUsage:
    """Places of ``condition`` used by calls and mobilities, per academic year (four small queries)."""
    destinations = (
        CallDestination.objects.filter(condition=condition)
        .exclude(call__state=CallState.CANCELLED)
        .order_by()
        .values_list("call__academic_year")
        .annotate(total=Sum("places"))
    )
    mobilities = (
        Mobility.objects.filter(condition=condition)
        .exclude(state__in=RELEASED_MOBILITY_STATES)
        .order_by()
        .values_list("academic_year")
        .annotate(total=Count("pk"))
    )
    return ConditionUsage(
        destinations_by_year={year: int(total or 0) for year, total in destinations},
        mobilities_by_year={year: int(total or 0) for year, total in mobilities},
        destination_rows=CallDestination.objects.filter(condition=condition).count(),
        mobility_rows=Mobility.objects.filter(condition=condition).count(),
    )


# --- the public partner page --------------------------------------------------------------------------------


def public_conditions_queryset(partner_id: int) -> QuerySet[CooperationCondition]:
    """Conditions shown publicly for a partner: those of its active agreements (the directory's "current
    agreements", ``agreements.selectors.active_agreement_condition``), for the current or a later academic
    year, or for every year of the agreement."""
    return CooperationCondition.objects.filter(
        active_agreement_condition("agreement__"),
        partner_id=partner_id,
    ).filter(Q(academic_year__isnull=True) | Q(academic_year__gte=current_academic_year()))


def public_partner_conditions(partner) -> list[YearGroup]:
    """The public facts of ``partner``'s current conditions, by academic year: never the internal note."""
    rows = _described(public_conditions_queryset(partner.pk)).order_by(
        "academic_year", "direction", "mobility_type", "pk"
    )
    return group_by_year([condition_view(c, internal=False) for c in rows])


@dataclass
class PublicFactsheet:
    """What the public page shows of a partner's factsheet: the page for exchange students, the course
    catalogue, the semesters and the deadlines (not the office's e-mail, phone or other notes)."""

    website: str
    course_catalogue_url: str
    autumn_term: str
    spring_term: str
    deadlines: list[tuple[str, str]]

    def __bool__(self) -> bool:
        return bool(
            self.website
            or self.course_catalogue_url
            or self.autumn_term
            or self.spring_term
            or self.deadlines
        )


def public_factsheet(partner) -> PublicFactsheet | None:
    """The public bits of ``partner``'s factsheet, or None when it has none (or nothing public in it)."""
    sheet = PartnerFactsheet.objects.filter(partner_id=partner.pk).first()
    if sheet is None:
        return None
    public = PublicFactsheet(
        website=sheet.website,
        course_catalogue_url=sheet.course_catalogue_url,
        autumn_term=sheet.autumn_term,
        spring_term=sheet.spring_term,
        deadlines=[
            (str(label), month_day_label(getattr(sheet, name)))
            for name, label in DEADLINE_FIELDS
            if getattr(sheet, name)
        ],
    )
    return public or None


def has_public_places(partner) -> bool:
    """Whether the public partner page has anything to show in the "Exchange places" block (two queries)."""
    return public_conditions_queryset(partner.pk).exists() or public_factsheet(partner) is not None


def factsheet_of(partner) -> PartnerFactsheet | None:
    return PartnerFactsheet.objects.filter(partner_id=partner.pk).first()
