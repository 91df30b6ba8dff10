"""Every upload that opens a ZIP-based file (DOCX, XLSX) goes through the one guard in ``core.archives``."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meridian.agreements.services import DOCX, detect_document_type
from meridian.core.archives import UnsafeArchiveError
from meridian.core.errors import DomainError
from meridian.core.tests import zip_bombs
from meridian.documents.rendering import looks_like_docx
from meridian.workflow.files import XLSX, checked_file, detect_type


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_attachment_zip_bomb_is_refused_with_a_clear_message(settings):
    upload = SimpleUploadedFile("passport.docx", zip_bombs.docx_bomb(mib=300))
    with pytest.raises(DomainError, match="too large once unpacked"):
        checked_file(upload)


def test_attachment_xlsx_bomb_is_refused_before_its_type_is_told():
    with pytest.raises(UnsafeArchiveError):
        detect_type(SimpleUploadedFile("budget.xlsx", zip_bombs.xlsx_bomb(mib=300)))


def test_agreement_document_zip_bomb_is_refused():
    with pytest.raises(UnsafeArchiveError, match="too large once unpacked"):
        detect_document_type(SimpleUploadedFile("agreement.docx", zip_bombs.docx_bomb(mib=300)))


def test_docx_template_zip_bomb_is_refused():
    with pytest.raises(UnsafeArchiveError, match="too large once unpacked"):
        looks_like_docx(zip_bombs.docx_bomb(mib=300))


def test_ordinary_and_damaged_files_are_told_as_before():
    docx = _docx()
    assert detect_document_type(SimpleUploadedFile("a.docx", docx)) == DOCX
    assert looks_like_docx(docx)
    assert detect_document_type(SimpleUploadedFile("a.docx", docx[:40])) is None
    assert not looks_like_docx(docx[:40])
    assert detect_type(SimpleUploadedFile("a.docx", docx[:40])) is None
    assert (
        detect_type(
            SimpleUploadedFile("b.xlsx", zip_bombs.archive([zip_bombs.CONTENT_TYPES, zip_bombs.WORKBOOK]))
        )
        == XLSX
    )
