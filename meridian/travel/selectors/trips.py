"""Reads of trip applications, already restricted to what the user may see (``Trip.objects.visible_to``).

List pages run a fixed number of queries whatever the number of rows: everything a row shows is joined or
prefetched here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from meridian.accounts.choices import Role
from meridian.accounts.models import OrgUnit, User
from meridian.accounts.permissions import can_write_university, standing
from meridian.agreements.models import Agreement
from meridian.partners.models import Partner
from meridian.people.models import Person
from meridian.people.selectors import person_search
from meridian.travel import permissions
from meridian.travel.choices import MemberRole
from meridian.travel.models import BudgetLine, ItineraryItem, Trip, TripMember, TripPlanLine


def trip_list(*, user) -> QuerySet[Trip]:
    """Trips ``user`` may see, with what a list row shows loaded: unit, applicant, the leader and the
    countries of the itinerary (two prefetch queries per page, whatever its length)."""
    leaders = TripMember.objects.filter(role=MemberRole.LEADER).select_related("person")
    itinerary = ItineraryItem.objects.select_related("country").only(
        "trip_id", "day", "order", "country__code", "country__name_en", "country__name_zh"
    )
    visible = Trip.objects.visible_to(user)
    if visible.query.distinct:
        # visible_to() adds DISTINCT for restricted users; over every trip column it makes the database sort
        # all visible rows. Its conditions are IN subqueries, so selecting by id is the same set.
        visible = Trip.objects.filter(pk__in=visible.values("pk"))
    return visible.select_related("unit", "applicant").prefetch_related(
        Prefetch("members", queryset=leaders, to_attr="leaders"),
        Prefetch("itinerary", queryset=itinerary, to_attr="itinerary_rows"),
    )


def trip_export_list(*, user) -> QuerySet[Trip]:
    """Like ``trip_list`` with every member (for the exports' traveller column)."""
    members = TripMember.objects.select_related("person")
    return trip_list(user=user).prefetch_related(Prefetch("members", queryset=members, to_attr="all_members"))


def trip_get(*, user, pk: int) -> Trip:
    """The trip if ``user`` may see it; raises ``Trip.DoesNotExist`` otherwise (views answer 404)."""
    return (
        Trip.objects.visible_to(user)
        .select_related(
            "unit", "applicant", "created_by", "inviter_partner", "inviter_institution", "plan_line"
        )
        .get(pk=pk)
    )


def trip_countries(trip: Trip) -> list:
    """Distinct countries of a list row's itinerary in order of the first visit (needs ``trip_list``)."""
    seen: dict[str, Any] = {}
    for item in getattr(trip, "itinerary_rows", None) or trip.itinerary.select_related("country"):
        seen.setdefault(item.country.code, item.country)
    return list(seen.values())


@dataclass
class TripDetail:
    members: list[TripMember] = field(default_factory=list)
    itinerary: list[ItineraryItem] = field(default_factory=list)
    budget: list[BudgetLine] = field(default_factory=list)
    totals: list[tuple[str, Decimal]] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    hidden_links: int = 0
    files: list = field(default_factory=list)
    can_edit: bool = False


def budget_totals(lines: list[BudgetLine]) -> list[tuple[str, Decimal]]:
    """Total of each currency (amounts as entered in the budget lines; no conversion), CNY first."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        totals[line.currency] += line.amount
    return sorted(totals.items(), key=lambda pair: (pair[0] != "CNY", pair[0]))


def trip_detail(*, user, trip: Trip) -> TripDetail:
    """What the trip page shows; partners and agreements concerned only as far as ``user`` may see them."""
    budget = list(trip.budget_lines.select_related("country"))
    linked_partners = list(trip.partners.all())
    linked_agreements = list(trip.agreements.all())
    partners = list(Partner.objects.visible_to(user).filter(pk__in=[p.pk for p in linked_partners]))
    agreements = list(Agreement.objects.visible_to(user).filter(pk__in=[a.pk for a in linked_agreements]))
    hidden = len(linked_partners) - len(partners) + len(linked_agreements) - len(agreements)
    return TripDetail(
        members=list(trip.members.select_related("person", "unit")),
        itinerary=list(trip.itinerary.select_related("country")),
        budget=budget,
        totals=budget_totals(budget),
        partners=partners,
        agreements=agreements,
        hidden_links=hidden,
        files=list(trip.files.select_related("uploaded_by")),
        can_edit=permissions.can_edit_trip(user, trip),
    )


# --- choices of the application form ----------------------------------------------------------------------


def filing_units(*, user) -> QuerySet[OrgUnit]:
    """Units ``user`` may file a trip for: every unit for the office; the units within a coordinator's reach;
    otherwise the units the user belongs to as staff or student."""
    units = OrgUnit.objects.order_by("path")
    if can_write_university(user):
        return units
    ids = set(permissions.acted_unit_ids(user)) | set(standing(user).units(Role.STAFF, Role.STUDENT))
    return units.filter(pk__in=ids)


def filing_applicants(*, user) -> QuerySet[User]:
    """Whom ``user`` may file for: anyone for the office; a coordinator (unit secretary) the users holding a
    role in a unit within their reach, and themselves; anyone else only themselves."""
    users = User.objects.filter(is_active=True).order_by("username")
    if can_write_university(user):
        return users
    units = permissions.acted_unit_ids(user)
    if units:
        return users.filter(Q(memberships__unit_id__in=units) | Q(pk=user.pk)).distinct()
    return users.filter(pk=user.pk)


def member_people(*, user, trip: Trip | None = None, query: str = "") -> QuerySet[Person]:
    """People ``user`` may put in a delegation: those visible to them and the people of the units they handle
    as coordinator or foreign-affairs secretary, plus the current members of ``trip``
    (so that editing keeps colleagues an applicant cannot see otherwise). ``query`` narrows by name."""
    visible: QuerySet[Person] = Person.objects.visible_to(user).filter(purged_at__isnull=True)
    units = permissions.acted_unit_ids(user)
    if units:
        # A foreign-affairs secretary files for the people of the units they handle, like a coordinator.
        own = Person.objects.filter(unit_id__in=units, purged_at__isnull=True)
        visible = Person.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=own.values("pk")))
    if trip is not None and trip.pk:
        current = Person.objects.filter(trip_memberships__trip=trip)
        visible = Person.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=current.values("pk")))
    if query:
        visible = person_search(visible, query)
    return visible.select_related("unit").order_by("family_name", "given_name", "pk")


def plan_line_choices(*, unit_id: int | None, year: int | None, region: str | None) -> QuerySet[TripPlanLine]:
    """Plan lines a trip may be matched to (``selectors.plans.plan_lines_for``); none when the unit or the
    year is unknown, or while the plans part is not installed."""
    if not unit_id or not year:
        return TripPlanLine.objects.none()
    try:
        from meridian.travel.selectors.plans import plan_lines_for
    except ImportError:
        return TripPlanLine.objects.none()
    return plan_lines_for(unit_id=unit_id, year=year, region=region or "abroad")
