"""Reads of lectures: the staff list (restricted by ``permissions.lecture_visibility_filter``) and the public
calendar (``Lecture.objects.public()``, plus the cancelled lectures the iCalendar feeds keep).

Public reads return only what the public pages show: titles, abstracts, places, times, the organising unit,
and the speaker's name and organisation. List pages run a fixed number of queries (units and visits joined).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.accounts.models import OrgUnit
from meridian.visitors import permissions
from meridian.visitors.choices import LectureReview, LectureState
from meridian.visitors.models import Lecture, Visit

FEED_PAST_DAYS = 365  # the feeds keep a year of past lectures


# --- staff pages --------------------------------------------------------------------------------------------


def lectures_visible_to(user) -> QuerySet[Lecture]:
    """Lectures ``user`` may open on the staff pages, with unit, visit and guest loaded."""
    rows = Lecture.objects.select_related("unit", "visit", "visit__host", "guest__person")
    condition = permissions.lecture_visibility_filter(user)
    return rows if condition is None else rows.filter(condition)


def lecture_list(*, user) -> QuerySet[Lecture]:
    """The staff list: the lectures ``user`` may see, newest start first (narrowed by
    ``filters_lectures.LectureFilter`` in ``views.lectures``)."""
    return lectures_visible_to(user).order_by("-starts_at", "-id")


def reviews_waiting() -> QuerySet[Lecture]:
    """Outlines under review (for the office), soonest lecture first."""
    return (
        Lecture.objects.filter(review=LectureReview.PENDING)
        .exclude(state=LectureState.CANCELLED)
        .select_related("unit")
        .order_by("starts_at", "id")
    )


def visit_lectures(visit: Visit) -> QuerySet[Lecture]:
    """The lectures of ``visit`` (for the visit page's panel), in time order."""
    return Lecture.objects.filter(visit=visit).select_related("unit").order_by("starts_at", "id")


def unit_choices(user, *, visit: Visit | None = None) -> QuerySet[OrgUnit]:
    """Units ``user`` may file a lecture for: every unit for the office, the units they act for, and the
    visit's host unit for whoever handles that visit."""
    if permissions.is_office(user):
        return OrgUnit.objects.order_by("path")
    ids = set(permissions.acted_unit_ids(user))
    if visit is not None and permissions.can_handle_visit(user, visit):
        ids.add(visit.host_unit_id)
    return OrgUnit.objects.filter(pk__in=ids).order_by("path")


# --- the public calendar ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFilters:
    """The calendar's filters once checked: ``unit`` (OrgUnit or None), ``month`` (first day or None) and
    the ``errors`` to show for refused values."""

    unit: OrgUnit | None = None
    month: date | None = None
    errors: tuple[str, ...] = ()

    @property
    def query(self) -> dict[str, str]:
        values = {}
        if self.unit is not None:
            values["unit"] = self.unit.code
        if self.month is not None:
            values["month"] = self.month.strftime("%Y-%m")
        return values


def parse_public_filters(params: Any) -> PublicFilters:
    """Check ``unit`` (a unit code) and ``month`` ("YYYY-MM") from a query string; a bad value is dropped
    and explained in ``errors`` (never an error page)."""
    errors: list[str] = []
    unit = None
    code = (params.get("unit") or "").strip()
    if code:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            errors.append(
                _("There is no unit with the code “%(code)s”; all units are shown.") % {"code": code[:40]}
            )
    month = None
    text = (params.get("month") or "").strip()
    if text:
        try:
            parsed = datetime.strptime(text, "%Y-%m")
        except ValueError:
            parsed = None
        if parsed is None or not 2000 <= parsed.year <= 2100:
            errors.append(
                _("“%(value)s” is not a month (write it as 2027-03); all months are shown.")
                % {"value": text[:20]}
            )
        else:
            month = parsed.date()
    return PublicFilters(unit=unit, month=month, errors=tuple(errors))


def _in_unit(rows: QuerySet[Lecture], unit: OrgUnit | None) -> QuerySet[Lecture]:
    """Lectures of ``unit`` and the units below it."""
    return rows if unit is None else rows.filter(unit__path__startswith=unit.path)


def _in_month(rows: QuerySet[Lecture], month: date | None) -> QuerySet[Lecture]:
    if month is None:
        return rows
    tz = timezone.get_current_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    days = calendar.monthrange(month.year, month.month)[1]
    return rows.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=days))


def _public_rows() -> QuerySet[Lecture]:
    return Lecture.objects.public().select_related("unit")


def public_upcoming(filters: PublicFilters, *, now: datetime | None = None) -> QuerySet[Lecture]:
    """Public lectures not over yet, soonest first."""
    now = now or timezone.now()
    rows = _in_month(_in_unit(_public_rows(), filters.unit), filters.month)
    return rows.filter(ends_at__gte=now).order_by("starts_at", "id")


def public_past(filters: PublicFilters, *, now: datetime | None = None) -> QuerySet[Lecture]:
    """Public lectures held already, latest first."""
    now = now or timezone.now()
    rows = _in_month(_in_unit(_public_rows(), filters.unit), filters.month)
    return rows.filter(ends_at__lt=now).order_by("-starts_at", "-id")


def public_units() -> QuerySet[OrgUnit]:
    """Units with at least one public lecture (the calendar's unit filter)."""
    return OrgUnit.objects.filter(pk__in=Lecture.objects.public().values("unit_id")).order_by("path")


def feed_lectures(*, unit: OrgUnit | None = None, now: datetime | None = None) -> QuerySet[Lecture]:
    """What the iCalendar feeds list: public lectures and public lectures cancelled after they were published
    (``sequence`` > 0), from a year ago on, of ``unit`` and the units below it (all when None)."""
    now = now or timezone.now()
    cancelled = Q(state=LectureState.CANCELLED, is_public=True, sequence__gt=0)
    rows = Lecture.objects.filter(Q(pk__in=Lecture.objects.public().values("pk")) | cancelled)
    rows = rows.filter(starts_at__gte=now - timedelta(days=FEED_PAST_DAYS)).select_related("unit")
    return _in_unit(rows, unit).order_by("starts_at", "id")


def public_lecture(pk: int) -> Lecture | None:
    """A lecture's public page: public lectures, and cancelled ones the feeds still list (shown as
    cancelled); None for anything else."""
    return (
        Lecture.objects.filter(
            Q(pk__in=Lecture.objects.public().values("pk"))
            | Q(state=LectureState.CANCELLED, is_public=True, sequence__gt=0)
        )
        .select_related("unit")
        .filter(pk=pk)
        .first()
    )


def feed_version(rows: QuerySet[Lecture]) -> datetime | None:
    """The latest change among ``rows`` (the feed's Last-Modified)."""
    latest = rows.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return latest
