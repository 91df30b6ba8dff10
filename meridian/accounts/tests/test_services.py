import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from meridian.accounts.choices import UnitKind
from meridian.accounts.selectors import org_unit_descendants, unit_coordinators
from meridian.accounts.services import org_unit_create


def test_org_tree_paths(org):
    assert org.computing.path == f"/{org.university.pk}/{org.engineering.pk}/{org.computing.pk}/"
    assert set(org_unit_descendants(unit=org.engineering)) == {org.engineering, org.computing}


def test_unit_without_parent_must_be_the_university(db):
    with pytest.raises(ValidationError):
        org_unit_create(kind=UnitKind.SCHOOL, code="orphan", name_en="Orphan school")


def test_unit_coordinators_include_ancestors(people, org):
    assert list(unit_coordinators(unit=org.computing)) == [people.coordinator]
    assert list(unit_coordinators(unit=org.humanities)) == [people.other_coordinator]


def test_create_token_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user is called"):
        call_command("create-token", "ghost")
