"""Open data feeds: shape, stable field names, filters, caching headers, 304, licence, CORS, privacy."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.utils.http import http_date

from meridian.agreements.tests.factories import AgreementFactory
from meridian.directory.feeds import FIELDS
from meridian.directory.tests.test_views import assert_nothing_internal
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

JSON, CSV, GEOJSON = "/open-data/partners.json", "/open-data/partners.csv", "/open-data/partners.geojson"


def test_json_shape_and_privacy(world, anonymous):
    response = anonymous.get(JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["licence"] == "CC BY 4.0, Meridian University"
    assert body["count"] == 4
    rows = {row["name_en"]: row for row in body["partners"]}
    assert set(rows) == {
        "Heidelberg University",
        "Kyoto Institute of Research",
        "Singapore Polytechnic",
        "University of Malta",
    }
    heidelberg = rows["Heidelberg University"]
    assert list(heidelberg) == list(FIELDS)
    assert heidelberg["name_zh"] == "海德堡大学"
    assert heidelberg["country_code"] == "DE" and heidelberg["country_name_zh"] == "德国"
    assert heidelberg["channels"] == ["research", "student_exchange"]
    assert heidelberg["active_agreements"] == 1
    assert heidelberg["latitude"] == pytest.approx(49.39875)
    # Absolute on the public address, whatever host was asked (cached feeds are host-independent).
    site = settings.SITE_URL
    assert heidelberg["url_en"] == f"{site}/en/global-vision/partners/{world.heidelberg.pk}/"
    assert heidelberg["url_zh"] == f"{site}/zh-hans/global-vision/partners/{world.heidelberg.pk}/"
    assert rows["Singapore Polytechnic"]["active_agreements"] == 0  # under review does not count
    assert rows["Singapore Polytechnic"]["channels"] == []
    assert_nothing_internal(response.content.decode())


def test_csv_shape_and_privacy(world, anonymous):
    response = anonymous.get(CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(csv.reader(io.StringIO(text)).__next__()) == FIELDS
    heidelberg = next(row for row in rows if row["name_en"] == "Heidelberg University")
    assert heidelberg["channels"] == "research student_exchange"
    malta = next(row for row in rows if row["name_en"] == "University of Malta")
    assert malta["latitude"] == "" and malta["longitude"] == ""
    assert len(rows) == 4
    assert_nothing_internal(text)


def test_csv_neutralises_formulas(world, anonymous):
    PartnerFactory(
        name='=HYPERLINK("x")',
        name_en="+cmd",
        name_zh="@sum",
        city="-2+3",
        is_public=True,
        country=country("DE"),
    )
    rows = list(csv.DictReader(io.StringIO(anonymous.get(CSV).content.decode())))
    row = next(row for row in rows if row["city"].endswith("2+3"))
    assert row["name"] == '\'=HYPERLINK("x")'
    assert (row["name_en"], row["name_zh"], row["city"]) == ("'+cmd", "'@sum", "'-2+3")


def test_geojson_shape(world, anonymous):
    response = anonymous.get(GEOJSON)
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection" and body["licence"].startswith("CC BY 4.0")
    features = {f["properties"]["name_en"]: f for f in body["features"]}
    assert features["Heidelberg University"]["geometry"] == {
        "type": "Point",
        "coordinates": [8.672434, 49.39875],
    }
    assert features["University of Malta"]["geometry"] is None
    assert "latitude" not in features["Heidelberg University"]["properties"]
    assert set(features["Kyoto Institute of Research"]["properties"]) == set(FIELDS) - {
        "latitude",
        "longitude",
    }
    assert_nothing_internal(response.content.decode())


@pytest.mark.parametrize("url", [JSON, CSV, GEOJSON])
def test_feeds_take_the_directory_filters(world, anonymous, url):
    for params, expected in (
        ({"country": "DE"}, {"Heidelberg University"}),
        ({"region": "142"}, {"Kyoto Institute of Research", "Singapore Polytechnic"}),
        ({"type": "research_institute"}, {"Kyoto Institute of Research"}),
        ({"channel": "research"}, {"Heidelberg University", "Kyoto Institute of Research"}),
        ({"q": "马耳他"}, {"University of Malta"}),
    ):
        text = anonymous.get(url, params).content.decode()
        for name in (
            "Heidelberg University",
            "Kyoto Institute of Research",
            "Singapore Polytechnic",
            "University of Malta",
        ):
            assert (name in text) == (name in expected), (params, name)


@pytest.mark.parametrize("url", [JSON, CSV, GEOJSON])
def test_headers_licence_and_cors(world, anonymous, url):
    response = anonymous.get(url)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10
    assert response["Last-Modified"]
    assert response["X-Licence"] == "CC BY 4.0, Meridian University"
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert "max-age" in response["Cache-Control"]
    assert "X-Frame-Options" in response  # only the widget may be framed


@pytest.mark.parametrize("url", [JSON, CSV, GEOJSON])
def test_conditional_requests(world, anonymous, url):
    first = anonymous.get(url)
    again = anonymous.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Access-Control-Allow-Origin"] == "*"
    assert anonymous.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    assert anonymous.get(url, headers={"If-Modified-Since": http_date(0)}).status_code == 200
    assert anonymous.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_etag_changes_with_the_data(world, anonymous, org):
    before = anonymous.get(JSON)["ETag"]
    AgreementFactory(
        responsible_unit=org.engineering, partners=[world.malta], state="active", channels=["cultural"]
    )
    after = anonymous.get(JSON)
    assert after["ETag"] != before
    assert anonymous.get(JSON, headers={"If-None-Match": before}).status_code == 200
    # The filter is part of the feed: another filter is another document.
    assert anonymous.get(JSON, {"country": "DE"})["ETag"] != after["ETag"]


def test_a_partner_made_private_leaves_the_feeds(world, anonymous):
    world.heidelberg.is_public = False
    world.heidelberg.save()
    assert "Heidelberg University" not in anonymous.get(JSON).content.decode()


def test_feeds_refuse_writes(world, anonymous):
    assert anonymous.post(JSON).status_code == 405


@pytest.mark.parametrize("url", [JSON, CSV, GEOJSON])
def test_feed_query_count_does_not_grow_with_rows(world, anonymous, org, url, django_assert_max_num_queries):
    germany = country("DE")

    def add(n: int) -> None:
        for _ in range(n):
            partner = PartnerFactory(country=germany, is_public=True)
            AgreementFactory(
                responsible_unit=org.engineering,
                partners=[partner],
                state="active",
                channels=["research", "joint_lab"],
            )

    add(2)
    with django_assert_max_num_queries(8) as few:
        anonymous.get(url)
    add(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        anonymous.get(url)


def test_building_the_feed_takes_the_same_queries_for_any_number_of_partners(world, org):
    """The cold build (``feed_rows`` over the public partners): a fixed number of queries, whether the feed
    holds 3 partners or 40, each with agreements and channels (no query per partner, per agreement or per
    translated label)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meridian.directory.feeds import feed_rows
    from meridian.directory.selectors import public_partners

    germany = country("DE")

    def add(n: int) -> None:
        for _ in range(n):
            partner = PartnerFactory(country=germany, is_public=True)
            AgreementFactory(
                responsible_unit=org.engineering, partners=[partner], state="active", channels=["research"]
            )

    def build() -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as queries:
            rows = feed_rows(public_partners(), base_url="https://meridian.example.edu")
        return len(queries.captured_queries), rows

    add(3)
    few, rows = build()
    add(37)
    many, more_rows = build()
    assert len(more_rows) == len(rows) + 37
    assert many == few <= 6
    # Every added partner's agreement and channel are in its row (read in bulk, not per partner).
    assert sum(1 for row in more_rows if row["active_agreements"] and "research" in row["channels"]) >= 40
