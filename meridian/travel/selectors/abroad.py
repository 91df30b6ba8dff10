"""Who is abroad on a given day (duty of care): travellers, where their itinerary puts them, how to reach
them.

A person is abroad on ``day`` when they are a member of a trip that

- is externally approved, travelling, returned or closed, and whose dates include ``day`` (actual departure
  and return dates where recorded, else the planned ones); or
- is still marked as travelling (not yet marked returned) and departed on or before ``day``, up to today:
  someone who stays beyond the planned return date is still shown until the return is recorded.

Visibility follows ``permissions.can_see_abroad_list``: the office and leadership see everyone, a unit's
coordinators the trips of their units (and subunits); everybody else sees nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meridian.accounts.permissions import can_read_university
from meridian.reference.models import Country
from meridian.travel.choices import TripState
from meridian.travel.models import ItineraryItem, Trip, TripMember
from meridian.travel.permissions import acted_unit_ids

DATED_STATES = (TripState.AUTHORISED, TripState.ABROAD, TripState.RETURNED, TripState.CLOSED)


@dataclass
class AbroadRow:
    """One traveller on one trip on the day asked for; ``places`` are that day's itinerary items."""

    member: TripMember
    trip: Trip
    places: list[ItineraryItem] = field(default_factory=list)

    @property
    def person(self):
        return self.member.person

    @property
    def unit(self):
        return self.member.unit or self.trip.unit

    @property
    def countries(self) -> list[Country]:
        seen: dict[str, Country] = {}
        for item in self.places:
            seen.setdefault(item.country_id, item.country)
        return list(seen.values())

    @property
    def place_text(self) -> str:
        return "; ".join(
            f"{item.city}, {item.country}" + (f" ({_('transit')})" if item.is_transit else "")
            for item in self.places
        )


@dataclass
class CountryCount:
    code: str
    numeric: str
    name: str
    count: int


def abroad_trips(*, user, day: date, today: date | None = None) -> QuerySet[Trip]:
    """Trips whose travellers are abroad on ``day`` and that ``user`` may see on this list, with members,
    their people and units, and the itinerary of ``day`` loaded (a fixed number of queries)."""
    today = today or timezone.localdate()
    trips = Trip.objects.all()
    if not can_read_university(user):
        units = acted_unit_ids(user)
        if not units:
            return Trip.objects.none()
        trips = trips.filter(unit_id__in=units)
    dated = (
        Q(state__in=DATED_STATES)
        & (Q(departed_on__lte=day) | Q(departed_on__isnull=True, depart_on__lte=day))
        & (Q(returned_on__gte=day) | Q(returned_on__isnull=True, return_on__gte=day))
    )
    overstaying = Q(state=TripState.ABROAD, returned_on__isnull=True) & (
        Q(departed_on__lte=day) | Q(departed_on__isnull=True, depart_on__lte=day)
    )
    condition = dated | overstaying if day <= today else dated
    return (
        trips.filter(condition)
        .select_related("unit")
        .prefetch_related(
            Prefetch("members", queryset=TripMember.objects.select_related("person", "unit")),
            Prefetch(
                "itinerary",
                queryset=ItineraryItem.objects.filter(day=day).select_related("country"),
                to_attr="places_of_day",
            ),
        )
        .order_by("unit__name_en", "depart_on", "number")
    )


def abroad_rows(*, user, day: date, today: date | None = None) -> list[AbroadRow]:
    """One row per traveller abroad on ``day`` (see the module), sorted by unit, trip and role order."""
    rows = []
    for trip in abroad_trips(user=user, day=day, today=today):
        for member in trip.members.all():
            rows.append(AbroadRow(member=member, trip=trip, places=list(getattr(trip, "places_of_day", []))))
    return rows


def country_counts(rows: list[AbroadRow]) -> list[CountryCount]:
    """People per country on the day (a person in two countries that day counts in both), most first."""
    people: dict[str, set[int]] = defaultdict(set)
    countries: dict[str, Country] = {}
    for row in rows:
        for country in row.countries:
            people[country.code].add(row.person.pk)
            countries[country.code] = country
    counts = [
        CountryCount(code=code, numeric=countries[code].numeric, name=countries[code].name, count=len(ids))
        for code, ids in people.items()
    ]
    return sorted(counts, key=lambda c: (-c.count, c.name))


def abroad_map_svg(counts: list[CountryCount]) -> str:
    """An inline SVG world map (the directory's offline Natural Earth atlas) with the countries where people
    are shaded by their number; "" when the atlas file is not installed. No external address is used."""
    from meridian.reference.geo import load_atlas
    from meridian.reference.svgmap import colour_class

    atlas = load_atlas()
    if atlas is None:
        return ""
    by_numeric = {c.numeric: c for c in counts if c.numeric}
    by_code = {c.code: c for c in counts}
    # Every country's name in the reader's language (the atlas carries English names only).
    names = {
        country.numeric: country.name
        for country in Country.objects.exclude(numeric="").only("code", "numeric", "name_en", "name_zh")
    }
    paths = []
    for shape in atlas.shapes:
        if not shape.path:
            continue
        row = by_numeric.get(shape.numeric) if shape.numeric else None
        row = row or (by_code.get(shape.alpha2) if shape.alpha2 else None)
        if row is None:
            name = names.get(shape.numeric, shape.name)
            paths.append(f'<path class="country" d="{shape.path}"><title>{escape(name)}</title></path>')
            continue
        label = ngettext("%(name)s: %(count)s person", "%(name)s: %(count)s people", row.count) % {
            "name": row.name,
            "count": row.count,
        }
        paths.append(
            f'<path class="country c{colour_class(row.count)}" d="{shape.path}" '
            f'data-country="{escape(row.code)}">'
            f"<title>{escape(label)}</title></path>"
        )
    title = _("World map of people abroad")
    return (
        f'<svg class="world-map" viewBox="0 0 {atlas.width:.0f} {atlas.height:.0f}" role="img" '
        f'aria-label="{escape(title)}" focusable="false">'
        f'<rect class="sea" width="{atlas.width:.0f}" height="{atlas.height:.0f}"/>'
        f'<g class="countries">{"".join(paths)}</g></svg>'
    )
