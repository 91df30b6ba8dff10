"""Writing visits: file and edit a visit (guests, day-by-day programme, budget, links and the written
justifications its rules ask for), its files, the visit note that closes it, and the office's referral to a
university leader. Moves of the lifecycle go through the workflow engine (``casework.VISIT_TYPE``); a single
justification is changed with ``services.rule_justifications.visit_justification_save``.

Money is in CNY; dates are local calendar dates; the "days" of a visit count the arrival and the departure
day. Every service validates before it writes and runs in one transaction: bad input stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.people.choices import PersonKind
from meridian.people.models import Person, Purpose
from meridian.visitors import permissions
from meridian.visitors.choices import (
    BudgetKind,
    GuestRank,
    ProgrammeKind,
    VisitFileKind,
    VisitState,
)
from meridian.visitors.models import ProgrammeItem, Visit, VisitBudgetLine, VisitFile, VisitGuest
from meridian.workflow.files import JPEG, PNG, checked_file
from meridian.workflow.services import case_move

NUMBER_PREFIX = "VIS"
# Fields of Visit the filing form edits (the stale-edit message compares these and ``escalated``).
EDITABLE_FIELDS = [
    "title",
    "category",
    "purpose",
    "host_unit",
    "host",
    "arrive_on",
    "depart_on",
    "guest_partner",
    "guest_institution",
    "guest_organisation",
    "guest_country",
    "reception_level",
    "reception_leader",
    "invitation_kind",
    "accommodation",
    "accommodation_address",
    "reciprocal",
    "projects",
    "funding_note",
    "justifications",
]
COMPARED_FIELDS = [*EDITABLE_FIELDS, "escalated"]
# Keys a new guest's person record may be created with (``people.services.person_create`` fields).
NEW_PERSON_FIELDS = ("family_name", "given_name", "name_zh", "gender", "nationality", "email")
# The people purpose guests' data is collected for (retention: people migration 0002).
VISIT_PURPOSE = "visit"
TERMINAL_STATES = (VisitState.CLOSED, VisitState.REJECTED, VisitState.CANCELLED)
PHOTO_TYPES = (PNG, JPEG)

# Longest free texts, in characters. Longer input is refused with a message, never cut: the form refuses it
# first, the services again (the API writes through them). Short fields follow their model field.
MAX_PURPOSE = 5_000
MAX_OUTCOMES = 10_000
MAX_FOLLOW_UP = 10_000
MAX_JUSTIFICATION = 2_000  # as ``services.rule_justifications.MAX_LENGTH``
MAX_COMMENT = 500
MAX_CAPTION = 300
MAX_POSITION = 200
MAX_PROGRAMME = {"title": 300, "place": 200, "participants": 300}
MAX_DESCRIPTION = 300


def length_errors(value: Any, limit: int) -> list[str]:
    """Django's own "at most N characters (it has M)" message for a text longer than ``limit`` characters,
    else []."""
    try:
        MaxLengthValidator(limit)(str(value or ""))
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _check_length(name: str, value: Any, limit: int) -> None:
    """Raise ``ValidationError`` on ``name`` when ``value`` is longer than ``limit`` characters."""
    errors = length_errors(value, limit)
    if errors:
        raise ValidationError({name: errors})


def _part_errors(part: str, label: Any, value: Any, limit: int) -> list[str]:
    """Length errors of one field of a row (a guest, a programme item, a budget line), named."""
    return [
        _("%(part)s, %(field)s: %(message)s") % {"part": part, "field": label, "message": message}
        for message in length_errors(value, limit)
    ]


def visit_number_next(*, year: int) -> str:
    """The next free visit number, ``VIS-<year>-<4-digit sequence>`` (year of arrival)."""
    prefix = f"{NUMBER_PREFIX}-{year}-"
    highest = 0
    for number in Visit.objects.filter(number__startswith=prefix).values_list("number", flat=True):
        tail = number[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


def _history_user(visit: Visit, actor) -> None:
    visit._history_user = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[attr-defined]


# --- checks -------------------------------------------------------------------------------------------------


def _apply(visit: Visit, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS and name.removesuffix("_id") not in EDITABLE_FIELDS:
            raise ValidationError({name: [_("Unknown field.")]})
        setattr(visit, name, value)
    visit.guest_organisation = (visit.guest_organisation or "").strip()
    visit.title = (visit.title or "").strip()


def _check_fields(visit: Visit) -> None:
    """Dates in order, the guests' organisation named, and the model's own validation; every problem at
    once, per field."""
    errors: dict[str, list[str]] = {}
    if visit.arrive_on and visit.depart_on and visit.depart_on < visit.arrive_on:
        errors["depart_on"] = [_("The departure date lies before the arrival date.")]
    if not (visit.guest_partner_id or visit.guest_institution_id or visit.guest_organisation):
        errors["guest_organisation"] = [
            _("Name the guests' organisation: pick a partner or a registry institution, or type its name.")
        ]
    if length_errors(visit.purpose, MAX_PURPOSE):
        errors["purpose"] = length_errors(visit.purpose, MAX_PURPOSE)
    for code, text in (visit.justifications or {}).items():
        for message in length_errors(text, MAX_JUSTIFICATION):
            errors.setdefault("justifications", []).append(
                _("Justification “%(code)s”: %(message)s") % {"code": code, "message": message}
            )
    try:
        visit.full_clean(exclude=["number"] if not visit.number else None, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)


def _check_unit(actor, visit: Visit) -> None:
    """The office and the host unit's secretaries file for anyone of the unit; anyone else only as the host
    themselves, for a unit they belong to. Raises ``PermissionDeniedError``."""
    if actor is None:
        return
    if permissions.acts_for_unit(actor, visit.host_unit_id):
        return
    if visit.host_id != actor.pk:
        raise PermissionDeniedError(_("You may file visits only as their host or for your units' hosts."))
    from meridian.accounts.choices import Role
    from meridian.accounts.permissions import standing

    if visit.host_unit_id not in standing(actor).units(*Role.values):
        raise PermissionDeniedError(_("You may file visits only for a unit you belong to."))


def _check_host(visit: Visit) -> None:
    from meridian.accounts.permissions import is_internal

    if visit.host_id and not (visit.host.is_active and is_internal(visit.host)):
        raise ValidationError({"host": [_("The host must be an active member of the university's staff.")]})


def justifiable_codes(visit: Visit | None = None) -> set[str]:
    """Codes of the visitors rules whose severity asks for a written justification: as the current rule set
    configures them, and as the visit's last stored check found them (a rule may ask for one case by case).
    Empty while the rule pack (``visitors.rules``) is not installed."""
    codes: set[str] = set()
    if visit is not None:
        codes |= {r.get("code", "") for r in (visit.rule_results or []) if r.get("severity") == "justify"}
    try:
        from meridian.visitors import rules
    except ImportError:
        return codes
    from meridian.workflow.choices import RuleSeverity
    from meridian.workflow.rulepack import rule_packs, ruleset_current

    context = getattr(rules, "CONTEXT", "visitors")
    if context not in rule_packs:
        return codes
    codes |= {r.code for r in ruleset_current(context) if r.severity == RuleSeverity.JUSTIFY}
    return codes


def _clean_justifications(visit: Visit, value: Any, stored: dict[str, str] | None = None) -> dict[str, str]:
    """``{rule code: text}`` without empty texts. A new or changed text for a rule that asks for no
    justification is refused (``ValidationError`` on ``justifications``); texts already ``stored`` unchanged
    are kept as they are (the rule set may have changed since)."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"justifications": [_("Justifications are given per rule.")]})
    cleaned = {str(k): str(v).strip() for k, v in value.items() if str(v or "").strip()}
    stored = stored or {}
    changed = {code for code, text in cleaned.items() if stored.get(code) != text}
    unknown = sorted(changed - justifiable_codes(visit))
    if unknown:
        raise ValidationError(
            {
                "justifications": [
                    _("No rule asks for a justification under the code %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                ]
            }
        )
    return cleaned


# --- guests -------------------------------------------------------------------------------------------------


def _row_label(index: int) -> str:
    return _("Guest %(n)s") % {"n": index + 1}


def _check_guest_rows(rows: list[dict[str, Any]]) -> None:
    """Each row names an existing person or a new guest (family name at least); nobody twice; at most one
    head; known standing. Raises ``ValidationError`` on ``guests`` listing every problem."""
    errors: list[str] = []
    seen: set[int] = set()
    for i, row in enumerate(rows):
        person, new = row.get("person"), row.get("new_person")
        if person is None and not (new and str(new.get("family_name") or "").strip()):
            errors.append(
                _("%(row)s: choose a person on record or give the new guest's family name.")
                % {"row": _row_label(i)}
            )
        if person is not None:
            if person.pk in seen:
                errors.append(_("%(person)s is listed twice.") % {"person": person})
            seen.add(person.pk)
            if person.purged_at is not None:
                errors.append(
                    _("%(row)s: this person's data was erased; record the guest anew.")
                    % {"row": _row_label(i)}
                )
        if (row.get("rank") or GuestRank.OTHER) not in GuestRank.values:
            errors.append(_("%(row)s: unknown standing.") % {"row": _row_label(i)})
        errors += _part_errors(
            _row_label(i), _("Position or title"), str(row.get("position") or "").strip(), MAX_POSITION
        )
    if sum(1 for row in rows if row.get("is_head")) > 1:
        errors.append(_("A delegation has one head."))
    if errors:
        raise ValidationError({"guests": errors})


def guest_duplicates(visit: Visit | None, new: dict[str, Any], actor) -> list[Person]:
    """Guests on record that the ``new`` guest (``new_person`` dict) probably is, among those ``actor`` may
    name (``selectors.visits.guest_matches``): same Latin names, and same Chinese name, nationality (the
    visit's guest country when none is given) and birth date where both are known."""
    from meridian.visitors.selectors.visits import guest_matches

    nationality: Any = new.get("nationality") or (visit.guest_country if visit is not None else None)
    return guest_matches(
        user=actor,
        family_name=str(new.get("family_name") or ""),
        given_name=str(new.get("given_name") or ""),
        name_zh=str(new.get("name_zh") or ""),
        nationality_id=getattr(nationality, "pk", nationality) or None,
        birth_date=new.get("birth_date"),
        visit=visit if visit is not None and visit.pk else None,
    )


def duplicate_message(row: str, found: list[Person]) -> str:
    """What a row that would duplicate guests on record says (``found``: ``guest_duplicates``)."""
    names = "; ".join(
        f"{person.latin_name} · {person.nationality.name}" if person.nationality else person.latin_name
        for person in found
    )
    return _(
        "%(row)s: a guest of this name is on record already (%(names)s). Choose them as the person on "
        "record, or confirm that this is a different person to create a new record."
    ) % {"row": row, "names": names}


def _guest_person(visit: Visit, row: dict[str, Any], index: int, actor) -> Person:
    """The row's person: the chosen record, or a new guest record made through the people services.

    A new guest whose name matches guests on record (``guest_duplicates``) is refused unless the row says
    ``new_person["allow_duplicate"]`` (the user confirmed that it is a different person): returning guests
    keep one record. The visit's own permission check stands for the people check (a host files guests, who
    belong to no unit), so the record is created by the system; the purpose "visit" ends with the departure
    date.
    """
    if row.get("person") is not None:
        return row["person"]
    from meridian.people.services import person_create

    new = row["new_person"]
    if not new.get("allow_duplicate"):
        found = guest_duplicates(visit, new, actor)
        if found:
            raise ValidationError({"guests": [duplicate_message(_row_label(index), found)]})
    fields = {k: new[k] for k in NEW_PERSON_FIELDS if new.get(k) not in (None, "")}
    if "nationality" not in fields and visit.guest_country_id:
        fields["nationality"] = visit.guest_country
    purposes = list(Purpose.objects.filter(code=VISIT_PURPOSE))
    try:
        return person_create(
            actor=None, kind=PersonKind.GUEST, purposes=purposes, purpose_ends_on=visit.depart_on, **fields
        )
    except DuplicateError as exc:
        raise ValidationError({"guests": [f"{_row_label(index)}: {exc.message}"]}) from exc
    except ValidationError as exc:
        messages = [f"{_row_label(index)}: {m}" for m in exc.messages]
        raise ValidationError({"guests": messages}) from exc


def _delete_guest(guest: VisitGuest) -> None:
    for record in guest.files.all():
        record.file.delete(save=False)
    guest.delete()


def _set_guests(visit: Visit, rows: list[dict[str, Any]], actor) -> None:
    """Make the visit's guests exactly ``rows`` (in order). A guest kept keeps what they entered through
    their self-service link; a guest left out is removed with their files."""
    _check_guest_rows(rows)
    current = {g.person_id: g for g in visit.guests.all()}
    kept: set[int] = set()
    for i, row in enumerate(rows):
        person = _guest_person(visit, row, i, actor)
        guest = current.get(person.pk) or VisitGuest(visit=visit, person=person)
        guest.is_head = bool(row.get("is_head"))
        guest.rank = row.get("rank") or GuestRank.OTHER
        guest.position = str(row.get("position") or "").strip()
        guest.order = i
        guest.save()
        kept.add(person.pk)
    for person_id, guest in current.items():
        if person_id not in kept:
            _delete_guest(guest)


# --- programme and budget -----------------------------------------------------------------------------------


def _set_programme(visit: Visit, items: list[dict[str, Any]]) -> None:
    """Replace the programme: dicts with ``day`` (date), ``kind``, ``title`` and optional ``starts_at``,
    ``ends_at`` (times), ``place``, ``participants``. Every day lies within arrival..departure."""
    errors = []
    labels = {
        "title": pgettext("programme item", "Activity"),
        "place": _("Place"),
        "participants": _("Our participants"),
    }
    for n, item in enumerate(items, start=1):
        day = item.get("day")
        if day is None or not (visit.arrive_on <= day <= visit.depart_on):
            errors.append(
                _("%(day)s lies outside the visit's dates (%(start)s to %(end)s).")
                % {
                    "day": day.isoformat() if day else "—",
                    "start": visit.arrive_on.isoformat(),
                    "end": visit.depart_on.isoformat(),
                }
            )
        if item.get("kind") not in ProgrammeKind.values:
            errors.append(_("Choose the kind of each programme item."))
        if not str(item.get("title") or "").strip():
            errors.append(_("Describe each programme item."))
        starts, ends = item.get("starts_at"), item.get("ends_at")
        if starts and ends and ends < starts:
            errors.append(
                _("On %(day)s an item ends before it starts.") % {"day": day.isoformat() if day else "—"}
            )
        part = _("Programme item %(n)s") % {"n": n}
        for name, limit in MAX_PROGRAMME.items():
            errors += _part_errors(part, labels[name], str(item.get(name) or "").strip(), limit)
    if errors:
        raise ValidationError({"programme": list(dict.fromkeys(errors))})
    visit.programme.all().delete()
    ProgrammeItem.objects.bulk_create(
        [
            ProgrammeItem(
                visit=visit,
                day=item["day"],
                starts_at=item.get("starts_at"),
                ends_at=item.get("ends_at"),
                kind=item["kind"],
                title=str(item["title"]).strip(),
                place=str(item.get("place") or "").strip(),
                participants=str(item.get("participants") or "").strip(),
            )
            for item in sorted(
                items, key=lambda i: (i["day"], i.get("starts_at") is None, i.get("starts_at"))
            )
        ]
    )


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({"budget": [_("“%(value)s” is not an amount.") % {"value": value}]}) from exc


def _count(value: Any) -> int:
    """Persons or days of a budget line: 1 when not given."""
    if value in (None, ""):
        return 1
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"budget": [_("“%(value)s” is not a number.") % {"value": value}]}) from exc


def _set_budget(visit: Visit, lines: list[dict[str, Any]]) -> None:
    """Replace the budget: dicts with ``kind``, ``amount`` (CNY, the line's total) and optional ``persons``,
    ``days`` (days or nights, at least 1), ``description``."""
    errors = []
    for n, line in enumerate(lines, start=1):
        part = _("Budget line %(n)s") % {"n": n}
        errors += _part_errors(
            part, _("Description"), str(line.get("description") or "").strip(), MAX_DESCRIPTION
        )
        if line.get("kind") not in BudgetKind.values:
            errors.append(_("Choose the kind of each budget line."))
        if _amount(line.get("amount")) < 0:
            errors.append(_("Budget amounts cannot be negative."))
        for name in ("persons", "days"):
            if _count(line.get(name)) < 1:
                errors.append(_("Persons and days are at least 1."))
    if errors:
        raise ValidationError({"budget": list(dict.fromkeys(errors))})
    visit.budget_lines.all().delete()
    VisitBudgetLine.objects.bulk_create(
        [
            VisitBudgetLine(
                visit=visit,
                kind=line["kind"],
                amount=_amount(line["amount"]),
                persons=_count(line.get("persons")),
                days=_count(line.get("days")),
                description=str(line.get("description") or "").strip(),
            )
            for line in lines
        ]
    )


def _after_children(
    visit: Visit,
    actor,
    *,
    guests: list[dict] | None,
    programme: list[dict] | None,
    budget: list[dict] | None,
    agreements: Iterable | None,
) -> None:
    if guests is not None:
        _set_guests(visit, guests, actor)
    if programme is not None:
        _set_programme(visit, programme)
    elif visit.programme.exclude(day__range=(visit.arrive_on, visit.depart_on)).exists():
        raise ValidationError(
            {"programme": [_("Programme items lie outside the new dates: move them or remove them.")]}
        )
    if budget is not None:
        _set_budget(visit, budget)
    if agreements is not None:
        visit.agreements.set(list(agreements))


def _recheck(visit: Visit) -> None:
    """Store a fresh rule check while the visit is a draft (``visitors.rules.visit_check``); from submission
    on, the stored results are those it was submitted with. Skipped while the rule pack is not installed."""
    if visit.state != VisitState.DRAFT:
        return
    try:
        from meridian.visitors.rules import visit_check
    except ImportError:
        return
    visit_check(visit=visit, save=True)


# --- create and update --------------------------------------------------------------------------------------


@transaction.atomic
def visit_create(
    *,
    actor,
    guests: list[dict] | None = None,
    programme: list[dict] | None = None,
    budget: list[dict] | None = None,
    agreements: Iterable | None = None,
    **fields: Any,
) -> Visit:
    """File a draft visit; returns it with its number (``VIS-<arrival year>-NNNN``) and first rule check.

    ``fields`` are Visit fields (``EDITABLE_FIELDS``); ``host`` defaults to ``actor``. ``guests`` are dicts
    ``{"person": Person | None, "new_person": {family_name, given_name, name_zh, gender, nationality, email,
    allow_duplicate} | None, "is_head": bool, "rank": GuestRank, "position": str}`` (a new guest matching a
    guest on record is refused unless ``allow_duplicate``: see ``_guest_person``); ``programme`` and
    ``budget`` see ``_set_programme`` and ``_set_budget``. Texts longer than their limit (``MAX_PURPOSE``,
    the model fields' lengths, ``MAX_PROGRAMME``…) are refused, never cut. Raises ``PermissionDeniedError``
    (may not file, or not for that unit), ``ValidationError`` per field or on ``guests``/``programme``/
    ``budget``.
    """
    if actor is not None and not permissions.can_create_visit(actor):
        raise PermissionDeniedError(_("You may not file visits."))
    fields.setdefault("host", actor)
    visit = Visit()
    _apply(visit, fields)
    visit.justifications = _clean_justifications(visit, visit.justifications)
    if actor is not None:
        visit.created_by = actor
    _check_unit(actor, visit)
    _check_fields(visit)
    _check_host(visit)
    visit.number = visit_number_next(year=visit.arrive_on.year)
    _history_user(visit, actor)
    for attempt in range(5):
        try:
            with transaction.atomic():
                visit.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
            visit.pk = None
            visit.number = visit_number_next(year=visit.arrive_on.year)
    _after_children(visit, actor, guests=guests, programme=programme, budget=budget, agreements=agreements)
    _recheck(visit)
    activity_record(
        target=visit,
        verb="created",
        actor=actor,
        message=lambda: _("Visit %(number)s filed") % {"number": visit.number},
    )
    return visit


@transaction.atomic
def visit_update(
    *,
    visit: Visit,
    actor,
    expected_version: int | None = None,
    guests: list[dict] | None = None,
    programme: list[dict] | None = None,
    budget: list[dict] | None = None,
    agreements: Iterable | None = None,
    **fields: Any,
) -> Visit:
    """Change a draft visit (``None`` for a list leaves it as it is); re-runs the rule check.

    A save based on an older ``expected_version`` raises ``StaleEditError`` listing what changed meanwhile
    (nothing is overwritten). Raises ``PermissionDeniedError`` when the visit is no longer a draft or the
    actor may not edit it; ``ValidationError`` as ``visit_create``.
    """
    current = Visit.objects.select_for_update().get(pk=visit.pk)
    if actor is not None and not permissions.can_edit_visit(actor, current):
        raise PermissionDeniedError(
            _("Only a draft visit can be edited, by its host, the host unit or the office.")
        )
    ensure_fresh(instance=current, expected_version=expected_version, fields=COMPARED_FIELDS)
    stored = dict(current.justifications or {})
    _apply(current, fields)
    if "justifications" in fields:
        current.justifications = _clean_justifications(current, current.justifications, stored)
    _check_unit(actor, current)
    _check_fields(current)
    _check_host(current)
    bump_version(current)
    _history_user(current, actor)
    current.save()
    _after_children(current, actor, guests=guests, programme=programme, budget=budget, agreements=agreements)
    _recheck(current)
    activity_record(
        target=current,
        verb="updated",
        actor=actor,
        message=lambda: _("Visit %(number)s updated") % {"number": current.number},
    )
    return current


def _editable(visit: Visit, actor) -> Visit:
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    if actor is not None and not permissions.can_edit_visit(actor, locked):
        raise PermissionDeniedError(
            _("Only a draft visit can be edited, by its host, the host unit or the office.")
        )
    return locked


@transaction.atomic
def visit_guests_set(*, visit: Visit, actor, guests: list[dict[str, Any]]) -> list[VisitGuest]:
    """Make the draft visit's guests exactly ``guests`` (dicts as in ``visit_create``); returns them in
    order. Raises ``PermissionDeniedError``, ``ValidationError`` on ``guests``."""
    locked = _editable(visit, actor)
    _set_guests(locked, guests, actor)
    _recheck(locked)
    return list(locked.guests.select_related("person"))


@transaction.atomic
def visit_guest_add(
    *,
    visit: Visit,
    actor,
    person: Person | None = None,
    new_person: dict[str, Any] | None = None,
    is_head: bool = False,
    rank: str = GuestRank.OTHER,
    position: str = "",
) -> VisitGuest:
    """Add one guest to a draft visit: an existing ``person`` or a ``new_person`` (created as a guest
    record). Raises ``PermissionDeniedError``, ``ValidationError`` (listed twice, a second head, no name)."""
    locked = _editable(visit, actor)
    rows = [
        {"person": g.person, "is_head": g.is_head, "rank": g.rank, "position": g.position}
        for g in locked.guests.select_related("person")
    ]
    rows.append(
        {"person": person, "new_person": new_person, "is_head": is_head, "rank": rank, "position": position}
    )
    _set_guests(locked, rows, actor)
    _recheck(locked)
    return locked.guests.select_related("person").order_by("-order", "-id").first()  # type: ignore[return-value]


@transaction.atomic
def visit_guest_remove(*, guest: VisitGuest, actor) -> None:
    """Remove a guest (and the files they uploaded) from a draft visit. Raises ``PermissionDeniedError``."""
    locked = _editable(guest.visit, actor)
    _delete_guest(guest)
    for i, other in enumerate(locked.guests.all()):
        if other.order != i:
            other.order = i
            other.save(update_fields=["order"])
    _recheck(locked)


# --- files --------------------------------------------------------------------------------------------------


def _store_file(visit: Visit, actor, kind: str, content, name: str, content_type: str, size, digest, caption):
    record = VisitFile(
        visit=visit,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        caption=(caption or "").strip(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record.file.save(name, content, save=False)
    record.save()
    return record


def visit_file_add(*, visit: Visit, actor, kind: str, uploaded: UploadedFile, caption: str = "") -> VisitFile:
    """Attach a file to the visit, kept in private storage. The type is read from the bytes (PDF, Word,
    Excel, PNG, JPEG; photos only PNG or JPEG), the size limited to ``MAX_UPLOAD_MB``.

    Who: ``permissions.can_add_visit_file``. Raises ``PermissionDeniedError``, ``ValidationError`` (unknown
    kind), ``DomainError`` (a refused file: nothing is stored).
    """
    if kind not in VisitFileKind.values:
        raise ValidationError({"kind": [_("Unknown kind of file.")]})
    _check_length("caption", (caption or "").strip(), MAX_CAPTION)
    if actor is not None and not permissions.can_add_visit_file(actor, visit):
        raise PermissionDeniedError(_("You may not add files to this visit now."))
    content, name, content_type, size, digest = checked_file(uploaded)
    if kind == VisitFileKind.PHOTO and content_type not in PHOTO_TYPES:
        raise DomainError(
            _("The file %(name)s is not a photo (PNG or JPEG).") % {"name": uploaded.name},
            code="invalid_file",
        )
    with transaction.atomic():
        return _store_file(visit, actor, kind, content, name, content_type, size, digest, caption)


def visit_file_delete(*, file: VisitFile, actor) -> None:
    """Remove a file (``permissions.can_delete_visit_file``); raises ``PermissionDeniedError`` otherwise."""
    if actor is not None and not permissions.can_delete_visit_file(actor, file):
        raise PermissionDeniedError(_("You may not remove this file."))
    file.file.delete(save=False)
    file.delete()


# --- the visit note and the referral ------------------------------------------------------------------------


def visit_note_submit(
    *,
    visit: Visit,
    actor,
    outcomes: str,
    follow_up: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Visit:
    """Write (or correct) the visit note once the guests have left (state "hosted"): the outcomes, the
    follow-up and photos (PNG or JPEG, kept as visit files of kind photo). Sets ``note_submitted_at``; the
    "close" move needs it, and the outcomes show on the partner page.

    Raises ``PermissionDeniedError`` (not the host, the host unit or the office), ``DomainError`` (another
    state; a refused photo), ``ValidationError`` (no outcomes; outcomes or follow-up longer than
    ``MAX_OUTCOMES``/``MAX_FOLLOW_UP`` characters, refused, never cut). A refused input stores nothing.
    """
    if actor is not None and not permissions.can_write_visit_note(actor, visit):
        raise PermissionDeniedError(_("Only the host, the host unit or the office writes the visit note."))
    outcomes, follow_up = (outcomes or "").strip(), (follow_up or "").strip()
    if not outcomes:
        raise ValidationError({"outcomes": [_("Describe the outcomes of the visit.")]})
    errors = {
        name: length_errors(text, limit)
        for name, text, limit in (
            ("outcomes", outcomes, MAX_OUTCOMES),
            ("follow_up", follow_up, MAX_FOLLOW_UP),
        )
        if length_errors(text, limit)
    }
    if errors:
        raise ValidationError(errors)
    checked = []
    for photo in photos:
        content, name, content_type, size, digest = checked_file(photo)
        if content_type not in PHOTO_TYPES:
            raise DomainError(
                _("The file %(name)s is not a photo (PNG or JPEG).") % {"name": photo.name},
                code="invalid_file",
            )
        checked.append((content, name, content_type, size, digest))
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.state != VisitState.HOSTED:
            raise DomainError(
                _("The visit note is written after the guests have left, while the visit is “%(state)s”.")
                % {"state": VisitState.HOSTED.label}
            )
        first = locked.note_submitted_at is None
        locked.outcomes, locked.follow_up = outcomes, follow_up
        locked.note_submitted_at = timezone.now()
        _history_user(locked, actor)
        locked.save(update_fields=["outcomes", "follow_up", "note_submitted_at", "updated_at"])
        for content, name, content_type, size, digest in checked:
            _store_file(locked, actor, VisitFileKind.PHOTO, content, name, content_type, size, digest, "")
        activity_record(
            target=locked,
            verb="note_submitted" if first else "note_corrected",
            actor=actor,
            message=lambda: _("Visit note of %(number)s written") % {"number": locked.number},
        )
    return locked


@transaction.atomic
def visit_escalate(*, visit: Visit, actor, escalated: bool = True, comment: str = "") -> Visit:
    """The office refers a visit to a university leader's approval (or withdraws the referral) while it is a
    draft or under approval. The approval chain is chosen at submission from the chains whose condition
    matches (``escalated`` is a documented case field), so a referral made during approval takes effect
    when the visit is submitted again after a return. Raises ``PermissionDeniedError``, ``DomainError``,
    ``ValidationError`` (a ``comment`` longer than ``MAX_COMMENT`` characters)."""
    if actor is not None and not permissions.can_escalate_visit(actor, visit):
        raise PermissionDeniedError(_("Only the International Office refers visits to a university leader."))
    comment = (comment or "").strip()
    _check_length("comment", comment, MAX_COMMENT)
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    if locked.state not in (VisitState.DRAFT, VisitState.UNDER_REVIEW):
        raise DomainError(_("A visit is referred to a university leader before it is approved."))
    if locked.escalated == escalated:
        return locked
    locked.escalated = escalated
    bump_version(locked)
    _history_user(locked, actor)
    locked.save()
    activity_record(
        target=locked,
        verb="escalated" if escalated else "escalation_withdrawn",
        actor=actor,
        comment=comment,
        message=(
            (lambda: _("Visit %(number)s referred to a university leader") % {"number": locked.number})
            if escalated
            else (lambda: _("Referral of visit %(number)s withdrawn") % {"number": locked.number})
        ),
    )
    return locked


def visit_move(
    *, visit: Visit, actor, move: str, comment: str = "", on_behalf_of=None, data: dict | None = None
) -> Visit:
    """Take a declared move of the visit (``casework.VISIT_TRANSITIONS``) through the workflow engine.

    Raises ``TransitionError`` (wrong state; a guard failing, every reason listed), ``PermissionDeniedError``,
    ``ValidationError``."""
    return case_move(
        case=visit, actor=actor, move=move, comment=comment, on_behalf_of=on_behalf_of, data=data
    )
