"""Fixtures for the document tests: an agreement of the computing department with a partner, signatories."""

import datetime

import pytest

from meridian.agreements.models import Agreement, Signatory
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country


@pytest.fixture
def partner(db):
    germany = country("DE", "Germany", "德国", region_code="150")
    return PartnerFactory(
        name="Ruprecht-Karls-Universität Heidelberg",
        name_en="Heidelberg University",
        name_zh="海德堡大学",
        country=germany,
        city="Heidelberg",
    )


@pytest.fixture
def make_agreement(org, partner):
    def make(state: str = "draft", unit=None, **fields):
        agreement: Agreement = AgreementFactory(  # type: ignore[assignment]
            state=state,
            responsible_unit=unit or org.computing,
            partners=[partner],
            channels=fields.pop("channels", ["student_exchange", "research"]),
            title_en="Student exchange agreement with Heidelberg",
            title_zh="与海德堡大学学生交流协议",
            languages="en, zh",
            **fields,
        )
        Signatory.objects.create(agreement=agreement, side="home", name="王建", title="校长 President")
        Signatory.objects.create(
            agreement=agreement,
            side="partner",
            partner=partner,
            name="Klaus Weber",
            title="Rector",
            signed_on=datetime.date(2026, 6, 15),
        )
        return agreement

    return make


@pytest.fixture
def agreement(make_agreement):
    return make_agreement()


@pytest.fixture
def signed_agreement(make_agreement):
    return make_agreement(state="active")
