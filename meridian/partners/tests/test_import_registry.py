"""Import rows without identifiers looked up in the institution registry: a stored partner holding the
registry's ROR ID is the match, a new partner gets the ROR ID and the registry link, and the report says
so."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from meridian.core.tabular.report import CREATE, UNCHANGED, UPDATE
from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.partners.import_rows import PartnerImporter
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.partners.tests.test_import_bulk import _OneByOne
from meridian.reference.models import Country, Institution
from meridian.reference.registry_import import registry_import
from meridian.reference.services import reference_load
from meridian.reference.tests.conftest import ROR_CSV_COLUMNS

COPENHAGEN = "035b05819"
AARHUS = "01aj84f44"
LUND = "012a77v79"
REGISTRY = [
    # ror_id, name, country, city, website, aliases, labels
    (COPENHAGEN, "University of Copenhagen", "DK", "Copenhagen", "https://www.ku.dk",
     "Københavns Universitet", "da:Københavns Universitet|zh:哥本哈根大学"),
    (AARHUS, "Aarhus University", "DK", "Aarhus", "https://www.au.dk", "", "da:Aarhus Universitet"),
    (LUND, "Lund University", "SE", "Lund", "https://www.lu.se", "", "sv:Lunds universitet"),
]  # fmt: skip
HEADERS = ["Name", "English name", "Country", "City", "ROR ID", "PIC"]


@pytest.fixture
def registry(db, tmp_path: Path) -> dict[str, Institution]:
    """The reference facts (countries) and three ROR records, imported through the real pipeline."""
    reference_load()
    path = tmp_path / "ror.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ROR_CSV_COLUMNS)
        writer.writeheader()
        for ror_id, name, country, city, website, aliases, labels in REGISTRY:
            writer.writerow(
                {
                    "ror_id": f"https://ror.org/{ror_id}",
                    "name": name,
                    "country_code": country,
                    "city": city,
                    "website": website,
                    "domains": website.split("//", 1)[-1].removeprefix("www."),
                    "aliases": aliases,
                    "labels": labels,
                    "lat": "55.68",
                    "lng": "12.57",
                }
            )
    registry_import(source="ror", path=path)
    return {i.ror_id: i for i in Institution.objects.filter(ror_id__in=[COPENHAGEN, AARHUS, LUND])}


def _import(rows, *, commit=True, actor=None, importer=PartnerImporter):
    return run_import(importer=importer, file=as_file(csv_bytes(HEADERS, rows)), actor=actor, commit=commit)


def _outcome(report, row):
    return next(outcome for outcome in report.rows if outcome.row == row)


@pytest.mark.django_db
@pytest.mark.parametrize("importer", [PartnerImporter, _OneByOne], ids=["bulk", "one-by-one"])
def test_a_new_partner_gets_the_registry_ror_id_and_link(registry, people, importer):
    rows = [["University of Copenhagen", "", "DK", "Copenhagen", "", ""]]
    dry = _import(rows, commit=False, actor=people.officer, importer=importer)
    assert dry.ok, dry.problems
    assert _outcome(dry, 2).action == CREATE
    assert _outcome(dry, 2).matched == "ROR ID from the registry: University of Copenhagen"
    assert not Partner.objects.exists()

    report = _import(rows, actor=people.officer, importer=importer)
    assert report.committed, report.problems
    created = Partner.objects.get()
    assert created.pk == _outcome(report, 2).object_id
    assert created.ror_id == COPENHAGEN
    assert created.registry_institution_id == registry[COPENHAGEN].pk
    assert _outcome(report, 2).matched == "ROR ID from the registry: University of Copenhagen"
    assert report.notices == []


@pytest.mark.django_db
def test_the_registry_finds_the_stored_partner_that_holds_its_ror_id(registry, people):
    denmark = Country.objects.get(pk="DK")
    stored = PartnerFactory(name="KU", name_en="", name_zh="", country=denmark, city="", ror_id=COPENHAGEN)
    rows = [["Københavns Universitet", "University of Copenhagen", "DK", "Copenhagen", "", ""]]
    report = _import(rows, actor=people.officer)
    assert report.committed, report.problems
    outcome = _outcome(report, 2)
    assert outcome.action in (UPDATE, UNCHANGED)
    assert outcome.object_id == stored.pk
    assert outcome.matched == "ROR ID from the registry: University of Copenhagen"
    assert list(Partner.objects.values_list("pk", flat=True)) == [stored.pk]
    stored.refresh_from_db()
    # Its blank fields are filled from the row as for any matched partner.
    assert (stored.name_en, stored.city, stored.ror_id) == (
        "University of Copenhagen",
        "Copenhagen",
        COPENHAGEN,
    )


@pytest.mark.django_db
def test_a_row_in_another_country_gets_no_ror_id(registry, people):
    rows = [["University of Copenhagen", "", "SE", "", "", ""], ["Aarhus University", "", "NO", "", "", ""]]
    report = _import(rows, actor=people.officer)
    assert report.committed, report.problems
    assert [(o.action, o.matched) for o in report.rows] == [(CREATE, ""), (CREATE, "")]
    assert set(Partner.objects.values_list("ror_id", "registry_institution")) == {("", None)}


@pytest.mark.django_db
def test_a_row_with_an_identifier_is_not_looked_up(registry, people):
    rows = [["University of Copenhagen", "", "DK", "", "", "999986968"]]
    report = _import(rows, actor=people.officer)
    assert report.committed, report.problems
    assert _outcome(report, 2).matched == ""
    assert Partner.objects.get().ror_id == ""


@pytest.mark.django_db
def test_only_the_first_rows_are_looked_up_and_the_report_says_so(registry, people, settings):
    settings.IMPORT_REGISTRY_MATCH_ROWS = 1
    rows = [
        ["University of Copenhagen", "", "DK", "", "", ""],
        ["Aarhus University", "", "DK", "", "", ""],
        ["Lund University", "", "SE", "", "", ""],
    ]
    report = _import(rows, actor=people.officer)
    assert report.committed, report.problems
    assert [o.matched for o in report.rows] == ["ROR ID from the registry: University of Copenhagen", "", ""]
    assert dict(Partner.objects.values_list("name", "ror_id")) == {
        "University of Copenhagen": COPENHAGEN,
        "Aarhus University": "",
        "Lund University": "",
    }
    assert len(report.notices) == 1
    assert "first 1 rows" in report.notices[0]


@pytest.mark.django_db
def test_two_rows_of_one_institution_do_not_both_get_its_ror_id(registry, people):
    rows = [
        ["University of Copenhagen", "", "DK", "", "", ""],
        ["Københavns Universitet", "", "DK", "", "", ""],
    ]
    dry = _import(rows, commit=False, actor=people.officer)
    assert dry.ok, dry.problems
    assert _outcome(dry, 2).matched.startswith("ROR ID from the registry")
    assert _outcome(dry, 3).matched == ""
    report = _import(rows, actor=people.officer)
    assert report.committed, report.problems
    assert dict(Partner.objects.values_list("name", "ror_id")) == {
        "University of Copenhagen": COPENHAGEN,
        "Københavns Universitet": "",
    }
    assert Partner.objects.filter(registry_institution=registry[COPENHAGEN]).count() == 1


@pytest.mark.django_db
def test_the_second_row_of_one_institution_is_shown_as_a_possible_duplicate_of_the_first(registry, people):
    """As ``_match_in_registry`` promises ("an earlier row means the same institution: reported as a possible
    duplicate"): the user is told that row 3 may be the institution of row 2."""
    rows = [
        ["University of Copenhagen", "", "DK", "", "", ""],
        ["Københavns Universitet", "", "DK", "", "", ""],
    ]
    report = _import(rows, commit=False, actor=people.officer)
    shown = _outcome(report, 3).possible_duplicates
    assert any("2" in str(item["reason"]) for item in shown), shown
