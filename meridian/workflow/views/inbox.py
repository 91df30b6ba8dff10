"""Where people land after signing in, their inbox, the office queue, notifications and preferences."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.accounts.choices import Role
from meridian.accounts.models import User
from meridian.accounts.permissions import is_internal, standing
from meridian.core.errors import DomainError
from meridian.core.models import NotificationPreference
from meridian.core.registry import registry
from meridian.core.templatetags.meridian import nav_items
from meridian.workflow import permissions, selectors, services
from meridian.workflow.forms import DeputyForm, PreferenceForm
from meridian.workflow.models import Deputy
from meridian.workflow.registry import case_types
from meridian.workflow.views.common import error_text

# Roles whose daily work is the overview of the whole office or of a unit keep the dashboard.
DASHBOARD_ROLES = (Role.ADMINISTRATOR, Role.OFFICER, Role.LEADERSHIP, Role.COORDINATOR)


def landing_url(user) -> str:
    """Where ``user`` lands after signing in: the dashboard for administrators, officers, leadership and
    coordinators; for students and partner contacts the page made for them (the first applying
    ``registry.landings`` entry: their portal); the inbox (their tasks, cases and the cases they can start)
    for everyone else."""
    if standing(user).has(*DASHBOARD_ROLES):
        return reverse("dashboard:home")
    if not is_internal(user):
        for entry in registry.landings:
            if entry.applies(user):
                try:
                    return reverse(entry.url_name)
                except NoReverseMatch:
                    continue
    return reverse("workflow:inbox")


@login_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return redirect(landing_url(request.user))


TABS = ("tasks", "mine", "watched")


def _filters(request: HttpRequest, offered: Collection[str] | None = None) -> dict:
    """The inbox filters from the query string; a case type outside ``offered`` (codes) is ignored, and so is
    a state the chosen case type does not have."""
    case_type = request.GET.get("case_type", "")
    if case_type not in case_types or (offered is not None and case_type not in offered):
        case_type = ""
    state = request.GET.get("state", "")[:40]
    if not case_type or state not in case_types.get(case_type).state_codes:
        state = ""
    return {
        "case_type": case_type,
        "state": state,
        "overdue": request.GET.get("overdue") == "1",
    }


def _state_choices(case_type: str) -> list[tuple[str, str]]:
    if not case_type:
        return []
    return [(code, str(label)) for code, label in case_types.get(case_type).state_choices]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My tasks, my cases, the cases I watch — with due dates, overdue marks, filters and counts."""
    user = request.user
    tab = request.GET.get("tab", "tasks")
    if tab not in TABS:
        tab = "tasks"
    starters = [s for s in registry.case_starters if s.visible(user)]
    # Only the case types this reader can file or see: a student is never offered official trips.
    offered = selectors.case_types_for(user=user, startable=[s.key for s in starters])
    filters = _filters(request, {ct.code for ct in offered})
    tasks = selectors.tasks_for(user=user)
    counts = {
        "tasks": tasks.count(),
        "overdue": selectors.overdue_count(tasks),
    }
    if tab == "tasks":
        # Paginated in the database: an office with tens of thousands of open steps reads one page at a time.
        chosen = selectors.filter_tasks(tasks, case_type=filters["case_type"], overdue=filters["overdue"])
        page: Page = Paginator(chosen, 50).get_page(request.GET.get("page"))
        rows = selectors.rows_for_tasks(list(page.object_list), user=user)
        if filters["state"]:
            rows = [r for r in rows if r.state == filters["state"]]
    else:
        if tab == "mine":
            found = selectors.my_case_rows(user=user, case_type=filters["case_type"], state=filters["state"])
        else:
            found = selectors.watched_rows(user=user, case_type=filters["case_type"], state=filters["state"])
        page = Paginator(found, 50).get_page(request.GET.get("page"))
        rows = list(page.object_list)
    # Students, partner contacts and people without a role have no dashboard: the inbox lists the pages they
    # may use (their navigation), so that it is a page of what they can do and not a staff screen.
    own_pages = [] if is_internal(user) else [item for item in nav_items(user) if item.key != "inbox"]
    context = {
        "own_pages": own_pages,
        "tab": tab,
        "tabs": [("tasks", _("My tasks")), ("mine", _("My cases")), ("watched", _("Cases I follow"))],
        "rows": rows,
        "page_obj": page,
        "counts": counts,
        "filters": filters,
        "case_type_choices": [(ct.code, str(ct.label)) for ct in offered],
        "state_choices": _state_choices(filters["case_type"]),
        "starters": starters,
        "can_see_office": permissions.can_see_office(user),
    }
    template = "workflow/_inbox_rows.html" if getattr(request, "htmx", False) else "workflow/inbox.html"
    return render(request, template, context)


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    """What waits for the International Office: every open office step, oldest due first."""
    if not permissions.can_see_office(request.user):
        raise PermissionDenied
    filters = _filters(request)
    tasks = selectors.office_tasks()
    chosen = selectors.filter_tasks(tasks, case_type=filters["case_type"], overdue=filters["overdue"])
    page = Paginator(chosen, 50).get_page(request.GET.get("page"))
    context = {
        "rows": selectors.rows_for_tasks(list(page.object_list), user=request.user),
        "page_obj": page,
        "filters": filters,
        "case_type_choices": case_types.choices(),
        "counts": {"tasks": tasks.count(), "overdue": selectors.overdue_count(tasks)},
    }
    return render(request, "workflow/office.html", context)


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notifications_for(user=request.user, unread_only=unread_only)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "rows": page.object_list,
        "unread_only": unread_only,
        "unread": selectors.notifications_for(user=request.user, unread_only=True).count(),
    }
    return render(request, "workflow/notifications.html", context)


@login_required
@require_POST
def notifications_mark(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all read, or one unread again (``unread=1``)."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notifications_mark_read(user=request.user, ids=ids, unread=request.POST.get("unread") == "1")
    target = request.POST.get("go") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("workflow:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """E-mail preferences (each notification or a daily digest) and deputies while the user is away."""
    user: User = request.user  # type: ignore[assignment]  # signed in (login_required)
    pref = NotificationPreference.objects.filter(user=user).first()
    initial = {
        "daily_digest": pref.daily_digest if pref else False,
        "language": pref.language if pref else user.preferred_language,
    }
    form = PreferenceForm(
        request.POST if request.POST.get("form") == "preferences" else None, initial=initial
    )
    deputy_form = DeputyForm(request.POST if request.POST.get("form") == "deputy" else None)
    if request.method == "POST" and form.is_bound and form.is_valid():
        services.notification_preference_update(
            user=user, daily_digest=form.cleaned_data["daily_digest"], language=form.cleaned_data["language"]
        )
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("workflow:preferences")
    if request.method == "POST" and deputy_form.is_bound and deputy_form.is_valid():
        data = deputy_form.cleaned_data
        try:
            services.deputy_create(
                actor=user,
                principal=data["principal"] or user,
                deputy=data["deputy"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except (DomainError, ValidationError) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The deputy is saved."))
            return redirect("workflow:preferences")
    deputies = Deputy.objects.select_related("principal", "deputy")
    if not permissions.is_administrator(user):
        deputies = deputies.filter(principal=user) | deputies.filter(deputy=user)
    context = {"form": form, "deputy_form": deputy_form, "deputies": deputies.order_by("-starts_on")[:100]}
    return render(request, "workflow/preferences.html", context)


@login_required
@require_POST
def deputy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deputy = get_object_or_404(Deputy, pk=pk)
    try:
        services.deputy_delete(actor=request.user, deputy=deputy)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The deputy is removed."))
    return redirect("workflow:preferences")
