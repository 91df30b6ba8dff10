"""Every role in `people` against every agreement action, generated from one table."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.agreements import services
from meridian.agreements.tests.conftest import pdf_bytes
from meridian.core.errors import PermissionDeniedError

ROLES = ["admin", "officer", "coordinator", "other_coordinator", "staff", "student", "leadership", "outsider"]
Y, N = True, False

# action: (state of the agreement, {role: allowed}) — the agreement belongs to the computing department.
MATRIX = {
    #             admin officer coord other staff student leader outsider
    "submit": ("draft", [Y, Y, Y, N, N, N, N, N]),
    "return": ("under_review", [Y, Y, N, N, N, N, N, N]),
    "approve": ("under_review", [Y, Y, N, N, N, N, N, N]),
    "activate": ("approved", [Y, Y, N, N, N, N, N, N]),
    "expire": ("active", [Y, Y, N, N, N, N, N, N]),
    "terminate": ("active", [Y, Y, N, N, N, N, N, N]),
    "renew": ("active", [Y, Y, Y, N, N, N, N, N]),
    "edit": ("draft", [Y, Y, Y, N, N, N, N, N]),
    "view": ("active", [Y, Y, Y, N, Y, N, Y, N]),
    "upload": ("active", [Y, Y, Y, N, N, N, N, N]),
    "download": ("active", [Y, Y, Y, N, Y, N, Y, N]),
    "export": ("active", [Y, Y, Y, Y, Y, N, Y, N]),
}
CASES = [
    (action, role, allowed[i]) for action, (_, allowed) in MATRIX.items() for i, role in enumerate(ROLES)
]


def _attempt(client, user, agreement, action: str) -> bool:
    """Try the action as `user` the way the product does it; True when it succeeded."""
    if action in ("submit", "return", "approve", "activate", "expire", "terminate"):
        try:
            services.agreement_transition(agreement=agreement, actor=user, action=action)
        except PermissionDeniedError:
            return False
        agreement.refresh_from_db()
        return agreement.state == services.permissions.TRANSITIONS[action][1]
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


@pytest.mark.parametrize(("action", "role", "allowed"), CASES, ids=[f"{a}-{r}" for a, r, _ in CASES])
def test_role_against_action(client, people, make_agreement, action, role, allowed):
    state = MATRIX[action][0]
    agreement = make_agreement(
        state=state, start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2024, 12, 31)
    )
    assert _attempt(client, getattr(people, role), agreement, action) is allowed


def test_matrix_covers_every_lifecycle_action():
    assert set(services.permissions.TRANSITIONS) <= set(MATRIX)
