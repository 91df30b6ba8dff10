"""Every role × every partner action, generated from one table."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.partners import permissions
from meridian.partners.tests.factories import PartnerFactory

ACTIONS = [
    "list", "detail", "create", "edit", "merge", "export",
    "api_list", "api_detail", "api_create", "api_update",
]  # fmt: skip

# The partner is managed by the Department of Computing (within the coordinator's School of Engineering)
# and not shown publicly.
MATRIX = {
    #                  list detail create edit merge export api_list api_detail api_create api_update
    "admin":             (200, 200, 200, 200, 200, 200, 200, 200, 201, 200),
    "officer":           (200, 200, 200, 200, 200, 200, 200, 200, 201, 200),
    "coordinator":       (200, 200, 200, 200, 403, 200, 200, 200, 201, 200),
    "other_coordinator": (200, 200, 200, 403, 403, 200, 200, 200, 201, 403),
    "staff":             (200, 200, 403, 403, 403, 200, 200, 200, 403, 403),
    "student":           (200, 404, 403, 404, 404, 403, 200, 404, 403, 404),
    "leadership":        (200, 200, 403, 403, 403, 200, 200, 200, 403, 403),
    "outsider":          (200, 404, 403, 404, 404, 403, 200, 404, 403, 404),
    "anonymous":         (302, 302, 302, 302, 302, 302, 401, 401, 401, 401),
}  # fmt: skip

CASES = [(role, action, codes[i]) for role, codes in MATRIX.items() for i, action in enumerate(ACTIONS)]


def perform(action: str, user, partner) -> int:
    client = Client()
    api = APIClient()
    if user is not None:
        client.force_login(user)
        api.force_authenticate(user)
    detail_api = f"/api/v1/partners/{partner.pk}/"
    calls = {
        "list": lambda: client.get(reverse("partners:list")),
        "detail": lambda: client.get(reverse("partners:detail", args=[partner.pk])),
        "create": lambda: client.get(reverse("partners:create")),
        "edit": lambda: client.get(reverse("partners:edit", args=[partner.pk])),
        "merge": lambda: client.get(reverse("partners:merge", args=[partner.pk])),
        "export": lambda: client.get(reverse("partners:export"), {"format": "csv"}),
        "api_list": lambda: api.get("/api/v1/partners/"),
        "api_detail": lambda: api.get(detail_api),
        "api_create": lambda: api.post("/api/v1/partners/", {"name": "New partner", "country": "DE"}),
        "api_update": lambda: api.patch(detail_api, {"city": "Mannheim", "version": 1}, format="json"),
    }
    return calls[action]().status_code


@pytest.mark.parametrize(("role", "action", "expected"), CASES, ids=[f"{r}-{a}" for r, a, _ in CASES])
def test_permission_matrix(people, org, germany, role, action, expected):
    partner = PartnerFactory(country=germany, owner_unit=org.computing, is_public=False)
    user = None if role == "anonymous" else getattr(people, role)
    assert perform(action, user, partner) == expected


def test_public_partners_are_visible_to_students(people, germany):
    partner = PartnerFactory(country=germany, is_public=True)
    assert perform("detail", people.student, partner) == 200
    assert perform("api_detail", people.student, partner) == 200
    assert perform("detail", people.outsider, partner) == 404


def test_internal_information_is_for_university_staff_only(people):
    roles = [r for r in MATRIX if r != "anonymous"]
    allowed = {r for r in roles if permissions.can_see_internal_notes(getattr(people, r))}
    assert allowed == {"admin", "officer", "coordinator", "other_coordinator", "staff", "leadership"}
