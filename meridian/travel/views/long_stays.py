"""Pages of long stays abroad (over 90 days): the list, filing and editing a stay, and its page with the
lifecycle panel (the moves and the dates they need), its deadlines, the quarterly progress reports and the
summary after return."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Field, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from meridian.accounts.models import OrgUnit
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.partners.models import Partner
from meridian.people.models import Person
from meridian.travel import permissions
from meridian.travel.casework import LONG_STAY_TYPE
from meridian.travel.choices import LongStayState
from meridian.travel.models import LongStay
from meridian.travel.services import long_stays as services
from meridian.workflow.services import moves_for

# --- forms --------------------------------------------------------------------------------------------------


class LongStayForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = LongStay
        fields = [
            "person",
            "unit",
            "programme",
            "host_partner",
            "host_name",
            "country",
            "starts_on",
            "ends_on",
            "research_topic",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.visible_to(user).order_by("family_name", "given_name")
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people
        units = OrgUnit.objects.order_by("path")
        if not permissions.is_office(user):
            units = units.filter(pk__in=permissions.acted_unit_ids(user))
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        partners = Partner.objects.visible_to(user).order_by("name")
        cast(forms.ModelChoiceField, self.fields["host_partner"]).queryset = partners
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict:
        data = super().clean() or {}
        if services.dates_reversed(data.get("starts_on"), data.get("ends_on")):
            # Said in words here; otherwise the model's check constraint answers with its own name.
            self.add_error("ends_on", _("The return date lies before the departure date."))
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProgressForm(forms.Form):
    quarter = forms.IntegerField(label=gettext_lazy("Quarter"), min_value=1, max_value=40)
    text = forms.CharField(label=gettext_lazy("Progress"), widget=forms.Textarea(attrs={"rows": 4}))


class SummaryForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    summary = forms.CharField(label=gettext_lazy("Summary"), widget=forms.Textarea(attrs={"rows": 6}))


# --- helpers ------------------------------------------------------------------------------------------------


def _stay(request: HttpRequest, pk: int) -> LongStay:
    """The stay if the user may see it; 404 otherwise."""
    queryset = LongStay.objects.visible_to(request.user).select_related(
        "person", "unit", "country", "host_partner"
    )
    return get_object_or_404(queryset, pk=pk)


def _may_file(user) -> bool:
    return permissions.is_office(user) or bool(permissions.acted_unit_ids(user))


def _attach(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- pages --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def long_stay_list(request: HttpRequest) -> HttpResponse:
    """The stays the user may see, filtered by state and a search on number, name and host. An unknown state
    lists nothing and says so (never every stay as if unfiltered). Partner contacts and accounts without a
    role are refused, like on the other travel pages."""
    if not permissions.is_internal_or_student(request.user):
        raise PermissionDenied
    stays = LongStay.objects.visible_to(request.user).select_related("person", "unit", "country")
    state = request.GET.get("state", "").strip()
    filter_errors: list[tuple[str, str]] = []
    if state in LongStayState.values:
        stays = stays.filter(state=state)
    elif state:
        filter_errors.append((_("State"), _("“%(value)s” is not one of the choices.") % {"value": state}))
        stays = stays.none()
    query = request.GET.get("q", "").strip()
    if query:
        stays = stays.filter(
            Q(number__icontains=query)
            | Q(person__family_name__icontains=query)
            | Q(person__given_name__icontains=query)
            | Q(person__name_zh__icontains=query)
            | Q(host_name__icontains=query)
        )
    page = Paginator(stays.order_by("-starts_on", "-id"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "q": query,
        "states": LongStayState.choices,
        "filter_errors": filter_errors,
        "can_create": _may_file(request.user),
    }
    return render(request, "travel/long_stays/list.html", context)


def _form_page(request: HttpRequest, stay: LongStay | None) -> HttpResponse:
    user = request.user
    stale = None
    if request.method == "POST":
        form = LongStayForm(request.POST, instance=stay, user=user)
        if form.is_valid():
            try:
                if stay is None:
                    saved = services.long_stay_create(actor=user, **form.service_fields())
                    messages.success(request, _("Long stay %(number)s filed.") % {"number": saved.number})
                else:
                    saved = services.long_stay_update(
                        stay=stay,
                        actor=user,
                        expected_version=form.cleaned_data.get("version"),
                        **form.service_fields(),
                    )
                    messages.success(request, _("Long stay %(number)s saved.") % {"number": saved.number})
                return redirect(saved)
            except StaleEditError as exc:
                stale = exc
                form.data = cast(QueryDict, form.data).copy()  # bound to request.POST
                form.data["version"] = str(exc.current_version)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                _attach(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
    else:
        form = LongStayForm(instance=stay, user=user)
    return render(request, "travel/long_stays/form.html", {"form": form, "stay": stay, "stale": stale})


@login_required
def long_stay_create(request: HttpRequest) -> HttpResponse:
    if not _may_file(request.user):
        raise PermissionDenied(_("Only the International Office or unit coordinators file long stays."))
    return _form_page(request, None)


@login_required
def long_stay_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stay = _stay(request, pk)
    if not permissions.acts_for_unit(request.user, stay.unit_id):
        raise PermissionDenied(
            _("Only the International Office or the unit's coordinators change a long stay.")
        )
    if stay.state not in services.OPEN_STATES:
        messages.error(request, _("The stay's plan can be changed only before departure."))
        return redirect(stay)
    return _form_page(request, stay)


def _quarters(stay: LongStay, today) -> list[dict]:
    """Each quarter from the departure up to the current one (or the return): due date and its report."""
    if stay.departed_on is None:
        return []
    reports = {r.quarter: r for r in stay.progress_reports.all()}
    end = stay.returned_on or today
    rows = []
    quarter = 1
    while True:
        start = services.add_months(stay.departed_on, 3 * (quarter - 1))
        if start > end or quarter > 40:
            break
        due = services.quarter_due(stay, quarter)
        report = reports.get(quarter)
        rows.append(
            {
                "quarter": quarter,
                "due": due,
                "report": report,
                "overdue": report is None and due is not None and due < today and stay.returned_on is None,
            }
        )
        quarter += 1
    return rows


def _moves(stay: LongStay, user) -> list[dict]:
    """The moves the user may take now, each with the date inputs it needs (or the reasons it is blocked)."""
    rows = []
    for option in moves_for(case=stay, user=user):
        fields = [
            {
                "name": name,
                "label": str(cast(Field, LongStay._meta.get_field(name)).verbose_name),  # inputs are fields
                "value": getattr(stay, name, None),
            }
            for name in option.inputs
        ]
        rows.append({"option": option, "fields": fields})
    return rows


def _detail(
    request: HttpRequest, stay: LongStay, *, progress_form=None, summary_form=None, stale=None, status=200
):
    user = request.user
    today = timezone.localdate()
    may_report = services.can_report(user, stay)
    abroad = stay.state in services.ABROAD_STATES
    quarters = _quarters(stay, today)
    next_quarter = next((q["quarter"] for q in quarters if q["report"] is None), None)
    context = {
        "stay": stay,
        "quarters": quarters,
        "progress_form": (progress_form or ProgressForm(initial={"quarter": next_quarter}))
        if may_report and abroad
        else None,
        "summary_form": (
            summary_form or SummaryForm(initial={"summary": stay.summary, "version": stay.version})
        )
        if may_report and stay.state == LongStayState.RETURNED
        else None,
        "can_edit": permissions.acts_for_unit(user, stay.unit_id) and stay.state in services.OPEN_STATES,
        "moves": _moves(stay, user),
        "stale": stale,
    }
    return render(request, "travel/long_stays/detail.html", context, status=status)


@login_required
@require_GET
def long_stay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _stay(request, pk))


@login_required
@require_POST
def long_stay_progress(request: HttpRequest, pk: int) -> HttpResponse:
    stay = _stay(request, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return _detail(request, stay, progress_form=form, status=400)
    try:
        services.progress_report_add(stay=stay, actor=request.user, **form.cleaned_data)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        _attach(form, exc)
        return _detail(request, stay, progress_form=form, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(stay)
    messages.success(
        request, _("Progress report for quarter %(n)s filed.") % {"n": form.cleaned_data["quarter"]}
    )
    return redirect(stay)


@login_required
@require_POST
def long_stay_summary(request: HttpRequest, pk: int) -> HttpResponse:
    stay = _stay(request, pk)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        return _detail(request, stay, summary_form=form, status=400)
    try:
        services.long_stay_summary_save(
            stay=stay,
            actor=request.user,
            summary=form.cleaned_data["summary"],
            expected_version=form.cleaned_data.get("version"),
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except StaleEditError as exc:
        stay.refresh_from_db()
        data = cast(QueryDict, form.data).copy()  # bound to request.POST
        data["version"] = str(exc.current_version)
        return _detail(request, stay, summary_form=SummaryForm(data), stale=exc, status=409)
    except ValidationError as exc:
        _attach(form, exc)
        return _detail(request, stay, summary_form=form, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(stay)
    messages.success(request, _("The summary was saved."))
    return redirect(stay)


@login_required
@require_POST
def long_stay_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    """Take a lifecycle move with the date it records; the stay's deadlines follow at once."""
    stay = _stay(request, pk)
    try:
        transition = LONG_STAY_TYPE.transition(move)
    except KeyError as exc:
        raise Http404 from exc
    data = {name: request.POST.get(name, "") for name in transition.inputs if name in request.POST}
    try:
        stay = services.long_stay_move(
            stay=stay,
            actor=request.user,
            move=move,
            comment=request.POST.get("comment", "").strip(),
            data=data,
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))
        return redirect(stay)
    messages.success(
        request,
        _("%(case)s is now “%(state)s”.") % {"case": stay.number, "state": stay.get_state_display()},
    )
    return redirect(stay)


urlpatterns = [
    path("long-stays/", long_stay_list, name="long_stay_list"),
    path("long-stays/new/", long_stay_create, name="long_stay_create"),
    path("long-stays/<int:pk>/", long_stay_detail, name="long_stay_detail"),
    path("long-stays/<int:pk>/edit/", long_stay_edit, name="long_stay_edit"),
    path("long-stays/<int:pk>/progress/", long_stay_progress, name="long_stay_progress"),
    path("long-stays/<int:pk>/summary/", long_stay_summary, name="long_stay_summary"),
    path("long-stays/<int:pk>/move/<slug:move>/", long_stay_move, name="long_stay_move"),
]
