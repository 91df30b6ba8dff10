"""The ZIP guard: zip bombs and damaged archives are refused before anything is inflated in full."""

import io
import random
import zipfile

import pytest

from meridian.core import archives
from meridian.core.archives import UnsafeArchiveError, ZipLimits, check_zip_archive, read_member_bounded
from meridian.core.tests import zip_bombs
from meridian.core.tests.zip_bombs import MIB


def _noise(size: int) -> bytes:
    """Bytes that do not compress (so that only the size limits, not the ratio, apply)."""
    return random.Random(size).randbytes(size)


def _plain_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_normal_archive_passes_and_the_stream_is_rewound():
    stream = io.BytesIO(_plain_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>" * 1000}))
    stream.seek(5)
    assert check_zip_archive(stream) == {"[Content_Types].xml", "word/document.xml"}
    assert stream.tell() == 0


def test_half_a_megabyte_that_unpacks_to_500_mib_is_refused_from_its_headers(monkeypatch):
    data = zip_bombs.xlsx_bomb(mib=500)
    assert len(data) < 1 * MIB

    def must_not_inflate(*args, **kwargs):
        raise AssertionError("a member was inflated although its header already gave it away")

    monkeypatch.setattr(archives, "read_member_bounded", must_not_inflate)
    with pytest.raises(UnsafeArchiveError, match="too large once unpacked") as caught:
        check_zip_archive(io.BytesIO(data))
    assert caught.value.code == "archive_too_large"


def test_the_compression_ratio_is_bounded_per_member_even_when_small():
    # 4 MiB of spaces packs to about 4 KB: far under the size limits, far over the ratio.
    data = _plain_zip({"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": b" " * (4 * MIB)})
    with pytest.raises(UnsafeArchiveError, match="compressed more than 100 times"):
        check_zip_archive(io.BytesIO(data))
    assert check_zip_archive(io.BytesIO(data), limits=ZipLimits(max_ratio=2000))


def test_total_unpacked_size_is_bounded():
    data = _plain_zip({f"part{i}.xml": _noise(2 * MIB) for i in range(3)})  # 2 MiB each
    with pytest.raises(UnsafeArchiveError, match="too large"):
        check_zip_archive(io.BytesIO(data), limits=ZipLimits(max_total_bytes=5 * MIB))
    assert check_zip_archive(io.BytesIO(data), limits=ZipLimits(max_total_bytes=6 * MIB))


def test_a_lying_header_is_caught_while_streaming():
    # The directory claims 100 KiB; the data holds 500 MiB. Inflating stops at the claim and the CRC fails.
    data = zip_bombs.lying_xlsx_bomb(mib=500, claimed=100 * 1024)
    with pytest.raises(UnsafeArchiveError, match="damaged") as caught:
        check_zip_archive(io.BytesIO(data))
    assert caught.value.code == "damaged_archive"


def test_streaming_counts_the_bytes_that_really_come_out():
    data = _plain_zip({"big.xml": _noise(3 * MIB)})  # 3 MiB, poorly compressible
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("big.xml")
        assert read_member_bounded(archive, info, limit=3 * MIB) == 3 * MIB
        with pytest.raises(UnsafeArchiveError, match="too large"):
            read_member_bounded(archive, info, limit=2 * MIB)


def test_too_many_members_are_refused_before_the_directory_is_loaded(monkeypatch):
    data = _plain_zip({f"p{i}.xml": b"<p/>" for i in range(5)})

    def must_not_open(*args, **kwargs):
        raise AssertionError("ZipFile read the directory")

    monkeypatch.setattr(archives.zipfile, "ZipFile", must_not_open)
    with pytest.raises(UnsafeArchiveError, match="more than 3 parts"):
        check_zip_archive(io.BytesIO(data), limits=ZipLimits(max_members=3))


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_truncated_archive_is_damaged(cut):
    data = _plain_zip({"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": _noise(100_000)})
    with pytest.raises(UnsafeArchiveError, match="damaged"):
        check_zip_archive(io.BytesIO(data[: int(len(data) * cut)]))


def test_a_corrupted_member_is_damaged():
    data = bytearray(_plain_zip({"xl/worksheets/sheet1.xml": _noise(100_000)}))
    middle = len(data) // 3
    data[middle : middle + 8] = b"\xff" * 8
    with pytest.raises(UnsafeArchiveError, match="damaged"):
        check_zip_archive(io.BytesIO(bytes(data)))


def test_limits_follow_the_settings(settings):
    settings.UPLOAD_ZIP_MAX_MEMBER_MB = 3
    settings.UPLOAD_ZIP_MAX_RATIO = 7
    limits = archives.limits_from_settings()
    assert (limits.max_member_bytes, limits.max_ratio) == (3 * MIB, 7)
