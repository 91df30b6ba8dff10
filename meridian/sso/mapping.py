"""Turn what a campus provider says about someone (CAS attributes, OpenID Connect claims) into a profile.

Pure functions of the attributes and the settings: no database, so every rule is tested without a server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from meridian.sso.choices import MemberKind, Provider
from meridian.sso.conf import attribute_names

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class CampusProfile:
    """Who the provider says signed in. Empty strings mean "the provider did not say"."""

    provider: str
    subject: str
    username: str
    display_name: str
    family_name: str
    given_name: str
    email: str
    unit_code: str
    member_number: str
    kind: str  # a MemberKind value, or "" when neither attributes nor SSO_DEFAULT_KIND decide

    @property
    def name_is_chinese(self) -> bool:
        return bool(_CJK.search(self.display_name))


def _values(attributes: Mapping[str, Any], name: str) -> list[str]:
    """Every non-empty value of a (possibly multi-valued) attribute, as stripped strings."""
    if not name:
        return []
    raw = attributes.get(name)
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def _first(attributes: Mapping[str, Any], name: str) -> str:
    found = _values(attributes, name)
    return found[0] if found else ""


def _kind(*, student_number: str, staff_number: str, affiliations: list[str]) -> str:
    """Student or staff: a student number decides first, then a staff number, then the affiliation values
    (SSO_STUDENT_AFFILIATIONS before SSO_STAFF_AFFILIATIONS, case-insensitive), then SSO_DEFAULT_KIND."""
    if student_number:
        return MemberKind.STUDENT
    if staff_number:
        return MemberKind.STAFF
    folded = {a.casefold() for a in affiliations}
    if folded & {a.casefold() for a in settings.SSO_STUDENT_AFFILIATIONS}:
        return MemberKind.STUDENT
    if folded & {a.casefold() for a in settings.SSO_STAFF_AFFILIATIONS}:
        return MemberKind.STAFF
    default = settings.SSO_DEFAULT_KIND
    return default if default in MemberKind.values else ""


def map_attributes(*, provider: str, subject: str, attributes: Mapping[str, Any]) -> CampusProfile:
    """Build the profile from `attributes` with the attribute names configured for `provider`.

    `subject` is the CAS user name or the OpenID Connect ``sub``. The sign-in name is the configured
    username attribute, else the subject. The staff or student number is the configured number attribute;
    a CAS server that releases neither is taken to sign people in by that number (as campus CAS servers
    (统一身份认证) do), so the CAS user name is used. Unit codes are compared as OrgUnit codes (lower case).
    """
    names = attribute_names(provider)
    student_number = _first(attributes, names.get("student_number", ""))
    staff_number = _first(attributes, names.get("staff_number", ""))
    kind = _kind(
        student_number=student_number,
        staff_number=staff_number,
        affiliations=_values(attributes, names.get("affiliation", "")),
    )
    number = student_number or staff_number
    if not number and provider == Provider.CAS and kind:
        number = subject
    username = _first(attributes, names.get("username", "")) or subject
    return CampusProfile(
        provider=provider,
        subject=subject,
        username=username[:150],
        display_name=_first(attributes, names.get("name", ""))[:150],
        family_name=_first(attributes, names.get("family_name", ""))[:100],
        given_name=_first(attributes, names.get("given_name", ""))[:150],
        email=_first(attributes, names.get("email", "")).lower()[:254],
        unit_code=_first(attributes, names.get("unit", "")).lower()[:40],
        member_number=number[:40],
        kind=kind,
    )
