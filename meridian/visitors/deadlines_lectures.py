"""Deadline clocks of the lecture outline review (see ``rules_lectures``).

Both follow from the data (``ClockSource``), so the daily ``clocks_sync`` opens and closes them; the lecture
services also close them at once when the outline is submitted, decided or the lecture cancelled.

- ``visitors.lecture_outline``: a draft lecture that needs the review and whose outline was not submitted (or
  was rejected and not submitted again) — due at the end of ``Lecture.review_due_on`` (start − ``days_ahead``
  days). The organiser (who filed the lecture) is responsible; the unit's secretaries are reminded next.
  Met when the outline is submitted, the review is no longer needed, or the lecture is cancelled or held.
- ``visitors.lecture_review``: an outline under review — the office is reminded until it decides. Due at the
  end of the day before the lecture, the last day a decision still lets the lecture be announced.

Keys carry the time of the previous decision, so that after a rejection a new round opens new clocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.sources import ClockSource, Wanted, sources
from meridian.core.i18n import localised
from meridian.visitors.choices import LectureReview, LectureState
from meridian.visitors.models import Lecture

OUTLINE_RULE = "visitors.lecture_outline"
REVIEW_RULE = "visitors.lecture_review"
OUTLINE_MET_NOTE = "The outline was submitted for review, or the review is no longer needed."
REVIEW_MET_NOTE = "The International Office decided on the outline, or the lecture was cancelled."

OUTLINE_LADDER = (Step(-3, "days", "responsible"), Step(0, "days", "unit"))
REVIEW_LADDER = (Step(-2, "days", "office"), Step(0, "days", "office"))


def _round(lecture: Lecture) -> str:
    return lecture.reviewed_at.isoformat() if lecture.reviewed_at else "first"


def outline_clock_meet(lecture: Lecture) -> int:
    """Close, now, the open outline clock(s) of ``lecture``; returns how many were closed."""
    from meridian.clocks.services import obligations_meet_for

    return obligations_meet_for(subject=lecture, rule=OUTLINE_RULE, note=OUTLINE_MET_NOTE)


def review_clock_meet(lecture: Lecture) -> int:
    """Close, now, the open review clock(s) of ``lecture``; returns how many were closed."""
    from meridian.clocks.services import obligations_meet_for

    return obligations_meet_for(subject=lecture, rule=REVIEW_RULE, note=REVIEW_MET_NOTE)


def _title(template, lecture: Lecture):
    """A title built in the reader's language (``template`` is a lazy translation)."""
    english, chinese = lecture.title_en, lecture.title_zh
    return lambda: str(template) % {"title": localised(english, chinese)}


def wanted_outlines(today) -> Iterator[Wanted]:
    """Draft lectures still to come that need the review and whose outline is not submitted."""
    from meridian.visitors.rules_lectures import review_needed

    rows = (
        Lecture.objects.filter(
            state=LectureState.DRAFT,
            review__in=[LectureReview.NOT_NEEDED, LectureReview.REJECTED],
            review_due_on__isnull=False,
            starts_at__gte=timezone.now(),
        )
        .select_related("unit", "created_by", "guest__person__nationality")
        .order_by("review_due_on", "pk")
    )
    for lecture in rows.iterator(chunk_size=500):
        if not review_needed(lecture):
            continue
        yield Wanted(
            subject=lecture,
            key=f"outline:{_round(lecture)}",
            title=_title(gettext_lazy("Submit the outline of the lecture “%(title)s” for review"), lecture),
            due_on=lecture.review_due_on,
            responsible=lecture.created_by,
            unit=lecture.unit,
        )


def wanted_reviews(today) -> Iterator[Wanted]:
    """Outlines under review of lectures not cancelled: the office decides by the day before the lecture."""
    rows = (
        Lecture.objects.filter(review=LectureReview.PENDING)
        .exclude(state=LectureState.CANCELLED)
        .select_related("unit")
        .order_by("starts_at", "pk")
    )
    for lecture in rows.iterator(chunk_size=500):
        yield Wanted(
            subject=lecture,
            key=f"review:{_round(lecture)}",
            title=_title(gettext_lazy("Decide on the outline of the lecture “%(title)s”"), lecture),
            due_on=timezone.localdate(lecture.starts_at) - timedelta(days=1),
            unit=lecture.unit,
        )


clock_rules.register(
    ClockRule(
        code=OUTLINE_RULE,
        label=gettext_lazy("Lecture outline to submit for review"),
        description=gettext_lazy(
            "Public lectures by speakers from abroad: the organiser submits the outline a set number of days "
            "before the lecture; the organiser, then the unit's secretaries are reminded."
        ),
        ladder=OUTLINE_LADDER,
    )
)
clock_rules.register(
    ClockRule(
        code=REVIEW_RULE,
        label=gettext_lazy("Lecture outline to review"),
        description=gettext_lazy(
            "The International Office decides on a submitted lecture outline by the day before the lecture."
        ),
        ladder=REVIEW_LADDER,
    )
)
sources.register(ClockSource(rule=OUTLINE_RULE, wanted=wanted_outlines, met_note=OUTLINE_MET_NOTE))
sources.register(ClockSource(rule=REVIEW_RULE, wanted=wanted_reviews, met_note=REVIEW_MET_NOTE))
