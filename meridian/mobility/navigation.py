"""The pages of the student-exchange section and who may use each: the section menu at the head of every
staff page (``{% mobility_section_nav %}``), the dashboard card and the main navigation read this list.
A page whose view is not installed (its URL name does not resolve) is left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from meridian.accounts.permissions import can_read_university, is_internal
from meridian.mobility import permissions


def _staff(user) -> bool:
    return is_internal(user)


def _office_or_school(user) -> bool:
    return can_read_university(user) or bool(permissions.acted_unit_ids(user))


def _conversion(user) -> bool:
    """The page's own rule: the office and the schools' coordinators and secretaries (not leadership)."""
    return permissions.can_manage_conversion_tables(user)


def _reviewer(user) -> bool:
    from meridian.mobility.models import CallReviewer

    return is_internal(user) and CallReviewer.objects.filter(user=user).exists()


@dataclass(frozen=True)
class SectionPage:
    key: str
    label: Any
    url_name: str
    visible: Callable[[Any], bool]


SECTION_PAGES: tuple[SectionPage, ...] = (
    SectionPage("calls", _("Calls"), "mobility:call_list", _staff),
    SectionPage("applications", _("Applications"), "mobility:application_list", _office_or_school),
    SectionPage("school", _("School pre-approval"), "mobility:school_queue", _office_or_school),
    SectionPage("reviews", _("My reviews"), "mobility:my_reviews", _reviewer),
    SectionPage("mobilities", _("Mobilities"), "mobility:mobility_list", _office_or_school),
    SectionPage("conditions", _("Places"), "mobility:condition_list", _staff),
    SectionPage("equivalences", _("Course equivalences"), "mobility:equivalence_list", _staff),
    SectionPage("conversion", _("Grade conversion"), "mobility:conversion_tables", _conversion),
    SectionPage("balance", _("Exchange balance"), "mobility:balance", permissions.can_see_balance),
)


@dataclass(frozen=True)
class SectionLink:
    key: str
    label: str
    url: str
    current: bool


def section_pages(user, current_url_name: str = "") -> list[SectionLink]:
    """The staff pages of the section ``user`` may use, in menu order; ``current_url_name`` marks one. Only
    the university's staff have the menu: students and partner contacts use their portals, whatever else
    their account holds (a unit post, a committee seat)."""
    if not getattr(user, "is_authenticated", False) or not is_internal(user):
        return []
    links = []
    for page in SECTION_PAGES:
        if not page.visible(user):
            continue
        try:
            url = reverse(page.url_name)
        except NoReverseMatch:
            continue
        links.append(SectionLink(page.key, str(page.label), url, page.url_name == current_url_name))
    return links
