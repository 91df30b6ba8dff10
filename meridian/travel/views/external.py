"""Recording the external approval (批件) of an approved trip: the office enters the approval document's
number, date, authority, approved people and itinerary, and its scan; the trip becomes externally approved.

The same page records the authority's new approval when a change of the trip's dates, people or itinerary was
approved after the document was recorded (trip "externally approved"): the record takes the new document,
the trip keeps its state."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from meridian.core.errors import DomainError
from meridian.travel import permissions
from meridian.travel.models import ExternalApproval, Trip
from meridian.travel.services import external
from meridian.workflow.views.common import error_text


class ExternalApprovalForm(forms.Form):
    document_number = forms.CharField(label=gettext_lazy("Approval document number"), max_length=100)
    issued_on = forms.DateField(
        label=gettext_lazy("Date of the approval document"), widget=forms.DateInput(attrs={"type": "date"})
    )
    authority = forms.CharField(
        label=gettext_lazy("Issuing authority"),
        max_length=200,
        help_text=gettext_lazy("For example the provincial foreign-affairs office."),
    )
    approved_people = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Approved people"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    approved_itinerary = forms.CharField(
        label=gettext_lazy("Approved itinerary"), widget=forms.Textarea(attrs={"rows": 6})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scan = forms.FileField(
        label=gettext_lazy("Scan of the approval document"),
        required=False,
        help_text=gettext_lazy("PDF, PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, trip: Trip, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = trip.members.select_related("person").order_by("order", "id")
        cast(forms.TypedMultipleChoiceField, self.fields["approved_people"]).choices = [
            (m.person_id, f"{m.person} ({m.get_role_display()})") for m in members
        ]


def _initial(trip: Trip) -> dict:
    """Every member and the itinerary as the trip has them now (after any change)."""
    return {
        "approved_people": list(trip.members.order_by("order", "id").values_list("person_id", flat=True)),
        "approved_itinerary": external.itinerary_text(trip),
    }


@login_required
@require_http_methods(["GET", "POST"])
def external_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The office records the approval document of an approved trip (form prefilled with every member and the
    itinerary); on success the trip is externally approved. For an externally approved trip whose document
    predates an approved change, the page records the authority's new approval instead (no state move)."""
    trip = get_object_or_404(Trip.objects.visible_to(request.user).select_related("unit"), pk=pk)
    if not permissions.is_office(request.user):
        raise PermissionDenied
    record = ExternalApproval.objects.filter(trip=trip).first()
    renewing = record is not None and external.can_renew_external(request.user, trip, record)
    if not renewing and not external.can_record_external(request.user, trip):
        messages.error(
            request,
            _(
                "The external approval is recorded once, for a trip the university has approved; a new "
                "approval is recorded only when a change approved after the approval document awaits it."
            ),
        )
        return redirect(trip.get_absolute_url())
    later = external.changes_after_approval(trip, record) if renewing else []
    record_service = external.external_approval_renew if renewing else external.external_approval_record
    if request.method == "POST":
        form = ExternalApprovalForm(request.POST, request.FILES, trip=trip)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record_service(
                    trip=trip,
                    actor=request.user,
                    document_number=data["document_number"],
                    issued_on=data["issued_on"],
                    authority=data["authority"],
                    approved_people=data["approved_people"],
                    approved_itinerary=data["approved_itinerary"],
                    valid_until=data.get("valid_until"),
                    scan=data.get("scan"),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            except DomainError as exc:
                form.add_error(None, error_text(exc))
            else:
                if renewing:
                    messages.success(
                        request,
                        _(
                            "The new approval document is recorded for %(number)s; passports and permits can "
                            "be issued for the trip as changed."
                        )
                        % {"number": trip.number},
                    )
                else:
                    messages.success(
                        request,
                        _("The approval document is recorded; %(number)s is externally approved.")
                        % {"number": trip.number},
                    )
                return redirect(trip.get_absolute_url())
    else:
        form = ExternalApprovalForm(trip=trip, initial=_initial(trip))
    context = {"trip": trip, "form": form, "renewing": renewing, "record": record, "later_changes": later}
    return render(request, "travel/external/form.html", context)


urlpatterns = [
    path("<int:pk>/external-approval/", external_record, name="external_record"),
]
