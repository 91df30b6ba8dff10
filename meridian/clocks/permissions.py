"""Who may see and act on deadline clocks: the one place that decides it.

- The office (administrators, officers, leadership) sees every obligation; coordinators see those of the units
  they coordinate and their descendants. (A person's own clocks show on the pages of their cases.)
- Administrators and officers waive any open obligation; a coordinator waives those of their units;
  leadership only reads.
- Administrators edit the site calendar and the escalation ladders; the office reads them.
"""

from __future__ import annotations

from django.db.models import Q

from meridian.accounts.permissions import (
    can_read_university,
    can_write_university,
    coordinated_unit_ids,
    is_administrator,
)


def can_view_deadlines(user) -> bool:
    """The deadlines page and its navigation entry: the office and unit coordinators."""
    return can_read_university(user) or bool(coordinated_unit_ids(user))


def obligation_visibility_filter(user) -> Q | None:
    """``None`` for every obligation, else the condition on the rows the user may see (nothing for others)."""
    if can_read_university(user):
        return None
    units = coordinated_unit_ids(user)
    if not units:
        return Q(pk__in=[])
    # Units only: a condition on one indexed column keeps counts and pages fast on 100,000 open clocks.
    return Q(unit_id__in=sorted(units))


def can_waive_obligation(user, obligation) -> bool:
    """Administrators and officers for any obligation; coordinators for those of the units they coordinate."""
    if obligation.state != "open":
        return False
    if can_write_university(user):
        return True
    return obligation.unit_id is not None and obligation.unit_id in coordinated_unit_ids(user)


def can_export_deadlines(user) -> bool:
    return can_view_deadlines(user)


def can_view_site_calendar(user) -> bool:
    return can_read_university(user)


def can_manage_site_calendar(user) -> bool:
    """Only administrators change which days are working days."""
    return is_administrator(user)


def can_manage_ladders(user) -> bool:
    """Only administrators change who is told when."""
    return is_administrator(user)
