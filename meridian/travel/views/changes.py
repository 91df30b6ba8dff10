"""Change requests of approved trips: the request form (dates, delegation, itinerary, budget prefilled with
the approved version) and the change's page (the difference side by side, the lifecycle and approval
steps)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from meridian.core.errors import DomainError
from meridian.people.models import Person
from meridian.reference.models import Country
from meridian.travel import permissions
from meridian.travel.casework import TRIP_CHANGE
from meridian.travel.choices import BudgetKind, MemberRole
from meridian.travel.forms import RowForm, row_formset
from meridian.travel.models import Trip
from meridian.travel.services import changes
from meridian.workflow.views.common import error_text, visible_case

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ChangeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    depart_on = forms.DateField(label=gettext_lazy("Departure date"), widget=DATE)
    return_on = forms.DateField(label=gettext_lazy("Return date"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("depart_on") and data.get("return_on") and data["return_on"] < data["depart_on"]:
            self.add_error("return_on", _("The return date is before the departure date."))
        return data


class MemberForm(RowForm):
    person = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(
        label=gettext_lazy("Role in the delegation"), choices=MemberRole.choices, initial=MemberRole.MEMBER
    )
    post = forms.CharField(label=gettext_lazy("Post or title"), max_length=200, required=False)

    def __init__(self, *args, persons=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if persons is not None:
            cast(forms.ModelChoiceField, self.fields["person"]).queryset = persons


class ItineraryForm(RowForm):
    day = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    country = forms.ModelChoiceField(
        label=gettext_lazy("Country or territory"), queryset=Country.objects.all()
    )
    city = forms.CharField(label=gettext_lazy("City"), max_length=120, required=False)
    is_transit = forms.BooleanField(label=gettext_lazy("Transit only"), required=False)
    activity = forms.CharField(label=gettext_lazy("Programme"), max_length=500, required=False)


class BudgetForm(RowForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Budget line"), choices=BudgetKind.choices, initial=BudgetKind.TRAVEL
    )
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=12, decimal_places=2, min_value=0)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, initial="CNY")
    country = forms.ModelChoiceField(
        label=gettext_lazy("Country or territory"), queryset=Country.objects.all(), required=False
    )
    persons = forms.IntegerField(label=gettext_lazy("Persons"), min_value=1, initial=1)
    days = forms.IntegerField(label=gettext_lazy("Days or nights"), min_value=1, initial=1)


# Untouched extra rows count as unchanged: see ``RowForm`` and ``RowFormSet``.
MemberFormSet = row_formset(MemberForm)
ItineraryFormSet = row_formset(ItineraryForm)
BudgetFormSet = row_formset(BudgetForm)


def _rows(formset) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def _persons_for(user, trip: Trip):
    """People the requester may put in the delegation: those they may see, plus the current members."""
    members = trip.members.values("person_id")
    return (
        Person.objects.filter(Q(pk__in=Person.objects.visible_to(user).values("pk")) | Q(pk__in=members))
        .filter(purged_at__isnull=True)
        .order_by("family_name", "given_name", "id")
    )


def _initial(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "form": {"depart_on": snapshot.get("depart_on"), "return_on": snapshot.get("return_on")},
        "members": [
            {"person": m["person"], "role": m.get("role"), "post": m.get("post", "")}
            for m in snapshot.get("members", [])
        ],
        "itinerary": [
            {
                "day": i["day"],
                "country": i["country"],
                "city": i.get("city", ""),
                "is_transit": i.get("is_transit", False),
                "activity": i.get("activity", ""),
            }
            for i in snapshot.get("itinerary", [])
        ],
        "budget": [
            {
                "kind": b["kind"],
                "amount": b["amount"],
                "currency": b.get("currency", "CNY"),
                "country": b.get("country"),
                "persons": b.get("persons", 1),
                "days": b.get("days", 1),
            }
            for b in snapshot.get("budget", [])
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def change_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Request a change of an approved trip (applicant, unit coordinator or office); the form starts from the
    approved version."""
    user = request.user
    trip = get_object_or_404(Trip.objects.visible_to(user).select_related("unit"), pk=pk)
    if not (permissions.is_trip_applicant(user, trip) or permissions.acts_for_unit(user, trip.unit_id)):
        raise PermissionDenied
    if not changes.can_request_change(user, trip):
        existing = changes.open_change(trip)
        if existing is not None:
            messages.info(
                request,
                _("Change request %(number)s of this trip is still open.") % {"number": existing.number},
            )
            return redirect(existing.get_absolute_url())
        messages.error(
            request, _("A change can be requested once the trip has been approved and before it departs.")
        )
        return redirect(trip.get_absolute_url())
    persons = _persons_for(user, trip)
    if request.method == "POST":
        form = ChangeForm(request.POST)
        members = MemberFormSet(request.POST, prefix="members", form_kwargs={"persons": persons})
        itinerary = ItineraryFormSet(request.POST, prefix="itinerary")
        budget = BudgetFormSet(request.POST, prefix="budget")
        if all([form.is_valid(), members.is_valid(), itinerary.is_valid(), budget.is_valid()]):
            proposed = {
                "depart_on": form.cleaned_data["depart_on"],
                "return_on": form.cleaned_data["return_on"],
                "members": _rows(members),
                "itinerary": _rows(itinerary),
                "budget": _rows(budget),
            }
            try:
                change = changes.change_create(
                    trip=trip, actor=user, reason=form.cleaned_data["reason"], proposed=proposed
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
                messages.success(
                    request,
                    _("Change request %(number)s saved. Check the difference and submit it for approval.")
                    % {"number": change.number},
                )
                return redirect(change.get_absolute_url())
    else:
        from meridian.travel.services.changes import _base_snapshot

        initial = _initial(_base_snapshot(trip))
        form = ChangeForm(initial=initial["form"])
        members = MemberFormSet(
            prefix="members", initial=initial["members"], form_kwargs={"persons": persons}
        )
        itinerary = ItineraryFormSet(prefix="itinerary", initial=initial["itinerary"])
        budget = BudgetFormSet(prefix="budget", initial=initial["budget"])
    return render(
        request,
        "travel/changes/form.html",
        {"trip": trip, "form": form, "members": members, "itinerary": itinerary, "budget": budget},
    )


SECTION_LABELS = {
    "dates": gettext_lazy("Dates"),
    "members": gettext_lazy("Delegation"),
    "itinerary": gettext_lazy("Itinerary"),
    "budget": gettext_lazy("Budget"),
}


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A change request: reason, the difference from the approved version (before → after), the moves and
    the approval steps. 404 for people who may not see the trip (approvers of the change see it)."""
    change, _case_type = visible_case(request.user, TRIP_CHANGE, pk)
    difference = changes.change_difference(change)
    sections = []
    for code in ("dates", "members", "itinerary", "budget"):
        rows = [r for r in difference if r["section"] == code]
        if rows:
            sections.append({"code": code, "label": SECTION_LABELS[code], "rows": rows})
    return render(
        request,
        "travel/changes/detail.html",
        {
            "change": change,
            "trip": change.trip,
            "sections": sections,
            "trip_visible": Trip.objects.visible_to(request.user).filter(pk=change.trip_id).exists(),
            "days": changes.change_days(change),
        },
    )


urlpatterns = [
    path("<int:pk>/change/", change_create, name="change_create"),
    path("changes/<int:pk>/", change_detail, name="change_detail"),
]
