"""Demo-like data for the portal tests: public and non-public partners with internal details to leak."""

from dataclasses import dataclass

import pytest

from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.models import Partner, PartnerContact
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

SECRET_NOTE = "Internal note: rector is unhappy about fees"
SECRET_CONTACT = "dr.hidden.contact@partner.example"
HIDDEN_NAME = "Confidential Institute of Secrets"


@dataclass
class World:
    partners: list[Partner]
    hidden: Partner
    draft_agreement: Agreement


@pytest.fixture
def world(org) -> World:
    us = country("US", "United States", "美国", alpha3="USA")
    ru = country("RU", "Russia", "俄罗斯", alpha3="RUS")
    gb = country("GB", "United Kingdom", "英国", alpha3="GBR")
    de = country("DE", "Germany", "德国", alpha3="DEU")
    # Three in the US, two in Russia, one each elsewhere: the order of the country list is known.
    plan = [(us, True), (us, True), (us, False), (ru, True), (ru, True), (gb, True), (de, True)]
    partners = []
    for index, (where, public) in enumerate(plan):
        partner = PartnerFactory(
            country=where,
            status="prospect",
            is_public=public,
            notes=SECRET_NOTE,
            name_en=HIDDEN_NAME if not public else f"Open University {index}",
        )
        PartnerContact.objects.create(partner=partner, name="Hidden Person", email=SECRET_CONTACT)
        partners.append(partner)
    hidden = partners[2]
    unit = org.intl_office
    AgreementFactory(
        responsible_unit=unit, state="active", kind="student_exchange", partners=partners[0:2],
        channels=["student_exchange", "research"],
    )  # fmt: skip
    AgreementFactory(
        responsible_unit=unit, state="active", kind="joint_lab", partners=[hidden], channels=["joint_lab"]
    )
    AgreementFactory(
        responsible_unit=unit, state="active", kind="staff_exchange", partners=[partners[3]],
        channels=["staff_exchange"],
    )  # fmt: skip
    # Russia's second partner cooperates through an active relationship, not an agreement.
    Partner.objects.filter(pk=partners[4].pk).update(status="active")
    # A draft agreement and an expired one count for nothing.
    draft = AgreementFactory(
        responsible_unit=unit, state="draft", kind="joint_lab", partners=[partners[5]], channels=["cultural"],
        title_en="Secret draft agreement",
    )  # fmt: skip
    AgreementFactory(
        responsible_unit=unit,
        state="expired",
        kind="research",
        partners=[partners[6]],
        channels=["conference"],
    )
    return World(partners=partners, hidden=hidden, draft_agreement=draft)
