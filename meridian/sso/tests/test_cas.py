"""The CAS 3.0 exchange against a real CAS server: redirect, login at the server, ticket back, validation."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import cast
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.test import Client
from django_cas_ng.models import SessionTicket

from meridian.accounts.choices import Role
from meridian.accounts.models import Membership, User
from meridian.accounts.services import membership_grant, membership_revoke, user_create
from meridian.people.models import Person
from meridian.people.tests.factories import PersonFactory
from meridian.sso.models import ExternalIdentity
from meridian.sso.tests.conftest import CAS_PASSWORD, TIMEOUT, CasServer, local_path

pytestmark = pytest.mark.django_db


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            self.values[str(found["name"])] = found.get("value") or ""


def cas_login(client: Client, cas: CasServer, username: str, *, next_url: str = "") -> str:
    """Play the whole exchange; returns where Meridian finally sends the browser."""
    start = client.get("/sso/cas/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{cas.url}login?service=")
    browser = requests.Session()
    form_page = browser.get(start["Location"], timeout=TIMEOUT)
    form_page.raise_for_status()
    inputs = _Inputs()
    inputs.feed(form_page.text)
    answer = browser.post(
        start["Location"],
        data={**inputs.values, "username": username, "password": CAS_PASSWORD},
        headers={"Referer": start["Location"]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302, answer.text[:500]
    back = answer.headers["Location"]
    assert "ticket=ST-" in back
    done = client.get(local_path(back))
    assert done.status_code == 302
    return done["Location"]


def test_first_sign_in_creates_the_account_the_person_and_the_unit_role(cas_on, org):
    cas_on.set_user(
        "zhangsan", cn="张三", mail="ZhangSan@Example.edu.cn", unitCode="ENG", employeeNumber="T2001"
    )
    client = Client()

    target = cas_login(client, cas_on, "zhangsan", next_url="/partners/")

    assert target == "/partners/"
    user = User.objects.get(external_identities__provider="cas", external_identities__subject="zhangsan")
    assert (user.username, user.display_name, user.email) == ("zhangsan", "张三", "zhangsan@example.edu.cn")
    assert not user.has_usable_password()
    person = Person.objects.get(user=user)
    assert (person.kind, person.member_number, person.unit, person.name_zh) == (
        "staff",
        "T2001",
        org.engineering,
        "张三",
    )
    assert list(Membership.objects.filter(user=user).values_list("unit__code", "role")) == [
        ("eng", Role.STAFF)
    ]
    assert client.get("/partners/").status_code == 200  # signed in


def test_later_sign_in_updates_and_keeps_roles_granted_by_hand(cas_on, org, people):
    cas_on.set_user("lisi", cn="Li Si", mail="lisi@example.edu.cn", unitCode="eng", studentNumber="2024001")
    cas_login(Client(), cas_on, "lisi")
    user = User.objects.get(username="lisi")
    membership_grant(user=user, unit=org.engineering, role=Role.COORDINATOR, actor=people.admin)
    cas_on.set_user("lisi", cn="李四", mail="li.si@example.edu.cn", unitCode="hum", studentNumber="2024001")

    cas_login(Client(), cas_on, "lisi")

    user.refresh_from_db()
    assert (user.display_name, user.email) == ("李四", "li.si@example.edu.cn")
    person = Person.objects.get(user=user)
    assert (person.unit, person.kind, person.name_zh, person.family_name) == (
        org.humanities,
        "student",
        "李四",
        "Li Si",
    )
    held = set(Membership.objects.filter(user=user).values_list("unit__code", "role"))
    # The student role moved with the unit; the coordinator role an administrator gave stays.
    assert held == {("hum", Role.STUDENT), ("eng", Role.COORDINATOR)}


def test_an_earlier_person_record_with_the_same_staff_number_is_linked(cas_on, org):
    kept = cast(
        Person, PersonFactory(kind="staff", member_number="T3003", family_name="Wang", given_name="Wu")
    )
    cas_on.set_user("wangwu", cn="王五", unitCode="eng", employeeNumber="T3003")

    cas_login(Client(), cas_on, "wangwu")

    kept.refresh_from_db()
    assert kept.user is not None and kept.user.username == "wangwu"
    assert (kept.family_name, kept.name_zh, kept.unit) == ("Wang", "王五", org.engineering)
    assert Person.objects.count() == 1


def test_an_unknown_unit_signs_in_without_a_role_and_says_so(cas_on, org):
    cas_on.set_user("zhaoliu", cn="赵六", unitCode="nowhere", employeeNumber="T4004")
    client = Client()

    cas_login(client, cas_on, "zhaoliu")

    user = User.objects.get(username="zhaoliu")
    assert not Membership.objects.filter(user=user).exists()
    page = client.get("/accounts/login/", follow=True)  # shows the queued message on the next page
    assert "nowhere" in page.content.decode()


def test_a_local_account_of_the_same_name_is_not_taken_over(cas_on, org):
    local = user_create(username="zhangsan", password="local password 12345")
    cas_on.set_user("zhangsan", cn="张三", unitCode="eng", employeeNumber="T2001")

    cas_login(Client(), cas_on, "zhangsan")

    identity = ExternalIdentity.objects.get(provider="cas", subject="zhangsan")
    assert identity.user != local
    assert identity.user.username == "zhangsan.cas"


def test_a_bad_ticket_is_refused(cas_on, org):
    client = Client()
    client.get("/sso/cas/login/")  # the session remembers where to go

    response = client.get("/sso/cas/login/?ticket=ST-forged-0123456789")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not User.objects.exclude(username__in=[]).filter(external_identities__isnull=False).exists()
    assert "_auth_user_id" not in client.session
    assert any("did not succeed" in str(m) for m in get_messages(response.wsgi_request))


def test_a_deactivated_account_cannot_sign_in(cas_on, org):
    cas_on.set_user("zhangsan", cn="张三", unitCode="eng", employeeNumber="T2001")
    cas_login(Client(), cas_on, "zhangsan")
    User.objects.filter(username="zhangsan").update(is_active=False)
    client = Client()

    target = cas_login(client, cas_on, "zhangsan")

    assert target == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_cas_session_too(cas_on, org):
    cas_on.set_user("zhangsan", cn="张三", unitCode="eng", employeeNumber="T2001")
    client = Client()
    cas_login(client, cas_on, "zhangsan")

    local = client.post("/accounts/logout/")
    assert local.status_code == 302 and local["Location"] == "/sso/cas/logout/"
    provider = client.get(local["Location"])

    assert "_auth_user_id" not in client.session
    parts = urlsplit(provider["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{cas_on.url}logout"
    assert parse_qs(parts.query)["service"] == ["http://testserver/accounts/login/"]
    assert requests.get(provider["Location"], allow_redirects=False, timeout=TIMEOUT).status_code in (
        200,
        302,
    )


def test_the_sign_in_page_offers_the_campus_button(cas_on, settings):
    settings.CAS_NAME = "Unified Identity Authentication"
    page = Client().get("/accounts/login/?next=/partners/")
    html = page.content.decode()
    assert "Sign in with Unified Identity Authentication" in html
    assert 'href="/sso/cas/login/?next=/partners/"' in html
    assert 'name="password"' in html  # the local form stays for guests and partner contacts


def test_the_button_is_translated(cas_on, settings):
    settings.CAS_NAME_ZH = "统一身份认证"
    page = Client().get("/accounts/login/", headers={"accept-language": "zh-hans"})
    assert "统一身份认证" in page.content.decode()


def test_a_default_role_revoked_by_hand_stays_revoked(cas_on, org, people):
    cas_on.set_user("zhangsan", cn="张三", unitCode="eng", employeeNumber="T2001")
    cas_login(Client(), cas_on, "zhangsan")
    user = User.objects.get(username="zhangsan")
    membership_revoke(user=user, unit=org.engineering, role=Role.STAFF, actor=people.admin)

    cas_login(Client(), cas_on, "zhangsan")

    assert not Membership.objects.filter(user=user).exists()


def test_single_logout_from_the_cas_server_ends_the_session(cas_on, org):
    cas_on.set_user("zhangsan", cn="张三", unitCode="eng", employeeNumber="T2001")
    client = Client()
    cas_login(client, cas_on, "zhangsan")
    ticket = SessionTicket.objects.get(session_key=client.session.session_key).ticket
    logout_request = (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="1" Version="2.0" '
        'IssueInstant="2026-01-01T00:00:00Z">'
        f"<saml:NameID>zhangsan</saml:NameID><samlp:SessionIndex>{ticket}</samlp:SessionIndex>"
        "</samlp:LogoutRequest>"
    )

    Client().post(
        "/sso/cas/login/", {"logoutRequest": logout_request}
    )  # from the CAS server, not the browser

    assert client.get("/partners/").status_code == 302  # signed out: back to the sign-in page
