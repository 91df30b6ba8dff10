"""The nomination letter (学生交换提名函): one bilingual letter per nomination batch, listing every student
the office nominated to one partner in one action (``services.nominations.nominate_for_partner``).

Registers the document source ``mobility_nomination`` with ``meridian.documents``. Its subject is a
``Mobility`` (the first of the batch, by id); its context lists the whole batch — the outgoing mobilities of
the same partner and call nominated at the same moment (``nomination_batch``) — so one letter, one serial
number and one QR verification cover the students nominated together. English and Chinese stand in one
document (template ``mobility-nomination-letter``, language "bilingual"), both built from this one context, so
names, dates and programmes cannot disagree between the two languages.

Only the International Office generates the letter (it binds the university); the office, leadership and the
partner's coordinators read it. The Chinese terms are the fixed wording of the letter, whatever the interface
catalogue says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.accounts.models import OrgUnit
from meridian.accounts.permissions import can_read_university
from meridian.documents.choices import TemplateKind, TemplateLanguages
from meridian.documents.sources import DefaultTemplate, DocumentSource, FieldDoc, sources
from meridian.mobility import permissions
from meridian.mobility.choices import Direction, MobilityType, Semester
from meridian.mobility.models import Mobility, academic_year_label

SOURCE_KEY = "mobility_nomination"
LETTER = "mobility-nomination-letter"
TEMPLATE_DIR = Path(__file__).resolve().parent / "document_templates"

MOBILITY_TYPE_ZH: dict[str, str] = {
    MobilityType.SEMESTER: "学期交换学习",
    MobilityType.FULL_YEAR: "学年交换学习",
    MobilityType.SHORT_PROGRAMME: "短期项目",
    MobilityType.SUMMER_SCHOOL: "暑期学校",
    MobilityType.TRAINEESHIP: "实习",
    MobilityType.STAFF_TEACHING: "教师授课交流",
    MobilityType.STAFF_TRAINING: "教职工培训交流",
}
MOBILITY_TYPE_EN: dict[str, str] = {
    MobilityType.SEMESTER: "Semester study",
    MobilityType.FULL_YEAR: "Full-year study",
    MobilityType.SHORT_PROGRAMME: "Short programme",
    MobilityType.SUMMER_SCHOOL: "Summer school",
    MobilityType.TRAINEESHIP: "Traineeship",
    MobilityType.STAFF_TEACHING: "Staff teaching",
    MobilityType.STAFF_TRAINING: "Staff training",
}
SEMESTER_ZH: dict[str, str] = {
    Semester.AUTUMN: "秋季学期",
    Semester.SPRING: "春季学期",
    Semester.FULL_YEAR: "全学年",
    Semester.SUMMER: "夏季",
}
SEMESTER_EN: dict[str, str] = {
    Semester.AUTUMN: "autumn semester",
    Semester.SPRING: "spring semester",
    Semester.FULL_YEAR: "full academic year",
    Semester.SUMMER: "summer",
}
GENDER = {1: ("Male", "男"), 2: ("Female", "女")}


# --- the batch --------------------------------------------------------------------------------------------


def nomination_batch(mobility: Mobility) -> QuerySet[Mobility]:
    """The mobilities nominated together with ``mobility``: outgoing, same partner, same call and the same
    ``nominated_at`` (one nomination action stamps one moment), ordered by id. A mobility without an
    application (recorded by hand) is a batch of its own."""
    application = mobility.application
    if mobility.direction != Direction.OUTGOING or application is None or not mobility.nominated_at:
        return Mobility.objects.filter(pk=mobility.pk)
    return Mobility.objects.filter(
        partner_id=mobility.partner_id,
        direction=Direction.OUTGOING,
        nominated_at=mobility.nominated_at,
        application__call_id=application.call_id,
    ).order_by("pk")


# --- context ------------------------------------------------------------------------------------------------


def _unit(unit: OrgUnit | None, fallback: str) -> dict[str, str]:
    if unit is None:
        return {"name_en": fallback, "name_zh": fallback}
    return {"name_en": unit.name_en, "name_zh": unit.name_zh or unit.name_en}


def university_names() -> dict[str, str]:
    return _unit(OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first(), settings.UNIVERSITY_NAME)


def office_names() -> dict[str, str]:
    office = OrgUnit.objects.filter(is_international_office=True).order_by("pk").first()
    return _unit(office, "International Office")


def _portal_url() -> str:
    try:
        return f"{settings.SITE_URL}{reverse('mobility:partner_home')}"
    except NoReverseMatch:
        return settings.SITE_URL


def _student(mobility: Mobility) -> dict[str, Any]:
    person = mobility.person
    application = mobility.application
    nationality = person.nationality
    gender_en, gender_zh = GENDER.get(person.gender, ("", ""))
    return {
        "number": mobility.number,
        "name_latin": person.latin_name,
        "name_zh": person.name_zh,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "gender_en": gender_en,
        "gender_zh": gender_zh,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "nationality_en": nationality.name_en if nationality else "",
        "nationality_zh": nationality.name_zh if nationality else "",
        "email": mobility.student_email or person.email,
        "school_en": mobility.home_unit.name_en,
        "school_zh": mobility.home_unit.name_zh or mobility.home_unit.name_en,
        "programme": mobility.home_programme or (application.programme if application else ""),
        "mobility_type_en": MOBILITY_TYPE_EN.get(mobility.mobility_type, mobility.mobility_type),
        "mobility_type_zh": MOBILITY_TYPE_ZH.get(mobility.mobility_type, mobility.mobility_type),
        "semester_en": SEMESTER_EN.get(mobility.semester, mobility.semester),
        "semester_zh": SEMESTER_ZH.get(mobility.semester, mobility.semester),
        "months": str(mobility.months) if mobility.months is not None else "",
        "language": mobility.language,
        "cefr_level": mobility.cefr_level,
    }


def nomination_letter_context(mobility: Mobility) -> dict[str, Any]:
    """The letter's fields (see ``FIELDS``) for the batch of ``mobility``, as plain data."""
    batch = list(
        nomination_batch(mobility).select_related(
            "person__nationality", "home_unit", "agreement", "application__call", "partner__country"
        )
    )
    first = batch[0] if batch else mobility
    partner = first.partner
    call = first.application.call if first.application is not None else None
    agreements: dict[int, dict[str, str]] = {}
    for item in batch:
        agreement = item.agreement
        if agreement is not None and agreement.pk not in agreements:
            agreements[agreement.pk] = {
                "number": agreement.number,
                "title_en": agreement.title_en,
                "title_zh": agreement.title_zh or agreement.title_en,
            }
    country = getattr(partner, "country", None)
    return {
        "university": university_names(),
        "office": office_names(),
        "partner": {
            "name": partner.name,
            "name_en": partner.name_en or partner.name,
            "name_zh": partner.name_zh or partner.name_en or partner.name,
            "country_en": country.name_en if country else "",
            "country_zh": country.name_zh if country else "",
        },
        "call": {
            "number": call.number if call else "",
            "title_en": call.title_en if call else "",
            "title_zh": (call.title_zh or call.title_en) if call else "",
        },
        "academic_year": academic_year_label(first.academic_year),
        "semester_en": SEMESTER_EN.get(first.semester, first.semester),
        "semester_zh": SEMESTER_ZH.get(first.semester, first.semester),
        "agreements": list(agreements.values()),
        "students": [_student(item) for item in batch],
        "student_count": len(batch),
        "nominated_on": first.nominated_at.date().isoformat() if first.nominated_at else "",
        "portal_url": _portal_url(),
    }


_SAMPLE_STUDENT: dict[str, Any] = {
    "number": "MOB-2026-00001",
    "name_latin": "LI Ming",
    "name_zh": "李明",
    "family_name": "Li",
    "given_name": "Ming",
    "gender_en": "Male",
    "gender_zh": "男",
    "birth_date": "2004-03-09",
    "nationality_en": "China",
    "nationality_zh": "中国",
    "email": "li.ming@stu.example.edu.cn",
    "school_en": "School of Engineering",
    "school_zh": "工程学院",
    "programme": "Electrical Engineering",
    "mobility_type_en": "Semester study",
    "mobility_type_zh": "学期交换学习",
    "semester_en": "autumn semester",
    "semester_zh": "秋季学期",
    "months": "5.0",
    "language": "en",
    "cefr_level": "C1",
}


def nomination_letter_sample() -> dict[str, Any]:
    """Example values of exactly the shape ``nomination_letter_context`` builds."""
    return {
        "university": {"name_en": "Meridian University", "name_zh": "子午线大学"},
        "office": {"name_en": "International Office", "name_zh": "国际合作与交流处"},
        "partner": {
            "name": "Technische Universität Beispiel",
            "name_en": "Example University of Technology",
            "name_zh": "示例工业大学",
            "country_en": "Germany",
            "country_zh": "德国",
        },
        "call": {
            "number": "EXC-2026-00001",
            "title_en": "Exchange 2026/2027",
            "title_zh": "2026/2027学年交换",
        },
        "academic_year": "2026/2027",
        "semester_en": "autumn semester",
        "semester_zh": "秋季学期",
        "agreements": [
            {"number": "AGR-2024-0007", "title_en": "Student exchange agreement", "title_zh": "学生交换协议"}
        ],
        "students": [
            dict(_SAMPLE_STUDENT),
            dict(
                _SAMPLE_STUDENT,
                number="MOB-2026-00002",
                name_latin="WANG Fang",
                name_zh="王芳",
                family_name="Wang",
                given_name="Fang",
                gender_en="Female",
                gender_zh="女",
                birth_date="2003-11-21",
                email="wang.fang@stu.example.edu.cn",
                programme="Computer Science",
            ),
        ],
        "student_count": 2,
        "nominated_on": "2026-04-20",
        "portal_url": "https://meridian.example.edu.cn/exchange/partner/",
    }


_L = gettext_lazy
FIELDS: tuple[FieldDoc, ...] = (
    FieldDoc("university.name_en, university.name_zh", _L("Our university"), "子午线大学"),
    FieldDoc("office.name_en, office.name_zh", _L("The International Office"), "国际合作与交流处"),
    FieldDoc(
        "partner.name, partner.name_en, partner.name_zh",
        _L("The partner: official, English and Chinese name"),
        "Example University of Technology",
    ),
    FieldDoc("partner.country_en, partner.country_zh", _L("The partner's country"), "Germany"),
    FieldDoc(
        "call.number, call.title_en, call.title_zh",
        _L("The call the students were selected in"),
        "EXC-2026-00001",
    ),
    FieldDoc("academic_year", _L("Academic year"), "2026/2027"),
    FieldDoc("semester_en, semester_zh", _L("Semester of the first student"), "autumn semester"),
    FieldDoc("agreements", _L("Agreements the places come from: number, title_en, title_zh"), "[…]"),
    FieldDoc(
        "students",
        _L(
            "The students nominated together: number, name_latin, name_zh, family_name, given_name, "
            "gender_en, gender_zh, birth_date, nationality_en, nationality_zh, email, school_en, school_zh, "
            "programme, mobility_type_en, mobility_type_zh, semester_en, semester_zh, months, language, "
            "cefr_level"
        ),
        _SAMPLE_STUDENT,
    ),
    FieldDoc("student_count", _L("Number of students nominated together"), 2),
    FieldDoc("nominated_on", _L("Date of the nomination (YYYY-MM-DD)"), "2026-04-20"),
    FieldDoc("portal_url", _L("Address of the partner portal"), "https://…/exchange/partner/"),
)


# --- permissions and identity -------------------------------------------------------------------------------


def can_generate_letter(user: Any, mobility: Mobility) -> bool:
    """Only the International Office issues nomination letters (``permissions.can_nominate``)."""
    return permissions.can_nominate(user) and mobility.pk is not None


def can_view_letter(user: Any, mobility: Mobility) -> bool:
    """The office and leadership, and the coordinators of the partner the students are nominated to."""
    if not getattr(user, "is_authenticated", False) or mobility.pk is None:
        return False
    return can_read_university(user) or permissions.can_decide_for_partner(user, mobility)


def _refusal(user: Any, mobility: Mobility, template_code: str) -> str | None:
    if mobility.direction != Direction.OUTGOING or mobility.nominated_at is None:
        return _("A nomination letter is written for students we nominate to a partner.")
    return None


def _holder(mobility: Mobility) -> str:
    partner = mobility.partner
    return (partner.name_en or partner.name)[:300]


def _issuing_unit(mobility: Mobility) -> tuple[str, str]:
    university, office = university_names(), office_names()
    return f"{university['name_en']}, {office['name_en']}", f"{university['name_zh']}{office['name_zh']}"


def _body(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        code=LETTER,
        name_en="Nomination of exchange students",
        name_zh="学生交换提名函",
        kind=TemplateKind.LETTER,
        languages=TemplateLanguages.BILINGUAL,
        serial_code="MNL",
        bodies=lambda: {"bilingual": _body("nomination_letter.jinja")},
    ),
)

SOURCE = sources.register(
    DocumentSource(
        key=SOURCE_KEY,
        label=gettext_lazy("Nomination to a partner"),
        model=lambda: Mobility,
        applies=lambda mobility: mobility.is_outgoing,
        fields=FIELDS,
        context=nomination_letter_context,
        sample=nomination_letter_sample,
        can_generate=can_generate_letter,
        can_view=can_view_letter,
        refusal=_refusal,
        holder_name=_holder,
        issuing_unit=_issuing_unit,
        defaults=DEFAULT_TEMPLATES,
    )
)


def nomination_letter_of(mobility: Mobility) -> Any:
    """The newest valid (not revoked) nomination letter of ``mobility``'s batch, or None."""
    from django.contrib.contenttypes.models import ContentType

    from meridian.documents.models import GeneratedDocument

    ids = list(nomination_batch(mobility).values_list("pk", flat=True))
    return (
        GeneratedDocument.objects.filter(
            content_type=ContentType.objects.get_for_model(Mobility),
            object_id__in=ids,
            source=SOURCE_KEY,
            revoked_at__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
