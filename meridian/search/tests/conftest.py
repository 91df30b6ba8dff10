import pytest

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.models import PartnerContact
from meridian.partners.tests.factories import PartnerFactory
from meridian.workflow.testing import partner_contact_user


@pytest.fixture
def records(org):
    """Two partners named "Kyoto" (one public) and an "Aurora" partner; agreements of two units."""
    kyoto_public = PartnerFactory(
        name="Kyoto University", name_en="Kyoto University", name_zh="京都大学", is_public=True
    )
    kyoto_hidden = PartnerFactory(name="Kyoto Institute of Technology", name_en="Kyoto Tech", is_public=False)
    aurora = PartnerFactory(name="Aurora Polytechnic", name_en="Aurora Polytechnic", is_public=False)
    engineering = AgreementFactory(
        responsible_unit=org.engineering,
        partners=[kyoto_public],
        number="AGR-KY-1",
        title_en="Kyoto exchange",
    )
    humanities = AgreementFactory(
        responsible_unit=org.humanities, partners=[aurora], number="AGR-KY-2", title_en="Kyoto lectures"
    )
    return {
        "kyoto_public": kyoto_public,
        "kyoto_hidden": kyoto_hidden,
        "aurora": aurora,
        "engineering": engineering,
        "humanities": humanities,
    }


@pytest.fixture
def users(org, people, records):
    contact = partner_contact_user(org)
    PartnerContact.objects.create(partner=records["aurora"], name="Ana Aurora", user=contact)
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
