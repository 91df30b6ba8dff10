"""Real identity providers for the single sign-on tests, each started once per test module.

CAS: django-mama-cas in a process of its own (its own tiny Django project and SQLite file), on a free port.
OpenID Connect: oidc-provider-mock on a thread, on a free port. Meridian's side runs in the Django test
client; the browser's part at the provider (login form, consent) is played with `requests`.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.test import override_settings
from django.urls import clear_url_caches

import meridian.sso.urls
from meridian.sso.oidc import forget_discovery

CAS_PASSWORD = "campus-password-1"
TIMEOUT = 10


@dataclass
class CasServer:
    url: str  # ends with "/", as CAS_SERVER_URL
    users_file: Path

    def set_user(self, username: str, **attributes: Any) -> None:
        """Give `username` (password CAS_PASSWORD) the attributes its next ticket validation releases."""
        users = json.loads(self.users_file.read_text(encoding="utf-8"))
        users[username] = {"password": CAS_PASSWORD, "attributes": attributes}
        self.users_file.write_text(json.dumps(users), encoding="utf-8")


@dataclass
class OidcServer:
    issuer: str

    def set_user(self, sub: str, **claims: Any) -> None:
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=TIMEOUT)
        response.raise_for_status()


# Users exist at the CAS server from its start (its accounts are created then); attributes may change later.
CAS_USERS = ("zhangsan", "lisi", "wangwu", "zhaoliu")


@pytest.fixture(scope="module")
def cas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CasServer]:
    folder = tmp_path_factory.mktemp("cas")
    users_file = folder / "users.json"
    users_file.write_text(json.dumps({u: {"password": CAS_PASSWORD, "attributes": {}} for u in CAS_USERS}))
    env = {
        **os.environ,
        "CAS_TEST_DATABASE": str(folder / "cas.sqlite3"),
        "CAS_TEST_USERS_FILE": str(users_file),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "meridian.sso.tests.cas_server.serve"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        match = re.match(r"PORT (\d+)", line)
        if not match:
            raise RuntimeError(f"The test CAS server did not start: {line!r}")
        yield CasServer(url=f"http://127.0.0.1:{match.group(1)}/cas/", users_file=users_file)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def oidc_server() -> Iterator[OidcServer]:
    with warnings.catch_warnings():
        import authlib.deprecate  # noqa: F401  (it installs an "always" filter for its own notices)

        warnings.simplefilter("ignore")  # the provider's libraries' deprecation notices, not ours
        from oidc_provider_mock import run_server_in_thread
    with run_server_in_thread() as server:
        yield OidcServer(issuer=f"http://localhost:{server.server_port}")


def _reload_urls() -> None:
    # The root URLconf's resolver for "sso/" caches the patterns it read: rebuild both modules.
    importlib.reload(meridian.sso.urls)
    importlib.reload(importlib.import_module(django_settings.ROOT_URLCONF))
    clear_url_caches()


def _attributes(settings: Any, provider: str, **names: str) -> dict[str, dict[str, str]]:
    mapping = {p: dict(v) for p, v in settings.SSO_ATTRIBUTES.items()}
    mapping[provider].update(names)
    return mapping


@pytest.fixture
def cas_on(cas_server: CasServer, settings: Any) -> Iterator[CasServer]:
    """CAS single sign-on configured against the test server (staff numbers in "employeeNumber")."""
    with override_settings(
        CAS_SERVER_URL=cas_server.url,
        CAS_VERSION="3",
        SSO_ATTRIBUTES=_attributes(
            settings, "cas", staff_number="employeeNumber", student_number="studentNumber"
        ),
    ):
        _reload_urls()
        yield cas_server
    _reload_urls()


@pytest.fixture
def oidc_on(oidc_server: OidcServer, settings: Any) -> Iterator[OidcServer]:
    """OpenID Connect single sign-on configured by discovery against the test provider."""
    forget_discovery()
    with override_settings(
        OIDC_RP_CLIENT_ID="meridian",
        OIDC_RP_CLIENT_SECRET="meridian-client-secret",
        OIDC_OP_ISSUER=oidc_server.issuer,
        SSO_ATTRIBUTES=_attributes(settings, "oidc", student_number="student_number"),
    ):
        _reload_urls()
        yield oidc_server
    forget_discovery()
    _reload_urls()


def local_path(url: str) -> str:
    """The path and query of an absolute address on the test server ("http://testserver/x?y" -> "/x?y")."""
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
