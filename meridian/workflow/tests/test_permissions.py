"""Role × action matrices, generated from one table each with the reusable test base."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meridian.workflow.testing import ROLES, PermissionMatrix, expect_status, role_users
from meridian.workflow.tests import casetype

PAGES = PermissionMatrix(
    {
        "workflow:inbox": set(ROLES),
        "workflow:notifications": set(ROLES),
        "workflow:preferences": set(ROLES),
        "workflow:office": {"administrator", "officer"},
        "workflow:chains": {"administrator", "officer", "leadership"},
        "workflow:chain_create": {"administrator"},
        "workflow:organisation": {"administrator"},
    }
)


@pytest.mark.parametrize(("role", "action", "allowed"), PAGES.cases())
def test_workflow_pages(client, org, people, trip_type, role, action, allowed):
    client.force_login(role_users(org, people)[role])
    expect_status(client.get(reverse(action)), allowed, ok=(200,), refused=(403,))


# Who may take each move of the trip case type (the applicant is the staff member of computing).
MOVES = PermissionMatrix(
    {
        "submit": {"administrator", "officer", "coordinator", "staff"},
        "withdraw": {"administrator", "officer", "staff"},
        "approve": {"administrator", "officer"},
        "expire": set(),
    }
)
START = {"submit": "draft", "withdraw": "draft", "approve": "review", "expire": "active"}


@pytest.mark.parametrize(("role", "action", "allowed"), MOVES.cases())
def test_trip_moves(org, people, make_trip, role, action, allowed):
    users = role_users(org, people)
    trip = make_trip(unit=org.computing, applicant=users["staff"])
    trip.status = START[action]
    trip.save()
    assert getattr(trip, f"can_{action}")(users[role]) is allowed


def test_matrix_refuses_unknown_roles():
    with pytest.raises(ValueError, match="unknown roles"):
        PermissionMatrix({"view": {"dean"}})


def test_matrix_covers_every_role():
    assert len(PAGES.cases()) == len(ROLES) * 7
    assert "partner_contact" in ROLES and casetype.CODE == "test_trip"
