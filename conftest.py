"""Fixtures shared by every app's tests: the organisational tree and one named user per role."""

from dataclasses import dataclass

import pytest

from meridian.accounts.choices import Role, UnitKind
from meridian.accounts.models import OrgUnit, User
from meridian.accounts.services import membership_grant, org_unit_create, user_create

PASSWORD = "correct horse battery staple"


@dataclass
class Org:
    university: OrgUnit
    intl_office: OrgUnit
    engineering: OrgUnit
    computing: OrgUnit  # a department under engineering
    humanities: OrgUnit


@dataclass
class People:
    admin: User
    officer: User
    coordinator: User  # coordinator of engineering (and so of computing)
    other_coordinator: User  # coordinator of humanities
    staff: User  # staff member in computing
    student: User
    leadership: User
    outsider: User  # signed in, holds no role


@pytest.fixture
def org(db) -> Org:
    uni = org_unit_create(
        kind=UnitKind.UNIVERSITY, code="uni", name_en="Meridian University", name_zh="子午线大学"
    )
    office = org_unit_create(
        kind=UnitKind.OFFICE,
        code="io",
        name_en="International Office",
        name_zh="国际合作与交流处",
        parent=uni,
        is_international_office=True,
    )
    eng = org_unit_create(
        kind=UnitKind.SCHOOL, code="eng", name_en="School of Engineering", name_zh="工程学院", parent=uni
    )
    comp = org_unit_create(
        kind=UnitKind.DEPARTMENT, code="cs", name_en="Department of Computing", name_zh="计算机系", parent=eng
    )
    hum = org_unit_create(
        kind=UnitKind.SCHOOL, code="hum", name_en="School of Humanities", name_zh="人文学院", parent=uni
    )
    return Org(university=uni, intl_office=office, engineering=eng, computing=comp, humanities=hum)


def _person(username: str, unit: OrgUnit | None, role: str | None) -> User:
    user = user_create(username=username, email=f"{username}@meridian.example", password=PASSWORD)
    if unit is not None and role is not None:
        membership_grant(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def people(org: Org) -> People:
    return People(
        admin=_person("admin", org.university, Role.ADMINISTRATOR),
        officer=_person("officer", org.intl_office, Role.OFFICER),
        coordinator=_person("coordinator", org.engineering, Role.COORDINATOR),
        other_coordinator=_person("coordinator2", org.humanities, Role.COORDINATOR),
        staff=_person("staff", org.computing, Role.STAFF),
        student=_person("student", org.computing, Role.STUDENT),
        leadership=_person("leader", org.university, Role.LEADERSHIP),
        outsider=_person("outsider", None, None),
    )


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from meridian.portal.publiccache import clear_local

    cache.clear()
    clear_local()  # the public pages' per-process copies, keyed by a stamp each test database repeats
    yield


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Load distribution keeping tests that share an expensive set-up on one worker (tests/scheduling.py)."""
    from tests.scheduling import KeepTogetherScheduling

    return KeepTogetherScheduling(config, log)
