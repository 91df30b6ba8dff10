"""A cooperation condition as the Erasmus Without Paper (EWP) Interinstitutional Agreements API v7 writes it:
one ``*-mobility-spec`` element of ``cooperation-conditions`` (IIAs API ``endpoints/get-response.xsd``,
namespace ``IIAS_NAMESPACE``), for an EWP connector to put into an IIA.

Mapping (ours → EWP):

- direction: outgoing = we send (``sending-hei-id`` is ours, ``receiving-hei-id`` the partner's SCHAC code),
  incoming the other way round; our SCHAC code is ``settings.EWP_HEI_ID`` (or ``home_hei_id``), the
  partner's ``Partner.schac_code``;
- mobility type: semester, full-year, short programme and summer school → ``student-studies-mobility-spec``;
  traineeship → ``student-traineeship-mobility-spec``; staff teaching → ``staff-teacher-mobility-spec``;
  staff training → ``staff-training-mobility-spec``;
- academic year → ``receiving-first-academic-year-id`` and ``receiving-last-academic-year-id`` ("2026/2027",
  the northern-hemisphere form); a condition for every year spans the agreement's first to last academic
  year (its start and end dates, academic years starting in September);
- places → ``mobilities-per-year``; total months → ``total-months-per-year`` (student mobility, when above
  0); staff conditions give no ``total-days-per-year`` (we record months, not days);
- languages → ``recommended-language-skill`` (ISO 639-1 code and CEFR level; studies and teaching need one);
- subject areas → ``subject-area/isced-f-code``: EWP v7 takes four-digit ISCED-F codes only, so a broad or
  narrow field (07, 071) is written as its "not further defined" detailed field (0700, 0710) where the
  classification has one, else padded with zeros;
- other requirements → ``other-info-terms``; EQF levels → ``eqf-level`` (student mobility);
  ``blended`` is false (we do not record blended mobility). Units are not written: EWP wants the partners'
  organisational-unit surrogate ids, which we do not know. The internal note is never written.
"""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree as ET  # noqa: N817 - writing only, never parsing

from django.conf import settings
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError
from meridian.mobility.choices import Direction, MobilityType
from meridian.mobility.models import CooperationCondition
from meridian.mobility.models.base import academic_year_label
from meridian.mobility.selectors.conditions import agreement_academic_years
from meridian.reference.models import IscedField

IIAS_NAMESPACE = (
    "https://github.com/erasmus-without-paper/ewp-specs-api-iias/blob/stable-v7/endpoints/get-response.xsd"
)

SPEC_ELEMENTS = {
    MobilityType.SEMESTER: "student-studies-mobility-spec",
    MobilityType.FULL_YEAR: "student-studies-mobility-spec",
    MobilityType.SHORT_PROGRAMME: "student-studies-mobility-spec",
    MobilityType.SUMMER_SCHOOL: "student-studies-mobility-spec",
    MobilityType.TRAINEESHIP: "student-traineeship-mobility-spec",
    MobilityType.STAFF_TEACHING: "staff-teacher-mobility-spec",
    MobilityType.STAFF_TRAINING: "staff-training-mobility-spec",
}
STUDENT_SPECS = ("student-studies-mobility-spec", "student-traineeship-mobility-spec")
# The specs whose schema requires at least one recommended language skill.
LANGUAGE_REQUIRED = ("student-studies-mobility-spec", "staff-teacher-mobility-spec")


def _home_hei_id(home_hei_id: str | None) -> str:
    return (home_hei_id if home_hei_id is not None else getattr(settings, "EWP_HEI_ID", "")).strip()


def _years(condition: CooperationCondition) -> tuple[int | None, int | None]:
    if condition.academic_year is not None:
        return condition.academic_year, condition.academic_year
    return agreement_academic_years(condition.agreement)


def ewp_problems(condition: CooperationCondition, *, home_hei_id: str | None = None) -> list[str]:
    """What keeps ``condition`` from being written as a valid EWP cooperation condition ([] when nothing):
    a SCHAC code missing (ours or the partner's), no academic years (a condition for every year of an
    agreement without start or end date), no language requirement where EWP requires one."""
    problems: list[str] = []
    if not _home_hei_id(home_hei_id):
        problems.append(_("Our university's SCHAC code (EWP HEI id) is not configured."))
    if not (condition.partner.schac_code or "").strip():
        problems.append(
            _("%(partner)s has no SCHAC code: add it on the partner's record.")
            % {"partner": condition.partner.display_name}
        )
    first, last = _years(condition)
    if first is None or last is None:
        problems.append(
            _(
                "EWP needs the first and last academic year: give the condition a year, or the agreement a "
                "start and an end date."
            )
        )
    element = SPEC_ELEMENTS[MobilityType(condition.mobility_type)]
    if element in LANGUAGE_REQUIRED and not condition.languages.exists():
        problems.append(_("EWP requires at least one language requirement for this mobility type."))
    return problems


def ewp_isced_code(code: str) -> str:
    """A four-digit ISCED-F code for EWP v7: a detailed field as it is; a broad or narrow field as its lowest
    "not further defined" detailed field (07 → 0700, 071 → 0710, 01 → 0110, 06 → 0610), else padded."""
    if len(code) >= 4:
        return code[:4]
    nfd = (
        IscedField.objects.filter(code__startswith=code, code__regex=r"^[0-9]{3}0$")
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    return nfd or code.ljust(4, "0")


def _months(value: Decimal) -> str:
    """10.0 → "10", 4.5 → "4.5" (EWP: a decimal above 0 with at most two fraction digits)."""
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def condition_to_ewp_element(
    condition: CooperationCondition, *, home_hei_id: str | None = None
) -> ET.Element:
    """``condition`` as an element whose ``xmlns`` is the IIAs API v7 namespace (children inherit it; see
    the module docstring). Raises ``DomainError`` listing ``ewp_problems`` when it cannot be valid."""
    problems = ewp_problems(condition, home_hei_id=home_hei_id)
    if problems:
        raise DomainError(" ".join(problems), code="ewp_incomplete")
    ours = _home_hei_id(home_hei_id)
    theirs = condition.partner.schac_code.strip()
    sending, receiving = (ours, theirs) if condition.direction == Direction.OUTGOING else (theirs, ours)
    first, last = _years(condition)
    name = SPEC_ELEMENTS[MobilityType(condition.mobility_type)]
    spec = ET.Element(name, {"xmlns": IIAS_NAMESPACE})

    def add(parent: ET.Element, tag: str, text: str) -> ET.Element:
        child = ET.SubElement(parent, tag)
        child.text = text
        return child

    # The order is the schema's (MobilityMain, languages, MobilityAdditional, the student or staff extension).
    add(spec, "sending-hei-id", sending)
    add(spec, "receiving-hei-id", receiving)
    add(spec, "receiving-first-academic-year-id", academic_year_label(first))
    add(spec, "receiving-last-academic-year-id", academic_year_label(last))
    add(spec, "mobilities-per-year", str(condition.places))
    for row in condition.languages.order_by("id"):
        skill = ET.SubElement(spec, "recommended-language-skill")
        add(skill, "language", row.language)
        add(skill, "cefr-level", row.cefr_level)
    for code in sorted(condition.subject_areas.values_list("code", flat=True)):
        area = ET.SubElement(spec, "subject-area")
        add(area, "isced-f-code", ewp_isced_code(code))
    if condition.other_requirements.strip():
        add(spec, "other-info-terms", condition.other_requirements.strip())
    if name in STUDENT_SPECS:
        if condition.total_months is not None and condition.total_months > 0:
            add(spec, "total-months-per-year", _months(condition.total_months))
        add(spec, "blended", "false")
        for level in sorted(condition.eqf_levels or []):
            add(spec, "eqf-level", str(level))
    return spec


def condition_to_ewp_xml(condition: CooperationCondition, *, home_hei_id: str | None = None) -> str:
    """``condition`` as an XML fragment (one ``*-mobility-spec`` element with the IIAs API v7 namespace
    declared on it), valid against the official ``get-response.xsd``. ``home_hei_id`` is our SCHAC code
    (default ``settings.EWP_HEI_ID``). Raises ``DomainError`` when the condition lacks what EWP requires
    (``ewp_problems``)."""
    element = condition_to_ewp_element(condition, home_hei_id=home_hei_id)
    ET.indent(element)
    return ET.tostring(element, encoding="unicode")
