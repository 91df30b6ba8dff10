"""Files attached to a move or a step action: type read from the bytes, size limit, safe names."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from meridian.core.archives import UnsafeArchiveError, check_zip_archive
from meridian.core.errors import DomainError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", DOC: ".doc", PNG: ".png", JPEG: ".jpg"}
OLE_HEADER = bytes.fromhex("D0CF11E0A1B11AE1")


def detect_type(uploaded_file) -> str | None:
    """The content type read from the file's first bytes (PDF, DOCX, XLSX, DOC, PNG, JPEG); None otherwise.

    The uploaded name and the browser's claimed type are ignored: a renamed executable is refused.
    """
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(OLE_HEADER):
        return DOC
    if head.startswith(b"PK\x03\x04"):
        try:
            names = check_zip_archive(uploaded_file)  # a zip bomb raises UnsafeArchiveError (a DomainError)
        except UnsafeArchiveError as exc:
            if exc.code == "damaged_archive":
                return None
            raise
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX
        if {"[Content_Types].xml", "xl/workbook.xml"} <= names:
            return XLSX
    return None


def safe_name(name: str, content_type: str) -> str:
    """A download name without folders or control characters, with the extension of the detected type."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r'[\x00-\x1f\x7f"<>:|?*;]', "", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return (stem[:200] or "attachment") + EXTENSIONS[content_type]


def checked_file(uploaded_file: UploadedFile) -> tuple[ContentFile, str, str, int, str]:
    """Check one upload; returns ``(content, safe name, content type, size in bytes, sha256 hex)``.

    Raises ``DomainError`` (code ``invalid_file`` or ``too_large``) for an empty file, a file over
    ``MAX_UPLOAD_MB`` megabytes, or a type other than PDF, Word, Excel, PNG or JPEG.
    """
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    size = uploaded_file.size or 0
    if size == 0:
        raise DomainError(
            _("The file %(name)s is empty.") % {"name": uploaded_file.name}, code="invalid_file"
        )
    if size > limit:
        raise DomainError(
            _("The file %(name)s is larger than the limit of %(mb)s MB.")
            % {"name": uploaded_file.name, "mb": settings.MAX_UPLOAD_MB},
            code="too_large",
        )
    content_type = detect_type(uploaded_file)
    if content_type is None:
        raise DomainError(
            _("The file %(name)s is not a PDF, Word, Excel, PNG or JPEG file.")
            % {"name": uploaded_file.name},
            code="invalid_file",
        )
    uploaded_file.seek(0)
    data = uploaded_file.read()
    uploaded_file.seek(0)
    digest = hashlib.sha256(data).hexdigest()
    return ContentFile(data), safe_name(uploaded_file.name or "", content_type), content_type, size, digest
