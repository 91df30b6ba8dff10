"""One definition of "active partner" and "public partner" behind every figure.

The data below makes the definitions differ (a public partner that is not active, an active partner that is
not public, one active only through an agreement, one only through its relationship status). The dashboard,
the public home page, the Global Partnership page and the partners report count active partners alike; the
map caption counts public partners and says so.
"""

import csv
import io
import re

import pytest
from django.urls import reverse

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.selectors import active_partners, public_partners
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

ACTIVE = 4
PUBLIC = 3
ALL = 6


@pytest.fixture
def partners(org):
    fr = country("FR", "France", "法国", alpha3="FRA")
    unit = org.intl_office
    PartnerFactory(country=fr, status="active", is_public=True, name_en="Status Only")  # by status
    by_agreement = PartnerFactory(country=fr, status="prospect", is_public=True, name_en="Agreement Only")
    AgreementFactory(responsible_unit=unit, state="active", partners=[by_agreement])
    hidden_active = PartnerFactory(country=fr, status="dormant", is_public=False, name_en="Hidden Active")
    AgreementFactory(responsible_unit=unit, state="active", partners=[hidden_active])
    draft_only = PartnerFactory(country=fr, status="prospect", is_public=True, name_en="Draft Only")
    AgreementFactory(responsible_unit=unit, state="draft", partners=[draft_only])
    PartnerFactory(country=fr, status="active", is_public=False, name_en="Hidden Status")
    former = PartnerFactory(country=fr, status="former", is_public=False, name_en="Former")
    AgreementFactory(responsible_unit=unit, state="expired", partners=[former])
    return fr


def test_the_definitions_differ_on_this_data(partners):
    assert active_partners().count() == ACTIVE
    assert public_partners().count() == PUBLIC
    assert set(active_partners()) != set(public_partners())


def test_dashboard_home_partnership_page_and_report_agree(client, people, partners):
    client.force_login(people.officer)
    dashboard = {t.key: t.context for t in client.get(reverse("dashboard:home")).context["dashboard"].stats}
    assert dashboard["partners"]["value"] == ALL  # labelled "Partners": every partner
    assert dashboard["active_partners"]["value"] == ACTIVE
    assert "active (signed) agreement" in dashboard["active_partners"]["description"]

    report = client.get(reverse("reports:download", args=["partners"]))
    rows = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert sum(row["Active partner"] == "Yes" for row in rows) == ACTIVE
    assert sum(row["Public partner"] == "Yes" for row in rows) == PUBLIC
    client.logout()

    home = client.get(reverse("portal:home"))
    html = home.content.decode()
    assert home.context["figures"]["partners"] == str(ACTIVE)
    assert f"cooperates with {ACTIVE} universities" in html
    assert re.search(rf"<dt>Cooperating partners</dt><dd>{ACTIVE}</dd>", html)
    assert "party to an active (signed) agreement" in html  # the home page says what it counts

    page = client.get(reverse("portal:section", args=["global-partnership"])).content.decode()
    assert f"cooperative relations with {ACTIVE} universities" in page


def test_the_map_counts_public_partners_and_says_so(client, partners):
    html = client.get(reverse("portal:home")).content.decode()
    assert f"{PUBLIC} public partner institutions" in html
    directory = client.get(reverse("directory:list"))
    assert directory.context["result_count"] == PUBLIC
    assert f"{PUBLIC} public partner institutions" in directory.content.decode()


def test_chinese_home_page_counts_the_same(client, partners):
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with_prefix = client.get("/zh-hans/global-vision/").content.decode()
    for page in (html, with_prefix):
        assert re.search(rf"<dd>{ACTIVE}</dd>", page)
