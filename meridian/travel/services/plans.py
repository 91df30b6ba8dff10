"""Writing annual trip plans: create a unit's plan, add and change its lines while it is a draft, submit it to
the office, consolidate it (read-only afterwards) and reopen it.

Each unit has, per year, a general plan (trips abroad and to Taiwan) and a separate plan for Hong Kong and
Macao (``TripPlan.kind``), with lines for administrative delegations and for academic exchange by teaching and
research staff (the design note, "Official travel abroad"; 厅字〔2016〕17号 as applied by universities).
Lines are edited against the plan's version: every change of a line bumps it, and a change based on an older
version is refused (``StaleEditError``). Budgets are in CNY.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.accounts.models import OrgUnit
from meridian.core.activity import activity_record
from meridian.core.errors import DuplicateError, PermissionDeniedError, TransitionError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.travel import permissions
from meridian.travel.choices import DelegationKind, PlanKind, PlanState, Purpose
from meridian.travel.models import TripPlan, TripPlanLine
from meridian.travel.selectors.plans import NOT_USING

LINE_FIELDS = ("category", "purpose", "description", "trip_count", "persons", "days", "budget", "quarter")


def _may_manage(actor, unit_id: int) -> None:
    if actor is not None and not permissions.can_manage_plans(actor, unit_id):
        raise PermissionDeniedError(
            _("Only the unit's coordinators or the International Office manage its plans.")
        )


def _office(actor) -> None:
    if actor is not None and not permissions.is_office(actor):
        raise PermissionDeniedError(_("Only the International Office consolidates or reopens plans."))


def _locked(plan: TripPlan) -> TripPlan:
    return TripPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)


def _history_user(plan: TripPlan, actor) -> None:
    plan._history_user = actor  # type: ignore[attr-defined]


def _save_bumped(plan: TripPlan, actor, fields: list[str]) -> None:
    bump_version(plan)
    _history_user(plan, actor)
    plan.save(update_fields=[*fields, "version"])


def _draft_only(plan: TripPlan) -> None:
    if plan.state != PlanState.DRAFT:
        raise TransitionError(
            _("The plan is “%(state)s”: its lines can be changed only while it is a draft.")
            % {"state": plan.get_state_display()}
        )


@transaction.atomic
def plan_create(*, actor, unit: OrgUnit, year: int, kind: str = PlanKind.GENERAL, note: str = "") -> TripPlan:
    """Create the draft plan of ``unit`` for ``year`` (``kind``: "general" — abroad and Taiwan — or
    "hk_macao"). The unit's coordinators (of the unit or a unit above it) or the office.

    Raises ``PermissionDeniedError``, ``ValidationError`` (year outside 2000–2100, unknown kind),
    ``DuplicateError`` (the unit already has that plan for the year; ``existing`` is it).
    """
    _may_manage(actor, unit.pk)
    if kind not in PlanKind.values:
        raise ValidationError({"kind": [_("Unknown kind of plan.")]})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": [_("Give a year between 2000 and 2100.")]})
    existing = TripPlan.objects.filter(unit=unit, year=year, kind=kind).first()
    if existing is not None:
        raise DuplicateError(
            _("%(unit)s already has this plan for %(year)s.") % {"unit": unit, "year": year},
            existing=existing,
        )
    plan = TripPlan(unit=unit, year=int(year), kind=kind, note=note.strip(), created_by=actor)
    plan.full_clean()
    _history_user(plan, actor)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        existing = TripPlan.objects.get(unit=unit, year=year, kind=kind)
        raise DuplicateError(
            _("%(unit)s already has this plan for %(year)s.") % {"unit": unit, "year": year},
            existing=existing,
        ) from exc
    activity_record(
        target=plan,
        verb="created",
        actor=actor,
        message=lambda: _("Trip plan %(plan)s created") % {"plan": str(plan)},
    )
    return plan


def _clean_line(values: dict[str, Any]) -> dict[str, Any]:
    """Check a line's values; returns them converted. Raises ``ValidationError`` with messages per field."""
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(LINE_FIELDS)
    for name in sorted(unknown):
        errors[name] = [_("Unknown field.")]
    if "category" in values and values["category"] not in DelegationKind.values:
        errors["category"] = [_("Choose administrative delegation or academic exchange.")]
    if "purpose" in values and values["purpose"] not in Purpose.values:
        errors["purpose"] = [_("Choose a purpose from the list.")]
    if "description" in values:
        values["description"] = (values["description"] or "").strip()
        if not values["description"]:
            errors["description"] = [_("Describe the task.")]
    for name in ("trip_count", "persons", "days"):
        if name in values:
            try:
                values[name] = int(values[name])
            except (TypeError, ValueError):
                errors[name] = [_("Give a whole number.")]
                continue
            if not 1 <= values[name] <= 999:
                errors[name] = [_("Give a number between 1 and 999.")]
    if "budget" in values:
        try:
            values["budget"] = Decimal(str(values["budget"] if values["budget"] not in (None, "") else "0"))
        except InvalidOperation:
            errors["budget"] = [_("Give an amount in CNY.")]
        else:
            if values["budget"] < 0:
                errors["budget"] = [_("The budget cannot be negative.")]
    if values.get("quarter") in ("", None):
        values["quarter"] = None
    elif "quarter" in values:
        try:
            values["quarter"] = int(values["quarter"])
        except (TypeError, ValueError):
            values["quarter"] = 0
        if values["quarter"] not in (1, 2, 3, 4):
            errors["quarter"] = [_("The quarter is 1, 2, 3 or 4 (or empty for the whole year).")]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def plan_line_add(
    *,
    plan: TripPlan,
    actor,
    expected_version: int | None = None,
    countries: Iterable | None = None,
    **values: Any,
) -> TripPlanLine:
    """Add a line to a draft plan: ``category`` ("administrative" | "academic"), ``purpose``,
    ``description`` (the task), ``trip_count``, ``persons`` (per trip), ``days`` (per trip, departure and
    arrival days counted), ``budget`` (CNY, whole line), ``quarter`` (1–4 or None) and ``countries``.

    Raises ``PermissionDeniedError``, ``TransitionError`` (the plan is not a draft), ``StaleEditError``
    (the plan changed since ``expected_version``), ``ValidationError`` (bad values).
    """
    current = _locked(plan)
    _may_manage(actor, current.unit_id)
    _draft_only(current)
    ensure_fresh(instance=current, expected_version=expected_version, fields=["note", "state"])
    values = _clean_line(values)
    for required in ("category", "purpose", "description"):
        if required not in values:
            raise ValidationError({required: [_("This field is required.")]})
    line = TripPlanLine(plan=current, **values)
    line.full_clean()
    line.save()
    if countries is not None:
        line.countries.set(list(countries))
    _save_bumped(current, actor, [])
    activity_record(
        target=current,
        verb="line_added",
        actor=actor,
        message=lambda: _("Plan line added: %(line)s") % {"line": line.description},
    )
    return line


@transaction.atomic
def plan_line_update(
    *,
    line: TripPlanLine,
    actor,
    expected_version: int | None = None,
    countries: Iterable | None = None,
    **values: Any,
) -> TripPlanLine:
    """Change a line of a draft plan (only the values given; ``countries`` None leaves them).

    Raises as ``plan_line_add``.
    """
    current = _locked(line.plan)
    _may_manage(actor, current.unit_id)
    _draft_only(current)
    ensure_fresh(instance=current, expected_version=expected_version, fields=["note", "state"])
    values = _clean_line(values)
    row = TripPlanLine.objects.select_for_update().get(pk=line.pk, plan=current)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    if countries is not None:
        row.countries.set(list(countries))
    _save_bumped(current, actor, [])
    activity_record(
        target=current,
        verb="line_updated",
        actor=actor,
        message=lambda: _("Plan line changed: %(line)s") % {"line": row.description},
    )
    return row


@transaction.atomic
def plan_line_delete(*, line: TripPlanLine, actor, expected_version: int | None = None) -> None:
    """Remove a line of a draft plan. A line that trips are matched to (other than cancelled or rejected
    ones) stays: raises ``TransitionError``; otherwise raises as ``plan_line_add``."""
    current = _locked(line.plan)
    _may_manage(actor, current.unit_id)
    _draft_only(current)
    ensure_fresh(instance=current, expected_version=expected_version, fields=["note", "state"])
    row = TripPlanLine.objects.select_for_update().get(pk=line.pk, plan=current)
    if row.trips.exclude(state__in=NOT_USING).exists():
        raise TransitionError(_("Trips are matched to this line; it cannot be removed."))
    description = row.description
    row.delete()
    _save_bumped(current, actor, [])
    activity_record(
        target=current,
        verb="line_deleted",
        actor=actor,
        message=lambda: _("Plan line removed: %(line)s") % {"line": description},
    )


@transaction.atomic
def plan_update(*, plan: TripPlan, actor, expected_version: int | None = None, note: str) -> TripPlan:
    """Change the note of a draft plan. Raises as ``plan_line_add``."""
    current = _locked(plan)
    _may_manage(actor, current.unit_id)
    _draft_only(current)
    ensure_fresh(instance=current, expected_version=expected_version, fields=["note"])
    current.note = (note or "").strip()
    _save_bumped(current, actor, ["note"])
    return current


@transaction.atomic
def plan_submit(*, plan: TripPlan, actor, expected_version: int | None = None) -> TripPlan:
    """Submit a draft plan to the office (draft → submitted); its lines become available for matching trips.

    The unit's coordinators or the office. Raises ``PermissionDeniedError``, ``TransitionError`` (not a
    draft, or no lines), ``StaleEditError``.
    """
    current = _locked(plan)
    _may_manage(actor, current.unit_id)
    if current.state != PlanState.DRAFT:
        raise TransitionError(
            _("Only a draft plan can be submitted; this one is “%(state)s”.")
            % {"state": current.get_state_display()}
        )
    ensure_fresh(instance=current, expected_version=expected_version, fields=["note", "state"])
    if not current.lines.exists():
        raise TransitionError(_("Add at least one line before submitting the plan."))
    current.state = PlanState.SUBMITTED
    current.submitted_at = timezone.now()
    _save_bumped(current, actor, ["state", "submitted_at"])
    activity_record(
        target=current, verb="submitted", actor=actor, message=lambda: _("Trip plan submitted to the office")
    )
    return current


@transaction.atomic
def plan_consolidate(*, plan: TripPlan, actor) -> TripPlan:
    """Consolidate a submitted plan into the university's plan (submitted → consolidated; read-only after).

    The office only. Raises ``PermissionDeniedError``, ``TransitionError`` (not submitted).
    """
    _office(actor)
    current = _locked(plan)
    if current.state != PlanState.SUBMITTED:
        raise TransitionError(
            _("Only a submitted plan can be consolidated; this one is “%(state)s”.")
            % {"state": current.get_state_display()}
        )
    current.state = PlanState.CONSOLIDATED
    current.consolidated_at = timezone.now()
    _save_bumped(current, actor, ["state", "consolidated_at"])
    activity_record(
        target=current, verb="consolidated", actor=actor, message=lambda: _("Trip plan consolidated")
    )
    return current


def plans_consolidate_year(*, year: int, actor) -> int:
    """Consolidate every submitted plan of ``year``; returns how many. The office only."""
    _office(actor)
    count = 0
    for plan in TripPlan.objects.filter(year=year, state=PlanState.SUBMITTED).order_by("pk"):
        plan_consolidate(plan=plan, actor=actor)
        count += 1
    return count


@transaction.atomic
def plan_reopen(*, plan: TripPlan, actor, comment: str = "") -> TripPlan:
    """Send a submitted or consolidated plan back to draft so that the unit can change it. The office only.

    Trips already matched to its lines keep their match. Raises ``PermissionDeniedError``,
    ``TransitionError`` (already a draft).
    """
    _office(actor)
    current = _locked(plan)
    if current.state == PlanState.DRAFT:
        raise TransitionError(_("The plan is already a draft."))
    current.state = PlanState.DRAFT
    current.consolidated_at = None
    _save_bumped(current, actor, ["state", "consolidated_at"])
    activity_record(
        target=current,
        verb="reopened",
        actor=actor,
        comment=comment,
        message=lambda: _("Trip plan reopened for changes"),
    )
    return current
