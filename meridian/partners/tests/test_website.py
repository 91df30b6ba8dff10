"""The partner form and API read a website the way imports do: scheme added, e-mail and 。 refused."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.partners.models import Partner
from meridian.partners.tests.test_views import form_data

LIST = "/api/v1/partners/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_form_accepts_a_website_without_a_scheme(people, login, germany):
    response = login(people.officer).post(reverse("partners:create"), form_data(website="www.kit.edu"))
    assert response.status_code == 302
    partner = Partner.objects.get()
    assert (partner.website, partner.website_domain) == ("https://www.kit.edu", "kit.edu")


@pytest.mark.parametrize(
    "website, message",
    [
        ("info@uni-wien.ac.at", "is an e-mail address, not a website"),
        ("mailto:info@uni-wien.ac.at", "is an e-mail address, not a website"),
        ("www。tsinghua。edu。cn", "contains “。” in the domain name"),
        ("www.pku，edu.cn", "contains “，” in the domain name"),
        ("http://[x]/", "is not a valid website address"),
    ],
)
def test_form_refuses_bad_websites_with_a_message(people, login, germany, website, message):
    response = login(people.officer).post(reverse("partners:create"), form_data(website=website))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Partner.objects.exists()


def test_api_accepts_a_website_without_a_scheme(people, germany):
    response = api(people.officer).post(
        LIST, {"name": "KIT", "country": "DE", "website": "www.kit.edu"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["website"] == "https://www.kit.edu"
    assert response.json()["website_domain"] == "kit.edu"


@pytest.mark.parametrize(
    "website, message",
    [
        ("info@uni-wien.ac.at", "is an e-mail address, not a website"),
        ("www。tsinghua。edu。cn", "contains “。” in the domain name"),
        ("http://[x]/", "is not a valid website address"),
    ],
)
def test_api_refuses_bad_websites_with_a_message(people, germany, website, message):
    response = api(people.officer).post(
        LIST, {"name": "KIT", "country": "DE", "website": website}, format="json"
    )
    assert response.status_code == 400
    assert message in str(response.json()["error"]["details"]["website"])
    assert not Partner.objects.exists()


def test_import_reads_websites_by_the_same_rule(people, germany):
    from meridian.core.tabular.tests.helpers import as_file, csv_bytes
    from meridian.partners.tests.test_import_rows import commit

    rows = [
        ["Karlsruher Institut für Technologie", "DE", "www.kit.edu"],
        ["Universität Wien", "DE", "info@uni-wien.ac.at"],
        ["Tsinghua University", "DE", "www。tsinghua。edu。cn"],
        ["Somewhere", "DE", "www.tum.de/" + "a" * 287],  # 298 characters, 306 with https://
    ]
    report = commit(file=as_file(csv_bytes(["院校名称", "国别", "官网"], rows)), actor=people.officer)
    problems = {(p.row, p.column): p.reason for p in report.problems}
    assert "is an e-mail address, not a website" in problems[(3, "官网")]
    assert "contains “。” in the domain name" in problems[(4, "官网")]
    assert "300" in problems[(5, "官网")]  # too long once https:// is added: refused, never cut
    assert not report.committed and not Partner.objects.exists()

    report = commit(file=as_file(csv_bytes(["院校名称", "国别", "官网"], rows[:1])), actor=people.officer)
    assert report.committed, [str(p) for p in report.problems]
    assert Partner.objects.get().website == "https://www.kit.edu"
