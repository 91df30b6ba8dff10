import pytest

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerFactory
from meridian.portal.figures import (
    figures_compute,
    placeholder_values,
    round_down,
    rounded_phrase,
    top_countries_phrase,
)
from meridian.reference.tests.factories import country


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, 0), (7, 7), (10, 10), (19, 10), (99, 90), (100, 100), (163, 150), (199, 150), (999, 950),
     (1000, 1000), (1234, 1200)],
)  # fmt: skip
def test_round_down_to_a_number_people_write(number, expected):
    assert round_down(number) == expected


@pytest.mark.parametrize(
    ("number", "en", "zh"),
    [(163, "over 150", "150多所"), (150, "150", "150所"), (47, "over 40", "40多所"), (8, "8", "8所"),
     (1234, "over 1,200", "1200多所")],
)  # fmt: skip
def test_rounded_phrase_in_both_languages(number, en, zh):
    assert rounded_phrase(number, "en") == en
    assert rounded_phrase(number, "zh-hans") == zh


def test_figures_read_from_active_agreements_and_relationships(world):
    figures = figures_compute()
    # Two US partners and the non-public one with active agreements, a Russian one with an active
    # agreement and one with an active relationship; draft and expired agreements count for nothing.
    assert figures["partners"] == figures["partners_rounded"] == 5
    assert figures["top_countries"] == [("United States", "美国", 3), ("Russia", "俄罗斯", 2)]
    assert figures["countries"] == 2
    assert [str(label) for label in figures["channels"]] == [
        "Research cooperation", "Student exchange", "Teaching-staff exchange", "Joint lab / R&D centre"
    ]  # fmt: skip
    assert figures["channel_count"] == 4
    assert figures["joint_labs"] == 1
    assert figures["exchange_agreements"] == 2
    assert figures["exchange_partners"] == 3


def test_placeholder_values_are_localised(world):
    figures = figures_compute()
    en = placeholder_values(figures, "en")
    zh = placeholder_values(figures, "zh-hans")
    assert en["top_countries"] == "United States and Russia"
    assert zh["top_countries"] == "美国、俄罗斯"
    assert en["channels"] == (
        "research cooperation, student exchange, teaching-staff exchange and joint lab / R&D centre"
    )
    assert "、" in zh["channels"]
    assert en["countries"] == zh["countries"] == "2"
    assert en["partners_rounded"] == "5" and zh["partners_rounded"] == "5所"


def test_top_countries_says_and_other_places_when_more_exist(db):
    rows = [country(code, name, name_zh, alpha3=code + "Q") for code, name, name_zh in [
        ("US", "United States", "美国"), ("RU", "Russia", "俄罗斯"), ("GB", "United Kingdom", "英国"),
    ]]  # fmt: skip
    for index, where in enumerate(rows):
        for _ in range(3 - index):
            PartnerFactory(country=where, status="active")
    places = figures_compute()["top_countries"]
    assert top_countries_phrase(places, "en", limit=2) == "United States, Russia and other places"
    assert top_countries_phrase(places, "zh-hans", limit=2) == "美国、俄罗斯等国家和地区"
    assert top_countries_phrase(places, "en", limit=3) == "United States, Russia and United Kingdom"


def test_non_public_partners_are_counted_but_never_named(world):
    values = placeholder_values(figures_compute(), "en")
    assert all(world.hidden.name_en not in value for value in values.values())


def test_a_new_partner_in_a_new_country_changes_the_figures(world, org):
    before = figures_compute()
    japan = country("JP", "Japan", "日本", alpha3="JPN")
    partner = PartnerFactory(country=japan, status="prospect")
    AgreementFactory(
        responsible_unit=org.intl_office, state="active", partners=[partner], channels=["cultural"]
    )
    after = figures_compute()
    assert after["partners"] == before["partners"] + 1
    assert [en for en, _zh, _n in after["top_countries"]] == ["United States", "Russia", "Japan"]
    assert "Cultural exchange" in [str(label) for label in after["channels"]]


def test_cached_figures_are_renewed_when_the_data_changes(world, org, django_assert_num_queries):
    from meridian.agreements.services import agreement_transition
    from meridian.portal.figures import figures_current

    first = figures_current()
    with django_assert_num_queries(1):  # only the stamp is read
        assert figures_current() == first
    japan = country("JP", "Japan", "日本", alpha3="JPN")
    partner = PartnerFactory(country=japan, status="prospect")
    AgreementFactory(responsible_unit=org.intl_office, state="active", partners=[partner])
    assert figures_current()["partners"] == first["partners"] + 1
    # An agreement ended through its service takes its partner out of the count on the next read.
    lab = partner.agreements.get()
    agreement_transition(agreement=lab, actor=None, action="terminate", comment="Ended early")
    assert figures_current()["partners"] == first["partners"]


def test_only_watched_models_renew_the_figures_and_watches_registered_later_count(db, org):
    from meridian.accounts.models import OrgUnit
    from meridian.core.registry import CacheWatch, registry
    from meridian.portal.models import FiguresStamp

    def stamp():
        return FiguresStamp.objects.filter(pk=1).values_list("token", flat=True).first()

    before = stamp()
    OrgUnit.objects.filter(pk=org.engineering.pk).get().save()
    assert stamp() == before  # units are not watched for the public site
    registry.cache_watches.add(CacheWatch(key="test_units", group="public", models=lambda: [OrgUnit]))
    try:
        org.engineering.save()
        assert stamp() != before
    finally:
        registry.cache_watches.remove("test_units")
    PartnerFactory()
    assert stamp() not in (before, None)


def test_a_figure_registered_by_another_context_becomes_a_placeholder(world):
    from meridian.core.registry import PublicFigure, registry
    from meridian.portal.figures import PLACEHOLDERS
    from meridian.portal.rendering import unknown_placeholders

    assert unknown_placeholders("{visits} visits") == ["visits"]
    registry.public_figures.add(
        PublicFigure(key="visits", label="Visits", compute=lambda: 1234, description="Visits this year.")
    )
    try:
        assert PLACEHOLDERS["visits"] == "Visits this year."
        assert unknown_placeholders("{visits} visits") == []
        assert placeholder_values(figures_compute(), "en")["visits"] == "1,234"
        assert placeholder_values(figures_compute(), "zh-hans")["visits"] == "1234"
    finally:
        registry.public_figures.remove("visits")
    assert "visits" not in PLACEHOLDERS
