"""A reusable test base for case types: the role × action matrix and query-count checks from one table.

Usage in a case type's ``tests/test_permissions.py``::

    from meridian.workflow.testing import PermissionMatrix, role_users

    MATRIX = PermissionMatrix({
        "view":   {"administrator", "officer", "coordinator", "staff", "leadership", "partner_contact"},
        "submit": {"administrator", "officer", "coordinator"},
    })

    @pytest.mark.parametrize(("role", "action", "allowed"), MATRIX.cases())
    def test_matrix(org, people, role, action, allowed):
        user = role_users(org, people)[role]
        assert CHECKS[action](user, make_case(org)) is allowed

Every table is checked for completeness: an action must name only known roles, and ``cases()`` yields one case
per role in ``ROLES`` × action, so a new role cannot slip through untested. ``assert_flat_queries`` asserts a
list or detail page runs the same number of queries for few and for many rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create

# Every role of accounts.Role plus a signed-in person without any role.
ROLES: tuple[str, ...] = (
    Role.ADMINISTRATOR.value,
    Role.OFFICER.value,
    Role.COORDINATOR.value,
    Role.STAFF.value,
    Role.STUDENT.value,
    Role.LEADERSHIP.value,
    Role.PARTNER_CONTACT.value,
    "outsider",
)

_PEOPLE_ATTRS = {
    Role.ADMINISTRATOR.value: "admin",
    Role.OFFICER.value: "officer",
    Role.COORDINATOR.value: "coordinator",
    Role.STAFF.value: "staff",
    Role.STUDENT.value: "student",
    Role.LEADERSHIP.value: "leadership",
    "outsider": "outsider",
}


def partner_contact_user(org, *, username: str = "partner-contact"):
    """A user holding the partner-contact role (linking them to a partner record: partners' job)."""
    user = user_create(username=username, email=f"{username}@partner.example", password="x-" + username)
    membership_grant(user=user, unit=org.university, role=Role.PARTNER_CONTACT)
    return user


def role_users(org, people, *, partner_contact=None) -> dict[str, Any]:
    """One user per role in ``ROLES`` from the shared ``people`` fixture, plus a partner contact.

    Pass ``partner_contact`` to use a user your context has linked to a partner; otherwise one is created.
    """
    users = {role: getattr(people, attr) for role, attr in _PEOPLE_ATTRS.items()}
    users[Role.PARTNER_CONTACT.value] = partner_contact or partner_contact_user(org)
    return users


class PermissionMatrix:
    """A table ``{action: set of roles allowed}``; ``cases()`` expands it to every role × action."""

    def __init__(self, table: Mapping[str, Iterable[str]], *, roles: Iterable[str] = ROLES) -> None:
        self.roles = tuple(roles)
        self.table = {action: frozenset(allowed) for action, allowed in table.items()}
        for action, allowed in self.table.items():
            unknown = allowed - set(self.roles)
            if unknown:
                raise ValueError(f"{action}: unknown roles {sorted(unknown)}")

    def allowed(self, role: str, action: str) -> bool:
        return role in self.table[action]

    def cases(self) -> list[Any]:
        """``pytest.param(role, action, allowed)`` for every role × action, with readable ids."""
        return [
            pytest.param(role, action, role in allowed, id=f"{role}-{action}")
            for action, allowed in self.table.items()
            for role in self.roles
        ]


def count_queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def assert_flat_queries(
    *,
    fetch: Callable[[], Any],
    add_rows: Callable[[int], None],
    few: int = 1,
    many: int = 6,
) -> tuple[int, int]:
    """Assert ``fetch()`` (e.g. ``lambda: client.get(url)``) runs as many queries with ``many`` rows as with
    ``few``. ``add_rows(n)`` creates n more rows. Returns the two counts; fails with both in the message.
    """
    add_rows(few)
    fetch()  # warm caches (content types, sessions) so that both runs compare like with like
    small = count_queries(fetch)
    add_rows(many - few)
    large = count_queries(fetch)
    assert large == small, f"queries grew with rows: {small} for {few} rows, {large} for {many} rows"
    return small, large


def expect_status(
    response, allowed: bool, *, ok: Iterable[int] = (200, 302), refused: Iterable[int] = (403, 404)
):
    """Assert an answer matches the matrix: an ``ok`` status when allowed, a ``refused`` one otherwise."""
    codes = tuple(ok) if allowed else tuple(refused)
    assert response.status_code in codes, f"expected one of {codes}, got {response.status_code}"


class CaseTypeTests:
    """A test base that gives a case type its role × action matrix and query-count tests from one table.

    Subclass it as ``TestSomething`` in the case type's tests and fill in::

        class TestAgreementCase(CaseTypeTests):
            matrix = PermissionMatrix({"view": {...}, "submit": {...}})
            list_url = "agreements:list"                       # URL name of the list page, or "" to skip

            def make_case(self, org, people): ...              # one case, as the matrix expects it
            def attempt(self, action, user, case) -> bool: ... # True when ``user`` may do ``action``
            def detail_url(self, case) -> str: ...             # or leave to get_absolute_url()
            def add_cases(self, org, people, n): ...           # n more cases for the list page

    Generated tests: ``test_permission_matrix`` (one per role × action, the partner contact and a user with no
    role included), ``test_list_queries_do_not_grow`` and ``test_detail_queries_do_not_grow`` (the detail page
    with one and with six entries in the case's log, written with the engine's ``log_write``).
    ``viewer`` names the role whose client loads the pages (default: administrator).
    """

    matrix: PermissionMatrix
    list_url: str = ""
    viewer: str = Role.ADMINISTRATOR.value

    def make_case(self, org, people) -> Any:
        raise NotImplementedError

    def attempt(self, action: str, user, case) -> bool:
        raise NotImplementedError

    def add_cases(self, org, people, n: int) -> None:
        for _ in range(n):
            self.make_case(org, people)

    def detail_url(self, case) -> str:
        return case.get_absolute_url()

    def partner_contact(self, org, people):
        """The partner-contact user of the matrix; override to link one to a partner of your case."""
        return None

    def pytest_generate_tests(self, metafunc) -> None:
        if metafunc.function.__name__ == "test_permission_matrix":
            metafunc.parametrize(("role", "action", "allowed"), self.matrix.cases())

    def test_permission_matrix(self, org, people, role, action, allowed) -> None:
        users = role_users(org, people, partner_contact=self.partner_contact(org, people))
        case = self.make_case(org, people)
        assert self.attempt(action, users[role], case) is allowed, f"{role} {action}: expected {allowed}"

    def test_list_queries_do_not_grow(self, client, org, people) -> None:
        if not self.list_url:
            pytest.skip("this case type has no list page")
        from django.urls import reverse

        client.force_login(role_users(org, people)[self.viewer])
        url = reverse(self.list_url)
        assert_flat_queries(
            fetch=lambda: client.get(url), add_rows=lambda n: self.add_cases(org, people, n), few=1, many=6
        )

    def test_detail_queries_do_not_grow(self, client, org, people) -> None:
        from meridian.workflow.registry import case_types
        from meridian.workflow.services import log_write

        case = self.make_case(org, people)
        case_type = case_types.for_model(case)
        state = case_type.state_of(case)
        viewer = role_users(org, people)[self.viewer]
        client.force_login(viewer)
        url = self.detail_url(case)

        def add_entries(n: int) -> None:
            for i in range(n):
                log_write(
                    case=case,
                    case_type=case_type,
                    action=f"note{i}",
                    from_state=state,
                    to_state=state,
                    actor=viewer,
                    comment="entry",
                )

        assert_flat_queries(fetch=lambda: client.get(url), add_rows=add_entries, few=1, many=6)
