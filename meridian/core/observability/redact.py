"""What of a request may be written to a log: its path without secrets, the names of its query parameters.

Some addresses carry a bearer secret in the path (a guest's self-service link, an invitation link, a document
verification link), and query strings carry search terms and filter values (names, e-mail addresses). The
access log and Django's own request warnings therefore see ``safe_path``: every value captured by a URL
pattern stays only when it is an integer (``<int:…>``, a record id) or a slug (``<slug:…>``, a public page or
an action name); other captured values (``<str:…>``, ``<path:…>``, ``<uuid:…>``, regular expressions) are
replaced by ``<name>``. An address that matches no pattern keeps only short, plain lower-case segments.
Query strings are never logged, only the sorted names of their parameters.
"""

from __future__ import annotations

import re
from typing import Any

MAX_PATH_LENGTH = 200
MAX_QUERY_KEYS = 20

_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
_KEPT_CONVERTERS = frozenset({"int", "slug"})
_PLAIN_SEGMENT = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,40}")


def _kept_parameters(route: str | None) -> set[str]:
    if not route:
        return set()
    return {m["name"] for m in _ROUTE_PARAMETER.finditer(route) if m["converter"] in _KEPT_CONVERTERS}


def _mask_unresolved(path: str) -> str:
    return "/".join(s if not s or _PLAIN_SEGMENT.fullmatch(s) else "*" for s in path.split("/"))


def safe_path(request: Any) -> str:
    """The request's path (``str``, at most ``MAX_PATH_LENGTH`` characters) with secrets masked as above."""
    path = str(getattr(request, "path", "") or "/")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return _mask_unresolved(path)[:MAX_PATH_LENGTH]
    kept = _kept_parameters(getattr(match, "route", None))
    hidden: list[tuple[str, str]] = []
    for name, value in (match.kwargs or {}).items():
        if isinstance(value, int) or (name in kept and isinstance(value, str)):
            continue
        hidden.append((name, str(value)))
    hidden.extend(
        (str(i), str(value)) for i, value in enumerate(match.args or ()) if not isinstance(value, int)
    )
    if hidden:
        segments = path.split("/")
        for name, value in hidden:
            if not value:
                continue
            if "/" in value:
                path = "/".join(segments).replace(value, f"<{name}>")
                segments = path.split("/")
            else:
                segments = [f"<{name}>" if s == value else s for s in segments]
        path = "/".join(segments)
    return path[:MAX_PATH_LENGTH]


def query_keys(request: Any) -> list[str]:
    """The sorted, distinct names of the query parameters (never their values); odd names as ``*``."""
    get = getattr(request, "GET", None)
    if not get:
        return []
    names = sorted({k if _PLAIN_KEY.fullmatch(k) else "*" for k in get})
    return names[:MAX_QUERY_KEYS]


def axes_client_str(username: str, ip_address: str, user_agent: str, path_info: str, request: Any) -> str:
    """How django-axes names a client in its log lines (``AXES_CLIENT_STR_CALLABLE``), without personal data.

    Instead of the username and address, a 12-digit keyed digest of both (HMAC with ``SECRET_KEY``): repeated
    failures of one username from one address read alike, and the record's ``request_id`` leads to the
    request; who it was is in the admin's access attempts, not in the log.
    """
    from django.utils.crypto import salted_hmac

    digest = salted_hmac("meridian.observability.axes", f"{username}\x00{ip_address}").hexdigest()[:12]
    return f"client {digest}"
