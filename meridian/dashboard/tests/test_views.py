import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.activity import activity_record
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

URL = reverse("dashboard:home")


def _login(client, user):
    client.force_login(user)
    return client


def _populate(org, n: int) -> None:
    """n partners over n countries, each with an agreement expiring soon and some activity."""
    soon = timezone.localdate() + datetime.timedelta(days=20)
    for i in range(n):
        code = f"{chr(65 + i // 26)}{chr(65 + i % 26)}"
        partner = PartnerFactory(country=country(code, f"Country {code}", f"国家{code}", alpha3=f"{code}Z"))
        agreement = AgreementFactory(
            responsible_unit=org.engineering, partners=[partner], state="active", end_date=soon
        )
        activity_record(target=partner, verb="created", message=f"partner {i} created")
        activity_record(target=agreement, verb="activated", message=f"agreement {i} activated")


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_root_leads_an_officer_to_the_dashboard_and_a_student_to_their_portal(client, people):
    _login(client, people.officer)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == URL and response.status_code == 200
    client.logout()
    _login(client, people.student)
    response = client.get("/", follow=True)
    # The student portal of student exchange is registered as the students' landing.
    assert response.redirect_chain[-1][0] == "/exchange/my/" and response.status_code == 200


def test_officer_sees_figures_and_links(client, org, people):
    de = country("DE", "Germany", "德国")
    partner = PartnerFactory(country=de, name_en="Heidelberg University", status="active")
    soon = timezone.localdate() + datetime.timedelta(days=12)
    agreement = AgreementFactory(
        responsible_unit=org.engineering,
        partners=[partner],
        state="active",
        end_date=soon,
        number="AGR-SOON-1",
    )
    activity_record(target=agreement, verb="activated", message="AGR-SOON-1 was signed", actor=people.officer)
    response = _login(client, people.officer).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Germany" in html
    assert f"{reverse('partners:list')}?country=DE" in html
    assert f"{reverse('agreements:list')}?state=active" in html
    assert f"{reverse('partners:list')}?type=university" in html
    assert f"{reverse('partners:list')}?active_partner=yes" in html
    assert f"{reverse('agreements:list')}?expiring_within=" in html
    assert reverse("agreements:detail", args=[agreement.pk]) in html
    assert "12 days" in html
    assert "AGR-SOON-1 was signed" in html
    assert "Heidelberg University" in html


def test_student_sees_no_agreements(client, org, people):
    de = country("DE", "Germany", "德国")
    public = PartnerFactory(country=de, is_public=True, name_en="Open Partner")
    PartnerFactory(
        country=country("FR", "France", "法国", alpha3="FRA"), is_public=False, name_en="Closed Partner"
    )
    soon = timezone.localdate() + datetime.timedelta(days=12)
    AgreementFactory(
        responsible_unit=org.computing, partners=[public], state="active", end_date=soon, number="AGR-X-1"
    )
    response = _login(client, people.student).get(URL)
    # The dashboard is the staff's: a student is sent to the page made for them, which shows no agreement.
    assert response.status_code == 302 and response["Location"] == reverse("workflow:landing")
    html = client.get(reverse("workflow:landing"), follow=True).content.decode()
    assert "France" not in html
    assert "AGR-X-1" not in html
    assert 'id="expiring"' not in html


def test_chinese_labels(client, org, people):
    PartnerFactory(country=country("DE", "Germany", "德国"))
    _login(client, people.officer)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "德国" in response.content.decode()


@pytest.mark.parametrize("role", ["officer", "coordinator", "staff"])
def test_query_count_does_not_grow(client, org, people, django_assert_max_num_queries, role):
    user = getattr(people, role)
    _login(client, user)
    _populate(org, 3)
    client.get(URL)  # warm the content-type cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    _populate(org, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert response.status_code == 200
