"""Cached public pages: one stamp query when cached, compressed bytes, conditional GET, no host in keys."""

import gzip
from typing import Any

import brotli
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerFactory
from meridian.portal import services
from meridian.portal.publiccache import data_stamp
from meridian.portal.tests.factories import ArticleFactory
from meridian.portal.tests.test_views import CHROME, partnership, text, url
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db


def _queries(client, path: str, **headers) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    return response, [q["sql"] for q in captured.captured_queries]


def test_the_stamp_changes_with_partners_agreements_and_news(world, org, people):
    first = data_stamp().token
    partner = PartnerFactory(country=country("JP", "Japan", "日本", alpha3="JPN"), status="prospect")
    second = data_stamp().token
    AgreementFactory(responsible_unit=org.intl_office, state="active", partners=[partner])
    third = data_stamp().token
    article = ArticleFactory(status="draft", publish_at=None)
    fourth = data_stamp().token
    services.article_publish(article=article, actor=people.officer)  # type: ignore[arg-type]
    assert len({first, second, third, fourth, data_stamp().token}) == 5
    # Figures, maps and feeds follow the data only: an article leaves them cached.
    assert data_stamp(articles=False).token.startswith("1:")


def test_a_cached_page_costs_one_query_and_shows_changes_at_once(client, world, org):
    home = url("portal:home")
    client.get(home)
    for path in (home, partnership(), url("directory:list")):
        client.get(path, HTTP_USER_AGENT="Googlebot/2.1")  # a crawler: no view is counted
        response, sql = _queries(client, path, HTTP_USER_AGENT="Googlebot/2.1")
        assert response.status_code == 200
        assert len(sql) <= 1, (path, sql)
        assert not any("COUNT(" in q.upper() or "MAX(" in q.upper() for q in sql)
    assert "Japan" not in text(client.get(partnership()))
    japan = country("JP", "Japan", "日本", alpha3="JPN")
    partner = PartnerFactory(country=japan, status="prospect")
    AgreementFactory(responsible_unit=org.intl_office, state="active", partners=[partner])
    assert "United States, Russia and Japan" in text(client.get(partnership()))


def test_news_published_shows_on_the_cached_home_page(client, world, people):
    client.get(url("portal:home"))
    article = ArticleFactory(status="draft", publish_at=None, title_en="Fresh news from the office")
    assert "Fresh news from the office" not in text(client.get(url("portal:home")))
    services.article_publish(article=article, actor=people.officer)  # type: ignore[arg-type]
    assert "Fresh news from the office" in text(client.get(url("portal:home")))


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_compressed_body_when_accepted_identical_after_decompression(client, world, coding):
    plain = client.get(url("portal:home"))
    assert "Content-Encoding" not in plain
    packed = client.get(url("portal:home"), HTTP_ACCEPT_ENCODING=f"{coding}, deflate")
    assert packed["Content-Encoding"] == coding
    assert "Accept-Encoding" in packed["Vary"]
    unpack = gzip.decompress if coding == "gzip" else brotli.decompress
    assert unpack(packed.content) == plain.content
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
    assert packed["ETag"] != plain["ETag"]  # one strong tag per representation
    refused = client.get(url("portal:home"), HTTP_ACCEPT_ENCODING=f"{coding};q=0")
    assert "Content-Encoding" not in refused


def test_304_on_matching_if_none_match(client, world):
    first = client.get(partnership(), HTTP_USER_AGENT=CHROME)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"]
    again = client.get(partnership(), HTTP_USER_AGENT=CHROME, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    gzipped = client.get(partnership(), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert gzipped.status_code == 304  # the plain body's tag matches its gzip representation too
    other = client.get(partnership(), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_cache_key_does_not_include_the_host(client, world, settings):
    first = client.get(url("portal:home"), HTTP_HOST="www.meridian.example")
    response, sql = _queries(client, url("portal:home"), HTTP_HOST="intranet.meridian.example")
    assert len(sql) <= 1  # served from the entry the other host built
    assert response["ETag"] == first["ETag"]
    assert "intranet.meridian.example" not in text(response)
    assert f'<link rel="canonical" href="{settings.SITE_URL}/en/global-vision/">' in text(response)


def test_signed_in_users_get_the_live_page(client, world, people):
    client.get(url("portal:home"))
    client.force_login(people.officer)
    response = client.get(url("portal:home"))
    assert "ETag" not in response and "Staff site" in text(response)


def test_the_home_page_loads_the_map_from_its_own_address(client, world):
    html = text(client.get(url("portal:home")))
    assert '<svg class="world-map"' not in html  # the charts are inline; the map loads on its own
    assert 'data-map-src="/en/global-vision/partners/map.svg"' in html
    assert "<noscript><img" in html  # without script the map is a picture; the table has the links
    svg = client.get("/en/global-vision/partners/map.svg", HTTP_ACCEPT_ENCODING="gzip")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert svg["Content-Encoding"] == "gzip" and svg["ETag"]
    body = gzip.decompress(svg.content).decode()
    assert body.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<style>" in body
    assert client.get("/en/global-vision/partners/map.svg", HTTP_IF_NONE_MATCH=svg["ETag"]).status_code == 304
