"""Hostile ZIP files for tests, written byte by byte so that a 500 MiB member costs well under a second.

A deflate stream of one chunk repeated: after a full flush the compressor starts afresh, so the bytes of one
compressed chunk can be repeated as often as needed. Sizes in the directory can be set to lie.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

MIB = 1024 * 1024
_DOS_DATE = 0x21  # 1980-01-01


@dataclass(frozen=True)
class Member:
    """One archive member: its name, the deflated bytes, the CRC and the unpacked size it really has."""

    name: str
    packed: bytes
    crc: int
    size: int


def small(name: str, text: bytes) -> Member:
    """A member holding ``text``, deflated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(text) + compressor.flush()
    return Member(name, packed, zlib.crc32(text), len(text))


def repeated(name: str, *, chunk: bytes, times: int, with_crc: bool = True) -> Member:
    """A member that unpacks to ``chunk`` repeated ``times`` times (e.g. 1 MiB x 500 = 500 MiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    packed = first + again * (times - 1) + compressor.flush()
    crc = 0
    if with_crc:
        for _ in range(times):
            crc = zlib.crc32(chunk, crc)
    return Member(name, packed, crc, len(chunk) * times)


def archive(members: list[Member], *, declared_sizes: dict[str, int] | None = None) -> bytes:
    """A ZIP file of ``members``; ``declared_sizes`` makes the headers claim another unpacked size."""
    declared_sizes = declared_sizes or {}
    body = bytearray()
    directory = bytearray()
    for member in members:
        name = member.name.encode()
        size = declared_sizes.get(member.name, member.size)
        offset = len(body)
        body += struct.pack(
            "<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, _DOS_DATE, member.crc, len(member.packed), size,
            len(name), 0,
        )  # fmt: skip
        body += name + member.packed
        directory += struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 8, 0, _DOS_DATE, member.crc,
            len(member.packed), size, len(name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        directory += name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    return bytes(body + directory + end)


CONTENT_TYPES = small("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
WORKBOOK = small("xl/workbook.xml", b'<?xml version="1.0"?><workbook/>')
# A sheet's start followed by whitespace, which XML allows and deflate packs about 1000 to 1.
SHEET_CHUNK = b'<worksheet><sheetData><row><c t="inlineStr"><is><t>x</t></is></c></row>'.ljust(MIB, b" ")


def xlsx_bomb(*, mib: int = 500) -> bytes:
    """An "XLSX" of about 0.5 MB whose sheet unpacks to ``mib`` MiB, with honest headers."""
    sheet = repeated("xl/worksheets/sheet1.xml", chunk=SHEET_CHUNK, times=mib)
    return archive([CONTENT_TYPES, WORKBOOK, sheet])


def lying_xlsx_bomb(*, mib: int = 500, claimed: int = 100 * 1024) -> bytes:
    """Like ``xlsx_bomb``, but the headers claim the sheet unpacks to ``claimed`` bytes only."""
    sheet = repeated("xl/worksheets/sheet1.xml", chunk=SHEET_CHUNK, times=mib, with_crc=False)
    return archive([CONTENT_TYPES, WORKBOOK, sheet], declared_sizes={sheet.name: claimed})


def docx_bomb(*, mib: int = 500) -> bytes:
    """A "DOCX" of about 0.5 MB whose document part unpacks to ``mib`` MiB."""
    return archive(
        [CONTENT_TYPES, repeated("word/document.xml", chunk=b"<w:document>".ljust(MIB, b" "), times=mib)]
    )
