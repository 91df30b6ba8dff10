"""The agreement form's pickers: only eligible staff as coordinator (form and API), partners by search."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.accounts.choices import Role
from meridian.accounts.models import OrgUnit
from meridian.accounts.services import membership_grant, user_create
from meridian.agreements.forms import AgreementForm
from meridian.agreements.models import Agreement

pytestmark = pytest.mark.django_db


def _data(org, partner, **extra) -> dict:
    data = {
        "title_en": "Joint lab",
        "kind": "joint_lab",
        "partners": [partner.pk],
        "channels": ["joint_lab"],
        "responsible_unit": org.computing.pk,
        "start_date": "2026-09-01",
        "end_date": "2031-08-31",
    }
    data.update(extra)
    return data


def _form(people, data, instance=None) -> AgreementForm:
    return AgreementForm(data, user=people.officer, units=OrgUnit.objects.all(), instance=instance)


def test_students_leadership_and_partner_contacts_are_not_offered_as_coordinator(people, org, partner):
    contact = user_create(username="contact", email="c@partner.example", password="x" * 20)
    membership_grant(user=contact, unit=org.intl_office, role=Role.PARTNER_CONTACT)
    offered = set(_form(people, None).fields["home_coordinator"].queryset)
    assert people.staff in offered and people.coordinator in offered and people.officer in offered
    assert not offered & {people.student, people.leadership, people.outsider, contact}
    for person in (people.student, contact):
        form = _form(people, _data(org, partner, home_coordinator=person.pk))
        assert not form.is_valid()
        assert "Select a valid choice" in str(form.errors["home_coordinator"])


def test_the_coordinator_must_work_for_the_responsible_unit(people, org, partner):
    form = _form(people, _data(org, partner, home_coordinator=people.other_coordinator.pk))
    assert not form.is_valid()
    assert form.errors["home_coordinator"] == [
        "coordinator2 does not work for Department of Computing: choose a member of its staff or of the "
        "International Office."
    ]
    for person in (people.staff, people.coordinator, people.officer):
        assert _form(people, _data(org, partner, home_coordinator=person.pk)).is_valid()
    # The humanities coordinator is eligible for humanities.
    humanities = _data(
        org, partner, home_coordinator=people.other_coordinator.pk, responsible_unit=org.humanities.pk
    )
    assert _form(people, humanities).is_valid()


def test_a_coordinator_an_old_record_names_may_stay(people, org, partner, make_agreement):
    agreement = make_agreement(home_coordinator=people.student)
    kept = _form(people, _data(org, partner, home_coordinator=people.student.pk), instance=agreement)
    assert kept.is_valid(), kept.errors
    # ... but no other ineligible person may be chosen instead.
    changed = _form(people, _data(org, partner, home_coordinator=people.leadership.pk), instance=agreement)
    assert not changed.is_valid()


def test_the_form_renders_search_pickers_for_partners_and_coordinator(client, people, org, partner):
    client.force_login(people.officer)
    html = client.get(reverse("agreements:create"), {"partner": partner.pk}).content.decode()
    partners = re.search(r'<div class="picker"[^>]*data-search-url="/partners/search/"[^>]*>', html)
    assert partners and "data-multiple" in partners.group(0)
    coordinator = re.search(r'<div class="picker"[^>]*data-search-url="/accounts/people/search/"[^>]*>', html)
    assert coordinator and "data-multiple" not in coordinator.group(0)
    assert 'data-depends="{&quot;unit&quot;: &quot;responsible_unit&quot;}"' in coordinator.group(0)
    # Without JavaScript the selects still work: the partner chosen on the way in is selected.
    assert re.search(
        rf'<select name="partners"[^>]*multiple[^>]*>.*?<option value="{partner.pk}" selected>', html, re.S
    )
    assert (
        f'<option value="{people.student.pk}">'
        not in html.split('name="home_coordinator"', 1)[1].split("</select>")[0]
    )


def test_the_form_saves_what_the_pickers_chose(client, people, org, partner, other_partner):
    client.force_login(people.officer)
    data = _data(org, partner, partners=[partner.pk, other_partner.pk], home_coordinator=people.staff.pk)
    data.update({"sig-TOTAL_FORMS": "0", "sig-INITIAL_FORMS": "0"})
    response = client.post(reverse("agreements:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get()
    assert agreement.home_coordinator == people.staff
    assert set(agreement.parties.values_list("partner_id", flat=True)) == {partner.pk, other_partner.pk}


def test_the_api_refuses_a_student_as_coordinator(people, org, partner):
    api = APIClient()
    api.force_authenticate(people.officer)
    payload = {
        "title_en": "Research cooperation",
        "kind": "research",
        "partners": [partner.pk],
        "channels": ["research"],
        "responsible_unit": org.computing.pk,
        "start_date": "2026-01-01",
        "end_date": "2029-12-31",
        "home_coordinator": people.student.pk,
    }
    response = api.post("/api/v1/agreements/", payload, format="json")
    assert response.status_code == 400
    assert "home_coordinator" in str(response.json())
    payload["home_coordinator"] = people.staff.pk
    assert api.post("/api/v1/agreements/", payload, format="json").status_code == 201
