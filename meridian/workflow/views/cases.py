"""Actions taken from a case page: a move, a decision on an approval step, watching; attached files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meridian.accounts.models import User
from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError
from meridian.workflow import permissions, services
from meridian.workflow.models import StepTask, TransitionLogFile
from meridian.workflow.views.common import back_to, error_text, visible_case

STEP_ACTIONS = ("approve", "return", "reject", "delegate")


@login_required
@require_POST
def case_move_view(request: HttpRequest, code: str, pk: int, move: str) -> HttpResponse:
    """Take a declared move from the case page: comment, the move's inputs, files, and "on behalf of"."""
    case, case_type = visible_case(request.user, code, pk)
    try:
        transition = case_type.transition(move)
    except KeyError as exc:
        raise Http404 from exc
    data = {name: request.POST.get(name, "") for name in transition.inputs if name in request.POST}
    on_behalf_of = None
    if request.POST.get("on_behalf_of"):
        on_behalf_of = User.objects.filter(pk=request.POST["on_behalf_of"]).first()
        if on_behalf_of is None:
            messages.error(request, _("Unknown person to act for."))
            return redirect(back_to(request, case))
    try:
        case = services.case_move(
            case=case,
            actor=request.user,
            move=move,
            comment=request.POST.get("comment", "").strip(),
            on_behalf_of=on_behalf_of,
            data=data,
            files=request.FILES.getlist("files"),
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect(back_to(request, case))
    messages.success(
        request,
        _("%(case)s is now “%(state)s”.")
        % {"case": case_type.title(case), "state": case_type.state_label(case_type.state_of(case))},
    )
    return redirect(back_to(request, case))


def _task_for(user, pk: int) -> tuple[StepTask, object]:
    """The step and its case, for people who may decide or delegate it or who run the office; else 404."""
    task = get_object_or_404(StepTask.objects.select_related("approval", "step"), pk=pk)
    may_see = (
        permissions.task_acting_for(user, task)[0]
        or permissions.can_delegate_task(user, task)
        or permissions.can_see_office(user)
    )
    if not may_see:
        raise Http404
    case, _case_type = visible_case(user, task.approval.case_type, task.approval.object_id)
    return task, case


@login_required
@require_POST
def step_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve, return (with comments per field), reject or delegate an approval step."""
    if action not in STEP_ACTIONS:
        raise Http404
    task, case = _task_for(request.user, pk)
    comment = request.POST.get("comment", "").strip()
    files = request.FILES.getlist("files")
    try:
        if action == "approve":
            services.step_approve(task=task, actor=request.user, comment=comment, files=files)
            messages.success(request, _("You approved “%(step)s”.") % {"step": task.display_label})
        elif action == "return":
            field_comments = {
                key.removeprefix("field__"): request.POST.get(key, "")
                for key in request.POST
                if key.startswith("field__") and request.POST.get(key, "").strip()
            }
            services.step_return(
                task=task, actor=request.user, comment=comment, field_comments=field_comments, files=files
            )
            messages.success(request, _("The case went back for correction."))
        elif action == "reject":
            services.step_reject(task=task, actor=request.user, comment=comment, files=files)
            messages.success(request, _("The case was rejected."))
        else:
            to_user = User.objects.filter(
                username=request.POST.get("to_user", "").strip(), is_active=True
            ).first()
            if to_user is None:
                raise ValidationError({"to_user": [_("No active user with this user name.")]})
            services.step_delegate(task=task, actor=request.user, to_user=to_user, comment=comment)
            messages.success(request, _("The step now waits for %(person)s.") % {"person": to_user})
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
    return redirect(back_to(request, case))


@login_required
@require_POST
def watch_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    case, _case_type = visible_case(request.user, code, pk)
    watching = request.POST.get("watching") == "1"
    services.watch_set(case=case, user=request.user, watching=watching)
    messages.success(
        request, _("You now follow this case.") if watching else _("You no longer follow this case.")
    )
    return redirect(back_to(request, case))


@login_required
@require_GET
def log_file_view(request: HttpRequest, pk: int) -> FileResponse:
    """Download a file attached to a move, for people who may see the case (404 for everyone else)."""
    row = get_object_or_404(TransitionLogFile.objects.select_related("entry"), pk=pk)
    entry = row.entry
    visible_case(request.user, entry.case_type, entry.object_id)
    return private_file_response(row.file, content_type=row.content_type, filename=row.original_name)
