"""The navigation shows each role exactly the entries it can use, in both languages (one table); the top
bar's account links too; and the staff dashboard is kept for staff."""

import re

import pytest
from django.urls import reverse

from meridian.core.registry import NavEntry, registry
from meridian.core.templatetags.meridian import nav_items
from meridian.partners.models import PartnerContact
from meridian.partners.tests.factories import PartnerFactory
from meridian.workflow.testing import partner_contact_user

ALL = {"admin", "officer", "coordinator", "staff", "student", "leadership", "partner_contact", "outsider"}
INTERNAL = {"admin", "officer", "coordinator", "staff", "leadership"}
# entry key: the roles that see it. Every entry a role sees leads to a page that role may use.
MATRIX = {
    "dashboard": INTERNAL,
    "partners": ALL - {"outsider"},
    "agreements": INTERNAL | {"partner_contact"},
    "registry": INTERNAL,
    "imports": {"admin", "officer"},
    "website": {"admin", "officer"},
    "global_vision": ALL,
    "search": ALL - {"outsider"},
    "reports": INTERNAL,
    "api": INTERNAL,
}
NAV_LINK = re.compile(r'<a href="(?P<url>[^"]+)" data-nav="(?P<key>[a-z_]+)"[^>]*>(?P<label>[^<]*)')
LABELS = {
    "en": {"dashboard": "Dashboard", "partners": "Partners"},
    "zh-hans": {"dashboard": "仪表板", "partners": "合作伙伴"},
}


@pytest.fixture
def users(org, people):
    contact = partner_contact_user(org)
    PartnerContact.objects.create(partner=PartnerFactory(), name="Anna Becker", user=contact)
    return {
        "admin": people.admin,
        "officer": people.officer,
        "coordinator": people.coordinator,
        "staff": people.staff,
        "student": people.student,
        "leadership": people.leadership,
        "partner_contact": contact,
        "outsider": people.outsider,
    }


def landing_html(client, user, language: str = "en") -> str:
    """The page ``user`` lands on after signing in (followed from ``workflow:landing``)."""
    client.force_login(user)
    response = client.get(reverse("workflow:landing"), HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def shown(client, user, language: str, labels: dict | None = None) -> dict[str, str]:
    """The navigation entries on the page the user lands on: key → URL (and key → label into `labels`)."""
    html = landing_html(client, user, language)
    assert f'<html lang="{language}">' in html
    nav = html[html.index('<nav class="mainnav"') : html.index("</nav>")]
    matches = list(NAV_LINK.finditer(nav))
    if labels is not None:
        labels.update({m["key"]: m["label"].strip() for m in matches})
    return {m["key"]: m["url"] for m in matches}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_sees_the_entries_it_can_use(client, users, role, language):
    labels: dict[str, str] = {}
    links = shown(client, users[role], language, labels)
    expected = {key for key, roles in MATRIX.items() if role in roles}
    assert expected == set(links) & set(MATRIX)
    for key, label in LABELS[language].items():
        if key in labels:
            assert labels[key] == label


@pytest.mark.parametrize("role", sorted(ALL))
def test_every_entry_shown_opens_for_that_role(client, users, role):
    for key, url in shown(client, users[role], "en").items():
        if key in {"global_vision", "api", "admin"}:
            continue  # the public site and the API documentation are open pages
        response = client.get(url)
        assert response.status_code == 200, (key, url)


def test_the_current_section_is_marked(client, users):
    client.force_login(users["officer"])
    html = client.get(reverse("partners:list")).content.decode()
    assert re.search(r'data-nav="partners" aria-current="page"', html)
    assert not re.search(r'data-nav="dashboard" aria-current="page"', html)


def test_an_entry_with_a_count_carries_it(people):
    registry.nav.add(
        NavEntry(key="test_tasks", label="Tasks", url_name="dashboard:home", count=lambda user: 3, order=1)
    )
    try:
        item = next(i for i in nav_items(people.officer) if i.key == "test_tasks")
        assert item.count == 3 and item.url == reverse("dashboard:home")
    finally:
        registry.nav.remove("test_tasks")


def test_entries_follow_registry_order(people):
    keys = [item.key for item in nav_items(people.officer)]
    assert keys.index("dashboard") < keys.index("partners") < keys.index("agreements") < keys.index("api")


# Account links in the top bar: (CSS class, roles that see it).
ACCOUNT_LINKS = {
    "user-name": ALL,  # the password change page
    "user-security": ALL,  # two-factor sign-in
    "user-tokens": INTERNAL,  # API tokens: only for those who use the API (it is in their navigation)
}


@pytest.mark.parametrize("role", sorted(ALL))
def test_account_links_in_the_top_bar_are_those_the_role_can_use(client, users, role):
    html = landing_html(client, users[role])
    bar = html[html.index('<div class="topbar-tools">') : html.index("</header>")]
    links = dict(re.findall(r'<a href="([^"]+)" class="(user-[a-z]+)"', bar))
    assert set(links.values()) == {css for css, roles in ACCOUNT_LINKS.items() if role in roles}
    for url in links:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["student", "partner_contact", "outsider"])
def test_the_dashboard_sends_others_to_their_own_page(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow:landing")
    lands = client.get(reverse("workflow:landing"))["Location"]
    assert lands != reverse("dashboard:home")
    assert client.get(lands).status_code == 200


@pytest.mark.parametrize("role", sorted(INTERNAL))
def test_staff_keep_the_dashboard(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("dashboard:home")).status_code == 200


@pytest.mark.parametrize("role", sorted(ALL))
def test_the_inbox_lists_the_own_pages_of_those_without_a_dashboard(client, users, role):
    client.force_login(users[role])
    html = client.get(reverse("workflow:inbox")).content.decode()
    if role in INTERNAL:
        assert 'id="own-pages"' not in html
        return
    card = html[html.index('id="own-pages"') : html.index("</section>", html.index('id="own-pages"'))]
    own = dict(re.findall(r'<a href="([^"]+)" data-own="([a-z_]+)"', card))
    expected = {key for key in shown(client, users[role], "en") if key != "inbox"}
    assert set(own.values()) == expected
    for url, key in own.items():
        if key != "global_vision":
            assert client.get(url).status_code == 200, url
