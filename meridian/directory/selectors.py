"""Reads for the public directory: only public partners, only public fields, only published facts.

What other contexts publish about a partner (cooperation channels and current agreements, from agreements)
comes through ``registry.public_partner_facets`` and ``registry.public_partner_records``; the directory
imports no case context.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.query import ModelIterable
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import get_language

from meridian.core.i18n import is_chinese
from meridian.core.registry import registry
from meridian.core.sorting import localised_sort_field
from meridian.directory.filters import PublicPartnerFilter, filter_params
from meridian.partners.models import Partner
from meridian.partners.selectors import public_partner_condition
from meridian.portal.publiccache import data_stamp
from meridian.reference.models import Country

# Cached maps and feeds are keyed by the data version; the timeout only bounds memory use.
CACHE_SECONDS = 600

# Only these columns of a partner are ever read for the public site; internal ones are never loaded.
PUBLIC_PARTNER_FIELDS = (
    "id",
    "name",
    "name_en",
    "name_zh",
    "acronym",
    "kind",
    "country_id",
    "city",
    "website",
    "latitude",
    "longitude",
    "updated_at",
    "logo",
    "country__code",
    "country__alpha3",
    "country__numeric",
    "country__name_en",
    "country__name_zh",
    "country__region_code",
    "country__region_en",
    "country__region_zh",
)


# Partners per look-up of published facts: a page needs few; a feed asks for thousands, and each look-up reads
# the active agreements once, so a feed uses large chunks (bounded by SQLite's 32,766 query parameters).
FACTS_CHUNK = 500
FEED_FACTS_CHUNK = 10_000


class PublicFactsIterable(ModelIterable):
    """Public partners with what other contexts publish about them attached, per chunk of rows read."""

    def __iter__(self):
        chunk = getattr(self.queryset, "_public_facts_chunk", FACTS_CHUNK)
        batch: list[Partner] = []
        for partner in super().__iter__():
            batch.append(partner)
            if len(batch) >= chunk:
                yield from attach_public_facts(batch)
                batch = []
        yield from attach_public_facts(batch)


def attach_public_facts(partners: list[Partner]) -> list[Partner]:
    """Set ``public_channels`` (``[(value, label)]`` of every registered facet) and ``public_agreements``
    (``[{"title", "start", "end"}]`` of every registered record source) on each partner, one query each."""
    ids = [p.pk for p in partners]
    facets = [
        (dict(facet.choices()), facet.values_for(ids) if ids else {})
        for facet in registry.public_partner_facets
    ]
    records = [(source, source.records(ids) if ids else {}) for source in registry.public_partner_records]
    for partner in partners:
        channels: list[tuple[str, Any]] = []
        for labels, values in facets:
            channels += [(value, labels.get(value, value)) for value in values.get(partner.pk, [])]
        published: list[dict[str, Any]] = []
        counts: dict[str, int] = {}
        for source, rows_by_partner in records:
            rows = rows_by_partner.get(partner.pk, [])
            published += rows
            if source.feed_field:
                counts[source.feed_field] = len(rows)
        # Read by the templates and feeds, like annotations on the row.
        partner.public_channels = channels  # type: ignore[attr-defined]
        partner.public_agreements = published  # type: ignore[attr-defined]
        partner.public_counts = counts  # type: ignore[attr-defined]
    return partners


class PublicPartnerQuerySet(QuerySet):
    def with_public_facts(self, *, chunk: int = FACTS_CHUNK) -> PublicPartnerQuerySet:
        """Attach published facts to the rows read, looked up per ``chunk`` partners."""
        clone = self._chain()  # type: ignore[attr-defined]  # Django's own way to copy a queryset
        clone._iterable_class = PublicFactsIterable
        clone._public_facts_chunk = chunk
        return clone

    def _clone(self):
        clone = super()._clone()  # type: ignore[misc]
        clone._public_facts_chunk = getattr(self, "_public_facts_chunk", FACTS_CHUNK)
        return clone


def public_partners() -> QuerySet[Partner]:
    """Public partners (partners' one definition) with only public columns; each row read gets its published
    channels and current agreements attached (a fixed number of queries per chunk of rows)."""
    return (
        PublicPartnerQuerySet(model=Partner)
        .filter(public_partner_condition())
        .select_related("country")
        .only(*PUBLIC_PARTNER_FIELDS)
        # By the name shown, in the reader's language (Chinese by pinyin; meridian/core/sorting.py).
        .order_by(localised_sort_field(), "pk")
        .with_public_facts()
    )


def public_partner_list(*, filters: QueryDict | dict | None = None, request=None) -> PublicPartnerFilter:
    """The filter set over public partners; `.qs` is the filtered queryset, `.form` the filter form."""
    return PublicPartnerFilter(filters or None, queryset=public_partners(), request=request)


def public_partner_get(*, pk: int) -> Partner | None:
    return public_partners().filter(pk=pk).first()


def partner_logo_url(partner: Partner) -> str:
    """The address of a public partner's logo (``directory:partner_logo``), or "" when it has none."""
    name = partner.logo.name if partner.logo else ""
    if not name:
        return ""
    return reverse("directory:partner_logo", args=[partner.pk, name.rsplit("/", 1)[-1]])


def partner_channels(partner: Partner) -> list[tuple[str, str]]:
    """The published facets (cooperation channels) of a partner read through `public_partners`."""
    return list(getattr(partner, "public_channels", []))


def localised(obj, field: str) -> str:
    zh = is_chinese()
    return (getattr(obj, f"{field}_zh", "") if zh else "") or getattr(obj, f"{field}_en", "")


@dataclass
class CountryCount:
    code: str
    numeric: str
    name: str
    count: int
    url: str


def country_counts(queryset: QuerySet[Partner]) -> list[CountryCount]:
    """Public partners per country of `queryset`, most first, with a link to the directory filtered by it."""
    base = reverse("directory:list")
    zh = is_chinese()
    rows = (
        queryset.order_by()
        .values("country_id", "country__numeric", "country__name_en", "country__name_zh")
        .annotate(total=Count("id"))
    )
    result = [
        CountryCount(
            code=row["country_id"],
            numeric=row["country__numeric"] or "",
            name=(row["country__name_zh"] if zh and row["country__name_zh"] else row["country__name_en"]),
            count=row["total"],
            url=f"{base}?country={row['country_id']}",
        )
        for row in rows
    ]
    return sorted(result, key=lambda c: (-c.count, c.name))


def country_names() -> dict[str, str]:
    """Country names in the reader's language by ISO numeric code (the atlas' identifier)."""
    zh = is_chinese()
    rows = Country.objects.exclude(numeric="").values_list("numeric", "name_en", "name_zh")
    return {numeric: (name_zh if zh and name_zh else name_en) for numeric, name_en, name_zh in rows}


# At most this many points on the map: beyond it, nearby partners are grouped on a coarser grid (degrees).
MAX_POINTS = 400
GRID_STEPS: tuple[float | None, ...] = (0.1, 1.0, 5.0, None)  # None: one point per country


def map_points(queryset: QuerySet[Partner]) -> list[dict]:
    """Partners with coordinates, grouped by place so that one city with many partners is one point.

    With thousands of partners the grid gets coarser until there are at most MAX_POINTS points (at last one
    point per country), so the map stays light; a group links to the directory filtered by its country (and
    city, when it is one city).
    """
    rows = list(
        queryset.order_by()
        .exclude(latitude__isnull=True)
        .exclude(longitude__isnull=True)
        .values_list("id", "name", "name_en", "name_zh", "city", "country_id", "latitude", "longitude")
    )
    zh = is_chinese()
    places: dict[tuple, list] = {}
    for step in GRID_STEPS:
        places = {}
        for pk, name, name_en, name_zh, city, country_id, lat, lon in rows:
            key = (
                (country_id, round(float(lat) / step), round(float(lon) / step))
                if step
                else (country_id, 0, 0)
            )
            label = (name_zh if zh and name_zh else name_en) or name
            places.setdefault(key, []).append((label, pk, city, float(lat), float(lon)))
        if len(places) <= MAX_POINTS:
            break
    points = []
    directory = reverse("directory:list")
    for (country_id, _lat, _lon), members in places.items():
        members.sort()
        cities = {m[2] for m in members}
        city = cities.pop() if len(cities) == 1 else ""
        if len(members) == 1:
            url = reverse("directory:partner", args=[members[0][1]])
        else:
            url = f"{directory}?{urlencode({'country': country_id, **({'q': city} if city else {})})}"
        points.append(
            {
                "country": country_id,
                "latitude": sum(m[3] for m in members) / len(members),
                "longitude": sum(m[4] for m in members) / len(members),
                "count": len(members),
                "url": url,
                "city": city,
                "names": [m[0] for m in members[:3]],
            }
        )
    return points


def data_version() -> tuple[str, datetime | None]:
    """The public data stamp (token, time of the last change): one primary-key query.

    The token changes whenever a watched record (``registry.cache_watches``, group "public": a partner, an
    agreement, a country, an article, …) is added, changed or deleted, in the same transaction, on every
    server; used in cache keys, so cached maps, pages and feeds are never older than the data.
    """
    stamp = data_stamp(articles=False)
    return stamp.token, stamp.changed_at


def cache_key(name: str, *parts: object) -> str:
    digest = hashlib.sha256(repr((get_language(), *parts)).encode()).hexdigest()[:32]
    return f"directory:{name}:{digest}"


def _map_key(kind: str, params: dict, target: str, version: str) -> str:
    return cache_key(kind, version, sorted(params.items()), target, str(settings.WORLD_ATLAS_FILE))


def map_context(*, filters: dict | None = None, target: str = "") -> dict:
    """Everything `directory/_map.html` needs: the SVG, the table of partners by country and the legend.

    `filters` are directory filter parameters (q, region, type, channel, country); the map shades countries by
    the partners matching them, except `country`, which only highlights the chosen country. `target` is the
    target of the map's links ("_blank" in the embeddable widget).
    """
    params = filter_params(filters or {})
    version, _latest = data_version()
    key = _map_key("map", params, target, version)
    context = cache.get(key)
    if context is None:
        context = _map_context(params, target)
        cache.set(key, context, CACHE_SECONDS)
    return context


def map_summary(*, filters: dict | None = None, target: str = "") -> dict:
    """``map_context`` without the SVG (legend, table by country, total) plus ``map_src``, the address of
    the SVG (``directory:map``), which the page loads on its own: pages stay small, the map is cached once."""
    params = filter_params(filters or {})
    version, _latest = data_version()
    key = _map_key("map-summary", params, target, version)
    summary = cache.get(key)
    if summary is None:
        summary = {k: v for k, v in map_context(filters=params, target=target).items() if k != "map_svg"}
        cache.set(key, summary, CACHE_SECONDS)
    query = urlencode({**params, **({"target": target} if target else {})})
    return {**summary, "map_src": reverse("directory:map") + (f"?{query}" if query else "")}


def _map_context(params: dict, target: str) -> dict:
    from meridian.reference.svgmap import render_map

    params = dict(params)
    selected = params.pop("country", "")
    queryset = PublicPartnerFilter(
        params or None, queryset=Partner.objects.filter(public_partner_condition())
    ).qs
    counts = country_counts(queryset)
    points = map_points(queryset)
    region = params.get("region", "")
    in_region = Q(region_code=region) | Q(subregion_code=region)
    # Shapes of the atlas carry an ISO numeric code, and an alpha-2 code only in some editions.
    focus = [
        code
        for pair in (Country.objects.filter(in_region).values_list("code", "numeric") if region else [])
        for code in pair
        if code
    ]
    rendered = render_map(
        counts=counts,
        points=points,
        selected=selected,
        names=country_names(),
        target=target,
        focus=focus,
        selected_numeric=(
            Country.objects.filter(code=selected).values_list("numeric", flat=True).first() or ""
            if selected
            else ""
        ),
    )
    return {
        "map_svg": rendered.svg,
        "map_legend": rendered.legend,
        "map_countries": counts,
        "map_total": sum(c.count for c in counts),
        "map_selected": selected,
        "map_available": rendered.available,
    }


@dataclass(frozen=True)
class PublicPanel:
    """A block of the public partner page supplied through ``registry.public_partner_panels``."""

    key: str
    title: str
    template: str
    context: dict[str, Any]


def public_partner_panels(partner) -> list[PublicPanel]:
    """The blocks other contexts publish on ``partner``'s public page (public facts only), in order."""
    panels = []
    for entry in registry.public_partner_panels:
        if entry.visible(partner):
            panels.append(PublicPanel(entry.key, str(entry.title), entry.template, entry.context(partner)))
    return panels
