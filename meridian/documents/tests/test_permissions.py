"""Role × action matrix of agreement documents: generate (per state), view, revoke, templates, batches."""

import pytest

from meridian.documents import permissions, services

pytestmark = pytest.mark.django_db

ROLES = ["admin", "officer", "coordinator", "other_coordinator", "staff", "student", "leadership", "outsider"]

# role: (generate on a draft, generate on an active agreement, view/download, revoke, edit templates, batches)
MATRIX = {
    "admin": (True, True, True, True, True, True),
    "officer": (True, True, True, True, False, True),
    "coordinator": (True, False, True, False, False, False),
    "other_coordinator": (False, False, False, False, False, False),
    "staff": (False, False, True, False, False, False),
    "student": (False, False, False, False, False, False),
    "leadership": (False, False, True, False, False, False),
    "outsider": (False, False, False, False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_matrix(people, make_agreement, role):
    user = getattr(people, role)
    draft, active = make_agreement(), make_agreement(state="active")
    document = services.document_generate(
        template_code="signature-page", subject=active, actor=people.officer
    )
    expected = MATRIX[role]
    actual = (
        permissions.can_generate(user, draft),
        permissions.can_generate(user, active),
        permissions.can_view_document(user, document),
        permissions.can_revoke_document(user, document),
        permissions.can_manage_templates(user),
        permissions.can_run_batches(user),
    )
    assert actual == expected


def test_partner_contact_never_sees_generated_documents(people, signed_agreement, partner):
    from meridian.accounts.choices import Role
    from meridian.accounts.services import membership_grant, user_create
    from meridian.partners.tests.factories import PartnerContactFactory

    contact_user = user_create(username="contact", email="c@uni-heidelberg.example", password="x" * 12)
    PartnerContactFactory(partner=partner, name="Anna", email="c@uni-heidelberg.example", user=contact_user)
    membership_grant(user=contact_user, unit=signed_agreement.responsible_unit, role=Role.PARTNER_CONTACT)
    document = services.document_generate(
        template_code="signature-page", subject=signed_agreement, actor=people.officer
    )
    assert not permissions.can_view_document(contact_user, document)
    assert not permissions.can_generate(contact_user, signed_agreement)
