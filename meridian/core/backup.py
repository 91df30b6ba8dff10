"""Backups: one archive with a consistent database snapshot, the private and media files, and a manifest.

Archive layout (a POSIX tar, gzip-compressed when the name ends in ``.tar.gz`` or ``.tgz``):

- ``database/db.sqlite3`` (SQLite, copied with SQLite's online backup API) or ``database/db.pgdump``
  (PostgreSQL, ``pg_dump --format=custom``);
- ``files/private/<name>`` and ``files/media/<name>``: every file of the private and media storages;
- ``secrets/secrets.json``: SECRET_KEY and PERSONAL_DATA_KEYS, only when asked for (``include_secrets``);
- ``manifest.json`` (last): format, Meridian version, database engine, applied migrations, creation time, the
  settings a restore must match (secrets only as fingerprints), the SHA-256 and size of every other member.

The database is copied first and the files after it, so a file deleted in between is missing from the
archive (a restored record would then point at nothing); files added in between are harmless extras.
A restore checks the whole archive before it changes anything.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

import meridian
from meridian.env import private_dir

FORMAT = "meridian-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SECRETS = "secrets/secrets.json"
DATABASE_MEMBERS = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}
STORAGE_PREFIXES = {"private": "files/private/", "media": "files/media/"}
CHUNK = 1024 * 1024
_SECRET_ENV = {"SECRET_KEY": ".secret_key", "PERSONAL_DATA_KEYS": ".personal_data_key"}


class BackupError(Exception):
    """A backup cannot be made, or an archive cannot be restored; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    files: int
    secrets_included: bool
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    files: int
    migrated: bool
    mismatches: list[str] = field(default_factory=list)
    secrets_written: list[Path] = field(default_factory=list)


def fingerprint(secret: str) -> str:
    """A short, non-reversible fingerprint of a secret (HMAC-SHA256 under a fixed label, 16 hex digits)."""
    return hmac.new(b"meridian-backup-fingerprint", secret.encode(), hashlib.sha256).hexdigest()[:16]


def private_storage() -> Storage:
    """The storage of private documents: ``storages["private"]`` if configured, else PRIVATE_STORAGE_ROOT."""
    if "private" in settings.STORAGES:
        return storages["private"]
    return FileSystemStorage(location=settings.PRIVATE_STORAGE_ROOT, base_url=None)


def media_storage() -> Storage:
    """The storage of public media (``storages["default"]``)."""
    return storages["default"]


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in `storage` under `folder`, walked with ``listdir`` (a missing root is empty)."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from storage_files(storage, f"{folder}/{name}" if folder else name)


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _applied_migrations(using: str) -> list[list[str]]:
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    return sorted([app, name] for app, name in loader.applied_migrations)


def _latest(applied: list[list[str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = max(latest.get(app, name), name)
    return latest


def _settings_to_match() -> dict[str, Any]:
    return {
        "TIME_ZONE": settings.TIME_ZONE,
        "LANGUAGE_CODE": settings.LANGUAGE_CODE,
        "SITE_URL": getattr(settings, "SITE_URL", ""),
        "SECRET_KEY": fingerprint(settings.SECRET_KEY),
        "PERSONAL_DATA_KEYS": [fingerprint(key) for key in settings.PERSONAL_DATA_KEYS],
    }


def _canonical(manifest: dict[str, Any]) -> bytes:
    body = {key: value for key, value in manifest.items() if key != "manifest_sha256"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# --- database snapshots -------------------------------------------------------------------------------------


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])  # never on the command line
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return args, env


def _pg_tool(name: str, using: str) -> str:
    """The path of `name` (pg_dump or pg_restore), checked to be at least the server's major version."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install Debian's postgresql-client.")
    # The tool's path comes from PATH and every argument from settings, never from user input.
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    connection = connections[using]
    connection.ensure_connection()
    server = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    if match is None or int(match.group(1)) < server:
        raise BackupError(
            f"{name} ({output.strip() or 'unknown version'}) is older than the PostgreSQL server ({server}); "
            f"install postgresql-client-{server}."
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _snapshot_database(using: str, target: Path) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # SQLite's online backup API: a consistent copy
        finally:
            destination.close()
        return
    args, env = _pg_args(connection.settings_dict)
    tool = _pg_tool("pg_dump", using)
    _run(
        [
            tool,
            *args,
            "--format=custom",
            "--no-password",
            "--file",
            str(target),
            connection.settings_dict["NAME"],
        ],
        env,
        "pg_dump",
    )


# --- writing -----------------------------------------------------------------------------------------------


class _HashingReader:
    """Reads from `raw`, counting bytes and computing their SHA-256 as tarfile copies them."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, name: str, raw: IO[bytes], size: int, entries: list[dict[str, Any]]) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(datetime.now(tz=UTC).timestamp())
    reader = _HashingReader(raw)
    tar.addfile(info, reader)  # type: ignore[arg-type]
    if reader.size != size:
        raise BackupError(f"{name} changed while it was being copied; run the backup again.")
    entries.append({"name": name, "sha256": reader.sha256.hexdigest(), "size": size})


def default_archive_path(folder: Path | None = None, *, compressed: bool = True) -> Path:
    """`folder` (default ``<data>/backups``) / ``meridian-backup-<UTC time>.tar.gz`` (or ``.tar``)."""
    folder = folder or Path(settings.DATA_DIR) / "backups"
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"meridian-backup-{stamp}.tar{'.gz' if compressed else ''}"


def _open_for_writing(path: Path, destination: Path) -> tarfile.TarFile:
    if destination.name.endswith((".tar.gz", ".tgz")):
        return tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT)
    return tarfile.open(path, "w", format=tarfile.PAX_FORMAT)


def backup_create(
    *,
    destination: Path,
    using: str = "default",
    include_secrets: bool = False,
    private: Storage | None = None,
    media: Storage | None = None,
) -> BackupResult:
    """Write one archive at `destination` (must not exist): database snapshot, private and media files.

    The archive is written to a temporary file in the same folder and renamed when complete, so a failed
    backup leaves nothing under `destination`. The folder is created 0700 when missing, the archive is 0600.
    Raises BackupError (destination exists, database tool missing or too old, a file changing while read).
    """
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} exists already; choose another name.")
    engine = _engine(using)
    private_dir(destination.parent)
    private = private or private_storage()
    media = media or media_storage()
    warnings = []
    entries: list[dict[str, Any]] = []
    fd, partial_name = tempfile.mkstemp(prefix=".partial-", suffix=".tar", dir=destination.parent)  # 0600
    os.close(fd)
    partial = Path(partial_name)
    try:
        with tempfile.TemporaryDirectory(dir=destination.parent) as work:
            snapshot = Path(work) / "database"
            _snapshot_database(using, snapshot)
            applied = _applied_migrations(using)
            with _open_for_writing(partial, destination) as tar:
                with snapshot.open("rb") as raw:
                    _add(tar, DATABASE_MEMBERS[engine], raw, snapshot.stat().st_size, entries)
                snapshot.unlink()
                for kind, storage in (("private", private), ("media", media)):
                    for name in storage_files(storage):
                        with storage.open(name, "rb") as raw:
                            _add(tar, STORAGE_PREFIXES[kind] + name, raw, storage.size(name), entries)
                if include_secrets:
                    secret = json.dumps(
                        {
                            "SECRET_KEY": settings.SECRET_KEY,
                            "PERSONAL_DATA_KEYS": list(settings.PERSONAL_DATA_KEYS),
                        }
                    ).encode()
                    _add(tar, SECRETS, io.BytesIO(secret), len(secret), entries)
                    warnings.append(
                        "The archive contains SECRET_KEY and PERSONAL_DATA_KEYS: whoever holds it can read "
                        "the encrypted personal data. Keep it apart from the ordinary backups, encrypted."
                    )
                manifest: dict[str, Any] = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "meridian_version": meridian.__version__,
                    "created_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
                    "database": {"engine": engine, "member": DATABASE_MEMBERS[engine]},
                    "migrations": _latest(applied),
                    "applied_migrations": applied,
                    "settings": _settings_to_match(),
                    "secrets_included": include_secrets,
                    "files": entries,
                }
                manifest["manifest_sha256"] = hashlib.sha256(_canonical(manifest)).hexdigest()
                body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                _add(tar, MANIFEST, io.BytesIO(body), len(body), [])
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    destination.chmod(0o600)
    files = sum(1 for entry in entries if entry["name"].startswith("files/"))
    return BackupResult(
        path=destination,
        size=destination.stat().st_size,
        files=files,
        secrets_included=include_secrets,
        warnings=warnings,
    )


# --- checking ----------------------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    if not name or name.startswith("/") or "\\" in name or "\x00" in name or path.is_absolute():
        return False
    if any(part in ("", ".", "..") for part in name.split("/")):
        return False
    if name in (MANIFEST, SECRETS) or name in DATABASE_MEMBERS.values():
        return True
    return any(name.startswith(prefix) and len(name) > len(prefix) for prefix in STORAGE_PREFIXES.values())


def backup_verify(*, archive: Path) -> dict[str, Any]:
    """Check `archive` completely and return its manifest; nothing is written anywhere.

    Refused (BackupError with the reason): unreadable or not a tar; a member that is not a regular file, whose
    name is absolute, climbs out with ``..`` or lies outside the known folders, or appears twice; a missing,
    malformed or altered manifest; a member missing, extra, or whose size or SHA-256 differs from its entry.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    seen: dict[str, tuple[str, int]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = member.name
                if not member.isreg():
                    raise BackupError(f"The archive is refused: {name!r} is not a regular file.")
                if not _safe_name(name):
                    raise BackupError(f"The archive is refused: the member name {name!r} is not allowed.")
                if name in seen or (name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(f"The archive is refused: {name!r} appears twice.")
                raw = tar.extractfile(member)
                assert raw is not None  # a regular file always has contents
                if name == MANIFEST:
                    manifest_bytes = raw.read()
                    continue
                digest, size = hashlib.sha256(), 0
                while chunk := raw.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                seen[name] = (digest.hexdigest(), size)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"The archive is damaged or not a Meridian backup: {exc}") from exc
    if manifest_bytes is None:
        raise BackupError("The archive is refused: it has no manifest.json.")
    try:
        manifest = json.loads(manifest_bytes)
        listed = {entry["name"]: (entry["sha256"], int(entry["size"])) for entry in manifest["files"]}
        recorded = manifest["manifest_sha256"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"The archive is refused: its manifest cannot be read ({exc}).") from exc
    if manifest.get("format") != FORMAT or recorded != hashlib.sha256(_canonical(manifest)).hexdigest():
        raise BackupError("The archive is refused: its manifest is not a Meridian manifest or was altered.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"The archive's format version {manifest.get('format_version')} is not supported.")
    missing = sorted(set(listed) - set(seen))
    extra = sorted(set(seen) - set(listed))
    changed = sorted(name for name in set(listed) & set(seen) if listed[name] != seen[name])
    problems = []
    if missing:
        problems.append(f"missing members: {', '.join(missing[:10])}")
    if extra:
        problems.append(f"members not in the manifest: {', '.join(extra[:10])}")
    if changed:
        problems.append(f"members whose checksum or size differs: {', '.join(changed[:10])}")
    if manifest["database"].get("member") not in listed:
        problems.append("no database snapshot")
    if problems:
        raise BackupError("The archive is damaged and was not restored: " + "; ".join(problems) + ".")
    return manifest


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _key_env_given(name: str) -> bool:
    return bool(os.environ.get(name) or os.environ.get(f"{name}_FILE"))


def restore_check(
    *, manifest: dict[str, Any], using: str = "default", use_archived_secrets: bool = False
) -> list[str]:
    """Refuse an archive this code cannot restore here; return the settings that differ (human sentences).

    Refused (BackupError): another database engine; a newer Meridian version or a migration this code does not
    have; personal-data keys of the archive that this installation lacks (unless `use_archived_secrets` and
    the archive carries them). Differing SECRET_KEY, TIME_ZONE, LANGUAGE_CODE and SITE_URL are reported.
    """
    engine = _engine(using)
    if manifest["database"]["engine"] != engine:
        raise BackupError(
            f"The archive holds a {manifest['database']['engine']} database; this installation uses {engine}."
        )
    if _version(manifest["meridian_version"]) > _version(meridian.__version__):
        raise BackupError(
            f"The archive was made by Meridian {manifest['meridian_version']}, newer than this "
            f"{meridian.__version__}; install that version (or newer) to restore it."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}" for app, name in manifest["applied_migrations"] if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            "The archive's database has migrations this code does not have (made by a newer version?): "
            + ", ".join(unknown[:10])
        )
    archived = manifest["settings"]
    current = _settings_to_match()
    mismatches = [
        f"{name} differs: archive {archived.get(name)!r}, here {current[name]!r}."
        for name in ("TIME_ZONE", "LANGUAGE_CODE", "SITE_URL")
        if archived.get(name) != current[name]
    ]
    if archived.get("SECRET_KEY") != current["SECRET_KEY"]:
        mismatches.append(
            "SECRET_KEY differs from the backed-up installation's: sessions, password-reset and self-service "
            "links signed before the backup are no longer valid."
        )
    lacking = sorted(set(archived.get("PERSONAL_DATA_KEYS", [])) - set(current["PERSONAL_DATA_KEYS"]))
    if lacking:
        if not (use_archived_secrets and manifest.get("secrets_included")):
            hint = (
                " This archive carries them: add --use-archived-secrets."
                if manifest.get("secrets_included")
                else ""
            )
            raise BackupError(
                "Encrypted personal data in the archive would not decrypt: this installation lacks the "
                f"personal-data key(s) with fingerprint {', '.join(lacking)}. Set PERSONAL_DATA_KEYS (or "
                f"PERSONAL_DATA_KEYS_FILE) to the backed-up installation's keys and restore again.{hint}"
            )
        mismatches.append(
            f"PERSONAL_DATA_KEYS lacked key(s) {', '.join(lacking)}; the archived keys are used."
        )
    return mismatches


def _target_problems(using: str, private: Storage, media: Storage) -> list[str]:
    problems = []
    tables = connections[using].introspection.table_names()
    if tables:
        problems.append(f"the database has {len(tables)} tables")
    for kind, storage in (("private", private), ("media", media)):
        if next(storage_files(storage), None) is not None:
            problems.append(f"the {kind} file storage is not empty")
    return problems


# --- restoring ---------------------------------------------------------------------------------------------


def _restore_database(using: str, dump: Path) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    args, env = _pg_args(connection.settings_dict)
    tool = _pg_tool("pg_restore", using)
    connection.close()
    _run(
        [
            tool,
            *args,
            "--no-password",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _plan_secrets(secrets: dict[str, Any], folder: Path) -> list[tuple[Path, str]]:
    """The generated-secret files of the data folder to overwrite with archived secrets that differ.

    Raises BackupError when a differing secret comes from the environment (which a file cannot override) or
    the archive holds several personal-data keys (which only PERSONAL_DATA_KEYS can carry).
    """
    current = _settings_to_match()
    wanted = {
        "SECRET_KEY": [secrets["SECRET_KEY"]],
        "PERSONAL_DATA_KEYS": list(secrets["PERSONAL_DATA_KEYS"]),
    }
    planned = []
    for name, values in wanted.items():
        here = current[name] if isinstance(current[name], list) else [current[name]]
        if [fingerprint(value) for value in values] == here:
            continue
        if _key_env_given(name) or len(values) != 1:
            raise BackupError(
                f"{name} comes from the environment here (or the archive holds several keys): set it to the "
                "backed-up installation's value instead of using the archived one. Nothing was changed."
            )
        planned.append((folder / _SECRET_ENV[name], values[0]))
    return planned


def _write_secret(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    path.chmod(0o600)


def backup_restore(
    *,
    archive: Path,
    using: str = "default",
    use_archived_secrets: bool = False,
    private: Storage | None = None,
    media: Storage | None = None,
    secrets_folder: Path | None = None,
) -> RestoreResult:
    """Restore `archive` into an empty database and empty file storages; migrate when the code is newer.

    Order: the whole archive is verified (backup_verify) and its compatibility checked (restore_check), then
    the target must be empty (no table in the database, no file in the private and media storages). Only then
    the database is restored (PostgreSQL: pg_restore in one transaction), the files written through the
    storages, secrets written into `secrets_folder` (default the data folder) when `use_archived_secrets`, and
    ``migrate`` run if this code has migrations the archive lacks. Raises BackupError, changing nothing, when
    any check fails.
    """
    archive = Path(archive)
    manifest = backup_verify(archive=archive)
    mismatches = restore_check(manifest=manifest, using=using, use_archived_secrets=use_archived_secrets)
    private = private or private_storage()
    media = media or media_storage()
    problems = _target_problems(using, private, media)
    if problems:
        raise BackupError(
            "A backup is restored only into an empty installation, and "
            + "; ".join(problems)
            + ". Nothing was changed. Use a new database and empty file folders (see the README, Backups)."
        )
    folder = Path(secrets_folder or settings.DATA_DIR)
    storages_by_prefix = {STORAGE_PREFIXES["private"]: private, STORAGE_PREFIXES["media"]: media}
    files = 0
    planned: list[tuple[Path, str]] = []
    with tarfile.open(archive, "r:*") as tar:
        members = {member.name: member for member in tar.getmembers()}
        if use_archived_secrets and SECRETS in members:
            raw_secrets = tar.extractfile(members[SECRETS])
            assert raw_secrets is not None
            planned = _plan_secrets(json.loads(raw_secrets.read()), folder)
        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / "database"
            source = tar.extractfile(members[manifest["database"]["member"]])
            assert source is not None
            with dump.open("wb") as handle:
                shutil.copyfileobj(source, handle, CHUNK)
            _restore_database(using, dump)
        for name, member in members.items():
            for prefix, storage in storages_by_prefix.items():
                if not name.startswith(prefix):
                    continue
                raw = tar.extractfile(member)
                assert raw is not None
                stored = storage.save(name[len(prefix) :], File(raw, name=PurePosixPath(name).name))
                if stored != name[len(prefix) :]:
                    raise BackupError(f"{name} was stored as {stored}; the restore is incomplete.")
                files += 1
    if planned:
        private_dir(folder)
        for path, value in planned:
            _write_secret(path, value)
    connection = connections[using]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        from django.core.management import call_command

        call_command("migrate", database=using, interactive=False, verbosity=0)
    return RestoreResult(
        files=files, migrated=bool(plan), mismatches=mismatches, secrets_written=[p for p, _ in planned]
    )
