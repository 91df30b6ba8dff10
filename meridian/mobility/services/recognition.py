"""Grade conversion tables, the transcript of a mobility and the recognition of its courses.

Conversion (``grade_convert``) follows the partner's table in use. Basis "table": the table says which grade
of ours each partner grade is. Basis "distribution": the ECTS grading table (ECTS Users' Guide 2015, §4.3):
each side lists its passing grades, best first, with the share of students who got each (the shares of one
side add up to 100); a partner grade that covers the cumulative percentiles [a, b) converts to our grade whose
cumulative range [c, d) contains the midpoint (a + b) / 2. A partner grade listed without a share (a fail)
converts directly to the grade of ours written beside it.

After the student returns, the transcript is entered (prefilled from the approved learning agreement), or its
file uploaded, the grades converted, and each course decided: recognised, partly recognised or not recognised
(with a reason), as which course of ours and for how many credits. For an incoming student the same rows
record the transcript we issue: our courses and our grades, sent to the partner.

Every function is keyword-only, runs in one transaction and raises ``PermissionDeniedError``,
``TransitionError``, ``ValidationError`` or ``DomainError`` (``GradeConversionError`` for a grade a table does
not know) with a message for the user; nothing is stored when it raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.mobility import permissions
from meridian.mobility.choices import (
    ComponentChange,
    ConversionBasis,
    CreditSystem,
    LearningAgreementState,
    MobilityFileKind,
    MobilityState,
    RecognitionDecision,
)
from meridian.mobility.models import (
    CourseResult,
    GradeConversionRow,
    GradeConversionTable,
    LearningAgreementCourse,
    Mobility,
    MobilityFile,
)

# The shares of one side of a distribution table must add up to 100 % within this many points (published
# ECTS grading tables round each share).
PERCENT_TOLERANCE = Decimal("0.5")
MAX_CREDITS = Decimal(60)
# The transcript is entered once the student is back (and corrected until the mobility is completed).
RESULT_STATES = frozenset({MobilityState.RETURNED})

RESULT_FIELDS = (
    "id",
    "partner_code",
    "partner_title",
    "credits",
    "credit_system",
    "partner_grade",
    "passed",
    "converted_grade",
    "home_code",
    "home_title",
    "home_credits",
    "decision",
    "reason",
    "la_course",
)


class GradeConversionError(DomainError):
    code = "grade_conversion"


# --- conversion --------------------------------------------------------------------------------------------


def _norm(grade: str) -> str:
    return " ".join(str(grade or "").split()).casefold()


def _rows(table: GradeConversionTable) -> list[GradeConversionRow]:
    cached = getattr(table, "_rows_cache", None)
    if cached is None:
        cached = list(table.rows.order_by("order", "id"))
        table._rows_cache = cached  # type: ignore[attr-defined]
    return cached


def _find(table: GradeConversionTable, partner_grade: str) -> GradeConversionRow:
    wanted = _norm(partner_grade)
    rows = _rows(table)
    for row in rows:
        if row.partner_grade and _norm(row.partner_grade) == wanted:
            return row
    known = ", ".join(row.partner_grade for row in rows if row.partner_grade)
    raise GradeConversionError(
        _("“%(grade)s” is not a grade of the table “%(table)s” (its grades: %(known)s).")
        % {"grade": partner_grade, "table": table.name, "known": known or "—"}
    )


def _home_bands(rows: list[GradeConversionRow]) -> list[tuple[Decimal, Decimal, str]]:
    """Our grades with their cumulative ranges [c, d) in percent of the side's total (normalised to 100)."""
    listed = [(r.home_grade, r.home_percent) for r in rows if r.home_grade and r.home_percent is not None]
    total = sum((p for _g, p in listed), Decimal(0))
    bands, start = [], Decimal(0)
    for grade, percent in listed:
        end = start + (percent * 100 / total if total else Decimal(0))
        bands.append((start, end, grade))
        start = end
    return bands


def _partner_range(rows: list[GradeConversionRow], target: GradeConversionRow) -> tuple[Decimal, Decimal]:
    listed = [(r, r.partner_percent) for r in rows if r.partner_grade and r.partner_percent is not None]
    total = sum((percent for _r, percent in listed), Decimal(0))
    start = Decimal(0)
    for row, percent in listed:
        share = percent * 100 / total if total else Decimal(0)
        if row.pk == target.pk:
            return start, start + share
        start += share
    raise GradeConversionError(_("The grade is not part of the distribution."))  # pragma: no cover


def grade_convert(*, table: GradeConversionTable, partner_grade: str) -> str:
    """The grade of ours that ``partner_grade`` converts to under ``table`` (grades compared without regard to
    case or extra spaces).

    Basis "table": the row's grade of ours. Basis "distribution" (ECTS Users' Guide 2015, §4.3): the partner
    grade's cumulative range [a, b) of percentiles (shares normalised to a total of 100), midpoint m = (a + b)
    / 2, and our grade whose cumulative range [c, d) holds c ≤ m < d (the last grade when m reaches the end);
    a partner grade without a share converts to the grade written beside it.

    Raises ``GradeConversionError`` for a grade the table does not list or a table that cannot convert it
    (no grade of ours beside it, no distribution of ours).
    """
    row = _find(table, partner_grade)
    if table.basis != ConversionBasis.DISTRIBUTION or row.partner_percent is None:
        if not row.home_grade:
            raise GradeConversionError(
                _("The table “%(table)s” gives no grade of ours for “%(grade)s”.")
                % {"table": table.name, "grade": row.partner_grade}
            )
        return row.home_grade
    rows = _rows(table)
    bands = _home_bands(rows)
    if not bands:
        raise GradeConversionError(
            _("The table “%(table)s” has no distribution of our grades.") % {"table": table.name}
        )
    low, high = _partner_range(rows, row)
    middle = (low + high) / 2
    for start, end, grade in bands:
        if start <= middle < end:
            return grade
    return bands[-1][2]


def grade_passes(*, table: GradeConversionTable, partner_grade: str) -> bool:
    """Whether ``partner_grade`` is a pass under ``table``; raises ``GradeConversionError`` like
    ``grade_convert``."""
    return _find(table, partner_grade).passing


def active_table(*, partner_id: int) -> GradeConversionTable | None:
    """The partner's conversion table in use (the newest when several are), or None."""
    return (
        GradeConversionTable.objects.filter(partner_id=partner_id, active=True)
        .order_by("-valid_from", "-updated_at", "-id")
        .first()
    )


# --- conversion tables ------------------------------------------------------------------------------------


def _percent(value: Any, where: str, errors: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append(_("%(where)s: “%(value)s” is not a number.") % {"where": where, "value": value})
        return None
    if not number.is_finite() or number < 0 or number > 100:
        errors.append(_("%(where)s: a share lies between 0 and 100 %%.") % {"where": where})
        return None
    if number != number.quantize(Decimal("0.01")):  # stored with two decimals: never round silently
        errors.append(_("%(where)s: give the share with at most two decimals.") % {"where": where})
        return None
    return number


def _clean_table_rows(basis: str, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen_partner: dict[str, int] = {}
    seen_home: dict[str, int] = {}
    distribution = basis == ConversionBasis.DISTRIBUTION
    for index, raw in enumerate(rows, start=1):
        where = _("Line %(line)s") % {"line": index}
        partner_grade = str(raw.get("partner_grade") or "").strip()
        home_grade = str(raw.get("home_grade") or "").strip()
        if len(partner_grade) > 20 or len(home_grade) > 20:
            errors.append(_("%(where)s: a grade has at most 20 characters.") % {"where": where})
        partner_percent = _percent(raw.get("partner_percent"), where, errors)
        home_percent = _percent(raw.get("home_percent"), where, errors)
        passing = bool(raw.get("passing", True))
        if partner_grade:
            key = _norm(partner_grade)
            if key in seen_partner:
                errors.append(
                    _("%(where)s: the partner grade “%(grade)s” is listed twice.")
                    % {"where": where, "grade": partner_grade}
                )
            seen_partner[key] = index
        if not distribution:
            if not partner_grade or not home_grade:
                errors.append(
                    _("%(where)s: give the partner grade and the grade of ours it converts to.")
                    % {"where": where}
                )
            partner_percent = home_percent = None
        else:
            if partner_percent is not None and not partner_grade:
                errors.append(_("%(where)s: a share needs its partner grade.") % {"where": where})
            if home_percent is not None and not home_grade:
                errors.append(_("%(where)s: a share needs its grade of ours.") % {"where": where})
            if partner_grade and partner_percent is None and (not home_grade or home_percent is not None):
                errors.append(
                    _(
                        "%(where)s: give the share of students at the partner with “%(grade)s”, or (for a "
                        "fail) the grade of ours it converts to, without a share."
                    )
                    % {"where": where, "grade": partner_grade}
                )
            if home_grade and home_percent is not None:
                key = _norm(home_grade)
                if key in seen_home:
                    errors.append(
                        _("%(where)s: our grade “%(grade)s” is listed twice.")
                        % {"where": where, "grade": home_grade}
                    )
                seen_home[key] = index
            if not partner_grade and not home_grade:
                errors.append(_("%(where)s: give a grade.") % {"where": where})
        cleaned.append(
            {
                "order": index,
                "partner_grade": partner_grade,
                "home_grade": home_grade,
                "partner_percent": partner_percent,
                "home_percent": home_percent,
                "passing": passing,
            }
        )
    if not seen_partner and not errors:
        errors.append(_("List at least one partner grade."))
    if distribution and not errors:
        for name, label in (
            ("partner_percent", _("the partner's shares")),
            ("home_percent", _("our shares")),
        ):
            shares = [r[name] for r in cleaned if r[name] is not None]
            total = sum(shares, Decimal(0))
            if not shares:
                errors.append(_("Give %(side)s of students per grade.") % {"side": label})
            elif abs(total - 100) > PERCENT_TOLERANCE:
                errors.append(
                    _("%(side)s add up to %(total)s %%, not 100 %%.")
                    % {"side": label.capitalize(), "total": total}
                )
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def conversion_table_save(
    *,
    partner: Any,
    actor: Any,
    rows: Iterable[Mapping[str, Any]],
    name: str,
    basis: str,
    home_scale: str = "",
    valid_from: Any = None,
    active: bool = True,
    table: GradeConversionTable | None = None,
) -> GradeConversionTable:
    """Create (``table`` None) or replace a conversion table of ``partner`` with its ``rows`` (dicts with
    ``partner_grade``, ``home_grade``, ``partner_percent``, ``home_percent`` (percent, 0–100), ``passing``;
    best grade first). A table in use takes the partner's other tables out of use.

    Rules — basis "table": each line a partner grade and the grade of ours; basis "distribution": each side's
    shares add up to 100 % (± ``PERCENT_TOLERANCE``), a partner grade without a share (a fail) names its grade
    of ours; partner grades (and our graded shares) are unique (case does not count). Raises
    ``PermissionDeniedError`` (``permissions.can_manage_conversion_tables``) or ``ValidationError`` (one
    message per problem).
    """
    if not permissions.can_manage_conversion_tables(actor):
        raise PermissionDeniedError(
            _("Only the International Office and school coordinators edit grade tables.")
        )
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(_("Give the table a name."))
    if basis not in ConversionBasis.values:
        errors.append(_("Unknown basis “%(basis)s”.") % {"basis": basis})
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_table_rows(basis, list(rows))
    if table is None:
        table = GradeConversionTable(partner=partner)
    else:
        table = GradeConversionTable.objects.select_for_update().get(pk=table.pk)
        if table.partner_id != partner.pk:
            raise PermissionDeniedError(_("This table belongs to another partner."))
    table.name = name[:200]
    table.basis = basis
    table.home_scale = (home_scale or "").strip()[:100] or table.home_scale
    table.valid_from = valid_from or None
    table.active = bool(active)
    table.updated_by = actor
    table._history_user = actor  # type: ignore[attr-defined]
    table.save()
    table.rows.all().delete()
    GradeConversionRow.objects.bulk_create([GradeConversionRow(table=table, **row) for row in cleaned])
    if table.active:
        GradeConversionTable.objects.filter(partner_id=partner.pk, active=True).exclude(pk=table.pk).update(
            active=False
        )
    activity_record(
        target=table,
        verb="saved",
        actor=actor,
        message=lambda: _("Grade conversion table “%(name)s” saved") % {"name": table.name},
    )
    return table


# --- the transcript and recognition -----------------------------------------------------------------------


def _require_decider(actor: Any, mobility: Mobility) -> None:
    if not permissions.can_decide_recognition(actor, mobility):
        raise PermissionDeniedError(
            _(
                "Only the International Office and the student's school enter transcripts and decide "
                "recognition."
            )
        )


def _require_open(mobility: Mobility) -> None:
    if mobility.state not in RESULT_STATES:
        raise TransitionError(
            _("The transcript is entered after the student's return; this mobility is “%(state)s”.")
            % {"state": mobility.get_state_display()}
        )


def _locked_mobility(mobility: Mobility) -> Mobility:
    return Mobility.objects.select_for_update(of=("self",)).select_related("partner").get(pk=mobility.pk)


def approved_courses(mobility: Mobility) -> list[LearningAgreementCourse]:
    """The course rows (not removed) of the mobility's approved learning agreement, or []."""
    la = (
        mobility.learning_agreements.filter(state=LearningAgreementState.APPROVED)
        .order_by("-version_number")
        .first()
    )
    if la is None:
        return []
    return list(la.courses.exclude(change=ComponentChange.REMOVED).order_by("order", "id"))


@transaction.atomic
def transcript_prefill(*, mobility: Mobility, actor: Any) -> list[CourseResult]:
    """Start the transcript from the approved learning agreement: one row per course (not removed) not on the
    transcript yet. Outgoing: the partner's course (receiving side) with the course of ours it replaces as the
    proposed recognition; incoming: our course (receiving side) with the partner's course it replaces. Grades
    are left to fill in. Returns the rows made. Raises ``PermissionDeniedError``, ``TransitionError`` (not
    returned; no approved learning agreement)."""
    mobility = _locked_mobility(mobility)
    _require_decider(actor, mobility)
    _require_open(mobility)
    courses = approved_courses(mobility)
    if not courses:
        raise TransitionError(_("This mobility has no approved learning agreement to start from."))
    have = set(mobility.results.exclude(la_course__isnull=True).values_list("la_course_id", flat=True))
    made = []
    for course in courses:
        if course.pk in have:
            continue
        made.append(
            CourseResult(
                mobility=mobility,
                la_course=course,
                partner_code=course.receiving_code,
                partner_title=course.receiving_title,
                credits=course.receiving_credits,
                credit_system=course.receiving_credit_system,
                partner_grade="",
                home_code=course.sending_code,
                home_title=course.sending_title,
                home_credits=course.sending_credits,
            )
        )
    CourseResult.objects.bulk_create(made)
    if made:
        activity_record(
            target=mobility,
            verb="transcript_prefilled",
            actor=actor,
            message=lambda: (
                _("Transcript started from the learning agreement (%(count)s courses)") % {"count": len(made)}
            ),
        )
    return made


def _number(value: Any, label: str, where: str, errors: list[str], *, required: bool) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(_("%(where)s: give the %(what)s.") % {"where": where, "what": label})
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append(_("%(where)s: “%(value)s” is not a number.") % {"where": where, "value": value})
        return None
    if (
        not number.is_finite()
        or number <= 0
        or number > MAX_CREDITS
        or number != number.quantize(Decimal("0.1"))
    ):
        errors.append(
            _(
                "%(where)s: the %(what)s must be more than 0 and at most %(max)s, with at most one "
                "decimal place."
            )
            % {"where": where, "what": label, "max": MAX_CREDITS}
        )
        return None
    return number


@transaction.atomic
def course_results_save(
    *, mobility: Mobility, actor: Any, rows: Iterable[Mapping[str, Any]]
) -> list[CourseResult]:
    """Save the transcript of ``mobility`` and the recognition decisions: ``rows`` are dicts with the keys of
    ``RESULT_FIELDS`` (``id`` of an existing row, or None for a new one; rows of the transcript not given are
    deleted). Per row: the course's title, credits (more than 0, at most 60) and grade are required; an empty
    converted grade is converted with the partner's table in use (``grade_convert``; a grade the table does
    not know is an error asking to type the converted grade); a typed one is kept as typed. Decisions
    (outgoing mobilities): "recognised" and "partial" need our course's title, our credits and a converted
    grade; "partial" and "not recognised" need a reason; the decider and time are recorded when a decision
    changes. An incoming mobility's rows are our courses and grades (no decision).

    Raises ``PermissionDeniedError`` (``permissions.can_decide_recognition``), ``TransitionError`` (not
    returned), ``ValidationError`` (one message per problem, naming the row).
    """
    mobility = _locked_mobility(mobility)
    _require_decider(actor, mobility)
    _require_open(mobility)
    existing = {r.pk: r for r in mobility.results.all()}
    table = active_table(partner_id=mobility.partner_id) if mobility.is_outgoing else None
    errors: list[str] = []
    prepared: list[tuple[CourseResult, bool]] = []
    kept: set[int] = set()
    valid_courses = set(
        LearningAgreementCourse.objects.filter(learning_agreement__mobility_id=mobility.pk).values_list(
            "pk", flat=True
        )
    )
    for index, raw in enumerate(rows, start=1):
        where = _("Row %(row)s") % {"row": index}
        unknown = sorted(set(raw) - set(RESULT_FIELDS))
        if unknown:
            errors.append(
                _("%(where)s: unknown field %(field)s.") % {"where": where, "field": ", ".join(unknown)}
            )
            continue
        pk = raw.get("id")
        if pk:
            result = existing.get(int(pk))
            if result is None:
                errors.append(
                    _("%(where)s was deleted by someone else meanwhile: reload the page.") % {"where": where}
                )
                continue
            kept.add(result.pk)
        else:
            result = CourseResult(mobility=mobility)
        before_decision, before_converted = result.decision, result.converted_grade
        before_grade, automatic = result.partner_grade, result.conversion_table_id is not None
        texts = {}
        for name, limit in (
            ("partner_code", 40),
            ("partner_title", 300),
            ("partner_grade", 20),
            ("converted_grade", 20),
            ("home_code", 40),
            ("home_title", 300),
            ("reason", 300),
        ):
            texts[name] = str(raw.get(name) or "").strip()
            if len(texts[name]) > limit:
                errors.append(
                    _("%(where)s: “%(text)s…” is longer than %(limit)s characters.")
                    % {"where": where, "text": texts[name][:30], "limit": limit}
                )
        if not texts["partner_title"]:
            errors.append(_("%(where)s: give the course title.") % {"where": where})
        if not texts["partner_grade"]:
            errors.append(_("%(where)s: give the grade.") % {"where": where})
        credits = _number(raw.get("credits"), _("credits"), where, errors, required=True)
        home_credits = _number(raw.get("home_credits"), _("credits of ours"), where, errors, required=False)
        credit_system = str(raw.get("credit_system") or CreditSystem.ECTS)
        if credit_system not in CreditSystem.values:
            errors.append(_("%(where)s: unknown credit system.") % {"where": where})
        decision = str(raw.get("decision") or RecognitionDecision.PENDING)
        if decision not in RecognitionDecision.values:
            errors.append(_("%(where)s: unknown decision “%(value)s”.") % {"where": where, "value": decision})
            decision = RecognitionDecision.PENDING
        if not mobility.is_outgoing:
            decision = RecognitionDecision.PENDING
        la_course = raw.get("la_course") or None
        if la_course is not None and int(la_course) not in valid_courses:
            la_course = None
        # The converted grade: typed (kept), or converted with the table when empty or when it was converted
        # automatically before and is unchanged on the form.
        converted, used_table, passed = texts["converted_grade"], None, bool(raw.get("passed", True))
        typed = bool(converted) and not (automatic and converted == before_converted)
        if mobility.is_outgoing and texts["partner_grade"] and not typed:
            if table is not None:
                try:
                    converted = grade_convert(table=table, partner_grade=texts["partner_grade"])
                    passed = grade_passes(table=table, partner_grade=texts["partner_grade"])
                    used_table = table
                except GradeConversionError as exc:
                    errors.append(
                        _("%(where)s: %(error)s Type the converted grade.")
                        % {"where": where, "error": exc.message}
                    )
            elif automatic and texts["partner_grade"] != before_grade:
                converted = ""  # converted from another grade by a table no longer in use
        if mobility.is_outgoing:
            if decision in (RecognitionDecision.RECOGNISED, RecognitionDecision.PARTIAL):
                if not texts["home_title"] or home_credits is None:
                    errors.append(
                        _("%(where)s: a recognised course needs our course's title and credits.")
                        % {"where": where}
                    )
                if not converted:
                    errors.append(
                        _("%(where)s: a recognised course needs the converted grade.") % {"where": where}
                    )
            if (
                decision in (RecognitionDecision.PARTIAL, RecognitionDecision.NOT_RECOGNISED)
                and not texts["reason"]
            ):
                errors.append(
                    _("%(where)s: say why the course is %(decision)s.")
                    % {"where": where, "decision": RecognitionDecision(decision).label.lower()}
                )
        result.partner_code = texts["partner_code"]
        result.partner_title = texts["partner_title"]
        result.credits = credits if credits is not None else Decimal(0)
        result.credit_system = credit_system
        result.partner_grade = texts["partner_grade"]
        result.passed = passed
        result.converted_grade = converted
        result.conversion_table = used_table
        result.home_code = texts["home_code"]
        result.home_title = texts["home_title"]
        result.home_credits = home_credits
        result.decision = decision
        result.reason = texts["reason"] if decision != RecognitionDecision.RECOGNISED else ""
        result.la_course_id = int(la_course) if la_course else result.la_course_id
        changed = decision != before_decision or (
            decision != RecognitionDecision.PENDING
            and (result.converted_grade != before_converted or result.partner_grade != before_grade)
        )
        prepared.append((result, changed))
    if not errors and not prepared:
        errors.append(_("Enter at least one course."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    mobility.results.exclude(pk__in=kept).delete()
    saved = []
    for result, changed in prepared:
        if result.decision == RecognitionDecision.PENDING:
            result.decided_at = result.decided_by = None
        elif changed or result.decided_at is None:
            result.decided_at, result.decided_by = now, actor
        result._history_user = actor  # type: ignore[attr-defined]
        result.save()
        saved.append(result)
    activity_record(
        target=mobility,
        verb="transcript_saved",
        actor=actor,
        message=lambda: _("Transcript and recognition saved (%(count)s courses)") % {"count": len(saved)},
    )
    return saved


@transaction.atomic
def course_results_convert(*, mobility: Mobility, actor: Any) -> list[str]:
    """Convert the grades of the transcript with the partner's table in use, for every row whose converted
    grade is empty or was converted automatically (typed grades are kept). Returns the problems (grades the
    table does not know), one message per row; the other rows are converted. Raises
    ``PermissionDeniedError``, ``TransitionError`` (not returned; no table in use)."""
    mobility = _locked_mobility(mobility)
    _require_decider(actor, mobility)
    _require_open(mobility)
    table = active_table(partner_id=mobility.partner_id)
    if table is None:
        raise TransitionError(
            _("%(partner)s has no grade conversion table in use: add one, or type the converted grades.")
            % {"partner": mobility.partner}
        )
    problems = []
    for index, result in enumerate(mobility.results.order_by("id"), start=1):
        if not result.partner_grade or (result.converted_grade and result.conversion_table_id is None):
            continue
        try:
            result.converted_grade = grade_convert(table=table, partner_grade=result.partner_grade)
            result.passed = grade_passes(table=table, partner_grade=result.partner_grade)
        except GradeConversionError as exc:
            problems.append(_("Row %(row)s: %(error)s") % {"row": index, "error": exc.message})
            continue
        result.conversion_table = table
        result._history_user = actor  # type: ignore[attr-defined]
        result.save(update_fields=["converted_grade", "passed", "conversion_table"])
    return problems


@transaction.atomic
def transcript_upload(*, mobility: Mobility, actor: Any, uploaded_file: UploadedFile) -> MobilityFile:
    """Store the transcript file of ``mobility`` (kind "transcript"; type checked from the content: PDF, Word,
    Excel, PNG or JPEG up to MAX_UPLOAD_MB). Raises ``PermissionDeniedError``, ``TransitionError`` (before the
    return) or ``DomainError`` (a bad file)."""
    from meridian.workflow.files import checked_file

    mobility = _locked_mobility(mobility)
    _require_decider(actor, mobility)
    if mobility.state not in RESULT_STATES | {MobilityState.ACTIVE}:
        raise TransitionError(
            _("The transcript is added at the end of the stay; this mobility is “%(state)s”.")
            % {"state": mobility.get_state_display()}
        )
    content, name, content_type, size, digest = checked_file(uploaded_file)
    row = MobilityFile(
        mobility=mobility,
        kind=MobilityFileKind.TRANSCRIPT,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=actor,
    )
    row.file.save(name, content, save=False)
    row.save()
    activity_record(
        target=mobility,
        verb="transcript_uploaded",
        actor=actor,
        message=lambda: _("Transcript file %(name)s added") % {"name": name},
    )
    return row
