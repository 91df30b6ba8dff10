"""Serving stored private files: one way for every permission-checked download view."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_file_response(
    field_file: FieldFile,
    *,
    content_type: str,
    filename: str = "",
    attachment: bool = True,
    cache_control: str = "private, no-store",
) -> FileResponse:
    """A response streaming ``field_file`` (the caller has checked the reader may have it).

    The content type is the one checked at upload (never guessed from the name), ``nosniff`` keeps browsers
    from guessing either, and ``cache_control`` keeps shared caches out (default: not stored at all). A file
    missing from storage answers 404 (``Http404``) rather than a server error. ``attachment`` False serves it
    inline (images shown on a page).
    """
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response
