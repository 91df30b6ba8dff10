"""The trip report page: the fixed sections, photos, outcomes, submission and the office's review."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError, StaleEditError
from meridian.travel.choices import OutcomeKind
from meridian.travel.models import Trip, TripOutcome, TripReport, TripReportPhoto
from meridian.travel.services import reports as services


def _visible_trip(request: HttpRequest, pk: int) -> Trip:
    try:
        return Trip.objects.visible_to(request.user).select_related("unit", "applicant").get(pk=pk)
    except Trip.DoesNotExist as exc:
        raise Http404 from exc


def _report(trip: Trip) -> TripReport | None:
    return TripReport.objects.filter(trip=trip).first()


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _back(trip: Trip, anchor: str = "") -> HttpResponse:
    return redirect(reverse("travel:report_edit", args=[trip.pk]) + (f"#{anchor}" if anchor else ""))


class ReportForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TripReport
        fields = services.EDITABLE_FIELDS
        widgets = {
            "members": forms.Textarea(attrs={"rows": 4}),
            "tasks_done": forms.Textarea(attrs={"rows": 5}),
            "outcomes": forms.Textarea(attrs={"rows": 5}),
            "discipline": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "tasks_done": gettext_lazy("What the delegation did, day by day or by task."),
            "outcomes": gettext_lazy(
                "Results of the trip; record linked contacts, agreements and projects below."
            ),
            "discipline": gettext_lazy(
                "Observance of the rules on official travel and of foreign-affairs discipline."
            ),
            "paid_by": gettext_lazy("Who paid which costs (unit budget, research funds, the inviter, …)."),
            "costs": gettext_lazy("Total costs in CNY."),
        }


class PhotoForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Photo (JPEG or PNG)"))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=300, required=False)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OutcomeKind.choices)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=500)
    partner: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Partner"), queryset=None, required=False
    )
    agreement: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Agreement"), queryset=None, required=False
    )

    def __init__(self, *args, user=None, trip: Trip | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from meridian.agreements.models import Agreement
        from meridian.partners.models import Partner

        partners = Partner.objects.visible_to(user)
        agreements = Agreement.objects.visible_to(user)
        if trip is not None and not self.is_bound:
            # Offer the partners and agreements the trip concerns first: the lists stay short.
            linked = set(trip.partners.values_list("pk", flat=True))
            if trip.inviter_partner_id:
                linked.add(trip.inviter_partner_id)
            if linked:
                partners = partners.filter(pk__in=linked)
            agreement_ids = set(trip.agreements.values_list("pk", flat=True))
            if agreement_ids:
                agreements = agreements.filter(pk__in=agreement_ids)
        cast(forms.ModelChoiceField, self.fields["partner"]).queryset = partners
        cast(forms.ModelChoiceField, self.fields["agreement"]).queryset = agreements


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _visible_trip(request, pk)
    report = _report(trip)
    if report is None:
        return render(request, "travel/reports/edit.html", {"trip": trip, "report": None})
    can_edit = services.can_edit_report(request.user, report)
    form = ReportForm(instance=report, initial={"version": report.version})
    if request.method == "POST":
        if not can_edit:
            messages.error(
                request,
                _("Only a draft report can be edited, by the applicant, the unit's secretary or the office."),
            )
            return _back(trip)
        form = ReportForm(request.POST, instance=_report(trip))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
            try:
                report = services.report_update(
                    report=report,
                    actor=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    **fields,
                )
                if request.POST.get("submit"):
                    services.report_submit(report=report, actor=request.user)
                    messages.success(request, _("The report was submitted to the International Office."))
                else:
                    messages.success(request, _("The draft was saved."))
                return _back(trip)
            except StaleEditError as exc:
                form.add_error(None, exc.message)
            except (DomainError, ValidationError) as exc:
                messages.error(request, _error_text(exc))
                return _back(trip)
    return render(request, "travel/reports/edit.html", _context(request, trip, report, form))


def _context(request: HttpRequest, trip: Trip, report: TripReport, form) -> dict:
    can_edit = services.can_edit_report(request.user, report)
    return {
        "trip": trip,
        "report": report,
        "form": form,
        "can_edit": can_edit,
        "can_review": services.can_review_report(request.user, report),
        "missing": services.report_missing(report) if report.state == "draft" else [],
        "photos": list(report.photos.all()),
        "outcomes": list(trip.outcomes.select_related("partner", "agreement")),
        "photo_form": PhotoForm(),
        "outcome_form": OutcomeForm(user=request.user, trip=trip) if can_edit else None,
        "min_photos": services.MIN_PHOTOS,
    }


@login_required
@require_POST
def report_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _visible_trip(request, pk)
    report = _report(trip)
    if report is None:
        raise Http404
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
        return _back(trip, "photos")
    try:
        services.report_photo_add(
            report=report,
            actor=request.user,
            uploaded=form.cleaned_data["file"],
            caption=form.cleaned_data["caption"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The photo was added."))
    return _back(trip, "photos")


def _photo(request: HttpRequest, pk: int, photo_pk: int) -> TripReportPhoto:
    trip = _visible_trip(request, pk)
    try:
        return TripReportPhoto.objects.select_related("report__trip").get(pk=photo_pk, report__trip=trip)
    except TripReportPhoto.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def report_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo of the report, for those who may see the trip; served with its checked type, never guessed."""
    photo = _photo(request, pk, photo_pk)
    return private_file_response(
        photo.file, content_type=photo.content_type, attachment=False, cache_control="private, max-age=300"
    )


@login_required
@require_POST
def report_photo_delete(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    photo = _photo(request, pk, photo_pk)
    try:
        services.report_photo_delete(photo=photo, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The photo was removed."))
    return _back(photo.report.trip, "photos")


@login_required
@require_POST
def outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _visible_trip(request, pk)
    form = OutcomeForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(trip, "outcomes")
    try:
        services.outcome_add(trip=trip, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The outcome was recorded."))
    return _back(trip, "outcomes")


@login_required
@require_POST
def outcome_delete(request: HttpRequest, pk: int, outcome_pk: int) -> HttpResponse:
    trip = _visible_trip(request, pk)
    try:
        outcome = TripOutcome.objects.get(pk=outcome_pk, trip=trip)
    except TripOutcome.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.outcome_delete(outcome=outcome, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The outcome was removed."))
    return _back(trip, "outcomes")


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    trip = _visible_trip(request, pk)
    report = _report(trip)
    if report is None or action not in ("accept", "return"):
        raise Http404
    comment = request.POST.get("comment", "")
    try:
        if action == "accept":
            services.report_accept(report=report, actor=request.user, comment=comment)
            messages.success(request, _("The report was accepted."))
        else:
            services.report_return(report=report, actor=request.user, comment=comment)
            messages.success(request, _("The report was returned for correction."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(trip)


urlpatterns = [
    path("<int:pk>/report/", report_edit, name="report_edit"),
    path("<int:pk>/report/photos/", report_photo_add, name="report_photo_add"),
    path("<int:pk>/report/photos/<int:photo_pk>/", report_photo, name="report_photo"),
    path("<int:pk>/report/photos/<int:photo_pk>/delete/", report_photo_delete, name="report_photo_delete"),
    path("<int:pk>/report/outcomes/", outcome_add, name="report_outcome_add"),
    path("<int:pk>/report/outcomes/<int:outcome_pk>/delete/", outcome_delete, name="report_outcome_delete"),
    path("<int:pk>/report/<slug:action>/", report_review, name="report_review"),
]
