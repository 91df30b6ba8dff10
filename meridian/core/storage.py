"""Where stored files live: the private documents and the public media, on a file system or object storage.

``settings.STORAGES`` names two stores the apps write to: ``"private"`` (agreements, case files, passport
scans: served only through permission-checked views) and ``"default"`` (media, e.g. portal images, also served
by the app). Both are a folder on the local file system by default and S3-compatible object storage when
``MERIDIAN_STORAGE=s3`` (see ``meridian/core/storage_s3.py``).

Every backend here reports a store that cannot be used (a folder that is not writable, a full disk, an object
store that does not answer or refuses the credentials) as ``StorageUnavailableError``, which the app answers
with a 503 page (``meridian/core/storage_errors.py``). A missing file stays ``FileNotFoundError`` (a 404).
"""

from __future__ import annotations

import contextlib
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, cached_property, empty

from meridian.core.errors import StorageUnavailableError

PRIVATE_STORAGE_ALIAS = "private"
MEDIA_STORAGE_ALIAS = "default"


def _botocore_errors() -> tuple[type[BaseException], ...]:
    """botocore's error base classes, or none when it is not installed (file system only)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - botocore is a runtime requirement
        return ()
    return (BotoCoreError, ClientError)


def is_storage_outage(exc: BaseException) -> bool:
    """True when ``exc`` means the store cannot be used now (not that a file is missing).

    An ``OSError`` other than ``FileNotFoundError``/``FileExistsError`` (permission denied, read-only file
    system, disk full) or any botocore error (connection refused, access denied, no such bucket) counts.
    """
    if isinstance(exc, StorageUnavailableError):
        return True
    if isinstance(exc, (FileNotFoundError, FileExistsError)):
        return False
    return isinstance(exc, (OSError, *_botocore_errors()))


@contextmanager
def _guard(alias: str) -> Iterator[None]:
    try:
        yield
    except StorageUnavailableError:
        raise
    except Exception as exc:
        if is_storage_outage(exc):
            raise StorageUnavailableError(store=alias, reason=f"{exc.__class__.__name__}: {exc}") from exc
        raise


class GuardedStorageMixin:
    """Turns a store that cannot be used into ``StorageUnavailableError`` for every operation the apps use."""

    storage_alias = PRIVATE_STORAGE_ALIAS

    def _open(self, name: str, mode: str = "rb") -> Any:
        with _guard(self.storage_alias):
            return super()._open(name, mode)  # type: ignore[misc]

    def _save(self, name: str, content: Any) -> str:
        with _guard(self.storage_alias):
            return super()._save(name, content)  # type: ignore[misc]

    def delete(self, name: str) -> None:
        with _guard(self.storage_alias):
            super().delete(name)  # type: ignore[misc]

    def exists(self, name: str) -> bool:
        with _guard(self.storage_alias):
            return super().exists(name)  # type: ignore[misc]

    def size(self, name: str) -> int:
        with _guard(self.storage_alias):
            return super().size(name)  # type: ignore[misc]

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        with _guard(self.storage_alias):
            return super().listdir(path)  # type: ignore[misc]


class MediaFileSystemStorage(GuardedStorageMixin, FileSystemStorage):
    """Media in ``MEDIA_ROOT`` (Django's default store), outages reported as ``StorageUnavailableError``."""

    storage_alias = MEDIA_STORAGE_ALIAS


class PrivateFileSystemStorage(GuardedStorageMixin, FileSystemStorage):
    """Private documents in ``settings.PRIVATE_STORAGE_ROOT`` (read when first used, and again when a test
    changes the setting); never under ``MEDIA_ROOT``. Files 0600, folders 0700 (``FILE_UPLOAD_*``)."""

    storage_alias = PRIVATE_STORAGE_ALIAS

    @cached_property
    def base_location(self) -> str:
        return self._value_or_setting(self._location, settings.PRIVATE_STORAGE_ROOT)  # type: ignore[attr-defined]

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_STORAGE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up when first used and again after ``STORAGES`` changes.

    Model fields take their storage when the model class is built (at import); this proxy lets them follow
    the configured store instead of binding one instance for the life of the process.
    """

    def _setup(self) -> None:
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


private = _PrivateStorage()


def _reset_private(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        private._wrapped = empty  # type: ignore[assignment]


setting_changed.connect(_reset_private)


def private_storage() -> Storage:
    """The store for private documents (``settings.STORAGES["private"]``), for ``FileField(storage=...)``.

    Returns a proxy of ``django.core.files.storage.storages["private"]``: a folder on the file system by
    default, an S3 bucket/prefix when configured. Files in it are served only by permission-checked views.
    """
    return private  # type: ignore[return-value]


def storage_backend_name() -> str:
    """``"s3"`` when documents and media are on object storage, ``"local"`` for the file system."""
    return "s3" if getattr(settings, "MERIDIAN_STORAGE", "local") == "s3" else "local"


def probe(storage: Storage) -> dict[str, str]:
    """Write, read back and delete a small object in ``storage``; ``{"status": "ok"}`` when all three work.

    Otherwise ``{"status": "unavailable", "error": <exception class>}``. Used by ``/healthz``; the probe's
    name is unique per call (host name and a random part), so servers checking at once do not collide.
    """
    payload = secrets.token_bytes(16)
    name = f"healthz/{socket.gethostname()[:40]}-{secrets.token_hex(8)}.probe"
    stored = ""
    try:
        stored = storage.save(name, ContentFile(payload))
        with storage.open(stored, "rb") as handle:
            if handle.read() != payload:
                return {"status": "unavailable", "error": "ContentMismatch"}
        storage.delete(stored)
        stored = ""
        return {"status": "ok"}
    except Exception as exc:  # any failure means "unusable" to a load balancer
        cause = exc.__cause__ if isinstance(exc, StorageUnavailableError) and exc.__cause__ else exc
        return {"status": "unavailable", "error": cause.__class__.__name__}
    finally:
        if stored:
            with contextlib.suppress(Exception):  # best effort; the probe already reports the failure
                storage.delete(stored)
