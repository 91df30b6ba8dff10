"""The portal's uploaded files, served by the app (MEDIA_ROOT is not served otherwise).

A file of a live article is public; files of drafts and scheduled articles only to editors.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from meridian.portal import permissions
from meridian.portal.models import Article, Attachment


def _serve(field_file, content_type: str, filename: str, *, inline: bool) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    # A PDF opened in the browser runs with no scripts and no access to the site.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def cover(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    article = get_object_or_404(
        Article.objects.only("cover", "cover_content_type", "status", "publish_at"), pk=pk
    )
    if not article.cover or article.cover.name.rsplit("/", 1)[-1] != filename:
        raise Http404
    if not permissions.can_view_article(request.user, article):
        raise Http404
    return _serve(
        article.cover, article.cover_content_type or "application/octet-stream", filename, inline=True
    )


@require_GET
def attachment(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    found = get_object_or_404(Attachment.objects.select_related("article"), pk=pk)
    if found.filename != filename or not permissions.can_view_article(request.user, found.article):
        raise Http404
    return _serve(found.file, found.content_type, filename, inline=True)
