"""The SQLite database, generated secrets and private documents are readable by the service user only."""

from __future__ import annotations

import os
import runpy
import sqlite3
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from meridian.env import private_dir, private_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """A permissive umask (0022 is the usual default), so that nothing is private by accident."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def fresh_settings(tmp_path, monkeypatch, open_umask):
    """meridian/settings.py read with an empty data folder and no secrets given: everything is created."""
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "PERSONAL_DATA_KEYS", "PERSONAL_DATA_KEYS_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("DATABASE_URL", "PRIVATE_STORAGE_ROOT", "MEDIA_ROOT"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    monkeypatch.setenv("MERIDIAN_DATA_DIR", str(data))
    return data, runpy.run_path(str(Path(settings.PACKAGE_DIR) / "settings.py"))


def test_a_new_data_folder_keeps_database_secrets_and_documents_private(fresh_settings):
    data, values = fresh_settings
    database = Path(values["DATABASES"]["default"]["NAME"])
    assert database == data / "meridian.sqlite3"
    assert mode(database) == 0o600
    assert mode(data / ".secret_key") == 0o600 and mode(data / ".personal_data_key") == 0o600
    assert values["PRIVATE_STORAGE_ROOT"] == data / "private" and mode(data / "private") == 0o700


def test_sqlite_gives_its_journal_files_the_database_files_permissions(fresh_settings):
    _, values = fresh_settings
    database = Path(values["DATABASES"]["default"]["NAME"])
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    try:
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{database}{suffix}")) == 0o600, suffix
    finally:
        connection.close()


def test_documents_saved_in_private_storage_are_private_and_public_media_are_not(
    fresh_settings, tmp_path, open_umask
):
    _, values = fresh_settings
    assert values["FILE_UPLOAD_PERMISSIONS"] == 0o600 and values["FILE_UPLOAD_DIRECTORY_PERMISSIONS"] == 0o700
    private = FileSystemStorage(
        location=tmp_path / "private",
        file_permissions_mode=values["FILE_UPLOAD_PERMISSIONS"],
        directory_permissions_mode=values["FILE_UPLOAD_DIRECTORY_PERMISSIONS"],
    )
    name = private.save("agreements/2025/signed.pdf", ContentFile(b"%PDF-1.7"))
    assert mode(Path(private.path(name))) == 0o600
    assert mode(Path(private.path("agreements/2025"))) == 0o700
    media = FileSystemStorage(location=tmp_path / "media", **values["STORAGES"]["default"]["OPTIONS"])
    name = media.save("portal/cover.png", ContentFile(b"png"))
    assert mode(Path(media.path(name))) == 0o644


def test_the_projects_storage_settings_are_in_force(tmp_path):
    """Django's file storage, as the apps build it (location only), uses the private modes."""
    storage = FileSystemStorage(location=tmp_path / "private")
    name = storage.save("visitors/scan.enc", ContentFile(b"secret"))
    assert mode(Path(storage.path(name))) == 0o600 and mode(Path(storage.path("visitors"))) == 0o700


def test_private_helpers_create_private_things_and_leave_existing_ones_alone(tmp_path, open_umask):
    folder = private_dir(tmp_path / "a" / "b")
    assert mode(folder) == 0o700
    existing = tmp_path / "shared"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    assert mode(private_dir(existing)) == 0o755
    created = private_file(tmp_path / "db.sqlite3")
    assert mode(created) == 0o600 and created.read_bytes() == b""
    kept = tmp_path / "kept.sqlite3"
    kept.write_bytes(b"data")
    kept.chmod(0o640)
    assert mode(private_file(kept)) == 0o640 and kept.read_bytes() == b"data"
