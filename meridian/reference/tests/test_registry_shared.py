"""The published registry files of ../shared/data: imported once per module, then counted and searched."""

from __future__ import annotations

import csv

import pytest

from meridian.reference.erasmus import erasmus_key, normalise_erasmus_code
from meridian.reference.models import (
    Institution,
    InstitutionDomain,
    InstitutionName,
    InstitutionToken,
    RegistryImport,
)
from meridian.reference.registry_import import registry_import
from meridian.reference.selectors import registry_lookup
from meridian.reference.services import reference_load
from meridian.reference.tests.conftest import shared_file

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]

FILES = {
    "ror": "ror_education_subset.csv",
    "eche": "eche_holders_2026-04-08.csv",
    "domains": "world_universities_and_domains.json",
}


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    paths = {source: shared_file(name) for source, name in FILES.items()}
    with django_db_blocker.unblock():
        reference_load()
        results = {source: registry_import(source=source, path=path) for source, path in paths.items()}
    yield results
    with django_db_blocker.unblock():
        for model in (
            InstitutionToken,
            InstitutionName,
            InstitutionDomain,
            Institution,
            RegistryImport,
        ):
            model.objects.all().delete()


def test_counts_of_the_first_import(imported):
    ror, eche, domains = imported["ror"], imported["eche"], imported["domains"]
    assert (ror.total, ror.created, ror.updated, ror.withdrawn) == (13229, 13229, 0, 0)
    # Every ECHE holder is either new or merged into the ROR record with the same website domain.
    assert eche.total == 6142 and eche.created + eche.updated == 6142 and eche.updated > 1000
    # 10,251 entries; 20 repeat a name in the same country and are kept once.
    assert domains.total == 10231 and domains.created + domains.updated == 10231 and domains.updated > 3000
    assert Institution.objects.filter(sources__contains="ror").count() == 13229
    assert Institution.objects.exclude(erasmus_code=None).count() == 6142
    assert RegistryImport.objects.count() == 3


def _published_codes() -> list[str]:
    with shared_file(FILES["eche"]).open(encoding="utf-8-sig", newline="") as handle:
        return [row["Erasmus Code"] for row in csv.DictReader(handle)]


def test_erasmus_codes_keep_their_padding_and_lose_nbsp(imported):
    published = _published_codes()
    with_nbsp = [code for code in published if "\u00a0" in code]
    assert len(with_nbsp) == 74
    stored = set(Institution.objects.exclude(erasmus_code=None).values_list("erasmus_code", flat=True))
    # Stored in the official padded form; three published codes are spelled otherwise and are normalised.
    assert stored == {normalise_erasmus_code(code) for code in published}
    assert {"A  GRAZ01", "E  BARCELO101", "DK FREDERICIA01", "F  PARIS063", "RS PROKUP01"} <= stored
    assert not any("\u00a0" in code for code in stored)
    assert len({erasmus_key(code) for code in stored}) == 6142


def test_every_charter_holder_is_found_by_its_code_in_typed_forms(imported):
    published = _published_codes()
    by_key = dict(Institution.objects.exclude(erasmus_code=None).values_list("erasmus_key", "pk"))
    assert len(by_key) == 6142
    # A sample of every twentieth code, in the forms people type (and all codes that are unusual in shape).
    sample = published[::20] + [c for c in published if len(c.replace("\u00a0", " ").split()) != 2]
    for code in sample:
        expected = by_key[erasmus_key(code)]
        official = normalise_erasmus_code(code)
        for typed in (code, official.lower(), erasmus_key(code), " ".join(official.split())):
            found = registry_lookup(query=typed, limit=1)
            assert found and found[0].pk == expected, typed


def test_kosovo_records_are_imported_with_their_country(imported):
    for result in imported.values():
        assert "XK" not in result.unknown_countries
    assert Institution.objects.filter(country_id="XK", sources__contains="ror").count() == 6
    assert Institution.objects.filter(country_id="XK", sources__contains="eche").count() == 11


def test_importing_the_same_editions_again_changes_nothing(imported):
    for source, name in FILES.items():
        result = registry_import(source=source, path=shared_file(name))
        assert (result.created, result.updated, result.withdrawn) == (0, 0, 0), source
        assert result.unchanged == result.total


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("University of Oxford", "052gg0110"),  # exact name first
        ("universitat wien", "03prydq77"),  # accent-free, German label of the University of Vienna
        ("北京大学", "02v51f717"),  # Chinese label of Peking University
        ("ETH", "05a28rw58"),  # acronym
        ("cs.ox.ac.uk", "052gg0110"),  # parent domain
        ("someone@ox.ac.uk", "052gg0110"),  # e-mail domain
        ("https://ror.org/052gg0110", "052gg0110"),
        ("a graz01", "01faaaf77"),  # Erasmus code, any spacing and case
        ("999873188", "01faaaf77"),  # PIC from the ECHE list, found on the merged ROR record
    ],
)
def test_look_ups_on_the_published_registry(imported, query, expected):
    found = registry_lookup(query=query, limit=5)
    assert found and found[0].ror_id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("geneve", "01swzsf04"),  # "Université de Genève", University of Geneva
        ("universite de geneve", "01swzsf04"),
        ("Ludwig Maximilians Universitat Munchen", "05591te55"),
        ("LUDWIG-MAXIMILIANS-UNIVERSITÄT MÜNCHEN", "05591te55"),
        ("东京大学", "057zh3y96"),  # the Japanese label 東京大学 of the University of Tokyo
        ("東京大學", "057zh3y96"),
        ("早稻田大学", "00ntfnx83"),  # the Japanese label 早稲田大学 of Waseda University
        ("ＷＡＳＥＤＡ", "00ntfnx83"),
    ],
)
def test_search_ignores_case_accents_width_and_script_on_the_published_registry(imported, query, expected):
    assert registry_lookup(query=query, limit=5)[0].ror_id == expected


def test_ecole_polytechnique_finds_the_school_before_the_federal_institute_of_lausanne(imported):
    found = registry_lookup(query="ecole polytechnique", limit=5)
    # The charter holder's record (its legal name in capitals, a separate record) and ROR's record come first.
    assert [inst.name.casefold() for inst in found[:2]] == ["ecole polytechnique", "école polytechnique"]
    assert found[1].ror_id == "05hy3tk52"


def test_the_university_comes_before_its_institutes(imported):
    found = registry_lookup(query="Ludwig Maximilians Universitat Munchen", limit=10)
    assert found[0].ror_id == "05591te55"
    # Its institutes in the file (physiology, anatomy, the Open Science Center ...) come after it.
    institutes = {"00v8kcx92", "03dftj863", "029e6qe04"}
    assert institutes <= {inst.ror_id for inst in found[1:]}
