"""Writing trips: create and edit the application (people, itinerary, budget, links), file uploads, moves.

Money is in the budget line's currency (CNY unless stated); dates are local calendar dates; "days" of a trip
count the departure and the arrival day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.travel import permissions
from meridian.travel.choices import MemberRole, TripFileKind
from meridian.travel.models import BudgetLine, ItineraryItem, Trip, TripFile, TripMember
from meridian.workflow.files import checked_file
from meridian.workflow.services import case_move

EDITABLE_FIELDS = [
    "title",
    "unit",
    "applicant",
    "region",
    "delegation_kind",
    "purpose",
    "task",
    "paper_title",
    "conference_name",
    "depart_on",
    "return_on",
    "inviter_partner",
    "inviter_institution",
    "inviter_name",
    "inviter_is_counterpart",
    "funding_source",
    "funding_note",
    "projects",
    "plan_line",
    "justifications",
]


def trip_number_next(*, year: int) -> str:
    """The next free trip number, ``TRV-<year>-<4-digit sequence>``."""
    prefix = f"TRV-{year}-"
    highest = 0
    for number in Trip.objects.filter(number__startswith=prefix).values_list("number", flat=True):
        tail = number[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


def _set_history_user(trip: Trip, actor) -> None:
    trip._history_user = actor  # type: ignore[attr-defined]


def _check_members(members: list[dict[str, Any]]) -> None:
    persons = [m["person"] for m in members]
    if len({getattr(p, "pk", p) for p in persons}) != len(persons):
        raise ValidationError({"members": [_("A person is listed twice in the delegation.")]})
    leaders = [m for m in members if m.get("role") == MemberRole.LEADER]
    if len(leaders) > 1:
        raise ValidationError({"members": [_("A delegation has one leader.")]})


def _set_members(trip: Trip, members: list[dict[str, Any]]) -> None:
    """Replace the delegation: each dict has ``person`` (Person), ``role`` and optional ``post``,
    ``is_unit_leader``; the member's unit is taken from their person record."""
    _check_members(members)
    trip.members.all().delete()
    TripMember.objects.bulk_create(
        [
            TripMember(
                trip=trip,
                person=m["person"],
                role=m.get("role") or MemberRole.MEMBER,
                post=m.get("post", ""),
                is_unit_leader=bool(m.get("is_unit_leader", False)),
                unit_id=getattr(m["person"], "unit_id", None),
                order=i,
            )
            for i, m in enumerate(members)
        ]
    )


def _set_itinerary(trip: Trip, items: list[dict[str, Any]]) -> None:
    """Replace the itinerary: dicts with ``day`` (date), ``country`` (Country), ``city``, ``is_transit``,
    ``activity``. Every day must lie within the trip's dates."""
    errors = []
    for item in items:
        if not (trip.depart_on <= item["day"] <= trip.return_on):
            errors.append(
                _("%(day)s lies outside the trip's dates (%(start)s to %(end)s).")
                % {"day": item["day"].isoformat(), "start": trip.depart_on, "end": trip.return_on}
            )
    if errors:
        raise ValidationError({"itinerary": errors})
    trip.itinerary.all().delete()
    ItineraryItem.objects.bulk_create(
        [
            ItineraryItem(
                trip=trip,
                day=item["day"],
                country=item["country"],
                city=item.get("city", ""),
                is_transit=bool(item.get("is_transit", False)),
                activity=item.get("activity", ""),
                order=i,
            )
            for i, item in enumerate(items)
        ]
    )


def _set_budget(trip: Trip, lines: list[dict[str, Any]]) -> None:
    """Replace the budget: dicts with ``kind``, ``amount`` (Decimal), optional ``currency`` (ISO 4217,
    default CNY), ``country``, ``persons``, ``days``, ``note``."""
    for line in lines:
        if Decimal(line["amount"]) < 0:
            raise ValidationError({"budget": [_("Budget amounts cannot be negative.")]})
    trip.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                trip=trip,
                kind=line["kind"],
                amount=Decimal(line["amount"]),
                currency=(line.get("currency") or "CNY").upper(),
                country=line.get("country"),
                persons=line.get("persons") or 1,
                days=line.get("days") or 1,
                note=line.get("note", ""),
            )
            for line in lines
        ]
    )


def _apply(trip: Trip, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS and name.removesuffix("_id") not in EDITABLE_FIELDS:
            raise ValidationError({name: [_("Unknown field.")]})
        setattr(trip, name, value)


def _check_dates(trip: Trip) -> None:
    """Refuse a return before the departure with a message on the return date (not the database's)."""
    if trip.depart_on and trip.return_on and trip.return_on < trip.depart_on:
        raise ValidationError({"return_on": [_("The return date lies before the departure date.")]})


def _check_unit(actor, trip: Trip) -> None:
    """A secretary files for people of units within their reach; anyone else only for themselves, and only
    for a unit they belong to. Raises ``PermissionDeniedError``."""
    if actor is None:
        return
    if permissions.acts_for_unit(actor, trip.unit_id):
        return
    if trip.applicant_id != actor.pk:
        raise PermissionDeniedError(_("You may file trips only for yourself or for people of your units."))
    from meridian.accounts.choices import Role
    from meridian.accounts.permissions import standing

    if trip.unit_id not in standing(actor).units(*Role.values):
        raise PermissionDeniedError(_("You may file trips only for a unit you belong to."))


def _after_children(
    trip: Trip,
    *,
    members: list[dict] | None,
    itinerary: list[dict] | None,
    budget: list[dict] | None,
    partners: Iterable | None,
    agreements: Iterable | None,
) -> None:
    if members is not None:
        _set_members(trip, members)
    if itinerary is not None:
        _set_itinerary(trip, itinerary)
    if budget is not None:
        _set_budget(trip, budget)
    if partners is not None:
        trip.partners.set(list(partners))
    if agreements is not None:
        trip.agreements.set(list(agreements))


def _recheck(trip: Trip) -> None:
    """Store a fresh rule check while the application is still being prepared (draft, publicity). From
    submission on, the stored results are those the trip was submitted with (``casework`` stores them), so a
    scan added later does not re-judge an approved trip by today's date."""
    from meridian.travel.choices import TripState
    from meridian.travel.rules import trip_check

    if trip.state in (TripState.DRAFT, TripState.PUBLICITY):
        trip_check(trip=trip, save=True)


@transaction.atomic
def trip_create(
    *,
    actor,
    members: list[dict] | None = None,
    itinerary: list[dict] | None = None,
    budget: list[dict] | None = None,
    partners: Iterable | None = None,
    agreements: Iterable | None = None,
    **fields: Any,
) -> Trip:
    """Create a draft trip; returns it with its number (``TRV-<year>-NNNN``) and first rule check.

    ``fields`` are model fields of ``Trip`` (``EDITABLE_FIELDS``); ``applicant`` defaults to ``actor``.
    ``members``/``itinerary``/``budget`` are lists of dicts (see ``_set_members``, ``_set_itinerary``,
    ``_set_budget``). Raises ``PermissionDeniedError`` (filing for someone outside the actor's units),
    ``ValidationError`` (bad fields, itinerary outside the dates, two leaders, negative amounts).
    """
    if actor is not None and not permissions.can_create_trip(actor):
        raise PermissionDeniedError(_("You may not file official trips."))
    fields.setdefault("applicant", actor)
    trip = Trip()
    _apply(trip, fields)
    if actor is not None:
        trip.created_by = actor
    _check_unit(actor, trip)
    _check_dates(trip)
    trip.number = trip_number_next(year=(trip.depart_on or timezone.localdate()).year)
    trip.full_clean(exclude=["number"])
    _set_history_user(trip, actor)
    for attempt in range(5):
        try:
            with transaction.atomic():
                trip.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
            trip.pk = None
            trip.number = trip_number_next(year=trip.depart_on.year)
    _after_children(
        trip, members=members, itinerary=itinerary, budget=budget, partners=partners, agreements=agreements
    )
    _recheck(trip)
    activity_record(
        target=trip,
        verb="created",
        actor=actor,
        message=lambda: _("Trip %(number)s filed") % {"number": trip.number},
    )
    return trip


@transaction.atomic
def trip_update(
    *,
    trip: Trip,
    actor,
    expected_version: int | None = None,
    members: list[dict] | None = None,
    itinerary: list[dict] | None = None,
    budget: list[dict] | None = None,
    partners: Iterable | None = None,
    agreements: Iterable | None = None,
    **fields: Any,
) -> Trip:
    """Change a draft trip (``None`` for a list leaves it as it is); re-runs the rule check.

    A save based on an older ``expected_version`` raises ``StaleEditError`` listing what changed meanwhile.
    Raises ``PermissionDeniedError`` when the trip is no longer a draft or the actor may not edit it.
    """
    current = Trip.objects.select_for_update().get(pk=trip.pk)
    if actor is not None and not permissions.can_edit_trip(actor, current):
        raise PermissionDeniedError(
            _("Only a draft trip can be edited, by its applicant, unit or the office.")
        )
    ensure_fresh(instance=current, expected_version=expected_version, fields=EDITABLE_FIELDS)
    _apply(current, fields)
    _check_unit(actor, current)
    _check_dates(current)
    current.full_clean()
    bump_version(current)
    _set_history_user(current, actor)
    current.save()
    _after_children(
        current, members=members, itinerary=itinerary, budget=budget, partners=partners, agreements=agreements
    )
    _recheck(current)
    activity_record(
        target=current,
        verb="updated",
        actor=actor,
        message=lambda: _("Trip %(number)s updated") % {"number": current.number},
    )
    return current


def trip_file_add(*, trip: Trip, actor, kind: str, uploaded: UploadedFile) -> TripFile:
    """Attach a file (type read from its bytes: PDF, Word, Excel, PNG, JPEG; size limit ``MAX_UPLOAD_MB``).

    Who may add which kind when: ``permissions.may_add_file`` (the office any kind at any time; others
    invitations, translations and papers while the trip is a draft, and stamp pages once it is under way).
    The rule check runs again and is stored while the application is prepared. Raises ``DomainError`` for a
    refused file, ``PermissionDeniedError``, ``ValidationError`` for an unknown kind.
    """
    if kind not in TripFileKind.values:
        raise ValidationError({"kind": [_("Unknown kind of file.")]})
    if actor is not None and not permissions.may_add_file(actor, trip, kind):
        raise PermissionDeniedError(_("You may not add this file to the trip now."))
    content, name, content_type, size, digest = checked_file(uploaded)
    record = TripFile(
        trip=trip,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=actor,
    )
    record.file.save(name, content, save=False)
    record.save()
    _recheck(trip)  # the rules read the files (the invitation letter): the stored results follow them
    return record


def trip_file_delete(*, file: TripFile, actor) -> None:
    """Remove a file (``permissions.can_delete_trip_file``) and run the stored rule check again; raises
    ``PermissionDeniedError`` otherwise."""
    if actor is not None and not permissions.can_delete_trip_file(actor, file):
        raise PermissionDeniedError(_("You may not remove this file."))
    trip = file.trip
    file.file.delete(save=False)
    file.delete()
    _recheck(trip)


def trip_snapshot(trip: Trip) -> dict[str, Any]:
    """What a change request compares: dates, people (id, name, role), itinerary (day, country code, city,
    transit, activity) and budget lines, as plain JSON data."""
    return {
        "depart_on": trip.depart_on.isoformat(),
        "return_on": trip.return_on.isoformat(),
        "members": [
            {"person": m.person_id, "name": str(m.person), "role": m.role, "post": m.post}
            for m in trip.members.select_related("person")
        ],
        "itinerary": [
            {
                "day": i.day.isoformat(),
                "country": i.country_id,
                "city": i.city,
                "is_transit": i.is_transit,
                "activity": i.activity,
            }
            for i in trip.itinerary.all()
        ],
        "budget": [
            {
                "kind": b.kind,
                "amount": str(b.amount),
                "currency": b.currency,
                "country": b.country_id,
                "persons": b.persons,
                "days": b.days,
            }
            for b in trip.budget_lines.all()
        ],
    }


def trip_move(
    *, trip: Trip, actor, move: str, comment: str = "", on_behalf_of=None, data: dict | None = None
) -> Trip:
    """Take a declared move of the trip (``casework.TRIP_TRANSITIONS``) through the workflow engine.

    Raises ``TransitionError`` (wrong state; a guard failing — every reason listed, e.g. the rule pack's),
    ``PermissionDeniedError``, ``ValidationError``.
    """
    return case_move(case=trip, actor=actor, move=move, comment=comment, on_behalf_of=on_behalf_of, data=data)


def trips_depart_due(*, today: date | None = None) -> int:
    """Background job: externally approved trips whose departure date has come are marked as travelling;
    returns how many moved. Trips still abroad after their return date are left for a person to confirm."""
    from meridian.travel.casework import evaluation_date
    from meridian.travel.choices import TripState

    day = today or timezone.localdate()
    moved = 0
    with evaluation_date(day):
        for trip in Trip.objects.filter(state=TripState.AUTHORISED, depart_on__lte=day):
            try:
                case_move(case=trip, actor=None, move="depart")
                moved += 1
            except DomainError:
                continue
    return moved
