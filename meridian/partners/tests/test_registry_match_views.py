"""The partner form's registry suggestion: the fragment endpoint and the form that asks for it."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from meridian.partners import services
from meridian.partners.tests.registry_data import OXFORD, load_registry
from meridian.reference.models import Country, Institution

URL = reverse("partners:registry_match")


@pytest.fixture
def registry(db, tmp_path) -> None:
    load_registry(tmp_path)


def fill_values(html: str) -> dict:
    """The values the "Use these identifiers" button carries, as the browser reads the attribute."""
    found = re.search(r'data-fill-empty="([^"]*)"', html)
    assert found, html
    return json.loads(unescape(found.group(1)))


def test_officer_sees_the_match_with_its_identifiers(people, login, registry):
    response = login(people.officer).get(
        URL, {"name": "University of Oxford", "name_en": "", "country": "GB"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Registry match:" in html and "<strong>University of Oxford</strong>" in html
    assert "ROR 052gg0110, Oxford, United Kingdom" in html
    assert "Use these identifiers" in html and 'data-target-form="partner-form"' in html
    assert fill_values(html) == {
        "ror_id": OXFORD,
        "website": "https://www.ox.ac.uk",
        "name_zh": "牛津大学",
        "registry_institution": Institution.objects.get(ror_id=OXFORD).pk,
    }


def test_a_coordinator_may_ask_too_and_sees_the_country_in_chinese(people, login, registry):
    client = login(people.coordinator)
    html = client.get(
        URL, {"name": "牛津大学", "country": "GB"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "ROR 052gg0110" in html and "英国" in html


def test_names_and_places_are_escaped(people, login, registry):
    html = login(people.officer).get(URL, {"name": "Texas A&M University", "country": "US"}).content.decode()
    assert "<strong>Texas A&amp;M University</strong>" in html
    assert "<script>" not in html and "College Station &lt;script&gt;x()&lt;/script&gt;" in html


@pytest.mark.parametrize("user", ["staff", "student", "leadership", "outsider"])
def test_users_who_may_not_create_partners_are_refused(people, login, registry, user):
    response = login(getattr(people, user)).get(URL, {"name": "University of Oxford", "country": "GB"})
    assert response.status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, registry):
    response = client.get(URL, {"name": "University of Oxford", "country": "GB"})
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    "params",
    [
        {"name": "Oxford", "country": "GB"},  # two Oxford institutions: no confident match
        {"name": "University of Oxford", "country": "AT"},  # the match lies in another country
        {"name": "University of Oxford", "country": ""},  # no country picked yet
        {"name": "University of Oxford", "country": "ZZZ"},
        {"name": "", "country": "GB"},
        {"name": "x" * 5000, "country": "GB", "partner": "not-a-number"},
        {},
    ],
)
def test_no_match_gives_an_empty_fragment(people, login, registry, params):
    response = login(people.officer).get(URL, params)
    assert response.status_code == 200 and response.content == b""


def test_no_registry_gives_an_empty_fragment(people, login, db):
    response = login(people.officer).get(URL, {"name": "University of Oxford", "country": "GB"})
    assert response.status_code == 200 and response.content == b""


def test_an_institution_already_a_partner_links_to_it(people, login, registry):
    oxford = services.partner_create(
        actor=None, name="Oxford University", country=Country.objects.get(code="GB"), ror_id=OXFORD
    )
    html = login(people.officer).get(URL, {"name": "University of Oxford", "country": "GB"}).content.decode()
    assert "already a partner:" in html
    assert f'<a href="/partners/{oxford.pk}/">Oxford University</a>' in html
    assert "data-fill-empty" not in html
    # On that partner's own edit form its registry entry is offered, not reported as another partner.
    own = login(people.officer).get(
        URL, {"name": "University of Oxford", "country": "GB", "partner": oxford.pk}
    )
    assert "already a partner:" not in own.content.decode() and "data-fill-empty" in own.content.decode()


def test_a_partner_linked_to_the_registry_entry_counts_as_already_a_partner(people, login, registry):
    linked = services.partner_create(
        actor=None,
        name="Oxford",
        country=Country.objects.get(code="GB"),
        registry_institution=Institution.objects.get(ror_id=OXFORD),
    )
    html = login(people.officer).get(URL, {"name": "University of Oxford", "country": "GB"}).content.decode()
    assert f'href="/partners/{linked.pk}/"' in html


def test_the_create_form_asks_for_the_match_as_the_names_and_country_change(people, login, db):
    html = login(people.officer).get(reverse("partners:create")).content.decode()
    region = re.search(r'<div id="registry-match"[^>]*>', html).group(0)
    assert f'hx-get="{URL}"' in region
    assert "change from:#id_name," in region and "change from:#id_country" in region
    assert 'hx-include="#id_name, #id_name_en, #id_name_zh, #id_country"' in region
    assert "hx-vals" not in region
    assert 'src="/static/partners/partner_form.js"' in html
    for field in ("id_name", "id_name_en", "id_name_zh", "id_country"):
        assert f'id="{field}"' in html


def test_the_edit_form_asks_only_while_the_partner_has_no_ror_id(people, login, registry):
    gb = Country.objects.get(code="GB")
    without = services.partner_create(actor=None, name="Oxford Brookes", country=gb)
    html = login(people.officer).get(reverse("partners:edit", args=[without.pk])).content.decode()
    region = re.search(r'<div id="registry-match"[^>]*>', html).group(0)
    assert f'hx-vals=\'{{"partner": "{without.pk}"}}\'' in region
    with_ror = services.partner_create(actor=None, name="University of Oxford", country=gb, ror_id=OXFORD)
    html = login(people.officer).get(reverse("partners:edit", args=[with_ror.pk])).content.decode()
    assert 'id="registry-match"' not in html
