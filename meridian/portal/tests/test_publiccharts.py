"""Figures drawn as charts: the series the contexts register, and the charts on the public pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from meridian.agreements.models import Signatory
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerFactory
from meridian.portal.figures import figures_compute, placeholder_values
from meridian.portal.publiccharts import TOP_PLACES, public_charts
from meridian.reference.tests.factories import country


def test_series_figures_count_active_partners_and_signed_agreements(world):
    figures = figures_compute()
    assert figures["partners_by_region"] == [("Americas", "美洲", 3), ("Europe", "欧洲", 2)]
    assert {en: n for en, _zh, n in figures["partners_by_channel"]} == {
        "Student exchange": 2, "Research cooperation": 2, "Joint lab / R&D centre": 1,
        "Teaching-staff exchange": 1,
    }  # fmt: skip
    # Three active agreements and an expired one were signed (all starting in 2025); the draft never was.
    assert figures["agreements_by_year"] == [("2025", "2025", 4)]
    assert sum(n for _en, _zh, n in figures["partners_by_type"]) == 5


def test_signed_per_year_uses_the_last_signature_and_fills_empty_years(org):
    partner = PartnerFactory()
    early = AgreementFactory(responsible_unit=org.intl_office, state="active", partners=[partner])
    Signatory.objects.create(agreement=early, side="home", name="A", signed_on=datetime.date(2021, 3, 1))
    Signatory.objects.create(agreement=early, side="partner", name="B", signed_on=datetime.date(2022, 1, 5))
    AgreementFactory(
        responsible_unit=org.intl_office,
        state="expired",
        partners=[partner],
        start_date=datetime.date(2024, 9, 1),
    )
    AgreementFactory(responsible_unit=org.intl_office, state="approved", partners=[partner])
    assert figures_compute()["agreements_by_year"] == [
        ("2022", "2022", 1), ("2023", "2023", 0), ("2024", "2024", 1)
    ]  # fmt: skip


def test_series_are_written_as_text_in_both_languages(world):
    figures = figures_compute()
    assert placeholder_values(figures, "en")["partners_by_region"] == "Americas: 3, Europe: 2"
    assert placeholder_values(figures, "zh-hans")["partners_by_region"] == "美洲：3、欧洲：2"


def test_charts_in_the_reader_language_skip_empty_figures(world):
    figures = figures_compute()
    with translation.override("zh-hans"):
        charts = {chart.key: chart for chart in public_charts(figures)}
    assert "chart-partners-by-region" in charts
    assert charts["chart-partners-by-region"].rows[0].label == "美洲"
    assert "美洲" in charts["chart-partners-by-region"].svg
    assert "chart-exchanged-by-year" not in charts  # no mobility yet: no empty chart
    assert 'role="img"' in charts["chart-agreements-by-year"].svg


def test_country_chart_groups_the_rest_as_other_places(db):
    for index in range(TOP_PLACES + 2):
        where = country(
            f"Q{chr(65 + index)}", f"Country {index}", f"国家{index}", alpha3=f"Q{chr(65 + index)}Z"
        )
        PartnerFactory(country=where, status="active")
    with translation.override("en"):
        (chart,) = public_charts(figures_compute(), keys=["top_countries"])
    assert len(chart.rows) == TOP_PLACES + 1
    assert chart.rows[-1].label == "Other places" and chart.rows[-1].value == 2


def _url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.mark.parametrize(("name", "args"), [("portal:home", ()), ("portal:section", ("global-partnership",))])
def test_home_and_global_partnership_pages_show_charts_with_tables(client, world, name, args):
    html = client.get(_url(name, *args)).content.decode()
    assert html.count('<svg class="chart"') >= 3
    assert 'id="chart-partners-by-channel"' in html
    assert "<summary>The figures as a table</summary>" in html
    assert '<th scope="row">Americas</th><td>3</td>' in html
    assert world.hidden.name_en not in html


def test_charts_follow_the_data(client, world, org):
    client.get(_url("portal:home"))  # cached
    AgreementFactory(
        responsible_unit=org.intl_office, state="active", partners=[world.partners[5]], channels=["cultural"]
    )
    html = client.get(_url("portal:home")).content.decode()
    assert "Cultural exchange" in html.split('id="chart-partners-by-channel"')[1].split("</figure>")[0]
