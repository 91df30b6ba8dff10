"""One guard for every uploaded ZIP-based file (XLSX, DOCX) before anything parses it.

A small upload can unpack to gigabytes (a "zip bomb"): deflate reaches about 1000:1, so a 0.5 MB file can
hold a 500 MiB member. ``check_zip_archive`` refuses such a file before a reader inflates it, in two steps:

1. From the archive's directory: at most ``ZIP_MAX_MEMBERS`` members, each declaring at most
   ``ZIP_MAX_MEMBER_BYTES`` unpacked and a compression ratio (unpacked / packed) of at most
   ``ZIP_MAX_RATIO`` (members under ``RATIO_GRACE_BYTES`` are exempt: tiny XML parts compress very well),
   and at most ``ZIP_MAX_TOTAL_BYTES`` unpacked in all. The number of members is read from the end
   record before Python builds its list of members, so that a directory of millions of entries is
   refused without being loaded.
2. Headers can lie, so every member is then inflated in chunks of ``CHUNK_BYTES`` and the bytes that
   really come out are counted against the same limits (and against the size the member declares); this
   also checks each member's CRC, so a damaged file is refused here rather than halfway through an import.

Nothing is kept in memory beyond one chunk. Limits come from the settings of the same names prefixed
``UPLOAD_`` (see ``limits_from_settings``); a caller may pass its own ``ZipLimits``.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError

MIB = 1024 * 1024
CHUNK_BYTES = 64 * 1024
RATIO_GRACE_BYTES = 1 * MIB


class UnsafeArchiveError(DomainError):
    """The ZIP-based file is damaged or would unpack to too much; ``message`` says which, for the user.

    ``code`` is ``damaged_archive`` or ``archive_too_large``.
    """

    code = "archive_too_large"


@dataclass(frozen=True)
class ZipLimits:
    """Limits for one archive: bytes unpacked per member and in all, ratio per member, number of members."""

    max_member_bytes: int = 256 * MIB
    max_total_bytes: int = 512 * MIB
    max_ratio: int = 100
    max_members: int = 10_000


def limits_from_settings(**overrides: int) -> ZipLimits:
    """The limits set by ``UPLOAD_ZIP_MAX_MEMBER_MB``, ``UPLOAD_ZIP_MAX_TOTAL_MB`` (MiB),
    ``UPLOAD_ZIP_MAX_RATIO`` and ``UPLOAD_ZIP_MAX_MEMBERS`` (``ZipLimits`` defaults when unset);
    keyword ``overrides`` (in ``ZipLimits`` field names and units) win."""
    default = ZipLimits()
    member_mib = getattr(settings, "UPLOAD_ZIP_MAX_MEMBER_MB", default.max_member_bytes // MIB)
    total_mib = getattr(settings, "UPLOAD_ZIP_MAX_TOTAL_MB", default.max_total_bytes // MIB)
    values = {
        "max_member_bytes": member_mib * MIB,
        "max_total_bytes": total_mib * MIB,
        "max_ratio": getattr(settings, "UPLOAD_ZIP_MAX_RATIO", default.max_ratio),
        "max_members": getattr(settings, "UPLOAD_ZIP_MAX_MEMBERS", default.max_members),
    }
    values.update(overrides)
    return ZipLimits(**values)


def _damaged() -> UnsafeArchiveError:
    return UnsafeArchiveError(_("The file is damaged and cannot be opened."), code="damaged_archive")


def _too_large(limits: ZipLimits) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        _(
            "The file is too large once unpacked: it would take more than %(mb)s MB, or one of its parts "
            "is compressed more than %(ratio)s times, as in a zip bomb. Save it again without unused rows "
            "and columns, or split it."
        )
        % {"mb": limits.max_member_bytes // MIB, "ratio": limits.max_ratio}
    )


def _too_many_members(limits: ZipLimits) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        _("The file is refused: it holds more than %(count)s parts.") % {"count": limits.max_members}
    )


def _declared_member_count(stream: IO[bytes]) -> int:
    # The end-of-central-directory record (zip64 aware) gives the count before ZipFile reads every entry.
    stream.seek(0)
    record = zipfile._EndRecData(stream)  # type: ignore[attr-defined]  # stable since Python 2
    if record is None:
        raise _damaged()
    return int(record[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def _ratio_too_high(unpacked: int, packed: int, limits: ZipLimits) -> bool:
    return unpacked > RATIO_GRACE_BYTES and unpacked > limits.max_ratio * max(packed, 1)


def read_member_bounded(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limit: int, limits: ZipLimits | None = None
) -> int:
    """Inflate one member in chunks, keeping none; returns the bytes it really unpacks to.

    Raises ``UnsafeArchiveError`` as soon as more than ``limit`` bytes come out, or more than the member
    declares, or (past ``RATIO_GRACE_BYTES``) more than ``limits.max_ratio`` times its packed size, and for
    a damaged member (bad CRC, truncated data). ``limits`` defaults to ``limits_from_settings()``.
    """
    limits = limits or limits_from_settings()
    total = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK_BYTES):
                total += len(chunk)
                if (
                    total > limit
                    or total > info.file_size
                    or _ratio_too_high(total, info.compress_size, limits)
                ):
                    raise _too_large(limits)
    except UnsafeArchiveError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise _damaged() from exc
    return total


def check_zip_archive(stream: IO[bytes], *, limits: ZipLimits | None = None) -> frozenset[str]:
    """Check a ZIP-based upload (XLSX, DOCX) against ``limits``; returns the names of its members.

    ``stream`` is a seekable binary file; it is left at position 0. Raises ``UnsafeArchiveError``
    (a ``DomainError``) with a message for the user when the file is not a readable ZIP archive
    (code ``damaged_archive``) or would unpack to too much (code ``archive_too_large``).
    Reads the archive once, in chunks: memory use stays at one chunk whatever the file holds.
    """
    limits = limits or limits_from_settings()
    try:
        if _declared_member_count(stream) > limits.max_members:
            raise _too_many_members(limits)
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_members:
                raise _too_many_members(limits)
            declared = 0
            for info in infos:
                declared += info.file_size
                if (
                    info.file_size > limits.max_member_bytes
                    or declared > limits.max_total_bytes
                    or _ratio_too_high(info.file_size, info.compress_size, limits)
                ):
                    raise _too_large(limits)
            unpacked = 0
            for info in infos:
                unpacked += read_member_bounded(
                    archive,
                    info,
                    limit=min(limits.max_member_bytes, limits.max_total_bytes - unpacked),
                    limits=limits,
                )
            names = frozenset(info.filename for info in infos)
    except UnsafeArchiveError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise _damaged() from exc
    finally:
        stream.seek(0)
    return names
