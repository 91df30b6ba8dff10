"""Pages of grade conversion tables and of a mobility's transcript and recognition.

``conversion_tables``: the office and school coordinators (``permissions.can_manage_conversion_tables``) keep
each partner's tables; a box tries a conversion. ``recognition``: after the student's return, our side
(``permissions.can_decide_recognition``) enters the transcript (prefilled from the approved learning
agreement, or uploads its file), converts the grades and decides each course; the student reads it; the
office and leadership read it. ``recognition_export``: the record for the student records office, XLSX or
CSV, in the reader's language.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meridian.core.downloads import private_file_response
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.spreadsheet import export_response
from meridian.mobility import permissions
from meridian.mobility.choices import ConversionBasis, MobilityFileKind, RecognitionDecision
from meridian.mobility.forms_learning import (
    ConversionTableForm,
    ConvertTryForm,
    TranscriptUploadForm,
    conversion_formset,
    result_formset,
)
from meridian.mobility.models import GradeConversionTable, Mobility, MobilityFile
from meridian.mobility.selectors import learning as selectors
from meridian.mobility.services import recognition as services
from meridian.mobility.views.learning import frame, mobility_url
from meridian.partners.models import Partner

EXPORT_FORMATS = ("xlsx", "csv")


# --- grade conversion tables -----------------------------------------------------------------------------


def _require_tables(request: HttpRequest) -> None:
    if not permissions.can_manage_conversion_tables(request.user):
        raise PermissionDenied


def _partner_choices() -> Any:
    """Partners with exchange: a mobility, a cooperation condition or a conversion table."""
    return (
        Partner.objects.filter(
            Q(mobilities__isnull=False)
            | Q(cooperation_conditions__isnull=False)
            | Q(grade_tables__isnull=False)
        )
        .distinct()
        .order_by("name")
    )


@login_required
@require_safe
def conversion_tables(request: HttpRequest) -> HttpResponse:
    """The tables per partner (``?partner=<id>`` shows one partner's, with a box to try a conversion)."""
    _require_tables(request)
    partners = _partner_choices().annotate(tables=Count("grade_tables", distinct=True))
    partner = None
    if request.GET.get("partner"):
        partner = partners.filter(pk=_int(request.GET["partner"])).first()
        if partner is None:
            raise Http404
    tables = GradeConversionTable.objects.select_related("partner", "updated_by").prefetch_related("rows")
    tables = tables.filter(partner=partner) if partner else tables.filter(active=True)
    trial: dict[str, Any] | None = None
    try_form = ConvertTryForm(request.GET if "grade" in request.GET else None)
    if partner is not None and try_form.is_bound and try_form.is_valid():
        table = services.active_table(partner_id=partner.pk)
        if table is None:
            trial = {"error": _("This partner has no table in use.")}
        else:
            try:
                trial = {
                    "grade": try_form.cleaned_data["grade"],
                    "result": services.grade_convert(
                        table=table, partner_grade=try_form.cleaned_data["grade"]
                    ),
                    "table": table,
                }
            except DomainError as exc:
                trial = {"error": exc.message}
    context = {
        "partners": partners,
        "partner": partner,
        "tables": list(tables[:200]),
        "try_form": try_form,
        "trial": trial,
    }
    return render(request, "mobility/learning/conversion_tables.html", context)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _table_page(request: HttpRequest, partner: Partner, table: GradeConversionTable | None) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        form = ConversionTableForm(request.POST)
        formset = conversion_formset(table, request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                table = services.conversion_table_save(
                    partner=partner, actor=request.user, rows=formset.rows(), table=table, **form.cleaned_data
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except (DomainError, ValidationError) as exc:
                errors = exc.messages if isinstance(exc, ValidationError) else [exc.message]
            else:
                messages.success(request, _("Table “%(name)s” saved.") % {"name": table.name})
                return redirect(f"{_url('mobility:conversion_tables')}?partner={partner.pk}")
        else:
            errors = [_("Correct the marked fields.")]
    else:
        initial = {"basis": ConversionBasis.TABLE, "active": True}
        if table is not None:
            initial = {
                "name": table.name,
                "basis": table.basis,
                "home_scale": table.home_scale,
                "valid_from": table.valid_from,
                "active": table.active,
            }
        form = ConversionTableForm(initial=initial)
        formset = conversion_formset(table)
    context = {"partner": partner, "table": table, "form": form, "formset": formset, "errors": errors}
    return render(
        request, "mobility/learning/conversion_table_form.html", context, status=400 if errors else 200
    )


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
@require_http_methods(["GET", "POST"])
def conversion_table_create(request: HttpRequest, partner_pk: int) -> HttpResponse:
    _require_tables(request)
    partner = get_object_or_404(Partner, pk=partner_pk)
    return _table_page(request, partner, None)


@login_required
@require_http_methods(["GET", "POST"])
def conversion_table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_tables(request)
    table = get_object_or_404(GradeConversionTable.objects.select_related("partner"), pk=pk)
    return _table_page(request, table.partner, table)


# --- recognition ----------------------------------------------------------------------------------------


def _recognition_mobility(request: HttpRequest, mobility_pk: int) -> tuple[Mobility, bool]:
    """The mobility and whether the reader decides (True) or only reads (False); 404 for anyone else:
    readers are the student, the office and leadership, and the partner's contacts for the transcript of an
    incoming student of theirs."""
    mobility = selectors.mobility_get(user=request.user, pk=mobility_pk)
    user = request.user
    if permissions.can_decide_recognition(user, mobility):
        return mobility, True
    if not permissions.can_read_recognition(user, mobility):
        raise Http404
    return mobility, False


def _redirect(mobility: Mobility) -> HttpResponse:
    return redirect("mobility:recognition", mobility.pk)


@login_required
@require_http_methods(["GET", "POST"])
def recognition(request: HttpRequest, mobility_pk: int) -> HttpResponse:
    """The transcript and the recognition decisions of one mobility (POST: save the rows)."""
    mobility, decides = _recognition_mobility(request, mobility_pk)
    if request.method == "POST" and not decides:
        raise PermissionDenied
    results = list(mobility.results.select_related("decided_by", "conversion_table").order_by("id"))
    editable = decides and mobility.state in services.RESULT_STATES
    errors: list[str] = []
    formset: Any = None
    if request.method == "POST":
        formset = result_formset(results, request.POST)
        if formset.is_valid():
            try:
                services.course_results_save(mobility=mobility, actor=request.user, rows=formset.rows())
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except (DomainError, ValidationError) as exc:
                errors = exc.messages if isinstance(exc, ValidationError) else [exc.message]
            else:
                messages.success(request, _("Transcript and decisions saved."))
                return _redirect(mobility)
        else:
            errors = [_("Correct the marked fields.")]
    else:
        formset = result_formset(results, extra=1 if results else 3) if editable else None
    table = services.active_table(partner_id=mobility.partner_id)
    context = {
        "frame": frame(request.user),
        "mobility": mobility,
        "results": results,
        "decides": decides,
        "editable": editable,
        "formset": formset,
        "errors": errors,
        "table": table,
        "files": list(mobility.files.filter(kind=MobilityFileKind.TRANSCRIPT).order_by("-uploaded_at")),
        "upload_form": TranscriptUploadForm() if decides else None,
        "can_prefill": editable and _courses_left(mobility, results),
        "mobility_url": mobility_url(request.user, mobility),
        "totals": _totals(results),
        "outgoing": mobility.is_outgoing,
    }
    return render(request, "mobility/learning/recognition.html", context, status=400 if errors else 200)


def _courses_left(mobility: Mobility, results: list[Any]) -> bool:
    """Whether the approved learning agreement has courses not on the transcript yet."""
    taken = {r.la_course_id for r in results}
    return any(course.pk not in taken for course in services.approved_courses(mobility))


def _totals(results: list[Any]) -> dict[str, Any]:
    recognised = [
        r for r in results if r.decision in (RecognitionDecision.RECOGNISED, RecognitionDecision.PARTIAL)
    ]
    return {
        "credits": sum((r.credits for r in results), 0),
        "home_credits": sum((r.home_credits or 0 for r in recognised), 0),
        "pending": sum(1 for r in results if r.decision == RecognitionDecision.PENDING),
    }


@login_required
@require_POST
def recognition_prefill(request: HttpRequest, mobility_pk: int) -> HttpResponse:
    mobility, decides = _recognition_mobility(request, mobility_pk)
    if not decides:
        raise PermissionDenied
    try:
        made = services.transcript_prefill(mobility=mobility, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(count)s courses taken from the learning agreement: enter the grades.")
            % {"count": len(made)},
        )
    return _redirect(mobility)


@login_required
@require_POST
def recognition_convert(request: HttpRequest, mobility_pk: int) -> HttpResponse:
    mobility, decides = _recognition_mobility(request, mobility_pk)
    if not decides:
        raise PermissionDenied
    try:
        problems = services.course_results_convert(mobility=mobility, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return _redirect(mobility)
    for problem in problems:
        messages.warning(request, problem)
    messages.success(request, _("Grades converted with the partner's table."))
    return _redirect(mobility)


@login_required
@require_POST
def recognition_upload(request: HttpRequest, mobility_pk: int) -> HttpResponse:
    mobility, decides = _recognition_mobility(request, mobility_pk)
    if not decides:
        raise PermissionDenied
    form = TranscriptUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the transcript file."))
        return _redirect(mobility)
    try:
        stored = services.transcript_upload(
            mobility=mobility, actor=request.user, uploaded_file=form.cleaned_data["file"]
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Transcript file %(name)s added.") % {"name": stored.original_name})
    return _redirect(mobility)


@login_required
@require_safe
def recognition_file(request: HttpRequest, mobility_pk: int, file_pk: int) -> FileResponse:
    """Download a transcript file (those who may read the recognition page)."""
    mobility, _decides = _recognition_mobility(request, mobility_pk)
    stored = get_object_or_404(MobilityFile, pk=file_pk, mobility=mobility, kind=MobilityFileKind.TRANSCRIPT)
    return private_file_response(stored.file, content_type=stored.content_type, filename=stored.original_name)


# --- export -------------------------------------------------------------------------------------------------


def export_headers(outgoing: bool) -> list[str]:
    if outgoing:
        return [
            _("Student number"),
            _("Name"),
            _("Our course code"),
            _("Our course"),
            _("Our credits"),
            _("Converted grade"),
            _("Course at the partner"),
            _("Grade at the partner"),
            _("Credits at the partner"),
            _("Decision"),
            _("Reason"),
            _("Decided by"),
            _("Decided"),
        ]
    return [
        _("Student number"),
        _("Name"),
        _("Home institution"),
        _("Our course code"),
        _("Our course"),
        _("Credits"),
        _("Grade"),
        _("Passed"),
        _("Course replaced at the home institution"),
    ]


def export_rows(mobility: Mobility) -> list[list[object]]:
    person = mobility.person
    name = f"{person.latin_name} {person.name_zh}".strip()
    number = person.member_number
    rows: list[list[object]] = []
    for r in mobility.results.select_related("decided_by").order_by("id"):
        if mobility.is_outgoing:
            rows.append(
                [
                    number,
                    name,
                    r.home_code,
                    r.home_title,
                    r.home_credits,
                    r.converted_grade,
                    f"{r.partner_code} {r.partner_title}".strip(),
                    r.partner_grade,
                    f"{r.credits} {r.get_credit_system_display()}",
                    r.get_decision_display(),
                    r.reason,
                    (r.decided_by.get_full_name() or r.decided_by.get_username()) if r.decided_by else "",
                    r.decided_at,
                ]
            )
        else:
            rows.append(
                [
                    number,
                    name,
                    str(mobility.partner),
                    r.partner_code,
                    r.partner_title,
                    r.credits,
                    r.partner_grade,
                    _("yes") if r.passed else _("no"),
                    f"{r.home_code} {r.home_title}".strip(),
                ]
            )
    return rows


@login_required
@require_safe
def recognition_export(request: HttpRequest, mobility_pk: int) -> HttpResponse:
    """The recognition record (outgoing) or the transcript (incoming) as XLSX (default) or CSV."""
    mobility, _decides = _recognition_mobility(request, mobility_pk)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        return HttpResponse(
            _("Unknown format: choose xlsx or csv."), status=400, content_type="text/plain; charset=utf-8"
        )
    stem = "recognition" if mobility.is_outgoing else "transcript"
    return export_response(
        fmt=fmt,
        filename=f"{stem}-{mobility.number}-{timezone.localdate().isoformat()}",
        headers=export_headers(mobility.is_outgoing),
        rows=export_rows(mobility),
    )
