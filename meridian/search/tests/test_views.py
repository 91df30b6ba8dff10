"""The search page: who may use it, and that every role finds only what it may see."""

import pytest
from django.urls import reverse

from meridian.core.registry import SearchHit, SearchType, registry
from meridian.search.selectors import search_everything

URL = reverse("search:home")


def found(client, user, query: str) -> dict[str, list[str]]:
    client.force_login(user)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return {group.key: [hit.title for hit in group.hits] for group in response.context["groups"]}


# role: (partners found for "kyoto", agreements found for "kyoto")
MATRIX = {
    "admin": (["Kyoto Tech", "Kyoto University"], ["AGR-KY-1 Kyoto exchange", "AGR-KY-2 Kyoto lectures"]),
    "officer": (["Kyoto Tech", "Kyoto University"], ["AGR-KY-1 Kyoto exchange", "AGR-KY-2 Kyoto lectures"]),
    "leadership": (
        ["Kyoto Tech", "Kyoto University"],
        ["AGR-KY-1 Kyoto exchange", "AGR-KY-2 Kyoto lectures"],
    ),
    "coordinator": (["Kyoto Tech", "Kyoto University"], ["AGR-KY-1 Kyoto exchange"]),
    "staff": (["Kyoto Tech", "Kyoto University"], []),
    "student": (["Kyoto University"], []),
    "partner_contact": ([], ["AGR-KY-2 Kyoto lectures"]),
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_each_role_finds_only_what_it_may_see(client, users, role):
    partners, agreements = MATRIX[role]
    groups = found(client, users[role], "kyoto")
    assert groups.get("partners", []) == partners
    assert groups.get("agreements", []) == agreements


def test_users_without_a_role_may_not_search(client, users):
    client.force_login(users["outsider"])
    assert client.get(URL, {"q": "kyoto"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL, {"q": "kyoto"})
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_every_word_must_match_and_results_link_to_the_record(client, users, records):
    client.force_login(users["officer"])
    # "Institute" is only in Kyoto Tech's official name; agreements are also searched by their partners'
    # names, and neither agreement's partner has both words.
    response = client.get(URL, {"q": "  kyoto   INSTITUTE "})
    html = response.content.decode()
    assert [h.title for g in response.context["groups"] for h in g.hits] == ["Kyoto Tech"]
    assert records["kyoto_hidden"].get_absolute_url() in html


def test_an_empty_query_searches_nothing_and_no_match_says_so(client, users):
    client.force_login(users["officer"])
    assert client.get(URL).context["groups"] == []
    html = client.get(URL, {"q": "zzzz"}).content.decode()
    assert "Nothing matches" in html and "zzzz" in html


def test_htmx_gets_only_the_results(client, users):
    client.force_login(users["officer"])
    response = client.get(URL, {"q": "kyoto"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results")
    html = response.content.decode()
    assert html.startswith('<div id="search-results"') and "<html" not in html


def test_output_is_escaped(client, users):
    client.force_login(users["officer"])
    html = client.get(URL, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_a_type_registered_by_another_context_is_searched_and_capped(users):
    registry.search_types.add(
        SearchType(
            key="test_visits",
            label="Visits",
            search=lambda user, query, limit: [
                SearchHit(f"Visit {i}", f"/v/{i}/", "Visit") for i in range(limit)
            ],
            visible=lambda user: user.username == "officer",
        )
    )
    try:
        groups = {g.key: g for g in search_everything(user=users["officer"], query="visit", per_type=5)}
        assert len(groups["test_visits"].hits) == 5 and groups["test_visits"].more is True
        assert "test_visits" not in {g.key for g in search_everything(user=users["staff"], query="visit")}
    finally:
        registry.search_types.remove("test_visits")


def test_chinese_page(client, users):
    client.force_login(users["officer"])
    html = client.get(URL, {"q": "kyoto"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in html and "京都大学" in html


def test_query_count_does_not_grow_with_matches(client, users, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meridian.agreements.tests.factories import AgreementFactory
    from meridian.partners.tests.factories import PartnerFactory

    client.force_login(users["officer"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"q": "kyoto"}).status_code == 200
        return len(ctx.captured_queries)

    queries()
    few = queries()
    for i in range(15):
        AgreementFactory(
            responsible_unit=org.engineering,
            partners=[PartnerFactory(name=f"Kyoto College {i}", name_en=f"Kyoto College {i}")],
            title_en=f"Kyoto agreement {i}",
        )
    assert queries() == few
