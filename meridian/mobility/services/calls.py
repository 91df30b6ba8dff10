"""Calls for outgoing exchange (选拔通知): filing and editing a call, its destinations (drawn from outgoing
cooperation conditions, never more places than a condition has left), selection criteria, questions,
reviewers, required documents and eligibility rules; its moves (open, close, cancel, …) through the workflow
engine; and the job that closes calls whose deadline has passed.

A call is edited freely while it is a draft. Once open, only the deadline (later, never earlier), the school
pre-approval date and the descriptions change; reviewers may be added or removed until the places are
allocated. ``call_problems`` says what stops a draft from opening (the ``open`` move's guard in
``casework.py``).

Places: a condition's ``places`` are persons per academic year, shared by every call of that year that is not
cancelled; ``total_months`` (when given) limits places × months per person the same way. Criteria: weights
in percent, adding up to 100 (an applicant's score is the sum of weight × points ÷ maximum points).

Every function is keyword-only, runs in one transaction and raises ``PermissionDeniedError`` (the actor may
not), ``TransitionError`` (not in this state), ``StaleEditError`` (changed since ``expected_version``) or
``ValidationError`` (per field), with a message for the user; nothing is stored when it raises. ``actor``
None is the system (jobs, imports, demo data): it skips "who may act", never the rules.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meridian.accounts.choices import Role
from meridian.accounts.permissions import is_internal, standing
from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.mobility import numbering, permissions
from meridian.mobility.choices import (
    CEFR_ORDER,
    STUDENT_MOBILITY_TYPES,
    CallState,
    CefrLevel,
    CriterionSource,
    DocumentKind,
    QuestionKind,
    Semester,
)
from meridian.mobility.models import (
    Call,
    CallCriterion,
    CallDestination,
    CallQuestion,
    CallReviewer,
    CooperationCondition,
)
from meridian.mobility.selectors import calls as selectors
from meridian.mobility.selectors.conditions import iso_639_1_codes

# Fields of the call form. While open, only OPEN_FIELDS change (and the deadline only to a later time).
EDITABLE_FIELDS = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "unit",
    "academic_year",
    "semester",
    "opens_at",
    "closes_at",
    "school_review_until",
    "max_preferences",
    "min_year_of_study",
    "min_grade",
    "grade_scale",
    "language",
    "min_cefr",
    "require_clean_record",
    "required_documents",
    "offer_days",
)
OPEN_FIELDS = ("closes_at", "school_review_until", "description_en", "description_zh")
TEXT_FIELDS = ("title_en", "title_zh", "description_en", "description_zh", "language")
WEIGHT_TOTAL = Decimal(100)
# Plausibility limits (the office's choice, not a regulation).
MAX_PREFERENCES = 10
MAX_YEAR_OF_STUDY = 8
MAX_OFFER_DAYS = 60
YEARS = (2000, 2199)
REVIEWER_STATES = (CallState.DRAFT, CallState.OPEN, CallState.CLOSED)


# --- helpers ------------------------------------------------------------------------------------------------


def _now() -> datetime.datetime:
    """The current time, shifted by whole days when the context's evaluation date is set (demo data, tests
    acting for another day), so date rules agree with the move guards."""
    from meridian.mobility.casework import today

    return timezone.now() + (today() - timezone.localdate())


def _may_manage(actor, call: Call) -> None:
    if actor is not None and not permissions.can_manage_call(actor, call):
        raise PermissionDeniedError(
            _(
                "Only the International Office and the coordinators of the unit running the call may "
                "change it."
            )
        )


def _draft_only(call: Call, what: str) -> None:
    if call.state != CallState.DRAFT:
        raise TransitionError(
            _("%(what)s change only while the call is a draft; it is “%(state)s”.")
            % {"what": what, "state": call.get_state_display()}
        )


def _locked(call: Call) -> Call:
    return Call.objects.select_for_update(of=("self",)).select_related("unit").get(pk=call.pk)


def _record(call: Call, actor, verb: str, message: Callable[[], str], comment: str = "") -> None:
    activity_record(target=call, verb=verb, actor=actor, message=message, comment=comment)


def _decimal(value: Any) -> Decimal | None:
    """A finite number, else None ("nan" and "inf" are not amounts)."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _int(value: Any) -> int | None:
    """A whole number, else None (2.5 persons or places is refused, never cut to 2)."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    if isinstance(value, Decimal) and (not value.is_finite() or value != value.to_integral_value()):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError, InvalidOperation):
        return None


def _decimals_at_most(number: Decimal, places: int) -> bool:
    """``number`` has at most ``places`` decimals (more would be rounded away when stored)."""
    return number == number.quantize(Decimal(1).scaleb(-places))


def _known_language(code: str) -> bool:
    """An ISO 639-1 code the project knows (the same list as the conditions' language requirements)."""
    return code in iso_639_1_codes()


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- what stops a call from opening -------------------------------------------------------------------------


def destination_problems(call: Call, destinations=None) -> list[str]:
    """Per destination of ``call``: not drawn from a condition, a condition no longer valid for the call's
    year, no place, or more places (or months) than the condition has left after the other calls of the
    year that are not cancelled."""
    rows = list(destinations if destinations is not None else selectors.call_destinations(call))
    problems: list[str] = []
    condition_ids = [d.condition_id for d in rows if d.condition_id]
    valid = set(
        selectors.conditions_valid_for(call.academic_year)
        .filter(pk__in=condition_ids)
        .values_list("pk", flat=True)
    )
    given = selectors.places_given(condition_ids, call.academic_year, exclude_call_id=call.pk)
    for destination in rows:
        name = str(destination.partner)
        if destination.places < 1:
            problems.append(_("%(destination)s offers no place.") % {"destination": name})
        condition = destination.condition
        if condition is None:
            problems.append(
                _("%(destination)s is not drawn from a cooperation condition: remove it and add it from one.")
                % {"destination": name}
            )
            continue
        if condition.pk not in valid:
            problems.append(
                _(
                    "The cooperation condition of %(destination)s is not valid for %(year)s (an outgoing "
                    "condition of an active agreement for that year)."
                )
                % {"destination": name, "year": call.year_label}
            )
            continue
        taken, months = given.get(condition.pk, (0, Decimal(0)))
        left = max(condition.places - taken, 0)
        if destination.places > left:
            problems.append(
                ngettext(
                    "%(destination)s offers %(places)s place, but its condition has only %(left)s left.",
                    "%(destination)s offers %(places)s places, but its condition has only %(left)s left.",
                    destination.places,
                )
                % {"destination": name, "places": destination.places, "left": left}
            )
        if condition.total_months is not None and destination.months:
            months_left = max(Decimal(condition.total_months) - months, Decimal(0))
            if destination.months * destination.places > months_left:
                problems.append(
                    _(
                        "%(destination)s offers %(months)s months in all, but its condition has only "
                        "%(left)s months left."
                    )
                    % {
                        "destination": name,
                        "months": destination.months * destination.places,
                        "left": months_left,
                    }
                )
    return problems


def call_problems(call: Call) -> list[str]:
    """What stops ``call`` from opening, as sentences for the user; ``[]`` when it is ready.

    Checks: at least one destination, each drawn from a condition valid for the call's academic year and
    within the places (and months) the condition has left (``destination_problems``); at least one selection
    criterion, the weights adding up to 100; the deadline after the opening and not passed; at least one
    preference; a minimum grade within the grade scale; a language level only with a language; school
    pre-approval not ending before the deadline. Used by the ``open`` move's guard (``casework.py``)."""
    problems: list[str] = []
    destinations = list(selectors.call_destinations(call)) if call.pk else []
    if not destinations:
        problems.append(_("Add at least one destination."))
    problems.extend(destination_problems(call, destinations) if destinations else [])
    criteria = list(selectors.call_criteria(call)) if call.pk else []
    if not criteria:
        problems.append(_("Add at least one selection criterion."))
    else:
        total = sum((c.weight for c in criteria), Decimal(0))
        if total != WEIGHT_TOTAL:
            problems.append(
                _("The weights of the selection criteria add up to %(total)s; they must add up to 100.")
                % {"total": total.normalize() if total == total.to_integral() else total}
            )
    if call.opens_at and call.closes_at:
        if call.closes_at <= call.opens_at:
            problems.append(_("The application deadline must be after the opening."))
        elif call.closes_at <= _now():
            problems.append(
                _("The application deadline (%(deadline)s) has passed: set a later one.")
                % {"deadline": _local(call.closes_at)}
            )
    if not call.max_preferences or call.max_preferences < 1:
        problems.append(_("Students must be able to rank at least one destination."))
    if call.min_grade is not None and call.grade_scale is not None and call.min_grade > call.grade_scale:
        problems.append(_("The minimum grade is above the grade scale."))
    if call.min_cefr and not call.language:
        problems.append(_("Say which language the minimum language level is for."))
    review_until, closes = call.school_review_until, call.closes_at
    if review_until and closes and review_until < timezone.localdate(closes):
        problems.append(_("School pre-approval cannot end before the application deadline."))
    return problems


# --- the call itself ----------------------------------------------------------------------------------------


def _clean_values(values: dict[str, Any], *, current: Call | None, actor) -> dict[str, Any]:
    """Trim and check the call's fields (``current``: the call being changed, for fields not given);
    raises ``ValidationError`` per field."""
    errors: dict[str, list[str]] = {}
    for name in sorted(set(values) - set(EDITABLE_FIELDS)):
        errors[name] = [_("Unknown field.")]
    for name in TEXT_FIELDS:
        if name in values:
            values[name] = (values[name] or "").strip()
    if "language" in values:
        values["language"] = values["language"].lower()
        if values["language"] and not _known_language(values["language"]):
            errors["language"] = [_("Give the language as its ISO 639-1 code, such as en, de or ja.")]
    if "title_en" in values and not values["title_en"]:
        errors["title_en"] = [_("Give the title in English.")]

    def value(name: str) -> Any:
        return values[name] if name in values else getattr(current, name, None)

    if "unit" in values:
        unit = values["unit"]
        if unit is None:
            errors["unit"] = [_("Say which unit runs the call.")]
        elif actor is not None and not permissions.acts_for_unit(actor, unit.pk):
            errors["unit"] = [_("You may run calls only for the units you coordinate.")]
    if "academic_year" in values:
        year = _int(values["academic_year"])
        if year is None or not YEARS[0] <= year <= YEARS[1]:
            errors["academic_year"] = [_("Give the year the academic year starts in, such as 2026.")]
        else:
            values["academic_year"] = year
    if "semester" in values and values["semester"] not in Semester.values:
        errors["semester"] = [_("Choose a semester.")]
    for name in ("opens_at", "closes_at"):
        if name in values and not isinstance(values[name], datetime.datetime):
            errors[name] = [_("Give a date and a time.")]
    if not {"opens_at", "closes_at"} & set(errors):
        opens, closes = value("opens_at"), value("closes_at")
        if opens and closes and closes <= opens:
            errors["closes_at"] = [_("The application deadline must be after the opening.")]
        elif (
            "closes_at" in values
            and closes
            and (current is None or closes != current.closes_at)
            and closes <= _now()
        ):
            errors["closes_at"] = [_("The application deadline must be in the future.")]
    if "school_review_until" in values:
        day = values["school_review_until"]
        if day is not None and not isinstance(day, datetime.date):
            errors["school_review_until"] = [_("Give a date.")]
        elif day is not None and "closes_at" not in errors:
            closes = value("closes_at")
            if closes and day < timezone.localdate(closes):
                errors["school_review_until"] = [
                    _("School pre-approval cannot end before the application deadline.")
                ]
    if "max_preferences" in values:
        count = _int(values["max_preferences"])
        if count is None or not 1 <= count <= MAX_PREFERENCES:
            errors["max_preferences"] = [
                _("Students rank between 1 and %(max)s destinations.") % {"max": MAX_PREFERENCES}
            ]
        else:
            values["max_preferences"] = count
    if "min_year_of_study" in values and values["min_year_of_study"] not in (None, ""):
        year_of_study = _int(values["min_year_of_study"])
        if year_of_study is None or not 1 <= year_of_study <= MAX_YEAR_OF_STUDY:
            errors["min_year_of_study"] = [
                _("The year of study is between 1 and %(max)s.") % {"max": MAX_YEAR_OF_STUDY}
            ]
        else:
            values["min_year_of_study"] = year_of_study
    elif "min_year_of_study" in values:
        values["min_year_of_study"] = None
    for name in ("grade_scale", "min_grade"):
        if name in values and values[name] not in (None, ""):
            number = _decimal(values[name])
            if number is None or number < 0 or (name == "grade_scale" and number == 0):
                errors[name] = [_("Give a positive number.")]
            else:
                values[name] = number
        elif name in values:
            if name == "grade_scale":
                errors[name] = [_("Give the grade scale's maximum: 4 for GPA, 100 for marks.")]
            values[name] = None
    if not {"grade_scale", "min_grade"} & set(errors):
        minimum, scale = value("min_grade"), value("grade_scale")
        if minimum is not None and scale is not None and minimum > scale:
            errors["min_grade"] = [
                _("The minimum grade cannot be above the grade scale (%(scale)s).") % {"scale": scale}
            ]
    if "min_cefr" in values:
        values["min_cefr"] = values["min_cefr"] or ""
        if values["min_cefr"] and values["min_cefr"] not in CefrLevel.values:
            errors["min_cefr"] = [_("Choose a CEFR level from A1 to C2.")]
    if "language" not in errors and "min_cefr" not in errors and value("min_cefr") and not value("language"):
        errors["language"] = [_("Say which language the minimum language level is for.")]
    if "required_documents" in values:
        documents = values["required_documents"] or []
        if isinstance(documents, str) or not all(isinstance(d, str) for d in documents):
            errors["required_documents"] = [_("Choose the documents from the list.")]
        else:
            unknown = [d for d in documents if d not in DocumentKind.values]
            if unknown:
                errors["required_documents"] = [
                    _("Unknown document: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
                ]
            values["required_documents"] = list(dict.fromkeys(documents))
    if "offer_days" in values:
        days = _int(values["offer_days"])
        if days is None or not 1 <= days <= MAX_OFFER_DAYS:
            errors["offer_days"] = [
                _("Students have between 1 and %(max)s days to accept a place.") % {"max": MAX_OFFER_DAYS}
            ]
        else:
            values["offer_days"] = days
    if "require_clean_record" in values:
        values["require_clean_record"] = bool(values["require_clean_record"])
    if errors:
        raise ValidationError(errors)
    return values


def _save_new(call: Call) -> Call:
    """Save a new call under the next free number of its academic year (retried when another call took it)."""
    for attempt in range(5):
        call.number = numbering.number_next(Call, prefix=numbering.CALL, year=call.academic_year)
        try:
            with transaction.atomic():
                call.save()
            return call
        except IntegrityError:
            if attempt == 4:
                raise
            call.pk = None
    return call  # pragma: no cover - the loop returns or raises


@transaction.atomic
def call_create(
    *,
    actor,
    unit,
    title_en: str,
    academic_year: int,
    semester: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    **fields: Any,
) -> Call:
    """File a draft call of ``unit`` (an ``OrgUnit`` the actor acts for) for academic year ``academic_year``
    (the year it starts in) and ``semester`` (``Semester``), open from ``opens_at`` until ``closes_at``
    (aware datetimes; the deadline in the future). Further ``fields`` from ``EDITABLE_FIELDS``: titles and
    descriptions, ``max_preferences`` (1–10, default 3), eligibility (``min_year_of_study`` 1–8, ``min_grade``
    on ``grade_scale`` (4 or 100), ``language`` (ISO 639-1) with ``min_cefr``, ``require_clean_record``),
    ``required_documents`` (``DocumentKind`` codes), ``offer_days`` (calendar days, 1–60),
    ``school_review_until`` (a date, not before the deadline).

    Numbered ``EXC-<year>-<sequence>``. Who: ``permissions.can_create_call``. Raises
    ``PermissionDeniedError``, ``ValidationError``."""
    if actor is not None and not permissions.can_create_call(actor):
        raise PermissionDeniedError(_("You may not create calls."))
    values = _clean_values(
        {
            "unit": unit,
            "title_en": title_en,
            "academic_year": academic_year,
            "semester": semester,
            "opens_at": opens_at,
            "closes_at": closes_at,
            **fields,
        },
        current=None,
        actor=actor,
    )
    call = Call(
        state=CallState.DRAFT,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    call.number = "new"
    call.full_clean(exclude=["number"])
    call._history_user = actor  # type: ignore[attr-defined]
    _save_new(call)
    _record(call, actor, "created", lambda: _("Call %(number)s filed as a draft") % {"number": call.number})
    return call


def edit_blocker(call: Call) -> str:
    """Why ``call``'s form cannot be saved now ("" when it can)."""
    if call.state in (CallState.DRAFT, CallState.OPEN):
        return ""
    return _("The call is “%(state)s”: it cannot be changed any more.") % {"state": call.get_state_display()}


def editable_fields(call: Call) -> tuple[str, ...]:
    """The fields of ``call``'s form that may change in its state (all while draft, ``OPEN_FIELDS`` while
    open, none after)."""
    if call.state == CallState.DRAFT:
        return EDITABLE_FIELDS
    if call.state == CallState.OPEN:
        return OPEN_FIELDS
    return ()


@transaction.atomic
def call_update(*, call: Call, actor, expected_version: int | None = None, **fields: Any) -> Call:
    """Change ``call``'s fields (``EDITABLE_FIELDS``, checked as in ``call_create``). While the call is open,
    only ``OPEN_FIELDS`` change, and the deadline only to a later time (an extension). Fields given with
    their current value are ignored. Raises ``PermissionDeniedError``, ``TransitionError`` (closed or later,
    or a field that cannot change now), ``StaleEditError``, ``ValidationError``."""
    current = _locked(call)
    _may_manage(actor, current)
    blocker = edit_blocker(current)
    if blocker:
        raise TransitionError(blocker)
    ensure_fresh(instance=current, expected_version=expected_version, fields=list(EDITABLE_FIELDS))
    changes = {
        name: value
        for name, value in fields.items()
        if name not in EDITABLE_FIELDS or _differs(getattr(current, name), value)
    }
    if not changes:
        return current
    allowed = editable_fields(current)
    frozen = sorted(name for name in changes if name in EDITABLE_FIELDS and name not in allowed)
    if frozen:
        raise ValidationError(
            {
                name: [
                    _(
                        "Once the call is open, only the deadline (to a later time), the school pre-approval "
                        "date and the descriptions change."
                    )
                ]
                for name in frozen
            }
        )
    values = _clean_values(changes, current=current, actor=actor)
    if current.state == CallState.OPEN and "closes_at" in values and values["closes_at"] < current.closes_at:
        raise ValidationError(
            {"closes_at": [_("An open call's deadline can only be extended, not brought forward.")]}
        )
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    bump_version(current)
    current._history_user = actor  # type: ignore[attr-defined]
    current.save(update_fields=[*values, "version", "updated_at"])
    changed = ", ".join(str(getattr(Call._meta.get_field(name), "verbose_name", name)) for name in values)
    _record(
        current,
        actor,
        "updated",
        lambda: _("Call %(number)s changed: %(fields)s") % {"number": current.number, "fields": changed},
    )
    return current


def _differs(old: Any, new: Any) -> bool:
    if hasattr(old, "pk") and hasattr(new, "pk"):
        return old.pk != new.pk
    if isinstance(old, Decimal) and new not in (None, ""):
        number = _decimal(new)
        return number is None or number != old
    if old in (None, "") and new in (None, ""):
        return False
    return old != new


def call_move(*, call: Call, actor, move: str, comment: str = "") -> Call:
    """Take the lifecycle move ``move`` (``open``, ``close``, ``publish_results``, ``finish``, ``cancel``) as
    declared in ``casework.py`` (``open`` needs ``call_problems`` empty; ``cancel`` needs a comment).
    Raises ``TransitionError``, ``PermissionDeniedError``, ``ValidationError``."""
    from meridian.workflow.services import case_move

    return case_move(case=call, actor=actor, move=move, comment=comment)


def calls_close_due(*, now: datetime.datetime | None = None) -> int:
    """Close every open call whose deadline has passed (the system's ``close`` move); returns how many were
    closed. Idempotent: a call closed, extended or cancelled meanwhile is left alone."""
    from meridian.workflow.services import case_move

    moment = now or timezone.now()
    closed = 0
    due = Call.objects.filter(state=CallState.OPEN, closes_at__lte=moment).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            call = Call.objects.select_for_update().filter(pk=pk).first()
            if call is None or call.state != CallState.OPEN or call.closes_at > moment:
                continue
            # No stored comment: the call's history says why in the reader's language (the system closes
            # a call only at its deadline).
            case_move(case=call, actor=None, move="close")
            closed += 1
    return closed


# --- destinations -------------------------------------------------------------------------------------------


def _check_places(call: Call, condition: CooperationCondition, places: int, months: Decimal | None) -> None:
    left = selectors.places_left(condition, call.academic_year, exclude_call_id=call.pk)
    errors: dict[str, list[str]] = {}
    if places > left.places:
        errors["places"] = [
            ngettext(
                "Only %(left)s place of this condition is left for %(year)s (other calls took the rest).",
                "Only %(left)s places of this condition are left for %(year)s (other calls took the rest).",
                left.places,
            )
            % {"left": left.places, "year": call.year_label}
            if left.places
            else _("No place of this condition is left for %(year)s: other calls took them all.")
            % {"year": call.year_label}
        ]
    if left.months is not None and months is not None and months * places > left.months:
        errors["months"] = [
            _("This condition has %(left)s months left for %(year)s; %(places)s × %(months)s is more.")
            % {"left": left.months, "year": call.year_label, "places": places, "months": months}
        ]
    if errors:
        raise ValidationError(errors)


def _clean_destination(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if "places" in values:
        places = _int(values["places"])
        if places is None or places < 1:
            errors["places"] = [_("Offer at least one place.")]
        else:
            values["places"] = places
    if "months" in values:
        if values["months"] in (None, ""):
            values["months"] = None
        else:
            months = _decimal(values["months"])
            if months is None or not Decimal("0.5") <= months <= Decimal(24):
                errors["months"] = [_("Give the months per person, between 0.5 and 24.")]
            elif not _decimals_at_most(months, 1):
                errors["months"] = [_("Give the months with at most one decimal, e.g. 4.5.")]
            else:
                values["months"] = months.quantize(Decimal("0.1"))
    if "note" in values:
        values["note"] = (values["note"] or "").strip()
    if "language" in values:
        values["language"] = (values["language"] or "").strip().lower()
        if values["language"] and not _known_language(values["language"]):
            errors["language"] = [
                _("“%(code)s” is not an ISO 639-1 language code (two letters: en, de, fr, ja, …).")
                % {"code": values["language"]}
            ]
    if "min_cefr" in values:
        values["min_cefr"] = values["min_cefr"] or ""
        if values["min_cefr"] and values["min_cefr"] not in CefrLevel.values:
            errors["min_cefr"] = [_("Choose a CEFR level from A1 to C2.")]
    if errors:
        raise ValidationError(errors)
    return values


def _check_language(language: str, min_cefr: str, condition: CooperationCondition | None) -> None:
    """A destination's language requirement is one row of its condition's: a language with its minimum
    CEFR level (both, or neither — then the condition's requirements stand), and when the condition lists
    requirements, one of its languages at that level or higher. Raises ``ValidationError``."""
    errors: dict[str, list[str]] = {}
    if min_cefr and not language:
        errors["language"] = [_("Say which language the minimum language level is for.")]
    elif language and not min_cefr:
        errors["min_cefr"] = [_("Give the minimum level (CEFR) of this language.")]
    elif language and condition is not None:
        required = {row.language: row.cefr_level for row in condition.languages.all()}
        if required and language not in required:
            errors["language"] = [
                _("The cooperation condition asks for %(languages)s: choose one of these languages.")
                % {"languages": ", ".join(f"{code} {level}" for code, level in sorted(required.items()))}
            ]
        elif language in required and CEFR_ORDER[min_cefr] < CEFR_ORDER[required[language]]:
            errors["min_cefr"] = [
                _("The cooperation condition asks for %(language)s %(level)s: the level cannot be lower.")
                % {"language": language, "level": required[language]}
            ]
    if errors:
        raise ValidationError(errors)


def _default_months(condition: CooperationCondition) -> Decimal | None:
    if condition.total_months is None or not condition.places:
        return None
    return (Decimal(condition.total_months) / condition.places).quantize(Decimal("0.1"))


@transaction.atomic
def destination_add_from_condition(
    *,
    call: Call,
    condition: CooperationCondition,
    places: int,
    actor,
    months: Decimal | None = None,
    note: str = "",
    language: str | None = None,
    min_cefr: str | None = None,
) -> CallDestination:
    """Offer ``places`` (persons) at ``condition``'s partner in draft ``call``: the partner, mobility type and
    language requirement (the condition's first, unless ``language``/``min_cefr`` are given) come from the
    condition; ``months`` per person defaults to the condition's total months ÷ places.

    The condition must be outgoing, of a student mobility type, visible to the actor and valid for the call's
    academic year (``selectors.conditions_valid_for``); a language requirement given must be one of the
    condition's (``_check_language``); ``places`` at most what the condition has left after
    the other calls of that year that are not cancelled (and places × months within its total months). The
    condition's row is locked, so two calls cannot take the same last place. Raises
    ``PermissionDeniedError``, ``TransitionError`` (not a draft), ``ValidationError``."""
    current = _locked(call)
    _may_manage(actor, current)
    _draft_only(current, _("Destinations"))
    condition = (
        CooperationCondition.objects.select_for_update(of=("self",))
        .select_related("partner")
        .get(pk=condition.pk)
    )
    errors: dict[str, list[str]] = {}
    if (
        actor is not None
        and not CooperationCondition.objects.visible_to(actor).filter(pk=condition.pk).exists()
    ):
        raise PermissionDeniedError(_("You may not offer places of this agreement."))
    if condition.mobility_type not in [str(t) for t in STUDENT_MOBILITY_TYPES]:
        errors["condition"] = [_("Places for staff mobility cannot be offered to students.")]
    elif not selectors.condition_valid_for(condition, current.academic_year):
        errors["condition"] = [
            _(
                "This condition is not valid for %(year)s: choose an outgoing condition of an active "
                "agreement for that year or for every year of the agreement."
            )
            % {"year": current.year_label}
        ]
    elif CallDestination.objects.filter(
        call=current, partner_id=condition.partner_id, mobility_type=condition.mobility_type
    ).exists():
        errors["condition"] = [
            _("The call offers this partner and mobility type already: change the places there.")
        ]
    if errors:
        raise ValidationError(errors)
    first_language = condition.languages.order_by("id").first()
    values = _clean_destination(
        {
            "places": places,
            "months": months if months is not None else _default_months(condition),
            "note": note,
            "language": language if language is not None else getattr(first_language, "language", ""),
            "min_cefr": min_cefr if min_cefr is not None else getattr(first_language, "cefr_level", ""),
        }
    )
    _check_language(values["language"], values["min_cefr"], condition)
    _check_places(current, condition, values["places"], values["months"])
    destination = CallDestination(
        call=current,
        condition=condition,
        partner=condition.partner,
        mobility_type=condition.mobility_type,
        **values,
    )
    destination.full_clean()
    destination.save()
    _record(
        current,
        actor,
        "destination_added",
        lambda: (
            _("%(places)s places at %(partner)s offered")
            % {"places": values["places"], "partner": condition.partner}
        ),
    )
    return destination


@transaction.atomic
def destination_update(*, destination: CallDestination, actor, **fields: Any) -> CallDestination:
    """Change a destination of a draft call: ``places``, ``months`` (per person), ``note``, ``language``,
    ``min_cefr``; the places checked against the condition as in ``destination_add_from_condition``, the
    language requirement as ``_check_language`` (one of the condition's, a known ISO 639-1 code with its
    level). Raises ``PermissionDeniedError``, ``TransitionError``, ``ValidationError``."""
    call = _locked(destination.call)
    _may_manage(actor, call)
    _draft_only(call, _("Destinations"))
    unknown = sorted(set(fields) - {"places", "months", "note", "language", "min_cefr"})
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    current = CallDestination.objects.select_related("partner").get(pk=destination.pk, call=call)
    values = _clean_destination(dict(fields))
    if {"language", "min_cefr"} & set(values):
        _check_language(
            values.get("language", current.language),
            values.get("min_cefr", current.min_cefr),
            current.condition,
        )
    if current.condition_id is not None and ({"places", "months"} & set(values)):
        condition = CooperationCondition.objects.select_for_update(of=("self",)).get(pk=current.condition_id)
        _check_places(
            call, condition, values.get("places", current.places), values.get("months", current.months)
        )
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    _record(
        call,
        actor,
        "destination_changed",
        lambda: _("Destination %(partner)s changed") % {"partner": current.partner},
    )
    return current


@transaction.atomic
def destination_remove(*, destination: CallDestination, actor) -> None:
    """Take a destination off a draft call (its places go back to the condition). Raises
    ``PermissionDeniedError``, ``TransitionError``."""
    call = _locked(destination.call)
    _may_manage(actor, call)
    _draft_only(call, _("Destinations"))
    partner = destination.partner
    CallDestination.objects.filter(pk=destination.pk, call=call).delete()
    _record(
        call,
        actor,
        "destination_removed",
        lambda: _("Destination %(partner)s removed") % {"partner": partner},
    )


# --- selection criteria -------------------------------------------------------------------------------------


CRITERION_FIELDS = ("code", "label_en", "label_zh", "weight", "max_points", "source", "order")


def _clean_criterion(values: dict[str, Any], *, call: Call, current: CallCriterion | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for name in sorted(set(values) - set(CRITERION_FIELDS)):
        errors[name] = [_("Unknown field.")]
    for name in ("code", "label_en", "label_zh"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "code" in values:
        values["code"] = values["code"].lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,29}", values["code"]):
            errors["code"] = [_("Give a short code of letters, digits, - or _ (such as grades).")]
        else:
            clash = CallCriterion.objects.filter(call=call, code=values["code"])
            if current is not None:
                clash = clash.exclude(pk=current.pk)
            if clash.exists():
                errors["code"] = [_("The call has a criterion with this code already.")]
    if "label_en" in values and not values["label_en"]:
        errors["label_en"] = [_("Name the criterion in English.")]
    if "weight" in values:
        weight = _decimal(values["weight"])
        if weight is None or not Decimal(0) < weight <= WEIGHT_TOTAL:
            errors["weight"] = [_("Give a weight above 0 and at most 100 (percent).")]
        elif not _decimals_at_most(weight, 2):
            errors["weight"] = [_("Give the weight with at most two decimals.")]
        else:
            values["weight"] = weight.quantize(Decimal("0.01"))
    if "max_points" in values:
        points = _int(values["max_points"])
        if points is None or not 1 <= points <= 1000:
            errors["max_points"] = [_("Give the maximum points, between 1 and 1000.")]
        else:
            values["max_points"] = points
    if "source" in values and values["source"] not in CriterionSource.values:
        errors["source"] = [_("Choose where the points come from.")]
    if "order" in values:
        order = _int(values["order"])
        values["order"] = order if order is not None and order >= 0 else 0
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def criterion_add(
    *,
    call: Call,
    actor,
    code: str,
    label_en: str,
    weight: Decimal | int | str,
    label_zh: str = "",
    max_points: int = 10,
    source: str = CriterionSource.REVIEWERS,
    order: int | None = None,
) -> CallCriterion:
    """Add a selection criterion to a draft call: ``code`` (unique in the call), names in English and
    Chinese, ``weight`` in percent (0 < weight ≤ 100; all weights add up to 100 before the call opens),
    ``max_points`` (1–1000), ``source`` (``CriterionSource``: scored by reviewers, or computed from the grade
    average or the language level). Raises ``PermissionDeniedError``, ``TransitionError``,
    ``ValidationError``."""
    current = _locked(call)
    _may_manage(actor, current)
    _draft_only(current, _("Selection criteria"))
    if order is None:
        order = (CallCriterion.objects.filter(call=current).aggregate(m=Max("order"))["m"] or 0) + 1
    values = _clean_criterion(
        {
            "code": code,
            "label_en": label_en,
            "label_zh": label_zh,
            "weight": weight,
            "max_points": max_points,
            "source": source,
            "order": order,
        },
        call=current,
        current=None,
    )
    criterion = CallCriterion(call=current, **values)
    criterion.full_clean()
    criterion.save()
    _record(
        current, actor, "criterion_added", lambda: _("Criterion %(code)s added") % {"code": criterion.code}
    )
    return criterion


@transaction.atomic
def criterion_update(*, criterion: CallCriterion, actor, **fields: Any) -> CallCriterion:
    """Change a criterion of a draft call (fields as ``criterion_add``). Raises ``PermissionDeniedError``,
    ``TransitionError``, ``ValidationError``."""
    call = _locked(criterion.call)
    _may_manage(actor, call)
    _draft_only(call, _("Selection criteria"))
    current = CallCriterion.objects.get(pk=criterion.pk, call=call)
    values = _clean_criterion(dict(fields), call=call, current=current)
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    _record(
        call, actor, "criterion_changed", lambda: _("Criterion %(code)s changed") % {"code": current.code}
    )
    return current


@transaction.atomic
def criterion_remove(*, criterion: CallCriterion, actor) -> None:
    """Remove a criterion of a draft call. Raises ``PermissionDeniedError``, ``TransitionError``."""
    call = _locked(criterion.call)
    _may_manage(actor, call)
    _draft_only(call, _("Selection criteria"))
    code = criterion.code
    CallCriterion.objects.filter(pk=criterion.pk, call=call).delete()
    _record(call, actor, "criterion_removed", lambda: _("Criterion %(code)s removed") % {"code": code})


# --- questions ----------------------------------------------------------------------------------------------


QUESTION_FIELDS = ("text_en", "text_zh", "kind", "required", "order")


def _clean_question(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for name in sorted(set(values) - set(QUESTION_FIELDS)):
        errors[name] = [_("Unknown field.")]
    for name in ("text_en", "text_zh"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "text_en" in values and not values["text_en"]:
        errors["text_en"] = [_("Write the question in English.")]
    if "kind" in values and values["kind"] not in QuestionKind.values:
        errors["kind"] = [_("Choose the kind of answer.")]
    if "required" in values:
        values["required"] = bool(values["required"])
    if "order" in values:
        order = _int(values["order"])
        values["order"] = order if order is not None and order >= 0 else 0
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def question_add(
    *,
    call: Call,
    actor,
    text_en: str,
    text_zh: str = "",
    kind: str = QuestionKind.TEXT,
    required: bool = True,
    order: int | None = None,
) -> CallQuestion:
    """Add a question every applicant of a draft call answers (English and Chinese text, ``kind``
    ``QuestionKind``, ``required``). Raises ``PermissionDeniedError``, ``TransitionError``,
    ``ValidationError``."""
    current = _locked(call)
    _may_manage(actor, current)
    _draft_only(current, _("Questions"))
    if order is None:
        order = (CallQuestion.objects.filter(call=current).aggregate(m=Max("order"))["m"] or 0) + 1
    values = _clean_question(
        {"text_en": text_en, "text_zh": text_zh, "kind": kind, "required": required, "order": order}
    )
    question = CallQuestion(call=current, **values)
    question.full_clean()
    question.save()
    _record(
        current,
        actor,
        "question_added",
        lambda: _("Question added: %(text)s") % {"text": question.text_en[:100]},
    )
    return question


@transaction.atomic
def question_update(*, question: CallQuestion, actor, **fields: Any) -> CallQuestion:
    """Change a question of a draft call (fields as ``question_add``). Raises ``PermissionDeniedError``,
    ``TransitionError``, ``ValidationError``."""
    call = _locked(question.call)
    _may_manage(actor, call)
    _draft_only(call, _("Questions"))
    current = CallQuestion.objects.get(pk=question.pk, call=call)
    values = _clean_question(dict(fields))
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    _record(
        call,
        actor,
        "question_changed",
        lambda: _("Question changed: %(text)s") % {"text": current.text_en[:100]},
    )
    return current


@transaction.atomic
def question_remove(*, question: CallQuestion, actor) -> None:
    """Remove a question of a draft call. Raises ``PermissionDeniedError``, ``TransitionError``."""
    call = _locked(question.call)
    _may_manage(actor, call)
    _draft_only(call, _("Questions"))
    text = question.text_en
    CallQuestion.objects.filter(pk=question.pk, call=call).delete()
    _record(call, actor, "question_removed", lambda: _("Question removed: %(text)s") % {"text": text[:100]})


# --- reviewers ----------------------------------------------------------------------------------------------


def reviewer_problem(user) -> str:
    """Why ``user`` cannot sit on a selection committee ("" when they can): only active internal users
    (university staff), never students or partner contacts."""
    if user is None or not getattr(user, "is_active", False):
        return _("This account is not active.")
    if permissions.is_partner_contact(user) or standing(user).has(Role.STUDENT, Role.PARTNER_CONTACT):
        return _("Students and partner contacts cannot review applications.")
    if not is_internal(user):
        return _("Only university staff can review applications.")
    return ""


@transaction.atomic
def reviewer_add(*, call: Call, user, actor) -> CallReviewer:
    """Put ``user`` (university staff: ``reviewer_problem``) on ``call``'s selection committee, while the call
    is a draft, open or closed (before allocation). Adding a member twice changes nothing. Raises
    ``PermissionDeniedError``, ``TransitionError``, ``ValidationError``."""
    current = _locked(call)
    _may_manage(actor, current)
    if current.state not in REVIEWER_STATES:
        raise TransitionError(_("The committee of a call is set until its places are allocated."))
    problem = reviewer_problem(user)
    if problem:
        raise ValidationError({"user": [problem]})
    reviewer, created = CallReviewer.objects.get_or_create(call=current, user=user)
    if created:
        _record(current, actor, "reviewer_added", lambda: _("%(user)s joined the committee") % {"user": user})
    return reviewer


@transaction.atomic
def reviewer_remove(*, reviewer: CallReviewer, actor) -> None:
    """Take a member off the committee (before allocation); the scores they gave stay with the applications.
    Raises ``PermissionDeniedError``, ``TransitionError``."""
    call = _locked(reviewer.call)
    _may_manage(actor, call)
    if call.state not in REVIEWER_STATES:
        raise TransitionError(_("The committee of a call is set until its places are allocated."))
    user = reviewer.user
    CallReviewer.objects.filter(pk=reviewer.pk, call=call).delete()
    _record(call, actor, "reviewer_removed", lambda: _("%(user)s left the committee") % {"user": user})
