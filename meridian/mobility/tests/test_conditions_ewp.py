"""The EWP mapping of cooperation conditions, validated against the official IIAs API v7 schema
(``ewp-specs-api-iias/endpoints/get-response.xsd`` from ../shared/ewp; the EWP types it imports from the
web are read from the EWP Registry's local copies, through the Registry's own schema catalogue)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from meridian.core.errors import DomainError
from meridian.mobility.choices import Direction, MobilityType
from meridian.mobility.ewp_conditions import (
    IIAS_NAMESPACE,
    condition_to_ewp_xml,
    ewp_isced_code,
    ewp_problems,
)
from meridian.mobility.models import ConditionLanguage
from meridian.mobility.tests.factories import make_condition
from meridian.mobility.tests.factories_conditions import make_isced

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]

EWP = Path(settings.BASE_DIR).parent / "shared" / "ewp"
# The EWP Registry's own copies of the schemas, with its catalogue (namespace → file), as it validates.
SCHEMAS = EWP / "ewp-registry-service" / "src" / "main" / "resources" / "schemas"
RAW = "https://raw.githubusercontent.com/erasmus-without-paper/"
GITHUB = "https://github.com/erasmus-without-paper/"
NS = {"i": IIAS_NAMESPACE}


def _catalogue() -> dict[str, Path]:
    root = etree.parse(str(SCHEMAS / "__index__.xml")).getroot()
    return {entry.get("name"): SCHEMAS / entry.get("uri") for entry in root}


class RegistryCatalogue(etree.Resolver):
    """The schema's imports (``raw.githubusercontent.com/erasmus-without-paper/<repo>/<branch>/<path>`` and
    the W3C ``xml.xsd``) resolved through the EWP Registry's catalogue to its local copies; nothing from
    the network."""

    def __init__(self) -> None:
        super().__init__()
        self.files = _catalogue()

    def resolve(self, url, pubid, context):
        if url.startswith(RAW):
            repo, branch, path = url[len(RAW) :].split("/", 2)
            for name in (f"{GITHUB}{repo}/tree/{branch}", f"{GITHUB}{repo}/blob/{branch}/{path}"):
                if name in self.files:
                    return self.resolve_filename(str(self.files[name]), context)
        if url.endswith("/xml.xsd"):
            return self.resolve_filename(str(self.files["http://www.w3.org/XML/1998/namespace"]), context)
        if url.startswith(("http:", "https:")):
            raise AssertionError(f"the schema wants {url}, which has no local copy")
        return None  # a local file


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    path = EWP / "ewp-specs-api-iias" / "endpoints" / "get-response.xsd"
    if not path.exists() or not (SCHEMAS / "__index__.xml").exists():
        pytest.skip("the EWP specifications are not in ../shared/ewp")
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(RegistryCatalogue())
    return etree.XMLSchema(etree.parse(str(path), parser))


@pytest.fixture
def ready(world, settings):
    """The world with SCHAC codes on both sides and subject areas on the outgoing condition."""
    settings.EWP_HEI_ID = "meridian.edu.cn"
    world.partner.schac_code = "tu-beispiel.de"
    world.partner.save()
    isced = make_isced()
    world.outgoing.subject_areas.set([isced["0714"], isced["07"]])
    world.outgoing.other_requirements = "Transcript in English."
    world.outgoing.internal_note = "NEVER-EXPORTED"
    world.outgoing.save()
    return world


def _valid(schema, xml: str) -> etree._Element:
    root = etree.fromstring(xml.encode())
    assert schema.validate(root), schema.error_log
    return root


def _text(root, path: str) -> list[str]:
    return [e.text for e in root.findall(path, NS)]


def test_an_outgoing_study_condition_validates_and_carries_everything(schema, ready):
    xml = condition_to_ewp_xml(ready.outgoing)
    root = _valid(schema, xml)
    assert root.tag == f"{{{IIAS_NAMESPACE}}}student-studies-mobility-spec"
    assert _text(root, "i:sending-hei-id") == ["meridian.edu.cn"]
    assert _text(root, "i:receiving-hei-id") == ["tu-beispiel.de"]
    assert _text(root, "i:receiving-first-academic-year-id") == ["2099/2100"]
    assert _text(root, "i:receiving-last-academic-year-id") == ["2099/2100"]
    assert _text(root, "i:mobilities-per-year") == ["2"]
    assert _text(root, "i:recommended-language-skill/i:language") == ["en"]
    assert _text(root, "i:recommended-language-skill/i:cefr-level") == ["B2"]
    assert _text(root, "i:subject-area/i:isced-f-code") == ["0700", "0714"]
    assert _text(root, "i:total-months-per-year") == ["10"]
    assert _text(root, "i:blended") == ["false"]
    assert _text(root, "i:eqf-level") == ["6", "7"]
    assert _text(root, "i:other-info-terms") == ["Transcript in English."]
    assert "NEVER-EXPORTED" not in xml


def test_incoming_swaps_the_sides(schema, ready):
    root = _valid(schema, condition_to_ewp_xml(ready.incoming))
    assert _text(root, "i:sending-hei-id") == ["tu-beispiel.de"]
    assert _text(root, "i:receiving-hei-id") == ["meridian.edu.cn"]


@pytest.mark.parametrize(
    ("mobility_type", "element"),
    [
        (MobilityType.SEMESTER, "student-studies-mobility-spec"),
        (MobilityType.FULL_YEAR, "student-studies-mobility-spec"),
        (MobilityType.SHORT_PROGRAMME, "student-studies-mobility-spec"),
        (MobilityType.SUMMER_SCHOOL, "student-studies-mobility-spec"),
        (MobilityType.TRAINEESHIP, "student-traineeship-mobility-spec"),
        (MobilityType.STAFF_TEACHING, "staff-teacher-mobility-spec"),
        (MobilityType.STAFF_TRAINING, "staff-training-mobility-spec"),
    ],
)
def test_every_mobility_type_maps_to_a_valid_spec(schema, ready, mobility_type, element):
    staff = mobility_type in (MobilityType.STAFF_TEACHING, MobilityType.STAFF_TRAINING)
    condition = make_condition(
        ready.agreement,
        ready.partner,
        direction=Direction.OUTGOING,
        year=2027,
        mobility_type=mobility_type,
        eqf_levels=[] if staff else [7],
        total_months=Decimal("4.5"),
    )
    root = _valid(schema, condition_to_ewp_xml(condition))
    assert root.tag == f"{{{IIAS_NAMESPACE}}}{element}"
    assert _text(root, "i:total-months-per-year") == ([] if staff else ["4.5"])


def test_a_condition_for_every_year_spans_the_agreements_years(schema, ready):
    condition = make_condition(
        ready.agreement, ready.partner, year=None, mobility_type=MobilityType.TRAINEESHIP, total_months=None
    )
    root = _valid(schema, condition_to_ewp_xml(condition))
    assert _text(root, "i:receiving-first-academic-year-id") == ["2024/2025"]
    assert _text(root, "i:receiving-last-academic-year-id") == ["2029/2030"]
    assert _text(root, "i:total-months-per-year") == []


def test_a_traineeship_and_training_need_no_language(schema, ready):
    for mobility_type in (MobilityType.TRAINEESHIP, MobilityType.STAFF_TRAINING):
        condition = make_condition(
            ready.agreement, ready.partner, year=2028, mobility_type=mobility_type, eqf_levels=[]
        )
        ConditionLanguage.objects.filter(condition=condition).delete()
        _valid(schema, condition_to_ewp_xml(condition))


def test_what_ewp_requires_is_named_when_missing(ready, settings):
    ConditionLanguage.objects.filter(condition=ready.outgoing).delete()
    assert ewp_problems(ready.outgoing) == [
        "EWP requires at least one language requirement for this mobility type."
    ]
    settings.EWP_HEI_ID = ""
    assert "<receiving-hei-id>x.edu.cn</receiving-hei-id>" in condition_to_ewp_xml(
        ready.incoming, home_hei_id="x.edu.cn"
    )
    ready.partner.schac_code = ""
    ready.partner.save()
    ready.agreement.end_date = None
    ready.agreement.save()
    every_year = make_condition(
        ready.agreement, ready.partner, year=None, mobility_type=MobilityType.TRAINEESHIP
    )
    problems = ewp_problems(every_year)
    assert "Our university's SCHAC code (EWP HEI id) is not configured." in problems
    assert f"{ready.partner.display_name} has no SCHAC code: add it on the partner's record." in problems
    assert any("EWP needs the first and last academic year" in p for p in problems)
    with pytest.raises(DomainError):
        condition_to_ewp_xml(every_year)


def test_isced_codes_are_four_digits(db):
    make_isced()
    assert [ewp_isced_code(code) for code in ("0714", "07", "071", "01", "06", "061", "08")] == [
        "0714",
        "0700",
        "0710",
        "0110",
        "0610",
        "0610",
        "0800",
    ]


def test_the_mapping_uses_the_official_examples_names(ready):
    """The element names and their order are those of the official example response."""
    example = EWP / "ewp-specs-api-iias" / "endpoints" / "get-response-example.xml"
    if not example.exists():
        pytest.skip("the EWP specifications are not in ../shared/ewp")
    official = etree.parse(str(example)).find(".//i:student-studies-mobility-spec", NS)
    ours = etree.fromstring(condition_to_ewp_xml(ready.outgoing).encode())
    names = [etree.QName(e).localname for e in ours]
    official_names = [etree.QName(e).localname for e in official if isinstance(e.tag, str)]
    in_order = [n for n in official_names if n in names]
    assert [n for n in dict.fromkeys(names) if n in in_order] == list(dict.fromkeys(in_order))
