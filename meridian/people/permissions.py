"""Who may see and change person records and identity documents. Views, selectors and services ask here.

Person records: administrators, officers and leadership see everyone; a unit coordinator sees the people of
the units they coordinate (and their descendants); everybody sees their own record; staff members,
students and partner contacts see no one else.

Identity documents are sensitive personal information (PIPL art. 28): administrators and officers see all
of them, a coordinator those of people of their units, a person their own. Leadership sees people but never
their documents. Seeing a document's number in full or its scans is logged (see services.access_log_record).

Changes: administrators and officers change any record; a coordinator creates and changes records of people
of their units (and must give such a unit). The access log is reviewed by administrators only.
"""

from __future__ import annotations

from django.db.models import Q

from meridian.accounts.choices import Role
from meridian.accounts.permissions import (
    can_read_university,
    can_write_university,
    coordinated_unit_ids,
    standing,
)


def _own(user, person) -> bool:
    return bool(user.is_authenticated and person.user_id is not None and person.user_id == user.pk)


def _coordinates(user, person) -> bool:
    return person.unit_id is not None and person.unit_id in coordinated_unit_ids(user)


def person_visibility_filter(user) -> Q | None:
    """None means "everyone"; otherwise the condition on Person rows the user may see."""
    if can_read_university(user):
        return None
    condition = Q(pk__in=[])
    if not user.is_authenticated:
        return condition
    units = coordinated_unit_ids(user)
    if units:
        condition |= Q(unit_id__in=units)
    return condition | Q(user_id=user.pk)


def person_internal_ids(user):
    """Person records whose internal activity `user` reads: ``True`` for every record (administrators,
    officers, leadership), the people of the units they coordinate, or ``False`` — never through being the
    record's subject (an ``ActivityRule.internal_ids``)."""
    if can_read_university(user):
        return True
    units = coordinated_unit_ids(user) if user.is_authenticated else frozenset()
    if not units:
        return False
    from meridian.people.models import Person

    return Person.objects.filter(unit_id__in=units).values("pk")


def document_visibility_filter(user) -> Q | None:
    """Condition on IdentityDocument rows the user may see; None means all of them."""
    if can_write_university(user):
        return None
    condition = Q(pk__in=[])
    if not user.is_authenticated:
        return condition
    units = coordinated_unit_ids(user)
    if units:
        condition |= Q(person__unit_id__in=units)
    return condition | Q(person__user_id=user.pk)


def can_list_people(user) -> bool:
    """The people list is for those who see other people's records."""
    return can_read_university(user) or bool(coordinated_unit_ids(user))


def can_create_person(user) -> bool:
    return can_write_university(user) or bool(coordinated_unit_ids(user))


def can_assign_unit(user, unit_id: int | None) -> bool:
    """Officers give a person any unit or none; a coordinator only a unit they coordinate."""
    if can_write_university(user):
        return True
    return unit_id is not None and unit_id in coordinated_unit_ids(user)


def can_edit_person(user, person) -> bool:
    if person.purged_at is not None:
        return False
    return can_write_university(user) or _coordinates(user, person)


def can_view_documents(user, person) -> bool:
    """See the person's identity documents (masked), reveal a number, download a scan."""
    return can_write_university(user) or _coordinates(user, person) or _own(user, person)


def can_manage_documents(user, person) -> bool:
    """Add, change and delete identity documents and scans."""
    return can_edit_person(user, person)


def can_issue_self_service_link(user, person) -> bool:
    """A link lets a guest enter their own data; people with a sign-in account do not need one."""
    return can_edit_person(user, person) and person.user_id is None


def can_review_access_log(user) -> bool:
    return standing(user).has(Role.ADMINISTRATOR)


def can_see_own_record(user) -> bool:
    """Everyone signed in with a linked person record may read it (PIPL art. 45, right of access)."""
    return bool(user.is_authenticated and getattr(user, "person", None) is not None)


def sees_only_own_record(user) -> bool:
    """Staff members and students with a person record: their navigation offers "My personal data"."""
    return not can_list_people(user) and can_see_own_record(user)
