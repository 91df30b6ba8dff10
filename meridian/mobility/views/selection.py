"""Staff pages of selection: the list of applications (with its CSV/XLSX export), an application's staff
page, the school's pre-approval queue, a reviewer's applications and scoring form, and the small POST actions
they use (the school's decision, conflicts of interest); messages are posted through the student area's
``application_message``. The call-level pages (ranking, allocation,
publicity) are in ``views/selection_results.py``.

Every page asks ``Application.objects.visible_to`` (through ``selectors.selection``): an application the
reader may not see — a reviewer's own conflict of interest included — answers 404; an action the reader may
not take answers 403.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.accounts.permissions import is_internal
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.spreadsheet import export_response
from meridian.mobility import permissions
from meridian.mobility.filters_selection import ApplicationFilter, filter_errors
from meridian.mobility.forms_selection import ConflictForm, ReviewForm, SchoolDecisionForm
from meridian.mobility.models import Application, ReviewConflict
from meridian.mobility.selectors import selection as selectors
from meridian.mobility.services import selection as services
from meridian.workflow.services import moves_for

PAGE_SIZE = 25
COUNT_CAP = 10_000
FORMATS = ("csv", "xlsx")

try:  # the student area's reads and messages (optional: the staff page works without them)
    from meridian.mobility.selectors import applications as student_selectors
except ImportError:  # pragma: no cover - area not installed
    student_selectors = None  # type: ignore[assignment]


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def back_to(request: HttpRequest, default: str) -> str:
    """A safe ``next`` from the form, else ``default``."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- paging without a full count ---------------------------------------------------------------------


@dataclass
class CappedPage:
    """One page of a list, counted only up to ``COUNT_CAP`` (a bounded count stays fast on large lists)."""

    object_list: list
    number: int
    has_next: bool
    total: int
    capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.object_list)


def capped_page(queryset: QuerySet, page: str | None) -> CappedPage:
    """Rows of page ``page`` and a count capped at ``COUNT_CAP``. As ``Paginator.get_page`` elsewhere: a
    missing or non-numeric page is the first, one below 1 the first, one past the end the last."""
    try:
        number = max(int(page or 1), 1)
    except (TypeError, ValueError):
        number = 1
    total = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    if total <= COUNT_CAP:
        last = max(math.ceil(total / PAGE_SIZE), 1)
    elif number > COUNT_CAP // PAGE_SIZE:
        # A page beyond the counted rows (a typed address): count them all, once.
        last = max(math.ceil(queryset.order_by().count() / PAGE_SIZE), 1)
    else:
        last = number
    number = min(number, last)
    offset = (number - 1) * PAGE_SIZE
    # Sort and cut on the list's own table first (no joins), then read the page's rows with their joins.
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + PAGE_SIZE + 1])
    by_pk = {row.pk: row for row in queryset.order_by().filter(pk__in=ids[:PAGE_SIZE])}
    rows = [by_pk[pk] for pk in ids[:PAGE_SIZE] if pk in by_pk]
    return CappedPage(
        object_list=rows,
        number=number,
        has_next=len(ids) > PAGE_SIZE,
        total=min(total, COUNT_CAP),
        capped=total > COUNT_CAP,
    )


# --- the list and its export ---------------------------------------------------------------------------


def _list_guard(request: HttpRequest) -> None:
    if not selectors.can_open_application_list(request.user):
        raise PermissionDenied(_("The list of exchange applications is for staff who select students."))


def filtered_applications(request: HttpRequest, queryset=None) -> ApplicationFilter:
    """The list, the exports (and an API list) share this: visible applications narrowed by the filter."""
    if queryset is None:
        queryset = selectors.application_list(user=request.user)
    return ApplicationFilter(request.GET or None, queryset=queryset, request=request)


def _rows(filterset: ApplicationFilter) -> tuple[QuerySet, bool]:
    if not filterset.is_bound:
        return filterset.qs, True
    if filterset.is_valid():
        return filterset.qs, True
    return filterset.queryset.none(), False


SORT_COLUMNS = (
    ("number", lambda: _("Number")),
    ("name", lambda: _("Student")),
    ("score", lambda: _("Score")),
    ("rank", lambda: _("Rank")),
    ("state", lambda: _("State")),
)


def sort_columns(current: str) -> list[dict]:
    """Header links: a click sorts by the column, a second click reverses the order."""
    columns = []
    for key, label in SORT_COLUMNS:
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        nxt = f"-{key}" if current == key else key
        columns.append({"key": key, "label": label(), "direction": direction, "next": nxt})
    return columns


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    _list_guard(request)
    filterset = filtered_applications(request)
    queryset, valid = _rows(filterset)
    page = capped_page(queryset, request.GET.get("page"))
    user = request.user
    rows = [{"a": a, "scores": permissions.can_see_scores(user, a)} for a in page.object_list]
    context = {
        "filter": filterset,
        "filter_valid": valid,
        "filter_errors": filter_errors(filterset) if not valid else [],
        "page_obj": page,
        "rows": rows,
        "columns": {c["key"]: c for c in sort_columns(request.GET.get("ordering", ""))},
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "results":
        return render(request, "mobility/selection/_results.html", context)
    return render(request, "mobility/selection/list.html", context)


def export_headers() -> list[str]:
    return [
        _("Number"),
        _("Call"),
        _("Student"),
        _("Student number"),
        _("School"),
        _("Programme of study"),
        _("Year of study"),
        _("Grade average"),
        _("Language"),
        _("Language level (CEFR)"),
        _("State"),
        _("Submitted"),
        _("Preferences"),
        _("Place offered"),
        _("Preference offered"),
        _("Accept the place by"),
        _("Score"),
        _("Rank"),
    ]


def export_rows(queryset, user) -> list[list[object]]:
    rows = []
    for a in queryset:
        scores = permissions.can_see_scores(user, a)
        preferences = "; ".join(f"{p.rank}. {p.destination.partner}" for p in a.preferences.all())
        rows.append(
            [
                a.number,
                a.call.number,
                str(a.person),
                a.person.member_number,
                str(a.unit),
                a.programme,
                a.year_of_study,
                a.grade_average,
                a.language,
                a.cefr_level,
                a.get_state_display(),
                a.submitted_at,
                preferences,
                str(a.offered.partner) if a.offered_id else "",
                a.offered_preference,
                a.offer_expires_on,
                a.score if scores else None,
                a.rank if scores else None,
            ]
        )
    return rows


@login_required
@require_GET
def application_export(request: HttpRequest) -> HttpResponse:
    """CSV or XLSX of the filtered list in the reader's language: only applications the reader may see, the
    same filters as the page; scores and ranks only where the reader may see them."""
    _list_guard(request)
    filterset = filtered_applications(request, selectors.application_export_list(user=request.user))
    queryset, valid = _rows(filterset)
    if not valid:
        errors = "; ".join(f"{label}: {error}" for label, error in filter_errors(filterset))
        return HttpResponse(
            _("The filters are not valid: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    fmt = request.GET.get("format") or "csv"
    if fmt not in FORMATS:
        return HttpResponse(
            _("“%(value)s” is not an export format: choose csv or xlsx.") % {"value": fmt},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    stamp = timezone.localdate().isoformat()
    return export_response(
        fmt=fmt,
        filename=f"exchange-applications-{stamp}",
        headers=export_headers(),
        rows=export_rows(queryset, request.user),
    )


# --- one application ---------------------------------------------------------------------------------


def visible_application(request: HttpRequest, pk: int) -> Application:
    try:
        return selectors.application_get(user=request.user, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def _files(user, application: Application) -> list:
    """The application's uploads, each marked ``downloadable`` for ``user`` (identity documents only for
    those who may see them: ``permissions.can_download_application_file``)."""
    files = list(application.files.all())
    for f in files:
        f.downloadable = permissions.can_download_application_file(  # type: ignore[attr-defined]
            user, application, f.kind
        )
    return files


def _school_moves(user, application: Application) -> list:
    return [m for m in moves_for(case=application, user=user) if m.name in services.SCHOOL_MOVES]


def _messages_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    if student_selectors is None or not hasattr(student_selectors, "messages_for"):
        return {"show_messages": False}
    return {
        "show_messages": True,
        "messages_list": student_selectors.messages_for(application=application, user=request.user),
        # The student area's endpoint posts for the student and for staff (``message_post``).
        "can_post": permissions.can_message(request.user, application),
        "post_url": _url("mobility:application_message", application.pk),
        "allow_internal": True,
    }


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff page of an application: data, files, eligibility, the school's decision, moves, reviews
    (for those who may see them), score and rank, the allocation explanation, messages. The student is sent
    to their own page."""
    application = visible_application(request, pk)
    user = request.user
    if permissions.is_applicant(user, application) or not is_internal(user):
        own = _url("mobility:student_application", application.pk)
        if own and permissions.is_applicant(user, application):
            return redirect(own)
        raise Http404
    call = application.call
    see_scores = permissions.can_see_scores(user, application)
    reviewer = permissions.is_reviewer(user, call)
    explanation = []
    if student_selectors is not None and hasattr(student_selectors, "explain_allocation"):
        explanation = student_selectors.explain_allocation(application)
    questions = []
    if student_selectors is not None and hasattr(student_selectors, "question_rows"):
        questions = student_selectors.question_rows(application)
    own_review = application.reviews.filter(reviewer_id=user.pk).first() if reviewer else None
    can_manage = permissions.can_manage_call(user, call)
    committee = selectors.committee_without_conflict(application) if can_manage else []
    context = {
        "application": application,
        "call": call,
        "eligibility": services.eligibility_check(application=application, save=False),
        "preferences": selectors.preference_rows(application),
        "files": _files(user, application),
        "file_url_ok": bool(_url("mobility:application_file", application.pk, 0)),
        "questions": questions,
        "school_moves": _school_moves(user, application),
        "decision_form": SchoolDecisionForm(),
        "see_scores": see_scores,
        "see_rank": see_scores or reviewer,
        "reviews": selectors.review_rows(application) if see_scores else [],
        "sheet": selectors.score_sheet_of(application) if see_scores else None,
        "conflicts": selectors.conflict_rows(application) if see_scores else [],
        "can_manage": can_manage,
        "committee": committee,
        "conflict_form": ConflictForm(reviewers=committee),
        "reviewer": reviewer,
        "can_score": permissions.can_score(user, application),
        "own_review": own_review,
        "explanation": explanation,
        **_messages_context(request, application),
    }
    return render(request, "mobility/selection/detail.html", context)


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's decision (pre-approve, not eligible, return to the student) with its comment."""
    application = visible_application(request, pk)
    if not permissions.can_pre_approve(request.user, application):
        raise PermissionDenied(_("Only the student's school decides on pre-approval."))
    form = SchoolDecisionForm(request.POST)
    target = back_to(request, reverse("mobility:application_detail", args=[application.pk]))
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect(target)
    try:
        services.school_decide(
            application=application,
            actor=request.user,
            move=form.cleaned_data["move"],
            comment=form.cleaned_data["comment"],
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect(target)
    messages.success(request, _("Decision recorded for %(number)s.") % {"number": application.number})
    return redirect(target)


# --- the school's queue ------------------------------------------------------------------------------


@login_required
@require_GET
def school_queue(request: HttpRequest) -> HttpResponse:
    """Submitted applications of the reader's schools waiting for pre-approval, with the eligibility check."""
    if not selectors.can_open_school_queue(request.user):
        raise PermissionDenied(_("The pre-approval queue is for schools' coordinators and the office."))
    page = capped_page(selectors.school_queue(user=request.user), request.GET.get("page"))
    rows = [
        {
            "a": a,
            "checks": a.eligibility or [],
            "can_decide": permissions.can_pre_approve(request.user, a),
        }
        for a in page.object_list
    ]
    return render(
        request,
        "mobility/selection/school_queue.html",
        {"page_obj": page, "rows": rows, "decision_form": SchoolDecisionForm()},
    )


# --- reviews -------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    """The reader's applications to score as a committee member, with their review's state and the
    conflict-of-interest declaration."""
    if not selectors.is_call_reviewer(request.user):
        raise PermissionDenied(_("This page is for members of a selection committee."))
    calls = list(selectors.reviewer_calls(user=request.user))
    chosen = None
    if request.GET.get("call"):
        chosen = next((c for c in calls if str(c.pk) == request.GET["call"]), None)
        if chosen is None:
            raise Http404
    rows = selectors.my_reviews(user=request.user, call=chosen)
    return render(
        request,
        "mobility/selection/my_reviews.html",
        {
            "rows": rows,
            "calls": calls,
            "chosen": chosen,
            "done": sum(1 for r in rows if r.status == "submitted"),
            "conflict_form": ConflictForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring form of one application (pk = the application) for a committee member."""
    application = visible_application(request, pk)
    user = request.user
    if not permissions.can_score(user, application):
        raise PermissionDenied(_("Only committee members of the call without a conflict of interest score."))
    existing = application.reviews.filter(reviewer_id=user.pk).first()
    if request.method == "POST":
        form = ReviewForm(request.POST, call=application.call, review=existing)
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.review_save(
                    application=application,
                    reviewer=user,
                    points=form.points(),
                    comment=form.cleaned_data["comment"],
                    submit=submit,
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                form.add_service_errors(exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                if submit:
                    messages.success(
                        request, _("Review of %(number)s submitted.") % {"number": application.number}
                    )
                    return redirect("mobility:my_reviews")
                messages.success(request, _("Draft saved; it counts once you submit it."))
                return redirect("mobility:review", pk=application.pk)
    else:
        form = ReviewForm(call=application.call, review=existing)
    questions = []
    if student_selectors is not None and hasattr(student_selectors, "question_rows"):
        questions = student_selectors.question_rows(application)
    computed = [
        (criterion, services.computed_points(criterion, application))
        for criterion in application.call.criteria.exclude(source="reviewers")
    ]
    return render(
        request,
        "mobility/selection/review.html",
        {
            "application": application,
            "form": form,
            "review": existing,
            "computed": computed,
            "preferences": selectors.preference_rows(application),
            "files": _files(request.user, application),
            "questions": questions,
            "conflict_form": ConflictForm(),
        },
    )


@login_required
@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare a conflict of interest on application ``pk``: a reviewer for themselves, or the office for a
    committee member chosen in the form."""
    application = visible_application(request, pk)
    user = request.user
    manager = permissions.can_manage_call(user, application.call)
    reviewers = selectors.committee_without_conflict(application) if manager else ()
    form = ConflictForm(request.POST, reviewers=reviewers)
    own = not request.POST.get("reviewer")
    if own and not permissions.is_reviewer(user, application.call):
        raise PermissionDenied(_("Only committee members declare their own conflicts of interest."))
    if not own and not manager:
        raise PermissionDenied(_("Only the office running the call declares conflicts for others."))
    fallback = reverse("mobility:my_reviews") if own else reverse("mobility:application_detail", args=[pk])
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect(back_to(request, fallback))
    reviewer = user if own else next(u for u in reviewers if u.pk == form.cleaned_data["reviewer"])
    try:
        services.conflict_declare(
            application=application, reviewer=reviewer, reason=form.cleaned_data["reason"], actor=user
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect(back_to(request, fallback))
    messages.success(
        request, _("Conflict of interest recorded for %(number)s.") % {"number": application.number}
    )
    # The reviewer no longer sees the application: never send them back to it.
    return redirect(fallback if own else back_to(request, fallback))


@login_required
@require_POST
def conflict_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift conflict ``pk`` (recorded by mistake): the office running the call."""
    conflict = get_object_or_404(ReviewConflict.objects.select_related("application__call"), pk=pk)
    application = visible_application(request, conflict.application_id)
    if not permissions.can_manage_call(request.user, application.call):
        raise PermissionDenied(_("Only the office running the call may lift a conflict of interest."))
    services.conflict_withdraw(conflict=conflict, actor=request.user)
    messages.success(request, _("Conflict of interest lifted."))
    return redirect(reverse("mobility:application_detail", args=[application.pk]) + "#reviews")
