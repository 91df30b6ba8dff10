import pytest
from django.test import Client

from meridian.partners.tests.factories import PartnerContactFactory, PartnerFactory


@pytest.mark.parametrize(
    "path",
    [
        "/admin/partners/partner/",
        "/admin/partners/partner/{pk}/change/",
        "/admin/partners/partner/{pk}/history/",
        "/admin/partners/tag/",
        "/admin/partners/partnercontact/",
        "/admin/partners/partnerunit/",
    ],
)
def test_admin_pages_open_for_administrators(people, germany, path):
    partner = PartnerFactory(country=germany)
    PartnerContactFactory(partner=partner)
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client = Client()
    client.force_login(people.admin)
    response = client.get(path.format(pk=partner.pk))
    assert response.status_code == 200
    if "change" in path:
        assert partner.name in response.content.decode()
