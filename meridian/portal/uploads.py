"""Checks on uploaded files by their content (magic bytes), not by the name or the browser's claim."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

COVER_MAX_BYTES = 5 * 1024 * 1024

IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp"}


def sniff(head: bytes) -> str:
    """The content type recognised from a file's first bytes, or "" when it is none we accept."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return ""


def _read_head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    return head


def content_type_of(file) -> str:
    return sniff(_read_head(file))


def validate_cover(file) -> None:
    if getattr(file, "_committed", False):
        return  # already stored and checked when it was uploaded
    if file.size > COVER_MAX_BYTES:
        raise ValidationError(_("The cover image may be at most 5 MB."))
    if content_type_of(file) not in IMAGE_TYPES:
        raise ValidationError(_("The cover image must be a PNG, JPEG or WebP picture."))


def validate_attachment(file) -> None:
    if getattr(file, "_committed", False):
        return
    if file.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(_("The file may be at most %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB})
    if not content_type_of(file):
        raise ValidationError(_("Attachments must be PDF documents or PNG, JPEG or WebP pictures."))
