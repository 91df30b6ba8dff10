from meridian.accounts import permissions
from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, membership_revoke


def test_standing_matrix(people, org):
    table = {
        "admin": (True, True, True),
        "officer": (True, True, True),
        "leadership": (True, False, True),
        "coordinator": (False, False, True),
        "staff": (False, False, True),
        "student": (False, False, False),
        "outsider": (False, False, False),
    }
    for name, (read_all, write_all, internal) in table.items():
        user = getattr(people, name)
        assert permissions.can_read_university(user) is read_all, name
        assert permissions.can_write_university(user) is write_all, name
        assert permissions.is_internal(user) is internal, name


def test_coordinator_reach_covers_descendants_only(people, org):
    reach = permissions.coordinated_unit_ids(people.coordinator)
    assert reach == {org.engineering.pk, org.computing.pk}
    assert org.humanities.pk not in reach
    assert permissions.coordinated_unit_ids(people.staff) == frozenset()
    assert permissions.member_unit_ids(people.staff) == {org.computing.pk}


def test_superuser_counts_as_administrator(db):
    from meridian.accounts.services import user_create

    root = user_create(username="root", is_superuser=True, is_staff=True)
    assert permissions.is_administrator(root)


def test_anonymous_has_no_standing():
    from django.contrib.auth.models import AnonymousUser

    assert permissions.standing(AnonymousUser()).roles == frozenset()
    assert not permissions.is_internal(AnonymousUser())


def test_granting_and_revoking_refreshes_standing(people, org):
    user = people.outsider
    assert not permissions.is_internal(user)
    membership_grant(user=user, unit=org.humanities, role=Role.STAFF)
    assert permissions.is_internal(user)
    membership_revoke(user=user, unit=org.humanities, role=Role.STAFF)
    assert not permissions.is_internal(user)


def test_inactive_user_has_no_rights(people):
    people.officer.is_active = False
    permissions.forget_standing(people.officer)
    assert not permissions.can_write_university(people.officer)
