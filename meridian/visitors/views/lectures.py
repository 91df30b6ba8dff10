"""Staff pages of lectures and talks: the list, filing a lecture (from a visit: speaker, unit and day
prefilled), its page with the moves (submit the outline for review, publish, take off the calendar, cancel),
the edit form and the International Office's outline review. Also the "Lectures" panel of the visit page.

Who may do what is asked of ``permissions`` (``can_open_lectures``, ``can_add_lecture``,
``can_manage_lecture``, ``can_review_lecture``); a lecture the user may not see is a 404.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meridian.accounts.models import OrgUnit
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.visitors import permissions, rules_lectures
from meridian.visitors.choices import LectureReview, LectureState, ProgrammeKind
from meridian.visitors.filters_lectures import LectureFilter, filter_errors
from meridian.visitors.models import Lecture, ProgrammeItem, Visit, VisitGuest
from meridian.visitors.panels import VisitPanel, register_visit_panel
from meridian.visitors.selectors import lectures as selectors
from meridian.visitors.services import lectures as services

LIST_LIMIT = 200
DEFAULT_START = datetime.time(10, 0)
DEFAULT_LENGTH = datetime.timedelta(minutes=90)


# --- forms --------------------------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class LectureForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = forms.ModelChoiceField(label=gettext_lazy("Organising unit"), queryset=OrgUnit.objects.none())
    guest = forms.ModelChoiceField(
        label=gettext_lazy("Speaker (guest of the visit)"), queryset=VisitGuest.objects.none(), required=False
    )
    speaker = forms.CharField(label=gettext_lazy("Speaker"), max_length=200)
    speaker_affiliation = forms.CharField(
        label=gettext_lazy("Speaker's organisation"), max_length=300, required=False
    )
    title_en = forms.CharField(label=gettext_lazy("Title in English"), max_length=300)
    title_zh = forms.CharField(label=gettext_lazy("Title in Chinese"), max_length=300, required=False)
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DateTimeLocalInput())
    place_en = forms.CharField(label=gettext_lazy("Place in English"), max_length=300)
    place_zh = forms.CharField(label=gettext_lazy("Place in Chinese"), max_length=300, required=False)
    is_public = forms.BooleanField(
        label=gettext_lazy("Open to the public (shown on the public calendar once published)"), required=False
    )
    abstract_en = forms.CharField(
        label=gettext_lazy("Abstract in English"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    abstract_zh = forms.CharField(
        label=gettext_lazy("Abstract in Chinese"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outline = forms.CharField(
        label=gettext_lazy("Lecture outline (for the review)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Public lectures by speakers from abroad are reviewed on this outline."),
    )

    def __init__(
        self,
        *args: Any,
        user=None,
        visit: Visit | None = None,
        keep_unit_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        units = selectors.unit_choices(user, visit=visit)
        if keep_unit_id is not None:
            # Editing: the lecture's unit stays choosable even when the user could not choose it anew.
            units = OrgUnit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk=keep_unit_id)).order_by("path")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        guests: QuerySet[VisitGuest] = VisitGuest.objects.none()
        if visit is not None:
            guests = VisitGuest.objects.filter(visit=visit).select_related("person")
        cast(forms.ModelChoiceField, self.fields["guest"]).queryset = guests
        if visit is None:
            del self.fields["guest"]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("approve", gettext_lazy("Approve the outline")),
            ("reject", gettext_lazy("Do not approve")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when the outline is not approved: say what must change."),
    )


# --- helpers ------------------------------------------------------------------------------------------------


def _lecture(request: HttpRequest, pk: int) -> Lecture:
    """The lecture if the user may see it; 404 otherwise."""
    return get_object_or_404(selectors.lectures_visible_to(request.user), pk=pk)


def _may_manage(request: HttpRequest, lecture: Lecture) -> None:
    if not permissions.can_manage_lecture(request.user, lecture):
        raise PermissionDenied(_("You may not change this lecture."))


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def review_status(lecture: Lecture) -> tuple[str, str]:
    """(code, label) of the outline review as the pages show it; "to_submit" when the lecture needs the review
    (it has a due date) and the outline was not submitted."""
    if lecture.review == LectureReview.NOT_NEEDED:
        if lecture.review_due_on is not None and lecture.state != LectureState.CANCELLED:
            return "to_submit", _("Outline to submit by %(date)s") % {
                "date": lecture.review_due_on.isoformat()
            }
        return "not_needed", str(LectureReview.NOT_NEEDED.label)
    return str(lecture.review), str(lecture.get_review_display())


def _routable(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- list ---------------------------------------------------------------------------------------------------


@login_required
@require_safe
def lecture_list(request: HttpRequest) -> HttpResponse:
    """Lectures the user may see, newest first, narrowed by ``filters_lectures.LectureFilter`` (the API's
    filter: state, review, unit, is_public, starts_from, starts_to); an invalid value lists nothing and says
    why (status 400). The office also sees the outlines waiting for its decision."""
    user = request.user
    if not permissions.can_open_lectures(user):
        raise PermissionDenied(_("You have no lectures to see."))
    filterset = LectureFilter(request.GET or None, queryset=selectors.lecture_list(user=user))
    valid = not filterset.is_bound or filterset.is_valid()
    queryset = filterset.qs if filterset.is_bound and valid else filterset.queryset
    if not valid:
        queryset = queryset.none()
    rows = list(queryset[:LIST_LIMIT])
    context = {
        "rows": [{"lecture": lecture, "review": review_status(lecture)} for lecture in rows],
        "limit": LIST_LIMIT,
        "filter": filterset,
        "filter_errors": [] if valid else filter_errors(filterset),
        "can_create": permissions.can_create_lecture(user) and selectors.unit_choices(user).exists(),
        "waiting": list(selectors.reviews_waiting()) if permissions.can_review_lecture(user) else None,
    }
    return render(request, "visitors/lectures/list.html", context, status=200 if valid else 400)


# --- create and edit ----------------------------------------------------------------------------------------


def _visit_for_create(request: HttpRequest) -> Visit | None:
    raw = request.POST.get("visit") if request.method == "POST" else request.GET.get("visit")
    if not raw:
        return None
    if not str(raw).isdigit():
        raise Http404
    visit = (
        Visit.objects.visible_to(request.user).select_related("host_unit", "host").filter(pk=int(raw)).first()
    )
    if visit is None:
        raise Http404
    return visit


def _initial_for_visit(visit: Visit, guest_pk: str | None) -> dict[str, Any]:
    """The form prefilled from the visit: its host unit, a guest as speaker (the one asked for, else the
    head of the delegation or the first guest) and a time inside the visit (the first lecture of the
    programme, else the first day at 10:00), 90 minutes long."""
    guests = list(VisitGuest.objects.filter(visit=visit).select_related("person", "visit"))
    guest = next((g for g in guests if guest_pk and str(g.pk) == guest_pk), None) or (
        guests[0] if guests else None
    )
    item = (
        ProgrammeItem.objects.filter(visit=visit, kind=ProgrammeKind.LECTURE)
        .order_by("day", "starts_at")
        .first()
    )
    day, time = (
        (item.day, item.starts_at or DEFAULT_START) if item is not None else (visit.arrive_on, DEFAULT_START)
    )
    starts = timezone.make_aware(datetime.datetime.combine(day, time))
    initial: dict[str, Any] = {
        "unit": visit.host_unit_id,
        "starts_at": starts,
        "ends_at": starts + DEFAULT_LENGTH,
        "is_public": True,
    }
    if guest is not None:
        initial["guest"] = guest.pk
        initial.update(services.guest_defaults(guest))
    return initial


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lecture_create(request: HttpRequest) -> HttpResponse:
    """File a lecture; ``?visit=<pk>`` (and ``&guest=<pk>``) prefills it from a visit the user may see."""
    user = request.user
    visit = _visit_for_create(request)
    if not permissions.can_create_lecture(user) or not selectors.unit_choices(user, visit=visit).exists():
        raise PermissionDenied(_("You may not add lectures."))
    if request.method == "POST":
        form = LectureForm(request.POST, user=user, visit=visit)
        if form.is_valid():
            try:
                lecture = services.lecture_create(actor=user, visit=visit, **form.values())
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The lecture was filed as a draft."))
                return redirect("visitors:lecture_detail", lecture.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"is_public": True}
        if visit is not None:
            initial = _initial_for_visit(visit, request.GET.get("guest"))
        form = LectureForm(initial=initial, user=user, visit=visit)
        status = 200
    context = {"form": form, "visit": visit, "lecture": None}
    return render(request, "visitors/lectures/form.html", context, status=status)


def _edit_initial(lecture: Lecture) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(lecture, name) for name in services.EDITABLE_FIELDS}
    initial["unit"] = lecture.unit_id
    initial["guest"] = lecture.guest_id
    initial["version"] = lecture.version
    initial["starts_at"] = timezone.localtime(lecture.starts_at)
    initial["ends_at"] = timezone.localtime(lecture.ends_at)
    return initial


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lecture_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft or published lecture (a stale save is refused with what changed); once it has started,
    only the International Office changes it (``services.edit_blocker``)."""
    lecture = _lecture(request, pk)
    _may_manage(request, lecture)
    blocker = services.edit_blocker(lecture, request.user)
    if blocker:
        messages.error(request, blocker)
        return redirect("visitors:lecture_detail", lecture.pk)
    stale = None
    status = 200
    if request.method == "POST":
        form = LectureForm(request.POST, user=request.user, visit=lecture.visit, keep_unit_id=lecture.unit_id)
        if form.is_valid():
            values = form.values()
            if lecture.visit is None:
                values.pop("guest", None)
            try:
                services.lecture_update(
                    lecture=lecture,
                    actor=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except StaleEditError as exc:
                stale = exc
                status = 409
            except ValidationError as exc:
                _form_errors(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, _("The lecture was saved."))
                return redirect("visitors:lecture_detail", lecture.pk)
        else:
            status = 400
    else:
        form = LectureForm(
            initial=_edit_initial(lecture),
            user=request.user,
            visit=lecture.visit,
            keep_unit_id=lecture.unit_id,
        )
    context = {"form": form, "visit": lecture.visit, "lecture": lecture, "stale": stale}
    return render(request, "visitors/lectures/form.html", context, status=status)


# --- the lecture's page and its moves -----------------------------------------------------------------------


def _moves(user, lecture: Lecture) -> dict[str, Any]:
    """Which buttons the page shows, and why publishing is refused."""
    manage = permissions.can_manage_lecture(user, lecture)
    open_ = lecture.state != LectureState.CANCELLED
    needed = open_ and rules_lectures.review_needed(lecture)
    blocker = services.publish_blocker(lecture) if manage and lecture.state == LectureState.DRAFT else ""
    return {
        "can_edit": manage and not services.edit_blocker(lecture, user),
        "can_submit": manage and needed and lecture.review in services.REVIEW_OPEN,
        "can_publish": manage and lecture.state == LectureState.DRAFT and not blocker,
        "publish_blocker": blocker,
        "can_unpublish": manage and lecture.state == LectureState.PUBLISHED,
        "can_cancel": manage and open_,
        "can_review": permissions.can_review_lecture(user) and lecture.review == LectureReview.PENDING,
        "review_needed": needed,
    }


@login_required
@require_safe
def lecture_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lecture = _lecture(request, pk)
    context = {
        "lecture": lecture,
        "review": review_status(lecture),
        "days_ahead": rules_lectures.days_ahead(),
        "public_url": _routable("visitors_public:lecture", lecture.pk)
        if lecture.state == LectureState.PUBLISHED and lecture.is_public
        else "",
        **_moves(request.user, lecture),
    }
    return render(request, "visitors/lectures/detail.html", context)


ACTIONS = {
    "submit": (services.lecture_submit_for_review, gettext_lazy("The outline was submitted for review.")),
    "publish": (services.lecture_publish, gettext_lazy("The lecture is published.")),
    "unpublish": (services.lecture_unpublish, gettext_lazy("The lecture was taken off the calendar.")),
    "cancel": (services.lecture_cancel, gettext_lazy("The lecture was cancelled.")),
}


@login_required
@require_POST
def lecture_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one move (submit, publish, unpublish, cancel); a refused move is explained on the lecture page."""
    lecture = _lecture(request, pk)
    if action not in ACTIONS:
        raise Http404
    _may_manage(request, lecture)
    service, done = ACTIONS[action]
    kwargs: dict[str, Any] = {"lecture": lecture, "actor": request.user}
    if action == "cancel":
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        service(**kwargs)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, str(done))
    return redirect("visitors:lecture_detail", lecture.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lecture_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The International Office reads the outline and approves it or not (with a comment)."""
    lecture = _lecture(request, pk)
    if not permissions.can_review_lecture(request.user):
        raise PermissionDenied(_("Only the International Office reviews lecture outlines."))
    status = 200
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if lecture.review != LectureReview.PENDING:
            messages.error(request, _("No outline of this lecture is waiting for a decision."))
            return redirect("visitors:lecture_detail", lecture.pk)
        if form.is_valid():
            try:
                services.lecture_review_decide(
                    lecture=lecture,
                    actor=request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                    comment=form.cleaned_data["comment"],
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                _form_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The decision on the outline was recorded."))
                return redirect("visitors:lecture_detail", lecture.pk)
        status = 400
    context = {"lecture": lecture, "form": form, "review": review_status(lecture)}
    return render(request, "visitors/lectures/review.html", context, status=status)


# --- the visit page's panel ---------------------------------------------------------------------------------


def _panel_context(request: HttpRequest, visit: Visit) -> dict[str, Any] | None:
    user = request.user
    lectures = list(selectors.visit_lectures(visit))
    may_add = permissions.can_add_lecture(user, unit_id=visit.host_unit_id, visit=visit)
    add_url = _routable("visitors:lecture_create") if may_add else ""
    return {
        "lecture_rows": [{"lecture": lecture, "review": review_status(lecture)} for lecture in lectures],
        "lecture_add_url": f"{add_url}?visit={visit.pk}" if add_url else "",
    }


register_visit_panel(VisitPanel("lectures", 50, "visitors/lectures/_visit_panel.html", _panel_context))


urlpatterns = [
    path("lectures/", lecture_list, name="lecture_list"),
    path("lectures/new/", lecture_create, name="lecture_create"),
    path("lectures/<int:pk>/", lecture_detail, name="lecture_detail"),
    path("lectures/<int:pk>/edit/", lecture_edit, name="lecture_edit"),
    path("lectures/<int:pk>/review/", lecture_review, name="lecture_review"),
    path("lectures/<int:pk>/<slug:action>/", lecture_action, name="lecture_action"),
]
