"""The affiliation matcher on the ROR education subset of ../shared/data: the issue's examples and a small
fixed evaluation with precision and recall floors."""

from __future__ import annotations

import pytest

from meridian.reference.affiliation import match_affiliation, split_affiliation
from meridian.reference.affiliation_eval import build_cases, evaluate, read_ror, split_rows, write_ror
from meridian.reference.models import (
    Institution,
    InstitutionDomain,
    InstitutionName,
    InstitutionToken,
    RegistryImport,
)
from meridian.reference.registry_import import registry_import
from meridian.reference.services import reference_load
from meridian.reference.tests.conftest import shared_file

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]

COPENHAGEN = "035b05819"
TEXAS_AM = "01f5ytq51"
OXFORD = "052gg0110"
UCLA = "046rm7j60"
PEKING = "02v51f717"
MIAMI_OHIO = "05nbqxr67"
MIAMI_FLORIDA = "02dgjyy92"
OXFORD_BROOKES = "04v2twj65"
TSINGHUA = "03cve4549"
TOKYO = "057zh3y96"
EXAMPLES = {
    COPENHAGEN,
    TEXAS_AM,
    OXFORD,
    UCLA,
    PEKING,
    MIAMI_OHIO,
    MIAMI_FLORIDA,
    OXFORD_BROOKES,
    TSINGHUA,
    TOKYO,
}
SEED = 60


@pytest.fixture(scope="module")
def ror(django_db_setup, django_db_blocker, tmp_path_factory):
    """The ROR subset less 300 held-out records (never the examples), imported through the real pipeline."""
    rows = read_ror(shared_file("ror_education_subset.csv"))
    loaded, held_out = split_rows(rows, seed=SEED, held_out=300, keep=EXAMPLES)
    path = write_ror(loaded, tmp_path_factory.mktemp("ror") / "ror.csv")
    with django_db_blocker.unblock():
        reference_load()
        registry_import(source="ror", path=path)
    yield loaded, held_out
    with django_db_blocker.unblock():
        for model in (
            InstitutionToken,
            InstitutionName,
            InstitutionDomain,
            Institution,
            RegistryImport,
        ):
            # Countries, ISCED and EQF arrive with the migrations; later tests expect them.
            model.objects.all().delete()


def chosen_ror(affiliation: str) -> str | None:
    result = match_affiliation(affiliation=affiliation)
    return result.chosen.institution.ror_id if result.chosen else None


def test_glued_country_is_split_off_and_detected(ror):
    result = match_affiliation(affiliation="University of CopenhagenDenmark")
    assert result.country == "DK"
    assert result.chosen.institution.ror_id == COPENHAGEN
    assert result.chosen.matched == "University of Copenhagen"
    # The IT University of Copenhagen is a candidate, ranked below and not chosen.
    names = [c.institution.name for c in result.candidates]
    assert names[0] == "University of Copenhagen" and "IT University of Copenhagen" in names
    assert [c.chosen for c in result.candidates].count(True) == 1


def test_html_entities_are_decoded(ror):
    result = match_affiliation(affiliation="Texas A&amp;M University")
    assert result.affiliation == "Texas A&M University"
    assert result.chosen.institution.ror_id == TEXAS_AM
    assert result.chosen.score == 1.0
    assert chosen_ror(
        "Dept. of Soil &amp;amp; Crop Sciences, Texas A&amp;amp;M University, College Station"
    ) == (TEXAS_AM)


def test_department_before_and_country_after(ror):
    result = match_affiliation(affiliation="Dept. of Physics, University of Oxford, UK")
    assert result.country == "GB"
    assert result.chosen.institution.ror_id == OXFORD
    assert result.chosen.matched == "University of Oxford"
    assert result.chosen.matched_name == "University of Oxford"
    runner_up = result.candidates[1]
    assert runner_up.institution.ror_id == OXFORD_BROOKES and not runner_up.chosen
    assert result.chosen.score - runner_up.score >= 0.04


def test_typo_still_finds_the_institution(ror):
    result = match_affiliation(affiliation="University of California, Los Angles")
    assert result.chosen.institution.ror_id == UCLA
    assert 0.95 <= result.chosen.score < 1.0
    assert chosen_ror("Univeristy of Copenhagen, Denmark") == COPENHAGEN


def test_former_names_are_accepted_and_the_current_name_preferred(ror):
    assert (
        chosen_ror("State Normal School at Los Angeles (now University of California, Los Angeles)") == UCLA
    )
    result = match_affiliation(
        affiliation="Department of History, formerly State Normal School at Los Angeles"
    )
    assert result.chosen.institution.ror_id == UCLA
    assert result.chosen.matched_name == "State Normal School at Los Angeles"
    assert result.chosen.score < 1.0  # a former name counts less than a current one
    # The current name wins over a former name that is another registry institution.
    result = match_affiliation(affiliation="University of Oxford (formerly Oxford Brookes University)")
    assert result.chosen.institution.ror_id == OXFORD
    assert {c.institution.ror_id for c in result.candidates[:2]} == {OXFORD, OXFORD_BROOKES}


@pytest.mark.parametrize(
    "affiliation, expected",
    [
        ("Peking University Third Hospital, Beijing, China", PEKING),
        ("Hospital of the University of Copenhagen", COPENHAGEN),
        ("Faculty of Medicine, University of Copenhagen, Copenhagen, Denmark", COPENHAGEN),
        ("Faculty of Medicine University of Copenhagen", COPENHAGEN),
        ("北京大学物理学院", PEKING),
        ("中国北京大学", PEKING),
        ("清华大学计算机科学与技术系，北京 100084，中国", TSINGHUA),
        ("東京大学大学院理学系研究科, 日本", TOKYO),  # Japanese kanji compared as Simplified Chinese
    ],
)
def test_hospital_and_faculty_of_a_university_choose_the_university(ror, affiliation, expected):
    assert chosen_ror(affiliation) == expected


def test_word_order_and_campus_qualifiers_are_not_taken_for_another_institution(ror):
    # Miami University (Ohio) and the University of Miami (Florida) are two universities.
    assert chosen_ror("Miami University, Oxford, Ohio, USA") == MIAMI_OHIO
    assert chosen_ror("University of Miami, Coral Gables, FL, USA") == MIAMI_FLORIDA
    # "University of California" alone is not the Los Angeles campus.
    result = match_affiliation(affiliation="University of California, Irvine Medical Center")
    assert result.chosen is None or result.chosen.institution.ror_id != UCLA


@pytest.mark.parametrize(
    "affiliation",
    [
        "Siemens AG, Munich, Germany",
        "World Health Organization, Geneva, Switzerland",
        "UCLA",  # an acronym alone ranks candidates but never chooses
        "",
    ],
)
def test_organisations_outside_the_registry_are_not_chosen(ror, affiliation):
    assert match_affiliation(affiliation=affiliation).chosen is None


def test_acronym_alone_ranks_its_institution_first(ror):
    result = match_affiliation(affiliation="UCLA")
    assert result.candidates[0].institution.ror_id == UCLA
    assert result.candidates[0].matched_kind == "acronym"


@pytest.mark.parametrize(
    "affiliation, parts, country",
    [
        ("University of CopenhagenDenmark", ["University of Copenhagen"], "DK"),
        ("Dept. of Physics, University of Oxford, U.K.", ["Dept. of Physics", "University of Oxford"], "GB"),
        (
            "School of Medicine; Seoul National University; Seoul, Korea, Republic of",
            ["School of Medicine", "Seoul National University", "Seoul"],
            "KR",
        ),
        ("Los Angeles, CA, USA", ["Los Angeles", "CA"], "US"),
        (
            "Georgia Institute of Technology, Atlanta, Georgia, USA",
            ["Georgia Institute of Technology", "Atlanta"],
            "US",
        ),
        (
            "Rutgers, The State University of New Jersey",
            ["Rutgers", "The State University of New Jersey"],
            "",
        ),
        ("University of Indonesia", ["University of Indonesia"], ""),
        ("Peking University, Beijing 100871, P. R. China", ["Peking University", "Beijing 100871"], "CN"),
        ("Universität Wien, Österreich", ["Universität Wien"], "AT"),
        ("北京大学，中国", ["北京大学"], "CN"),
    ],
)
def test_split_into_parts_and_detect_the_country(ror, affiliation, parts, country):
    found, _former, detected = split_affiliation(affiliation)
    assert (found, detected) == (parts, country)


def test_small_fixed_evaluation_meets_the_floors(ror):
    loaded, held_out = ror
    loaded = [row for row in loaded if row["ror_id"].rsplit("/", 1)[-1] not in EXAMPLES]
    cases = build_cases(loaded, held_out, seed=SEED, positives=45, negatives=15)
    assert len(cases) == 60
    assert sum(1 for case in cases if not case.expected) == 15
    outcome = evaluate(cases)
    assert outcome.precision >= 0.95, outcome.misses
    assert outcome.recall >= 0.85, outcome.misses
