"""Partner logos: an uploaded picture is checked by its content and re-encoded before it is kept.

The rule: the upload must be a real PNG, JPEG or WebP picture (decoded by Pillow, whatever its name or the
browser's claim), at most ``LOGO_MAX_BYTES`` bytes and ``LOGO_MAX_PIXELS`` pixels, at least ``LOGO_MIN_SIDE``
pixels on each side. What is stored is a fresh PNG drawn from the decoded pixels, at most ``LOGO_MAX_SIDE``
pixels on its longer side: metadata (EXIF with GPS positions, comments, embedded profiles) and anything
smuggled after the image data are dropped, and the file served is always exactly a PNG.
"""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000  # width × height of the upload: a decompression bomb is refused before decoding
LOGO_MIN_SIDE = 16
LOGO_MAX_SIDE = 512
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP"}


def logo_upload_to(instance, filename: str) -> str:
    """Where a partner's logo is stored: a random name per version, so caches never serve an old one."""
    return f"partners/logos/{uuid.uuid4().hex}.png"


def logo_clean(upload) -> ContentFile:
    """The uploaded file (``UploadedFile`` or any binary file) re-encoded as a PNG ``ContentFile``.

    Raises ``ValidationError`` with a message for people when it is too large, not a picture of an accepted
    format, damaged, too small or too many pixels."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if size is not None and size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 2 MB."), code="too_large")
    upload.seek(0)
    data = upload.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 2 MB."), code="too_large")
    not_a_picture = ValidationError(_("The logo must be a PNG, JPEG or WebP picture."), code="not_image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_a_picture
            width, height = probe.size
            if width * height > LOGO_MAX_PIXELS:
                raise ValidationError(_("The logo has too many pixels (at most 25 million)."), code="too_big")
            probe.verify()  # checks the whole file's structure (truncated or corrupt files fail)
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            # Upright as the camera meant it, before EXIF is dropped.
            image = ImageOps.exif_transpose(opened).convert("RGBA")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise not_a_picture from exc
    if min(image.size) < LOGO_MIN_SIDE:
        raise ValidationError(
            _("The logo must be at least %(px)s pixels wide and high.") % {"px": LOGO_MIN_SIDE},
            code="too_small",
        )
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    clean = Image.new("RGBA", image.size)
    clean.paste(image)  # only pixels travel to the new picture: no info dictionary, no chunks
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="logo.png")
