"""Change requests (变更申请) of approved trips: dates, people, itinerary (and budget) after approval.

A change compares ``proposed`` with ``approved`` (both in the shape of ``services.trips.trip_snapshot``) and
only the difference is routed for re-approval (case type ``trip_change``). On approval the trip takes the
proposed dates, people, itinerary and budget, and its ``approved_snapshot`` becomes the new approved version.
Approval after the fact is refused: a change is approved only while the changed trip has not begun. Source:
the design note "Official travel abroad" (changes of dates, people or itinerary need re-approval; approval
after the trip is impossible).

Snapshot shape (plain JSON)::

    {"depart_on": "YYYY-MM-DD", "return_on": "YYYY-MM-DD",
     "members": [{"person": <Person id>, "name": str, "role": "leader"|"member"|"interpreter", "post": str}],
     "itinerary": [{"day": "YYYY-MM-DD", "country": "<ISO alpha-2>", "city": str, "is_transit": bool,
                    "activity": str}],
     "budget": [{"kind": str, "amount": "<decimal>", "currency": "<ISO 4217>", "country": "<ISO>"|None,
                 "persons": int, "days": int}]}
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.versioning import bump_version
from meridian.travel import permissions
from meridian.travel.choices import BudgetKind, ChangeState, MemberRole, TripState
from meridian.travel.models import BudgetLine, ItineraryItem, Trip, TripChange, TripMember

CHANGEABLE_STATES = (TripState.APPROVED, TripState.AUTHORISED)
OPEN_STATES = (ChangeState.DRAFT, ChangeState.UNDER_REVIEW)


# --- who may ------------------------------------------------------------------------------------------------


def open_change(trip: Trip) -> TripChange | None:
    """The trip's change request still in draft or under approval, if any (there is at most one)."""
    return trip.changes.filter(state__in=OPEN_STATES).first()


def can_request_change(user, trip: Trip) -> bool:
    """The applicant, a coordinator of the trip's unit or the office, while the trip is approved or externally
    approved and no other change request is open."""
    if trip.state not in CHANGEABLE_STATES:
        return False
    if not (permissions.is_trip_applicant(user, trip) or permissions.acts_for_unit(user, trip.unit_id)):
        return False
    return open_change(trip) is None


# --- normalising proposals ------------------------------------------------------------------------------


def _iso(value: Any, field: str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: [_("Enter a valid date.")]}) from exc


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({"budget": [_("Enter a valid amount.")]}) from exc


def normalise(proposed: dict[str, Any], *, base: dict[str, Any]) -> dict[str, Any]:
    """Bring a proposal into the snapshot shape; keys left out are taken from ``base`` (the approved version).

    Accepts dates or ISO strings, Person objects or ids, Country objects or codes, Decimal or string amounts.
    Raises ``ValidationError`` (dates out of order, nobody or two leaders or a person twice, an unknown person
    or country, an itinerary day outside the dates, a negative amount or unknown budget line).
    """
    from meridian.people.models import Person
    from meridian.reference.models import Country

    depart = _iso(proposed.get("depart_on", base.get("depart_on")), "depart_on")
    back = _iso(proposed.get("return_on", base.get("return_on")), "return_on")
    errors: dict[str, list[str]] = {}
    if back < depart:
        errors["return_on"] = [_("The return date is before the departure date.")]

    members_in = proposed.get("members", base.get("members", []))
    person_ids = [_pk(m.get("person")) for m in members_in]
    persons = {
        p.pk: p for p in Person.objects.filter(pk__in=[int(p) for p in person_ids if str(p).isdigit()])
    }
    members = []
    for m, pk in zip(members_in, person_ids, strict=True):
        person = persons.get(int(pk)) if str(pk).isdigit() else None
        if person is None:
            errors.setdefault("members", []).append(_("Unknown person."))
            continue
        role = m.get("role") or MemberRole.MEMBER
        if role not in MemberRole.values:
            errors.setdefault("members", []).append(_("Unknown role in the delegation."))
            continue
        members.append(
            {"person": person.pk, "name": str(person), "role": role, "post": m.get("post", "") or ""}
        )
    if not members and "members" not in errors:
        errors["members"] = [_("A delegation has at least one member.")]
    if len({m["person"] for m in members}) != len(members):
        errors.setdefault("members", []).append(_("A person is listed twice in the delegation."))
    if sum(1 for m in members if m["role"] == MemberRole.LEADER) != 1 and members:
        errors.setdefault("members", []).append(_("Name exactly one leader of the delegation."))

    items_in = proposed.get("itinerary", base.get("itinerary", []))
    codes = {str(_pk(i.get("country"))) for i in items_in}
    known = set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
    itinerary = []
    for item in items_in:
        code = str(_pk(item.get("country")))
        day = _iso(item.get("day"), "itinerary")
        if code not in known:
            errors.setdefault("itinerary", []).append(_("Unknown country or territory."))
            continue
        if not (depart <= day <= back):
            errors.setdefault("itinerary", []).append(
                _("%(day)s lies outside the trip's dates (%(start)s to %(end)s).")
                % {"day": day, "start": depart, "end": back}
            )
            continue
        itinerary.append(
            {
                "day": day,
                "country": code,
                "city": item.get("city", "") or "",
                "is_transit": bool(item.get("is_transit", False)),
                "activity": item.get("activity", "") or "",
            }
        )
    if not itinerary and "itinerary" not in errors:
        errors["itinerary"] = [_("Add the day-by-day itinerary.")]
    itinerary.sort(key=lambda i: i["day"])

    budget = []
    for line in proposed.get("budget", base.get("budget", [])):
        amount = _amount(line.get("amount"))
        if amount < 0:
            errors.setdefault("budget", []).append(_("Budget amounts cannot be negative."))
            continue
        if line.get("kind") not in BudgetKind.values:
            errors.setdefault("budget", []).append(_("Unknown budget line."))
            continue
        country = _pk(line.get("country")) or None
        budget.append(
            {
                "kind": line["kind"],
                "amount": str(amount),
                "currency": (line.get("currency") or "CNY").upper(),
                "country": country,
                "persons": int(line.get("persons") or 1),
                "days": int(line.get("days") or 1),
            }
        )
    if errors:
        raise ValidationError(errors)
    return {
        "depart_on": depart,
        "return_on": back,
        "members": members,
        "itinerary": itinerary,
        "budget": budget,
    }


# --- creating -----------------------------------------------------------------------------------------------


def change_number_next(*, year: int) -> str:
    """The next free change number, ``CHG-<year>-<4-digit sequence>``."""
    prefix = f"CHG-{year}-"
    highest = 0
    for number in TripChange.objects.filter(number__startswith=prefix).values_list("number", flat=True):
        tail = number[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


def _base_snapshot(trip: Trip) -> dict[str, Any]:
    from meridian.travel.services.trips import trip_snapshot

    return trip.approved_snapshot or trip_snapshot(trip)


@transaction.atomic
def change_create(*, trip: Trip, actor, reason: str, proposed: dict) -> TripChange:
    """Open a change request (draft) of an approved or externally approved trip; returns it.

    ``approved`` is the trip's ``approved_snapshot`` (or its current snapshot when none was frozen);
    ``proposed`` is normalised into the same shape (see ``normalise``; keys left out stay as approved). The
    number is ``CHG-<year>-NNNN``. Only one change per trip may be open (draft or under approval).

    Raises ``PermissionDeniedError`` (not the applicant, the unit's coordinator or the office),
    ``TransitionError`` (trip not approved/externally approved, another change open), ``ValidationError``
    (no reason, a bad proposal, nothing changed).
    """
    from meridian.travel.casework import today

    trip = Trip.objects.select_for_update().get(pk=trip.pk)
    if actor is not None and not (
        permissions.is_trip_applicant(actor, trip) or permissions.acts_for_unit(actor, trip.unit_id)
    ):
        raise PermissionDeniedError(_("You may not request a change of this trip."))
    if trip.state not in CHANGEABLE_STATES:
        raise TransitionError(
            _("A change can be requested once the trip has been approved and before it departs.")
        )
    existing = open_change(trip)
    if existing is not None:
        raise TransitionError(
            _("Change request %(number)s of this trip is still open.") % {"number": existing.number}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the trip must change.")]})
    approved = _base_snapshot(trip)
    normalised = normalise(proposed, base=approved)
    change = TripChange(
        trip=trip,
        reason=reason,
        approved=approved,
        proposed=normalised,
        state=ChangeState.DRAFT,
        applicant=trip.applicant,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if not change_difference(change):
        raise ValidationError({"__all__": [_("The request changes nothing.")]})
    year = today().year
    for attempt in range(5):
        change.number = change_number_next(year=year)
        try:
            with transaction.atomic():
                change.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
            change.pk = None
    activity_record(
        target=trip,
        verb="change_requested",
        actor=actor,
        message=lambda: (
            _("Change request %(change)s of %(number)s opened")
            % {"change": change.number, "number": trip.number}
        ),
    )
    return change


# --- comparing ---------------------------------------------------------------------------------------------


def _country_names(codes: set[str]) -> dict[str, str]:
    from meridian.reference.models import Country

    return {c.code: c.name for c in Country.objects.filter(code__in=codes)}


def _role_label(role: str) -> str:
    try:
        return str(MemberRole(role).label)
    except ValueError:
        return role


def _member_text(m: dict[str, Any]) -> str:
    text = f"{m.get('name', '')} ({_role_label(m.get('role', ''))})"
    return f"{text}, {m['post']}" if m.get("post") else text


def _item_text(item: dict[str, Any], names: dict[str, str]) -> str:
    code = item.get("country") or ""
    country = names.get(code, code)
    text = f"{country}, {item['city']}" if item.get("city") else country
    if item.get("is_transit"):
        text += " (" + _("transit") + ")"
    if item.get("activity"):
        text += f": {item['activity']}"
    return text


def _budget_key(line: dict[str, Any]) -> tuple:
    return (
        line.get("kind"),
        str(_amount(line.get("amount", 0))),
        (line.get("currency") or "CNY").upper(),
        line.get("country") or None,
        int(line.get("persons") or 1),
        int(line.get("days") or 1),
    )


def _budget_text(key: tuple, names: dict[str, str]) -> str:
    kind, amount, currency, country, persons, days = key
    try:
        label = str(BudgetKind(kind).label)
    except ValueError:
        label = str(kind)
    text = f"{label}: {currency} {Decimal(amount):,.2f}"
    detail = _("%(persons)s persons × %(days)s days") % {"persons": persons, "days": days}
    if country:
        detail = f"{names.get(country, country)}, {detail}"
    return f"{text} ({detail})"


def _totals(lines: list[dict[str, Any]]) -> str:
    totals: dict[str, Decimal] = {}
    for line in lines:
        currency = (line.get("currency") or "CNY").upper()
        totals[currency] = totals.get(currency, Decimal(0)) + _amount(line.get("amount", 0))
    return "; ".join(f"{c} {a:,.2f}" for c, a in sorted(totals.items(), key=lambda x: (x[0] != "CNY", x[0])))


def _days(snapshot: dict[str, Any]) -> int:
    return (date.fromisoformat(snapshot["return_on"]) - date.fromisoformat(snapshot["depart_on"])).days + 1


def change_difference(change: TripChange) -> list[dict[str, str]]:
    """What the change alters, as a list of rows (empty when nothing changed), in the order dates, members,
    itinerary, budget. Each row: ``{"section": "dates"|"members"|"itinerary"|"budget", "change":
    "added"|"removed"|"changed", "label": str, "before": str, "after": str}`` ("" for the side that has none).

    Members are matched by person (added, removed, role or post changed); the itinerary by day (a day whose
    entries differ is "changed"); budget lines by their content (kind, amount, currency, country, persons,
    days), with a row for the totals per currency when they differ. Labels are in the active language."""
    before, after = change.approved or {}, change.proposed or {}
    if not before or not after:
        return []
    rows: list[dict[str, str]] = []

    def row(section: str, kind: str, label: str, old: str, new: str) -> None:
        rows.append({"section": section, "change": kind, "label": label, "before": old, "after": new})

    if (before.get("depart_on"), before.get("return_on")) != (after.get("depart_on"), after.get("return_on")):
        template = _("%(start)s to %(end)s (%(days)s days)")
        row(
            "dates",
            "changed",
            _("Dates"),
            template % {"start": before["depart_on"], "end": before["return_on"], "days": _days(before)},
            template % {"start": after["depart_on"], "end": after["return_on"], "days": _days(after)},
        )

    old_members = {m["person"]: m for m in before.get("members", [])}
    new_members = {m["person"]: m for m in after.get("members", [])}
    for pk, m in old_members.items():
        if pk not in new_members:
            row("members", "removed", m.get("name", ""), _member_text(m), "")
        else:
            n = new_members[pk]
            if (m.get("role"), m.get("post", "")) != (n.get("role"), n.get("post", "")):
                row("members", "changed", n.get("name", ""), _member_text(m), _member_text(n))
    for pk, n in new_members.items():
        if pk not in old_members:
            row("members", "added", n.get("name", ""), "", _member_text(n))

    codes = {i.get("country") for i in before.get("itinerary", []) + after.get("itinerary", [])}
    codes |= {
        b.get("country") for b in before.get("budget", []) + after.get("budget", []) if b.get("country")
    }
    names = _country_names({c for c in codes if c})
    old_days: dict[str, list[str]] = {}
    new_days: dict[str, list[str]] = {}
    for item in before.get("itinerary", []):
        old_days.setdefault(item["day"], []).append(_item_text(item, names))
    for item in after.get("itinerary", []):
        new_days.setdefault(item["day"], []).append(_item_text(item, names))
    for day in sorted(set(old_days) | set(new_days)):
        old, new = "; ".join(old_days.get(day, [])), "; ".join(new_days.get(day, []))
        if old == new:
            continue
        kind = "added" if not old else "removed" if not new else "changed"
        row("itinerary", kind, day, old, new)

    old_budget = Counter(_budget_key(b) for b in before.get("budget", []))
    new_budget = Counter(_budget_key(b) for b in after.get("budget", []))
    if old_budget != new_budget:
        for key in sorted((old_budget - new_budget).elements(), key=str):
            row("budget", "removed", _("Budget line"), _budget_text(key, names), "")
        for key in sorted((new_budget - old_budget).elements(), key=str):
            row("budget", "added", _("Budget line"), "", _budget_text(key, names))
        old_total, new_total = _totals(before.get("budget", [])), _totals(after.get("budget", []))
        if old_total != new_total:
            row("budget", "changed", _("Budget total"), old_total, new_total)
    return rows


def change_sections(change: TripChange) -> list[str]:
    """The sections the change alters ("dates", "members", "itinerary", "budget"), in that order."""
    found = {r["section"] for r in change_difference(change)}
    return [s for s in ("dates", "members", "itinerary", "budget") if s in found]


def change_start_date(change: TripChange) -> date:
    """The departure date of the trip as changed (the proposed departure)."""
    snapshot = change.proposed or change.approved or {}
    if snapshot.get("depart_on"):
        return date.fromisoformat(snapshot["depart_on"])
    return change.trip.depart_on


def change_days(change: TripChange) -> int:
    """Days away of the trip as changed, counting the departure and the arrival day (chain conditions)."""
    snapshot = change.proposed or change.approved or {}
    if snapshot.get("depart_on") and snapshot.get("return_on"):
        return _days(snapshot)
    return change.trip.days


# --- applying ---------------------------------------------------------------------------------------------


@transaction.atomic
def change_apply(*, change: TripChange, actor) -> Trip:
    """Give the trip the approved change: dates, delegation, itinerary, and budget when the change alters it;
    then freeze the result as the trip's new ``approved_snapshot``, re-run the rule check and log an activity.
    When the trip is externally approved and the change alters its dates, people or itinerary, a second
    activity says that the approval document predates the change (its approval by the authority is needed).

    Called by the change's ``approve`` move. Refuses (``TransitionError``) when the changed trip would already
    have begun (approval after the fact) or the trip is no longer approved or externally approved; nothing is
    changed then. Members who stay keep their "leader of a unit" mark.
    """
    from meridian.people.models import Person
    from meridian.reference.models import Country
    from meridian.travel.casework import today
    from meridian.travel.services.trips import trip_snapshot

    trip = Trip.objects.select_for_update().get(pk=change.trip_id)
    if change_start_date(change) <= today():
        raise TransitionError(
            _("The changed trip would already have begun: approval after the fact is not possible.")
        )
    if trip.state not in CHANGEABLE_STATES:
        raise TransitionError(
            _("The trip is “%(state)s”: a change applies only to an approved trip that has not departed.")
            % {"state": trip.get_state_display()}
        )
    proposed = change.proposed
    sections = set(change_sections(change))
    trip.depart_on = date.fromisoformat(proposed["depart_on"])
    trip.return_on = date.fromisoformat(proposed["return_on"])
    bump_version(trip)
    if actor is not None and getattr(actor, "is_authenticated", False):
        trip._history_user = actor  # type: ignore[attr-defined]
    trip.save()

    unit_leaders = set(trip.members.filter(is_unit_leader=True).values_list("person_id", flat=True))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=[m["person"] for m in proposed["members"]])}
    trip.members.all().delete()
    TripMember.objects.bulk_create(
        [
            TripMember(
                trip=trip,
                person=persons[m["person"]],
                role=m["role"],
                post=m.get("post", ""),
                is_unit_leader=m["person"] in unit_leaders,
                unit_id=persons[m["person"]].unit_id,
                order=i,
            )
            for i, m in enumerate(proposed["members"])
        ]
    )
    countries = {
        c.code: c for c in Country.objects.filter(code__in={i["country"] for i in proposed["itinerary"]})
    }
    trip.itinerary.all().delete()
    ItineraryItem.objects.bulk_create(
        [
            ItineraryItem(
                trip=trip,
                day=date.fromisoformat(item["day"]),
                country=countries[item["country"]],
                city=item.get("city", ""),
                is_transit=bool(item.get("is_transit")),
                activity=item.get("activity", ""),
                order=i,
            )
            for i, item in enumerate(proposed["itinerary"])
        ]
    )
    if "budget" in sections:
        trip.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(
                    trip=trip,
                    kind=line["kind"],
                    amount=Decimal(line["amount"]),
                    currency=line.get("currency") or "CNY",
                    country_id=line.get("country") or None,
                    persons=line.get("persons") or 1,
                    days=line.get("days") or 1,
                )
                for line in proposed.get("budget", [])
            ]
        )
    trip.approved_snapshot = trip_snapshot(trip)
    trip.save(update_fields=["approved_snapshot"])
    from meridian.travel.rules import trip_check

    trip_check(trip=trip, save=True)
    activity_record(
        target=trip,
        verb="change_applied",
        actor=actor,
        message=lambda: (
            _("Change %(change)s applied to %(number)s") % {"change": change.number, "number": trip.number}
        ),
    )
    _note_approval_predates(trip, change, sections, actor=actor)
    return trip


def _note_approval_predates(trip: Trip, change: TripChange, sections: set[str], *, actor) -> None:
    """When the change alters what the recorded approval document (批件) approved — dates, people or
    itinerary of an externally approved trip —, say so in the trip's activity: the office must obtain the
    authority's approval of the change. (The trip page's panel derives the same from the dates.)"""
    from meridian.travel.models import ExternalApproval
    from meridian.travel.services.external import APPROVAL_SECTIONS

    if trip.state != TripState.AUTHORISED or not sections & set(APPROVAL_SECTIONS):
        return
    record = ExternalApproval.objects.filter(trip=trip).first()
    if record is None:
        return
    document, change_number, number = record.document_number, change.number, trip.number
    activity_record(
        target=trip,
        verb="change_after_external_approval",
        actor=actor,
        message=lambda: (
            _(
                "Change %(change)s alters the dates, people or itinerary of %(number)s after its approval "
                "document %(document)s was recorded: obtain the authority's approval of the change."
            )
            % {"change": change_number, "number": number, "document": document}
        ),
    )
