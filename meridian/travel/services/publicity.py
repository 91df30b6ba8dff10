"""Publicity notices (公示) of official trips: publishing, objections, completion and withdrawal.

Before a trip is submitted for approval, and again after the delegation has returned, the university
publishes a notice on its internal notice board listing the travellers (names, units, posts), destinations,
task, itinerary, inviting organisation and budget, so that colleagues can object. Source: the design note
"Official travel abroad" (publicity of at least 5 working days before submission, and within one month
after return), following the central rules on official temporary trips abroad (中办发〔2013〕16号) as the
universities implement them.

Length: ``rules.parameter("publicity", "working_days")`` working days (default 5) under the Chinese public
holiday calendar (``meridian.clocks.calendar``: official holidays and the weekend days worked in exchange,
plus the site's own closures and extra working days). The publication day counts as the first working day
when it is a working day; otherwise counting starts on the next working day. ``ends_on`` is the last of those
working days; the notice runs until the end of that day and the daily job completes it on a later day.

An objection may be raised by any member of staff while the notice runs; the office resolves it (upheld or
not). A notice whose period has passed is completed once no objection is open; an upheld objection keeps the
trip from being submitted (``casework._completed_notice``) until a new notice runs clean.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meridian.accounts.permissions import is_internal
from meridian.clocks import calendar
from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.notifications import notify
from meridian.travel import permissions
from meridian.travel.choices import NoticePhase, NoticeState, TripState
from meridian.travel.models import NoticeObjection, PublicityNotice, Trip

DEFAULT_WORKING_DAYS = 5
DEFAULT_AFTER_RETURN_DAYS = 30


# --- parameters and dates -----------------------------------------------------------------------------------


def _parameter(name: str, default: int) -> int:
    from meridian.travel.rules import parameter

    try:
        value = parameter("publicity", name)
    except (KeyError, LookupError):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def publicity_working_days() -> int:
    """How many working days a notice runs (rule parameter ``publicity.working_days``; default 5, min 1)."""
    return max(_parameter("working_days", DEFAULT_WORKING_DAYS), 1)


def after_return_days() -> int:
    """Calendar days after the return within which the after-return notice is due
    (rule parameter ``publicity.after_return_days``, default 30)."""
    return max(_parameter("after_return_days", DEFAULT_AFTER_RETURN_DAYS), 0)


def notice_end_date(starts_on: date, working_days: int) -> date:
    """The last day of a notice published on ``starts_on`` that runs ``working_days`` working days.

    The publication day counts when it is a working day (published on Monday 5 working days: ends on Friday);
    a notice published on a rest day or holiday starts counting on the next working day. Working days follow
    the Chinese public-holiday calendar with the site's entries (``meridian.clocks.calendar``).
    ``working_days`` below 1 count as 1.
    """
    working_days = max(working_days, 1)
    if calendar.is_working_day(starts_on):
        return calendar.add_working_days(starts_on, working_days - 1)
    return calendar.add_working_days(starts_on, working_days)


def after_notice_due(trip: Trip) -> date | None:
    """The date by which the after-return notice should be published: the return date (actual, else planned)
    plus ``after_return_days()`` calendar days; None before the trip has returned."""
    if trip.state not in (TripState.RETURNED, TripState.CLOSED):
        return None
    returned = trip.returned_on or trip.return_on
    return returned + timedelta(days=after_return_days())


def _today() -> date:
    from meridian.travel.casework import today

    return today()


# --- the notice text ---------------------------------------------------------------------------------------


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def budget_totals(trip: Trip) -> OrderedDict[str, Decimal]:
    """The trip's budget summed per currency, ``{"CNY": Decimal, "EUR": Decimal, …}`` (CNY first)."""
    totals: dict[str, Decimal] = {}
    for line in trip.budget_lines.all():
        totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.amount
    ordered = OrderedDict()
    if "CNY" in totals:
        ordered["CNY"] = totals.pop("CNY")
    for currency in sorted(totals):
        ordered[currency] = totals[currency]
    return ordered


def _inviter(trip: Trip) -> str:
    if trip.inviter_partner_id:
        return str(trip.inviter_partner)
    if trip.inviter_institution_id:
        return str(trip.inviter_institution)
    return trip.inviter_name


def _render_text(trip: Trip, phase: str, starts_on: date, ends_on: date, working_days: int) -> str:
    """The notice in the active language (called once in English and once in Chinese)."""
    lines: list[str] = []
    if phase == NoticePhase.BEFORE:
        lines.append(_("Publicity notice of an official trip abroad: %(title)s") % {"title": trip.title})
    else:
        lines.append(
            _("Publicity notice after the return of an official trip: %(title)s") % {"title": trip.title}
        )
    lines.append(_("Trip number: %(number)s") % {"number": trip.number})
    lines.append(_("Unit: %(unit)s") % {"unit": trip.unit.name})
    lines.append("")
    lines.append(_("Delegation:"))
    members = trip.members.select_related("person", "unit").order_by("order", "id")
    for member in members:
        unit = member.unit.name if member.unit is not None else (trip.unit.name)
        parts = [str(member.person), member.get_role_display(), unit]
        if member.post:
            parts.append(member.post)
        lines.append("- " + ", ".join(parts))
    countries: list[str] = []
    for item in trip.itinerary.select_related("country").order_by("day", "order", "id"):
        name = item.country.name
        if name not in countries:
            countries.append(name)
    lines.append("")
    lines.append(_("Destinations: %(places)s") % {"places": ", ".join(countries) or "—"})
    lines.append(
        _("Dates: %(start)s to %(end)s (%(days)s days, departure and arrival days counted)")
        % {"start": trip.depart_on.isoformat(), "end": trip.return_on.isoformat(), "days": trip.days}
    )
    lines.append(_("Purpose: %(purpose)s") % {"purpose": trip.get_purpose_display()})
    lines.append(_("Task: %(task)s") % {"task": trip.task})
    if trip.conference_name:
        lines.append(_("Conference: %(name)s") % {"name": trip.conference_name})
    if trip.paper_title:
        lines.append(_("Paper: %(title)s") % {"title": trip.paper_title})
    lines.append(_("Inviting organisation: %(inviter)s") % {"inviter": _inviter(trip) or "—"})
    lines.append("")
    lines.append(_("Itinerary:"))
    for item in trip.itinerary.select_related("country").order_by("day", "order", "id"):
        place = f"{item.country.name}, {item.city}" if item.city else item.country.name
        text = f"- {item.day.isoformat()} {place}"
        if item.is_transit:
            text += " (" + _("transit") + ")"
        if item.activity:
            text += f": {item.activity}"
        lines.append(text)
    lines.append("")
    totals = budget_totals(trip)
    budget = "; ".join(f"{currency} {_money(amount)}" for currency, amount in totals.items()) or "—"
    lines.append(
        _("Budget: %(budget)s (%(funding)s)")
        % {"budget": budget, "funding": trip.get_funding_source_display()}
    )
    lines.append("")
    lines.append(
        _(
            "The notice runs from %(start)s to %(end)s (%(days)s working days). Objections may be raised on "
            "the notice board or with the International Office until then."
        )
        % {"start": starts_on.isoformat(), "end": ends_on.isoformat(), "days": working_days}
    )
    return "\n".join(lines)


def notice_texts(
    trip: Trip, phase: str, starts_on: date, ends_on: date, working_days: int
) -> tuple[str, str]:
    """The notice text as ``(English, Chinese)``; names, units and countries in each language."""
    with translation.override("en"):
        text_en = _render_text(trip, phase, starts_on, ends_on, working_days)
    with translation.override("zh-hans"):
        text_zh = _render_text(trip, phase, starts_on, ends_on, working_days)
    return text_en, text_zh


# --- publishing, withdrawing --------------------------------------------------------------------------------


def can_publish_after(user, trip: Trip) -> bool:
    """The applicant, a coordinator of the trip's unit or the office, once the trip has returned and no
    after-return notice is running or has run without an upheld objection."""
    if trip.state != TripState.RETURNED:
        return False
    if not (permissions.is_trip_applicant(user, trip) or permissions.acts_for_unit(user, trip.unit_id)):
        return False
    return not _after_notice_taken(trip)


def _after_notice_taken(trip: Trip) -> bool:
    notices = trip.notices.filter(phase=NoticePhase.AFTER)
    if notices.filter(state=NoticeState.RUNNING).exists():
        return True
    return notices.filter(state=NoticeState.COMPLETED).exclude(objections__upheld=True).exists()


@transaction.atomic
def notice_publish(*, trip: Trip, phase: str, actor) -> PublicityNotice:
    """Publish a notice of ``trip`` for ``phase`` ("before" or "after"); returns it, running from today.

    ``starts_on`` is today (the evaluation date of ``casework.today()``), ``ends_on`` is the last of
    ``publicity_working_days()`` working days (see ``notice_end_date``). The text is generated from the trip
    in English (``text``) and Chinese (``text_zh``) and frozen.

    The before-trip notice is published by the ``start_publicity`` move (which checks who may act). The
    after-return notice is published by the applicant, a coordinator of the unit or the office once the trip
    is "returned". Raises ``ValidationError`` (unknown phase), ``TransitionError`` (trip in the wrong state,
    or a notice of that phase already running or, after return, already run), ``PermissionDeniedError``.
    """
    if phase not in NoticePhase.values:
        raise ValidationError({"phase": [_("Unknown phase of a publicity notice.")]})
    trip = Trip.objects.select_for_update().get(pk=trip.pk)
    if phase == NoticePhase.AFTER:
        if trip.state != TripState.RETURNED:
            raise TransitionError(_("The after-return notice is published once the trip has returned."))
        if actor is not None and not (
            permissions.is_trip_applicant(actor, trip) or permissions.acts_for_unit(actor, trip.unit_id)
        ):
            raise PermissionDeniedError(_("You may not publish a notice of this trip."))
        if _after_notice_taken(trip):
            raise TransitionError(_("The after-return notice of this trip is running or has run already."))
    elif trip.state not in (TripState.DRAFT, TripState.PUBLICITY):
        raise TransitionError(_("The before-trip notice is published before the trip is submitted."))
    if trip.notices.filter(phase=phase, state=NoticeState.RUNNING).exists():
        raise TransitionError(_("A notice of this trip is running already."))
    working_days = publicity_working_days()
    starts_on = _today()
    ends_on = notice_end_date(starts_on, working_days)
    text_en, text_zh = notice_texts(trip, phase, starts_on, ends_on, working_days)
    notice = PublicityNotice.objects.create(
        trip=trip,
        phase=phase,
        state=NoticeState.RUNNING,
        starts_on=starts_on,
        ends_on=ends_on,
        working_days=working_days,
        text=text_en,
        text_zh=text_zh,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    activity_record(
        target=trip,
        verb="notice_published",
        actor=actor,
        message=lambda: (
            _("Publicity notice of %(number)s published, running until %(date)s")
            % {"number": trip.number, "date": ends_on.isoformat()}
        ),
    )
    return notice


@transaction.atomic
def notice_withdraw_running(*, trip: Trip, actor) -> int:
    """Withdraw every running notice of ``trip`` (the trip went back to draft or was cancelled); returns how
    many were withdrawn. Objections stay on the withdrawn notice."""
    now = timezone.now()
    running = list(PublicityNotice.objects.select_for_update().filter(trip=trip, state=NoticeState.RUNNING))
    for notice in running:
        notice.state = NoticeState.WITHDRAWN
        notice.closed_at = now
        notice.outcome = _bilingual(lambda: _("The notice was withdrawn before its end."))
        notice.save(update_fields=["state", "closed_at", "outcome"])
    if running:
        activity_record(
            target=trip,
            verb="notice_withdrawn",
            actor=actor,
            message=lambda: _("Publicity notice of %(number)s withdrawn") % {"number": trip.number},
        )
    return len(running)


# --- objections ------------------------------------------------------------------------------------------


def can_read_notice(user, notice: PublicityNotice) -> bool:
    """Members of staff read running notices (the notice board); anybody who may see the trip reads all of
    its notices. Students and partner contacts do not see the board."""
    if notice.state == NoticeState.RUNNING and is_internal(user):
        return True
    return Trip.objects.visible_to(user).filter(pk=notice.trip_id).exists()


def can_object(user, notice: PublicityNotice) -> bool:
    """Any member of staff may object to a running notice."""
    return notice.state == NoticeState.RUNNING and is_internal(user)


def can_resolve(user, objection: NoticeObjection) -> bool:
    """The office (officers, administrators) resolves objections not resolved yet."""
    return objection.resolved_at is None and permissions.is_office(user)


@transaction.atomic
def objection_raise(*, notice: PublicityNotice, actor, text: str) -> NoticeObjection:
    """Record an objection (``text``, required) against a running notice; the trip's applicant and the
    office are told. Raises ``ValidationError`` (empty text), ``PermissionDeniedError`` (not a member of
    staff), ``TransitionError`` (the notice is not running)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Say what the objection is.")]})
    if actor is not None and not is_internal(actor):
        raise PermissionDeniedError(_("Only members of staff may object to a publicity notice."))
    notice = PublicityNotice.objects.select_for_update().select_related("trip").get(pk=notice.pk)
    if notice.state != NoticeState.RUNNING:
        raise TransitionError(_("Objections are taken while the notice runs."))
    objection = NoticeObjection.objects.create(notice=notice, text=text, raised_by=actor)
    trip = notice.trip
    activity_record(
        target=trip,
        verb="notice_objection",
        actor=actor,
        message=lambda: (
            _("An objection was raised against the publicity notice of %(number)s") % {"number": trip.number}
        ),
    )
    notify(
        recipients=[trip.applicant, *_office_users()],
        subject=lambda: _("Objection to the publicity notice of %(number)s") % {"number": trip.number},
        body=lambda: text,
        url=notice_url(notice),
        verb="travel.notice_objection",
        target=trip,
    )
    return objection


@transaction.atomic
def objection_resolve(*, objection: NoticeObjection, actor, upheld: bool, resolution: str) -> NoticeObjection:
    """The office resolves an objection: ``upheld`` (the trip cannot be submitted on this notice) or not, with
    the ``resolution`` text (required). When the notice's period has passed and no objection is open any
    more, the notice is completed at once. Raises ``ValidationError``, ``PermissionDeniedError``,
    ``TransitionError`` (already resolved)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": [_("Say how the objection was resolved.")]})
    if actor is not None and not permissions.is_office(actor):
        raise PermissionDeniedError(_("Only the International Office resolves objections."))
    objection = (
        NoticeObjection.objects.select_for_update().select_related("notice__trip").get(pk=objection.pk)
    )
    if objection.resolved_at is not None:
        raise TransitionError(_("This objection has been resolved already."))
    objection.upheld = bool(upheld)
    objection.resolution = resolution
    objection.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["upheld", "resolution", "resolved_by", "resolved_at"])
    notice = objection.notice
    trip = notice.trip
    activity_record(
        target=trip,
        verb="notice_objection_resolved",
        actor=actor,
        message=lambda: (
            (
                _("Objection to the notice of %(number)s upheld")
                if objection.upheld
                else _("Objection to the notice of %(number)s not upheld")
            )
            % {"number": trip.number}
        ),
    )
    notify(
        recipients=[trip.applicant, objection.raised_by],
        subject=lambda: (
            _("The objection to the publicity notice of %(number)s was resolved") % {"number": trip.number}
        ),
        body=lambda: resolution,
        url=notice_url(notice),
        verb="travel.notice_objection_resolved",
        target=trip,
    )
    if notice.state == NoticeState.RUNNING and notice.ends_on < _today():
        _complete(notice)
    return objection


# --- completion --------------------------------------------------------------------------------------------


def _bilingual(message) -> str:
    with translation.override("en"):
        english = str(message())
    with translation.override("zh-hans"):
        chinese = str(message())
    return english if english == chinese else f"{english}\n\n{chinese}"


def outcome_text(notice: PublicityNotice) -> str:
    """The outcome note in English then Chinese: "no objection", or each objection with its resolution."""
    objections = list(notice.objections.all())

    def build() -> str:
        if not objections:
            return _("The notice ran from %(start)s to %(end)s; no objection was raised.") % {
                "start": notice.starts_on.isoformat(),
                "end": notice.ends_on.isoformat(),
            }
        lines = [
            _("The notice ran from %(start)s to %(end)s; objections raised: %(count)s.")
            % {
                "start": notice.starts_on.isoformat(),
                "end": notice.ends_on.isoformat(),
                "count": len(objections),
            }
        ]
        for n, objection in enumerate(objections, start=1):
            if objection.resolved_at is None:
                verdict = _("not resolved")
            elif objection.upheld:
                verdict = _("upheld")
            else:
                verdict = _("not upheld")
            lines.append(f"{n}. {objection.text}")
            lines.append(
                "   "
                + _("Resolution (%(verdict)s): %(text)s")
                % {
                    "verdict": verdict,
                    "text": objection.resolution or "—",
                }
            )
        return "\n".join(lines)

    return _bilingual(build)


def _complete(notice: PublicityNotice) -> None:
    notice.state = NoticeState.COMPLETED
    notice.closed_at = timezone.now()
    notice.outcome = outcome_text(notice)
    notice.save(update_fields=["state", "closed_at", "outcome"])
    trip = notice.trip
    upheld = notice.objections.filter(upheld=True).exists()
    activity_record(
        target=trip,
        verb="notice_completed",
        actor=None,
        message=lambda: (
            (
                _("Publicity notice of %(number)s completed with an objection upheld")
                if upheld
                else _("Publicity notice of %(number)s completed")
            )
            % {"number": trip.number}
        ),
    )
    notify(
        recipients=[trip.applicant],
        subject=lambda: (
            (
                _("The publicity notice of %(number)s ended with an objection upheld")
                if upheld
                else _("The publicity notice of %(number)s has run")
            )
            % {"number": trip.number}
        ),
        url=trip.get_absolute_url(),
        verb="travel.notice_completed",
        target=trip,
    )


def notices_complete_due(*, today: date | None = None) -> int:
    """Daily job: complete every running notice whose ``ends_on`` is before ``today`` (its period has run)
    and which has no open objection; writes the outcome note. Returns how many were completed. Idempotent.

    A notice with an objection still open waits for the office's resolution (``objection_resolve`` completes
    it then)."""
    day = today or timezone.localdate()
    done = 0
    candidates = PublicityNotice.objects.filter(state=NoticeState.RUNNING, ends_on__lt=day).values_list(
        "pk", flat=True
    )
    for pk in list(candidates):
        with transaction.atomic():
            notice = PublicityNotice.objects.select_for_update().select_related("trip").get(pk=pk)
            if notice.state != NoticeState.RUNNING:
                continue
            if notice.objections.filter(resolved_at__isnull=True).exists():
                continue
            _complete(notice)
            done += 1
    return done


# --- helpers for pages -----------------------------------------------------------------------------------


def notice_url(notice: PublicityNotice) -> str:
    from django.urls import reverse

    return reverse("travel:notice_detail", args=[notice.pk])


def _office_users():
    from meridian.accounts.choices import Role
    from meridian.accounts.models import User

    return list(User.objects.filter(is_active=True, memberships__role=Role.OFFICER).distinct()[:20])


def running_notices():
    """Running notices for the board, soonest ending first, with trip and unit loaded."""
    return (
        PublicityNotice.objects.filter(state=NoticeState.RUNNING)
        .select_related("trip", "trip__unit")
        .order_by("ends_on", "id")
    )
