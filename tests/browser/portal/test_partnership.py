"""The Global Partnership page tells the truth: its figures are the data's, in English and Chinese, and they
follow the data when an officer records a partner with an active agreement in a new country."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from meridian.agreements.choices import AgreementState, Channel
from meridian.partners.models import Partner
from meridian.reference.models import Country
from tests.browser.helpers import follow, sign_in, translated
from tests.browser.portal.conftest import PARTNERSHIP_PATH, Expected, expected_figures, written
from tests.browser.test_journey import create_agreement, move

S = AgreementState
NEW_PARTNER = "University of Nairobi"


def country_name(country: Country, language: str) -> str:
    return (country.name_zh or country.name_en) if language.startswith("zh") else country.name_en


def channel_label(value: str, language: str) -> str:
    with translation.override(language):
        return str(dict(Channel.choices)[value])


def check_partnership_page(page: Page, expected: Expected, language: str) -> None:
    """Every figure of the page's text against the data: partners (rounded), countries, the countries named
    in order of their number of partners, and the channels that active agreements use (and no other)."""
    page.goto(PARTNERSHIP_PATH.format(language=language))
    expect(page.locator("html")).to_have_attribute("lang", language)
    body = page.locator("main .article-body").inner_text()
    compact = re.sub(r"\s+", " ", body)

    phrase = written(expected.partners, language)
    assert re.search(rf"(?<![\d,]){re.escape(phrase)}", compact), f"{phrase!r} is not in {compact!r}"
    if phrase in (str(expected.partners), f"{expected.partners}所"):  # exact: never "over 10" for ten
        assert f"over {expected.partners}" not in compact and f"{expected.partners}多所" not in compact
    countries = len(expected.countries)
    wanted = f"{countries}个国家和地区" if language.startswith("zh") else f"{countries} countries and regions"
    assert re.search(rf"(?<!\d){wanted}", compact), f"{wanted!r} is not in {compact!r}"

    # Named in order: never a country before one with more partners; all are named (there are at most six).
    named = [(compact.find(country_name(c, language)), c, n) for c, n in expected.countries]
    missing = [country_name(c, language) for position, c, _n in named if position < 0]
    assert not missing, f"countries not named: {missing} in {compact!r}"
    in_page_order = [n for _position, _c, n in sorted(named, key=lambda row: row[0])]
    assert in_page_order == sorted(in_page_order, reverse=True), f"countries out of order in {compact!r}"
    for code in ("FR", "GB"):  # public partners there do not cooperate (draft / expired agreement only)
        assert country_name(Country.objects.get(code=code), language) not in compact

    lowered = compact.lower()
    for value in Channel.values:
        label = channel_label(value, language).lower()
        if value in expected.channels:
            assert label in lowered, f"channel {label!r} is missing from {compact!r}"
        else:
            assert label not in lowered, f"channel {label!r} is not used by an active agreement: {compact!r}"


def check_home_figures(page: Page, expected: Expected, language: str) -> None:
    """The headline figures of the Global Vision home page."""
    with translation.override(language):
        page.goto(reverse("portal:home"))
    figures = {
        "Cooperating partners": expected.partners,
        "Countries and regions": len(expected.countries),
        "Cooperation channels": len(expected.channels),
        "Joint laboratories and R&D centres": expected.joint_labs,
        "Exchange agreements": expected.exchange_agreements,
    }
    for label, value in figures.items():
        term = page.locator(
            "main dl.figures > div", has=page.locator("dt", has_text=translated(label, language))
        )
        expect(term.locator("dd")).to_have_text(f"{value:,}" if not language.startswith("zh") else str(value))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db(transaction=True)
def test_global_partnership_figures_are_the_datas(page: Page, public_world, language):
    expected = expected_figures()
    # The world as built: ten cooperating partners (one not public) in Germany, the US, Japan and Singapore.
    assert expected.partners == 10
    assert [(c.code, n) for c, n in expected.countries] == [("DE", 4), ("US", 3), ("JP", 2), ("SG", 1)]
    assert expected.channels == {"student_exchange", "research", "joint_lab", "staff_exchange"}
    check_partnership_page(page, expected, language)
    # A non-public partner is counted, never named.
    assert public_world.hidden.name_en not in page.content()
    check_home_figures(page, expected, language)


def create_partner(page: Page, country: Country) -> Partner:
    """The staff partner form, filled in by hand; the partner is not public yet."""
    page.goto("/partners/new/")
    form = page.locator("#partner-form")
    form.locator("[name=name]").fill(NEW_PARTNER)
    form.locator("[name=name_en]").fill(NEW_PARTNER)
    form.locator("[name=name_zh]").fill("内罗毕大学")
    form.locator("[name=kind]").select_option("university")
    form.locator("[name=country]").select_option(country.code)
    form.locator("[name=city]").fill("Nairobi")
    form.locator("[name=latitude]").fill("-1.279400")
    form.locator("[name=longitude]").fill("36.816700")
    form.locator("[name=website]").fill("https://www.uonbi.ac.ke")
    expect(form.locator("[name=is_public]")).not_to_be_checked()
    follow(page, form.locator("button[type=submit]"), re.compile(r"/partners/\d+/$"))
    partner = Partner.objects.get(name_en=NEW_PARTNER)
    assert partner.country_id == country.code and not partner.is_public and partner.status == "prospect"
    return partner


def directory_names(page: Page, query: str) -> list[str]:
    with translation.override("en"):
        page.goto(reverse("directory:list") + query)
    return [
        name.strip()
        for name in page.locator("table.directory-table tbody td:first-child a").all_inner_texts()
    ]


@pytest.mark.django_db(transaction=True)
def test_officer_adds_partner_in_new_country_and_the_public_pages_follow(new_page, public_world, people, org):
    kenya = Country.objects.get(code="KE")
    before = expected_figures()
    assert kenya not in dict(before.countries)
    visitor = new_page()
    check_partnership_page(visitor, before, "en")
    assert kenya.name_en not in visitor.locator("main .article-body").inner_text()

    officer = new_page()
    sign_in(officer, people.officer.username)
    partner = create_partner(officer, kenya)
    agreement = create_agreement(officer, partner, org, end=date.today() + timedelta(days=3 * 365))
    move(officer, agreement, "submit", S.DRAFT, S.UNDER_REVIEW, 1, "en")
    move(officer, agreement, "approve", S.UNDER_REVIEW, S.APPROVED, 2, "en")

    # Approved is not yet in force: the public page does not count it.
    check_partnership_page(visitor, before, "en")
    move(officer, agreement, "activate", S.APPROVED, S.ACTIVE, 3, "en")

    after = expected_figures()
    assert after.partners == before.partners + 1
    assert {c.code for c, _n in after.countries} == {"DE", "US", "JP", "SG", "KE"}
    # On its next request the page shows the new figures: "over 10" partners, five countries, Kenya named.
    check_partnership_page(visitor, after, "en")
    check_partnership_page(visitor, after, "zh-hans")
    check_home_figures(visitor, after, "en")

    # Counted but not public: the directory does not list it until the officer makes it public.
    assert NEW_PARTNER not in directory_names(visitor, "?country=KE")
    officer.goto(f"/partners/{partner.pk}/edit/")
    officer.locator("#partner-form [name=is_public]").check()
    follow(
        officer,
        officer.locator("#partner-form button[type=submit]"),
        re.compile(rf"/partners/{partner.pk}/$"),
    )
    partner.refresh_from_db()
    assert partner.is_public

    assert directory_names(visitor, "?country=KE") == [NEW_PARTNER]
    kenya_row = visitor.locator(".map-table tbody tr", has=visitor.locator("th", has_text=kenya.name_en))
    expect(kenya_row.locator("td").first).to_have_text("1")
    expect(visitor.locator("svg.world-map a[data-country='KE']")).to_have_count(1)
    with translation.override("en"):
        visitor.goto(reverse("directory:partner", args=[partner.pk]))
    expect(visitor.locator("main h1")).to_contain_text(NEW_PARTNER)
    expect(visitor.locator("main")).to_contain_text(channel_label("student_exchange", "en"))
