"""Every role against every agreement action, generated from one table (the workflow engine's test base)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from meridian.agreements import services
from meridian.agreements.casework import AGREEMENT
from meridian.agreements.models import Agreement
from meridian.agreements.tests.conftest import pdf_bytes
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.errors import PermissionDeniedError
from meridian.partners.models import PartnerContact
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from meridian.workflow.testing import CaseTypeTests, PermissionMatrix, partner_contact_user, role_users

OFFICE = {"administrator", "officer"}
UNIT = OFFICE | {"coordinator"}  # the coordinator's school is above the agreement's department
READERS = UNIT | {"staff", "leadership", "partner_contact"}

# action: roles allowed. The agreement belongs to the computing department; the partner contact works for its
# partner. States per action are in STATES.
MATRIX = PermissionMatrix(
    {
        "submit": UNIT,
        "return": OFFICE,
        "approve": OFFICE,
        "activate": OFFICE,
        "expire": OFFICE,
        "terminate": OFFICE,
        "renew": UNIT,
        "edit": UNIT,
        "view": READERS,
        "api_view": READERS,
        "upload": UNIT,
        "download": READERS,
        "export": UNIT | {"staff", "leadership"},
    }
)
STATES = {
    "submit": "draft",
    "return": "under_review",
    "approve": "under_review",
    "activate": "approved",
    "expire": "active",
    "terminate": "active",
    "renew": "active",
    "edit": "draft",
}
MOVES = {"submit", "return", "approve", "activate", "expire", "terminate"}


@pytest.fixture
def users(org, people, partner):
    contact_user = partner_contact_user(org)
    PartnerContact.objects.create(partner=partner, name="Anna Becker", user=contact_user)
    return role_users(org, people, partner_contact=contact_user)


def _attempt(client, user, agreement, action: str) -> bool:
    """Try the action as `user` the way the product does it; True when it succeeded."""
    if action in MOVES:
        try:
            services.agreement_transition(agreement=agreement, actor=user, action=action)
        except PermissionDeniedError:
            return False
        agreement.refresh_from_db()
        return agreement.state == AGREEMENT.transition(action).target
    if action == "renew":
        try:
            services.agreement_renew(agreement=agreement, actor=user)
        except PermissionDeniedError:
            return False
        return True
    if action == "edit":
        try:
            services.agreement_update(agreement=agreement, actor=user, title_en="Changed")
        except PermissionDeniedError:
            return False
        return True
    if action == "upload":
        try:
            services.document_upload(
                agreement=agreement,
                actor=user,
                uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()),
                kind="signed",
            )
        except PermissionDeniedError:
            return False
        return True
    client.force_login(user)
    if action == "view":
        response = client.get(reverse("agreements:detail", args=[agreement.pk]))
        assert response.status_code in (200, 404)
        return response.status_code == 200
    if action == "api_view":
        response = client.get(f"/api/v1/agreements/{agreement.pk}/")
        assert response.status_code in (200, 404)
        return response.status_code == 200
    if action == "download":
        document = services.document_upload(
            agreement=agreement,
            actor=None,
            uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()),
            kind="signed",
        )
        response = client.get(reverse("agreements:document_download", args=[agreement.pk, document.pk]))
        assert response.status_code in (200, 404)
        return response.status_code == 200
    if action == "export":
        response = client.get(reverse("agreements:export"))
        assert response.status_code in (200, 403)
        return response.status_code == 200
    raise AssertionError(action)


class TestAgreementCase(CaseTypeTests):
    """The workflow engine's test base: every role × action of MATRIX, and flat query counts for the
    agreement list and the agreement page."""

    matrix = MATRIX
    list_url = "agreements:list"

    def _partner(self):
        if not hasattr(self, "partner"):
            self.partner = PartnerFactory(
                name="Universität Heidelberg", country=country("DE", "Germany", "德国", region_code="150")
            )
        return self.partner

    def partner_contact(self, org, people):
        user = partner_contact_user(org)
        PartnerContact.objects.create(partner=self._partner(), name="Anna Becker", user=user)
        return user

    def make_case(self, org, people):
        return AgreementFactory(
            responsible_unit=org.computing,
            partners=[self._partner()],
            channels=["student_exchange"],
            state="active",
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date(2024, 12, 31),
        )

    def attempt(self, action, user, case) -> bool:
        Agreement.objects.filter(pk=case.pk).update(state=STATES.get(action, "active"))
        case.refresh_from_db()
        return _attempt(Client(), user, case, action)


def test_matrix_covers_every_lifecycle_move():
    assert {t.name for t in AGREEMENT.transitions} <= set(MATRIX.table)


def test_partner_contact_sees_only_their_organisations_agreements(
    client, users, make_agreement, other_partner
):
    ours = make_agreement(state="active", title_en="With Heidelberg")
    theirs = make_agreement(state="active", partners=[other_partner], title_en="With Kyoto")
    contact = users["partner_contact"]
    client.force_login(contact)
    assert client.get(reverse("agreements:detail", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("agreements:detail", args=[ours.pk])).content.decode()
    # A partner contact reads the agreement and changes nothing: no lifecycle moves, no edit, no upload.
    assert 'id="lifecycle-actions"' not in page
    assert reverse("agreements:edit", args=[ours.pk]) not in page
    assert reverse("agreements:document_upload", args=[ours.pk]) not in page
    # The internal review (its steps, comments and the change history) stays inside the university.
    assert 'id="transitions"' not in page and 'id="activity"' not in page
    listed = client.get(reverse("agreements:list")).content.decode()
    assert "With Heidelberg" in listed and "With Kyoto" not in listed
    api = client.get("/api/v1/agreements/").json()
    assert [row["id"] for row in api["results"]] == [ours.pk]


def test_partner_contact_without_a_partner_record_sees_nothing(client, org, make_agreement):
    loose = partner_contact_user(org, username="loose-contact")
    agreement = make_agreement(state="active")
    client.force_login(loose)
    assert client.get(reverse("agreements:detail", args=[agreement.pk])).status_code == 404
