"""An exported partner list imports back unchanged: every row finds its partner and nothing differs."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file
from meridian.partners import services
from meridian.partners.import_rows import PartnerImporter
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_list(db, people):
    germany, japan = country("DE", "Germany", "德国"), country("JP", "Japan", "日本", region_code="142")
    russia = country("RU", "Russian Federation", "俄罗斯")
    made = [
        services.partner_create(
            actor=None,
            name="Ruprecht-Karls-Universität Heidelberg",
            name_en="Heidelberg University",
            name_zh="海德堡大学",
            acronym="RKU",
            country=germany,
            city="Heidelberg",
            province="Baden-Württemberg",
            website="https://www.uni-heidelberg.de",
            ror_id="038t36y30",
            erasmus_code="D  HEIDELB01",
            pic="999888777",
            schac_code="uni-heidelberg.de",
            status="active",
            cooperating_since=date(2008, 9, 1),
            tags=["Erasmus"],
        ),
        services.partner_create(
            actor=None, name="東京大學", name_en="The University of Tokyo", name_zh="东京大学", country=japan
        ),
        services.partner_create(
            actor=None, name="Московский государственный университет", country=russia, status="former"
        ),
    ]
    return made


def _exported(fmt: str, language: str, officer) -> bytes:
    client = Client()
    client.force_login(officer)
    response = client.get(reverse("partners:export"), {"format": fmt}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_partner_list_imports_back_unchanged(fmt, language, partner_list, people):
    content = _exported(fmt, language, people.officer)
    report = run_import(importer=PartnerImporter, file=as_file(content), actor=people.officer, commit=False)
    assert report.ok, [str(problem) for problem in report.problems]
    # Every column the import knows is read back, whatever the language the list was exported in (a column
    # the import does not recognise would be ignored, and an edit in it lost without a word).
    assert {"cooperating_since", "status", "kind", "province", "schac_code"} <= set(report.mapping.values())
    assert [outcome.action for outcome in report.rows] == ["unchanged"] * len(partner_list)
    assert [outcome.conflicts for outcome in report.rows] == [[]] * len(partner_list)
    assert sorted(outcome.object_id for outcome in report.rows) == sorted(p.pk for p in partner_list)
