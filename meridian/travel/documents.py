"""Documents of official trips: the "trip" document source, its default templates and the reimbursement pack.

Registers the document source ``trip`` with ``meridian.documents``: the documented fields are everything a
template about a trip may use (built as plain data by ``trip_document_context``; passport numbers are never
part of it), who may generate and view (see ``can_use_trip_documents``) and the default templates, which
follow the forms of the university procedure for temporary official trips (design note, "Official travel
abroad"):

- personnel approval form 出国(境)人员审批表 (bilingual; PDF and an editable DOCX),
- itinerary 出访日程表 (English and Chinese twins from the same record),
- record-filing form for temporary trips 因公临时出国人员备案表,
- task-and-budget approval form 因公临时出国任务和预算审批意见表 (PDF and an editable DOCX),
- request memorandum 请示 to the external approving body,
- publicity notice 公示 and its outcome note 公示结果 (English and Chinese twins).

Defaults are installed when missing and never overwritten; administrators edit them in the documents pages.
The reimbursement pack (``reimbursement_pack``) joins the generated personnel approval form, the approval
document's scan and the passport stamp pages into one PDF, as finance asks for them.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.core.errors import DomainError
from meridian.documents.choices import DocumentFormat, TemplateKind, TemplateLanguages
from meridian.documents.sources import DefaultTemplate, DocumentSource, sources
from meridian.travel import permissions
from meridian.travel.choices import (
    MemberRole,
    TripFileKind,
    TripState,
)
from meridian.travel.document_templates import builders
from meridian.travel.document_templates.context import trip_document_context
from meridian.travel.document_templates.fields import FIELDS, trip_document_sample
from meridian.travel.models import Trip, TripFile

SOURCE_KEY = "trip"
TEMPLATE_DIR = Path(__file__).resolve().parent / "document_templates"

# Template codes other parts of the trip page link to.
PERSONNEL_FORM = "trip-personnel-approval"
PERSONNEL_FORM_DOCX = "trip-personnel-approval-docx"
ITINERARY = "trip-itinerary"
RECORD_FILING = "trip-record-filing"
TASK_BUDGET = "trip-task-budget"
TASK_BUDGET_DOCX = "trip-task-budget-docx"
REQUEST_MEMO = "trip-request-memo"
NOTICE = "trip-publicity-notice"
NOTICE_OUTCOME = "trip-publicity-outcome"


class PackError(DomainError):
    code = "reimbursement_pack"


# States from which the approval document exists and the reimbursement pack can be put together.
PACK_STATES = (TripState.AUTHORISED, TripState.ABROAD, TripState.RETURNED, TripState.CLOSED)

# --- permissions and identity ---------------------------------------------------------------------------


def can_use_trip_documents(user: Any, trip: Trip) -> bool:
    """Generate, view and download a trip's documents: someone who may see the trip (``visible_to``) and is
    its applicant, a coordinator of its unit (or a unit above) or the office. Others — travellers who did not
    apply, approvers, leadership, students — do not."""
    if not getattr(user, "is_authenticated", False) or trip.pk is None:
        return False
    if not (permissions.is_trip_applicant(user, trip) or permissions.acts_for_unit(user, trip.unit_id)):
        return False
    return Trip.objects.visible_to(user).filter(pk=trip.pk).exists()


def trip_holder(trip: Trip) -> str:
    """The leader's name (Latin script, then Chinese), else the trip number."""
    member = trip.members.select_related("person").filter(role=MemberRole.LEADER).first()
    member = member or trip.members.select_related("person").first()
    if member is None:
        return trip.number
    person = member.person
    return f"{person.latin_name} {person.name_zh}".strip()


def trip_issuing_unit(trip: Trip) -> tuple[str, str]:
    return trip.unit.name_en, trip.unit.name_zh


def _body(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


def _twins(stem: str) -> dict[str, str]:
    return {"en": _body(f"{stem}_en.jinja"), "zh": _body(f"{stem}_zh.jinja")}


DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        code=PERSONNEL_FORM,
        name_en="Personnel approval form for official travel",
        name_zh="出国(境)人员审批表",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.BILINGUAL,
        serial_code="TPA",
        bodies=lambda: {"bilingual": _body("personnel_approval.jinja")},
    ),
    DefaultTemplate(
        code=PERSONNEL_FORM_DOCX,
        name_en="Personnel approval form for official travel (Word, editable)",
        name_zh="出国(境)人员审批表（Word，可编辑）",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.BILINGUAL,
        fmt=DocumentFormat.DOCX,
        serial_code="TPAW",
        docx=builders.personnel_approval_docx,
    ),
    DefaultTemplate(
        code=ITINERARY,
        name_en="Itinerary of the delegation",
        name_zh="出访日程表",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.TWINS,
        serial_code="TIT",
        bodies=lambda: _twins("itinerary"),
    ),
    DefaultTemplate(
        code=RECORD_FILING,
        name_en="Record-filing form for temporary official trips",
        name_zh="因公临时出国人员备案表",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.ZH,
        serial_code="TRF",
        bodies=lambda: {"zh": _body("record_filing_zh.jinja")},
    ),
    DefaultTemplate(
        code=TASK_BUDGET,
        name_en="Task and budget approval form for temporary official trips",
        name_zh="因公临时出国任务和预算审批意见表",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.ZH,
        serial_code="TTB",
        bodies=lambda: {"zh": _body("task_budget_zh.jinja")},
    ),
    DefaultTemplate(
        code=TASK_BUDGET_DOCX,
        name_en="Task and budget approval form (Word, editable)",
        name_zh="因公临时出国任务和预算审批意见表（Word，可编辑）",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.ZH,
        fmt=DocumentFormat.DOCX,
        serial_code="TTBW",
        docx=builders.task_budget_docx,
    ),
    DefaultTemplate(
        code=REQUEST_MEMO,
        name_en="Request memorandum to the approving authority",
        name_zh="关于因公临时出国(境)的请示",
        kind=TemplateKind.LETTER,
        languages=TemplateLanguages.ZH,
        serial_code="TRQ",
        bodies=lambda: {"zh": _body("request_memo_zh.jinja")},
    ),
    DefaultTemplate(
        code=NOTICE,
        name_en="Publicity notice of an official trip",
        name_zh="因公出国(境)公示",
        kind=TemplateKind.NOTICE,
        languages=TemplateLanguages.TWINS,
        serial_code="TPN",
        bodies=lambda: _twins("publicity_notice"),
    ),
    DefaultTemplate(
        code=NOTICE_OUTCOME,
        name_en="Outcome of the publicity notice",
        name_zh="因公出国(境)公示结果",
        kind=TemplateKind.NOTICE,
        languages=TemplateLanguages.TWINS,
        serial_code="TPO",
        bodies=lambda: _twins("publicity_outcome"),
    ),
)

SOURCE = sources.register(
    DocumentSource(
        key=SOURCE_KEY,
        label=gettext_lazy("Official trip"),
        model=lambda: Trip,
        fields=FIELDS,
        context=trip_document_context,
        sample=trip_document_sample,
        can_generate=can_use_trip_documents,
        can_view=can_use_trip_documents,
        holder_name=trip_holder,
        issuing_unit=trip_issuing_unit,
        defaults=DEFAULT_TEMPLATES,
    )
)


# --- the reimbursement pack -----------------------------------------------------------------------------


def _latest_form(trip: Trip, actor: Any):
    """The newest personnel approval form (PDF) generated after the trip last changed, else a new one."""
    from meridian.documents.models import GeneratedDocument
    from meridian.documents.services import document_generate

    document = (
        GeneratedDocument.objects.for_subject(trip)
        .filter(template__code=PERSONNEL_FORM, fmt=DocumentFormat.PDF, revoked_at__isnull=True)
        .filter(created_at__gte=trip.updated_at)
        .order_by("-created_at", "-id")
        .first()
    )
    if document is None:
        document = document_generate(template_code=PERSONNEL_FORM, subject=trip, actor=actor)
    return document


def _approval_scan(trip: Trip) -> TripFile | None:
    approval = getattr(trip, "external_approval", None)
    if approval is not None and approval.scan_id and approval.scan.kind == TripFileKind.EXTERNAL_APPROVAL:
        return approval.scan
    return trip.files.filter(kind=TripFileKind.EXTERNAL_APPROVAL).order_by("-uploaded_at", "-id").first()


def _read(field: Any) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _image_pages(data: bytes, content_type: str) -> bytes:
    """One A4 page per image, scaled to fit (WeasyPrint may load only the image's data: URL)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    uri = f"data:{content_type};base64," + base64.b64encode(data).decode("ascii")
    page = (
        "<!DOCTYPE html><html><head><style>@page{size:A4;margin:10mm}"
        "body{margin:0}img{display:block;max-width:190mm;max-height:277mm;margin:0 auto}</style></head>"
        f'<body><img src="{uri}" alt=""></body></html>'
    )
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=page, url_fetcher=fetcher).write_pdf()


def _append(writer: Any, file: TripFile) -> int:
    """Append ``file`` (a PDF, or a PNG/JPEG image as a page) to ``writer``; returns the pages added.

    Raises ``PackError`` for a Word or Excel file or a PDF that cannot be read.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from meridian.workflow.files import JPEG, PDF, PNG

    if file.content_type in (PNG, JPEG):
        data = _image_pages(_read(file.file), file.content_type)
    elif file.content_type == PDF:
        data = _read(file.file)
    else:
        raise PackError(
            _("%(name)s is not a PDF or an image; upload the scan as PDF, PNG or JPEG.")
            % {"name": file.original_name}
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PackError(_("%(name)s is protected by a password.") % {"name": file.original_name})
        for page in reader.pages:
            writer.add_page(page)
        return len(reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise PackError(_("%(name)s cannot be read as a PDF.") % {"name": file.original_name}) from exc


def reimbursement_pack(*, trip: Trip, actor: Any) -> bytes:
    """One PDF for finance: the personnel approval form (generated, or the newest one generated since the trip
    last changed), then the approval document's scan (批件, ``TripFile`` kind external_approval), then every
    upload of passport stamp pages (oldest first). Images become A4 pages; PDFs are appended as they are.

    The design note's reimbursement requirement: approval document, approval form and passport stamp pages.
    Raises ``PermissionDeniedError`` when ``actor`` may not use the trip's documents, and ``PackError`` when
    the trip is not externally approved yet, the approval scan is missing, or a file cannot be put into a PDF.
    """
    from pypdf import PdfReader, PdfWriter

    from meridian.core.errors import PermissionDeniedError
    from meridian.documents.services import document_download_record

    if not can_use_trip_documents(actor, trip):
        raise PermissionDeniedError(_("You may not download this trip's documents."))
    if trip.state not in PACK_STATES:
        raise PackError(_("The reimbursement pack is available once the trip is externally approved."))
    scan = _approval_scan(trip)
    if scan is None:
        raise PackError(
            _("The scan of the approval document is missing. The office adds it with the external approval.")
        )
    stamps = list(trip.files.filter(kind=TripFileKind.PASSPORT_STAMPS).order_by("uploaded_at", "id"))
    writer = PdfWriter()
    form = _latest_form(trip, actor)
    for page in PdfReader(io.BytesIO(_read(form.file))).pages:
        writer.add_page(page)
    _append(writer, scan)
    for file in stamps:
        _append(writer, file)
    writer.add_metadata({"/Title": f"{trip.number} reimbursement pack"})
    out = io.BytesIO()
    writer.write(out)
    document_download_record(document=form, actor=actor)
    return out.getvalue()
