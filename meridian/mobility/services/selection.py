"""Selection of outgoing exchange students: the automatic eligibility check, the school's pre-approval, the
committee's scores (with conflicts of interest) and the ranking.

The process follows the exchange selection Chinese universities run (design note, "Student exchange"):
school pre-screening, then ranking by points — grades, language, motivation, interview — by a committee, each
criterion weighted per call (``CallCriterion``). Grade averages are on the call's scale (``Call.grade_scale``:
4 for a GPA, 100 for marks); language levels are CEFR (Council of Europe, 2001/2020).

Scores: a criterion's points are 0…``max_points``. Points of "reviewers" criteria are the mean over the
submitted reviews of committee members without a conflict of interest; "grades" points are
grade_average ÷ grade_scale × max_points; "language" points are the CEFR level (A1 = 1 … C2 = 6) ÷ 6 ×
max_points. The score (0–100) is Σ weight × points ÷ max_points, divided by Σ weight and multiplied by 100 (so
weights that add up to 100 read directly as percentages). Ties are broken by the grade average (higher
first), then the submission time (earlier first), then the application number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.core.notifications import notify
from meridian.mobility import permissions
from meridian.mobility.choices import (
    CEFR_ORDER,
    ApplicationState,
    CallState,
    CriterionSource,
    EligibilityOutcome,
)
from meridian.mobility.models import Application, Call, CallCriterion, CallReviewer, Review, ReviewConflict
from meridian.workflow.services import case_move

A = ApplicationState
PASS, FAIL, CHECK = EligibilityOutcome.PASS, EligibilityOutcome.FAIL, EligibilityOutcome.CHECK
# The school's moves (``casework.APPLICATION_TRANSITIONS``).
SCHOOL_MOVES = ("pre_approve", "reject", "return")
# Applications in the ranking: approved by the school, and (before the results are published) allocated.
RANKED_STATES = (A.PRE_APPROVED, A.OFFERED, A.WAITLISTED)
# Calls whose committee may still score: before the results are published.
SCORING_CALL_STATES = (CallState.OPEN, CallState.CLOSED, CallState.ALLOCATED)
RANKING_CALL_STATES = (CallState.CLOSED, CallState.ALLOCATED)
MAX_COMMENT = 5000
MAX_REASON = 300
CENT = Decimal("0.01")


def _number(value: Decimal | int | None) -> str:
    """``Decimal("3.50")`` → ``"3.5"``, ``Decimal("4.00")`` → ``"4"``."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


# --- eligibility ---------------------------------------------------------------------------------------


def _rule(rule: str, outcome: str, message: str) -> dict[str, str]:
    return {"rule": rule, "outcome": str(outcome), "message": message}


def _year_rule(call: Call, application: Application) -> dict[str, str] | None:
    minimum = call.min_year_of_study
    if not minimum:
        return None
    year = application.year_of_study
    if year is None:
        return _rule("year_of_study", CHECK, _("The year of study is not given: the school checks it."))
    values = {"year": year, "min": minimum}
    if year >= minimum:
        return _rule("year_of_study", PASS, _("Year of study %(year)s (at least %(min)s).") % values)
    return _rule(
        "year_of_study", FAIL, _("Year of study %(year)s: the call requires at least year %(min)s.") % values
    )


def _grade_rule(call: Call, application: Application) -> dict[str, str] | None:
    minimum = call.min_grade
    if minimum is None:
        return None
    grade = application.grade_average
    if grade is None:
        return _rule("grade", CHECK, _("The grade average is not given: the school checks it."))
    values = {"grade": _number(grade), "scale": _number(call.grade_scale), "min": _number(minimum)}
    if grade < 0 or grade > call.grade_scale:
        return _rule(
            "grade",
            CHECK,
            _(
                "The grade average %(grade)s is not on the call's scale (0 to %(scale)s): the school "
                "checks it."
            )
            % values,
        )
    if grade >= minimum:
        return _rule("grade", PASS, _("Grade average %(grade)s of %(scale)s (at least %(min)s).") % values)
    return _rule(
        "grade", FAIL, _("Grade average %(grade)s of %(scale)s is below the minimum of %(min)s.") % values
    )


def _language_rule(call: Call, application: Application) -> dict[str, str] | None:
    from meridian.mobility.selectors.conditions import language_label as language_name

    minimum = call.min_cefr
    if not minimum:
        return None
    wanted = language_name(call.language) if call.language else ""
    values = {"language": wanted, "min": minimum, "level": application.cefr_level}
    if not application.cefr_level or (call.language and not application.language):
        return _rule("language", CHECK, _("The language level is not given: the school checks it."))
    if call.language and application.language != call.language:
        values["declared"] = language_name(application.language)
        return _rule(
            "language",
            CHECK,
            _(
                "The level given is for %(declared)s, the call asks for %(language)s %(min)s: the school "
                "checks the certificate."
            )
            % values,
        )
    if CEFR_ORDER.get(application.cefr_level, -1) >= CEFR_ORDER[minimum]:
        if wanted:
            return _rule("language", PASS, _("%(language)s %(level)s (at least %(min)s).") % values)
        return _rule("language", PASS, _("Language level %(level)s (at least %(min)s).") % values)
    if wanted:
        return _rule("language", FAIL, _("%(language)s %(level)s is below the required %(min)s.") % values)
    return _rule("language", FAIL, _("Language level %(level)s is below the required %(min)s.") % values)


def _record_rule(call: Call, application: Application) -> dict[str, str] | None:
    if not call.require_clean_record:
        return None
    if application.clean_record is None:
        return _rule(
            "clean_record", CHECK, _("The disciplinary declaration is not answered: the school checks it.")
        )
    if application.clean_record:
        return _rule("clean_record", PASS, _("No disciplinary record declared."))
    return _rule("clean_record", FAIL, _("A disciplinary record is declared; the call requires none."))


ELIGIBILITY_RULES = (_year_rule, _grade_rule, _language_rule, _record_rule)


def eligibility_check(*, application: Application, save: bool) -> list[dict]:
    """Check ``application`` against its call's eligibility rules, those the call sets: year of study, grade
    minimum on the call's scale, language and CEFR minimum, no disciplinary record.

    Returns ``[{"rule": "year_of_study" | "grade" | "language" | "clean_record", "outcome": "pass" | "fail"
    | "check", "message": str}]`` in that order; "check" where data is missing or cannot be compared, so the
    school decides. Messages are in the active language. With ``save`` the result is stored in
    ``application.eligibility`` (and ``eligibility_checked_at``); the ``submit`` move does this. Never raises
    for missing data.
    """
    call = application.call
    results = [row for rule in ELIGIBILITY_RULES if (row := rule(call, application)) is not None]
    if save:
        application.eligibility = results
        application.eligibility_checked_at = timezone.now()
        application.save(update_fields=["eligibility", "eligibility_checked_at"])
    return results


def eligibility_summary(results: Iterable[Mapping[str, Any]]) -> str:
    """The worst outcome of a check: "fail", else "check", else "pass" ("" for no rules)."""
    outcomes = {row.get("outcome") for row in results}
    for outcome in (FAIL, CHECK, PASS):
        if outcome in outcomes:
            return str(outcome)
    return ""


# --- the school's pre-approval -------------------------------------------------------------------------


@transaction.atomic
def school_decide(*, application: Application, actor, move: str, comment: str = "") -> Application:
    """The school's decision on a submitted application: ``move`` is "pre_approve", "reject" (not eligible)
    or "return" (to the student for correction, while the call is open). A non-empty ``comment`` is kept as
    ``school_note`` and in the log; "reject" and "return" need one.

    Who: ``permissions.can_pre_approve`` (the school's coordinators and secretaries, and the office).
    Raises ``ValidationError`` (unknown move, missing comment), ``PermissionDeniedError``,
    ``TransitionError`` (wrong state, call no longer selecting). Nothing changes when it raises.
    """
    if move not in SCHOOL_MOVES:
        raise ValidationError({"move": [_("“%(move)s” is not a decision of the school.") % {"move": move}]})
    comment = (comment or "").strip()
    application = case_move(case=application, actor=actor, move=move, comment=comment)
    if comment:
        application.school_note = comment
        application.save(update_fields=["school_note"])
    return application


# --- computed criteria and scores ----------------------------------------------------------------------


def computed_points(criterion: CallCriterion, application: Application) -> Decimal | None:
    """Points of a "grades" or "language" criterion (None when the data is missing or the criterion is
    scored by reviewers): grade_average ÷ grade_scale × max_points (at most max_points); CEFR A1 = 1 … C2 =
    6, ÷ 6 × max_points."""
    maximum = Decimal(criterion.max_points)
    if criterion.source == CriterionSource.GRADES:
        grade, scale = application.grade_average, application.call.grade_scale
        if grade is None or not scale or scale <= 0:
            return None
        return min(max(Decimal(grade) / Decimal(scale), Decimal(0)), Decimal(1)) * maximum
    if criterion.source == CriterionSource.LANGUAGE:
        if application.cefr_level not in CEFR_ORDER:
            return None
        return Decimal(CEFR_ORDER[application.cefr_level] + 1) / Decimal(len(CEFR_ORDER)) * maximum
    return None


@dataclass
class CriterionScore:
    criterion: CallCriterion
    points: Decimal | None  # mean points (reviewers) or computed points; None when missing
    reviews: int = 0  # reviews counted (reviewers' criteria)

    @property
    def missing(self) -> bool:
        return self.points is None


@dataclass
class ScoreSheet:
    """An application's score: ``score`` 0–100 (two decimals), one ``CriterionScore`` per criterion."""

    application: Application
    score: Decimal
    rows: list[CriterionScore] = field(default_factory=list)

    @property
    def missing(self) -> list[CriterionScore]:
        return [row for row in self.rows if row.missing]


def counted_reviews(application: Application, reviewer_ids: set[int] | None = None) -> list[Review]:
    """The submitted reviews that count: by current committee members without a conflict of interest.
    Uses prefetched ``reviews``/``conflicts`` when present."""
    conflicted = {c.reviewer_id for c in application.conflicts.all()}
    if reviewer_ids is None:
        reviewer_ids = set(
            CallReviewer.objects.filter(call_id=application.call_id).values_list("user_id", flat=True)
        )
    return [
        review
        for review in application.reviews.all()
        if review.submitted_at is not None
        and review.reviewer_id in reviewer_ids
        and review.reviewer_id not in conflicted
    ]


def score_sheet(
    application: Application, criteria: Sequence[CallCriterion], reviewer_ids: set[int] | None = None
) -> ScoreSheet:
    """Score ``application`` on ``criteria`` (see the module docstring). A missing criterion counts 0."""
    reviews = counted_reviews(application, reviewer_ids)
    rows: list[CriterionScore] = []
    total_weight = Decimal(0)
    total = Decimal(0)
    for criterion in criteria:
        if criterion.source == CriterionSource.REVIEWERS:
            values = []
            for review in reviews:
                value = (review.points or {}).get(criterion.code)
                if value is not None and value != "":
                    values.append(Decimal(str(value)))
            points = sum(values, Decimal(0)) / len(values) if values else None
            rows.append(CriterionScore(criterion, points, len(values)))
        else:
            points = computed_points(criterion, application)
            rows.append(CriterionScore(criterion, points))
        weight = Decimal(criterion.weight)
        total_weight += weight
        if points is not None and criterion.max_points:
            total += weight * points / Decimal(criterion.max_points)
    score = (total / total_weight * 100) if total_weight > 0 else Decimal(0)
    for row in rows:
        if row.points is not None:
            row.points = row.points.quantize(CENT, rounding=ROUND_HALF_UP)
    return ScoreSheet(application, score.quantize(CENT, rounding=ROUND_HALF_UP), rows)


# --- reviews -------------------------------------------------------------------------------------------


def _clean_points(call: Call, points: Mapping[str, Any], *, submit: bool) -> dict[str, int | float]:
    criteria = {c.code: c for c in call.criteria.filter(source=CriterionSource.REVIEWERS)}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, int | float] = {}
    for code in points:
        if code not in criteria:
            errors.setdefault("points", []).append(
                _("“%(code)s” is not a criterion the committee scores in this call.") % {"code": code}
            )
    for code, criterion in criteria.items():
        raw = points.get(code)
        if raw is None or str(raw).strip() == "":
            if submit:
                errors[code] = [_("Give the points for %(criterion)s.") % {"criterion": criterion.label}]
            continue
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            errors[code] = [_("Write the points as a number, for example 7 or 7.5.")]
            continue
        if not value.is_finite() or value < 0 or value > criterion.max_points:
            errors[code] = [
                _("%(criterion)s: give between 0 and %(max)s points.")
                % {"criterion": criterion.label, "max": criterion.max_points}
            ]
            continue
        if value != value.quantize(CENT):
            errors[code] = [_("Use at most two decimals.")]
            continue
        cleaned[code] = int(value) if value == value.to_integral_value() else float(value)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def review_save(
    *, application: Application, reviewer, points: Mapping[str, Any], comment: str = "", submit: bool
) -> Review:
    """Save ``reviewer``'s scores of ``application``: ``points`` is ``{criterion code: points}`` for the
    call's reviewer-scored criteria, each 0…max_points (at most two decimals). ``submit`` True counts the
    review in the ranking (every criterion must then have points); False keeps it as a draft that does not
    count (an earlier submission is taken back).

    Who: ``permissions.can_score`` (a committee member of the call without a conflict of interest), while
    the application is in the ranking (approved by the school) and the results are not published. Raises
    ``PermissionDeniedError``, ``TransitionError`` (wrong state), ``ValidationError`` (``{code: [message]}``
    per bad criterion, ``points`` for unknown codes, ``comment``). Nothing is stored when it raises.
    """
    if not permissions.can_score(reviewer, application):
        raise PermissionDeniedError(_("You may not score this application."))
    if application.state not in RANKED_STATES or application.call.state not in SCORING_CALL_STATES:
        raise TransitionError(
            _(
                "This application cannot be scored now: only applications approved by the "
                "school are scored, until the results are published."
            )
        )
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {"comment": [_("A comment has at most %(count)s characters.") % {"count": MAX_COMMENT}]}
        )
    cleaned = _clean_points(application.call, points, submit=submit)
    review = Review.objects.select_for_update().filter(application=application, reviewer=reviewer).first()
    if review is None:
        review = Review(application=application, reviewer=reviewer)
    review.points = cleaned
    review.comment = comment
    review.submitted_at = timezone.now() if submit else None
    review.full_clean(exclude=["application", "reviewer"])
    review.save()
    return review


def _may_declare(actor, reviewer, application: Application) -> None:
    if getattr(actor, "pk", None) == reviewer.pk:
        if not permissions.is_reviewer(actor, application.call):
            raise PermissionDeniedError(
                _("Only members of the call's committee declare conflicts of interest.")
            )
        return
    if not permissions.can_manage_call(actor, application.call):
        raise PermissionDeniedError(
            _("Only the reviewer or the office running the call may declare a conflict of interest.")
        )


@transaction.atomic
def conflict_declare(*, application: Application, reviewer, reason: str, actor) -> ReviewConflict:
    """Exclude ``reviewer`` from ``application`` for a conflict of interest (a relative, the student's
    supervisor, …): their review of it is deleted and they no longer see or score it.

    Who: the reviewer themselves (a committee member of the call), or the office running the call for any
    committee member (``permissions.can_manage_call``). ``reason`` is required (at most 300 characters).
    Raises ``PermissionDeniedError``, ``ValidationError`` (no reason, not a committee member),
    ``DomainError`` (already declared). Nothing changes when it raises.
    """
    _may_declare(actor, reviewer, application)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what the conflict of interest is.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": [_("The reason has at most %(count)s characters.") % {"count": MAX_REASON}]}
        )
    if not CallReviewer.objects.filter(call_id=application.call_id, user=reviewer).exists():
        raise ValidationError(
            {"reviewer": [_("%(user)s is not on this call's committee.") % {"user": reviewer}]}
        )
    if ReviewConflict.objects.filter(application=application, reviewer=reviewer).exists():
        raise DomainError(_("A conflict of interest is already recorded for this reviewer."))
    conflict = ReviewConflict.objects.create(
        application=application, reviewer=reviewer, reason=reason, declared_by=actor
    )
    Review.objects.filter(application=application, reviewer=reviewer).delete()
    number, name = application.number, str(reviewer)
    activity_record(
        target=application,
        verb="mobility.conflict_declared",
        actor=actor,
        message=lambda: (
            _("Conflict of interest: %(reviewer)s no longer reviews %(number)s")
            % {"reviewer": name, "number": number}
        ),
    )
    if getattr(actor, "pk", None) != reviewer.pk:
        notify(
            recipients=[reviewer],
            subject=lambda: _("You no longer review %(number)s (conflict of interest)") % {"number": number},
            body=lambda: reason,
            verb="mobility.conflict_declared",
            target=application,
        )
    return conflict


@transaction.atomic
def conflict_withdraw(*, conflict: ReviewConflict, actor) -> None:
    """Lift a conflict of interest recorded by mistake: the reviewer sees and scores the application again.
    Who: the office running the call (``permissions.can_manage_call``). Raises ``PermissionDeniedError``."""
    application = conflict.application
    if not permissions.can_manage_call(actor, application.call):
        raise PermissionDeniedError(_("Only the office running the call may lift a conflict of interest."))
    number, name = application.number, str(conflict.reviewer)
    conflict.delete()
    activity_record(
        target=application,
        verb="mobility.conflict_withdrawn",
        actor=actor,
        message=lambda: (
            _("Conflict of interest lifted: %(reviewer)s reviews %(number)s again")
            % {"reviewer": name, "number": number}
        ),
    )


# --- the ranking ---------------------------------------------------------------------------------------


@dataclass
class Ranking:
    """The result of ``ranking_compute``: score sheets in rank order, and what the office should know."""

    sheets: list[ScoreSheet]
    waiting_for_school: int = 0  # applications the school has not decided on yet

    @property
    def incomplete(self) -> list[ScoreSheet]:
        return [sheet for sheet in self.sheets if sheet.missing]


def ranking_pool(call: Call):
    """The applications of ``call`` in the ranking, with what scoring needs prefetched."""
    return (
        Application.objects.filter(call=call, state__in=RANKED_STATES)
        .select_related("call")
        .prefetch_related("reviews", "conflicts")
    )


def _tie_key(sheet: ScoreSheet) -> tuple:
    application = sheet.application
    grade = application.grade_average
    submitted = application.submitted_at
    return (
        -sheet.score,
        grade is None,
        -(grade or 0),
        submitted is None,
        submitted.timestamp() if submitted else 0,
        application.number,
    )


def rank_sheets(call: Call, applications: Iterable[Application]) -> list[ScoreSheet]:
    """Score sheets of ``applications`` sorted into rank order (score, then grade average, submission time,
    number)."""
    criteria = list(call.criteria.all())
    reviewer_ids = set(CallReviewer.objects.filter(call=call).values_list("user_id", flat=True))
    sheets = [score_sheet(application, criteria, reviewer_ids) for application in applications]
    return sorted(sheets, key=_tie_key)


@transaction.atomic
def ranking_compute(*, call: Call, actor) -> Ranking:
    """Score every application of ``call`` approved by the school and store ``score`` (0–100) and ``rank``
    (1 = best) on it; applications no longer in the ranking lose theirs. Missing points count 0: the result
    lists the incomplete score sheets and how many applications still wait for the school.

    Who: ``permissions.can_manage_call``; when: the call is closed (or allocated and not yet published —
    run the allocation again afterwards). Raises ``PermissionDeniedError``, ``TransitionError``.
    """
    if not permissions.can_manage_call(actor, call):
        raise PermissionDeniedError(_("You may not rank the applications of this call."))
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.state not in RANKING_CALL_STATES:
        raise TransitionError(
            _("The ranking is computed after the call closes and before the results are published.")
        )
    sheets = rank_sheets(call, ranking_pool(call))
    changed = []
    for position, sheet in enumerate(sheets, start=1):
        application = sheet.application
        if application.score != sheet.score or application.rank != position:
            application.score, application.rank = sheet.score, position
            changed.append(application)
    Application.objects.bulk_update(changed, ["score", "rank"], batch_size=500)
    Application.objects.filter(call=call).exclude(state__in=RANKED_STATES).exclude(
        score__isnull=True, rank__isnull=True
    ).update(score=None, rank=None)
    waiting = Application.objects.filter(call=call, state=A.SUBMITTED).count()
    count = len(sheets)
    activity_record(
        target=call,
        verb="mobility.ranking",
        actor=actor,
        message=lambda: _("Ranking computed: %(count)s applications") % {"count": count},
    )
    return Ranking(sheets=sheets, waiting_for_school=waiting)
