"""The place-name table: `meridian load-places FILE` and city names in the reader's language."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from meridian.reference.models import Place
from meridian.reference.places import PlaceFileError, places_load
from meridian.reference.selectors import city_name
from meridian.reference.tests.conftest import shared_file

pytestmark = pytest.mark.django_db

HEADER = (
    "name,name_en,name_zh,nameascii,iso_a2,adm0_a3,adm0name,adm1name,latitude,longitude,pop_max,"
    "featurecla,adm0cap,worldcity,megacity,scalerank,geonameid,wikidataid,timezone\n"
)
ROWS = [
    "Munich,Munich,慕尼黑,Munich,DE,DEU,Germany,Bavaria,48.13,11.57,1275000,,0,1,0,2,2867714,Q1726,\n",
    "Ürümqi,Ürümqi,烏魯木齊,Urumqi,CN,CHN,China,Xinjiang,43.8,87.58,2151000,,0,0,0,2,1529102,Q93264,\n",
    "Suzhou,Suzhou,宿州,Suzhou,CN,CHN,China,Anhui,33.64,116.98,1964000,,0,0,0,8,1886760,Q300000,\n",
    "Suzhou,Suzhou,苏州,Suzhou,CN,CHN,China,Jiangsu,31.3,120.62,5345961,,0,0,0,5,1886760,Q42622,\n",
    "Poitier,Poitiers,普瓦捷,Poitier,FR,FRA,France,Poitou,46.58,0.33,85960,,0,0,0,8,2986495,Q6616,\n",
    "Bombo,Bombo,,Bombo,UG,UGA,Uganda,Bamunanika,0.58,32.53,75000,,0,0,0,10,,Q4940747,\n",
    "Nowhere,Nowhere,无处,Nowhere,-99,,,,0,0,10,,0,0,0,10,-1,,\n",
]


def places_file(tmp_path, rows=ROWS, header=HEADER, name="places.csv"):
    path = tmp_path / name
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture
def places(tmp_path):
    return places_load(path=places_file(tmp_path))


def test_load_stores_every_place_with_a_country_and_simplified_chinese(places):
    assert (places.total, places.with_chinese, places.skipped) == (6, 5, 1)
    urumqi = Place.objects.get(name_ascii="Urumqi")
    assert urumqi.name_zh == "乌鲁木齐"  # Traditional in the file, Simplified stored
    assert (urumqi.geonameid, urumqi.wikidata_id, urumqi.population) == (1529102, "Q93264", 2151000)
    assert not Place.objects.filter(country_code="-9").exists()


def test_loading_again_replaces_the_table(places, tmp_path):
    result = places_load(path=places_file(tmp_path, rows=ROWS[:2], name="smaller.csv"))
    assert result.replaced == 6 and Place.objects.count() == 2


def test_chinese_reader_gets_the_chinese_name_matched_without_case_or_accents(places):
    assert city_name("DE", "Munich", "zh-hans") == "慕尼黑"
    assert city_name("de", "MUNICH", "zh-hans") == "慕尼黑"
    assert city_name("CN", "Urumqi", "zh-hans") == "乌鲁木齐"  # the ASCII name
    assert city_name("CN", "ürümqi", "zh-hans") == "乌鲁木齐"
    assert city_name("FR", "Poitiers", "zh-hans") == "普瓦捷"  # the English name differs from the name
    assert city_name("CN", "Suzhou", "zh-hans") == "苏州"  # two places share the name: the larger one


def test_other_readers_and_unknown_places_get_the_stored_value(places):
    assert city_name("DE", "Munich", "en") == "Munich"
    assert city_name("AT", "Munich", "zh-hans") == "Munich"  # another country's place is not used
    assert city_name("UG", "Bombo", "zh-hans") == "Bombo"  # known, but without a Chinese name
    assert city_name("DE", "Heidelberg", "zh-hans") == "Heidelberg"
    assert city_name("DE", "", "zh-hans") == "" and city_name(None, "Munich", "zh-hans") == "Munich"


def test_the_active_language_is_the_default(places):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert city_name("DE", "Munich") == "慕尼黑"
    with translation.override("en"):
        assert city_name("DE", "Munich") == "Munich"


def test_the_table_is_read_once_not_per_row(places, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [city_name("DE", "Munich", "zh-hans") for _ in range(50)]
    assert set(names) == {"慕尼黑"}
    with django_assert_num_queries(0):
        city_name("CN", "Suzhou", "zh-hans")


def test_a_new_load_is_seen_once_committed(places, tmp_path, django_capture_on_commit_callbacks):
    assert city_name("DE", "Munich", "zh-hans") == "慕尼黑"
    changed = ROWS[0].replace("慕尼黑", "明兴")
    with django_capture_on_commit_callbacks(execute=True):
        places_load(path=places_file(tmp_path, rows=[changed], name="changed.csv"))
    assert city_name("DE", "Munich", "zh-hans") == "明兴"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,iso_a2\nMunich,DE\n", "lacks the column(s) name_en, name_zh, nameascii"),
        (HEADER + ROWS[0] + ROWS[1].replace(",CN,", ",C1,"), "Line 3: iso_a2 'C1'"),
        (HEADER + ROWS[0].replace("1275000", "many"), "Line 2: pop_max 'many' is not a number."),
        (HEADER + ROWS[0].replace("Q1726", "1726"), "Line 2: wikidataid '1726'"),
        (HEADER + ",,,,DE,DEU,Germany,,0,0,1,,0,0,0,1,,,\n", "Line 2: the place has no name."),
        (HEADER, "The file has no places."),
    ],
)
def test_a_bad_file_is_refused_with_a_reason_and_nothing_changes(places, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlaceFileError) as refused:
        places_load(path=path)
    assert message in str(refused.value)
    assert Place.objects.count() == 6
    assert city_name("DE", "Munich", "zh-hans") == "慕尼黑"


def test_a_file_that_is_not_utf8_is_refused(places, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + b"Z\xfcrich,Z\xfcrich,,Zurich,CH,,,,0,0,1,,0,0,0,1,,,\n")
    with pytest.raises(PlaceFileError, match="not UTF-8"):
        places_load(path=path)
    assert Place.objects.count() == 6


def test_command_loads_and_reports(tmp_path, capsys):
    call_command("load-places", str(places_file(tmp_path)))
    assert "6 places loaded (5 with a Chinese name), 1 without a country skipped" in capsys.readouterr().out


def test_command_refuses_a_missing_file_and_keeps_the_table(places, tmp_path):
    with pytest.raises(CommandError, match="missing.csv was not loaded: The file cannot be read"):
        call_command("load-places", str(tmp_path / "missing.csv"))
    assert Place.objects.count() == 6


@pytest.mark.shared_data
def test_the_natural_earth_file_of_the_shared_data_loads():
    result = places_load(path=shared_file("ne_50m_populated_places.csv"))
    assert result.total > 1000 and result.skipped == 3
    assert city_name("TW", "Taipei", "zh-hans") == "台北"  # 臺北 in the file
    assert city_name("JP", "Tokyo", "zh-hans") == "东京都"
    assert city_name("CN", "Xi'an", "zh-hans") == "西安"
    assert city_name("DE", "Frankfurt", "zh-hans") == "美茵河畔法兰克福"


@pytest.mark.usefixtures("registry")
def test_registry_results_show_the_city_in_the_readers_language(client, people):
    Place.objects.create(country_code="GB", name="Oxford", name_en="Oxford", name_zh="牛津")
    client.force_login(people.staff)
    zh = client.get(
        reverse("reference:registry"), {"q": "oxford"}, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HX_REQUEST="true"
    )
    assert "<td>牛津</td>" in zh.content.decode()
    en = client.get(
        reverse("reference:registry"), {"q": "oxford"}, HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true"
    )
    assert "<td>Oxford</td>" in en.content.decode()
