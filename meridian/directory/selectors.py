"""Reads for the public directory: only partners marked public, only public fields, only ACTIVE agreements."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import get_language

from meridian.agreements.choices import AgreementState, Channel
from meridian.agreements.models import Agreement, AgreementChannel
from meridian.core.i18n import is_chinese
from meridian.directory.filters import PublicPartnerFilter, filter_params
from meridian.partners.models import Partner
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
    "country__code",
    "country__alpha3",
    "country__numeric",
    "country__name_en",
    "country__name_zh",
    "country__region_code",
    "country__region_en",
    "country__region_zh",
)


def public_agreements() -> QuerySet[Agreement]:
    """ACTIVE agreements with only their public fields (titles and period) and their channels."""
    return (
        Agreement.objects.filter(state=AgreementState.ACTIVE)
        .only("id", "title_en", "title_zh", "start_date", "end_date", "updated_at")
        .prefetch_related(
            Prefetch("channels", queryset=AgreementChannel.objects.only("id", "agreement_id", "channel"))
        )
        .order_by("-start_date", "id")
    )


def public_partners() -> QuerySet[Partner]:
    """Partners marked public, with their country and active agreements loaded (a fixed number of queries)."""
    return (
        Partner.objects.filter(is_public=True)
        .select_related("country")
        .only(*PUBLIC_PARTNER_FIELDS)
        .prefetch_related(Prefetch("agreements", queryset=public_agreements(), to_attr="public_agreements"))
        .order_by("name", "pk")
    )


def public_partner_list(*, filters: QueryDict | dict | None = None, request=None) -> PublicPartnerFilter:
    """The filter set over public partners; `.qs` is the filtered queryset, `.form` the filter form."""
    return PublicPartnerFilter(filters or None, queryset=public_partners(), request=request)


def public_partner_get(*, pk: int) -> Partner | None:
    return public_partners().filter(pk=pk).first()


def partner_channels(partner: Partner) -> list[tuple[str, str]]:
    """Cooperation channels (value, label) of the partner's ACTIVE agreements, in the order of the choices."""
    used = {row.channel for agreement in partner.public_agreements for row in agreement.channels.all()}
    return [(value, label) for value, label in Channel.choices if value in used]


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
    """A token that changes whenever a partner or an agreement is added, changed or deleted, and the time
    of the latest change (two small aggregate queries).

    Used in cache keys: cached maps and feeds are never older than the data, in every process, whatever the
    cache back end.
    """
    partners = Partner.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    agreements = Agreement.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    parts = (partners["n"], partners["latest"], agreements["n"], agreements["latest"])
    latest = max((stamp for stamp in (partners["latest"], agreements["latest"]) if stamp), default=None)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20], latest


def cache_key(name: str, *parts: object) -> str:
    digest = hashlib.sha256(repr((get_language(), *parts)).encode()).hexdigest()[:32]
    return f"directory:{name}:{digest}"


def map_context(*, filters: dict | None = None, target: str = "") -> dict:
    """Everything `directory/_map.html` needs: the SVG, the table of partners by country and the legend.

    `filters` are directory filter parameters (q, region, type, channel, country); the map shades countries by
    the partners matching them, except `country`, which only highlights the chosen country. `target` is the
    target of the map's links ("_blank" in the embeddable widget).
    """
    params = filter_params(filters or {})
    version, _latest = data_version()
    key = cache_key("map", version, sorted(params.items()), target, str(settings.WORLD_ATLAS_FILE))
    context = cache.get(key)
    if context is None:
        context = _map_context(params, target)
        cache.set(key, context, CACHE_SECONDS)
    return context


def _map_context(params: dict, target: str) -> dict:
    from meridian.directory.svgmap import render_map

    params = dict(params)
    selected = params.pop("country", "")
    queryset = PublicPartnerFilter(params or None, queryset=Partner.objects.filter(is_public=True)).qs
    counts = country_counts(queryset)
    points = map_points(queryset)
    rendered = render_map(
        counts=counts, points=points, selected=selected, names=country_names(), target=target
    )
    return {
        "map_svg": rendered.svg,
        "map_legend": rendered.legend,
        "map_countries": counts,
        "map_total": sum(c.count for c in counts),
        "map_selected": selected,
        "map_available": rendered.available,
    }
