"""Partner imports read countries in the spellings offices use and Erasmus codes in any typed form."""

import pytest

from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.partners.import_rows import PartnerImporter, erasmus_key
from meridian.partners.models import Partner


def _dry_run(rows):
    data = csv_bytes(["名称", "国家/地区", "Erasmus代码"], rows)
    return run_import(importer=PartnerImporter, file=as_file(data), actor=None, commit=False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("Russian Federation", "RU"),
        ("UK", "GB"),
        ("Korea, Republic of", "KR"),
        ("Türkiye", "TR"),
        ("Swaziland", "SZ"),
        ("中国香港", "HK"),
        ("香港特别行政区", "HK"),
        ("中国澳门", "MO"),
        ("中国台湾", "TW"),
        ("大韩民国", "KR"),
        ("美国", "US"),
        ("Kosovo", "XK"),
    ],
)
def test_country_spellings_are_read(spelling, code):
    report = run_import(
        importer=PartnerImporter,
        file=as_file(csv_bytes(["Name", "Country"], [["Test University", spelling]])),
        actor=None,
        commit=True,
    )
    assert report.ok, [str(p) for p in report.problems]
    assert Partner.objects.get().country_id == code


@pytest.mark.django_db
def test_an_ambiguous_country_is_refused_with_the_choices():
    report = _dry_run([["Korea University", "Korea", ""]])
    assert len(report.problems) == 1
    reason = report.problems[0].reason
    assert "KR" in reason and "KP" in reason


@pytest.mark.django_db
def test_erasmus_codes_are_stored_in_the_official_form_and_refused_when_malformed():
    report = run_import(
        importer=PartnerImporter,
        file=as_file(
            csv_bytes(
                ["Name", "Country", "Erasmus code"],
                [["Universitat de Barcelona", "ES", "e barcelo01"], ["Syddansk", "DK", "DK-FREDERICIA01"]],
            )
        ),
        actor=None,
        commit=True,
    )
    assert report.ok, [str(p) for p in report.problems]
    stored = sorted(Partner.objects.values_list("erasmus_code", flat=True))
    assert stored == ["DK FREDERICIA01", "E  BARCELO01"]
    bad = _dry_run([["Nowhere University", "DE", "12345"]])
    assert [p.row for p in bad.problems] == [2]


def test_every_typed_form_of_a_code_has_one_key():
    assert erasmus_key("E  BARCELO101") == erasmus_key("e barcelo101") == erasmus_key("E-BARCELO101")
