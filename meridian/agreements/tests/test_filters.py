import datetime

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone

from meridian.agreements.filters import AgreementFilter
from meridian.agreements.models import Agreement
from meridian.partners.tests.factories import PartnerFactory

TODAY = timezone.localdate()


@pytest.fixture
def data(org, people, make_agreement, partner, other_partner, germany):
    second_german = PartnerFactory(
        name="TU München", name_en="Technical University of Munich", country=germany
    )
    return {
        "german": make_agreement(
            partners=[partner, second_german],
            channels=["research", "student_exchange"],
            title_en="Bavaria",
            state="active",
            end_date=TODAY + datetime.timedelta(days=40),
            kind="research",
        ),
        "japanese": make_agreement(
            partners=[other_partner],
            channels=["cultural"],
            title_en="Kansai",
            title_zh="关西",
            end_date=TODAY + datetime.timedelta(days=400),
            unit=org.engineering,
        ),
        "humanities": make_agreement(
            partners=[partner],
            channels=["cultural"],
            unit=org.humanities,
            state="active",
            end_date=TODAY + datetime.timedelta(days=700),
            title_en="Poetry",
        ),
    }


def numbers(params: dict, people, user="officer") -> list[str]:
    request = RequestFactory().get("/")
    request.user = getattr(people, user)
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    filterset = AgreementFilter(query, queryset=Agreement.objects.visible_to(request.user), request=request)
    assert filterset.is_valid(), filterset.errors
    return sorted(a.title_en for a in filterset.qs)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Bavaria", "Kansai", "Poetry"]),
        ({"state": ["active"]}, ["Bavaria", "Poetry"]),
        ({"kind": ["research"]}, ["Bavaria"]),
        ({"channel": ["cultural", "research"]}, ["Bavaria", "Kansai", "Poetry"]),
        ({"channel": ["student_exchange"]}, ["Bavaria"]),
        ({"country": "DE"}, ["Bavaria", "Poetry"]),
        ({"region": "142"}, ["Kansai"]),
        ({"q": "munich"}, ["Bavaria"]),
        ({"q": "关西"}, ["Kansai"]),
        ({"q": "KU"}, ["Kansai"]),
        ({"expiring_within": "90"}, ["Bavaria"]),
        ({"ends_before": (TODAY + datetime.timedelta(days=500)).isoformat()}, ["Bavaria", "Kansai"]),
        ({"ends_after": (TODAY + datetime.timedelta(days=500)).isoformat()}, ["Poetry"]),
    ],
)
def test_filters(data, people, params, expected):
    assert numbers(params, people) == expected


def test_partner_filter_and_no_duplicate_rows(data, people, partner):
    # Bavaria has two German partners; filtering by country must still list it once.
    request = RequestFactory().get("/")
    request.user = people.officer
    filterset = AgreementFilter(
        {"country": "DE"}, queryset=Agreement.objects.visible_to(people.officer), request=request
    )
    titles = [a.title_en for a in filterset.qs]
    assert titles.count("Bavaria") == 1
    assert numbers({"partner": str(partner.pk)}, people) == ["Bavaria", "Poetry"]


def test_unit_filter_includes_descendants(data, people, org):
    assert numbers({"unit": str(org.engineering.pk)}, people) == ["Bavaria", "Kansai"]
    assert numbers({"unit": str(org.computing.pk)}, people) == ["Bavaria"]


@pytest.mark.parametrize(
    ("field", "expected"), [("number", None), ("-end_date", ["Poetry", "Kansai", "Bavaria"])]
)
def test_ordering(data, people, field, expected):
    request = RequestFactory().get("/")
    request.user = people.officer
    qs = AgreementFilter({"ordering": field}, queryset=Agreement.objects.all(), request=request).qs
    titles = [a.title_en for a in qs]
    if expected is None:
        assert [a.number for a in qs] == sorted(a.number for a in qs)
    else:
        assert titles == expected


def test_filter_respects_visibility(data, people):
    assert numbers({}, people, user="other_coordinator") == ["Poetry"]
