"""Lectures and talks of visiting scholars: filing, editing, the outline review, publishing on the public
calendar, unpublishing and cancelling.

States (``LectureState``): draft → published ⇄ draft, and draft or published → cancelled (final). The outline
review (``LectureReview``) runs beside them: a lecture that needs it (``rules_lectures.review_needed``: a
public lecture by a foreign speaker while the review is in force) is submitted with its outline no later than
``review_due_on`` (start − ``days_ahead`` calendar days, default 7), the International Office approves or
rejects it, and only an approved lecture is published. A lecture inside the review window that was not
reviewed cannot be published.

iCalendar ``SEQUENCE``: bumped when a lecture is published, when a lecture that was ever published changes,
and when it is cancelled; so a lecture with ``sequence`` > 0 was published at some point, and a cancelled one
stays in the feed as ``STATUS:CANCELLED``.

Every function is keyword-only, runs in one transaction with the lecture row locked, records an activity and
raises ``PermissionDeniedError``, ``TransitionError``, ``StaleEditError`` or ``ValidationError`` with a
message for the user.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.accounts.models import OrgUnit
from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.notifications import notify
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.visitors import permissions, rules_lectures
from meridian.visitors.choices import LectureReview, LectureState
from meridian.visitors.models import Lecture, Visit, VisitGuest

# What a form may change; the content fields are what the outline review looked at.
EDITABLE_FIELDS = (
    "unit",
    "guest",
    "speaker",
    "speaker_affiliation",
    "title_en",
    "title_zh",
    "abstract_en",
    "abstract_zh",
    "starts_at",
    "ends_at",
    "place_en",
    "place_zh",
    "is_public",
    "outline",
)
CONTENT_FIELDS = (
    "guest",
    "speaker",
    "speaker_affiliation",
    "title_en",
    "title_zh",
    "abstract_en",
    "abstract_zh",
    "outline",
)
TEXT_FIELDS = tuple(
    f for f in EDITABLE_FIELDS if f not in ("unit", "guest", "starts_at", "ends_at", "is_public")
)
REVIEW_OPEN = (LectureReview.NOT_NEEDED, LectureReview.REJECTED)  # the outline may be (re)submitted

# Plausibility limits of a lecture's time (the office's decision, not a regulation): a lecture, a talk or a
# short lecture series lasts at most two weeks, and is announced at most three years ahead. A new lecture
# starts in the future; once a lecture has started, only the International Office corrects its record
# (``lecture_update``), and only the office moves a lecture's start into the past.
MAX_LENGTH_DAYS = 14
MAX_YEARS_AHEAD = 3


# --- helpers ------------------------------------------------------------------------------------------------


def _today():
    return timezone.localdate()


def _locked(lecture: Lecture) -> Lecture:
    return (
        Lecture.objects.select_for_update(of=("self",))
        .select_related("visit", "guest__person", "unit")
        .get(pk=lecture.pk)
    )


def _may_manage(actor, lecture: Lecture) -> None:
    if actor is not None and not permissions.can_manage_lecture(actor, lecture):
        raise PermissionDeniedError(
            _(
                "Only the organising unit's secretaries, the visit's host or the International Office manage "
                "this lecture."
            )
        )


def _save(lecture: Lecture, actor, fields: list[str]) -> None:
    bump_version(lecture)
    lecture._history_user = actor  # type: ignore[attr-defined]
    lecture.save(update_fields=[*fields, "version", "updated_at"])


def _record(lecture: Lecture, actor, verb: str, message: Callable[[], str], comment: str = "") -> None:
    activity_record(target=lecture, verb=verb, actor=actor, message=message, comment=comment)


def lecture_url(lecture: Lecture) -> str:
    try:
        return reverse("visitors:lecture_detail", args=[lecture.pk])
    except NoReverseMatch:
        return ""


def _office_users() -> list:
    from meridian.accounts.choices import Role
    from meridian.accounts.models import User

    return list(User.objects.filter(is_active=True, memberships__role=Role.OFFICER).distinct()[:20])


def _organisers(lecture: Lecture) -> list:
    people = [lecture.created_by]
    if lecture.visit is not None:
        people.append(lecture.visit.host)
    return people


def latest_start(today=None):
    """The last day a lecture may start on: ``MAX_YEARS_AHEAD`` years from today (28 February for 29)."""
    today = today or _today()
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def _is_office(actor) -> bool:
    return actor is None or permissions.is_office(actor)


def _time_errors(
    starts: Any, ends: Any, *, current: Lecture | None, actor, errors: dict[str, list[str]]
) -> None:
    """The checks of a lecture's time (``MAX_LENGTH_DAYS``, ``MAX_YEARS_AHEAD``, no new start in the past
    but by the office), added to ``errors`` per field."""
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        return
    if ends <= starts:
        errors["ends_at"] = [_("The lecture must end after it starts.")]
    elif ends - starts > timedelta(days=MAX_LENGTH_DAYS):
        errors["ends_at"] = [
            _("A lecture may last at most %(days)s days: check the end date.") % {"days": MAX_LENGTH_DAYS}
        ]
    if current is not None and starts == current.starts_at:
        return  # the start is not changed: a past lecture's record keeps its date
    limit = latest_start()
    if timezone.localdate(starts) > limit:
        errors["starts_at"] = [
            _("A lecture must start within %(years)s years, by %(date)s at the latest.")
            % {"years": MAX_YEARS_AHEAD, "date": limit.isoformat()}
        ]
    elif starts < timezone.now():
        if current is None:
            errors["starts_at"] = [_("A new lecture must start in the future.")]
        elif not _is_office(actor):
            errors["starts_at"] = [
                _(
                    "The lecture must start in the future: only the International Office records past "
                    "lectures."
                )
            ]


def _clean_values(
    values: dict[str, Any], *, visit: Visit | None, current: Lecture | None = None, actor=None
) -> dict[str, Any]:
    """Trim the texts and check what a lecture needs (with ``current``, the lecture being changed, for the
    values not given); raises ``ValidationError`` per field."""
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(EDITABLE_FIELDS)
    for name in sorted(unknown):
        errors[name] = [_("Unknown field.")]
    for name in TEXT_FIELDS:
        if name in values:
            values[name] = (values[name] or "").strip()
    for name, message in (
        ("speaker", _("Name the speaker.")),
        ("title_en", _("Give the title in English.")),
        ("place_en", _("Say where the lecture takes place (in English).")),
    ):
        if name in values and not values[name]:
            errors[name] = [message]
    starts, ends = values.get("starts_at"), values.get("ends_at")
    for name, value in (("starts_at", starts), ("ends_at", ends)):
        if name in values and not isinstance(value, datetime):
            errors[name] = [_("Give a date and a time.")]
    if current is not None:
        starts = values.get("starts_at", current.starts_at)
        ends = values.get("ends_at", current.ends_at)
    if not (set(errors) & {"starts_at", "ends_at"}):
        _time_errors(starts, ends, current=current, actor=actor, errors=errors)
    guest = values.get("guest")
    if guest is not None and (visit is None or guest.visit_id != visit.pk):
        errors["guest"] = [_("The speaker must be a guest of the lecture's visit.")]
    if visit is not None and isinstance(starts, datetime):
        day = timezone.localdate(starts)
        if not visit.arrive_on <= day <= visit.depart_on and "starts_at" not in errors:
            errors["starts_at"] = [
                _("The lecture must be held during the visit, between %(start)s and %(end)s.")
                % {"start": visit.arrive_on.isoformat(), "end": visit.depart_on.isoformat()}
            ]
    if errors:
        raise ValidationError(errors)
    return values


def _refresh_due(lecture: Lecture) -> None:
    lecture.review_due_on = rules_lectures.review_due_on(lecture)


# --- filing and editing -------------------------------------------------------------------------------------


def guest_defaults(guest: VisitGuest) -> dict[str, str]:
    """What a guest brings to a lecture form: ``{"speaker": "Anna Schmidt", "speaker_affiliation": …}``."""
    person = guest.person
    name = " ".join(p for p in (person.given_name, person.family_name) if p) or str(person)
    return {"speaker": name, "speaker_affiliation": guest.visit.organisation_name}


@transaction.atomic
def lecture_create(
    *,
    actor,
    unit: OrgUnit,
    speaker: str,
    title_en: str,
    starts_at: datetime,
    ends_at: datetime,
    place_en: str,
    visit: Visit | None = None,
    guest: VisitGuest | None = None,
    speaker_affiliation: str = "",
    title_zh: str = "",
    abstract_en: str = "",
    abstract_zh: str = "",
    place_zh: str = "",
    is_public: bool = True,
    outline: str = "",
) -> Lecture:
    """File a draft lecture of ``unit`` (aware datetimes ``starts_at`` < ``ends_at``; texts in English, with
    optional Chinese). With a ``visit`` the lecture is held during it (its local start date between arrival
    and departure) and ``guest`` must be one of its guests. The office and the unit's secretaries may file it;
    for a visit's lecture also its host, for the visit's host unit (``permissions.can_add_lecture``).

    The lecture starts in the future, no later than ``MAX_YEARS_AHEAD`` (3) years from today, and lasts at
    most ``MAX_LENGTH_DAYS`` (14) calendar days. Its review due date is set from the rule pack
    (``rules_lectures.review_due_on``). Raises ``PermissionDeniedError`` and ``ValidationError`` (per field).
    """
    if actor is not None and not permissions.can_add_lecture(actor, unit_id=unit.pk, visit=visit):
        raise PermissionDeniedError(_("You may not add lectures of this unit."))
    values = _clean_values(
        {
            "guest": guest,
            "speaker": speaker,
            "speaker_affiliation": speaker_affiliation,
            "title_en": title_en,
            "title_zh": title_zh,
            "abstract_en": abstract_en,
            "abstract_zh": abstract_zh,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place_en": place_en,
            "place_zh": place_zh,
            "is_public": bool(is_public),
            "outline": outline,
        },
        visit=visit,
        actor=actor,
    )
    lecture = Lecture(
        unit=unit,
        visit=visit,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    _refresh_due(lecture)
    lecture.full_clean()
    lecture._history_user = actor  # type: ignore[attr-defined]
    lecture.save()
    _record(lecture, actor, "created", lambda: _("Lecture “%(title)s” filed") % {"title": lecture.title_en})
    return lecture


def edit_blocker(lecture: Lecture, actor, *, now: datetime | None = None) -> str:
    """Why ``actor`` cannot change ``lecture`` now ("" when they can): it is cancelled, or it has started
    and ``actor`` is not the International Office (who may correct a past lecture's record)."""
    if lecture.state == LectureState.CANCELLED:
        return _("A cancelled lecture cannot be changed.")
    if lecture.starts_at < (now or timezone.now()) and not _is_office(actor):
        return _("The lecture has started: only the International Office may change its record now.")
    return ""


@transaction.atomic
def lecture_update(
    *, lecture: Lecture, actor, expected_version: int | None = None, **changes: Any
) -> Lecture:
    """Change a draft or published lecture (fields in ``EDITABLE_FIELDS``).

    A change of the speaker, titles, abstracts or outline after the outline was approved puts the review
    back (the outline is submitted again) and takes a published lecture off the calendar; while the outline
    is under review those fields cannot change. A published lecture's ``sequence`` is bumped. The review due
    date follows the new start. The times are checked as in ``lecture_create``, but a start left unchanged
    is kept even when it has passed. Once the lecture has started, only the International Office changes it
    (corrects the record after the fact), and only the office moves a start into the past (``edit_blocker``).
    Raises ``PermissionDeniedError``, ``TransitionError`` (cancelled, started, or content under review),
    ``StaleEditError`` (changed since ``expected_version``), ``ValidationError``.
    """
    current = _locked(lecture)
    _may_manage(actor, current)
    blocker = edit_blocker(current, actor)
    if blocker:
        raise TransitionError(blocker)
    ensure_fresh(instance=current, expected_version=expected_version, fields=list(EDITABLE_FIELDS))
    changes = _clean_values(dict(changes), visit=current.visit, current=current, actor=actor)
    moved = "unit" in changes and changes["unit"].pk != current.unit_id
    if (
        moved
        and actor is not None
        and not permissions.can_add_lecture(actor, unit_id=changes["unit"].pk, visit=current.visit)
    ):
        raise PermissionDeniedError(_("You may not move the lecture to this unit."))
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    if not changed:
        return current
    content_changed = [name for name in changed if name in CONTENT_FIELDS]
    if content_changed and current.review == LectureReview.PENDING:
        raise TransitionError(
            _("The outline is under review: wait for the International Office's decision before changing it.")
        )
    for name in changed:
        setattr(current, name, changes[name])
    fields = list(changed)
    unpublished = False
    if content_changed and current.review == LectureReview.APPROVED and rules_lectures.review_needed(current):
        current.review = LectureReview.NOT_NEEDED
        current.reviewed_at = None
        current.reviewed_by = None
        fields += ["review", "reviewed_at", "reviewed_by"]
        if current.state == LectureState.PUBLISHED:
            current.state = LectureState.DRAFT
            unpublished = True
            fields.append("state")
    _refresh_due(current)
    fields.append("review_due_on")
    if current.sequence > 0:
        current.sequence += 1
        fields.append("sequence")
    current.full_clean()
    _save(current, actor, fields)
    _record(current, actor, "changed", lambda: _("Lecture “%(title)s” changed") % {"title": current.title_en})
    if unpublished:
        _record(
            current,
            actor,
            "unpublished",
            lambda: (
                _(
                    "The approved outline of “%(title)s” changed: the lecture is off the calendar until "
                    "the new outline is approved"
                )
                % {"title": current.title_en}
            ),
        )
    return current


# --- the outline review -------------------------------------------------------------------------------------


@transaction.atomic
def lecture_submit_for_review(*, lecture: Lecture, actor) -> Lecture:
    """Submit the outline of a lecture that needs the review (``rules_lectures.review_needed``) to the
    International Office, who are notified. The outline must be written, the review not running or approved,
    and today no later than the review due date (start − ``days_ahead`` days). Raises
    ``PermissionDeniedError``, ``ValidationError`` (no outline), ``TransitionError``."""
    current = _locked(lecture)
    _may_manage(actor, current)
    if current.state == LectureState.CANCELLED:
        raise TransitionError(_("The lecture is cancelled."))
    if not rules_lectures.review_needed(current):
        raise TransitionError(_("This lecture needs no outline review."))
    if current.review not in REVIEW_OPEN:
        raise TransitionError(
            _("The outline is “%(review)s” already.") % {"review": current.get_review_display()}
        )
    if not current.outline.strip():
        raise ValidationError({"outline": [_("Write the lecture outline before submitting it for review.")]})
    _refresh_due(current)
    due = current.review_due_on
    if due is not None and _today() > due:
        raise TransitionError(
            _(
                "The outline had to be submitted by %(date)s, %(days)s days before the lecture. Move the "
                "lecture to a later date to submit it."
            )
            % {"date": due.isoformat(), "days": rules_lectures.days_ahead()}
        )
    current.review = LectureReview.PENDING
    current.review_comment = ""
    _save(current, actor, ["review", "review_comment", "review_due_on"])
    _record(
        current,
        actor,
        "review_submitted",
        lambda: _("Outline of “%(title)s” submitted for review") % {"title": current.title_en},
    )
    title = current.title_en
    notify(
        recipients=_office_users(),
        subject=lambda: _("Lecture outline to review: %(title)s") % {"title": title},
        body=lambda: _("The review is due by %(date)s.") % {"date": due.isoformat() if due else "—"},
        url=reverse_review(current),
        verb="visitors.lecture_review",
        target=current,
    )
    from meridian.visitors.deadlines_lectures import outline_clock_meet

    outline_clock_meet(current)
    return current


def reverse_review(lecture: Lecture) -> str:
    try:
        return reverse("visitors:lecture_review", args=[lecture.pk])
    except NoReverseMatch:
        return ""


@transaction.atomic
def lecture_review_decide(*, lecture: Lecture, actor, approve: bool, comment: str = "") -> Lecture:
    """The International Office approves or rejects an outline under review; a rejection says why
    (``comment``, required). The organiser (who filed it, and the visit's host) is notified. Raises
    ``PermissionDeniedError``, ``ValidationError`` (no reason for a rejection), ``TransitionError`` (no review
    running)."""
    comment = (comment or "").strip()
    if actor is not None and not permissions.can_review_lecture(actor):
        raise PermissionDeniedError(_("Only the International Office reviews lecture outlines."))
    current = _locked(lecture)
    if current.review != LectureReview.PENDING:
        raise TransitionError(_("No outline of this lecture is waiting for a decision."))
    if not approve and not comment:
        raise ValidationError({"comment": [_("Say why the outline is not approved.")]})
    current.review = LectureReview.APPROVED if approve else LectureReview.REJECTED
    current.review_comment = comment
    current.reviewed_at = timezone.now()
    current.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    _save(current, actor, ["review", "review_comment", "reviewed_at", "reviewed_by"])
    title = current.title_en
    if approve:
        message = lambda: _("Outline of “%(title)s” approved") % {"title": title}  # noqa: E731
    else:
        message = lambda: _("Outline of “%(title)s” not approved") % {"title": title}  # noqa: E731
    _record(current, actor, "review_decided", message, comment=comment)
    notify(
        recipients=_organisers(current),
        subject=message,
        body=comment,
        url=lecture_url(current),
        verb="visitors.lecture_review_decided",
        target=current,
    )
    from meridian.visitors.deadlines_lectures import review_clock_meet

    review_clock_meet(current)
    return current


# --- the public calendar ----------------------------------------------------------------------------------


def publish_blocker(lecture: Lecture, *, today=None) -> str:
    """Why ``lecture`` cannot be published now ("" when it can): not a draft, the outline under review or not
    approved, or a lecture needing the review whose outline was not approved (inside the review window: it
    was not reviewed in time)."""
    if lecture.state != LectureState.DRAFT:
        return _("Only a draft lecture can be published.")
    if lecture.review == LectureReview.PENDING:
        return _(
            "The outline is under review: the lecture is published once the International Office approves it."
        )
    if lecture.review == LectureReview.REJECTED:
        return _("The outline was not approved: change it and submit it for review again.")
    if not rules_lectures.review_needed(lecture) or lecture.review == LectureReview.APPROVED:
        return ""
    due = rules_lectures.review_due_on(lecture)
    today = today or _today()
    if due is not None and today > due:
        return _(
            "This public lecture by a speaker from abroad needed its outline reviewed by %(date)s (%(days)s "
            "days before the lecture). It was not reviewed, so it cannot be published."
        ) % {"date": due.isoformat(), "days": rules_lectures.days_ahead()}
    return _(
        "This public lecture by a speaker from abroad is published once the International Office has "
        "approved its outline: submit the outline for review by %(date)s."
    ) % {"date": due.isoformat() if due else "—"}


@transaction.atomic
def lecture_publish(*, lecture: Lecture, actor) -> Lecture:
    """Put a draft lecture on the public calendar (when ``is_public``; a lecture not open to the public is
    "published" for the staff pages only). Refused with ``publish_blocker``'s message (``TransitionError``);
    ``PermissionDeniedError``. Bumps ``sequence``."""
    current = _locked(lecture)
    _may_manage(actor, current)
    _refresh_due(current)
    blocker = publish_blocker(current)
    if blocker:
        raise TransitionError(blocker)
    current.state = LectureState.PUBLISHED
    current.sequence += 1
    _save(current, actor, ["state", "sequence", "review_due_on"])
    _record(
        current, actor, "published", lambda: _("Lecture “%(title)s” published") % {"title": current.title_en}
    )
    return current


@transaction.atomic
def lecture_unpublish(*, lecture: Lecture, actor) -> Lecture:
    """Take a published lecture off the calendar (back to draft). Raises ``PermissionDeniedError``,
    ``TransitionError``."""
    current = _locked(lecture)
    _may_manage(actor, current)
    if current.state != LectureState.PUBLISHED:
        raise TransitionError(_("Only a published lecture can be taken off the calendar."))
    current.state = LectureState.DRAFT
    current.sequence += 1
    _save(current, actor, ["state", "sequence"])
    _record(
        current,
        actor,
        "unpublished",
        lambda: _("Lecture “%(title)s” taken off the calendar") % {"title": current.title_en},
    )
    return current


@transaction.atomic
def lecture_cancel(*, lecture: Lecture, actor, reason: str = "") -> Lecture:
    """Cancel a draft or published lecture (final). A lecture that was ever published stays in the iCalendar
    feeds as cancelled, with ``sequence`` bumped so calendars update. Raises ``PermissionDeniedError``,
    ``TransitionError`` (already cancelled)."""
    current = _locked(lecture)
    _may_manage(actor, current)
    if current.state == LectureState.CANCELLED:
        raise TransitionError(_("The lecture is cancelled already."))
    current.state = LectureState.CANCELLED
    fields = ["state"]
    if current.sequence > 0:
        current.sequence += 1
        fields.append("sequence")
    _save(current, actor, fields)
    _record(
        current,
        actor,
        "cancelled",
        lambda: _("Lecture “%(title)s” cancelled") % {"title": current.title_en},
        comment=(reason or "").strip(),
    )
    from meridian.visitors.deadlines_lectures import outline_clock_meet, review_clock_meet

    outline_clock_meet(current)
    review_clock_meet(current)
    return current
