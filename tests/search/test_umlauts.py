"""German umlauts typed as "ue", "ae", "oe" (or without dots) find the name written with "ü", "ä", "ö", on
every surface that searches partners and agreements: the staff list, the API, the public directory, the
agreements list; words that merely contain such letters ("Samuel", "Queen") still find themselves."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.search_index import search_filter
from meridian.directory import selectors as directory
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

LMU = "Ludwig-Maximilians-Universität München"
MUNICH_QUERIES = ["muenchen", "munchen", "MÜNCHEN", "Muenchen", "München", "universitaet muenchen", "muen"]
# Words with "ue"/"ae"/"oe" that are no umlauts, and parts of them: folding must not lose them.
OWN_NAMES = [
    ("Samuel", "Samuel Merritt University"),
    ("samu", "Samuel Merritt University"),
    ("uel", "Samuel Merritt University"),
    ("el merritt", "Samuel Merritt University"),
    ("Queen", "Queen Mary University of London"),
    ("ueen", "Queen Mary University of London"),
    ("een mary", "Queen Mary University of London"),
    ("Polytechnique", "École Polytechnique"),
]


@pytest.fixture
def partners(db):
    germany = country("DE", "Germany", "德国")
    found = {
        LMU: PartnerFactory(name=LMU, name_en="LMU Munich", city="München", country=germany, is_public=True),
        "Samuel Merritt University": PartnerFactory(
            name="Samuel Merritt University", name_en="", city="Oakland", is_public=True
        ),
        "Queen Mary University of London": PartnerFactory(
            name="Queen Mary University of London", name_en="", city="London", is_public=True
        ),
        "École Polytechnique": PartnerFactory(
            name="École Polytechnique", name_en="", city="Palaiseau", is_public=True
        ),
        "Universität Wien": PartnerFactory(name="Universität Wien", name_en="", city="Wien", is_public=True),
    }
    return found


def _staff_list(login, user, query) -> list[str]:
    return [p.name for p in login(user).get(reverse("partners:list"), {"q": query}).context["partners"]]


def _api(user, query) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    return [row["name"] for row in client.get("/api/v1/partners/", {"q": query}).json()["results"]]


def test_umlaut_spellings_find_munich_everywhere(login, people, partners):
    for query in MUNICH_QUERIES:
        assert _staff_list(login, people.officer, query) == [LMU], query
        assert _api(people.officer, query) == [LMU], query
        assert [p.name for p in directory.public_partner_list(filters={"q": query}).qs] == [LMU], query
        page = Client().get("/en/global-vision/partners/", {"q": query})
        assert [p.name for p in page.context["page_obj"].object_list] == [LMU], query


def test_words_with_ue_and_their_parts_still_find_themselves(login, people, partners):
    for query, expected in OWN_NAMES:
        assert _staff_list(login, people.officer, query) == [expected], query
        assert _api(people.officer, query) == [expected], query
        assert [p.name for p in directory.public_partner_list(filters={"q": query}).qs] == [expected], query


def test_a_short_query_keyed_below_three_letters_is_still_a_substring_search(login, people, partners):
    # "mue" is keyed "mu" (two letters: LIKE, not the trigram index): "München" and "Samuel" both hold it.
    expected = sorted([LMU, "Samuel Merritt University"])
    assert sorted(_staff_list(login, people.officer, "mue")) == expected
    assert sorted(_staff_list(login, people.officer, "MÜ")) == expected


def test_agreements_are_found_by_a_partner_name_in_any_umlaut_spelling(client, people, org, partners):
    AgreementFactory(
        number="LMU-1", title_en="Exchange", partners=[partners[LMU]], responsible_unit=org.computing
    )
    AgreementFactory(
        number="WIEN-1",
        title_en="Exchange",
        partners=[partners["Universität Wien"]],
        responsible_unit=org.computing,
    )
    client.force_login(people.officer)
    for query in ("muenchen", "munchen", "MÜNCHEN", "Muenchen", "universitaet wien"):
        numbers = [a.number for a in client.get(reverse("agreements:list"), {"q": query}).context["page_obj"]]
        expected = ["WIEN-1"] if "wien" in query else ["LMU-1"]
        assert numbers == expected, query
    api = APIClient()
    api.force_authenticate(people.officer)
    assert [r["number"] for r in api.get("/api/v1/agreements/", {"q": "muenchen"}).json()["results"]] == [
        "LMU-1"
    ]


def _editor():
    return SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)


def test_migrations_refill_search_text_written_in_the_earlier_form(partners, org):
    partner = partners[LMU]
    agreement = AgreementFactory(number="LMU-2", partners=[partner], responsible_unit=org.computing)
    # As the earlier search key wrote them: "ue" kept.
    Partner.objects.filter(pk=partner.pk).update(search_text="ludwig maximilians universitat muenchen")
    Agreement.objects.filter(pk=agreement.pk).update(
        search_text="lmu 2 | ludwig maximilians universitat muenchen"
    )
    assert not Partner.objects.filter(search_text__contains="munchen").exists()

    importlib.import_module("meridian.partners.migrations.0004_refill_search_text_umlaut_spellings").refill(
        apps, _editor()
    )
    importlib.import_module("meridian.agreements.migrations.0004_refill_search_text_umlaut_spellings").refill(
        apps, _editor()
    )

    partner.refresh_from_db()
    agreement.refresh_from_db()
    assert partner.search_text.startswith("ludwig maximilians universitat munchen | lmu munich | ")
    assert "munchen" in agreement.search_text and "muenchen" not in agreement.search_text
    # The index follows the column: the FTS5 table (SQLite) or the trigram index (PostgreSQL) answers.
    assert list(search_filter(Partner.objects.all(), "Muenchen")) == [partner]
    assert list(search_filter(Agreement.objects.all(), "muenchen")) == [agreement]


def test_refill_migrations_run_on_an_empty_database():
    for module in (
        "meridian.partners.migrations.0004_refill_search_text_umlaut_spellings",
        "meridian.agreements.migrations.0004_refill_search_text_umlaut_spellings",
    ):
        importlib.import_module(module).refill(apps, _editor())
    assert not Partner.objects.exists() and not Agreement.objects.exists()
