"""The trip application page (create and edit), its live rule check and its people search.

One page holds the trip's fields, the delegation, the itinerary and the budget (formsets), the links and the
uploads. "Add a row" works without JavaScript (a submit button that re-renders the page with one more empty
row) and with it (a row cloned from the formset's empty form). A save goes through ``services.trips``; a stale
edit shows what changed meanwhile; every error keeps what the user typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meridian.agreements.models import Agreement
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.partners.models import Partner
from meridian.reference.models import Institution
from meridian.travel import permissions
from meridian.travel.forms import (
    BudgetFormSet,
    ItineraryFormSet,
    MemberFormSet,
    TripForm,
    budget_initial,
    budget_rows,
    itinerary_initial,
    itinerary_rows,
    member_initial,
    member_rows,
)
from meridian.travel.models import Trip
from meridian.travel.selectors import trips as selectors
from meridian.travel.services import trips as services

JUSTIFICATION_PREFIX = "justification-"
FALLBACK_RESULTS_TEMPLATE = "travel/trips/_rule_results_fallback.html"


def rule_results_template() -> str:
    """The rule pack's results partial, or a plain list while the rule pack is not installed."""
    try:
        get_template("travel/_rule_results.html")
    except TemplateDoesNotExist:
        return FALLBACK_RESULTS_TEMPLATE
    return "travel/_rule_results.html"


def check_rules(
    *, fields: dict, members: list, itinerary: list, budget: list, trip: Trip | None
) -> list[dict]:
    """``rules.check_data`` on what the form holds now; [] while the rule pack does not offer it."""
    from meridian.travel import rules

    check_data = getattr(rules, "check_data", None)
    if check_data is None:
        return []
    return list(check_data(fields=fields, members=members, itinerary=itinerary, budget=budget, trip=trip))


# --- building the page's forms -----------------------------------------------------------------------------


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _plan_lines(data: QueryDict | None, trip: Trip | None):
    """Plan-line choices for the unit, year and region the page holds now (or the trip's)."""
    unit_id: int | None = None
    year: int | None = None
    region: str | None = None
    if trip is not None:
        unit_id, year, region = trip.unit_id, trip.depart_on.year, trip.region
    if data is not None:
        unit = str(data.get("unit") or "")
        unit_id = int(unit) if unit.isdigit() else unit_id
        depart = _parse_date(str(data.get("depart_on") or ""))
        year = depart.year if depart else year
        region = str(data.get("region") or "") or region
    return selectors.plan_line_choices(unit_id=unit_id, year=year, region=region)


def _with_extra_row(data: QueryDict, prefix: str) -> QueryDict:
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    total = int(data.get(key) or 0) if str(data.get(key) or "0").isdigit() else 0
    data[key] = str(total + 1)
    return data


class Page:
    """The application page's forms for ``user`` (``trip`` None when filing a new one)."""

    def __init__(
        self, request: HttpRequest, trip: Trip | None, data: QueryDict | None = None, files=None
    ) -> None:
        user = request.user
        self.trip = trip
        self.files = files
        self.people = selectors.member_people(user=user, trip=trip)
        partners = Partner.objects.visible_to(user).order_by("name")
        agreements = Agreement.objects.visible_to(user).order_by("number")
        form_kwargs: dict[str, Any] = {
            "units": selectors.filing_units(user=user),
            "applicants": selectors.filing_applicants(user=user),
            "partners": partners,
            "agreements": agreements,
            "plan_lines": _plan_lines(data, trip),
        }
        if data is None:
            initial = {}
            if trip is None:
                initial = {"applicant": user.pk}
                units = list(form_kwargs["units"][:2])
                if len(units) == 1:
                    initial["unit"] = units[0].pk
            self.form = TripForm(instance=trip, initial=initial, **form_kwargs)
            self.members = MemberFormSet(
                initial=member_initial(trip) if trip else None,
                prefix="members",
                form_kwargs={"people": self.people},
            )
            self.itinerary = ItineraryFormSet(
                initial=itinerary_initial(trip) if trip else None, prefix="itinerary"
            )
            self.budget = BudgetFormSet(initial=budget_initial(trip) if trip else None, prefix="budget")
        else:
            self.form = TripForm(data, files, instance=trip, **form_kwargs)
            self.members = MemberFormSet(data, prefix="members", form_kwargs={"people": self.people})
            self.itinerary = ItineraryFormSet(data, prefix="itinerary")
            self.budget = BudgetFormSet(data, prefix="budget")
        self.section_errors: dict[str, list[str]] = {}
        self.stale: StaleEditError | None = None
        self.rule_results: list[dict] = list(trip.rule_results or []) if trip else []
        self.justifications: dict[str, str] = dict(trip.justifications or {}) if trip else {}
        if data is not None:
            for key, value in data.items():
                if key.startswith(JUSTIFICATION_PREFIX):
                    code = key[len(JUSTIFICATION_PREFIX) :]
                    self.justifications[code] = str(value).strip()

    @property
    def formsets(self) -> list:
        return [self.members, self.itinerary, self.budget]

    def is_valid(self) -> bool:
        results = [self.form.is_valid()] + [fs.is_valid() for fs in self.formsets]
        return all(results)

    def quiet(self) -> None:
        """Show the page as typed without complaining (after "add a row")."""
        # Pre-set (empty) error caches, so that rendering does not validate the unfinished page.
        setattr(self.form, "_errors", ErrorDict())  # noqa: B010
        for formset in self.formsets:
            setattr(formset, "_errors", [])  # noqa: B010
            setattr(formset, "_non_form_errors", ErrorList())  # noqa: B010
            for sub in formset.forms:
                setattr(sub, "_errors", ErrorDict())  # noqa: B010

    def fields(self) -> dict[str, Any]:
        """The Trip fields the page holds (only those that are valid so far, for the live check)."""
        data = getattr(self.form, "cleaned_data", {})
        if self.form.is_valid():
            fields = self.form.service_fields()
        else:
            fields = {k: v for k, v in data.items() if k in TripForm.Meta.fields}
            if "registry_institution" in data:
                fields["inviter_institution"] = data["registry_institution"]
        fields["justifications"] = {k: v for k, v in self.justifications.items() if v}
        if self.files and self.files.get("invitation"):
            fields["has_invitation"] = True
        return fields

    def rows(self) -> dict[str, list]:
        for formset in self.formsets:
            formset.is_valid()  # cleans every row; invalid rows are left out below
        return {
            "members": member_rows(self.members),
            "itinerary": itinerary_rows(self.itinerary),
            "budget": budget_rows(self.budget),
        }

    def recheck(self) -> None:
        self.rule_results = check_rules(fields=self.fields(), trip=self.trip, **self.rows())

    def attach(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.form.add_error(None, exc.messages)
            return
        for name, errors in exc.message_dict.items():
            if name in ("members", "itinerary", "budget"):
                self.section_errors.setdefault(name, []).extend(errors)
            elif name == "inviter_institution":
                self.form.add_error("registry_institution", errors)
            elif name in self.form.fields:
                self.form.add_error(name, errors)
            else:
                self.form.add_error(None, errors)

    def justification_rows(self) -> list[dict]:
        """Rules that ask for a written justification and fail now, with what is written so far."""
        rows = []
        for result in self.rule_results:
            if result.get("severity") == "justify" and result.get("outcome") == "fail":
                code = result.get("code", "")
                rows.append({"result": result, "code": code, "text": self.justifications.get(code, "")})
        return rows

    def context(self) -> dict[str, Any]:
        return {
            "trip": self.trip,
            "form": self.form,
            "members": self.members,
            "itinerary": self.itinerary,
            "budget": self.budget,
            "section_errors": self.section_errors,
            "stale": self.stale,
            "rule_results": self.rule_results,
            "rule_results_template": rule_results_template(),
            "justification_rows": self.justification_rows(),
            "registry_choice": self.registry_choice(),
        }

    def registry_choice(self):
        """The registry institution the page holds now (to show its name next to the hidden choice)."""
        value = self.form["registry_institution"].value()
        if value in (None, ""):
            return None
        if str(value).isdigit():
            return Institution.objects.filter(pk=value).first()
        return None


def _save(request: HttpRequest, page: Page) -> Trip:
    """Create or update the trip and add the chosen files, all or nothing."""
    user = request.user
    fields = page.form.service_fields()
    fields["justifications"] = {k: v for k, v in page.justifications.items() if v}
    links = {
        "partners": list(page.form.cleaned_data.get("partners") or []),
        "agreements": list(page.form.cleaned_data.get("agreements") or []),
    }
    rows = page.rows()
    with transaction.atomic():
        if page.trip is None:
            trip = services.trip_create(actor=user, **rows, **links, **fields)
        else:
            trip = services.trip_update(
                trip=page.trip,
                actor=user,
                expected_version=page.form.cleaned_data.get("version"),
                **rows,
                **links,
                **fields,
            )
        for kind, uploaded in page.form.uploads():
            try:
                services.trip_file_add(trip=trip, actor=user, kind=kind, uploaded=uploaded)
            except DomainError as exc:
                name = next(n for n, k in _upload_fields().items() if k == kind)
                raise ValidationError({name: [exc.message]}) from exc
    return trip


def _upload_fields() -> dict[str, str]:
    from meridian.travel.forms import UPLOAD_KINDS

    return dict(UPLOAD_KINDS)


def _handle(request: HttpRequest, trip: Trip | None) -> HttpResponse:
    if request.method != "POST":
        page = Page(request, trip)
        return render(request, "travel/trips/form.html", page.context())
    data = request.POST
    added = request.POST.get("add_row", "")
    if added in ("members", "itinerary", "budget"):
        page = Page(request, trip, _with_extra_row(data, added), request.FILES)
        page.quiet()
        return render(request, "travel/trips/form.html", page.context())
    page = Page(request, trip, data, request.FILES)
    if page.is_valid():
        try:
            saved = _save(request, page)
        except StaleEditError as exc:
            page.stale = exc
            # Keep the user's values; saving again deliberately applies them over the current version.
            kept = request.POST.copy()
            kept["version"] = str(exc.current_version)
            page.form.data = kept
        except ValidationError as exc:
            page.attach(exc)
        except PermissionDeniedError as exc:
            page.form.add_error(None, exc.message)
        except DomainError as exc:
            page.form.add_error(None, exc.message)
        else:
            if trip is None:
                messages.success(request, _("Trip %(number)s filed as a draft.") % {"number": saved.number})
            else:
                messages.success(request, _("Trip %(number)s saved.") % {"number": saved.number})
            return redirect(saved)
    page.recheck()
    return render(request, "travel/trips/form.html", page.context(), status=200)


@login_required
def trip_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_trip(request.user):
        raise PermissionDenied(_("You may not file official trips."))
    return _handle(request, None)


def _editable(request: HttpRequest, pk: int) -> Trip:
    try:
        trip = selectors.trip_get(user=request.user, pk=pk)
    except Trip.DoesNotExist as exc:
        raise Http404 from exc
    return trip


@login_required
def trip_edit(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _editable(request, pk)
    if not permissions.can_edit_trip(request.user, trip):
        messages.error(
            request,
            _("This trip can be edited only while it is a draft, by its applicant, unit or the office."),
        )
        return redirect(trip)
    return _handle(request, trip)


@login_required
@require_POST
def trip_check(request: HttpRequest) -> HttpResponse:
    """The live rule check: the application form as it is now (posted by htmx) -> the rule results."""
    if not permissions.can_create_trip(request.user):
        raise PermissionDenied(_("You may not file official trips."))
    trip = None
    trip_id = request.POST.get("trip_id", "")
    if trip_id:
        if not trip_id.isdigit():
            raise Http404
        trip = _editable(request, int(trip_id))
        if not permissions.can_edit_trip(request.user, trip):
            raise PermissionDenied(_("This trip can no longer be edited."))
    page = Page(request, trip, request.POST)
    page.form.is_valid()
    page.recheck()
    return render(request, "travel/trips/_check.html", {**page.context(), "live": True})


@login_required
@require_GET
def trip_people(request: HttpRequest) -> HttpResponse:
    """Options of the delegation's person select narrowed by a name (htmx); only people the user may see."""
    if not permissions.can_create_trip(request.user):
        raise PermissionDenied(_("You may not file official trips."))
    query, selected = "", ""
    for key, raw in request.GET.items():
        value = str(raw).strip()
        if key == "q" or key.endswith("person_search"):
            query = value[:100]
        elif key.endswith("-person") and value.isdigit():
            selected = value
    visible = selectors.member_people(user=request.user)
    people = list(selectors.member_people(user=request.user, query=query)[:50])
    if selected and all(str(p.pk) != selected for p in people):
        # Keep the row's current choice selectable while the user searches.
        people = list(visible.filter(pk=selected)) + people
    return render(
        request, "travel/trips/_people_options.html", {"people": people, "selected": selected, "query": query}
    )
