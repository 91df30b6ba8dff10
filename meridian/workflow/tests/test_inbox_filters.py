"""The inbox's choice filters offer each role only the case types (and states) it can file or see."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from meridian.workflow import selectors
from meridian.workflow.testing import partner_contact_user

INTERNAL_TYPES = {"trip", "trip_change", "long_stay", "expert_hiring", "visit", "agreement"}


def _offered(client, user, **params) -> set[str]:
    client.force_login(user)
    page = client.get(reverse("workflow:inbox"), params).content.decode()
    select = re.search(r'<select id="f-type"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, "the inbox has a case type filter"
    return set(re.findall(r'<option value="([^"]+)"', select.group(1)))


@pytest.mark.django_db
def test_student_is_offered_only_what_they_can_file_or_see(client, people):
    offered = _offered(client, people.student)
    # Students may file an official trip for themselves (travel.permissions.can_create_trip); nothing else
    # internal: no foreign expert cases, visits, agreements or long stays.
    assert not offered & (INTERNAL_TYPES - {"trip"})
    assert "trip" in offered


@pytest.mark.django_db
def test_partner_contact_is_offered_no_internal_case_type(client, org):
    offered = _offered(client, partner_contact_user(org))
    assert not offered & INTERNAL_TYPES


@pytest.mark.django_db
def test_staff_is_offered_what_they_can_file(client, people):
    offered = _offered(client, people.staff)
    assert {"trip", "visit"} <= offered
    assert "expert_hiring" not in offered


@pytest.mark.django_db
def test_officer_is_offered_the_office_case_types(client, people):
    offered = _offered(client, people.officer)
    assert {"trip", "visit"} <= offered


@pytest.mark.django_db
def test_a_case_type_the_reader_cannot_have_is_ignored_in_the_query(client, people):
    client.force_login(people.student)
    params = {"tab": "mine", "case_type": "expert_hiring", "state": "draft"}
    text = client.get(reverse("workflow:inbox"), params).content.decode()
    assert 'name="state"' not in text  # no state filter of a case type the student cannot have
    assert 'value="expert_hiring"' not in text


@pytest.mark.django_db
def test_case_types_for_anonymous_is_empty():
    from django.contrib.auth.models import AnonymousUser

    assert selectors.case_types_for(user=AnonymousUser()) == []
