"""Attribute mapping rules, without a provider: the student/staff decision, numbers, names, lists."""

import pytest

from meridian.sso.mapping import map_attributes


@pytest.fixture(autouse=True)
def _names(settings):
    settings.SSO_ATTRIBUTES = {
        "cas": {
            "username": "", "name": "cn", "family_name": "", "given_name": "", "email": "mail",
            "unit": "dwdm", "staff_number": "gh", "student_number": "xh", "affiliation": "type",
        },
        "oidc": {
            "username": "preferred_username", "name": "name", "family_name": "family_name",
            "given_name": "given_name", "email": "email", "unit": "unit_code", "staff_number": "",
            "student_number": "", "affiliation": "affiliation",
        },
    }  # fmt: skip
    settings.SSO_DEFAULT_KIND = ""


@pytest.mark.parametrize(
    ("attributes", "kind", "number"),
    [
        ({"xh": "2024001"}, "student", "2024001"),
        ({"gh": "T1"}, "staff", "T1"),
        ({"xh": "2024001", "gh": "T1"}, "student", "2024001"),  # a student number decides first
        ({"type": ["member", "本科生"]}, "student", "zs"),  # multi-valued; CAS user name as the number
        ({"type": "Faculty"}, "staff", "zs"),  # case-insensitive
        ({"type": "alumni"}, "", ""),  # undecided: no kind, no number
        ({}, "", ""),
    ],
)
def test_student_or_staff(attributes, kind, number):
    profile = map_attributes(provider="cas", subject="zs", attributes=attributes)
    assert (profile.kind, profile.member_number) == (kind, number)


def test_default_kind_decides_when_nothing_else_does(settings):
    settings.SSO_DEFAULT_KIND = "staff"
    assert map_attributes(provider="cas", subject="zs", attributes={}).kind == "staff"


def test_fields_are_cleaned():
    profile = map_attributes(
        provider="cas",
        subject="2019001",
        attributes={"cn": ["  张三 "], "mail": "Zhang@Example.EDU.cn", "dwdm": "ENG", "gh": ""},
    )
    assert (profile.username, profile.display_name, profile.email, profile.unit_code) == (
        "2019001", "张三", "zhang@example.edu.cn", "eng",
    )  # fmt: skip
    assert profile.name_is_chinese


def test_oidc_takes_the_username_claim_and_no_number_from_the_subject():
    profile = map_attributes(
        provider="oidc",
        subject="a1b2",
        attributes={"preferred_username": "wang.fang", "affiliation": "student", "family_name": "Wang"},
    )
    assert (profile.username, profile.kind, profile.member_number, profile.family_name) == (
        "wang.fang", "student", "", "Wang",
    )  # fmt: skip
    assert map_attributes(provider="oidc", subject="a1b2", attributes={}).username == "a1b2"
