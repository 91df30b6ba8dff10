"""Saved column mappings: who may save, see, reuse, replace and delete them, and what a mapping may say."""

import pytest

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.imports.models import ColumnMapping
from meridian.imports.permissions import can_change_mapping, can_use_mapping
from meridian.imports.selectors import mappings_for
from meridian.imports.services import mapping_check, mapping_delete, mapping_named, mapping_save

pytestmark = pytest.mark.django_db

ERASMUS = {"Hochschule": "name", "Land": "country", "Bemerkung": ""}


@pytest.fixture
def second_officer(org):
    user = user_create(username="officer2", email="officer2@meridian.example", password="x" * 20)
    membership_grant(user=user, unit=org.intl_office, role=Role.OFFICER)
    return user


def test_saved_mapping_is_shared_by_everyone_who_may_import_its_kind(people, second_officer):
    saved = mapping_save(actor=people.officer, kind="partners", name="  Erasmus   export ", mapping=ERASMUS)
    assert (saved.name, saved.kind, saved.mapping, saved.owner) == (
        "Erasmus export",
        "partners",
        ERASMUS,
        people.officer,
    )
    for user in (people.officer, second_officer, people.admin):
        assert list(mappings_for(user=user)) == [saved] and can_use_mapping(user, saved)
    assert list(mappings_for(user=people.officer, kind="agreements")) == []
    for user in (people.coordinator, people.staff, people.leadership, people.student, people.outsider):
        assert list(mappings_for(user=user)) == [] and not can_use_mapping(user, saved)
    assert mapping_named(actor=second_officer, kind="partners", name="Erasmus export") == saved


def test_only_importers_save_mappings(people):
    for user in (people.coordinator, people.leadership, people.outsider):
        with pytest.raises(PermissionDeniedError):
            mapping_save(actor=user, kind="partners", name="Mine", mapping=ERASMUS)
    assert ColumnMapping.objects.count() == 0


def test_a_name_is_unique_per_kind_and_replaced_only_by_its_owner_or_an_administrator(people, second_officer):
    saved = mapping_save(actor=people.officer, kind="partners", name="Office list", mapping=ERASMUS)
    replaced = mapping_save(
        actor=people.officer, kind="partners", name="Office list", mapping={"Nom": "name"}
    )
    assert replaced.pk == saved.pk and replaced.mapping == {"Nom": "name"}
    with pytest.raises(DomainError, match="already exists"):
        mapping_save(actor=second_officer, kind="partners", name="Office list", mapping=ERASMUS)
    by_admin = mapping_save(actor=people.admin, kind="partners", name="Office list", mapping=ERASMUS)
    assert by_admin.pk == saved.pk and by_admin.mapping == ERASMUS and by_admin.owner == people.officer
    # The same name for another kind is another mapping.
    other = mapping_save(
        actor=second_officer, kind="agreements", name="Office list", mapping={"Titel": "title_en"}
    )
    assert other.pk != saved.pk and ColumnMapping.objects.count() == 2


def test_a_mapping_names_fields_of_its_kind_once_each(people):
    with pytest.raises(DomainError, match="Unknown field in the column mapping: founded"):
        mapping_check(kind="partners", mapping={"Gründung": "founded"})
    with pytest.raises(DomainError, match="same field: name"):
        mapping_check(kind="partners", mapping={"Name": "name", "Hochschule": "name"})
    with pytest.raises(DomainError, match="Give the mapping a name"):
        mapping_save(actor=people.officer, kind="partners", name="   ", mapping=ERASMUS)
    with pytest.raises(DomainError, match="longer than 100"):
        mapping_save(actor=people.officer, kind="partners", name="x" * 101, mapping=ERASMUS)
    with pytest.raises(DomainError, match="maps no column"):
        mapping_save(actor=people.officer, kind="partners", name="Nothing", mapping={"Notizen": ""})
    mapping_check(kind="partners", mapping={"Name": "name", "Notizen": "", "Bemerkung": ""})


def test_delete_by_owner_or_administrator_only(people, second_officer):
    saved = mapping_save(actor=people.officer, kind="partners", name="Office list", mapping=ERASMUS)
    assert can_change_mapping(people.officer, saved) and can_change_mapping(people.admin, saved)
    assert not can_change_mapping(second_officer, saved) and not can_change_mapping(people.coordinator, saved)
    with pytest.raises(PermissionDeniedError):
        mapping_delete(actor=second_officer, mapping=saved)
    mapping_delete(actor=people.admin, mapping=saved)
    assert ColumnMapping.objects.count() == 0


def test_an_unknown_name_lists_the_saved_ones(people):
    with pytest.raises(DomainError, match="none is saved yet"):
        mapping_named(actor=people.officer, kind="partners", name="Erasmus")
    mapping_save(actor=people.officer, kind="partners", name="Office list", mapping=ERASMUS)
    mapping_save(actor=people.officer, kind="partners", name="DAAD export", mapping=ERASMUS)
    mapping_save(
        actor=people.officer, kind="agreements", name="Agreements 2019", mapping={"Titel": "title_en"}
    )
    with pytest.raises(DomainError) as caught:
        mapping_named(actor=people.officer, kind="partners", name="Erasmus")
    assert (
        caught.value.message == "No saved mapping called “Erasmus”. Saved mappings: DAAD export, Office list"
    )
