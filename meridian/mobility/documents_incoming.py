"""The acceptance letter of incoming exchange students (录取通知书 / Letter of Acceptance).

Registers the document source ``mobility_incoming`` with ``meridian.documents``: an incoming mobility as plain
data (``acceptance_context``, fields documented in ``FIELDS``) and one default template, ``LETTER``, produced
as English and Chinese twins from the same record (so names, dates and passport data cannot disagree), each
with its own serial number and QR verification. The letter carries the acceptance letter number
(``ACC-<year>-<4 digits>``, ``Mobility.letter_number``) and the passport data the visa application needs (the
Chinese embassy or consulate asks for the admission letter; JW202 forms come with the international-students
context).

Who: our side's handlers of the mobility (the office, the host school's coordinators) generate it
(``can_handle_mobility``); those who may see the student's personal data read it
(``permissions.can_see_personal_data``: the student, our side's handlers, the partner's coordinators; not
leadership). It is generated only once the student is accepted (``refusal``). The passport number is printed
only while a letter is generated (``generation_context``), each time written to the people access log under
the generating user; ``acceptance_context`` alone leaves it empty.

Defaults are installed when missing and never overwritten; administrators edit them in the documents pages.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.documents.choices import TemplateKind, TemplateLanguages
from meridian.documents.sources import DefaultTemplate, DocumentSource, FieldDoc, sources
from meridian.mobility import permissions
from meridian.mobility.choices import Direction, MobilityState, MobilityType, Semester
from meridian.mobility.models import Mobility, academic_year_label
from meridian.people.choices import Gender

SOURCE_KEY = "mobility_incoming"
LETTER = "mobility-acceptance"
TEMPLATE_DIR = Path(__file__).resolve().parent / "document_templates"
# A letter exists once the student is accepted, and stays valid through the stay.
LETTER_STATES = frozenset(
    {MobilityState.ACCEPTED, MobilityState.ACTIVE, MobilityState.RETURNED, MobilityState.COMPLETED}
)

# The Chinese wording the letter prints, whatever the interface catalogue says (a letter to the authorities
# uses fixed terms).
_TYPE_ZH: dict[str, str] = {
    MobilityType.SEMESTER: "学期交换学习",
    MobilityType.FULL_YEAR: "学年交换学习",
    MobilityType.SHORT_PROGRAMME: "短期项目",
    MobilityType.SUMMER_SCHOOL: "暑期学校",
    MobilityType.TRAINEESHIP: "实习",
    MobilityType.STAFF_TEACHING: "教师授课交流",
    MobilityType.STAFF_TRAINING: "教师培训交流",
}
_TYPE_EN: dict[str, str] = {
    MobilityType.SEMESTER: "semester exchange study",
    MobilityType.FULL_YEAR: "full-year exchange study",
    MobilityType.SHORT_PROGRAMME: "short programme",
    MobilityType.SUMMER_SCHOOL: "summer school",
    MobilityType.TRAINEESHIP: "traineeship",
    MobilityType.STAFF_TEACHING: "staff teaching mobility",
    MobilityType.STAFF_TRAINING: "staff training mobility",
}
_SEMESTER_ZH: dict[str, str] = {
    Semester.AUTUMN: "秋季学期",
    Semester.SPRING: "春季学期",
    Semester.FULL_YEAR: "全学年",
    Semester.SUMMER: "暑期",
}
_SEMESTER_EN: dict[str, str] = {
    Semester.AUTUMN: "autumn semester",
    Semester.SPRING: "spring semester",
    Semester.FULL_YEAR: "full academic year",
    Semester.SUMMER: "summer",
}
_GENDER: dict[int, tuple[str, str]] = {
    Gender.MALE: ("Male", "男"),
    Gender.FEMALE: ("Female", "女"),
    Gender.NOT_KNOWN: ("", ""),
    Gender.NOT_APPLICABLE: ("", ""),
}

EMPTY_PASSPORT: dict[str, str] = {
    "number": "",
    "issuing_country_en": "",
    "issuing_country_zh": "",
    "issued_on": "",
    "expires_on": "",
}

FIELDS: tuple[FieldDoc, ...] = (
    FieldDoc("letter.number", gettext_lazy("Acceptance letter number"), "ACC-2026-0001"),
    FieldDoc("mobility.number", gettext_lazy("Mobility number"), "MOB-2026-00001"),
    FieldDoc("mobility.type_en", gettext_lazy("Kind of stay (English)"), "semester exchange study"),
    FieldDoc("mobility.type_zh", gettext_lazy("Kind of stay (Chinese)"), "学期交换学习"),
    FieldDoc("mobility.academic_year", gettext_lazy("Academic year"), "2026/2027"),
    FieldDoc("mobility.semester_en", gettext_lazy("Semester (English)"), "autumn semester"),
    FieldDoc("mobility.semester_zh", gettext_lazy("Semester (Chinese)"), "秋季学期"),
    FieldDoc("mobility.start", gettext_lazy("Planned start (YYYY-MM-DD), or empty"), "2026-09-01"),
    FieldDoc("mobility.end", gettext_lazy("Planned end (YYYY-MM-DD), or empty"), "2027-01-20"),
    FieldDoc("mobility.months", gettext_lazy("Planned months, or empty"), "5"),
    FieldDoc("mobility.planned_arrival", gettext_lazy("Planned arrival (YYYY-MM-DD)"), "2026-08-28"),
    FieldDoc("mobility.home_programme", gettext_lazy("Programme at home"), "Mechanical Engineering"),
    FieldDoc("mobility.eqf_level", gettext_lazy("Study level (EQF 5–8), or empty"), "6"),
    FieldDoc("mobility.isced_code", gettext_lazy("Subject area (ISCED-F code)"), "0715"),
    FieldDoc("mobility.language", gettext_lazy("Language of study (ISO 639)"), "en"),
    FieldDoc("mobility.language_en", gettext_lazy("Language of study (English name)"), "English"),
    FieldDoc("mobility.language_zh", gettext_lazy("Language of study (Chinese name)"), "英语"),
    FieldDoc("mobility.cefr_level", gettext_lazy("Language level (CEFR)"), "B2"),
    FieldDoc("mobility.accommodation_needed", gettext_lazy("Needs accommodation (true or false)"), True),
    FieldDoc("student.name_latin", gettext_lazy("Student's name as in the passport"), "MÜLLER Anna"),
    FieldDoc("student.family_name", gettext_lazy("Family name"), "Müller"),
    FieldDoc("student.given_name", gettext_lazy("Given names"), "Anna"),
    FieldDoc("student.name_zh", gettext_lazy("Chinese name, or empty"), "安娜"),
    FieldDoc("student.gender_en", gettext_lazy("Gender (English), or empty"), "Female"),
    FieldDoc("student.gender_zh", gettext_lazy("Gender (Chinese), or empty"), "女"),
    FieldDoc("student.birth_date", gettext_lazy("Date of birth (YYYY-MM-DD), or empty"), "2004-05-17"),
    FieldDoc("student.nationality_en", gettext_lazy("Nationality (English)"), "Germany"),
    FieldDoc("student.nationality_zh", gettext_lazy("Nationality (Chinese)"), "德国"),
    FieldDoc("student.passport.number", gettext_lazy("Passport number (letters only)"), "C01X00T47"),
    FieldDoc("student.passport.issuing_country_en", gettext_lazy("Passport issued by (English)"), "Germany"),
    FieldDoc("student.passport.issuing_country_zh", gettext_lazy("Passport issued by (Chinese)"), "德国"),
    FieldDoc("student.passport.issued_on", gettext_lazy("Passport issued on (YYYY-MM-DD)"), "2022-03-01"),
    FieldDoc("student.passport.expires_on", gettext_lazy("Passport valid until (YYYY-MM-DD)"), "2032-02-28"),
    FieldDoc("home_institution.name_en", gettext_lazy("Home institution (English)"), "Example University"),
    FieldDoc("home_institution.name_zh", gettext_lazy("Home institution (Chinese)"), "示例大学"),
    FieldDoc("home_institution.country_en", gettext_lazy("Home institution's country (English)"), "Germany"),
    FieldDoc("home_institution.country_zh", gettext_lazy("Home institution's country (Chinese)"), "德国"),
    FieldDoc("host_unit.name_en", gettext_lazy("Host school (English)"), "School of Engineering"),
    FieldDoc("host_unit.name_zh", gettext_lazy("Host school (Chinese)"), "工程学院"),
    FieldDoc(
        "host_unit.is_university",
        gettext_lazy("The host is the university itself, not one of its schools (true or false)"),
        False,
    ),
    FieldDoc(
        "host_unit.is_office", gettext_lazy("The host is the International Office (true or false)"), False
    ),
    FieldDoc("university.name_en", gettext_lazy("University (English)"), "Meridian University"),
    FieldDoc("university.name_zh", gettext_lazy("University (Chinese)"), "子午线大学"),
)  # fmt: skip


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _unit(unit: Any) -> dict[str, str]:
    return {"name_en": unit.name_en, "name_zh": unit.name_zh or unit.name_en}


def university_of(unit: Any) -> dict[str, str]:
    """The university: the root of the unit's materialised path ("/1/4/9/"), else the configured name."""
    from meridian.accounts.models import OrgUnit

    root_id = next((int(p) for p in (unit.path or "").split("/") if p.isdigit()), None)
    root = OrgUnit.objects.filter(pk=root_id).first() if root_id else None
    if root is None:
        name = getattr(settings, "UNIVERSITY_NAME", "")
        return {"name_en": name, "name_zh": name}
    return _unit(root)


def _language_names(code: str) -> tuple[str, str]:
    """The English and Chinese names of an ISO 639-1 language ("de" → "German", "德语"); the code for one the
    language data does not know."""
    from django.utils import translation

    from meridian.mobility.labels import language_label

    if not code:
        return "", ""
    with translation.override("en"):
        english = language_label(code)
    with translation.override("zh-hans"):
        chinese = language_label(code)
    return english, chinese


def _host_unit(unit: Any, university: dict[str, str]) -> dict[str, Any]:
    """The host unit's names, and whether it is the university itself or the International Office (so the
    letter names the university once, and the office once)."""
    names = _unit(unit)
    return {
        **names,
        "is_university": unit.parent_id is None or names["name_en"] == university["name_en"],
        "is_office": bool(unit.is_international_office),
    }


def _country(country: Any) -> tuple[str, str]:
    if country is None:
        return "", ""
    return country.name_en, country.name_zh or country.name_en


def _passport(mobility: Mobility) -> Any:
    from meridian.mobility.services.incoming import current_passport

    return current_passport(mobility)


def acceptance_context(mobility: Mobility, *, passport_number: str = "") -> dict[str, Any]:
    """One incoming mobility as the plain data a letter template sees (``FIELDS``). The passport number is
    empty unless ``passport_number`` is given (``generation_context`` logs that disclosure)."""
    person = mobility.person
    nationality_en, nationality_zh = _country(person.nationality)
    partner_country_en, partner_country_zh = _country(mobility.partner.country)
    gender_en, gender_zh = _GENDER.get(person.gender, ("", ""))
    language_en, language_zh = _language_names(str(mobility.language or ""))
    university = university_of(mobility.home_unit)
    passport = dict(EMPTY_PASSPORT)
    document = _passport(mobility)
    if document is not None:
        issued_en, issued_zh = _country(document.issuing_country)
        passport = {
            "number": passport_number,
            "issuing_country_en": issued_en,
            "issuing_country_zh": issued_zh,
            "issued_on": _iso(document.issue_date),
            "expires_on": _iso(document.expiry_date),
        }
    return {
        "letter": {"number": mobility.letter_number},
        "mobility": {
            "number": mobility.number,
            "type_en": _TYPE_EN.get(mobility.mobility_type, mobility.mobility_type),
            "type_zh": _TYPE_ZH.get(mobility.mobility_type, mobility.mobility_type),
            "academic_year": academic_year_label(mobility.academic_year),
            "semester_en": _SEMESTER_EN.get(mobility.semester, mobility.semester),
            "semester_zh": _SEMESTER_ZH.get(mobility.semester, mobility.semester),
            "start": _iso(mobility.planned_start),
            "end": _iso(mobility.planned_end),
            "months": f"{mobility.months.normalize():f}" if mobility.months is not None else "",
            "planned_arrival": _iso(mobility.planned_arrival),
            "home_programme": mobility.home_programme,
            "eqf_level": str(mobility.eqf_level or ""),
            "isced_code": str(mobility.isced_code),
            "language": str(mobility.language),
            "language_en": language_en,
            "language_zh": language_zh,
            "cefr_level": str(mobility.cefr_level),
            "accommodation_needed": bool(mobility.accommodation_needed),
        },
        "student": {
            "name_latin": person.latin_name,
            "family_name": person.family_name,
            "given_name": person.given_name,
            "name_zh": person.name_zh,
            "gender_en": gender_en,
            "gender_zh": gender_zh,
            "birth_date": _iso(person.birth_date),
            "nationality_en": nationality_en,
            "nationality_zh": nationality_zh,
            "passport": passport,
        },
        "home_institution": {
            "name_en": mobility.partner.name_en or mobility.partner.name,
            "name_zh": mobility.partner.name_zh or mobility.partner.name_en or mobility.partner.name,
            "country_en": partner_country_en,
            "country_zh": partner_country_zh,
        },
        "host_unit": _host_unit(mobility.home_unit, university),
        "university": university,
    }


def acceptance_sample() -> dict[str, Any]:
    """``acceptance_context``'s shape with the example values of ``FIELDS``."""
    sample: dict[str, Any] = {}
    for field in FIELDS:
        *path, last = field.name.split(".")
        node = sample
        for part in path:
            node = node.setdefault(part, {})
        node[last] = field.example
    return sample


# --- permissions and refusals --------------------------------------------------------------------------


def can_generate_letter(user: Any, mobility: Mobility) -> bool:
    """Our side's handlers of the mobility: the office and the host school's coordinators."""
    return mobility.pk is not None and permissions.can_handle_mobility(user, mobility)


def can_view_letter(user: Any, mobility: Mobility) -> bool:
    """Those who may see the student's personal data (the letter prints the passport number)."""
    return mobility.pk is not None and permissions.can_see_personal_data(user, mobility)


def refusal(mobility: Mobility, template_code: str = LETTER) -> str:
    """Why no acceptance letter can be generated for ``mobility`` now ("" when it can)."""
    if mobility.direction != Direction.INCOMING:
        return _("Acceptance letters are issued to incoming students only.")
    if mobility.state not in LETTER_STATES:
        return _(
            "Not now: the mobility is “%(state)s”. The letter is issued when the student is accepted."
        ) % {"state": mobility.get_state_display()}
    if not mobility.letter_number:
        return _("The letter is issued with the acceptance, which gives it its number.")
    return ""


def _refusal(user: Any, mobility: Mobility, template_code: str) -> str | None:
    return refusal(mobility, template_code) or None


def _generation_context(mobility: Mobility, template_code: str, actor: Any) -> dict[str, Any]:
    """The letter's context with the passport number, written to the access log under ``actor``."""
    document = _passport(mobility)
    if document is None:
        return acceptance_context(mobility)
    from meridian.people.choices import AccessAction
    from meridian.people.services import access_log_record

    access_log_record(
        actor=actor,
        action=AccessAction.UNMASK,
        document=document,
        purpose=_("%(number)s: printed on the acceptance letter %(letter)s")
        % {"number": mobility.number, "letter": mobility.letter_number},
    )
    return acceptance_context(mobility, passport_number=document.number)


def holder_name(mobility: Mobility) -> str:
    person = mobility.person
    return f"{person.latin_name} {person.name_zh}".strip()[:300] or mobility.number


def issuing_unit(mobility: Mobility) -> tuple[str, str]:
    """The university and the host school; the university once when it hosts the student itself."""
    university = university_of(mobility.home_unit)
    unit = _host_unit(mobility.home_unit, university)
    if unit["is_university"]:
        return university["name_en"], university["name_zh"]
    return f"{university['name_en']}, {unit['name_en']}", f"{university['name_zh']}{unit['name_zh']}"


def _body(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        code=LETTER,
        name_en="Letter of acceptance (exchange student)",
        name_zh="交换生录取通知书",
        kind=TemplateKind.LETTER,
        languages=TemplateLanguages.TWINS,
        serial_code="ACL",
        bodies=lambda: {"en": _body("acceptance_en.jinja"), "zh": _body("acceptance_zh.jinja")},
    ),
)

SOURCE = sources.register(
    DocumentSource(
        key=SOURCE_KEY,
        label=gettext_lazy("Incoming exchange student"),
        model=lambda: Mobility,
        applies=lambda mobility: not mobility.is_outgoing,
        fields=FIELDS,
        context=acceptance_context,
        sample=acceptance_sample,
        can_generate=can_generate_letter,
        can_view=can_view_letter,
        refusal=_refusal,
        generation_context=_generation_context,
        holder_name=holder_name,
        issuing_unit=issuing_unit,
        defaults=DEFAULT_TEMPLATES,
    )
)


def acceptance_generate(*, mobility: Mobility, actor: Any, language: str) -> Any:
    """Generate the acceptance letter of ``mobility`` in ``language`` ("en" or "zh"); returns the platform's
    ``GeneratedDocument`` (PDF with serial number and QR verification). Raises what
    ``documents.services.document_generate`` raises: ``PermissionDeniedError`` (``can_generate_letter``),
    ``DocumentRefusedError`` (``refusal``) and ``DocumentError``."""
    from meridian.documents.services import document_generate

    return document_generate(template_code=LETTER, subject=mobility, actor=actor, language=language)


def acceptance_letters(mobility: Mobility, user: Any) -> list[Any]:
    """The acceptance letters generated for ``mobility`` (newest first, revoked ones included), or [] when
    ``user`` may not read them."""
    from meridian.documents.models import GeneratedDocument

    if not can_view_letter(user, mobility):
        return []
    return list(
        GeneratedDocument.objects.for_subject(mobility)
        .filter(source=SOURCE_KEY)
        .select_related("template")
        .order_by("-created_at", "-id")
    )
