"""Open data feeds of the public directory: JSON, CSV and GeoJSON with caching headers, CORS and a licence."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from meridian.core.spreadsheet import neutralise
from meridian.directory import feeds, selectors
from meridian.directory.filters import filter_params


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
    filterset = selectors.public_partner_list(filters=request.GET, request=request)
    params = filter_params(filterset.form.cleaned_data if filterset.is_valid() else {})
    base_url = request.build_absolute_uri("/").rstrip("/")
    version, latest = selectors.data_version()
    key = selectors.cache_key("feed", filename, version, sorted(params.items()), base_url)
    document = cache.get(key)
    if document is None:
        content, content_type = build(feeds.feed_rows(filterset.qs, base_url=base_url), params)
        # The ETag is a hash of the content itself: it changes exactly when anything in the feed changes.
        etag = '"' + hashlib.sha256(content.encode()).hexdigest()[:32] + '"'
        document = (content, content_type, etag)
        cache.set(key, document, selectors.CACHE_SECONDS)
    content, content_type, etag = document
    last_modified = int(latest.timestamp()) if latest else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link, X-Licence"
    response["Link"] = f'<{feeds.licence_url()}>; rel="license"'
    response["X-Licence"] = feeds.licence()
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
