"""Cached public pages and feeds: whole responses kept as bytes, compressed once, served with conditional GET.

Every public page an anonymous visitor reads is cached under the **public data stamp** (one row of
``FiguresStamp``, read by primary key: one query per request), which every change of a watched record renews
(``registry.cache_watches``, group "public", and the portal's own articles). A cached entry therefore never
outlives the data it shows, on every server, whatever the cache back end; an entry of a page that lists
articles also expires when the next scheduled article goes live.

An entry holds the body as bytes, its gzip (RFC 1952) and, when the ``brotli`` package is installed, its
Brotli (RFC 7932) encoding, made once when the entry is built; a request gets the smallest encoding its
``Accept-Encoding`` allows, with ``Vary: Accept-Encoding``. Entries carry an ETag (a hash of the body with the
content coding appended: a strong tag per representation, RFC 9110 §8.8.3) and ``Last-Modified`` (the stamp's
time); ``If-None-Match`` (any encoding's tag) and ``If-Modified-Since`` get ``304 Not Modified`` (§13.1).

Two levels: a bounded dictionary in each process (no unpickling, no file read) in front of the shared cache
(``CACHES["default"]``: files of one server, or Redis for several). Keys hold the stamp token, the language,
the path with its query and the variant (an htmx partial), never the host name: absolute addresses in cached
pages come from ``SITE_URL``.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

try:  # an optional encoding: the package is installed with the project's other requirements
    import brotli
except ImportError:  # pragma: no cover - depends on the installation
    brotli = None

# The shared cache keeps an entry at most this long (seconds); the stamp, not the timeout, keeps it fresh.
CACHE_SECONDS = 3600
# Bodies smaller than this (bytes) are not worth compressing.
MIN_COMPRESS_BYTES = 512
# Each process keeps at most this many bytes of entries in memory (least recently used go first).
LOCAL_MAX_BYTES = 64 * 1024 * 1024
_CODINGS = ("br", "gzip")
GZIP_LEVEL = 6
BROTLI_QUALITY = 5
_INITIAL_TOKEN = "initial"


@dataclass(frozen=True)
class Stamp:
    """The public data version: ``token`` changes with every watched change; ``changed_at`` is when."""

    token: str
    changed_at: datetime | None


def data_stamp(*, articles: bool = True) -> Stamp:
    """The public data stamp in one primary-key query: ``FiguresStamp`` row 1 (partners, agreements, …) and,
    unless ``articles`` is false, row 2 (the portal's pages and news); "initial" before any change."""
    from meridian.portal.models import FiguresStamp

    rows = sorted(
        FiguresStamp.objects.filter(pk__in=(1, 2) if articles else (1,)).values_list(
            "pk", "token", "changed_at"
        )
    )
    if not rows:
        return Stamp(_INITIAL_TOKEN, None)
    times = [value for row in rows if (value := stamp_time(row[2])) is not None]
    return Stamp(".".join(f"{pk}:{token}" for pk, token, _at in rows), max(times) if times else None)


@dataclass(frozen=True)
class Entry:
    """A cached response: body bytes and their encodings, validators, and when it stops being valid."""

    body: bytes
    content_type: str
    etag: str
    last_modified: int | None
    gzip: bytes | None = None
    br: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    expires_at: float | None = None  # POSIX seconds, e.g. when a scheduled article goes live
    meta: tuple[tuple[str, Any], ...] = ()

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip or b"") + len(self.br or b"")

    def fresh(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at


def make_entry(
    body: bytes,
    *,
    content_type: str,
    stamp: Stamp,
    headers: Iterable[tuple[str, str]] = (),
    expires_at: datetime | None = None,
    meta: dict[str, Any] | None = None,
) -> Entry:
    """Build an entry: compress ``body`` (gzip, and Brotli when available) once and hash it for the ETag."""
    compressed_gzip = compressed_br = None
    if len(body) >= MIN_COMPRESS_BYTES:
        compressed_gzip = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        if brotli is not None:
            compressed_br = brotli.compress(body, quality=BROTLI_QUALITY)
    return Entry(
        body=body,
        content_type=content_type,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=int(stamp.changed_at.timestamp()) if stamp.changed_at else None,
        gzip=compressed_gzip,
        br=compressed_br,
        headers=tuple(headers),
        expires_at=expires_at.timestamp() if expires_at else None,
        meta=tuple(sorted((meta or {}).items())),
    )


class _LocalEntries:
    """A per-process LRU of entries bounded in bytes; thread-safe (gthread workers)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def set(self, key: str, entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return  # a very large entry stays in the shared cache only
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._items[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes and self._items:
                _key, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


local_entries = _LocalEntries(LOCAL_MAX_BYTES)

# Keys this process has seen (e.g. a reader counted today): at most this many are remembered.
SEEN_MAX = 100_000
_seen: OrderedDict[str, None] = OrderedDict()
_seen_lock = threading.Lock()


def first_time(key: str) -> bool:
    """True the first time this process meets ``key`` (a bounded memory: the oldest keys are forgotten).

    Lets a cached page skip work its uncached rendering did once per reader, such as counting a view.
    """
    with _seen_lock:
        if key in _seen:
            _seen.move_to_end(key)
            return False
        _seen[key] = None
        if len(_seen) > SEEN_MAX:
            _seen.popitem(last=False)
        return True


def clear_local() -> None:
    """Forget this process's entries and seen keys (the shared cache is not touched); for tests."""
    local_entries.clear()
    with _seen_lock:
        _seen.clear()


def cache_key(name: str, stamp: Stamp, *parts: object) -> str:
    """A key of ``name`` for this stamp, the active language and ``parts`` (never the request's host)."""
    digest = hashlib.sha256(repr((stamp.token, get_language(), *parts)).encode()).hexdigest()[:40]
    return f"public:{name}:{digest}"


def entry_get(key: str) -> Entry | None:
    """The entry under ``key`` from this process, else from the shared cache; ``None`` if missing or stale."""
    now = timezone.now().timestamp()
    entry = local_entries.get(key)
    if entry is not None and entry.fresh(now):
        return entry
    entry = cache.get(key)  # another process may have renewed it
    if not isinstance(entry, Entry) or not entry.fresh(now):
        return None
    local_entries.set(key, entry)
    return entry


def entry_set(key: str, entry: Entry) -> None:
    """Keep ``entry`` in this process and in the shared cache."""
    local_entries.set(key, entry)
    timeout = CACHE_SECONDS
    if entry.expires_at is not None:
        timeout = max(1, min(timeout, int(entry.expires_at - timezone.now().timestamp()) + 1))
    cache.set(key, entry, timeout)


def _accepts(request: HttpRequest, coding: str) -> bool:
    """Whether ``Accept-Encoding`` allows ``coding`` (a q-value of 0 refuses it; RFC 9110 §12.5.3)."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    for item in header.split(","):
        name, _sep, params = item.strip().partition(";")
        if name.strip().lower() != coding:
            continue
        params = params.replace(" ", "")
        return not (params.startswith("q=0") and params.strip("q=0.") == "")
    return False


def _opaque(tag: str) -> str:
    """An entity tag without its weak prefix, quotes and content-coding suffix (the body's hash)."""
    tag = tag.strip().removeprefix("W/").strip('"')
    for coding in _CODINGS:
        tag = tag.removesuffix(f"-{coding}")
    return tag


def _not_modified(request: HttpRequest, entry: Entry) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison, any encoding of the body) wins over
    If-Modified-Since."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        offered = [_opaque(t) for t in if_none_match.split(",")]
        return "*" in offered or _opaque(entry.etag) in offered
    since = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if since and entry.last_modified is not None:
        parsed = parse_http_date_safe(since)
        return parsed is not None and entry.last_modified <= parsed
    return False


def entry_response(request: HttpRequest, entry: Entry, *, cache_control: str = "") -> HttpResponse:
    """The response for ``entry``: 304 when the client's copy is current, else the best encoding accepted."""
    response: HttpResponse
    body, coding = entry.body, ""
    if entry.br is not None and _accepts(request, "br"):
        body, coding = entry.br, "br"
    elif entry.gzip is not None and _accepts(request, "gzip"):
        body, coding = entry.gzip, "gzip"
    if _not_modified(request, entry):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=entry.content_type)
        response["Content-Length"] = str(len(body))
        for name, value in entry.headers:
            response[name] = value
    # A strong tag per representation (RFC 9110 §8.8.3): the body's hash, with the content coding appended.
    if coding and response.status_code == 200:
        response["Content-Encoding"] = coding
    response["ETag"] = entry.etag[:-1] + f'-{coding}"' if coding else entry.etag
    if entry.last_modified is not None:
        response["Last-Modified"] = http_date(entry.last_modified)
    if cache_control:
        response["Cache-Control"] = cache_control
    if entry.gzip is not None:
        patch_vary_headers(response, ["Accept-Encoding"])
    return response


def next_publication() -> datetime | None:
    """When the next scheduled article goes live (a page listing articles changes then), or ``None``."""
    from meridian.portal.choices import ArticleStatus
    from meridian.portal.models import Article

    return (
        Article.objects.filter(
            status__in=[ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED], publish_at__gt=timezone.now()
        )
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )


def public_origin() -> str:
    """Scheme and host of absolute addresses on cached public pages and feeds (``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/")


# The response attribute a view sets to pass small facts (e.g. which article a page counts a view of) to
# ``on_serve`` on every later hit of the cached page.
META_ATTRIBUTE = "public_cache_meta"


def cached_public_page(
    *,
    name: str,
    variant: Callable[[HttpRequest], object] | None = None,
    on_serve: Callable[[HttpRequest, dict[str, Any]], None] | None = None,
    scheduled: bool = True,
    max_age: int = CACHE_SECONDS,
    articles: bool = True,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a public view: an anonymous visitor's GET/HEAD is served from the cache (see the module).

    ``variant(request)`` distinguishes responses of one address (an htmx partial); ``on_serve(request, meta)``
    runs when a request is served from the cache, with what the view put in ``response.public_cache_meta``
    when it rendered the page (the view itself does that work when it renders);
    ``scheduled`` makes the entry expire when the next scheduled article goes live; ``max_age`` (seconds)
    bounds its life for what changes without a write (a view count, a call closing at its deadline).
    ``articles=False`` for pages that show no article (the stamp's articles row is then not read).
    Signed-in users and other methods always get the view itself; only 200 responses are cached.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            stamp = data_stamp(articles=articles)
            extra = variant(request) if variant else None
            key = cache_key(name, stamp, request.get_full_path(), extra)
            entry = entry_get(key)
            if entry is not None:
                if on_serve is not None:
                    on_serve(request, dict(entry.meta))
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                meta = getattr(response, META_ATTRIBUTE, None)
                keep = [
                    (header, response[header])
                    for header in ("Content-Language", "Content-Disposition")
                    if header in response
                ]
                expires = timezone.now() + timedelta(seconds=max_age)
                publication = next_publication() if scheduled else None
                entry = make_entry(
                    response.content,
                    content_type=response["Content-Type"],
                    stamp=stamp,
                    headers=keep,
                    expires_at=min(expires, publication) if publication else expires,
                    meta=meta,
                )
                entry_set(key, entry)
            return entry_response(request, entry)

        return wrapper

    return decorate


def stamp_time(value: datetime | None) -> datetime | None:
    """A stamp's time as an aware UTC datetime (SQLite may hand back naive ones)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
