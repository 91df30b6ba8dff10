"""Editor pages under /<lang>/global-vision/manage/: officers and administrators only (404 for others)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meridian.core.errors import DomainError, StaleEditError
from meridian.core.history import history_entries
from meridian.portal import permissions, services
from meridian.portal.figures import PLACEHOLDERS
from meridian.portal.forms import ArticleForm, AttachmentForm, PublishForm
from meridian.portal.models import Article, Attachment
from meridian.portal.selectors import article_list_for_editor
from meridian.portal.views.public import article_context


def editor_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.can_edit_articles(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _placeholder_help() -> list[tuple[str, str]]:
    return [(f"{{{name}}}", str(text)) for name, text in PLACEHOLDERS.items()]


def _apply_form_errors(form: ArticleForm, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@editor_required
def article_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(article_list_for_editor(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "portal/manage/list.html", {"page_obj": page, "articles": page.object_list})


@editor_required
def article_create_view(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if not data.get("cover"):
            data.pop("cover", None)
        try:
            article = services.article_create(actor=request.user, **data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("Saved as a draft."))
            return redirect("portal:manage_edit", pk=article.pk)
    return render(
        request,
        "portal/manage/edit.html",
        {"form": form, "article": None, "placeholders": _placeholder_help()},
    )


@editor_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("section"), pk=pk)
    form = ArticleForm(request.POST or None, request.FILES or None, instance=article)
    stale = None
    if request.method != "POST":
        form.initial["version"] = article.version
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if data.get("cover") is None:
            data.pop("cover")  # keep the current cover
        elif data.get("cover") is False:
            data["cover"] = ""
        try:
            services.article_update(
                article=Article.objects.get(pk=pk),
                actor=request.user,
                expected_version=form.cleaned_data.get("version"),
                **data,
            )
        except StaleEditError as error:
            # Keep what the editor typed; the next save applies it on top of the current version.
            stale = error
            data = request.POST.copy()
            data["version"] = str(error.current_version)
            form = ArticleForm(data, instance=Article.objects.get(pk=pk))
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("portal:manage_edit", pk=pk)
    article.refresh_from_db()
    context = {
        "form": form,
        "article": article,
        "stale": stale,
        "placeholders": _placeholder_help(),
        "publish_form": PublishForm(),
        "attachment_form": AttachmentForm(),
        "attachments": article.attachments.all(),
        "history": history_entries(instance=article),
    }
    return render(request, "portal/manage/edit.html", context, status=409 if stale else 200)


@editor_required
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("section"), pk=pk)
    context = article_context(request, article)
    context["preview"] = True
    context["language"] = get_language()
    return render(request, "portal/article.html", context)


@require_POST
@editor_required
def article_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid publication time."))
        return redirect("portal:manage_edit", pk=pk)
    try:
        article = services.article_publish(
            article=article, actor=request.user, publish_at=form.cleaned_data["publish_at"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Scheduled.") if article.status == "scheduled" else _("Published."))
    return redirect("portal:manage_edit", pk=pk)


@require_POST
@editor_required
def article_unpublish_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    services.article_unpublish(article=article, actor=request.user)
    messages.success(request, _("Withdrawn: the page is a draft again."))
    return redirect("portal:manage_edit", pk=pk)


@require_POST
@editor_required
def attachment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                article=article, actor=request.user, title=form.cleaned_data["title"],
                uploaded_file=form.cleaned_data["file"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("File attached."))
    else:
        messages.error(request, _("Give a title and a file."))
    return redirect("portal:manage_edit", pk=pk)


@require_POST
@editor_required
def attachment_delete_view(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment, pk=attachment_pk, article_id=pk)
    services.attachment_delete(attachment=attachment, actor=request.user)
    messages.success(request, _("Attachment removed."))
    return redirect("portal:manage_edit", pk=pk)
