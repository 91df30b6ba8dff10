"""The Django admin shows domain records but is no second write path: agreements, partners, reference data
and portal content are read-only there, history "revert" included."""

import pytest
from django.urls import reverse

from meridian.agreements.models import Agreement
from meridian.partners.models import Partner


@pytest.fixture
def admin_client(client, people):
    people.admin.is_staff = True
    people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    return client


def test_agreement_is_viewable_but_not_changeable(admin_client, make_agreement):
    agreement = make_agreement(title_en="Original title")
    change = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    assert "Original title" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    admin_client.post(change, {"title_en": "Hacked", "number": agreement.number})
    agreement.refresh_from_db()
    assert agreement.title_en == "Original title" and agreement.version == 1
    assert admin_client.get(reverse("admin:agreements_agreement_add")).status_code == 403
    admin_client.post(reverse("admin:agreements_agreement_delete", args=[agreement.pk]), {"post": "yes"})
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_history_revert_is_refused(admin_client, people, make_agreement):
    from meridian.agreements import services

    agreement = make_agreement(title_en="First")
    services.agreement_update(agreement=agreement, actor=people.officer, title_en="Second")
    first = agreement.history.order_by("history_id").first()
    url = reverse("admin:agreements_agreement_simple_history", args=[agreement.pk, first.history_id])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"title_en": "First", "number": agreement.number})
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.title_en == "Second"


def test_partner_is_read_only(admin_client, partner):
    change = reverse("admin:partners_partner_change", args=[partner.pk])
    assert admin_client.get(change).status_code == 200
    admin_client.post(change, {"name": "Renamed", "country": "DE"})
    partner.refresh_from_db()
    assert partner.name == "Universität Heidelberg"
    assert admin_client.get(reverse("admin:partners_partner_add")).status_code == 403
    admin_client.post(reverse("admin:partners_partner_delete", args=[partner.pk]), {"post": "yes"})
    assert Partner.objects.filter(pk=partner.pk).exists()


@pytest.mark.parametrize(
    "name",
    [
        "admin:agreements_agreement_changelist",
        "admin:agreements_remindersent_changelist",
        "admin:partners_partner_changelist",
        "admin:partners_partnercontact_changelist",
        "admin:reference_country_changelist",
        "admin:reference_institution_changelist",
        "admin:portal_article_changelist",
        "admin:imports_importbatch_changelist",
    ],
)
def test_lists_stay_useful_for_reading(admin_client, make_agreement, name):
    make_agreement()
    assert admin_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "admin:partners_partnercontact_add",
        "admin:partners_tag_add",
        "admin:reference_country_add",
        "admin:reference_institution_add",
        "admin:portal_article_add",
        "admin:portal_section_add",
    ],
)
def test_no_adding_domain_records(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 403
