"""Documents of visits: the "visit" document source, its default templates and when each may be generated.

Registers the document source ``visit`` with ``meridian.documents``: the documented fields are everything a
template about a visit may use (built as plain data by ``visit_document_context``), who may generate and view
(``can_use_visit_documents``: the host, the host unit's secretaries and the office) and the default templates,
which follow the forms universities use for foreign guests (design note, "Visitors and invitations"):

- the invitation letter to the guests, English and Chinese twins (``visit-invitation-en``/``-zh``; a site may
  add ``visit-invitation-<language>`` for a guest's own language), with the passport data embassies ask for;
- the Chinese internal approval form for the invitation (邀请外国人来华审批表);
- for an invitation by an authorised unit or through verification: the visa-invitation application data
  sheet (邀请函申请信息表, with passport numbers) and the guarantee letter (担保函);
- the reception plan (外宾接待方案: programme, reception level, budget against the hosting standards);
- the reception report that serves as the reimbursement voucher (外事接待报告单（报销凭证）).

Each template is offered only in the states where it makes sense (``AVAILABILITY``): an invitation letter
exists only once the office has issued the invitation; the reception report once the guests have left.
Only the International Office generates the
invitation letters, the data sheet and the guarantee letter (``OFFICE_TEMPLATES``): they bind the university.
The source's ``refusal`` hook gives the platform these rules (``refusal``), so every way of generating — the
visit's documents page (``visit_document_generate``), the platform's generic ``documents:generate`` and the
platform service itself — refuses with the same reason. The source's ``generation_context`` prints passport
numbers only on the templates that need them (``PASSPORT_TEMPLATES``), writing each one printed to the people
access log under the generating user.

Defaults are installed when missing and never overwritten; administrators edit them in the documents pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.documents.choices import TemplateKind, TemplateLanguages
from meridian.documents.sources import DefaultTemplate, DocumentSource, sources
from meridian.visitors import permissions
from meridian.visitors.choices import InvitationKind, VisitState
from meridian.visitors.document_templates.context import university_of, visit_document_context
from meridian.visitors.document_templates.fields import FIELDS, visit_document_sample
from meridian.visitors.models import Visit

SOURCE_KEY = "visit"
TEMPLATE_DIR = Path(__file__).resolve().parent / "document_templates"

LETTER_EN = "visit-invitation-en"
LETTER_ZH = "visit-invitation-zh"
LETTER_PREFIX = "visit-invitation-"
APPROVAL_FORM = "visit-invitation-approval"
DATA_SHEET = "visit-visa-data-sheet"
GUARANTEE = "visit-guarantee-letter"
RECEPTION_PLAN = "visit-reception-plan"
RECEPTION_REPORT = "visit-reception-report"

# Templates that print the guests' passport numbers (embassies ask for name, passport number and dates).
# Every other template gets an empty ``passport.number``. Letters in further languages (``LETTER_PREFIX``)
# count as letters.
PASSPORT_TEMPLATES = frozenset({LETTER_EN, LETTER_ZH, DATA_SHEET})

# Templates only the International Office generates: the invitation letters (in every language) and the
# papers that bind the university towards the authorities (the visa-invitation data sheet and the guarantee
# letter). The host and the unit's secretaries read them; issuing a second copy would put a second valid
# letter with passport numbers into circulation.
OFFICE_TEMPLATES = frozenset({LETTER_EN, LETTER_ZH, DATA_SHEET, GUARANTEE})

# A guest's language by their nationality, for a site that adds ``visit-invitation-<language>``.
GUEST_LANGUAGES = {
    "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "ES": "es", "MX": "es", "AR": "es",
    "PT": "pt", "BR": "pt", "IT": "it", "RU": "ru", "JP": "ja", "KR": "ko",
}  # fmt: skip


class VisitDocumentError(DomainError):
    code = "visit_document"


# --- when each template may be generated ------------------------------------------------------------------

S = VisitState
_LIVE = frozenset(
    {
        S.DRAFT,
        S.UNDER_REVIEW,
        S.APPROVED,
        S.INVITATION_ISSUED,
        S.VISA_CONFIRMED,
        S.ARRIVED,
        S.HOSTED,
        S.CLOSED,
    }
)
_APPROVED = frozenset({S.APPROVED, S.INVITATION_ISSUED, S.VISA_CONFIRMED, S.ARRIVED, S.HOSTED, S.CLOSED})
_ISSUED = frozenset({S.INVITATION_ISSUED, S.VISA_CONFIRMED, S.ARRIVED, S.HOSTED, S.CLOSED})
_AFTER = frozenset({S.HOSTED, S.CLOSED})
_PACKAGE_KINDS = frozenset({InvitationKind.AUTHORISED, InvitationKind.VERIFICATION})


@dataclass(frozen=True)
class Availability:
    """When a template may be generated: the visit's states, the kinds of visa invitation it is for (empty:
    any visit), whether the guests' data must be locked, and the rule said to the user."""

    states: frozenset[str]
    rule: Any
    invitation_kinds: frozenset[str] = frozenset()
    needs_locked_data: bool = False


_LETTER_RULE = Availability(
    _ISSUED,
    gettext_lazy("Generated when the office issues the invitation, after the visit is approved."),
    invitation_kinds=frozenset({InvitationKind.LETTER, *_PACKAGE_KINDS}),
)
AVAILABILITY: dict[str, Availability] = {
    LETTER_EN: _LETTER_RULE,
    LETTER_ZH: _LETTER_RULE,
    APPROVAL_FORM: Availability(
        _LIVE,
        gettext_lazy(
            "For visits with a visa invitation, from the draft on (not once rejected or cancelled)."
        ),
        invitation_kinds=frozenset({InvitationKind.LETTER, *_PACKAGE_KINDS}),
    ),
    DATA_SHEET: Availability(
        _APPROVED,
        gettext_lazy(
            "For an invitation by an authorised unit or through verification, once the visit is approved "
            "and the office has locked the guests' data."
        ),
        invitation_kinds=_PACKAGE_KINDS,
        needs_locked_data=True,
    ),
    GUARANTEE: Availability(
        _APPROVED,
        gettext_lazy(
            "For an invitation by an authorised unit or through verification, once the visit is approved."
        ),
        invitation_kinds=_PACKAGE_KINDS,
    ),
    RECEPTION_PLAN: Availability(
        _LIVE, gettext_lazy("From the draft on, for approval and reception (not once rejected or cancelled).")
    ),
    RECEPTION_REPORT: Availability(
        _AFTER,
        gettext_lazy("Once the guests have left (visit hosted or closed); it is the reimbursement voucher."),
    ),
}


def availability(template_code: str) -> Availability:
    """The rule of ``template_code``; templates an administrator adds follow the reception plan's rule,
    letters in further languages the invitation letter's."""
    if template_code.startswith(LETTER_PREFIX) and template_code not in AVAILABILITY:
        return _LETTER_RULE
    return AVAILABILITY.get(template_code, AVAILABILITY[RECEPTION_PLAN])


def prints_passport_numbers(template_code: str) -> bool:
    return template_code in PASSPORT_TEMPLATES or (
        template_code.startswith(LETTER_PREFIX) and template_code not in AVAILABILITY
    )


def office_only(template_code: str) -> bool:
    """Whether only the International Office may generate ``template_code`` (``OFFICE_TEMPLATES``; letters in
    further languages count as invitation letters)."""
    return template_code in OFFICE_TEMPLATES or (
        template_code.startswith(LETTER_PREFIX) and template_code not in AVAILABILITY
    )


def refusal(visit: Visit, template_code: str, user: Any = None) -> str:
    """Why ``template_code`` cannot be generated for ``visit`` now ("" when it can), in the active language:
    only the office generates the invitation letters, the data sheet and the guarantee letter
    (``office_only``; checked when ``user`` is given), then the template's ``AVAILABILITY`` rule (visa
    invitation kind, the visit's state, locked guest data)."""
    if user is not None and office_only(template_code) and not permissions.is_office(user):
        return _(
            "Only the International Office issues this document: it binds the university. Download the copy "
            "the office issued, or ask the office for a new one."
        )
    rule = availability(template_code)
    if rule.invitation_kinds and visit.invitation_kind not in rule.invitation_kinds:
        if visit.invitation_kind == InvitationKind.NONE:
            return _("This visit needs no visa invitation.")
        return _("This document is not used for this kind of visa invitation (%(kind)s).") % {
            "kind": visit.get_invitation_kind_display()
        }
    if visit.state not in rule.states:
        return _("Not now: the visit is “%(state)s”. %(rule)s") % {
            "state": visit.get_state_display(),
            "rule": rule.rule,
        }
    if rule.needs_locked_data and visit.guests.filter(locked_at__isnull=True).exists():
        return _("Every guest's data must be entered and locked by the office first.")
    return ""


# --- permissions and identity ---------------------------------------------------------------------------


def can_use_visit_documents(user: Any, visit: Visit) -> bool:
    """View, download and generate a visit's documents: those who handle the visit (its host, the host unit's
    secretaries) and the office. Others — other staff, approvers, leadership, students, partner contacts —
    do not. Which template may be generated when is ``refusal``'s business."""
    if not getattr(user, "is_authenticated", False) or visit.pk is None:
        return False
    return permissions.can_handle_visit(user, visit)


def _refusal(user: Any, visit: Visit, template_code: str) -> str | None:
    """The source's ``refusal`` hook: ``refusal`` for the platform (None: the template may be generated)."""
    return refusal(visit, template_code, user) or None


def _generation_context(visit: Visit, template_code: str, actor: Any) -> dict[str, Any]:
    """The context for generating ``template_code``: passport numbers only for a template that must print
    them, each one written to the access log for ``actor``."""
    if not prints_passport_numbers(template_code):
        return visit_document_context(visit)
    from meridian.people.choices import AccessAction
    from meridian.people.services import access_log_record

    purpose = _("%(number)s: printed on the document %(template)s") % {
        "number": visit.number,
        "template": template_code,
    }

    def reveal(passport: Any) -> None:
        access_log_record(actor=actor, action=AccessAction.UNMASK, document=passport, purpose=purpose)

    return visit_document_context(visit, reveal=reveal)


def visit_holder(visit: Visit) -> str:
    """The guests' names (Latin script, then Chinese), the head first; the verification page masks them."""
    names = []
    for guest in visit.guests.select_related("person").order_by("-is_head", "order", "id"):
        person = guest.person
        names.append(f"{person.latin_name} {person.name_zh}".strip())
    return ", ".join(names)[:300] or visit.number


def visit_issuing_unit(visit: Visit) -> tuple[str, str]:
    """The university and the host unit, in English and Chinese."""
    university = university_of(visit.host_unit)
    unit_zh = visit.host_unit.name_zh or visit.host_unit.name_en
    return (
        f"{university['name_en']}, {visit.host_unit.name_en}",
        f"{university['name_zh']}{unit_zh}",
    )


def visit_valid_until(visit: Visit) -> date | None:
    """Invitation letters are valid until the planned departure."""
    return visit.depart_on


def _body(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        code=LETTER_EN,
        name_en="Invitation letter (English)",
        name_zh="邀请函（英文）",
        kind=TemplateKind.LETTER,
        languages=TemplateLanguages.EN,
        serial_code="VIE",
        validity=True,
        bodies=lambda: {"en": _body("invitation_en.jinja")},
    ),
    DefaultTemplate(
        code=LETTER_ZH,
        name_en="Invitation letter (Chinese)",
        name_zh="邀请函（中文）",
        kind=TemplateKind.LETTER,
        languages=TemplateLanguages.ZH,
        serial_code="VIZ",
        validity=True,
        bodies=lambda: {"zh": _body("invitation_zh.jinja")},
    ),
    DefaultTemplate(
        code=APPROVAL_FORM,
        name_en="Approval form for inviting foreign guests",
        name_zh="邀请外国人来华审批表",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.ZH,
        serial_code="VAF",
        bodies=lambda: {"zh": _body("invitation_approval_zh.jinja")},
    ),
    DefaultTemplate(
        code=DATA_SHEET,
        name_en="Visa invitation application data sheet",
        name_zh="邀请函申请信息表",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.BILINGUAL,
        serial_code="VDS",
        bodies=lambda: {"bilingual": _body("visa_data_sheet.jinja")},
    ),
    DefaultTemplate(
        code=GUARANTEE,
        name_en="Guarantee letter for the invitation",
        name_zh="担保函",
        kind=TemplateKind.LETTER,
        languages=TemplateLanguages.ZH,
        serial_code="VGL",
        bodies=lambda: {"zh": _body("guarantee_letter_zh.jinja")},
    ),
    DefaultTemplate(
        code=RECEPTION_PLAN,
        name_en="Reception plan for foreign guests",
        name_zh="外宾接待方案",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.ZH,
        serial_code="VRP",
        bodies=lambda: {"zh": _body("reception_plan_zh.jinja")},
    ),
    DefaultTemplate(
        code=RECEPTION_REPORT,
        name_en="Reception report (reimbursement voucher)",
        name_zh="外事接待报告单（报销凭证）",
        kind=TemplateKind.APPROVAL_FORM,
        languages=TemplateLanguages.ZH,
        serial_code="VRR",
        bodies=lambda: {"zh": _body("reception_report_zh.jinja")},
    ),
)

SOURCE = sources.register(
    DocumentSource(
        key=SOURCE_KEY,
        label=gettext_lazy("Visit"),
        model=lambda: Visit,
        fields=FIELDS,
        context=visit_document_context,
        sample=visit_document_sample,
        can_generate=can_use_visit_documents,
        can_view=can_use_visit_documents,
        refusal=_refusal,
        generation_context=_generation_context,
        holder_name=visit_holder,
        issuing_unit=visit_issuing_unit,
        valid_until=visit_valid_until,
        defaults=DEFAULT_TEMPLATES,
    )
)


# --- generating -------------------------------------------------------------------------------------------


def visit_document_generate(
    *, visit: Visit, template_code: str, actor: Any, language: str | None = None
) -> Any:
    """Generate the document ``template_code`` (a template of the "visit" source) for ``visit``; returns the
    platform's ``GeneratedDocument`` (PDF or DOCX with serial number and QR verification).

    ``language``: one of the template's output languages (None = its first). Raises
    ``PermissionDeniedError`` when ``actor`` may not use the visit's documents, ``VisitDocumentError`` when
    the template is not one of visits, and the platform's ``DocumentRefusedError`` when it cannot be generated
    in the visit's state (the message says when it can: see ``AVAILABILITY``) or ``DocumentError`` for a bad
    language or a template that fails on this visit's data (all ``DomainError``). Nothing is stored when it
    raises.
    """
    from meridian.documents.models import DocumentTemplate
    from meridian.documents.services import document_generate

    if not can_use_visit_documents(actor, visit):
        raise PermissionDeniedError(_("You may not generate documents for this visit."))
    if not DocumentTemplate.objects.filter(code=template_code, source=SOURCE_KEY).exists():
        raise VisitDocumentError(_("There is no such template for visits."))
    return document_generate(template_code=template_code, subject=visit, actor=actor, language=language)


def letter_codes(visit: Visit) -> list[str]:
    """The invitation letters a visit gets: English and Chinese, plus the guests' language where an active
    ``visit-invitation-<language>`` template exists."""
    from meridian.documents.models import DocumentTemplate

    codes = [LETTER_EN, LETTER_ZH]
    nationalities = visit.guests.values_list("person__nationality_id", flat=True)
    for language in dict.fromkeys(GUEST_LANGUAGES.get(code or "", "") for code in nationalities):
        code = f"{LETTER_PREFIX}{language}"
        if language and code not in codes:
            exists = DocumentTemplate.objects.filter(
                code=code, source=SOURCE_KEY, is_active=True, current_version__isnull=False
            ).exists()
            if exists:
                codes.append(code)
    return codes


# --- what the documents panel shows ---------------------------------------------------------------------

_LANGUAGE_ORDER = {"bilingual": 0, "zh": 1, "en": 2}


@dataclass
class TemplateRow:
    """One template of the visit source: whether it can be generated now (else why not), a generate button per
    output language and the newest file of each."""

    template: Any
    available: bool
    reason: str
    rule: str
    languages: list[dict[str, Any]]


@dataclass
class VisitDocuments:
    rows: list[TemplateRow]
    documents: list[Any]


def visit_documents_overview(*, visit: Visit, user: Any) -> VisitDocuments | None:
    """The templates of the "visit" source with their availability for ``visit`` now, and the documents
    generated for it (newest first, revoked ones included); None when ``user`` may not use its documents."""
    from meridian.documents.models import DocumentTemplate
    from meridian.documents.selectors import documents_for

    if not can_use_visit_documents(user, visit):
        return None
    documents = list(documents_for(subject=visit, user=user))
    newest: dict[tuple[int, str], Any] = {}
    for document in documents:
        if not document.is_revoked:
            newest.setdefault((document.template_id, document.language), document)
    templates = DocumentTemplate.objects.filter(
        source=SOURCE_KEY, is_active=True, current_version__isnull=False
    ).order_by("kind", "code")
    rows = []
    for template in templates:
        languages = sorted(template.output_languages(), key=lambda code: _LANGUAGE_ORDER.get(code, 9))
        reason = refusal(visit, template.code, user)
        rows.append(
            TemplateRow(
                template=template,
                available=not reason,
                reason=reason,
                rule=str(availability(template.code).rule),
                languages=[{"code": code, "latest": newest.get((template.pk, code))} for code in languages],
            )
        )
    return VisitDocuments(rows=rows, documents=documents)
