"""The trip report (出访报告) after return, its photos and the outcomes that link back to partners.

The report has the fixed structure of the design note ("After return"): inviter, members, dates, tasks done,
outcomes, passport returned, discipline, costs and who paid, follow-up, and at least three photos. It is
pre-filled from the approved trip when the trip is marked returned and is due within
``trip_report.working_days`` working days (default 15; Chinese public-holiday calendar, ``meridian.clocks
.calendar``) of the return date. The applicant, the unit's foreign-affairs secretary or the office edit it
as a draft and submit it; the office accepts it or returns it for correction. An overdue draft blocks new
applications of the people who travelled and counts toward the unit's suspension
(``selectors.compliance``); the ``travel.trip_report`` clock reminds and escalates (``travel.deadlines``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.clocks import calendar
from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.text import clean_spaces
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.travel import permissions, rules
from meridian.travel.choices import CustodyAction, CustodyState, OutcomeKind, ReportState
from meridian.travel.deadlines import report_clock_meet
from meridian.travel.models import (
    CustodyItem,
    CustodyMovement,
    Trip,
    TripOutcome,
    TripReport,
    TripReportPhoto,
)
from meridian.workflow.files import JPEG, PNG, checked_file

MIN_PHOTOS = 3
EDITABLE_FIELDS = [
    "inviter",
    "members",
    "dates",
    "tasks_done",
    "outcomes",
    "passport_returned",
    "discipline",
    "costs",
    "paid_by",
    "follow_up",
]
TEXT_FIELDS = [f for f in EDITABLE_FIELDS if f not in ("passport_returned", "costs")]
# Sections that must be filled in before the report can be submitted (passport_returned is a yes/no fact).
REQUIRED_FIELDS = [f for f in EDITABLE_FIELDS if f != "passport_returned"]


# --- who may do what ----------------------------------------------------------------------------------------


def can_edit_report(user, report: TripReport) -> bool:
    """The applicant, the unit's coordinator (foreign-affairs secretary) or the office, while a draft."""
    return report.state == ReportState.DRAFT and can_write_report(user, report.trip)


def can_write_report(user, trip: Trip) -> bool:
    return permissions.is_trip_applicant(user, trip) or permissions.acts_for_unit(user, trip.unit_id)


def can_review_report(user, report: TripReport) -> bool:
    return report.state == ReportState.SUBMITTED and permissions.is_office(user)


# --- the passport register's truth ----------------------------------------------------------------------


def issued_for_trip(trip: Trip) -> list[CustodyItem]:
    """The register's documents issued for ``trip`` (an "issue" movement names it, or the document is
    marked issued for it now), in the holders' name order."""
    issued_ids = CustodyMovement.objects.filter(action=CustodyAction.ISSUE, trip_id=trip.pk).values("item_id")
    return list(
        CustodyItem.objects.filter(Q(pk__in=issued_ids) | Q(trip_id=trip.pk))
        .select_related("holder", "document", "trip")
        .order_by("holder__family_name", "holder__given_name", "pk")
    )


def passports_out(trip: Trip) -> list[CustodyItem]:
    """Documents the register shows issued for ``trip`` and not back yet (still with their holders)."""
    return list(
        CustodyItem.objects.filter(trip_id=trip.pk, state=CustodyState.ISSUED)
        .select_related("holder", "document")
        .order_by("holder__family_name", "holder__given_name", "pk")
    )


def _out_for(item: CustodyItem, trip: Trip) -> bool:
    return item.state == CustodyState.ISSUED and item.trip_id == trip.pk


def passports_back(trip: Trip) -> bool:
    """What the register says about "passport returned to the office": documents were issued for the trip
    and every one of them is back (none still out, none reported lost while issued for it)."""
    items = issued_for_trip(trip)
    return bool(items) and not any(
        _out_for(i, trip) or (i.state == CustodyState.LOST and i.trip_id == trip.pk) for i in items
    )


def _out_text(item: CustodyItem) -> str:
    return _("the %(kind)s of %(holder)s (due back %(date)s)") % {
        "kind": str(item.document.get_kind_display()).lower(),
        "holder": item.holder,
        "date": item.due_back_on.isoformat() if item.due_back_on else "—",
    }


# --- preparing ----------------------------------------------------------------------------------------------


def report_due_on(trip: Trip) -> date:
    """The return date (actual, else planned) + ``trip_report.working_days`` working days."""
    returned = trip.returned_on or trip.return_on
    return calendar.add_working_days(returned, int(rules.parameter("trip_report", "working_days")))


def _inviter(trip: Trip) -> str:
    if trip.inviter_partner_id:
        return str(trip.inviter_partner)
    if trip.inviter_institution_id:
        return str(trip.inviter_institution)
    return trip.inviter_name


def _members(trip: Trip) -> str:
    lines = []
    for member in trip.members.select_related("person", "unit"):
        parts = [str(member.person), str(member.get_role_display())]
        if member.post:
            parts.append(member.post)
        if member.unit_id:
            parts.append(str(member.unit))
        lines.append(" — ".join(parts))
    return "\n".join(lines)


def _dates(trip: Trip) -> str:
    start = trip.departed_on or trip.depart_on
    end = trip.returned_on or trip.return_on
    return f"{start.isoformat()} – {end.isoformat()}"


@transaction.atomic
def report_prepare(*, trip: Trip, actor) -> TripReport:
    """The trip's report, created on first call pre-filled from the approved trip (inviter, members with
    their roles, dates) and from the passport register ("passport returned" is ticked only when every
    document issued for the trip is back), with ``due_on`` = return date + ``trip_report.working_days``
    working days.

    Idempotent: a second call returns the existing report unchanged. Called when a trip is marked returned.
    """
    existing = TripReport.objects.filter(trip=trip).first()
    if existing is not None:
        return existing
    report = TripReport(
        trip=trip,
        inviter=_inviter(trip)[:300],
        members=_members(trip),
        dates=_dates(trip)[:200],
        passport_returned=passports_back(trip),
        due_on=report_due_on(trip),
    )
    report._history_user = actor  # type: ignore[attr-defined]
    report.save()
    number = trip.number
    activity_record(
        target=trip,
        verb="report_prepared",
        actor=actor,
        message=lambda: _("Trip report of %(number)s prepared") % {"number": number},
    )
    return report


# --- editing ------------------------------------------------------------------------------------------------


def _locked(report: TripReport) -> TripReport:
    return TripReport.objects.select_for_update().select_related("trip").get(pk=report.pk)


def _clean(name: str, value: Any) -> Any:
    if name == "passport_returned":
        return bool(value)
    if name == "costs":
        if value in (None, ""):
            return None
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError) as exc:
            raise DomainError(_("Give the costs as an amount in CNY.")) from exc
        if amount < 0:
            raise DomainError(_("The costs cannot be negative."))
        return amount
    return (value or "").strip()


@transaction.atomic
def report_update(
    *, report: TripReport, actor, expected_version: int | None = None, **fields: Any
) -> TripReport:
    """Save the draft report (any of ``EDITABLE_FIELDS``; ``costs`` in CNY). A save based on an older
    ``expected_version`` raises ``StaleEditError``; ``PermissionDeniedError`` when the report is not a draft
    or the actor is not the applicant, the unit's secretary or the office; ``DomainError`` for bad values."""
    current = _locked(report)
    if actor is not None and not can_edit_report(actor, current):
        raise PermissionDeniedError(
            _("Only a draft report can be edited, by the applicant, the unit's secretary or the office.")
        )
    ensure_fresh(instance=current, expected_version=expected_version, fields=EDITABLE_FIELDS)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise DomainError(_("Unknown field %(name)s.") % {"name": name})
        setattr(current, name, _clean(name, value))
    current.full_clean()
    bump_version(current)
    current._history_user = actor  # type: ignore[attr-defined]
    current.save()
    return current


def report_missing(report: TripReport) -> list[str]:
    """What stops the report from being submitted: empty required sections and fewer than three photos."""
    missing = []
    for name in REQUIRED_FIELDS:
        value = getattr(report, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            label = getattr(TripReport._meta.get_field(name), "verbose_name", name)
            missing.append(_("Fill in “%(section)s”.") % {"section": label})
    photos = report.photos.count()
    if photos < MIN_PHOTOS:
        missing.append(
            _("Add at least %(min)s photos (%(count)s so far).") % {"min": MIN_PHOTOS, "count": photos}
        )
    return missing


@transaction.atomic
def report_submit(*, report: TripReport, actor) -> TripReport:
    """Submit the draft to the office; its report clock is marked met at once. Raises ``DomainError``
    listing everything still missing (empty sections, fewer than three photos), when the report says the
    passport was returned while the register shows a document issued for the trip still out (naming the
    holders), or when it is not a draft; ``PermissionDeniedError``."""
    current = _locked(report)
    if current.state != ReportState.DRAFT:
        raise DomainError(
            _("The report is already “%(state)s”.") % {"state": current.get_state_display()},
            code="illegal_transition",
        )
    if actor is not None and not can_edit_report(actor, current):
        raise PermissionDeniedError(_("You may not submit this report."))
    missing = report_missing(current)
    if missing:
        raise DomainError(
            _("The report cannot be submitted yet: %(missing)s") % {"missing": " ".join(missing)},
            code="incomplete",
        )
    out = passports_out(current.trip) if current.passport_returned else []
    if out:
        raise DomainError(
            _(
                "The report says the passport was returned to the office, but the passport register shows "
                "%(documents)s issued for this trip still out. Have the office record the return first, or "
                "untick “passport returned to the office”."
            )
            % {"documents": "; ".join(_out_text(i) for i in out)},
            code="passport_not_returned",
        )
    current.state = ReportState.SUBMITTED
    current.submitted_at = timezone.now()
    current.submitted_by = actor
    bump_version(current)
    current._history_user = actor  # type: ignore[attr-defined]
    current.save()
    report_clock_meet(current.trip)
    number = current.trip.number
    activity_record(
        target=current.trip,
        verb="report_submitted",
        actor=actor,
        message=lambda: _("Trip report of %(number)s submitted") % {"number": number},
    )
    return current


@transaction.atomic
def report_accept(*, report: TripReport, actor, comment: str = "") -> TripReport:
    """The office accepts a submitted report (the trip can then be closed); any report clock still open is
    marked met at once. ``DomainError`` from another state, ``PermissionDeniedError`` for anyone but the
    office."""
    current = _locked(report)
    if actor is not None and not permissions.is_office(actor):
        raise PermissionDeniedError(_("Only the International Office accepts trip reports."))
    if current.state != ReportState.SUBMITTED:
        raise DomainError(_("Only a submitted report can be accepted."), code="illegal_transition")
    current.state = ReportState.ACCEPTED
    current.accepted_at = timezone.now()
    current.accepted_by = actor
    bump_version(current)
    current._history_user = actor  # type: ignore[attr-defined]
    current.save()
    report_clock_meet(current.trip)
    number = current.trip.number
    activity_record(
        target=current.trip,
        verb="report_accepted",
        actor=actor,
        comment=comment,
        message=lambda: _("Trip report of %(number)s accepted") % {"number": number},
    )
    return current


@transaction.atomic
def report_return(*, report: TripReport, actor, comment: str) -> TripReport:
    """The office returns a submitted report to draft for correction; ``comment`` (required) says what to
    change. The due date stays: an overdue report stays overdue."""
    current = _locked(report)
    if actor is not None and not permissions.is_office(actor):
        raise PermissionDeniedError(_("Only the International Office returns trip reports."))
    comment = clean_spaces(comment)
    if not comment:
        raise DomainError(_("Say what needs correcting."))
    if current.state != ReportState.SUBMITTED:
        raise DomainError(_("Only a submitted report can be returned."), code="illegal_transition")
    current.state = ReportState.DRAFT
    current.submitted_at = None
    current.submitted_by = None
    bump_version(current)
    current._history_user = actor  # type: ignore[attr-defined]
    current.save()
    number = current.trip.number
    activity_record(
        target=current.trip,
        verb="report_returned",
        actor=actor,
        comment=comment,
        message=lambda: _("Trip report of %(number)s returned for correction") % {"number": number},
    )
    return current


# --- photos -------------------------------------------------------------------------------------------------


def report_photo_add(
    *, report: TripReport, actor, uploaded: UploadedFile, caption: str = ""
) -> TripReportPhoto:
    """Attach a photo (JPEG or PNG, read from the bytes; size limit ``MAX_UPLOAD_MB``) to a draft report.

    Raises ``DomainError`` for any other file (a PDF, a renamed executable, an empty file) and
    ``PermissionDeniedError`` when the actor may not edit the report.
    """
    if actor is not None and not can_edit_report(actor, report):
        raise PermissionDeniedError(_("You may not add photos to this report."))
    content, _name, content_type, size, digest = checked_file(uploaded)
    if content_type not in (JPEG, PNG):
        raise DomainError(
            _("The file %(name)s is not a JPEG or PNG photo.") % {"name": uploaded.name}, code="invalid_file"
        )
    photo = TripReportPhoto(
        report=report,
        caption=clean_spaces(caption)[:300],
        content_type=content_type,
        size=size,
        sha256=digest,
    )
    photo.file.save("photo", content, save=False)
    photo.save()
    return photo


def report_photo_delete(*, photo: TripReportPhoto, actor) -> None:
    """Remove a photo from a draft report; ``PermissionDeniedError`` otherwise."""
    if actor is not None and not can_edit_report(actor, photo.report):
        raise PermissionDeniedError(_("You may not remove photos from this report."))
    photo.file.delete(save=False)
    photo.delete()


# --- outcomes -----------------------------------------------------------------------------------------------


def outcome_add(
    *, trip: Trip, actor, kind: str, description: str, partner=None, agreement=None
) -> TripOutcome:
    """Record an outcome of the trip (new contact, agreement signed, project started, other), optionally
    linked to a partner and an agreement the actor may see; it then appears on the partner's page.

    Raises ``PermissionDeniedError`` (not allowed to edit the report) and ``DomainError`` (unknown kind,
    empty description, partner or agreement not visible to the actor).
    """
    report = getattr(trip, "report", None)
    if actor is not None and (report is None or not can_edit_report(actor, report)):
        raise PermissionDeniedError(_("Outcomes are recorded while the trip report is a draft."))
    if kind not in OutcomeKind.values:
        raise DomainError(_("Choose the kind of outcome."))
    description = clean_spaces(description)
    if not description:
        raise DomainError(_("Describe the outcome."))
    if partner is not None and actor is not None:
        from meridian.partners.models import Partner

        if not Partner.objects.visible_to(actor).filter(pk=partner.pk).exists():
            raise DomainError(_("Choose a partner from the list."))
    if agreement is not None and actor is not None:
        from meridian.agreements.models import Agreement

        if not Agreement.objects.visible_to(actor).filter(pk=agreement.pk).exists():
            raise DomainError(_("Choose an agreement from the list."))
    return TripOutcome.objects.create(
        trip=trip, kind=kind, description=description[:500], partner=partner, agreement=agreement
    )


def outcome_delete(*, outcome: TripOutcome, actor) -> None:
    """Remove an outcome while the report is a draft; ``PermissionDeniedError`` otherwise."""
    report = getattr(outcome.trip, "report", None)
    if actor is not None and (report is None or not can_edit_report(actor, report)):
        raise PermissionDeniedError(_("Outcomes are changed while the trip report is a draft."))
    outcome.delete()
