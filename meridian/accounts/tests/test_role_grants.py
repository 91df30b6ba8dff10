"""Role grants record who granted or revoked what, and when; only administrators grant; the admin uses the
same services."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meridian.accounts.choices import GrantAction, Role
from meridian.accounts.models import Membership, RoleGrantRecord
from meridian.accounts.services import membership_grant, membership_revoke
from meridian.core.errors import PermissionDeniedError


def test_grant_records_who_and_when(people, org):
    membership = membership_grant(
        user=people.outsider, unit=org.humanities, role=Role.STAFF, actor=people.admin, note="New lecturer"
    )
    assert membership.granted_by == people.admin and membership.granted_at is not None
    record = RoleGrantRecord.objects.get(user=people.outsider)
    assert (record.action, record.role, record.unit, record.actor, record.note) == (
        GrantAction.GRANTED,
        Role.STAFF,
        org.humanities,
        people.admin,
        "New lecturer",
    )
    assert (record.username, record.unit_name) == ("outsider", "School of Humanities")


def test_granting_twice_changes_nothing(people, org):
    first = membership_grant(user=people.outsider, unit=org.humanities, role=Role.STAFF, actor=people.admin)
    again = membership_grant(user=people.outsider, unit=org.humanities, role=Role.STAFF, actor=people.admin)
    assert again.pk == first.pk
    assert RoleGrantRecord.objects.filter(user=people.outsider).count() == 1


def test_revocation_is_recorded_and_the_record_outlives_the_grant(people, org):
    membership_grant(user=people.outsider, unit=org.humanities, role=Role.STAFF, actor=people.admin)
    assert membership_revoke(
        user=people.outsider, unit=org.humanities, role=Role.STAFF, actor=people.admin, note="Left"
    )
    assert not Membership.objects.filter(user=people.outsider).exists()
    actions = list(
        RoleGrantRecord.objects.filter(user=people.outsider)
        .order_by("at", "id")
        .values_list("action", "actor")
    )
    assert actions == [(GrantAction.GRANTED, people.admin.pk), (GrantAction.REVOKED, people.admin.pk)]
    assert not membership_revoke(
        user=people.outsider, unit=org.humanities, role=Role.STAFF, actor=people.admin
    )
    assert RoleGrantRecord.objects.filter(user=people.outsider).count() == 2


@pytest.mark.parametrize("actor", ["officer", "coordinator", "leadership", "outsider"])
def test_only_administrators_grant_and_revoke(people, org, actor):
    with pytest.raises(PermissionDeniedError):
        membership_grant(
            user=people.outsider, unit=org.humanities, role=Role.OFFICER, actor=getattr(people, actor)
        )
    with pytest.raises(PermissionDeniedError):
        membership_revoke(
            user=people.staff, unit=org.computing, role=Role.STAFF, actor=getattr(people, actor)
        )
    assert not Membership.objects.filter(user=people.outsider).exists()
    assert Membership.objects.filter(user=people.staff).exists()


def test_unknown_role_is_refused(people, org):
    with pytest.raises(ValidationError):
        membership_grant(user=people.outsider, unit=org.humanities, role="dean", actor=people.admin)
    assert not RoleGrantRecord.objects.filter(user=people.outsider).exists()


class TestAdmin:
    """The admin grants and revokes through the services; it never edits a grant in place."""

    @pytest.fixture
    def admin_client(self, client, people):
        people.admin.is_staff = True
        people.admin.is_superuser = True
        people.admin.save()
        client.force_login(people.admin)
        return client

    def test_granting_in_the_admin_records_the_administrator(self, admin_client, people, org):
        response = admin_client.post(
            reverse("admin:accounts_membership_add"),
            {"user": people.outsider.pk, "unit": org.humanities.pk, "role": Role.STAFF, "note": "Visiting"},
        )
        assert response.status_code == 302
        membership = Membership.objects.get(user=people.outsider)
        assert membership.granted_by == people.admin
        assert RoleGrantRecord.objects.get(user=people.outsider).note == "Visiting"
        page = admin_client.get(reverse("admin:accounts_membership_changelist")).content.decode()
        assert "granted by" in page.lower()

    def test_revoking_in_the_admin_is_recorded(self, admin_client, people):
        membership = Membership.objects.get(user=people.staff)
        response = admin_client.post(
            reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
        assert not Membership.objects.filter(user=people.staff).exists()
        record = RoleGrantRecord.objects.get(user=people.staff, action=GrantAction.REVOKED)
        assert record.actor == people.admin

    def test_a_grant_is_not_edited_in_place(self, admin_client, people, org):
        membership = Membership.objects.get(user=people.staff)
        url = reverse("admin:accounts_membership_change", args=[membership.pk])
        admin_client.post(url, {"user": people.staff.pk, "unit": org.humanities.pk, "role": Role.OFFICER})
        membership.refresh_from_db()
        assert (membership.unit, membership.role) == (org.computing, Role.STAFF)

    def test_grant_records_are_read_only(self, admin_client, people, org):
        membership_grant(user=people.outsider, unit=org.humanities, role=Role.STAFF, actor=people.admin)
        record = RoleGrantRecord.objects.get(user=people.outsider)
        assert admin_client.get(reverse("admin:accounts_rolegrantrecord_changelist")).status_code == 200
        assert admin_client.get(reverse("admin:accounts_rolegrantrecord_add")).status_code == 403
        admin_client.post(reverse("admin:accounts_rolegrantrecord_delete", args=[record.pk]), {"post": "yes"})
        assert RoleGrantRecord.objects.filter(pk=record.pk).exists()
