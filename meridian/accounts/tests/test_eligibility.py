"""Who may be named as responsible staff, and the people picker's search endpoint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meridian.accounts.choices import Role
from meridian.accounts.selectors import eligible_staff, people_search
from meridian.accounts.services import membership_grant, user_create

pytestmark = pytest.mark.django_db


def test_staff_roles_are_eligible_and_students_leadership_outsiders_are_not(people):
    eligible = set(eligible_staff())
    assert {
        people.admin,
        people.officer,
        people.coordinator,
        people.other_coordinator,
        people.staff,
    } <= eligible
    assert people.student not in eligible
    assert people.leadership not in eligible
    assert people.outsider not in eligible


def test_a_partner_contact_is_never_eligible(org):
    contact = user_create(username="contact", email="contact@partner.example", password="x" * 20)
    membership_grant(user=contact, unit=org.intl_office, role=Role.PARTNER_CONTACT)
    assert contact not in set(eligible_staff())
    assert contact not in set(eligible_staff(unit=org.intl_office))


def test_inactive_staff_are_not_eligible(people):
    people.staff.is_active = False
    people.staff.save()
    assert people.staff not in set(eligible_staff())


def test_for_a_unit_only_its_staff_those_above_it_and_the_university_wide_roles(people, org):
    computing = set(eligible_staff(unit=org.computing))
    # Staff of the department, its school's coordinator, and the officer and administrator.
    assert {people.staff, people.coordinator, people.officer, people.admin} <= computing
    assert people.other_coordinator not in computing

    engineering = set(eligible_staff(unit=org.engineering))
    assert people.staff in engineering  # works in a department of the school
    humanities = set(eligible_staff(unit=org.humanities))
    assert people.other_coordinator in humanities
    assert people.staff not in humanities and people.coordinator not in humanities


def test_keeping_keeps_the_person_a_record_already_names(people):
    assert people.student in set(eligible_staff(keeping=people.student.pk))
    assert people.leadership not in set(eligible_staff(keeping=people.student.pk))


def test_people_search_matches_names_in_both_languages_and_the_staff_number(people):
    people.staff.display_name = "李娜 Li Na"
    people.staff.save()
    assert list(people_search(query="李娜")) == [people.staff]
    assert list(people_search(query="li na")) == [people.staff]
    assert list(people_search(query="coordinator2")) == [people.other_coordinator]
    assert list(people_search(query="")) == []
    # The student matches the text but is not eligible.
    assert list(people_search(query="student")) == []


def _search(client, user, **params):
    client.force_login(user)
    return client.get(reverse("accounts:people_search"), params)


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_only_university_staff_may_search_people(client, people, who):
    assert _search(client, getattr(people, who), q="staff").status_code == 403


def test_the_partner_contact_may_not_search_people(client, org):
    contact = user_create(username="contact", email="contact@partner.example", password="x" * 20)
    membership_grant(user=contact, unit=org.intl_office, role=Role.PARTNER_CONTACT)
    assert _search(client, contact, q="staff").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    response = client.get(reverse("accounts:people_search"), {"q": "staff"})
    assert response.status_code == 302


def test_search_answers_eligible_people_as_picker_json(client, people, org):
    people.coordinator.display_name = "王伟"
    people.coordinator.save()
    response = _search(client, people.officer, q="王伟")
    assert response.status_code == 200
    assert response.json() == {
        "results": [{"value": str(people.coordinator.pk), "label": "王伟", "detail": "coordinator"}]
    }
    # "coordinator" also matches coordinator2; the unit narrows to who works for it.
    found = _search(client, people.officer, q="coordinator", unit=org.humanities.pk).json()["results"]
    assert [r["value"] for r in found] == [str(people.other_coordinator.pk)]
    assert _search(client, people.officer, q="student").json() == {"results": []}
    # A unit id that is not a number is ignored, not an error.
    assert _search(client, people.officer, q="staff", unit="x").status_code == 200


def test_search_answers_user_names_for_fields_that_take_one_and_adds_leadership_for_posts(client, people):
    people.leadership.display_name = "Zhang Wei"
    people.leadership.save()
    by_name = _search(client, people.officer, q="staff", key="username").json()["results"]
    assert [r["value"] for r in by_name] == ["staff"]
    assert _search(client, people.officer, q="Zhang").json() == {"results": []}
    internal = _search(client, people.officer, q="Zhang", pool="internal", key="username").json()["results"]
    assert [r["value"] for r in internal] == ["leader"]
