"""The facts encoded in the project agree with the published reference files, and load idempotently."""

from __future__ import annotations

import csv
import json

import pytest
from django.core.management import call_command

from meridian.reference.choices import CefrLevel
from meridian.reference.data import eqf, isced, m49
from meridian.reference.data.countries import countries
from meridian.reference.models import Country, EqfLevel, IscedField
from meridian.reference.tests.conftest import shared_file


def _csv(name: str) -> list[dict[str, str]]:
    with shared_file(name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.shared_data
def test_country_codes_and_un_regions_match_country_codes_csv():
    published = {row["ISO3166-1-Alpha-2"]: row for row in _csv("country-codes.csv")}
    ours = {row["code"]: row for row in countries()}
    # Kosovo (XK) is a territory of the registries and the Erasmus programme that the file does not list.
    assert set(ours) == set(published) | {"XK"}
    for code, row in ours.items():
        if code == "XK":
            continue
        source = published[code]
        assert row["alpha3"] == source["ISO3166-1-Alpha-3"], code
        assert row["numeric"] == source["ISO3166-1-numeric"].zfill(3), code
        assert row["region_code"] == (source["Region Code"].zfill(3) if source["Region Code"] else ""), code
        assert row["region_en"] == source["Region Name"], code
        assert row["subregion_code"] == (
            source["Sub-region Code"].zfill(3) if source["Sub-region Code"] else ""
        )
        assert row["subregion_en"] == source["Sub-region Name"], code


@pytest.mark.shared_data
def test_country_names_match_cldr_in_english_and_chinese():
    def names(locale: str) -> dict[str, str]:
        data = json.loads(shared_file(f"cldr/territories.{locale}.json").read_text(encoding="utf-8"))
        return data["main"][locale]["localeDisplayNames"]["territories"]

    english, chinese = names("en"), names("zh")
    differing = set()
    for row in countries():
        if row["name_en"] != english[row["code"]]:
            differing.add(row["code"])
        assert row["name_zh"] == chinese[row["code"]]
        if row["subregion_code"]:
            assert row["subregion_zh"] == chinese[row["subregion_code"]]
            assert row["region_zh"] == chinese[row["region_code"]]
    # Babel's CLDR build spells out three territories in full where the JSON release keeps the short form.
    assert differing == {"HM", "SH", "TF"}


@pytest.mark.shared_data
def test_isced_fields_match_the_published_list():
    published = {row["code"]: row for row in _csv("isced_f_2013.csv")}
    ours = {row["code"]: row for row in isced.fields()}
    assert set(ours) == set(published)
    for code, row in ours.items():
        source = published[code]
        assert row["name_en"] == source["label_en"], code
        assert row["level"] == source["level"], code
        expected_parent = {"broad": "", "narrow": source["broad"], "detailed": source["narrow"]}[
            source["level"]
        ]
        assert row["parent"] == expected_parent, code


@pytest.mark.shared_data
def test_eqf_levels_match_the_published_descriptors():
    published = _csv("eqf_levels.csv")
    ours = eqf.levels()
    assert [int(row["level"]) for row in published] == [row["level"] for row in ours]
    for source, row in zip(published, ours, strict=True):
        for name in ("uri", "knowledge", "skills", "responsibility_autonomy", "qf_ehea_cycle"):
            assert row[name] == source[name], (row["level"], name)


def test_every_country_belongs_to_a_known_subregion_except_antarctica():
    assert len(m49.ISO_CODES) == 250
    assert set(m49.SUBREGION_OF.values()) == set(m49.SUBREGIONS)
    assert {region for region, _name in m49.SUBREGIONS.values()} == set(m49.REGIONS)
    assert m49.UNGROUPED == ("AQ",)


def test_cefr_levels_run_from_a1_to_c2():
    assert [level.value for level in CefrLevel] == ["A1", "A2", "B1", "B2", "C1", "C2"]


def test_kosovo_is_a_territory_of_southern_europe():
    kosovo = next(row for row in countries() if row["code"] == "XK")
    assert (kosovo["alpha3"], kosovo["name_en"], kosovo["name_zh"]) == ("XKX", "Kosovo", "科索沃")
    assert (kosovo["subregion_code"], kosovo["region_en"]) == ("039", "Europe")


@pytest.mark.django_db
def test_a_database_that_has_only_been_migrated_has_the_reference_data():
    # No fixture loads anything here: the test database is built by the migrations alone.
    assert Country.objects.count() == 250
    austria = Country.objects.get(code="AT")
    assert (austria.alpha3, austria.name_en, austria.name_zh) == ("AUT", "Austria", "奥地利")
    assert Country.objects.get(code="XK").name_en == "Kosovo"
    assert IscedField.objects.count() == 220 and EqfLevel.objects.count() == 8


@pytest.mark.django_db
def test_load_reference_creates_then_changes_nothing(capsys):
    Country.objects.filter(code__in=["NZ", "XK"]).delete()
    call_command("load-reference")
    assert "countries: 2 created, 0 updated, 248 unchanged" in capsys.readouterr().out
    Country.objects.filter(code="DE").update(name_en="Old name")
    call_command("load-reference")
    out = capsys.readouterr().out
    assert "countries: 0 created, 1 updated, 249 unchanged" in out
    assert "isced: 0 created, 0 updated, 220 unchanged" in out
    germany = Country.objects.get(code="DE")
    assert (germany.name_en, germany.name_zh, germany.alpha3, germany.subregion_en) == (
        "Germany",
        "德国",
        "DEU",
        "Western Europe",
    )
    assert Country.objects.get(code="CN").region_zh == "亚洲"
    assert IscedField.objects.get(code="0613").parent.parent_id == "06"
    assert IscedField.objects.get(code="01").name_zh == "教育"
    assert EqfLevel.objects.get(level=8).qf_ehea_cycle == "third cycle"
