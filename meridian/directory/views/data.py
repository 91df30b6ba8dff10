"""Open data feeds of the public directory: JSON, CSV and GeoJSON with caching headers, CORS and a licence."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from meridian.core.spreadsheet import neutralise
from meridian.directory import feeds, selectors
from meridian.directory.filters import filter_params
from meridian.portal.publiccache import (
    cache_key,
    data_stamp,
    entry_get,
    entry_response,
    entry_set,
    make_entry,
    public_origin,
)


def _json_document(rows: list[dict], params: dict) -> tuple[str, str]:
    body = {
        "licence": feeds.licence(),
        "licence_url": feeds.licence_url(),
        "filters": params,
        "count": len(rows),
        "partners": rows,
    }
    return json.dumps(body, ensure_ascii=False, indent=1), "application/json; charset=utf-8"


def _geojson_document(rows: list[dict], params: dict) -> tuple[str, str]:
    features = []
    for row in rows:
        geometry = None
        if row["latitude"] is not None and row["longitude"] is not None:
            geometry = {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
        properties = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
        features.append({"type": "Feature", "id": row["id"], "geometry": geometry, "properties": properties})
    body = {
        "type": "FeatureCollection",
        "licence": feeds.licence(),
        "licence_url": feeds.licence_url(),
        "filters": params,
        "features": features,
    }
    return json.dumps(body, ensure_ascii=False, indent=1), "application/geo+json; charset=utf-8"


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)  # channels: space-separated codes
    return neutralise(value) if isinstance(value, str) else value


def _csv_document(rows: list[dict], params: dict) -> tuple[str, str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(feeds.FIELDS)
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in feeds.FIELDS])
    return buffer.getvalue(), "text/csv; charset=utf-8"


def _feed(
    request: HttpRequest, build: Callable[[list[dict], dict], tuple[str, str]], filename: str
) -> HttpResponse:
    """A feed document for the filters in the query, built once per data version, kept as compressed
    bytes (see ``meridian.portal.publiccache``); its links are absolute on ``SITE_URL``, not on the host."""
    filterset = selectors.public_partner_list(filters=request.GET, request=request)
    params = filter_params(filterset.form.cleaned_data if filterset.is_valid() else {})
    stamp = data_stamp(articles=False)
    key = cache_key("feed", stamp, filename, sorted(params.items()))
    entry = entry_get(key)
    if entry is None:
        base_url = public_origin()
        content, content_type = build(feeds.feed_rows(filterset.qs, base_url=base_url), params)
        headers = (
            ("Content-Disposition", f'inline; filename="{filename}"'),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", "ETag, Last-Modified, Link, X-Licence"),
            ("Link", f'<{feeds.licence_url()}>; rel="license"'),
            ("X-Licence", feeds.licence()),
        )
        entry = make_entry(content.encode(), content_type=content_type, stamp=stamp, headers=headers)
        entry_set(key, entry)
    response = entry_response(request, entry, cache_control="public, max-age=300")
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link, X-Licence"
    return response


@require_safe
def partners_json(request: HttpRequest) -> HttpResponse:
    return _feed(request, _json_document, "partners.json")


@require_safe
def partners_csv(request: HttpRequest) -> HttpResponse:
    return _feed(request, _csv_document, "partners.csv")


@require_safe
def partners_geojson(request: HttpRequest) -> HttpResponse:
    return _feed(request, _geojson_document, "partners.geojson")
