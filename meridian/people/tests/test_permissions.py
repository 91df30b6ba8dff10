"""Role × action matrix for person records and identity documents, from one table."""

import pytest

from meridian.people import permissions
from meridian.people.models import IdentityDocument, Person

ROLES = [
    "admin", "officer", "coordinator", "other_coordinator", "staff", "student", "leadership",
    "partner_contact", "outsider",
]  # fmt: skip

# action → roles allowed on a guest of the computing department (the coordinator's reach).
MATRIX = {
    "see_person": {"admin", "officer", "coordinator", "leadership"},
    "see_documents": {"admin", "officer", "coordinator"},
    "edit_person": {"admin", "officer", "coordinator"},
    "manage_documents": {"admin", "officer", "coordinator"},
    "issue_link": {"admin", "officer", "coordinator"},
    "list_people": {"admin", "officer", "coordinator", "other_coordinator", "leadership"},
    "create_person": {"admin", "officer", "coordinator", "other_coordinator"},
    "review_access_log": {"admin"},
}


def _user(people, partner_contact, role):
    return partner_contact if role == "partner_contact" else getattr(people, role)


def _allowed(action, user, person):
    return {
        "see_person": lambda: Person.objects.visible_to(user).filter(pk=person.pk).exists(),
        "see_documents": lambda: permissions.can_view_documents(user, person),
        "edit_person": lambda: permissions.can_edit_person(user, person),
        "manage_documents": lambda: permissions.can_manage_documents(user, person),
        "issue_link": lambda: permissions.can_issue_self_service_link(user, person),
        "list_people": lambda: permissions.can_list_people(user),
        "create_person": lambda: permissions.can_create_person(user),
        "review_access_log": lambda: permissions.can_review_access_log(user),
    }[action]()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_matrix(people, partner_contact, cast, role, action):
    user = _user(people, partner_contact, role)
    assert _allowed(action, user, cast.guest) is (role in MATRIX[action])


@pytest.mark.parametrize("role", ROLES)
def test_document_visibility_filter_agrees_with_the_matrix(people, partner_contact, cast, role):
    user = _user(people, partner_contact, role)
    condition = permissions.document_visibility_filter(user)
    visible = (
        IdentityDocument.objects.all() if condition is None else IdentityDocument.objects.filter(condition)
    )
    owners = set(visible.values_list("person_id", flat=True))
    assert (cast.guest.pk in owners) is (role in {"admin", "officer", "coordinator"})
    assert (cast.humanities_guest.pk in owners) is (role in {"admin", "officer", "other_coordinator"})


def test_everyone_sees_their_own_record_and_documents_but_no_one_elses(people, cast):
    own = Person.objects.visible_to(people.staff)
    assert list(own) == [cast.staff_person]
    assert permissions.can_view_documents(people.staff, cast.staff_person)
    assert not permissions.can_edit_person(people.staff, cast.staff_person)


def test_a_linked_account_needs_no_self_service_link(people, cast):
    assert not permissions.can_issue_self_service_link(people.officer, cast.staff_person)


def test_erased_records_cannot_be_edited(people, cast):
    from django.utils import timezone

    cast.guest.purged_at = timezone.now()
    assert not permissions.can_edit_person(people.officer, cast.guest)
