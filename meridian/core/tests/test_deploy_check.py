"""`meridian check --deploy` reports nothing with the production settings the README documents.

The settings module is read afresh under the documented environment, so the test covers how every HTTPS switch
(HSTS, SSL redirect, secure cookies, the proxy header) is read from the environment, not only the values.
"""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings

# The production environment of the README ("Running in production"), with example host and secrets.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "meridian.example.edu.cn",
    "CSRF_TRUSTED_ORIGINS": "https://meridian.example.edu.cn",
    "SITE_URL": "https://meridian.example.edu.cn",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "BEHIND_TLS_PROXY": "true",
}
SECURITY_SETTINGS = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECRET_KEY",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
]
DEPLOY_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def settings_under(environment: dict[str, str], tmp_path: Path, monkeypatch) -> dict:
    """The security settings meridian/settings.py computes under `environment` (and nothing else set)."""
    for name in list(PRODUCTION_ENV) + ["SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL"]:
        monkeypatch.delenv(name, raising=False)
    # Set by the browser tests for their own process (Playwright's event loop); never in a deployment.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    monkeypatch.setenv("MERIDIAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    monkeypatch.setenv("PERSONAL_DATA_KEYS", secrets.token_urlsafe(40))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(Path(settings.PACKAGE_DIR) / "settings.py"))
    return {name: values[name] for name in SECURITY_SETTINGS}


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path, monkeypatch):
    production = settings_under(PRODUCTION_ENV, tmp_path, monkeypatch)
    assert production["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production["SECURE_HSTS_SECONDS"] == 31536000 and production["SESSION_COOKIE_SECURE"] is True
    with override_settings(**production):
        call_command("check", deploy=True, fail_level="WARNING")


def test_the_development_defaults_fail_the_deploy_check(tmp_path, monkeypatch):
    development = settings_under({}, tmp_path, monkeypatch)
    with override_settings(**development), pytest.raises(SystemCheckError) as raised:
        call_command("check", deploy=True, fail_level="WARNING")
    assert all(code in str(raised.value) for code in DEPLOY_WARNINGS)


def test_the_meridian_command_is_clean_under_the_production_environment(tmp_path):
    environment = {
        **{k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DJANGO_SETTINGS_MODULE"},
        **PRODUCTION_ENV,
        "MERIDIAN_DATA_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PERSONAL_DATA_KEYS": secrets.token_urlsafe(40),
    }
    environment.pop("DATABASE_URL", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests, never in a deployment
    command = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
    environment["DJANGO_SETTINGS_MODULE"] = "meridian.settings"
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


@pytest.mark.django_db
def test_production_redirects_to_https_sends_hsts_and_trusts_the_proxy(tmp_path, monkeypatch):
    production = settings_under(PRODUCTION_ENV, tmp_path, monkeypatch)
    production["ALLOWED_HOSTS"] = ["testserver"]
    with override_settings(**production):
        client = Client()
        plain = client.get("/accounts/login/")
        assert plain.status_code == 301 and plain["Location"] == "https://testserver/accounts/login/"
        # The load balancer's health probe may speak plain HTTP.
        assert client.get("/healthz").status_code in (200, 503)
        proxied = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
        assert proxied.status_code == 200
        assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert "Content-Security-Policy" in proxied
