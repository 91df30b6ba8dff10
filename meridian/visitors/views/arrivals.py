"""Pages of guests' arrival and accommodation registration: the registrations list (office, leadership, unit
secretaries), a guest's arrival page (record or correct the arrival, a move, a new passport or visa; record
or waive registrations), the printable data sheet for the police's registration app, and the arrivals panel
of the visit page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.visitors import permissions
from meridian.visitors.choices import AccommodationKind, RegistrationState
from meridian.visitors.models import AccommodationRegistration, Visit, VisitGuest
from meridian.visitors.panels import VisitPanel, register_visit_panel
from meridian.visitors.selectors import arrivals as selectors
from meridian.visitors.services import arrivals as services

PAGE_SIZE = 50
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

# --- forms --------------------------------------------------------------------------------------------------


class _ActionForm(forms.Form):
    """A form of the guest's arrival page; the page holds several, so ids carry the action's name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.base_fields['action'].initial}-%s")
        super().__init__(*args, **kwargs)


class ArrivalForm(_ActionForm):
    action = forms.CharField(widget=forms.HiddenInput, initial="arrival")
    arrived_at = forms.DateTimeField(
        label=gettext_lazy("Arrived (local time)"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    accommodation = forms.ChoiceField(
        label=pgettext_lazy("where guests stay", "Accommodation"), choices=AccommodationKind.choices
    )
    address = forms.CharField(
        label=gettext_lazy("Address where the guest stays"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "Required on campus and in a private residence (it goes on the police sheet)."
        ),
    )


class MoveForm(_ActionForm):
    action = forms.CharField(widget=forms.HiddenInput, initial="move")
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("Moved (local time)"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    accommodation = forms.ChoiceField(
        label=gettext_lazy("New accommodation"), choices=AccommodationKind.choices
    )
    address = forms.CharField(label=gettext_lazy("New address"), max_length=300, required=False)


class NewDocumentForm(_ActionForm):
    action = forms.CharField(widget=forms.HiddenInput, initial="document")
    occurred_on = forms.DateField(
        label=gettext_lazy("New passport or visa obtained on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DoneForm(forms.Form):
    registered_at = forms.DateTimeField(
        label=gettext_lazy("Registered (local time)"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    receipt_number = forms.CharField(
        label=gettext_lazy("Registration receipt number"), max_length=60, required=False
    )


class WaiveForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is not needed"), max_length=300)


FORMS: dict[str, type[forms.Form]] = {"arrival": ArrivalForm, "move": MoveForm, "document": NewDocumentForm}

# --- helpers ------------------------------------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages with guests' personal data are never kept by browsers or proxies."""
    response["Cache-Control"] = "private, no-store"
    return response


def _attach(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _guest(request: HttpRequest, pk: int, guest_pk: int) -> VisitGuest:
    """The guest of a visit the user may see (404 otherwise) and may handle (403 otherwise)."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=pk)
    guest = get_object_or_404(VisitGuest.objects.select_related("person", "visit"), pk=guest_pk, visit=visit)
    if not permissions.can_handle_visit(request.user, visit):
        raise PermissionDenied(
            _("Only the host, the host unit's secretaries and the International Office record arrivals.")
        )
    return guest


def _registration(request: HttpRequest, pk: int) -> AccommodationRegistration:
    try:
        return selectors.registration_get(user=request.user, pk=pk)
    except AccommodationRegistration.DoesNotExist as exc:
        from django.http import Http404

        raise Http404 from exc


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _guest_url(guest: VisitGuest) -> str:
    return reverse("visitors:guest_arrival", args=[guest.visit_id, guest.pk])


def _guest_detail_url(guest: VisitGuest) -> str:
    try:
        return reverse("visitors:guest_detail", args=[guest.visit_id, guest.pk])
    except NoReverseMatch:
        return ""


def _stay_initial(guest: VisitGuest) -> dict[str, Any]:
    """Where the guest stays: their latest registration's place, else the visit's."""
    latest = guest.registrations.exclude(reason="new_document").order_by("-occurred_at", "-pk").first()
    if latest is not None:
        return {"accommodation": latest.accommodation, "address": latest.address}
    return {"accommodation": guest.visit.accommodation, "address": guest.visit.accommodation_address}


# --- the guest's arrival page -------------------------------------------------------------------------------


def _guest_page(
    request: HttpRequest,
    guest: VisitGuest,
    bound: forms.Form | None = None,
    *,
    done: tuple[int, forms.Form] | None = None,
    waive: tuple[int, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    visit = guest.visit
    stay = _stay_initial(guest)
    arrival_initial = {
        "arrived_at": timezone.localtime(guest.arrived_at).strftime("%Y-%m-%dT%H:%M")
        if guest.arrived_at
        else _now_local(),
        **stay,
    }
    page_forms: dict[str, forms.Form] = {
        "arrival": ArrivalForm(initial=arrival_initial),
        "move": MoveForm(initial={"occurred_at": _now_local(), **stay}),
        "document": NewDocumentForm(initial={"occurred_on": timezone.localdate()}),
    }
    if bound is not None:
        page_forms[bound["action"].value()] = bound
    now = timezone.now()
    registrations = []
    for registration in guest.registrations.order_by("-occurred_at", "-pk"):
        done_form = (
            done[1]
            if done and done[0] == registration.pk
            else DoneForm(initial={"registered_at": _now_local()})
        )
        waive_form = waive[1] if waive and waive[0] == registration.pk else WaiveForm()
        registrations.append(
            {
                "registration": registration,
                "overdue": services.is_overdue(registration, now),
                "done_form": done_form,
                "waive_form": waive_form,
            }
        )
    context = {
        "visit": visit,
        "guest": guest,
        "registrations": registrations,
        "forms": page_forms,
        "can_record_arrival": visit.state in services.ARRIVAL_STATES,
        "in_china": visit.state in services.IN_CHINA_STATES and guest.arrived_at is not None,
        "can_waive": permissions.acts_for_unit(request.user, visit.host_unit_id),
        "can_sheet": permissions.can_see_guest_data(request.user, visit),
        "registration_hours": services.registration_hours(),
        "guest_detail_url": _guest_detail_url(guest),
    }
    return _no_store(render(request, "visitors/arrivals/guest.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def guest_arrival(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    """Record or correct a guest's arrival and where they stay; record a move or a new passport or visa."""
    guest = _guest(request, pk, guest_pk)
    if request.method != "POST":
        return _guest_page(request, guest)
    action = request.POST.get("action", "")
    if action not in FORMS:
        messages.error(request, _("Choose what to record."))
        return redirect(_guest_url(guest))
    form = FORMS[action](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "arrival":
                services.guest_arrival_record(
                    guest=guest,
                    arrived_at=data["arrived_at"],
                    accommodation=data["accommodation"],
                    address=data["address"],
                    actor=request.user,
                )
                messages.success(
                    request, _("The arrival of %(guest)s is recorded.") % {"guest": guest.person}
                )
            elif action == "move":
                services.guest_address_change_record(
                    guest=guest,
                    occurred_at=data["occurred_at"],
                    accommodation=data["accommodation"],
                    address=data["address"],
                    actor=request.user,
                )
                messages.success(request, _("The move is recorded; register the new address."))
            else:
                services.guest_new_document_record(
                    guest=guest, occurred_on=data["occurred_on"], actor=request.user
                )
                messages.success(request, _("The new document is recorded; register it within 10 days."))
            return redirect(_guest_url(guest))
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
    guest.refresh_from_db()
    return _guest_page(request, guest, form, status=400)


@login_required
@require_POST
def registration_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a registration was made with the police (time and receipt number)."""
    registration = _registration(request, pk)
    guest = registration.guest
    if not permissions.can_handle_visit(request.user, guest.visit):
        raise PermissionDenied(
            _("Only the host, the host unit's secretaries and the International Office record registrations.")
        )
    form = DoneForm(request.POST)
    if form.is_valid():
        try:
            services.registration_mark_done(
                registration=registration,
                registered_at=form.cleaned_data["registered_at"],
                receipt_number=form.cleaned_data["receipt_number"],
                actor=request.user,
            )
            messages.success(
                request, _("The registration of %(guest)s is recorded.") % {"guest": guest.person}
            )
            return redirect(_next_url(request, _guest_url(guest)))
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return _guest_page(request, guest, done=(registration.pk, form), status=400)


@login_required
@require_POST
def registration_waive(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an open registration as not needed, with the reason (host unit's secretaries and the office)."""
    registration = _registration(request, pk)
    guest = registration.guest
    if not permissions.acts_for_unit(request.user, guest.visit.host_unit_id):
        raise PermissionDenied(
            _("Only the host unit's secretaries and the International Office waive a registration.")
        )
    form = WaiveForm(request.POST)
    if form.is_valid():
        try:
            services.registration_waive(
                registration=registration, reason=form.cleaned_data["reason"], actor=request.user
            )
            messages.success(request, _("The registration is marked as not needed."))
            return redirect(_next_url(request, _guest_url(guest)))
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return _guest_page(request, guest, waive=(registration.pk, form), status=400)


# --- the registrations list ---------------------------------------------------------------------------------


def _labelled(label: str, error: str) -> str:
    """ "State: …" as one translated phrase (full-width colon in Chinese)."""
    return _("%(label)s: %(error)s") % {"label": label, "error": error} if label else error


def _filter_errors(filterset: selectors.RegistrationFilter) -> list[str]:
    """Each invalid filter's error, with the filter's label."""
    form = filterset.form
    rows: list[str] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend(_labelled(label, str(error)) for error in errors)
    return rows


def _page_error(value: str | None) -> str | None:
    """The list's ``page`` must be a whole number from 1 (a page past the last shows the last)."""
    if value in (None, ""):
        return None
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        return _labelled(_("Page"), _("Enter a whole number from 1."))
    return None


@login_required
@require_GET
def registrations(request: HttpRequest) -> HttpResponse:
    """Registrations of the visits the user may see (office, leadership, unit secretaries), open ones first;
    filtered by state, reason, host unit and overdue (``selectors.RegistrationFilter``). An invalid filter or
    page number lists nothing and says so."""
    user = request.user
    if not permissions.can_see_registrations(user):
        raise PermissionDenied
    filterset = selectors.RegistrationFilter(
        request.GET or None, queryset=selectors.registration_list(user=user), user=user
    )
    valid = not filterset.is_bound or filterset.is_valid()
    errors = [] if valid else _filter_errors(filterset)
    page_error = _page_error(request.GET.get("page"))
    if page_error:
        errors.append(page_error)
    queryset = filterset.qs if filterset.is_bound and valid else filterset.queryset
    if errors:
        queryset = queryset.none()
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(None if page_error else request.GET.get("page"))
    now = timezone.now()
    rows = []
    for registration in page_obj.object_list:
        visit = registration.guest.visit
        rows.append(
            {
                "registration": registration,
                "visit": visit,
                "overdue": services.is_overdue(registration, now),
                "can_handle": registration.state == RegistrationState.OPEN
                and permissions.can_handle_visit(user, visit),
                "can_sheet": permissions.can_see_guest_data(user, visit),
            }
        )
    context = {
        "filter": filterset,
        "filter_errors": errors,
        "page_obj": page_obj,
        "rows": rows,
        "now_local": _now_local(),
    }
    return render(request, "visitors/arrivals/list.html", context)


# --- the police data sheet ----------------------------------------------------------------------------------


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _sheet_sections(
    registration: AccommodationRegistration, documents: dict[str, Any], numbers: dict[str, str]
) -> list[dict[str, Any]]:
    """The police sheet's sections, each ``{"title", "rows": [(label, value)]}`` with lazy labels (the page
    shows them in both languages); an empty value leaves a line to fill in by hand."""
    guest = registration.guest
    person, visit = guest.person, guest.visit
    passport, visa = documents["passport"], documents["visa"]
    host_person = getattr(visit.host, "person", None)
    document_type = pgettext_lazy("identity document", "Document type")
    accommodation = pgettext_lazy("where guests stay", "Accommodation")
    return [
        {
            "title": gettext_lazy("Guest"),
            "rows": [
                (gettext_lazy("Family name (as in the passport)"), person.family_name.upper()),
                (gettext_lazy("Given names"), person.given_name),
                (gettext_lazy("Name in Chinese"), person.name_zh),
                (gettext_lazy("Gender"), person.get_gender_display() if person.gender else ""),
                (gettext_lazy("Date of birth"), _day(person.birth_date)),
                (gettext_lazy("Nationality"), person.nationality.name if person.nationality else ""),
            ],
        },
        {
            "title": gettext_lazy("Passport"),
            "rows": [
                (document_type, passport.get_kind_display() if passport else ""),
                (gettext_lazy("Document number"), numbers.get("passport", "")),
                (gettext_lazy("Issuing country"), passport.issuing_country.name if passport else ""),
                (gettext_lazy("Date of expiry"), _day(passport.expiry_date) if passport else ""),
            ],
        },
        {
            "title": gettext_lazy("Visa or residence permit"),
            "rows": [
                (pgettext_lazy("identity document", "Type"), visa.get_kind_display() if visa else ""),
                (pgettext_lazy("identity document", "Number"), numbers.get("visa", "")),
                (gettext_lazy("Valid until"), _day(visa.expiry_date) if visa else ""),
            ],
        },
        {
            "title": pgettext_lazy("where guests stay", "Stay"),
            "rows": [
                (gettext_lazy("Reason for registering"), registration.get_reason_display()),
                (
                    gettext_lazy("Entered China"),
                    " · ".join(p for p in (_day(guest.arrival_date), guest.arrival_port) if p),
                ),
                (gettext_lazy("Arrived at the accommodation"), _time(registration.occurred_at)),
                (accommodation, registration.get_accommodation_display()),
                (gettext_lazy("Address"), registration.address),
                (gettext_lazy("Planned departure"), _day(guest.departure_date or visit.depart_on)),
                (gettext_lazy("Register by"), _time(registration.due_at)),
            ],
        },
        {
            "title": pgettext_lazy("police sheet section", "Host"),
            "rows": [
                (gettext_lazy("Host unit"), visit.host_unit.name),
                (gettext_lazy("Host"), str(visit.host)),
                (gettext_lazy("Contact e-mail"), visit.host.email),
                (gettext_lazy("Contact phone"), getattr(host_person, "phone", "") if host_person else ""),
                (gettext_lazy("Visit"), f"{visit.number} {visit.title}"),
            ],
        },
    ]


@login_required
@require_GET
def police_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable sheet with what the police's accommodation-registration app asks for. Shows the full
    passport and visa numbers, each read logged in the people access log with its purpose; only for those who
    may see guests' data (404 for visits the user may not see, 403 for those who see the visit only)."""
    registration = _registration(request, pk)
    guest = registration.guest
    visit = guest.visit
    if not permissions.can_see_guest_data(request.user, visit):
        raise PermissionDenied(_("Only those who handle the visit see the guests' personal data."))
    documents = selectors.guest_travel_documents(person=guest.person)
    purpose = _("Accommodation registration with the police, visit %(number)s") % {"number": visit.number}
    numbers: dict[str, str] = {}
    for key, document in documents.items():
        if document is not None:
            try:
                numbers[key] = services.guest_document_reveal(
                    guest=guest,
                    document=document,
                    actor=request.user,
                    purpose=purpose,
                    ip=_client_ip(request),
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
    context = {
        "registration": registration,
        "guest": guest,
        "visit": visit,
        "sections": _sheet_sections(registration, documents, numbers),
        "printed_at": timezone.localtime(),
    }
    return _no_store(render(request, "visitors/arrivals/police_sheet.html", context))


# --- the visit page's panel ---------------------------------------------------------------------------------

PANEL_STATES = (*services.ARRIVAL_STATES, "closed")


def arrivals_panel(request: HttpRequest, visit: Visit) -> dict[str, Any] | None:
    """Each guest's arrival and registrations (due time, state), for visits from approval on; addresses and
    buttons only for those who handle the visit."""
    if visit.state not in PANEL_STATES:
        return None
    user = request.user
    from meridian.visitors.deadlines import EXPECTING_STATES

    rows = selectors.visit_arrivals(visit=visit)
    expected_passed = (
        visit.state in EXPECTING_STATES
        and visit.arrive_on < timezone.localdate()
        and any(row["guest"].arrived_at is None for row in rows)
    )
    return {
        "arrivals_visit": visit,
        "arrival_rows": rows,
        "arrivals_can_handle": permissions.can_handle_visit(user, visit)
        and visit.state in services.ARRIVAL_STATES,
        "arrivals_can_sheet": permissions.can_see_guest_data(user, visit),
        "arrivals_expected_passed": expected_passed,
        "arrivals_hours": services.registration_hours(),
    }


register_visit_panel(VisitPanel("arrivals", 30, "visitors/arrivals/_panel.html", arrivals_panel))


urlpatterns = [
    path("registrations/", registrations, name="registrations"),
    path("<int:pk>/guests/<int:guest_pk>/arrival/", guest_arrival, name="guest_arrival"),
    path("registrations/<int:pk>/done/", registration_done, name="registration_done"),
    path("registrations/<int:pk>/waive/", registration_waive, name="registration_waive"),
    path("registrations/<int:pk>/police-sheet/", police_sheet, name="police_sheet"),
]
