"""The hosting-standards table (外宾接待标准): the caps in CNY that visit budgets are checked against
(``visitors.rules.budget_standards``). A row caps one budget kind per guest per day, per guest for the visit,
or per visit, optionally only for guests of one standing, from ``valid_from`` until ``valid_until`` (empty:
open-ended). Only the International Office writes the table; every change is kept in its history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import FieldChange, PermissionDeniedError
from meridian.visitors.choices import BudgetKind, GuestRank, StandardBasis
from meridian.visitors.models import HostingStandard

FIELDS = ("kind", "rank", "basis", "cap", "valid_from", "valid_until", "note")
DEFAULTS_FROM = date(2020, 1, 1)

# The default table (CNY), installed when the table is empty: (kind, rank ("" = every guest), basis, cap).
# Figures typical of Chinese universities' foreign-affairs hosting rules, to be adjusted to the university's
# own standards: accommodation per guest per night, meals per guest per day, gifts and honoraria per guest,
# local transport per visit.
DEFAULT_TABLE: tuple[tuple[str, str, str, Decimal], ...] = (
    (BudgetKind.ACCOMMODATION, "", StandardBasis.PER_PERSON_DAY, Decimal("500")),
    (BudgetKind.ACCOMMODATION, GuestRank.VICE_MINISTER, StandardBasis.PER_PERSON_DAY, Decimal("800")),
    (BudgetKind.ACCOMMODATION, GuestRank.MINISTER, StandardBasis.PER_PERSON_DAY, Decimal("1000")),
    (BudgetKind.MEALS, "", StandardBasis.PER_PERSON_DAY, Decimal("300")),
    (BudgetKind.MEALS, GuestRank.VICE_MINISTER, StandardBasis.PER_PERSON_DAY, Decimal("450")),
    (BudgetKind.MEALS, GuestRank.MINISTER, StandardBasis.PER_PERSON_DAY, Decimal("600")),
    (BudgetKind.GIFTS, "", StandardBasis.PER_PERSON, Decimal("300")),
    (BudgetKind.GIFTS, GuestRank.VICE_MINISTER, StandardBasis.PER_PERSON, Decimal("600")),
    (BudgetKind.GIFTS, GuestRank.MINISTER, StandardBasis.PER_PERSON, Decimal("800")),
    (BudgetKind.HONORARIA, "", StandardBasis.PER_PERSON, Decimal("3000")),
    (BudgetKind.HONORARIA, GuestRank.PROFESSOR, StandardBasis.PER_PERSON, Decimal("5000")),
    (BudgetKind.TRANSPORT, "", StandardBasis.PER_VISIT, Decimal("5000")),
)


def _require_office(actor: Any) -> None:
    from meridian.visitors.permissions import can_manage_standards

    if actor is not None and not can_manage_standards(actor):
        raise PermissionDeniedError(_("Only the International Office changes the hosting standards."))


def _overlapping(row: HostingStandard) -> HostingStandard | None:
    """Another row for the same kind, standing and basis whose validity meets ``row``'s."""
    others = HostingStandard.objects.filter(kind=row.kind, rank=row.rank or "", basis=row.basis)
    if row.pk is not None:
        others = others.exclude(pk=row.pk)
    if row.valid_until is not None:
        others = others.filter(valid_from__lte=row.valid_until)
    others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=row.valid_from))
    return others.order_by("valid_from").first()


def _validate(row: HostingStandard) -> None:
    errors: dict[str, list[str]] = {}
    if row.cap is not None and Decimal(row.cap) <= 0:
        errors["cap"] = [_("A cap is more than zero.")]
    if row.valid_from and row.valid_until and row.valid_until < row.valid_from:
        errors["valid_until"] = [_("The end of validity cannot be before its start.")]
    if errors:
        raise ValidationError(errors)
    row.full_clean()
    clash = _overlapping(row)
    if clash is not None:
        raise ValidationError(
            {
                "valid_from": [
                    _(
                        "A row for the same budget line, standing and count is valid then already "
                        "(from %(start)s until %(end)s): end that row first or choose other dates."
                    )
                    % {
                        "start": clash.valid_from.isoformat(),
                        "end": clash.valid_until.isoformat() if clash.valid_until else _("open-ended"),
                    }
                ]
            }
        )


@transaction.atomic
def standard_save(*, actor: Any, standard: HostingStandard | None = None, **fields: Any) -> HostingStandard:
    """Create or change a row of the hosting-standards table and return it.

    ``fields``: ``kind`` (BudgetKind), ``rank`` (GuestRank or "" for every guest), ``basis`` (StandardBasis),
    ``cap`` (CNY, more than zero), ``valid_from`` (date), ``valid_until`` (date ≥ valid_from, or None:
    open-ended), ``note``. Raises ``PermissionDeniedError`` (not the office) and ``ValidationError`` by field
    (cap not more than zero, validity ending before it starts, a row for the same kind, standing and basis
    valid on some of the same days); nothing is stored then.
    """
    _require_office(actor)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    row = standard if standard is not None else HostingStandard()
    if row.pk is not None:
        row = HostingStandard.objects.select_for_update().get(pk=row.pk)
    created = row.pk is None
    for name, value in fields.items():
        setattr(row, name, value)
    row.rank = row.rank or ""
    row.note = (row.note or "").strip()
    _validate(row)
    row.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    row._history_user = row.updated_by  # type: ignore[attr-defined]
    row.save()
    activity_record(
        target=row,
        verb="created" if created else "changed",
        actor=actor,
        message=lambda: (
            (_("Hosting standard added: %(row)s") if created else _("Hosting standard changed: %(row)s"))
            % {"row": describe(row)}
        ),
    )
    return row


@transaction.atomic
def standard_delete(*, actor: Any, standard: HostingStandard) -> None:
    """Delete a row (kept in the table's history). Raises ``PermissionDeniedError``."""
    _require_office(actor)
    standard._history_user = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[attr-defined]
    activity_record(
        target=standard,
        verb="deleted",
        actor=actor,
        message=lambda: _("Hosting standard deleted: %(row)s") % {"row": describe(standard)},
    )
    standard.delete()


@transaction.atomic
def standards_install_defaults(*, actor: Any = None) -> int:
    """Fill an empty hosting-standards table with ``DEFAULT_TABLE`` (valid from 2020-01-01, open-ended) and
    return the number of rows created; a table that has rows is left alone (0). The figures are defaults to
    adjust to the university's own standards. ``actor`` None is the system (the demo data); a user must be
    the office (``PermissionDeniedError``)."""
    _require_office(actor)
    # Lock the table's rows so that two offices pressing the button at once do not both install.
    if list(HostingStandard.objects.select_for_update().values_list("pk", flat=True)[:1]):
        return 0
    user = actor if getattr(actor, "is_authenticated", False) else None
    for kind, rank, basis, cap in DEFAULT_TABLE:
        row = HostingStandard(
            kind=kind,
            rank=rank,
            basis=basis,
            cap=cap,
            valid_from=DEFAULTS_FROM,
            note=_("Default figure: adjust to the university's own standards."),
            updated_by=user,
        )
        row._history_user = user  # type: ignore[attr-defined]
        row.save()
    return len(DEFAULT_TABLE)


# --- reading -------------------------------------------------------------------------------------------


def describe(row: Any) -> str:
    """A row in one line, in the active language: "Meals, per guest per day, 300.00 CNY (every guest),
    2020-01-01 – open-ended"."""
    rank = dict(GuestRank.choices).get(row.rank, row.rank) if row.rank else _("every guest")
    return _("%(kind)s, %(basis)s, %(cap)s CNY (%(rank)s), %(start)s – %(end)s") % {
        "kind": dict(BudgetKind.choices).get(row.kind, row.kind),
        "basis": dict(StandardBasis.choices).get(row.basis, row.basis),
        "cap": row.cap,
        "rank": rank,
        "start": row.valid_from.isoformat() if row.valid_from else "—",
        "end": row.valid_until.isoformat() if row.valid_until else _("open-ended"),
    }


@dataclass
class StandardChange:
    when: datetime
    who: str
    action: str
    row: str
    changes: list[FieldChange] = field(default_factory=list)


_TRACKED = ("kind", "rank", "basis", "cap", "valid_from", "valid_until", "note")


def _display(record: Any, name: str) -> str:
    value = getattr(record, name)
    if value in (None, ""):
        return ""
    choices = {"kind": BudgetKind, "rank": GuestRank, "basis": StandardBasis}.get(name)
    if choices is not None:
        return str(dict(choices.choices).get(value, value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def standards_history(*, limit: int = 100) -> list[StandardChange]:
    """The table's changes, newest first (rows created, changed, deleted), each with who, when, the row and
    the fields that changed against the row's previous version. Reads the whole history once (the table is
    small)."""
    records = list(
        HostingStandard.history.select_related("history_user").order_by("history_date", "history_id")
    )
    previous: dict[int, Any] = {}
    labels = {"+": _("added"), "~": _("changed"), "-": _("deleted")}
    entries: list[StandardChange] = []
    for record in records:
        before = previous.get(record.id)
        changes: list[FieldChange] = []
        if before is not None and record.history_type == "~":
            for name in _TRACKED:
                old, new = _display(before, name), _display(record, name)
                if old != new:
                    label = str(getattr(HostingStandard._meta.get_field(name), "verbose_name", name))
                    changes.append(FieldChange(field=name, label=label, before=old, after=new))
        previous[record.id] = record
        if record.history_type == "~" and not changes and before is not None:
            continue  # saved without a visible change
        entries.append(
            StandardChange(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "",
                action=str(labels.get(record.history_type, labels["~"])),
                row=describe(record),
                changes=changes,
            )
        )
    entries.reverse()
    return entries[:limit]
