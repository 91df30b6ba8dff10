"""Each filter of the public directory, over public partners only and ACTIVE agreements only."""

import pytest

from meridian.directory import selectors
from meridian.directory.filters import filter_params

pytestmark = pytest.mark.django_db


def names(**params) -> set[str]:
    return {p.name_en for p in selectors.public_partner_list(filters=params).qs}


def test_without_filters_every_public_partner_and_no_other(world):
    assert names() == {
        "Heidelberg University",
        "Kyoto Institute of Research",
        "Singapore Polytechnic",
        "University of Malta",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("heidelberg", {"Heidelberg University"}),  # English name, any case
        ("海德堡", {"Heidelberg University"}),  # Chinese name
        ("Ruprecht-Karls", {"Heidelberg University"}),  # official name
        ("rku", {"Heidelberg University"}),  # acronym
        ("msida", {"University of Malta"}),  # city
        ("university malta", {"University of Malta"}),  # every word must match
        ("Hidden", set()),  # a non-public partner is never found
        ("Berlin", set()),
    ],
)
def test_text_search(world, query, expected):
    assert names(q=query) == expected


def test_country(world):
    assert names(country="DE") == {"Heidelberg University"}
    assert names(country="SG") == {"Singapore Polytechnic"}


def test_region_and_sub_region(world):
    assert names(region="150") == {"Heidelberg University", "University of Malta"}
    assert names(region="142") == {"Kyoto Institute of Research", "Singapore Polytechnic"}
    assert names(region="155") == {"Heidelberg University"}  # Western Europe
    assert names(region="035") == {"Singapore Polytechnic"}  # South-eastern Asia


def test_type(world):
    assert names(type="research_institute") == {"Kyoto Institute of Research"}


def test_channel_counts_only_active_agreements_of_public_partners(world):
    assert names(channel="research") == {"Heidelberg University", "Kyoto Institute of Research"}
    assert names(channel="student_exchange") == {"Heidelberg University"}
    assert names(channel="joint_lab") == set()  # only on a draft agreement
    assert names(channel="cultural") == set()  # only on an agreement under review
    assert names(channel="government") == set()  # active, but the partner is not public


def test_filters_combine(world):
    assert names(region="150", channel="research") == {"Heidelberg University"}
    assert names(region="142", type="university") == {"Singapore Polytechnic"}


def test_country_choices_list_only_countries_with_public_partners(world, org):
    from meridian.partners.tests.factories import PartnerFactory
    from meridian.reference.tests.factories import country

    PartnerFactory(country=country("FR", "France", "法国"), is_public=False)
    form = selectors.public_partner_list(filters={}).form
    codes = {value for value, _label in form.fields["country"].choices if value}
    assert {str(code) for code in codes} == {"DE", "JP", "SG", "MT"}


def test_filter_params_keeps_known_non_empty_values(world):
    from meridian.reference.models import Country

    assert filter_params(
        {"q": " x ", "country": Country.objects.get(code="DE"), "page": "2", "type": ""}
    ) == {
        "q": "x",
        "country": "DE",
    }
