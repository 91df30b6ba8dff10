"""Visit pages: the list (filters, export), filing and editing a visit (guests, programme, budget), the visit
page with its lifecycle, panels, files and visit note, and the office's referral to a university leader.

Every view asks ``Visit.objects.visible_to`` (through ``selectors.visits``): a visit the user may not see is
answered with 404, whatever the reason. Guests' personal data is not shown here: the guests panel
(``views/guests.py``) shows it to those who may see it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict, ErrorList
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meridian.accounts.permissions import can_read_university
from meridian.agreements.models import Agreement
from meridian.clocks.permissions import can_view_deadlines
from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.core.spreadsheet import export_response
from meridian.partners.models import Partner
from meridian.reference.models import Institution
from meridian.visitors import permissions
from meridian.visitors.filters import VisitFilter
from meridian.visitors.forms import (
    FORMSETS,
    BudgetFormSet,
    EscalateForm,
    GuestFormSet,
    ProgrammeFormSet,
    VisitFileForm,
    VisitForm,
    VisitNoteForm,
    budget_initial,
    budget_rows,
    guest_initial,
    guest_rows,
    programme_initial,
    programme_rows,
)
from meridian.visitors.models import Visit, VisitFile
from meridian.visitors.panels import visit_panels
from meridian.visitors.selectors import visits as selectors
from meridian.visitors.services import visits as services

PAGE_SIZE = 25
JUSTIFICATION_PREFIX = "justification-"
INLINE_TYPES = ("image/png", "image/jpeg")


def can_open_visit_list(user) -> bool:
    """The list (and its export): the office, leadership, and the university's staff who file or host."""
    return can_read_university(user) or permissions.can_create_visit(user)


def _list_guard(request: HttpRequest) -> None:
    if not can_open_visit_list(request.user):
        raise PermissionDenied(_("Visits are not available to you."))


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


# --- the list -----------------------------------------------------------------------------------------------


def filtered_visits(request: HttpRequest, queryset=None) -> VisitFilter:
    """The list, the export and the API share this: visible visits narrowed by ``VisitFilter``."""
    if queryset is None:
        queryset = selectors.visit_list(user=request.user)
    return VisitFilter(request.GET or None, queryset=queryset, request=request)


def filtered_rows(filterset: VisitFilter) -> tuple[Any, bool]:
    """The rows to show: the filtered visits, or none when a filter value is invalid (its error is shown)."""
    if not filterset.is_bound:
        return filterset.queryset, True
    if filterset.is_valid():
        return filterset.qs, True
    return filterset.queryset.none(), False


def filter_errors(filterset: VisitFilter) -> list[tuple[str, str]]:
    """``(field label, message)`` for every invalid filter value."""
    form = filterset.form
    rows: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        rows.extend((label, str(error)) for error in errors)
    return rows


def _sort_columns(current: str) -> list[dict[str, str]]:
    labels = {"arrive_on": _("Dates"), "number": _("Number"), "state": _("State")}
    return [
        {
            "key": key,
            "label": label,
            "direction": "asc" if current == key else "desc" if current == f"-{key}" else "",
            "next": f"-{key}" if current == key else key,
        }
        for key, label in labels.items()
    ]


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    _list_guard(request)
    filterset = filtered_visits(request)
    queryset, valid = filtered_rows(filterset)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"visit": v, **selectors.guest_summary(v)} for v in page_obj.object_list]
    context = {
        "filter": filterset,
        "filter_valid": valid,
        "filter_errors": [] if valid else filter_errors(filterset),
        "page_obj": page_obj,
        "rows": rows,
        "mine": request.GET.get("mine") in ("1", "true", "True", "on"),
        "columns": _sort_columns(request.GET.get("ordering", "")),
        "can_create": permissions.can_create_visit(request.user),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "results":
        return render(request, "visitors/visits/_results.html", context)
    return render(request, "visitors/visits/list.html", context)


def export_headers() -> list[str]:
    return [
        _("Number"),
        _("Name of the visit"),
        _("State"),
        _("Category"),
        _("Host unit"),
        _("Host"),
        _("Guests' organisation"),
        _("Guests"),
        _("Arrival date"),
        _("Departure date"),
        _("Days"),
        _("Visa invitation"),
    ]


def export_rows(queryset) -> list[list[object]]:
    rows: list[list[object]] = []
    for v in queryset:
        rows.append(
            [
                v.number,
                v.title,
                v.get_state_display(),
                v.get_category_display(),
                v.host_unit.name,
                v.host.get_full_name() or v.host.username,
                v.organisation_name,
                len(getattr(v, "guest_rows", [])),
                v.arrive_on,
                v.depart_on,
                v.days,
                v.get_invitation_kind_display(),
            ]
        )
    return rows


@login_required
@require_GET
def visit_export(request: HttpRequest) -> HttpResponse:
    """CSV or XLSX of the filtered list: only visits the user may see, the same filters as the page. Guests
    are counted, not named (their names are personal data)."""
    _list_guard(request)
    filterset = filtered_visits(request)
    rows, valid = filtered_rows(filterset)
    if not valid:
        errors = "; ".join(f"{label}: {error}" for label, error in filter_errors(filterset))
        return HttpResponse(
            _("The filters are not valid: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    fmt = request.GET.get("format") or "csv"
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(
            _("“%(value)s” is not an export format: choose csv or xlsx.") % {"value": fmt},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    stamp = timezone.localdate().isoformat()
    return export_response(
        fmt=fmt, filename=f"visits-{stamp}", headers=export_headers(), rows=export_rows(rows)
    )


# --- the filing form ----------------------------------------------------------------------------------------


def _with_extra_row(data: QueryDict, prefix: str) -> QueryDict:
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    raw = str(data.get(key) or "0")
    data[key] = str((int(raw) if raw.isdigit() else 0) + 1)
    return data


class Page:
    """The filing page's form and formsets for ``request.user`` (``visit`` None when filing a new one)."""

    def __init__(self, request: HttpRequest, visit: Visit | None, data: QueryDict | None = None) -> None:
        user = request.user
        self.user = user
        self.visit = visit
        people = selectors.guest_people(user=user, visit=visit)
        partners = Partner.objects.visible_to(user).order_by("name")
        kwargs: dict[str, Any] = {
            "units": selectors.filing_units(user=user),
            "hosts": selectors.filing_hosts(user=user),
            "partners": partners,
            "agreements": Agreement.objects.visible_to(user).order_by("number"),
        }
        rows: dict[str, Any] = {"form_kwargs": {"people": people}}
        if data is None:
            self.form = VisitForm(instance=visit, initial=self._initial(request, kwargs, partners), **kwargs)
            self.guests = GuestFormSet(
                initial=guest_initial(visit) if visit else None, prefix="guests", **rows
            )
            self.programme = ProgrammeFormSet(
                initial=programme_initial(visit) if visit else None, prefix="programme"
            )
            self.budget = BudgetFormSet(initial=budget_initial(visit) if visit else None, prefix="budget")
        else:
            self.form = VisitForm(data, instance=visit, **kwargs)
            self.guests = GuestFormSet(data, prefix="guests", **rows)
            self.programme = ProgrammeFormSet(data, prefix="programme")
            self.budget = BudgetFormSet(data, prefix="budget")
        self.section_errors: dict[str, list[str]] = {}
        self.stale: StaleEditError | None = None
        self.justifications: dict[str, str] = dict(visit.justifications or {}) if visit else {}
        for key, value in (data or {}).items():
            if key.startswith(JUSTIFICATION_PREFIX):
                self.justifications[key[len(JUSTIFICATION_PREFIX) :]] = str(value).strip()

    def _initial(self, request: HttpRequest, kwargs: dict[str, Any], partners) -> dict[str, Any]:
        if self.visit is not None:
            return {}
        initial: dict[str, Any] = {"host": request.user.pk}
        units = list(kwargs["units"][:2])
        if len(units) == 1:
            initial["host_unit"] = units[0].pk
        partner = str(request.GET.get("partner") or "")
        if partner.isdigit() and partners.filter(pk=partner).exists():
            initial["guest_partner"] = int(partner)
        return initial

    @property
    def formsets(self) -> list:
        return [self.guests, self.programme, self.budget]

    def is_valid(self) -> bool:
        valid = all([self.form.is_valid()] + [fs.is_valid() for fs in self.formsets])
        valid = self._check_duplicates() and valid
        for code, text in self.justifications.items():
            for message in services.length_errors(text, services.MAX_JUSTIFICATION):
                self.form.add_error(
                    None, _("Justification “%(code)s”: %(message)s") % {"code": code, "message": message}
                )
                valid = False
        return valid

    def _check_duplicates(self) -> bool:
        """A typed new guest who matches guests on record is not created silently: the row offers those
        records to pick (``use_person``) and a "create anyway" confirmation (``allow_duplicate``)."""
        clean = True
        for i, sub in enumerate(self.guests.forms):
            data = getattr(sub, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("person") or data.get("allow_duplicate"):
                continue
            if not (data.get("family_name") or "").strip():
                continue
            new = {k: data.get(k) for k in ("family_name", "given_name", "name_zh", "nationality")}
            new["nationality"] = new["nationality"] or getattr(self.form, "cleaned_data", {}).get(
                "guest_country"
            )
            found = services.guest_duplicates(self.visit, new, self.user)
            if found:
                sub.matches = found
                sub.add_error(None, services.duplicate_message(_("Guest %(n)s") % {"n": i + 1}, found))
                clean = False
        return clean

    def quiet(self) -> None:
        """Show the page as typed without complaining (after "add a row")."""
        setattr(self.form, "_errors", ErrorDict())  # noqa: B010 - pre-set the error cache: no validation
        for formset in self.formsets:
            setattr(formset, "_errors", [])  # noqa: B010
            setattr(formset, "_non_form_errors", ErrorList())  # noqa: B010
            for sub in formset.forms:
                setattr(sub, "_errors", ErrorDict())  # noqa: B010

    def attach(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.form.add_error(None, exc.messages)
            return
        for name, errors in exc.message_dict.items():
            if name in FORMSETS:
                self.section_errors.setdefault(name, []).extend(errors)
            elif name == "guest_institution":
                self.form.add_error("registry_institution", errors)
            elif name in self.form.fields:
                self.form.add_error(name, errors)
            else:
                self.form.add_error(None, errors)

    def justification_rows(self) -> list[dict[str, Any]]:
        """Rules of the last stored check that ask for a written justification and fail."""
        rows = []
        for result in (self.visit.rule_results or []) if self.visit else []:
            if result.get("severity") == "justify" and result.get("outcome") == "fail":
                code = result.get("code", "")
                rows.append({"result": result, "code": code, "text": self.justifications.get(code, "")})
        return rows

    def registry_choice(self) -> Institution | None:
        value = self.form["registry_institution"].value()
        if value not in (None, "") and str(value).isdigit():
            return Institution.objects.filter(pk=value).first()
        return None

    def context(self) -> dict[str, Any]:
        return {
            "visit": self.visit,
            "form": self.form,
            "guests": self.guests,
            "programme": self.programme,
            "budget": self.budget,
            "section_errors": self.section_errors,
            "stale": self.stale,
            "justification_rows": self.justification_rows(),
            "registry_choice": self.registry_choice(),
        }

    def save(self, user) -> Visit:
        fields = self.form.service_fields()
        fields["justifications"] = {k: v for k, v in self.justifications.items() if v}
        lists = {
            "guests": guest_rows(self.guests),
            "programme": programme_rows(self.programme),
            "budget": budget_rows(self.budget),
            "agreements": list(self.form.cleaned_data.get("agreements") or []),
        }
        if self.visit is None:
            return services.visit_create(actor=user, **lists, **fields)
        return services.visit_update(
            visit=self.visit,
            actor=user,
            expected_version=self.form.cleaned_data.get("version"),
            **lists,
            **fields,
        )


def _handle(request: HttpRequest, visit: Visit | None) -> HttpResponse:
    template = "visitors/visits/form.html"
    if request.method != "POST":
        return render(request, template, Page(request, visit).context())
    added = request.POST.get("add_row", "")
    if added in FORMSETS:
        page = Page(request, visit, _with_extra_row(request.POST, added))
        page.quiet()
        return render(request, template, page.context())
    page = Page(request, visit, request.POST)
    if page.is_valid():
        try:
            saved = page.save(request.user)
        except StaleEditError as exc:
            page.stale = exc
            # Keep the user's values; saving again deliberately applies them over the current version.
            kept = request.POST.copy()
            kept["version"] = str(exc.current_version)
            page.form.data = kept
        except ValidationError as exc:
            page.attach(exc)
        except DomainError as exc:
            page.form.add_error(None, exc.message)
        else:
            if visit is None:
                messages.success(request, _("Visit %(number)s filed as a draft.") % {"number": saved.number})
            else:
                messages.success(request, _("Visit %(number)s saved.") % {"number": saved.number})
            return redirect(saved)
    return render(request, template, page.context())


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_visit(request.user):
        raise PermissionDenied(_("You may not file visits."))
    return _handle(request, None)


def visible_visit(request: HttpRequest, pk: int) -> Visit:
    try:
        return selectors.visit_get(user=request.user, pk=pk)
    except Visit.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visible_visit(request, pk)
    if not permissions.can_edit_visit(request.user, visit):
        messages.error(
            request, _("This visit can be edited only while it is a draft, by its host, unit or the office.")
        )
        return redirect(visit)
    return _handle(request, visit)


@login_required
@require_GET
def visit_people(request: HttpRequest) -> HttpResponse:
    """Options of a guest row's person select narrowed by a name (htmx); only people the user may name."""
    if not permissions.can_create_visit(request.user):
        raise PermissionDenied(_("You may not file visits."))
    query, selected = "", ""
    for key, raw in request.GET.items():
        value = str(raw).strip()
        if key == "q" or key.endswith("person_search"):
            query = value[:100]
        elif key.endswith("-person") and value.isdigit():
            selected = value
    visible = selectors.guest_people(user=request.user)
    people = list(selectors.guest_people(user=request.user, query=query)[:50])
    if selected and all(str(p.pk) != selected for p in people):
        people = list(visible.filter(pk=selected)) + people
    return render(request, "visitors/visits/_people_options.html", {"people": people, "selected": selected})


# --- the visit page -----------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, visit: Visit, **forms: Any) -> dict[str, Any]:
    """The visit page. Its deadlines panel (``clocks/_open_clocks.html``) lists the open clocks of the visit
    and of its guests' registrations and its lectures (``selectors.visit_obligations``), not only those whose
    subject is the visit."""
    detail = selectors.visit_detail(user=request.user, visit=visit)
    return {
        "visit": visit,
        "detail": detail,
        "clocks_now": timezone.now(),
        "clocks_link": can_view_deadlines(request.user),
        "panels": visit_panels(request, visit),
        "file_form": forms.get("file_form")
        or (VisitFileForm(auto_id="id_file_%s") if detail.can_add_file else None),
        "note_form": forms.get("note_form")
        or (
            VisitNoteForm(initial={"outcomes": visit.outcomes, "follow_up": visit.follow_up})
            if detail.can_write_note
            else None
        ),
        "escalate_form": EscalateForm(initial={"escalated": not visit.escalated})
        if detail.can_escalate
        else None,
    }


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visible_visit(request, pk)
    return render(request, "visitors/visits/detail.html", _detail_context(request, visit))


@login_required
@require_http_methods(["GET", "POST"])
def visit_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit note (outcomes, follow-up, photos), written after the guests have left. A refused input is
    shown with what was typed; nothing is stored."""
    visit = visible_visit(request, pk)
    if not permissions.can_write_visit_note(request.user, visit):
        raise PermissionDenied(_("Only the host, the host unit or the office writes the visit note."))
    if request.method != "POST":
        form = VisitNoteForm(initial={"outcomes": visit.outcomes, "follow_up": visit.follow_up})
        return render(request, "visitors/visits/note.html", {"visit": visit, "note_form": form})
    form = VisitNoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.visit_note_submit(
                visit=visit,
                actor=request.user,
                outcomes=form.cleaned_data["outcomes"],
                follow_up=form.cleaned_data["follow_up"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The visit note is saved."))
            return redirect(f"{visit.get_absolute_url()}#note")
    return render(request, "visitors/visits/note.html", {"visit": visit, "note_form": form}, status=200)


@login_required
@require_POST
def visit_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visible_visit(request, pk)
    if not permissions.can_escalate_visit(request.user, visit):
        raise PermissionDenied(_("Only the International Office refers visits to a university leader."))
    form = EscalateForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = str(form.fields[name].label) if name in form.fields else ""
            text = " ".join(str(e) for e in errors)
            messages.error(request, _("%(field)s: %(message)s") % {"field": label, "message": text})
        return redirect(visit)
    escalated = bool(form.cleaned_data.get("escalated"))
    try:
        services.visit_escalate(
            visit=visit, actor=request.user, escalated=escalated, comment=form.cleaned_data.get("comment", "")
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("The visit is referred to a university leader.")
            if escalated
            else _("The referral to a university leader is withdrawn."),
        )
    return redirect(visit)


# --- files --------------------------------------------------------------------------------------------------


def _files_url(visit: Visit) -> str:
    return f"{visit.get_absolute_url()}#files"


@login_required
@require_GET
def visit_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Only someone who may see the visit gets its files, and visa copies only those who may see the guests'
    data (``permissions.can_see_visit_file``); everyone else gets 404. Photos may be shown inline
    (``?inline=1``)."""
    visit = visible_visit(request, pk)
    record = get_object_or_404(VisitFile, pk=file_pk, visit=visit)
    if not permissions.can_see_visit_file(request.user, visit, record.kind):
        raise Http404
    inline = request.GET.get("inline") == "1" and record.content_type in INLINE_TYPES
    return private_file_response(
        record.file, content_type=record.content_type, filename=record.original_name, attachment=not inline
    )


@login_required
@require_POST
def visit_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visible_visit(request, pk)
    if not permissions.can_add_visit_file(request.user, visit):
        raise PermissionDenied(_("You may not add files to this visit now."))
    form = VisitFileForm(request.POST, request.FILES)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = str(form.fields[name].label) if name in form.fields else ""
            text = " ".join(str(e) for e in errors)
            messages.error(
                request, _("%(field)s: %(message)s") % {"field": label, "message": text} if label else text
            )
        return redirect(_files_url(visit))
    try:
        record = services.visit_file_add(
            visit=visit,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            uploaded=form.cleaned_data["file"],
            caption=form.cleaned_data["caption"],
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("%(name)s is added to the visit's files.") % {"name": record.original_name}
        )
    return redirect(_files_url(visit))


@login_required
@require_POST
def visit_file_delete(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    visit = visible_visit(request, pk)
    record = get_object_or_404(VisitFile, pk=file_pk, visit=visit)
    if not permissions.can_see_visit_file(request.user, visit, record.kind):
        raise Http404
    if not permissions.can_delete_visit_file(request.user, record):
        raise PermissionDenied(_("You may not remove this file."))
    name = record.original_name
    services.visit_file_delete(file=record, actor=request.user)
    messages.success(request, _("%(name)s is removed from the visit's files.") % {"name": name})
    return redirect(_files_url(visit))


urlpatterns = [
    path("", visit_list, name="visit_list"),
    path("export/", visit_export, name="visit_export"),
    path("new/", visit_create, name="visit_create"),
    path("people/", visit_people, name="visit_people"),
    path("<int:pk>/", visit_detail, name="visit_detail"),
    path("<int:pk>/edit/", visit_edit, name="visit_edit"),
    path("<int:pk>/note/", visit_note, name="visit_note"),
    path("<int:pk>/escalate/", visit_escalate, name="visit_escalate"),
    path("<int:pk>/files/add/", visit_file_add, name="visit_file_add"),
    path("<int:pk>/files/<int:file_pk>/", visit_file, name="visit_file"),
    path("<int:pk>/files/<int:file_pk>/delete/", visit_file_delete, name="visit_file_delete"),
]
