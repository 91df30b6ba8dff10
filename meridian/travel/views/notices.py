"""The publicity notice board (公示): running notices for every member of staff, a notice's page with its
objections and their resolution, and publishing the after-return notice from the trip page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from meridian.accounts.permissions import is_internal
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.travel import permissions
from meridian.travel.choices import NoticePhase
from meridian.travel.models import NoticeObjection, PublicityNotice, Trip
from meridian.travel.services import publicity
from meridian.workflow.views.common import error_text


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your objection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=gettext_lazy("Say which fact of the notice is wrong or why the trip should not go ahead."),
    )


class ResolutionForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("0", gettext_lazy("Not upheld")),
            ("1", gettext_lazy("Upheld: the trip cannot go ahead as notified")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=gettext_lazy("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


@login_required
def notice_board(request: HttpRequest) -> HttpResponse:
    """Running notices, soonest ending first: every member of staff may read them (students and partner
    contacts may not)."""
    if not is_internal(request.user):
        raise PermissionDenied
    notices = list(publicity.running_notices()[:500])
    return render(
        request,
        "travel/notices/board.html",
        {"notices": notices, "working_days": publicity.publicity_working_days()},
    )


def _notice_for(user, pk: int) -> PublicityNotice:
    notice = get_object_or_404(PublicityNotice.objects.select_related("trip", "trip__unit"), pk=pk)
    if not publicity.can_read_notice(user, notice):
        raise Http404
    return notice


@login_required
@require_http_methods(["GET", "POST"])
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice, its objections and resolutions. POST ``action=object`` records an objection (members of
    staff, while it runs); ``action=resolve`` resolves one (the office)."""
    notice = _notice_for(request.user, pk)
    objection_form = ObjectionForm()
    resolution_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "object":
            if not is_internal(request.user):
                raise PermissionDenied
            # A notice that is no longer running is refused by the service, with a message on the page.
            objection_form = ObjectionForm(request.POST)
            if objection_form.is_valid():
                try:
                    publicity.objection_raise(
                        notice=notice, actor=request.user, text=objection_form.cleaned_data["text"]
                    )
                except (DomainError, ValidationError) as exc:
                    messages.error(request, error_text(exc))
                else:
                    messages.success(
                        request, _("Your objection was recorded; the International Office will resolve it.")
                    )
                    return redirect("travel:notice_detail", pk=notice.pk)
        elif action == "resolve":
            if not permissions.is_office(request.user):
                raise PermissionDenied
            resolution_form = ResolutionForm(request.POST)
            if resolution_form.is_valid():
                objection = get_object_or_404(
                    NoticeObjection, pk=resolution_form.cleaned_data["objection"], notice=notice
                )
                try:
                    publicity.objection_resolve(
                        objection=objection,
                        actor=request.user,
                        upheld=resolution_form.cleaned_data["upheld"],
                        resolution=resolution_form.cleaned_data["resolution"],
                    )
                except (DomainError, ValidationError) as exc:
                    messages.error(request, error_text(exc))
                else:
                    messages.success(request, _("The objection was resolved."))
                    return redirect("travel:notice_detail", pk=notice.pk)
            else:
                messages.error(request, _("Choose a decision and say how the objection was resolved."))
        else:
            raise Http404
    user = request.user
    objections = list(notice.objections.select_related("raised_by", "resolved_by"))
    is_office = permissions.is_office(user)
    trip_visible = Trip.objects.visible_to(user).filter(pk=notice.trip_id).exists()
    return render(
        request,
        "travel/notices/detail.html",
        {
            "notice": notice,
            "trip": notice.trip,
            "trip_visible": trip_visible,
            "objections": [
                {
                    "objection": o,
                    # Who objected is shown to the office only: colleagues may object without being exposed.
                    "show_author": is_office or o.raised_by_id == user.pk,
                    "can_resolve": publicity.can_resolve(user, o),
                }
                for o in objections
            ],
            "can_object": publicity.can_object(user, notice),
            "objection_form": objection_form,
            "resolution_form": resolution_form,
        },
    )


@login_required
@require_POST
def notice_publish_after(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the after-return notice of a returned trip (applicant, unit coordinator or office). A refusal
    of the moment (the trip is not "returned", its notice is running or has run already: a second click, a
    stale page) brings the user back to the trip page with the reason; someone who may not publish notices of
    the trip gets 403."""
    trip = get_object_or_404(Trip.objects.visible_to(request.user), pk=pk)
    try:
        notice = publicity.notice_publish(trip=trip, phase=NoticePhase.AFTER, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect(trip.get_absolute_url())
    messages.success(
        request,
        _("The after-return notice is published and runs until %(date)s.")
        % {"date": notice.ends_on.isoformat()},
    )
    return redirect("travel:notice_detail", pk=notice.pk)


urlpatterns = [
    path("notices/", notice_board, name="notice_board"),
    path("notices/<int:pk>/", notice_detail, name="notice_detail"),
    path("<int:pk>/notices/after/", notice_publish_after, name="notice_publish_after"),
]
