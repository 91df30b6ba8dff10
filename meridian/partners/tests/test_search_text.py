"""The normalised search key, the search column kept by saves and bulk refreshes, and its index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.agreements.models import Agreement, AgreementPartner
from meridian.agreements.search_text import refresh_agreement_search_text
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.search_index import (
    PRIVATE_MARK,
    ensure_search_index,
    search_filter,
    search_key,
    search_terms,
)
from meridian.partners.models import Partner
from meridian.partners.search_text import refresh_partner_search_text
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Université de Genève", "universite de geneve"),
        # An "e" after "a", "o" or "u" is dropped everywhere (the umlaut spellings "ae", "oe", "ue"), also
        # where it is no umlaut: queries are keyed alike, so "polytechnique" still finds it.
        ("École Polytechnique", "ecole polytechniqu"),
        ("MÜNCHEN", "munchen"),
        ("Muenchen", "munchen"),
        ("Universitaet Goettingen", "universitat gottingen"),
        ("Straße", "strasse"),
        ("Ørsted, Łódź", "orsted lodz"),
        ("ＭＩＴ", "mit"),  # full-width letters
        ("ＳＸ－２０２４－００１", "sx 2024 001"),  # full-width digits and dash
        ("東京大学", "东京大学"),  # Traditional → Simplified
        ("早稲田大学", "早稻田大学"),  # Japanese shinjitai 稲 → 稻
        ("早稻田大学", "早稻田大学"),
        ("國立臺灣大學", "国立台湾大学"),
        ("ｶﾞｸｴﾝ", "ガクエン"),  # half-width katakana, voicing mark kept
        ("Texas A&M — “Aggies”", "texas a m aggies"),
        ("  D  HEIDELB01 ", "d heidelb01"),
        ("", ""),
    ],
)
def test_search_key(text, key):
    assert search_key(text) == key


def test_query_words_are_keyed_one_by_one_and_keep_their_inner_punctuation_as_a_phrase():
    assert search_terms("  ecole   polytechnique  École ") == ["ecole", "polytechniqu"]
    assert search_terms("uni-heidelberg.de") == ["uni heidelberg de"]
    assert search_terms("ＭＩＴ　東京") == ["mit", "东京"]  # ideographic space splits too
    assert search_terms(" ,.; ") == []


@pytest.mark.django_db
def test_partner_text_has_a_public_zone_then_identifiers():
    partner = PartnerFactory(
        name="Universität Heidelberg",
        name_en="Heidelberg University",
        name_zh="海德堡大学",
        acronym="RKU",
        city="Heidelberg",
        country=country("DE", "Germany", "德国"),
        website="https://www.uni-heidelberg.de/",
        website_domain="uni-heidelberg.de",
        erasmus_code="D  HEIDELB01",
        pic="999888777",
    )
    public, private = partner.search_text.split(PRIVATE_MARK)
    assert public == (
        "universitat heidelberg | heidelberg university | 海德堡大学 | rku | heidelberg | uni heidelberg de"
        " | de | germany | 德国"
    )
    assert private == "d heidelb01 | 999888777 | dheidelb01"


@pytest.mark.django_db
def test_save_keeps_the_column_and_the_index_in_step():
    partner = PartnerFactory(name="Université de Genève", name_en="", city="Genève")
    assert list(search_filter(Partner.objects.all(), "geneve")) == [partner]
    partner.name = "Universität Zürich"
    partner.city = "Zürich"
    partner.save()
    assert list(search_filter(Partner.objects.all(), "geneve")) == []
    assert list(search_filter(Partner.objects.all(), "zurich")) == [partner]
    partner.delete()
    assert list(search_filter(Partner.objects.all(), "zurich")) == []


@pytest.mark.django_db
def test_a_save_of_other_fields_only_leaves_the_column_alone():
    partner = PartnerFactory(name="Université de Genève")
    Partner.objects.filter(pk=partner.pk).update(search_text="stale")
    partner.status = "dormant"
    partner.save(update_fields=["status"])
    partner.refresh_from_db()
    assert partner.search_text == "stale"
    partner.city = "Genève"
    partner.save(update_fields=["city"])  # a searched field: the column is written too
    partner.refresh_from_db()
    assert partner.search_text.startswith("universite de geneve")


@pytest.mark.django_db
def test_agreements_follow_their_parties_and_renamed_partners(org):
    geneva = PartnerFactory(name="Université de Genève", name_en="University of Geneva")
    tokyo = PartnerFactory(name="東京大学", name_en="The University of Tokyo")
    agreement = AgreementFactory(responsible_unit=org.computing, partners=[geneva], title_en="Exchange")

    def found(query: str) -> list[Agreement]:
        return list(search_filter(Agreement.objects.all(), query))

    assert found("geneve") == [agreement]
    AgreementPartner.objects.create(agreement=agreement, partner=tokyo)
    assert found("东京大学") == [agreement]
    AgreementPartner.objects.filter(agreement=agreement, partner=geneva).delete()
    assert found("geneve") == []
    tokyo.name = "東京藝術大学"
    tokyo.save()
    assert found("东京艺术") == [agreement]
    assert found("东京大学") == []


@pytest.mark.django_db
def test_bulk_created_rows_are_found_after_the_refresh(org):
    germany = country("DE", "Germany", "德国")
    created = Partner.objects.bulk_create(
        [Partner(name=f"Technische Universität München {i}", country=germany) for i in range(3)]
    )
    agreements = Agreement.objects.bulk_create(
        [Agreement(number=f"BULK-{i}", title_en="Research", kind="research", responsible_unit=org.computing)
         for i in range(3)]
    )  # fmt: skip
    AgreementPartner.objects.bulk_create(
        [AgreementPartner(agreement=a, partner=p) for a, p in zip(agreements, created, strict=True)]
    )
    assert not search_filter(Partner.objects.all(), "munchen").exists()
    assert refresh_partner_search_text(ids=[p.pk for p in created]) == 3
    assert refresh_agreement_search_text(ids=[a.pk for a in agreements]) == 3
    assert search_filter(Partner.objects.all(), "MÜNCHEN").count() == 3
    assert search_filter(Agreement.objects.all(), "munchen 2").get().number == "BULK-2"
    assert refresh_partner_search_text() == 0  # nothing stale is left


@pytest.mark.django_db
def test_short_words_and_long_words_together():
    PartnerFactory(name="Universität Wien", acronym="UW", city="Wien")
    PartnerFactory(name="Universität Graz", acronym="UG", city="Graz")
    assert [p.name for p in search_filter(Partner.objects.all(), "uw universitat")] == ["Universität Wien"]
    assert [p.name for p in search_filter(Partner.objects.all(), "ug")] == ["Universität Graz"]


@pytest.mark.django_db
def test_the_public_zone_leaves_identifiers_out():
    partner = PartnerFactory(name="Universität Heidelberg", pic="999888777", city="Heidelberg")
    everything = Partner.objects.all()
    assert list(search_filter(everything, "999888777")) == [partner]
    assert list(search_filter(everything, "999888777", public=True)) == []
    assert list(search_filter(everything, "heidelberg", public=True)) == [partner]


@pytest.mark.django_db
def test_the_database_index_answers_the_query():
    PartnerFactory(name="Université de Genève")
    with CaptureQueriesContext(connection) as queries:
        list(search_filter(Partner.objects.all(), "geneve"))
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "sqlite":
        assert "partners_partner_search MATCH" in sql
    else:
        assert "LIKE" in sql
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN SELECT id FROM partners_partner WHERE search_text LIKE '%geneve%'")
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "partners_partner_search_trgm" in plan


@pytest.mark.django_db
def test_a_table_rebuilt_by_a_later_migration_gets_its_index_back():
    """SQLite drops a table's triggers when a migration rebuilds the table; ``migrate`` puts them back."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    partner = PartnerFactory(name="Université de Genève")
    with connection.cursor() as cursor:
        for suffix in ("_ai", "_ad", "_au"):
            cursor.execute(f"DROP TRIGGER partners_partner_search{suffix}")
    partner.name = "Universität Zürich"
    partner.save()  # no trigger: the index misses this change
    assert ensure_search_index(connection, "partners_partner") is True
    assert list(search_filter(Partner.objects.all(), "zurich")) == [partner]
    assert ensure_search_index(connection, "partners_partner") is False  # complete: nothing to do
