"""Working files kept in the private store: import uploads between their check and their commit, and the
result files of background jobs.

A ``PrivateFile`` names one file in ``private_storage()`` (``STORAGES["private"]``) under a folder of its
owner ("imports", "jobs"), so that these files follow the documents: a folder on the file system by default,
the S3 bucket with ``MERIDIAN_STORAGE=s3`` (every server of a deployment sees them), and ``meridian backup``
and ``restore`` carry them.

Files written before they went through the store lived in the folder ``PRIVATE_STORAGE_ROOT/<folder>``. With
the default file-system store that folder *is* the store's, so they are found as they are; with object
storage a file missing from the bucket is still read (and removed) from that old folder, so nothing written
earlier is lost. ``meridian move-private-files`` copies such old files into the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage

from meridian.core.storage import private_storage

IMPORTS = "imports"
JOBS = "jobs"
CHUNK = 1024 * 1024


def _store() -> Storage:
    return private_storage()


def _is_local(storage: Storage) -> bool:
    """Whether the store is a folder on this server (read in place, no temporary copy)."""
    return isinstance(storage, FileSystemStorage)  # the lazy proxy answers for the store it stands for


def _is_legacy_folder(storage: Storage) -> bool:
    """Whether the store is the old folder itself (``PRIVATE_STORAGE_ROOT``, the default set-up)."""
    if not _is_local(storage):
        return False
    return Path(storage.location).resolve() == Path(settings.PRIVATE_STORAGE_ROOT).resolve()  # type: ignore[attr-defined]


class PrivateFile:
    """One working file ``<folder>/<name>`` in the private store (``name`` is a plain file name).

    Offers the few path-like operations its users need (``exists``, ``open``, ``read_bytes``, ``unlink``);
    a store that cannot be used raises ``StorageUnavailableError`` (answered 503), a missing file
    ``FileNotFoundError``.
    """

    def __init__(self, folder: str, name: str) -> None:
        self.folder = folder
        self.name = Path(name).name  # never a path: a stored name cannot leave its folder

    def __repr__(self) -> str:
        return f"PrivateFile({self.storage_name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrivateFile) and other.storage_name == self.storage_name

    def __hash__(self) -> int:
        return hash(self.storage_name)

    @property
    def storage_name(self) -> str:
        """The file's name in the private store, e.g. ``imports/3f…e1.upload``."""
        return f"{self.folder}/{self.name}"

    @property
    def legacy_path(self) -> Path:
        """Where the file lived before it went through the store: ``PRIVATE_STORAGE_ROOT/<folder>/<name>``."""
        return Path(settings.PRIVATE_STORAGE_ROOT) / self.folder / self.name

    def _legacy(self) -> Path | None:
        """The old local copy, when the store is not that folder itself and the copy is there."""
        if not self.name or _is_legacy_folder(_store()):
            return None
        path = self.legacy_path
        return path if path.is_file() else None

    def exists(self) -> bool:
        if not self.name:
            return False
        return _store().exists(self.storage_name) or self._legacy() is not None

    is_file = exists

    def write_chunks(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Store the bytes of ``chunks`` (replacing an earlier file of this name); returns their SHA-256 (hex)
        and size in bytes. The bytes are spooled to a temporary file first (on disk beyond 5 MiB)."""
        digest = hashlib.sha256()
        size = 0
        with tempfile.SpooledTemporaryFile(max_size=5 * CHUNK) as spool:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                spool.write(chunk)
            spool.seek(0)
            storage = _store()
            if storage.exists(self.storage_name):
                storage.delete(self.storage_name)
            saved = storage.save(self.storage_name, File(spool, name=self.name))
        if saved != self.storage_name:  # pragma: no cover - the name was free a moment ago
            self.name = Path(saved).name
        return digest.hexdigest(), size

    def write_bytes(self, content: bytes) -> None:
        """Store ``content`` under this name (replacing an earlier file)."""
        storage = _store()
        if storage.exists(self.storage_name):
            storage.delete(self.storage_name)
        storage.save(self.storage_name, ContentFile(content, name=self.name))

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """A seekable binary stream of the file (from the store, else from its old folder).

        A file on the file system is read in place; an object is copied into a temporary file first (readers
        such as a workbook's seek back and forth). Raises ``FileNotFoundError`` when the file is missing.
        """
        storage = _store()
        if self.name and storage.exists(self.storage_name):
            if _is_local(storage):
                with storage.open(self.storage_name, "rb") as handle:
                    yield handle
                return
            with tempfile.SpooledTemporaryFile(max_size=5 * CHUNK) as copy:
                with storage.open(self.storage_name, "rb") as remote:
                    shutil.copyfileobj(remote, copy, CHUNK)
                copy.seek(0)
                yield copy  # type: ignore[misc]
            return
        legacy = self._legacy()
        if legacy is None:
            raise FileNotFoundError(self.storage_name)
        with open(legacy, "rb") as handle:
            yield handle

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()

    def sha256(self) -> str:
        """The SHA-256 of the file's bytes (hex); raises ``FileNotFoundError`` when it is missing."""
        digest = hashlib.sha256()
        with self.open() as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def unlink(self, missing_ok: bool = True) -> None:
        """Remove the file from the store and from its old folder; a missing file is no error."""
        if not self.name:
            return
        _store().delete(self.storage_name)
        legacy = self._legacy()
        if legacy is not None:
            legacy.unlink(missing_ok=True)

    def modified_at(self) -> datetime | None:
        """When the file was last written (aware UTC), or None when the store cannot tell."""
        storage = _store()
        try:
            if storage.exists(self.storage_name):
                return storage.get_modified_time(self.storage_name)
        except NotImplementedError:  # pragma: no cover - every store Meridian configures tells
            return None
        legacy = self._legacy()
        if legacy is not None:
            return datetime.fromtimestamp(legacy.stat().st_mtime, tz=UTC)
        return None


def new_private_file(folder: str, suffix: str) -> PrivateFile:
    """A fresh random name (128 bits) in ``folder``, e.g. ``imports/<32 hex digits>.upload``."""
    return PrivateFile(folder, f"{secrets.token_hex(16)}{suffix}")


def private_files(folder: str, suffix: str) -> list[PrivateFile]:
    """Every file of ``folder`` ending in ``suffix``, in the store and in the old local folder."""
    names: set[str] = set()
    storage = _store()
    with contextlib.suppress(FileNotFoundError):
        _dirs, files = storage.listdir(folder)
        names.update(name for name in files if name.endswith(suffix))
    if not _is_legacy_folder(storage):
        legacy = Path(settings.PRIVATE_STORAGE_ROOT) / folder
        if legacy.is_dir():
            names.update(path.name for path in legacy.glob(f"*{suffix}") if path.is_file())
    return [PrivateFile(folder, name) for name in sorted(names)]


def move_legacy_files(folders: Iterable[str] = (IMPORTS, JOBS)) -> int:
    """Copy files left in ``PRIVATE_STORAGE_ROOT/<folder>`` into the private store, then remove the local
    copies; returns how many were moved. Nothing to do when the store is that folder (the default)."""
    storage = _store()
    if _is_legacy_folder(storage):
        return 0
    moved = 0
    for folder in folders:
        legacy = Path(settings.PRIVATE_STORAGE_ROOT) / folder
        if not legacy.is_dir():
            continue
        for path in sorted(legacy.iterdir()):
            if not path.is_file():
                continue
            target = PrivateFile(folder, path.name)
            if not storage.exists(target.storage_name):
                with open(path, "rb") as handle:
                    storage.save(target.storage_name, File(handle, name=path.name))
            path.unlink()
            moved += 1
    return moved
