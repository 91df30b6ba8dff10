import pytest
from django.core.exceptions import ImproperlyConfigured

from meridian.env import env_bool, env_int, env_str, persistent_secret


def test_env_helpers(monkeypatch, tmp_path):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 1) == 12
    assert env_str("X_SECRET") == "s3cret"


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL")


def test_persistent_secret_is_generated_once(tmp_path, monkeypatch):
    monkeypatch.delenv("MY_KEY", raising=False)
    first = persistent_secret("MY_KEY", tmp_path)
    assert len(first) > 40
    assert persistent_secret("MY_KEY", tmp_path) == first
    assert (tmp_path / ".my_key").stat().st_mode & 0o077 == 0


def test_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("X_EMPTY", "")
    assert env_str("X_EMPTY", "fallback") == "fallback"
