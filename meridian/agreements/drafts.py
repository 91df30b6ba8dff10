"""Agreement documents generated from templates: the bilingual draft and the signature page.

Registers the "agreement" document source: the documented fields below are everything a template about an
agreement may use (built as plain data by ``agreement_document_context``), who may generate (coordinators of
the responsible unit while the agreement is a draft, officers and administrators) and who may view and
download (university staff who may see the agreement). The default template texts live in
``templates/agreements/documents/`` and are installed when missing; administrators edit them in the UI.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import can_write_university, coordinated_unit_ids, is_internal
from meridian.agreements.choices import AgreementState, AgreementType, Channel, Side
from meridian.agreements.models import Agreement
from meridian.documents.choices import DocumentFormat, TemplateKind, TemplateLanguages
from meridian.documents.sources import DefaultTemplate, DocumentSource, FieldDoc, sources

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "agreements" / "documents"


def _both(label: Any) -> tuple[str, str]:
    with translation.override("en"):
        en = str(label)
    with translation.override("zh-hans"):
        zh = str(label)
    return en, zh


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _university(unit: OrgUnit) -> dict[str, str]:
    # The root of the unit's materialised path ("/1/4/9/") is the university.
    root_id = next((int(p) for p in unit.path.split("/") if p.isdigit()), None)
    root = OrgUnit.objects.filter(pk=root_id).first() if root_id else None
    if root is None:
        return {"name_en": settings.UNIVERSITY_NAME, "name_zh": settings.UNIVERSITY_NAME_ZH}
    return {"name_en": root.name_en, "name_zh": root.name_zh}


def agreement_document_context(agreement: Agreement) -> dict[str, Any]:
    """The documented fields of one agreement (see ``FIELDS``), as plain data."""
    agreement = (
        Agreement.objects.select_related("responsible_unit", "home_coordinator")
        .prefetch_related(
            "channels",
            "parties__partner__country",
            "parties__partner_unit",
            "parties__coordinator",
            "signatories__partner",
        )
        .get(pk=agreement.pk)
    )
    kind_en, kind_zh = (
        _both(AgreementType(agreement.kind).label)
        if agreement.kind in AgreementType.values
        else (agreement.kind, agreement.kind)
    )
    channels = []
    for c in agreement.channels.all():
        en, zh = _both(Channel(c.channel).label) if c.channel in Channel.values else (c.channel, c.channel)
        channels.append({"code": c.channel, "en": en, "zh": zh})
    parties = []
    for party in agreement.parties.all():
        partner = party.partner
        parties.append(
            {
                "name": partner.name,
                "name_en": partner.name_en or partner.name,
                "name_zh": partner.name_zh,
                "acronym": partner.acronym,
                "country_en": partner.country.name_en if partner.country_id else "",
                "country_zh": partner.country.name_zh if partner.country_id else "",
                "city": partner.city,
                "unit_en": party.partner_unit.name_en if party.partner_unit else "",
                "unit_zh": party.partner_unit.name_zh if party.partner_unit else "",
                "coordinator_name": party.coordinator.name if party.coordinator else "",
                "coordinator_email": party.coordinator.email if party.coordinator else "",
            }
        )
    home_signatories, partner_signatories = [], []
    for s in agreement.signatories.all():
        row = {"name": s.name, "title": s.title, "signed_on": _iso(s.signed_on)}
        if s.side == Side.HOME:
            home_signatories.append(row)
        else:
            partner_signatories.append(
                {
                    **row,
                    "partner_en": (s.partner.name_en or s.partner.name) if s.partner else "",
                    "partner_zh": s.partner.name_zh if s.partner else "",
                }
            )
    coordinator = agreement.home_coordinator
    unit = agreement.responsible_unit
    return {
        "number": agreement.number,
        "title_en": agreement.title_en,
        "title_zh": agreement.title_zh,
        "kind": agreement.kind,
        "kind_en": kind_en,
        "kind_zh": kind_zh,
        "state": agreement.state,
        "start_date": _iso(agreement.start_date),
        "end_date": _iso(agreement.end_date),
        "open_ended": agreement.end_date is None,
        "auto_renew": agreement.auto_renew,
        "renewal_notice_days": agreement.renewal_notice_days,
        "languages": agreement.languages,
        "description": agreement.description,
        "university": _university(unit),
        "responsible_unit": {"name_en": unit.name_en, "name_zh": unit.name_zh},
        "home_coordinator": {
            "name": str(coordinator) if coordinator else "",
            "email": coordinator.email if coordinator else "",
        },
        "channels": channels,
        "channel_codes": [c["code"] for c in channels],
        "parties": parties,
        "home_signatories": home_signatories,
        "partner_signatories": partner_signatories,
    }


def agreement_document_sample() -> dict[str, Any]:
    """Example values of every documented field (what template editors test their text against)."""
    return {
        "number": "AGR-2026-0001",
        "title_en": "Student exchange agreement between Meridian University and Heidelberg University",
        "title_zh": "子午线大学与海德堡大学学生交流协议",
        "kind": "student_exchange",
        "kind_en": "Student exchange",
        "kind_zh": "学生交流",
        "state": "draft",
        "start_date": "2026-09-01",
        "end_date": "2031-08-31",
        "open_ended": False,
        "auto_renew": False,
        "renewal_notice_days": 180,
        "languages": "en, zh",
        "description": "Up to five students each way per academic year.",
        "university": {"name_en": "Meridian University", "name_zh": "子午线大学"},
        "responsible_unit": {"name_en": "School of Engineering", "name_zh": "工程学院"},
        "home_coordinator": {"name": "Li Na", "email": "li.na@meridian.example"},
        "channels": [
            {"code": "student_exchange", "en": "Student exchange", "zh": "学生交流"},
            {"code": "staff_exchange", "en": "Teaching-staff exchange", "zh": "教师交流"},
            {"code": "research", "en": "Research cooperation", "zh": "科研合作"},
        ],
        "channel_codes": ["student_exchange", "staff_exchange", "research"],
        "parties": [
            {
                "name": "Ruprecht-Karls-Universität Heidelberg",
                "name_en": "Heidelberg University",
                "name_zh": "海德堡大学",
                "acronym": "",
                "country_en": "Germany",
                "country_zh": "德国",
                "city": "Heidelberg",
                "unit_en": "Faculty of Engineering",
                "unit_zh": "工程学院",
                "coordinator_name": "Anna Schmidt",
                "coordinator_email": "anna.schmidt@uni-heidelberg.example",
            }
        ],
        "home_signatories": [{"name": "Wang Jian", "title": "President", "signed_on": "2026-06-01"}],
        "partner_signatories": [
            {
                "name": "Prof. Dr. Klaus Weber",
                "title": "Rector",
                "signed_on": "2026-06-15",
                "partner_en": "Heidelberg University",
                "partner_zh": "海德堡大学",
            }
        ],
    }


FIELDS: tuple[FieldDoc, ...] = (
    FieldDoc("number", _("Agreement number"), "AGR-2026-0001"),
    FieldDoc("title_en", _("English title"), "Student exchange agreement …"),
    FieldDoc("title_zh", _("Chinese title"), "学生交流协议"),
    FieldDoc("kind, kind_en, kind_zh", _("Type: code, English and Chinese name"), "student_exchange"),
    FieldDoc("state", _("Lifecycle state code"), "draft"),
    FieldDoc("start_date, end_date", _("Start and end date (YYYY-MM-DD; empty when not set)"), "2026-09-01"),
    FieldDoc("open_ended", _("True when there is no end date"), "False"),
    FieldDoc("auto_renew", _("True when the agreement renews automatically"), "False"),
    FieldDoc("renewal_notice_days", _("Notice period in days, or empty"), "180"),
    FieldDoc("languages", _("Languages of the text"), "en, zh"),
    FieldDoc("description", _("Description"), "Up to five students …"),
    FieldDoc("university.name_en, university.name_zh", _("Our university's name"), "Meridian University"),
    FieldDoc(
        "responsible_unit.name_en, responsible_unit.name_zh", _("Responsible unit"), "School of Engineering"
    ),
    FieldDoc("home_coordinator.name, home_coordinator.email", _("Coordinator at our university"), "Li Na"),
    FieldDoc("channels", _("List of channels, each with code, en, zh"), "{code, en, zh}"),
    FieldDoc(
        "channel_codes",
        _("List of channel codes, e.g. to test 'student_exchange' in channel_codes"),
        "['student_exchange']",
    ),
    FieldDoc(
        "parties",
        _(
            "List of partner parties: name, name_en, name_zh, acronym, country_en, country_zh, city, "
            "unit_en, "
            "unit_zh, coordinator_name, coordinator_email"
        ),
        "{name_en: Heidelberg University, …}",
    ),
    FieldDoc("home_signatories", _("Our signatories: name, title, signed_on"), "{name: Wang Jian, …}"),
    FieldDoc(
        "partner_signatories",
        _("Partner signatories: name, title, signed_on, partner_en, partner_zh"),
        "{name: Klaus Weber, …}",
    ),
)


def can_generate_agreement_documents(user: Any, agreement: Agreement) -> bool:
    """Officers and administrators always; coordinators of the responsible unit while it is a draft."""
    if can_write_university(user):
        return True
    return agreement.state == AgreementState.DRAFT and agreement.responsible_unit_id in coordinated_unit_ids(
        user
    )


def can_view_agreement_documents(user: Any, agreement: Agreement) -> bool:
    """University staff who may see the agreement (partner contacts and students never)."""
    return is_internal(user) and Agreement.objects.visible_to(user).filter(pk=agreement.pk).exists()


def agreement_holder(agreement: Agreement) -> str:
    names = [p.partner.name_en or p.partner.name for p in agreement.parties.select_related("partner")]
    return "; ".join(names) or agreement.number


def agreement_issuing_unit(agreement: Agreement) -> tuple[str, str]:
    unit = agreement.responsible_unit
    return unit.name_en, unit.name_zh


def agreement_batch_cases(user: Any):
    return (
        Agreement.objects.visible_to(user)
        .filter(state__in=[AgreementState.APPROVED, AgreementState.ACTIVE])
        .select_related("responsible_unit")
        .order_by("number")
    )


def _body(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


def default_draft_docx() -> bytes:
    """The default DOCX agreement draft (bilingual), built with python-docx, with template fields in place."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(10.5)
    doc.add_heading("{{ title_zh }}", level=1)
    doc.add_heading("{{ title_en }}", level=2)
    doc.add_paragraph("协议编号 Agreement number: {{ number }}")
    doc.add_paragraph(
        "甲方 Party A: {{ university.name_zh }} {{ university.name_en }}（{{ responsible_unit.name_zh }} "
        "{{ responsible_unit.name_en }}）"
    )
    doc.add_paragraph(
        "{% for p in parties %}乙方 Party B: {{ p.name_zh }} {{ p.name_en }}, "
        "{{ p.city }}, {{ p.country_en }}"
        "{% if not loop.last %}; {% endif %}{% endfor %}"
    )
    doc.add_paragraph(
        "合作领域 Areas of cooperation: "
        "{% for c in channels %}{{ c.zh }} {{ c.en }}{% if not loop.last %}、{% endif %}{% endfor %}"
    )
    doc.add_paragraph(
        "有效期 Term: {{ start_date|date_zh }} – {% if open_ended %}长期有效 open-ended{% else %}"
        "{{ end_date|date_zh }}{% endif %}"
    )
    doc.add_paragraph(
        "联系人 Coordinators: {{ home_coordinator.name }} {{ home_coordinator.email }}"
        "{% for p in parties %}; {{ p.coordinator_name }} {{ p.coordinator_email }}{% endfor %}"
    )
    doc.add_paragraph("{{ description }}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


sources.register(
    DocumentSource(
        key="agreement",
        label=_("Agreement"),
        model=lambda: Agreement,
        fields=FIELDS,
        context=agreement_document_context,
        sample=agreement_document_sample,
        can_generate=can_generate_agreement_documents,
        can_view=can_view_agreement_documents,
        holder_name=agreement_holder,
        issuing_unit=agreement_issuing_unit,
        valid_until=lambda agreement: agreement.end_date,
        batch_cases=agreement_batch_cases,
        batch_label=_("approved and active agreements you can see"),
        defaults=(
            DefaultTemplate(
                code="agreement-draft",
                name_en="Agreement draft",
                name_zh="合作协议草案",
                kind=TemplateKind.AGREEMENT_DRAFT,
                languages=TemplateLanguages.BILINGUAL,
                fmt=DocumentFormat.PDF,
                serial_code="AD",
                bodies=lambda: {"bilingual": _body("agreement_draft.jinja")},
            ),
            DefaultTemplate(
                code="signature-page",
                name_en="Signature page",
                name_zh="协议签字页",
                kind=TemplateKind.SIGNATURE_PAGE,
                languages=TemplateLanguages.BILINGUAL,
                fmt=DocumentFormat.PDF,
                serial_code="SP",
                validity=True,
                bodies=lambda: {"bilingual": _body("signature_page.jinja")},
            ),
            DefaultTemplate(
                code="agreement-draft-docx",
                name_en="Agreement draft (Word, editable)",
                name_zh="合作协议草案（Word，可编辑）",
                kind=TemplateKind.AGREEMENT_DRAFT,
                languages=TemplateLanguages.BILINGUAL,
                fmt=DocumentFormat.DOCX,
                serial_code="ADW",
                docx=default_draft_docx,
            ),
        ),
    )
)
