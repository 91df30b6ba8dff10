"""Seat allocation of a call, the publication of its results (the internal publicity, 公示), and the
re-allocation of places that are declined, withdrawn or not accepted in time.

The allocation itself is ``allocation_core.allocate`` (serial dictatorship by rank: each applicant, best
ranked first, gets the first preference with a free place they are eligible for). A destination is one
``CallDestination`` (a partner × a mobility type) with its ``places``. An applicant is not eligible for a
destination that asks for a language or a CEFR level (``CallDestination.language``/``min_cefr``) when the
application states another language, no level, or a lower one.

Applications move through the system moves of ``casework.py`` (actor None): ``offer``, ``waitlist``,
``reset`` (back to "approved by the school"), ``expire_offer``. Until the results are published the student
sees none of it (``selectors.applications.student_state``), so these moves notify nobody; from the
publication on, each applicant hears their own result.

Dates: the publicity lasts ``MOBILITY_PUBLICITY_WORKING_DAYS`` working days (Chinese public holidays and
adjusted working days, ``clocks.calendar``); offers are open for ``Call.offer_days`` calendar days after the
publicity ends, or after a re-allocation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.accounts.permissions import is_internal
from meridian.clocks.calendar import add_working_days
from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.notifications import notify
from meridian.mobility import allocation_core, casework, permissions
from meridian.mobility.choices import CEFR_ORDER, ApplicationState, CallState
from meridian.mobility.models import AllocationRun, Application, Call, CallDestination
from meridian.mobility.services.selection import RANKED_STATES
from meridian.workflow.services import case_move

A = ApplicationState
# Applications holding a seat: offered (not answered yet), accepted, nominated.
HOLDING_STATES = (A.OFFERED, A.ACCEPTED, A.NOMINATED)
ALLOCATION_CALL_STATES = (CallState.CLOSED, CallState.ALLOCATED)
REALLOCATION_CALL_STATES = (CallState.ALLOCATED, CallState.PUBLISHED, CallState.FINISHED)
PUBLISHED_STATES = (CallState.PUBLISHED, CallState.FINISHED)


# --- eligibility for a destination ---------------------------------------------------------------------


def destination_eligible(application: Application, destination: CallDestination) -> bool:
    """Whether ``application`` meets ``destination``'s language requirement (language and CEFR minimum).
    A destination without one takes everybody."""
    if destination.language and application.language != destination.language:
        return False
    if destination.min_cefr:
        level = CEFR_ORDER.get(application.cefr_level)
        return level is not None and level >= CEFR_ORDER[destination.min_cefr]
    return True


def _applicant(
    application: Application, destinations: dict[int, CallDestination]
) -> allocation_core.Applicant:
    preferences = tuple(p.destination_id for p in sorted(application.preferences.all(), key=lambda p: p.rank))
    ineligible = frozenset(
        d for d in preferences if d in destinations and not destination_eligible(application, destinations[d])
    )
    return allocation_core.Applicant(
        id=application.pk, rank=application.rank or 0, preferences=preferences, ineligible=ineligible
    )


def _destinations(call: Call) -> dict[int, CallDestination]:
    return {d.pk: d for d in CallDestination.objects.filter(call=call).select_related("partner")}


def _by_rank(applications: Iterable[Application]) -> list[Application]:
    return sorted(applications, key=lambda a: (a.rank is None, a.rank or 0, a.number))


def _url(name: str, *args: int) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _record_run(call: Call, actor, *, reallocation: bool, summary: dict) -> AllocationRun:
    number = (AllocationRun.objects.filter(call=call).aggregate(n=Max("number"))["n"] or 0) + 1
    ran_by = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AllocationRun.objects.create(
        call=call, number=number, reallocation=reallocation, ran_by=ran_by, summary=summary
    )


def _place(
    application: Application, outcome: allocation_core.Outcome, *, expires: datetime.date | None
) -> None:
    application.offered_id = outcome.destination
    application.offered_preference = outcome.preference
    application.allocation = outcome.explanation()
    application.offer_expires_on = expires if outcome.destination is not None else None


PLACE_FIELDS = ["offered", "offered_preference", "allocation", "offer_expires_on"]


# --- the allocation run --------------------------------------------------------------------------------


@dataclass
class AllocationResult:
    run: AllocationRun
    offered: int
    waitlisted: int
    moved: int


@transaction.atomic
def allocation_run(*, call: Call, actor) -> AllocationResult:
    """Allocate the places of ``call`` to its ranked applications and record an ``AllocationRun``.

    When: the call is closed (or allocated and not yet published: the run replaces the earlier one), every
    application is decided by the school and the ranking is computed. Each application approved by the
    school is offered a place (``offer``) or put on the waiting list (``waitlist``); unchanged results are
    not moved again. Stores ``offered``, ``offered_preference`` and ``allocation``
    (``[{"preference", "destination", "outcome", "by_rank"}]``, see ``allocation_core``); offers get their
    deadline at publication. The call moves to "places allocated" (system move ``allocated``).

    Who: ``permissions.can_manage_call``. Raises ``PermissionDeniedError``, ``TransitionError`` (wrong call
    state, applications waiting for the school, ranking missing, no destinations). Nothing changes when it
    raises.
    """
    if not permissions.can_manage_call(actor, call):
        raise PermissionDeniedError(_("You may not allocate the places of this call."))
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.state not in ALLOCATION_CALL_STATES:
        raise TransitionError(
            _("Places are allocated after the call closes and before the results are published.")
        )
    waiting = Application.objects.filter(call=call, state=A.SUBMITTED).count()
    if waiting:
        raise TransitionError(
            _("%(count)s applications still wait for the school's decision.") % {"count": waiting}
        )
    destinations = _destinations(call)
    if not destinations:
        raise TransitionError(_("The call offers no destinations."))
    pool = list(
        Application.objects.filter(call=call, state__in=RANKED_STATES).prefetch_related("preferences")
    )
    if not pool:
        raise TransitionError(_("No application is approved by the school."))
    unranked = [a for a in pool if a.rank is None]
    if unranked:
        raise TransitionError(
            _("Compute the ranking first: %(count)s applications have no rank.") % {"count": len(unranked)}
        )
    pool = _by_rank(pool)
    applicants = [_applicant(a, destinations) for a in pool]
    capacities = {pk: d.places for pk, d in destinations.items()}
    outcomes = allocation_core.allocate(applicants, capacities)
    moved_ids: list[int] = []
    unchanged: list[Application] = []
    for application in pool:
        outcome = outcomes[application.pk]
        if outcome.destination is not None:
            move = (
                "offer"
                if (application.state, application.offered_id) != (A.OFFERED, outcome.destination)
                else ""
            )
        else:
            move = "waitlist" if application.state != A.WAITLISTED else ""
        if move:
            application = case_move(case=application, actor=None, move=move)
            moved_ids.append(application.pk)
            _place(application, outcome, expires=None)
            application.save(update_fields=PLACE_FIELDS)
        else:
            _place(application, outcome, expires=None)
            unchanged.append(application)
    Application.objects.bulk_update(unchanged, PLACE_FIELDS, batch_size=500)
    offered = sum(1 for o in outcomes.values() if o.destination is not None)
    places = sum(capacities.values())
    run = _record_run(
        call,
        actor,
        reallocation=False,
        summary={
            "applicants": len(pool),
            "offered": offered,
            "waitlisted": len(pool) - offered,
            "places": places,
            "places_left": places - offered,
            "input_hash": allocation_core.input_hash(applicants, capacities),
        },
    )
    case_move(case=call, actor=None, move="allocated")
    activity_record(
        target=call,
        verb="mobility.allocation",
        actor=actor,
        message=lambda: (
            _("Places allocated (run %(run)s): %(offered)s offered, %(waitlisted)s on the waiting list")
            % {"run": run.number, "offered": offered, "waitlisted": len(pool) - offered}
        ),
    )
    return AllocationResult(run=run, offered=offered, waitlisted=len(pool) - offered, moved=len(moved_ids))


@transaction.atomic
def allocation_undo(*, call: Call, actor) -> int:
    """Undo the unpublished allocation of ``call``: every offered or waitlisted application goes back to
    "approved by the school" (system move ``reset``) with its offer and explanation cleared, so that the
    school may still reject one and the committee re-rank before the next run. The call stays "places
    allocated"; its results cannot be published until the allocation runs again. Returns how many moved.

    Who: ``permissions.can_manage_call``; when: before the results are published. Raises
    ``PermissionDeniedError``, ``TransitionError``.
    """
    if not permissions.can_manage_call(actor, call):
        raise PermissionDeniedError(_("You may not allocate the places of this call."))
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.state != CallState.ALLOCATED:
        raise TransitionError(_("Only an allocation that is not published yet can be undone."))
    moved = []
    for application in Application.objects.filter(call=call, state__in=[A.OFFERED, A.WAITLISTED]).order_by(
        "pk"
    ):
        application = case_move(case=application, actor=None, move="reset")
        application.offered = None
        application.offered_preference = None
        application.allocation = []
        application.offer_expires_on = None
        application.save(update_fields=PLACE_FIELDS)
        moved.append(application.pk)
    count = len(moved)
    activity_record(
        target=call,
        verb="mobility.allocation_undone",
        actor=actor,
        message=lambda: _("Allocation undone: %(count)s applications back to the ranking") % {"count": count},
    )
    return count


# --- publication -----------------------------------------------------------------------------------------


def publicity_end(start: datetime.date) -> datetime.date:
    """The last day of a publicity that starts on ``start``: ``MOBILITY_PUBLICITY_WORKING_DAYS`` working
    days after it (``start`` not counted)."""
    return add_working_days(start, settings.MOBILITY_PUBLICITY_WORKING_DAYS)


def _tell_offer(application: Application, destination: str, expires: datetime.date) -> None:
    number = application.number
    day = expires.isoformat()
    notify(
        recipients=[application.student],
        subject=lambda: (
            _("You are offered an exchange place: %(destination)s") % {"destination": destination}
        ),
        body=lambda: (
            _(
                "Your application %(number)s: you are offered a place at %(destination)s. Accept or decline "
                "it in the student portal by %(date)s; without an answer the place goes to the waiting list."
            )
            % {"number": number, "destination": destination, "date": day}
        ),
        url=_url("mobility:student_application", application.pk),
        verb="mobility.offer",
        target=application,
    )


def _tell_waitlist(application: Application) -> None:
    number = application.number
    notify(
        recipients=[application.student],
        subject=lambda: (
            _("Exchange application %(number)s: you are on the waiting list") % {"number": number}
        ),
        body=lambda: _(
            "No place you ranked was free for your rank. You stay on the waiting list: a place that is "
            "declined is offered to the next applicant, and you will hear from us if it is you."
        ),
        url=_url("mobility:student_application", application.pk),
        verb="mobility.waitlist",
        target=application,
    )


def results_publish(*, call: Call, actor) -> Call:
    """Record the publication of ``call``'s results (the effect of its ``publish_results`` move): sets
    ``results_published_at`` (now) and ``publicity_ends_on`` (today + ``MOBILITY_PUBLICITY_WORKING_DAYS``
    working days), gives each offer its ``offer_expires_on`` (publicity end + ``call.offer_days`` calendar
    days) and tells each applicant their result (offer or waiting list).

    Raises ``TransitionError`` when the call is not in "results in publicity" (publish through the move).
    """
    if call.state != CallState.PUBLISHED:
        raise TransitionError(_("Publish the results through the call's move “Publish the results”."))
    unallocated = Application.objects.filter(call=call, state=A.PRE_APPROVED).count()
    if unallocated:
        raise TransitionError(
            _("Run the allocation again first: %(count)s approved applications have no result.")
            % {"count": unallocated}
        )
    today = casework.today()
    call.results_published_at = timezone.now()
    call.publicity_ends_on = publicity_end(today)
    call.save(update_fields=["results_published_at", "publicity_ends_on"])
    expires = call.publicity_ends_on + datetime.timedelta(days=call.offer_days)
    offers = list(
        Application.objects.filter(call=call, state=A.OFFERED).select_related("student", "offered__partner")
    )
    Application.objects.filter(pk__in=[a.pk for a in offers]).update(offer_expires_on=expires)
    for application in offers:
        _tell_offer(application, str(application.offered.partner) if application.offered else "", expires)
    for application in Application.objects.filter(call=call, state=A.WAITLISTED).select_related("student"):
        _tell_waitlist(application)
    end = call.publicity_ends_on.isoformat()
    activity_record(
        target=call,
        verb="mobility.results_published",
        actor=actor,
        message=lambda: _("Results published; the publicity ends on %(date)s") % {"date": end},
    )
    return call


# --- re-allocation of released places ----------------------------------------------------------------


def place_released(*, application: Application, actor) -> AllocationRun | None:
    """Give the place ``application`` released (declined, withdrawn or expired; the effect of those moves)
    to the waiting list: a re-allocation in rank order where every seat still held (offered or accepted
    places, nominations) is locked, so only free places move. Waiting applicants who now get a place are
    offered it (system move ``offer``) with ``offer_expires_on`` = today + ``call.offer_days`` once the
    results are published (and told so); the others' explanations are brought up to date.

    Records an ``AllocationRun`` with ``reallocation`` True; returns it, or None when nothing was released
    (no place held, call not allocated yet) or nobody waits. Runs in the caller's transaction.
    """
    if application.offered_id is None:
        return None
    call = Call.objects.select_for_update().get(pk=application.call_id)
    if call.state not in REALLOCATION_CALL_STATES:
        return None
    holders = list(
        Application.objects.filter(call=call, state__in=HOLDING_STATES, offered__isnull=False)
        .exclude(pk=application.pk)
        .prefetch_related("preferences")
    )
    waiting = _by_rank(
        Application.objects.filter(call=call, state=A.WAITLISTED, rank__isnull=False).prefetch_related(
            "preferences"
        )
    )
    if not waiting:
        return None
    destinations = _destinations(call)
    locked = {h.pk: h.offered_id for h in holders if h.offered_id is not None}
    ranked = _by_rank([h for h in holders if h.rank is not None] + waiting)
    applicants = [_applicant(a, destinations) for a in ranked]
    capacities = {pk: d.places for pk, d in destinations.items()}
    outcomes = allocation_core.allocate(applicants, capacities, locked)
    published = call.state in PUBLISHED_STATES
    expires = casework.today() + datetime.timedelta(days=call.offer_days) if published else None
    offered: list[Application] = []
    unchanged: list[Application] = []
    names: dict[int, str] = {}
    for candidate in waiting:
        outcome = outcomes[candidate.pk]
        if outcome.destination is None:
            _place(candidate, outcome, expires=None)
            unchanged.append(candidate)
            continue
        moved = case_move(case=candidate, actor=None, move="offer")
        _place(moved, outcome, expires=expires)
        moved.save(update_fields=PLACE_FIELDS)
        offered.append(moved)
        names[moved.pk] = str(destinations[outcome.destination].partner)
    Application.objects.bulk_update(unchanged, PLACE_FIELDS, batch_size=500)
    if published and expires is not None:
        for moved in offered:
            _tell_offer(moved, names[moved.pk], expires)
    places = sum(capacities.values())
    held = len(locked) + len(offered)
    run = _record_run(
        call,
        actor if is_internal(actor) else None,
        reallocation=True,
        summary={
            "applicants": len(ranked),
            "offered": len(offered),
            "waitlisted": len(waiting) - len(offered),
            "places": places,
            "places_left": places - held,
            "input_hash": allocation_core.input_hash(applicants, capacities, locked),
            "released": application.number,
        },
    )
    count, number = len(offered), application.number
    activity_record(
        target=call,
        verb="mobility.reallocation",
        actor=actor if is_internal(actor) else None,
        message=lambda: (
            _("Place of %(number)s released: %(count)s new offers from the waiting list")
            % {"number": number, "count": count}
        ),
    )
    return run


# --- expiry ----------------------------------------------------------------------------------------------


def offers_expire(*, today: datetime.date) -> list[str]:
    """Expire every offer of a published call whose ``offer_expires_on`` lies before ``today`` (system move
    ``expire_offer``, which releases the place to the waiting list). Each offer in its own transaction, so
    one failure leaves the others done; idempotent. Returns the numbers of the applications expired."""
    due = list(
        Application.objects.filter(
            state=A.OFFERED, offer_expires_on__lt=today, call__state__in=PUBLISHED_STATES
        )
        .order_by("call_id", "rank", "pk")
        .values_list("pk", flat=True)
    )
    expired = []
    for pk in due:
        with transaction.atomic(), casework.evaluation_date(today):
            application = (
                Application.objects.select_for_update()
                .filter(pk=pk, state=A.OFFERED, offer_expires_on__lt=today)
                .first()
            )
            if application is None:
                continue
            case_move(case=application, actor=None, move="expire_offer")
            expired.append(application.number)
    return expired
