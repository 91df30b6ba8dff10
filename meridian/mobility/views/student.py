"""The student portal: the student's exchange home, a call, the application page (autosaved draft, files,
moves, messages) and the download of an application's files (the student's and staff's).

The application page is one form: every button saves what the form holds first, then does its own part
(upload a file, remove one, move a preference up or down, submit). Without JavaScript the Save button does
the same; with it, the draft is saved a moment after each change (``static/mobility/application.js``), the
version travelling with each save so that another tab's save is never overwritten.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.mobility import permissions
from meridian.mobility.choices import ApplicationState
from meridian.mobility.forms_student import ApplicationForm, UploadForm, move_preference
from meridian.mobility.models import Application, ApplicationFile
from meridian.mobility.selectors import applications as selectors
from meridian.mobility.selectors.selection import publicity_open_to_applicants
from meridian.mobility.services import applications as services
from meridian.workflow.services import moves_for

STUDENT_MOVES = ("withdraw", "accept_offer", "decline_offer")
FORM_ACTIONS = ("save", "submit", "upload")


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _url_or_blank(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _portal_user(request: HttpRequest) -> None:
    if not permissions.can_use_student_portal(request.user):
        raise PermissionDenied(_("The student portal is for students."))


# --- home ------------------------------------------------------------------------------------------------


def _application_row(application: Application, user) -> dict[str, Any]:
    code, label = selectors.student_state(application)
    public = selectors.results_public(application)
    return {
        "application": application,
        "state": code,
        "state_label": label,
        "missing": services.application_missing(application)
        if application.state == ApplicationState.DRAFT
        else [],
        "explanation": selectors.explain_allocation(application) if public else [],
        "is_offer": application.state == ApplicationState.OFFERED and public,
        "unread": selectors.unread_count(application=application, user=user),
    }


@login_required
@require_GET
def student_home(request: HttpRequest) -> HttpResponse:
    """Open calls the student may apply to, their applications (status, to-do list, offers with the
    deadline and the allocation explanation, unread messages) and their mobilities."""
    _portal_user(request)
    user = request.user
    rows = [_application_row(a, user) for a in selectors.student_applications(user=user)]
    mobilities = []
    for mobility in selectors.student_mobilities(user=user):
        la = mobility.latest_la  # type: ignore[attr-defined]
        mobilities.append(
            {
                "mobility": mobility,
                "url": _url_or_blank("mobility:mobility_detail", mobility.pk),
                "la": la,
                "la_url": _url_or_blank("mobility:la_detail", la.pk) if la is not None else "",
            }
        )
    context = {
        "calls": selectors.calls_open_for(user=user),
        "can_apply": permissions.can_apply(user),
        "rows": rows,
        "offers": [row for row in rows if row["is_offer"]],
        "mobilities": mobilities,
    }
    return render(request, "mobility/student/home.html", context)


# --- a call ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def student_call(request: HttpRequest, pk: int) -> HttpResponse:
    """A call as students read it: destinations and places, eligibility rules, documents, questions,
    deadline; the Apply button (or a link to the student's application)."""
    call = selectors.call_for_student(user=request.user, pk=pk)
    if call is None:
        raise Http404
    user = request.user
    mine = Application.objects.filter(call=call, student=user).first() if user.is_authenticated else None
    unit = services.student_unit(user) if permissions.can_apply(user) else None
    held = services.place_held(student=user, call=call) if mine is None else None
    context = {
        "call": call,
        "application": mine,
        # Why the student may not apply: a place for the same period through another call.
        "place_held": services.place_held_reason(held) if held is not None else "",
        "open_now": services.call_open_now(call),
        "may_apply": permissions.can_apply(user) and services.call_is_for(call, unit),
        "required_documents": _document_labels(call.required_documents),
        # The way back to the student portal, only for those who may use it (a partner contact or a member of
        # staff reading the call has no "My exchange").
        "student_home_url": (
            reverse("mobility:student_home") if permissions.can_use_student_portal(user) else ""
        ),
    }
    return render(request, "mobility/student/call.html", context)


def _document_labels(codes: list[str] | None) -> list[str]:
    from meridian.mobility.choices import DocumentKind

    labels = dict(DocumentKind.choices)
    return [str(labels.get(code, code)) for code in codes or []]


@login_required
@require_POST
def application_start(request: HttpRequest, call_pk: int) -> HttpResponse:
    """Start (or reopen) the student's application to a call, then show it."""
    call = selectors.call_for_student(user=request.user, pk=call_pk)
    if call is None:
        raise Http404
    try:
        application = services.application_start(call=call, student=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mobility:student_call", pk=call.pk)
    return redirect("mobility:student_application", pk=application.pk)


# --- the application page -------------------------------------------------------------------------------


def _own_or_404(request: HttpRequest, pk: int) -> Application:
    application = selectors.own_application(user=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


def _page(
    request: HttpRequest,
    application: Application,
    *,
    form: ApplicationForm | None = None,
    upload: UploadForm | None = None,
    stale: StaleEditError | None = None,
    status: int = 200,
) -> HttpResponse:
    call = application.call
    editable = permissions.can_edit_application(request.user, application)
    if form is None and editable:
        form = ApplicationForm(initial=ApplicationForm.initial_for(application), call=call)
    if upload is None and editable:
        upload = UploadForm(call=call)
    code, label = selectors.student_state(application)
    public = selectors.results_public(application)
    moves = {
        option.name: option
        for option in moves_for(case=application, user=request.user)
        if option.name in (*STUDENT_MOVES, "submit")
    }
    if not public:
        moves.pop("accept_offer", None)
        moves.pop("decline_offer", None)
    context = {
        "application": application,
        "call": call,
        "form": form,
        "upload": upload,
        "stale": stale,
        "editable": editable,
        "state": code,
        "state_label": label,
        "missing": services.application_missing(application)
        if application.state == ApplicationState.DRAFT
        else [],
        "files": list(application.files.all()),
        "questions": selectors.question_rows(application),
        "explanation": selectors.explain_allocation(application) if public else [],
        "results_public": public,
        "publicity_url": reverse("mobility:publicity", args=[application.call_id])
        if publicity_open_to_applicants(application.call)
        else "",
        "log": selectors.student_log(application),
        "moves": moves,
        "messages_list": list(selectors.messages_for(application=application, user=request.user)),
        "can_post": permissions.can_message(request.user, application),
        "post_url": reverse("mobility:application_message", args=[application.pk]),
        "today": timezone.localdate(),
    }
    response = render(request, "mobility/student/application.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _autosave(request: HttpRequest, application: Application) -> JsonResponse:
    """Save the valid part of what the form holds; answer with the new version, the to-do list and the
    errors of the fields left out. A stale version is refused (409), nothing is saved."""
    form = ApplicationForm(request.POST, call=application.call)
    form.is_valid()
    errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    try:
        saved = services.application_save(
            application=application,
            actor=request.user,
            expected_version=_version(request),
            fields=form.service_fields(only_valid=True),
            preferences=form.preferences(only_valid=True),
            answers=form.answers(only_valid=True),
        )
    except StaleEditError as exc:
        return JsonResponse({"ok": False, "stale": True, "message": exc.message}, status=409)
    except PermissionDeniedError as exc:
        return JsonResponse({"ok": False, "message": exc.message}, status=403)
    except ValidationError as exc:
        for name, msgs in exc.message_dict.items():
            errors.setdefault(name, []).extend(msgs)
        return JsonResponse(
            {"ok": False, "errors": errors, "message": _("Not saved: correct the marked fields.")}, status=400
        )
    when = timezone.localtime().strftime("%H:%M:%S")
    return JsonResponse(
        {
            "ok": True,
            "version": saved.version,
            "message": _("Draft saved at %(time)s.") % {"time": when},
            "missing": services.application_missing(saved),
            "complete": _("Nothing is missing: you can submit the application."),
            "errors": errors,
        }
    )


def _version(request: HttpRequest) -> int | None:
    text = str(request.POST.get("version") or "")
    return int(text) if text.isdigit() else None


def _save_form(request: HttpRequest, application: Application, action: str) -> HttpResponse:
    """The form's buttons: save what the form holds, then upload, remove a file, or submit."""
    data: QueryDict = request.POST
    if action.startswith(("up:", "down:")):
        data = move_preference(data, action, application.call.max_preferences)
    form = ApplicationForm(data, call=application.call)
    upload = UploadForm(request.POST, request.FILES, call=application.call)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: correct the marked fields."))
        return _page(request, application, form=form, upload=upload, status=400)
    try:
        with transaction.atomic():
            saved = services.application_save(
                application=application,
                actor=request.user,
                expected_version=_version(request),
                fields=form.service_fields(),
                preferences=form.preferences(),
                answers=form.answers(),
            )
            if action == "upload":
                _upload(request, saved, upload)
            elif action.startswith("delete_file:"):
                _delete_file(request, saved, action.partition(":")[2])
    except StaleEditError as exc:
        # Nothing saved: the page keeps what the student typed; saving again applies it over the stored one.
        data = cast(QueryDict, form.data).copy()
        data["version"] = str(exc.current_version)
        form = ApplicationForm(data, call=application.call)
        form.is_valid()
        return _page(request, application, form=form, upload=upload, stale=exc, status=409)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            form.attach(exc.message_dict)
        else:
            form.add_error(None, exc.messages)
        return _page(request, application, form=form, upload=upload, status=400)
    except _UploadRefused:
        return _page(request, application, form=form, upload=upload, status=400)
    except PermissionDeniedError as exc:
        messages.error(request, exc.message)
        return redirect("mobility:student_application", pk=application.pk)
    if action == "submit":
        try:
            services.application_submit(application=saved, actor=request.user)
        except DomainError as exc:
            messages.error(request, _("Saved, but not submitted: %(reason)s") % {"reason": exc.message})
        else:
            messages.success(request, _("Your application was submitted."))
    elif action == "upload":
        messages.success(request, _("The document was added."))
    elif action.startswith("delete_file:"):
        messages.success(request, _("The document was removed."))
    elif action.startswith(("up:", "down:")):
        messages.success(request, _("The order of your preferences was saved."))
    else:
        messages.success(request, _("Your draft was saved."))
    anchor = "#preferences" if action.startswith(("up:", "down:")) else ""
    return redirect(reverse("mobility:student_application", args=[application.pk]) + anchor)


class _UploadRefused(Exception):
    """The upload form shows why; the whole save is rolled back so that the page and the record agree."""


def _upload(request: HttpRequest, application: Application, upload: UploadForm) -> None:
    if not upload.is_valid():
        raise _UploadRefused
    uploaded = upload.cleaned_data.get("file")
    if uploaded is None:
        upload.add_error("file", _("Choose a file to upload."))
        raise _UploadRefused
    try:
        services.application_file_add(
            application=application, actor=request.user, kind=upload.cleaned_data["kind"], uploaded=uploaded
        )
    except ValidationError as exc:
        upload.add_error("file", exc.messages)
        raise _UploadRefused from exc
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        upload.add_error("file", exc.message)
        raise _UploadRefused from exc


def _delete_file(request: HttpRequest, application: Application, file_pk: str) -> None:
    if not file_pk.isdigit():
        raise Http404
    file = application.files.filter(pk=int(file_pk)).first()
    if file is None:
        raise Http404
    services.application_file_delete(file=file, actor=request.user)


def _move(request: HttpRequest, application: Application, action: str) -> HttpResponse:
    comment = str(request.POST.get("comment") or "").strip()[:2000]
    try:
        if action == "withdraw":
            services.application_withdraw(application=application, actor=request.user, comment=comment)
            messages.success(request, _("Your application was withdrawn."))
        elif action == "accept_offer":
            services.offer_accept(application=application, actor=request.user)
            messages.success(
                request, _("You accepted the place. The International Office will nominate you.")
            )
        else:
            services.offer_decline(application=application, actor=request.user, comment=comment)
            messages.success(request, _("You declined the place."))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("mobility:student_application", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def student_application(request: HttpRequest, pk: int) -> HttpResponse:
    """The student's application: the form while it is a draft (autosaved), then its status, files,
    answers, offer and messages; withdraw and answer an offer. Only its student may open it (404)."""
    application = _own_or_404(request, pk)
    if request.method == "GET":
        services.messages_mark_read(application=application, reader=request.user)
        return _page(request, application)
    action = str(request.POST.get("action") or "save")
    if request.headers.get("X-Autosave") == "1" or request.POST.get("autosave") == "1":
        return _autosave(request, application)
    if action in STUDENT_MOVES:
        return _move(request, application, action)
    if action in FORM_ACTIONS or action.startswith(("up:", "down:", "delete_file:")):
        if not permissions.can_edit_application(request.user, application):
            messages.error(request, _("This application is no longer a draft: it cannot be changed."))
            return redirect("mobility:student_application", pk=application.pk)
        return _save_form(request, application, action)
    # An answer the page never offers (say "maybe" to an offer): refused, nothing changes.
    messages.error(
        request,
        _("“%(value)s” is not something you can do here: accept or decline the place, withdraw, or save.")
        % {"value": action[:50]},
    )
    return _page(request, application, status=400)


# --- messages and files (the student's and staff's) ----------------------------------------------------


def _visible_or_404(request: HttpRequest, pk: int) -> Application:
    application = Application.objects.visible_to(request.user).filter(pk=pk).select_related("call").first()
    if application is None:
        raise Http404
    return application


def _back(request: HttpRequest, application: Application) -> str:
    target = str(request.POST.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    if permissions.is_applicant(request.user, application):
        return reverse("mobility:student_application", args=[application.pk]) + "#messages"
    return _url_or_blank("mobility:application_detail", application.pk) or reverse("mobility:student_home")


@login_required
@require_POST
def application_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a message about an application (the student's page and the staff page both post here; staff
    may tick "internal note")."""
    application = _visible_or_404(request, pk)
    try:
        services.message_post(
            application=application,
            author=request.user,
            body=str(request.POST.get("body") or ""),
            internal=request.POST.get("internal") == "1",
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Your message was sent."))
    return redirect(_back(request, application))


@login_required
@require_GET
def application_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Download an application's document: its student and the staff who may see the application
    (``Application.objects.visible_to``); 404 for anyone else. A passport copy only to those who may see
    identity documents (``permissions.can_download_application_file``; 403 for the others); staff opening
    one is logged."""
    application = _visible_or_404(request, pk)
    file = (
        ApplicationFile.objects.filter(application=application, pk=file_pk)
        .select_related("application__person")
        .first()
    )
    if file is None:
        raise Http404
    if not permissions.can_download_application_file(request.user, file.application, file.kind):
        raise PermissionDenied(_("Identity documents are shown only to those who handle the application."))
    services.application_file_opened(file=file, actor=request.user, ip=request.META.get("REMOTE_ADDR"))
    return private_file_response(file.file, content_type=file.content_type, filename=file.original_name)
