"""Backup and restore: a round trip of the demo data, and archives that must be refused.

The demo data is built once per module and committed (pg_dump sees only committed rows), backed up, and
restored into a second, empty database and fresh file folders; every row of every table and every file is
compared. The tests are transactional, so the test database is emptied again after the first one (the
round trip's results are kept in the module fixture); the test with secrets comes first, before the demo data.
"""

import hashlib
import io
import json
import os
import stat
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.core.management import call_command
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from meridian.core.backup import (
    MANIFEST,
    BackupError,
    backup_create,
    backup_restore,
    backup_verify,
    fingerprint,
    media_storage,
    private_storage,
    restore_check,
    storage_files,
)
from meridian.core.privatefiles import IMPORTS, JOBS, new_private_file
from meridian.demo.builder import build_demo

pytestmark = pytest.mark.django_db(transaction=True)

MEDIA_NAME = "logos/backup-test.png"


@contextmanager
def _target_database(name: str, folder: Path) -> Iterator[str]:
    """A new, empty database under a new connection alias: a SQLite file, or a new PostgreSQL database."""
    default = connections["default"]
    alias = f"restore_{name}"
    if default.vendor == "sqlite":
        settings_dict = {**default.settings_dict, "NAME": str(folder / f"{alias}.sqlite3")}
    else:
        database = f"test_restore_{name}_{os.getpid()}"
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
            cursor.execute(f'CREATE DATABASE "{database}"')
        settings_dict = {**default.settings_dict, "NAME": database}
    # A connection made here and not listed in the settings, which Django's test case allows.
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        if default.vendor == "postgresql":
            with default.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')


def _rows(alias: str) -> dict[str, list]:
    """Every row of every table of every model (by primary key), and the applied migrations."""
    tables: dict[str, list] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        rows = model._base_manager.using(alias).order_by("pk").values_list()
        tables[model._meta.db_table] = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows
        ]
    tables["django_migrations"] = sorted(MigrationRecorder(connections[alias]).applied_migrations())
    return tables


def _checksums(storage: Storage) -> dict[str, str]:
    result = {}
    for name in storage_files(storage):
        with storage.open(name, "rb") as handle:
            result[name] = hashlib.sha256(handle.read()).hexdigest()
    return result


def _fresh_storages(folder: Path) -> tuple[Storage, Storage]:
    return FileSystemStorage(location=folder / "private"), FileSystemStorage(location=folder / "media")


@pytest.fixture(scope="module")
def roundtrip(django_db_setup, django_db_blocker, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("backup")
    with django_db_blocker.unblock():
        build_demo(password="demo password for tests")
        media_storage().save(MEDIA_NAME, ContentFile(b"\x89PNG not really"))
        # An import upload waiting for its commit and a job's result file live in the private store too.
        working = [new_private_file(IMPORTS, ".upload"), new_private_file(JOBS, ".result")]
        working[0].write_bytes("Name,Country\nUniversität Wien,AT\n".encode())
        working[1].write_bytes(b"name\nalpha\n")
        source = {
            "rows": _rows("default"),
            "private": _checksums(private_storage()),
            "media": _checksums(media_storage()),
        }
        archive = tmp / "backups" / "meridian.tar"
        made = backup_create(destination=archive)
        with _target_database("roundtrip", tmp) as alias:
            private, media = _fresh_storages(tmp / "restored")
            restored = backup_restore(
                archive=archive, using=alias, private=private, media=media, secrets_folder=tmp / "data"
            )
            target = {"rows": _rows(alias), "private": _checksums(private), "media": _checksums(media)}
        media_storage().delete(MEDIA_NAME)
        for stored in working:
            stored.unlink()
    return {
        "archive": archive,
        "made": made,
        "restored": restored,
        "source": source,
        "target": target,
        "working": [stored.storage_name for stored in working],
    }


@pytest.fixture(scope="module")
def empty_target(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """An empty database that refused restores must leave empty."""
    tmp = tmp_path_factory.mktemp("empty-target")
    with django_db_blocker.unblock(), _target_database("empty", tmp) as alias:
        yield alias


def test_secrets_only_when_asked_and_restorable(tmp_path, settings, monkeypatch):
    """--include-secrets stores the keys (compressed archive here), and the restore can put them back.

    First in the module, so that it backs up the migrated database without the demo data.
    """
    monkeypatch.delenv("PERSONAL_DATA_KEYS", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    archive = tmp_path / "with-secrets.tar.gz"
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", "--output", str(archive), "--include-secrets", stdout=out, stderr=err)
    assert "Backup written" in out.getvalue()
    assert "whoever holds it can read" in err.getvalue()
    manifest = backup_verify(archive=archive)
    assert manifest["secrets_included"]
    with tarfile.open(archive) as tar:
        secrets = json.loads(tar.extractfile("secrets/secrets.json").read())
    assert secrets["PERSONAL_DATA_KEYS"] == list(settings.PERSONAL_DATA_KEYS)
    original = settings.PERSONAL_DATA_KEYS[0]
    settings.PERSONAL_DATA_KEYS = ["a-newly-generated-key-0123456789abcdefgh"]
    with pytest.raises(BackupError, match="This archive carries them: add --use-archived-secrets"):
        restore_check(manifest=manifest)
    with _target_database("secrets", tmp_path) as alias:
        private, media = _fresh_storages(tmp_path / "target")
        result = backup_restore(
            archive=archive,
            using=alias,
            use_archived_secrets=True,
            private=private,
            media=media,
            secrets_folder=tmp_path / "data",
        )
        assert connections[alias].introspection.table_names()
    assert (tmp_path / "data" / ".personal_data_key").read_text() == original
    assert stat.S_IMODE((tmp_path / "data" / ".personal_data_key").stat().st_mode) == 0o600
    assert any("PERSONAL_DATA_KEYS lacked" in line for line in result.mismatches)


def test_every_row_of_every_table_is_restored(roundtrip):
    source, target = roundtrip["source"]["rows"], roundtrip["target"]["rows"]
    assert sum(len(rows) for rows in source.values()) > 10_000  # the demo data is there
    assert source.keys() == target.keys()
    for table, rows in source.items():
        assert target[table] == rows, table
    assert not roundtrip["restored"].migrated
    assert roundtrip["restored"].mismatches == []


def test_every_file_is_restored_with_its_checksum(roundtrip):
    source, target = roundtrip["source"], roundtrip["target"]
    assert source["private"]  # the demo's generated documents
    assert target["private"] == source["private"]
    assert target["media"] == source["media"]
    assert MEDIA_NAME in target["media"]
    assert roundtrip["restored"].files == len(source["private"]) + len(source["media"])


def test_import_uploads_and_job_results_are_backed_up_and_restored(roundtrip):
    upload, result = roundtrip["working"]
    assert upload.startswith("imports/") and result.startswith("jobs/")
    for name in (upload, result):
        assert roundtrip["target"]["private"][name] == roundtrip["source"]["private"][name]
    assert roundtrip["target"]["private"][result] == hashlib.sha256(b"name\nalpha\n").hexdigest()


def test_manifest_describes_the_archive_without_secrets(roundtrip, settings):
    manifest = backup_verify(archive=roundtrip["archive"])
    assert manifest["database"]["engine"] == connections["default"].vendor
    assert manifest["migrations"]["core"] == max(
        name for app, name in roundtrip["source"]["rows"]["django_migrations"] if app == "core"
    )
    names = {entry["name"] for entry in manifest["files"]}
    assert {f"files/private/{n}" for n in roundtrip["source"]["private"]} <= names
    assert f"files/media/{MEDIA_NAME}" in names
    assert all(len(entry["sha256"]) == 64 and entry["size"] >= 0 for entry in manifest["files"])
    assert manifest["settings"]["PERSONAL_DATA_KEYS"] == [fingerprint(k) for k in settings.PERSONAL_DATA_KEYS]
    assert manifest["settings"]["TIME_ZONE"] == settings.TIME_ZONE
    assert not manifest["secrets_included"]
    raw = roundtrip["archive"].read_bytes()
    assert settings.SECRET_KEY.encode() not in raw
    assert settings.PERSONAL_DATA_KEYS[0].encode() not in raw


def test_archive_is_private(roundtrip):
    archive = roundtrip["archive"]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    assert [p.name for p in archive.parent.iterdir()] == ["meridian.tar"]  # no partial file left behind


def _tampered(archive: Path, tmp_path: Path, how: str) -> Path:
    """A copy of `archive` damaged in one way."""
    out = tmp_path / f"{how}.tar"
    if how == "flip":
        data = bytearray(archive.read_bytes())
        with tarfile.open(archive) as tar:
            member = tar.getmember(backup_verify(archive=archive)["database"]["member"])
        data[member.offset_data + member.size // 2] ^= 0x01
        out.write_bytes(bytes(data))
        return out
    with tarfile.open(archive) as source, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for member in source:
            if how == "missing" and member.name.startswith("files/private/"):
                how = "missing-done"
                continue
            if member.name == MANIFEST and how in {"extra", "traversal", "link"}:
                extra = tarfile.TarInfo(
                    {"extra": "files/private/unlisted.pdf", "traversal": "files/private/../../etc/x"}.get(
                        how, "files/media/link"
                    )
                )
                if how == "link":
                    extra.type, extra.linkname = tarfile.SYMTYPE, "/etc/passwd"
                    tar.addfile(extra)
                else:
                    extra.size = 3
                    tar.addfile(extra, io.BytesIO(b"bad"))
            tar.addfile(member, source.extractfile(member))
    return out


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("flip", "checksum or size differs: database/"),
        ("missing", "missing members: files/private/"),
        ("extra", "members not in the manifest: files/private/unlisted.pdf"),
        ("traversal", "member name 'files/private/../../etc/x' is not allowed"),
        ("link", "'files/media/link' is not a regular file"),
    ],
)
def test_damaged_archive_is_refused_and_nothing_changes(roundtrip, empty_target, tmp_path, how, message):
    damaged = _tampered(roundtrip["archive"], tmp_path, how)
    private, media = _fresh_storages(tmp_path / "target")
    with pytest.raises(BackupError, match=message.replace("(", r"\(").replace(".", r"\.")):
        backup_restore(
            archive=damaged, using=empty_target, private=private, media=media, secrets_folder=tmp_path
        )
    assert connections[empty_target].introspection.table_names() == []
    assert not (tmp_path / "target").exists()
    assert not (tmp_path / ".personal_data_key").exists()


def test_altered_manifest_is_refused(roundtrip, tmp_path):
    out = tmp_path / "manifest.tar"
    with tarfile.open(roundtrip["archive"]) as source, tarfile.open(out, "w") as tar:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == MANIFEST:
                manifest = json.loads(data)
                manifest["settings"]["TIME_ZONE"] = "UTC"
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="manifest is not a Meridian manifest or was altered"):
        backup_verify(archive=out)


def test_non_empty_target_is_refused(roundtrip, empty_target, tmp_path):
    private, media = _fresh_storages(tmp_path)
    private.save("agreements/kept.pdf", ContentFile(b"%PDF kept"))
    with pytest.raises(BackupError, match="the private file storage is not empty"):
        backup_restore(archive=roundtrip["archive"], using=empty_target, private=private, media=media)
    assert connections[empty_target].introspection.table_names() == []
    assert list(storage_files(private)) == ["agreements/kept.pdf"]
    with pytest.raises(BackupError, match=r"the database has \d+ tables"):
        backup_restore(archive=roundtrip["archive"], using="default", private=private, media=media)


def test_missing_personal_data_key_is_refused(roundtrip, empty_target, tmp_path, settings):
    settings.PERSONAL_DATA_KEYS = ["another-personal-data-key-0123456789abcdef"]
    private, media = _fresh_storages(tmp_path / "target")
    with pytest.raises(BackupError, match="lacks the personal-data key"):
        backup_restore(archive=roundtrip["archive"], using=empty_target, private=private, media=media)
    assert connections[empty_target].introspection.table_names() == []


def test_incompatible_archives_are_refused(roundtrip):
    manifest = backup_verify(archive=roundtrip["archive"])
    future = {**manifest, "applied_migrations": [*manifest["applied_migrations"], ["core", "9999_future"]]}
    with pytest.raises(BackupError, match=r"migrations this code does not have .*core\.9999_future"):
        restore_check(manifest=future)
    newer = {**manifest, "meridian_version": "999.0.0"}
    with pytest.raises(BackupError, match="newer than this"):
        restore_check(manifest=newer)
    other = "postgresql" if manifest["database"]["engine"] == "sqlite" else "sqlite"
    with pytest.raises(BackupError, match=f"holds a {other} database"):
        restore_check(manifest={**manifest, "database": {**manifest["database"], "engine": other}})


def test_restore_check_command_reports_a_complete_archive(roundtrip):
    out = io.StringIO()
    call_command("restore", str(roundtrip["archive"]), "--check", stdout=out)
    assert "The archive is complete" in out.getvalue()
