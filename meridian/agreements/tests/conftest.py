"""Fixtures for the agreement tests: partners in two countries and agreements in a chosen state."""

import io
import zipfile

import pytest

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country


@pytest.fixture
def germany(db):
    return country("DE", "Germany", "德国", region_code="150")


@pytest.fixture
def japan(db):
    return country("JP", "Japan", "日本", alpha3="JPN", region_en="Asia", region_zh="亚洲", region_code="142")


@pytest.fixture
def partner(germany):
    return PartnerFactory(name="Universität Heidelberg", name_en="Heidelberg University", country=germany)


@pytest.fixture
def other_partner(japan):
    return PartnerFactory(name="Kyoto University", name_en="Kyoto University", country=japan, acronym="KU")


@pytest.fixture
def make_agreement(org, partner):
    """Build an agreement of the computing department (within the coordinator's and staff member's reach)."""

    def make(state: str = "draft", unit=None, partners=None, **fields):
        return AgreementFactory(
            state=state,
            responsible_unit=unit or org.computing,
            partners=partners if partners is not None else [partner],
            channels=fields.pop("channels", ["student_exchange"]),
            **fields,
        )

    return make


def pdf_bytes(extra: bytes = b"") -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + extra + b"\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
