"""The learning agreement as a generated document: the "learning_agreement" document source.

One bilingual PDF (``learning-agreement``): the student, both institutions, every course row (changes marked
with their reasons), the credit totals and the signatures block (the three parties, names and times). Any
party may generate it (``la_party``: the student, a coordinator of either institution) and the office; the
parties, partner contacts of the partner (viewers included), the office and leadership download it. A draft
prints its state, so nobody takes it for the approved version. The default template is installed when missing
and never overwritten; administrators edit it on the documents pages.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.core.errors import PermissionDeniedError
from meridian.documents.choices import TemplateKind, TemplateLanguages
from meridian.documents.sources import DefaultTemplate, DocumentSource, FieldDoc, sources
from meridian.mobility import permissions
from meridian.mobility.choices import (
    ComponentChange,
    CreditSystem,
    LearningAgreementKind,
    LearningAgreementState,
    Semester,
)
from meridian.mobility.models import LearningAgreement

SOURCE_KEY = "learning_agreement"
TEMPLATE_CODE = "learning-agreement"
TEMPLATE_DIR = Path(__file__).resolve().parent / "document_templates"

_SHORT_SYSTEMS: dict[str, str] = {
    CreditSystem.ECTS: "ECTS",
    CreditSystem.LOCAL: "",
    CreditSystem.US: "US",
    CreditSystem.CN: "学分",
}


def _both(value: Any) -> tuple[str, str]:
    with translation.override("en"):
        english = str(value)
    with translation.override("zh-hans"):
        chinese = str(value)
    return english, chinese


def _credits(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}"


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _name(user: Any) -> str:
    from meridian.mobility.selectors.learning import signer_name

    return signer_name(user)


def _institutions(la: LearningAgreement) -> tuple[dict[str, str], dict[str, str]]:
    from meridian.accounts.models import OrgUnit

    mobility = la.mobility
    root = OrgUnit.objects.filter(parent__isnull=True).first()
    ours = {
        "name_en": root.name_en if root else "",
        "name_zh": (root.name_zh or root.name_en) if root else "",
        "unit_en": mobility.home_unit.name_en,
        "unit_zh": mobility.home_unit.name_zh or "",
    }
    partner = mobility.partner
    theirs = {
        "name_en": partner.name_en or partner.name,
        "name_zh": partner.name_zh or "",
        "unit_en": "",
        "unit_zh": "",
    }
    return (ours, theirs) if mobility.is_outgoing else (theirs, ours)


def learning_agreement_context(la: LearningAgreement) -> dict[str, Any]:
    """The documented fields (``FIELDS``) of one learning agreement version, as plain data."""
    mobility = la.mobility
    person = mobility.person
    sending, receiving = _institutions(la)
    # The choices' lazy labels (``get_…_display`` would give the active language twice).
    kind_en, kind_zh = _both(LearningAgreementKind(la.kind).label)
    state_en, state_zh = _both(LearningAgreementState(la.state).label)
    semester_en, semester_zh = _both(Semester(mobility.semester).label) if mobility.semester else ("", "")
    courses, totals = [], {"receiving": Decimal(0), "sending": Decimal(0)}
    for course in la.courses.all():
        change_en, change_zh = _both(ComponentChange(course.change).label) if course.change else ("", "")
        courses.append(
            {
                "receiving_code": course.receiving_code,
                "receiving_title": course.receiving_title,
                "receiving_credits": _credits(course.receiving_credits),
                "receiving_credit_system": _SHORT_SYSTEMS.get(course.receiving_credit_system, ""),
                "receiving_term": course.receiving_term,
                "sending_code": course.sending_code,
                "sending_title": course.sending_title,
                "sending_credits": _credits(course.sending_credits),
                "sending_credit_system": _SHORT_SYSTEMS.get(course.sending_credit_system, ""),
                "change": course.change,
                "change_en": change_en,
                "change_zh": change_zh,
                "change_reason": course.change_reason,
            }
        )
        if course.change != ComponentChange.REMOVED:
            totals["receiving"] += course.receiving_credits or 0
            totals["sending"] += course.sending_credits or 0
    live = la.state != LearningAgreementState.DRAFT  # a draft's old signatures belong to other contents
    student_signed = la.student_signed_at if live else None
    sending_signed = la.sending_signed_at if live else None
    receiving_signed = la.receiving_signed_at if live else None
    signatures = [
        {
            "party": "student",
            "label_en": "Student",
            "label_zh": "学生",
            "name": f"{person.latin_name} {person.name_zh}".strip() if student_signed else "",
            "institution": "",
            "signed_at": _when(student_signed),
        },
        {
            "party": "sending",
            "label_en": "Sending institution (coordinator)",
            "label_zh": "派出院校（协调人）",
            "name": _name(la.sending_signed_by) if sending_signed else "",
            "institution": sending["name_en"],
            "signed_at": _when(sending_signed),
        },
        {
            "party": "receiving",
            "label_en": "Receiving institution (coordinator)",
            "label_zh": "接收院校（协调人）",
            "name": _name(la.receiving_signed_by) if receiving_signed else "",
            "institution": receiving["name_en"],
            "signed_at": _when(receiving_signed),
        },
    ]
    return {
        "number": mobility.number,
        "version": la.version_number,
        "previous_version": la.previous.version_number if la.previous is not None else None,
        "kind": la.kind,
        "kind_en": kind_en,
        "kind_zh": kind_zh,
        "state": la.state,
        "state_en": state_en,
        "state_zh": state_zh,
        "academic_year": mobility.year_label,
        "semester_en": semester_en,
        "semester_zh": semester_zh,
        "student": {
            "name_latin": person.latin_name,
            "name_zh": person.name_zh,
            "number": person.member_number,
        },
        "sending": sending,
        "receiving": receiving,
        "courses": courses,
        "has_changes": any(c["change"] for c in courses),
        "totals": {"receiving": _credits(totals["receiving"]), "sending": _credits(totals["sending"])},
        "signatures": signatures,
    }


_SAMPLE_COURSE = {
    "receiving_code": "EE400",
    "receiving_title": "Power Systems",
    "receiving_credits": "6",
    "receiving_credit_system": "ECTS",
    "receiving_term": "Winter 2026/27",
    "sending_code": "DQ300",
    "sending_title": "电力系统分析",
    "sending_credits": "3",
    "sending_credit_system": "学分",
    "change": "",
    "change_en": "",
    "change_zh": "",
    "change_reason": "",
}


def learning_agreement_sample() -> dict[str, Any]:
    """``learning_agreement_context``'s shape with example values (template editors render against it)."""
    institution = {"name_en": "Meridian University", "name_zh": "子午线大学", "unit_en": "", "unit_zh": ""}
    partner = {"name_en": "Heidelberg University", "name_zh": "海德堡大学", "unit_en": "", "unit_zh": ""}
    return {
        "number": "MOB-2026-00001",
        "version": 2,
        "previous_version": 1,
        "kind": "changes",
        "kind_en": "Changes during the mobility",
        "kind_zh": "交流期间的变更",
        "state": "approved",
        "state_en": "Approved by all three parties",
        "state_zh": "三方均已批准",
        "academic_year": "2026/2027",
        "semester_en": "Autumn semester",
        "semester_zh": "秋季学期",
        "student": {"name_latin": "LI Ming", "name_zh": "李明", "number": "2023001234"},
        "sending": {**institution, "unit_en": "School of Engineering", "unit_zh": "工程学院"},
        "receiving": partner,
        "courses": [
            _SAMPLE_COURSE,
            {
                **_SAMPLE_COURSE,
                "receiving_code": "EE410",
                "receiving_title": "Smart Grids",
                "sending_code": "DQ310",
                "sending_title": "智能电网",
                "change": "added",
                "change_en": "Added",
                "change_zh": "新增",
                "change_reason": "Course cancelled at the partner; replaced",
            },
        ],
        "has_changes": True,
        "totals": {"receiving": "12", "sending": "6"},
        "signatures": [
            {
                "party": "student",
                "label_en": "Student",
                "label_zh": "学生",
                "name": "LI Ming 李明",
                "institution": "",
                "signed_at": "2026-09-20 10:15",
            },
            {
                "party": "sending",
                "label_en": "Sending institution (coordinator)",
                "label_zh": "派出院校（协调人）",
                "name": "WANG Jian 王建",
                "institution": "Meridian University",
                "signed_at": "2026-09-21 09:00",
            },
            {
                "party": "receiving",
                "label_en": "Receiving institution (coordinator)",
                "label_zh": "接收院校（协调人）",
                "name": "Anna Becker",
                "institution": "Heidelberg University",
                "signed_at": "2026-09-22 14:30",
            },
        ],
    }


FIELDS: tuple[FieldDoc, ...] = (
    FieldDoc("number", gettext_lazy("Mobility number"), "MOB-2026-00001"),
    FieldDoc("version", gettext_lazy("Version of the learning agreement"), 2),
    FieldDoc("previous_version", gettext_lazy("Version this change amends (or empty)"), 1),
    FieldDoc("kind, kind_en, kind_zh", gettext_lazy("Before the mobility, or changes during it"), "changes"),
    FieldDoc("state, state_en, state_zh", gettext_lazy("State of this version"), "approved"),
    FieldDoc("academic_year", gettext_lazy("Academic year"), "2026/2027"),
    FieldDoc("semester_en, semester_zh", gettext_lazy("Semester"), "Autumn semester"),
    FieldDoc(
        "student",
        gettext_lazy("The student: name_latin, name_zh, number"),
        {"name_latin": "LI Ming", "name_zh": "李明", "number": "2023001234"},
    ),
    FieldDoc(
        "sending, receiving",
        gettext_lazy("The institutions: name_en, name_zh, unit_en, unit_zh"),
        {"name_en": "Heidelberg University", "name_zh": "海德堡大学"},
    ),
    FieldDoc(
        "courses",
        gettext_lazy("Course rows (with change, change_en, change_zh, change_reason)"),
        _SAMPLE_COURSE,
    ),
    FieldDoc("has_changes", gettext_lazy("Whether a row is marked added or removed"), True),
    FieldDoc(
        "totals",
        gettext_lazy("Credits in total: receiving, sending (removed rows left out)"),
        {"receiving": "30"},
    ),
    FieldDoc(
        "signatures",
        gettext_lazy("The three parties: party, label_en, label_zh, name, institution, signed_at"),
        {"party": "sending", "name": "WANG Jian 王建", "signed_at": "2026-09-21 09:00"},
    ),
)


# --- who may generate and download ------------------------------------------------------------------------


def can_generate_la_document(user: Any, la: LearningAgreement) -> bool:
    """Generate the PDF: the three parties (``permissions.la_party``) and the International Office."""
    if not getattr(user, "is_authenticated", False) or la.pk is None:
        return False
    return bool(permissions.la_party(user, la)) or permissions.is_office(user)


def can_view_la_document(user: Any, la: LearningAgreement) -> bool:
    """Download it: the parties, the partner's contacts (viewers too), the office and leadership."""
    if not getattr(user, "is_authenticated", False) or la.pk is None:
        return False
    return permissions.can_view_la_document(user, la)


def _refusal(user: Any, la: LearningAgreement, template_code: str) -> str | None:
    if not la.courses.exists():
        return _("Add the courses first.")
    return None


def _holder(la: LearningAgreement) -> str:
    person = la.mobility.person
    return f"{person.latin_name} {person.name_zh}".strip() or la.mobility.number


def _issuing_unit(la: LearningAgreement) -> tuple[str, str]:
    from meridian.accounts.models import OrgUnit

    unit = la.mobility.home_unit
    root = OrgUnit.objects.filter(parent__isnull=True).first()
    root_en, root_zh = (root.name_en, root.name_zh or root.name_en) if root else ("", "")
    return f"{root_en}, {unit.name_en}".strip(", "), f"{root_zh}{unit.name_zh or unit.name_en}"


def _body() -> dict[str, str]:
    return {"bilingual": (TEMPLATE_DIR / "learning_agreement.jinja").read_text(encoding="utf-8")}


SOURCE = sources.register(
    DocumentSource(
        key=SOURCE_KEY,
        label=gettext_lazy("Learning agreement"),
        model=lambda: LearningAgreement,
        fields=FIELDS,
        context=learning_agreement_context,
        sample=learning_agreement_sample,
        can_generate=can_generate_la_document,
        can_view=can_view_la_document,
        refusal=_refusal,
        holder_name=_holder,
        issuing_unit=_issuing_unit,
        defaults=(
            DefaultTemplate(
                code=TEMPLATE_CODE,
                name_en="Learning agreement",
                name_zh="学习协议",
                kind=TemplateKind.APPROVAL_FORM,
                languages=TemplateLanguages.BILINGUAL,
                serial_code="LA",
                bodies=_body,
            ),
        ),
    )
)


def la_document_generate(*, learning_agreement: LearningAgreement, actor: Any) -> Any:
    """Generate the bilingual PDF of ``learning_agreement`` (serial number, QR verification); returns the
    platform's ``GeneratedDocument``. Raises ``PermissionDeniedError`` (not a party or the office) and the
    platform's ``DocumentError`` (no courses yet; the template missing or failing)."""
    from meridian.documents.services import document_generate

    if not can_generate_la_document(actor, learning_agreement):
        raise PermissionDeniedError(_("You may not generate this learning agreement."))
    return document_generate(
        template_code=TEMPLATE_CODE, subject=learning_agreement, actor=actor, language="bilingual"
    )
