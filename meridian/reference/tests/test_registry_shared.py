"""The published registry files of ../shared/data: imported once per module, then counted and searched."""

from __future__ import annotations

import csv

import pytest

from meridian.reference.models import (
    Country,
    EqfLevel,
    Institution,
    InstitutionDomain,
    InstitutionName,
    InstitutionToken,
    IscedField,
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
            IscedField,
            EqfLevel,
            Country,
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


def test_erasmus_codes_keep_their_padding_and_lose_nbsp(imported):
    with shared_file(FILES["eche"]).open(encoding="utf-8-sig", newline="") as handle:
        published = [row["Erasmus Code"] for row in csv.DictReader(handle)]
    with_nbsp = [code for code in published if "\u00a0" in code]
    assert len(with_nbsp) == 74
    stored = set(Institution.objects.exclude(erasmus_code=None).values_list("erasmus_code", flat=True))
    assert stored == {code.replace("\u00a0", " ").strip() for code in published}
    assert "A  GRAZ01" in stored
    assert not any("\u00a0" in code for code in stored)


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
