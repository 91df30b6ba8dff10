"""Writing long stays abroad (over 90 days: government-scholarship or unit-funded visiting scholars).

The track (design note, "Official travel abroad": selection, agreement signed, departure, registration with
the embassy within 10 days, quarterly progress notes, return, summary) is declared in ``casework.py``
(case type ``long_stay``); moves go through ``meridian.workflow.services.case_move``. The deadlines follow
from the data (``deadlines_long_stays``); after a change here the long-stay clocks are brought up to date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.travel import permissions
from meridian.travel.choices import LongStayState
from meridian.travel.models import LongStay, ProgressReport
from meridian.workflow.services import case_move

MIN_DAYS = 91  # "over 90 days", counting the departure and the return day
EDITABLE_FIELDS = (
    "person",
    "user",
    "unit",
    "programme",
    "host_partner",
    "host_name",
    "country",
    "starts_on",
    "ends_on",
    "research_topic",
)
ABROAD_STATES = (LongStayState.DEPARTED, LongStayState.REGISTERED)
OPEN_STATES = (LongStayState.SELECTED, LongStayState.AGREEMENT_SIGNED)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the last day of a shorter month when the day does not exist
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def quarter_due(stay: LongStay, quarter: int) -> date | None:
    """The due date of progress report ``quarter`` (1, 2, …): ``quarter`` × 3 months after the departure."""
    if stay.departed_on is None:
        return None
    return add_months(stay.departed_on, 3 * quarter)


def current_quarter(stay: LongStay, today: date) -> int:
    """The quarter of the stay ``today`` falls in (1 from the departure day), 0 before the departure."""
    if stay.departed_on is None or today < stay.departed_on:
        return 0
    quarter = 1
    while add_months(stay.departed_on, 3 * quarter) <= today:
        quarter += 1
    return quarter


def long_stay_number_next(*, year: int) -> str:
    """The next free number, ``LS-<year>-<4-digit sequence>``."""
    prefix = f"LS-{year}-"
    highest = 0
    for number in LongStay.objects.filter(number__startswith=prefix).values_list("number", flat=True):
        tail = number[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


def _check_length(stay: LongStay) -> None:
    if stay.starts_on and stay.ends_on and (stay.ends_on - stay.starts_on).days + 1 < MIN_DAYS:
        raise ValidationError(
            {"ends_on": [_("A long stay lasts over 90 days; shorter trips are filed as official trips.")]}
        )


def dates_reversed(starts_on: date | None, ends_on: date | None) -> bool:
    """True when the planned return lies before the planned departure."""
    return bool(starts_on and ends_on and ends_on < starts_on)


def _validate(stay: LongStay, *, exclude: list[str] | None = None) -> None:
    """``full_clean`` and the length check. Dates in the wrong order are reported on the return date in
    words, instead of as the database constraint (``long_stay_dates_in_order``) that guards them."""
    reversed_dates = dates_reversed(stay.starts_on, stay.ends_on)
    errors: dict[str, Any] = {}
    try:
        stay.full_clean(exclude=exclude, validate_constraints=not reversed_dates)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if reversed_dates:
        errors.setdefault("ends_on", []).append(_("The return date lies before the departure date."))
    if errors:
        raise ValidationError(errors)
    _check_length(stay)


def _may_file(actor, unit_id: int | None) -> None:
    if actor is not None and not permissions.acts_for_unit(actor, unit_id):
        raise PermissionDeniedError(
            _("Only the International Office or the unit's coordinators file and change long stays.")
        )


def _history_user(stay: LongStay, actor) -> None:
    stay._history_user = actor  # type: ignore[attr-defined]


def sync_clocks() -> None:
    """Bring the long-stay deadlines in line with the data now (the daily sync does it too)."""
    from meridian.travel.deadlines_long_stays import long_stay_clocks_sync

    long_stay_clocks_sync()


@transaction.atomic
def long_stay_create(*, actor, **fields: Any) -> LongStay:
    """File a long stay (state "selected"): ``person``, ``unit``, ``programme``, ``host_name``, ``country``,
    ``starts_on``, ``ends_on`` (over 90 days, both days counted), optional ``host_partner``,
    ``research_topic`` and ``user`` (the scholar's sign-in account; default the person's own).

    The office or a coordinator of the unit. Numbered ``LS-<year of departure>-NNNN``. Raises
    ``PermissionDeniedError``, ``ValidationError`` (missing or bad fields, 90 days or shorter).
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    stay = LongStay(**fields)
    _may_file(actor, stay.unit_id)
    if stay.user_id is None and stay.person_id is not None:
        stay.user_id = stay.person.user_id
    stay.created_by = actor
    stay.number = long_stay_number_next(year=(stay.starts_on or timezone.localdate()).year)
    _validate(stay, exclude=["number"])
    _history_user(stay, actor)
    for attempt in range(5):
        try:
            with transaction.atomic():
                stay.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
            stay.pk = None
            stay.number = long_stay_number_next(year=stay.starts_on.year)
    activity_record(
        target=stay,
        verb="created",
        actor=actor,
        message=lambda: _("Long stay %(number)s filed") % {"number": stay.number},
    )
    return stay


@transaction.atomic
def long_stay_update(
    *, stay: LongStay, actor, expected_version: int | None = None, **fields: Any
) -> LongStay:
    """Change a long stay's plan (``EDITABLE_FIELDS``) before departure (selected or agreement signed).

    The office or the unit's coordinators. Raises ``PermissionDeniedError``, ``TransitionError`` (departed
    already, or closed), ``StaleEditError`` (changed since ``expected_version``), ``ValidationError``.
    """
    current = LongStay.objects.select_for_update().get(pk=stay.pk)
    _may_file(actor, current.unit_id)
    if current.state not in OPEN_STATES:
        raise TransitionError(_("The stay's plan can be changed only before departure."))
    ensure_fresh(instance=current, expected_version=expected_version, fields=list(EDITABLE_FIELDS))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(current, name, value)
    _may_file(actor, current.unit_id)  # moving it to a unit beyond the actor's reach is refused too
    _validate(current)
    bump_version(current)
    _history_user(current, actor)
    current.save()
    activity_record(
        target=current,
        verb="updated",
        actor=actor,
        message=lambda: _("Long stay %(number)s updated") % {"number": current.number},
    )
    return current


def is_scholar(user, stay: LongStay) -> bool:
    """The scholar themselves: the stay's sign-in account or the account of its person."""
    if not getattr(user, "is_authenticated", False):
        return False
    if stay.user_id == user.pk:
        return True
    person = getattr(user, "person", None)
    return person is not None and person.pk == stay.person_id


def can_report(user, stay: LongStay) -> bool:
    """The scholar, their unit's coordinators (foreign-affairs secretaries) or the office."""
    return is_scholar(user, stay) or permissions.acts_for_unit(user, stay.unit_id)


@transaction.atomic
def progress_report_add(*, stay: LongStay, actor, quarter: int, text: str) -> ProgressReport:
    """Record the progress report of ``quarter`` (1 = the first three months after departure).

    While the scholar is abroad (departed or registered), once per quarter, for a quarter that has begun.
    The scholar, their unit's coordinators or the office. Meets the quarter's clock
    (``travel.long_stay.progress``). Raises ``PermissionDeniedError``, ``TransitionError`` (not abroad),
    ``ValidationError`` (empty text, bad or future quarter, quarter reported already).
    """
    current = LongStay.objects.select_for_update().get(pk=stay.pk)
    if actor is not None and not can_report(actor, current):
        raise PermissionDeniedError(
            _("Only the scholar, their unit or the International Office report progress.")
        )
    if current.state not in ABROAD_STATES:
        raise TransitionError(_("Progress reports are filed while the scholar is abroad."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the progress report.")]})
    try:
        quarter = int(quarter)
    except (TypeError, ValueError):
        quarter = 0
    latest = current_quarter(current, timezone.localdate())
    if quarter < 1 or quarter > max(latest, 1):
        raise ValidationError(
            {"quarter": [_("Report on a quarter that has begun (1 to %(n)s).") % {"n": max(latest, 1)}]}
        )
    if current.progress_reports.filter(quarter=quarter).exists():
        raise ValidationError(
            {"quarter": [_("The report for quarter %(n)s has been filed already.") % {"n": quarter}]}
        )
    report = ProgressReport.objects.create(stay=current, quarter=quarter, text=text, submitted_by=actor)
    activity_record(
        target=current,
        verb="progress_report",
        actor=actor,
        message=lambda: _("Progress report for quarter %(n)s filed") % {"n": quarter},
    )
    transaction.on_commit(sync_clocks)
    return report


@transaction.atomic
def long_stay_summary_save(
    *, stay: LongStay, actor, summary: str, expected_version: int | None = None
) -> LongStay:
    """Save the summary after return (state "returned"); the office then accepts it (move
    ``accept_summary``). The scholar, their unit's coordinators or the office; due within 30 days of the
    return (``travel.long_stay.summary``). Raises ``PermissionDeniedError``, ``TransitionError`` (not
    returned), ``StaleEditError``, ``ValidationError`` (empty).
    """
    current = LongStay.objects.select_for_update().get(pk=stay.pk)
    if actor is not None and not can_report(actor, current):
        raise PermissionDeniedError(
            _("Only the scholar, their unit or the International Office write the summary.")
        )
    if current.state != LongStayState.RETURNED:
        raise TransitionError(_("The summary is written after the return."))
    ensure_fresh(instance=current, expected_version=expected_version, fields=["summary"])
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": [_("Write the summary.")]})
    current.summary = summary
    bump_version(current)
    _history_user(current, actor)
    current.save(update_fields=["summary", "version"])
    activity_record(target=current, verb="summary", actor=actor, message=lambda: _("Summary submitted"))
    transaction.on_commit(sync_clocks)
    return current


def long_stay_move(
    *, stay: LongStay, actor, move: str, comment: str = "", data: dict | None = None
) -> LongStay:
    """Take a declared move of the stay (``casework.LONG_STAY_TYPE``: sign_agreement, depart, register,
    come_back, accept_summary, cancel) with its date input in ``data``; then the clocks follow.

    Raises ``TransitionError``, ``PermissionDeniedError``, ``ValidationError`` as ``case_move``.
    """
    with transaction.atomic():
        moved = case_move(case=stay, actor=actor, move=move, comment=comment, data=data)
        transaction.on_commit(sync_clocks)
    return moved
