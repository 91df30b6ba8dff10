"""Reads of visits, already restricted to what the user may see (``Visit.objects.visible_to``).

List pages run a fixed number of queries whatever the number of rows: what a row shows is joined or
prefetched here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from meridian.accounts.choices import Role
from meridian.accounts.models import OrgUnit, User
from meridian.accounts.permissions import can_write_university, standing
from meridian.accounts.selectors import eligible_staff
from meridian.agreements.models import Agreement
from meridian.clocks.models import Obligation
from meridian.people.choices import PersonKind
from meridian.people.models import Person
from meridian.people.selectors import person_search
from meridian.visitors import permissions
from meridian.visitors.choices import VisitFileKind, VisitState
from meridian.visitors.models import (
    AccommodationRegistration,
    Lecture,
    ProgrammeItem,
    Visit,
    VisitBudgetLine,
    VisitFile,
    VisitGuest,
)

# Visits still to come: approved and waiting for their guests.
UPCOMING_STATES = (VisitState.APPROVED, VisitState.INVITATION_ISSUED, VisitState.VISA_CONFIRMED)
OPEN_STATES = (
    VisitState.DRAFT,
    VisitState.UNDER_REVIEW,
    *UPCOMING_STATES,
    VisitState.ARRIVED,
    VisitState.HOSTED,
)


def _visible(user) -> QuerySet[Visit]:
    return Visit.objects.visible_to(user)


def visit_list(*, user) -> QuerySet[Visit]:
    """Visits ``user`` may see, with what a list row shows: host unit, host, the guests' organisation, and the
    guests with their person (one prefetch query per page, whatever its length)."""
    guests = VisitGuest.objects.select_related("person").only(
        "visit_id",
        "is_head",
        "order",
        "person__family_name",
        "person__given_name",
        "person__name_zh",
        "person__purged_at",
    )
    return (
        _visible(user)
        .select_related("host_unit", "host", "guest_partner", "guest_institution")
        .prefetch_related(Prefetch("guests", queryset=guests, to_attr="guest_rows"))
    )


def visit_get(*, user, pk: int) -> Visit:
    """The visit if ``user`` may see it; raises ``Visit.DoesNotExist`` otherwise (views answer 404)."""
    return (
        _visible(user)
        .select_related(
            "host_unit", "host", "created_by", "guest_partner", "guest_institution", "guest_country"
        )
        .get(pk=pk)
    )


def guest_summary(visit: Visit) -> dict[str, Any]:
    """The head (or first guest) and how many guests a list row names (needs ``visit_list``)."""
    rows = getattr(visit, "guest_rows", None)
    if rows is None:
        rows = list(visit.guests.select_related("person"))
    head = next((g for g in rows if g.is_head), rows[0] if rows else None)
    return {"head": head, "count": len(rows)}


@dataclass
class VisitDetail:
    """What the visit page shows. Guests are named with their place in the delegation only: their personal
    data (passport, CV, itinerary) is the guests panel's, for those who may see it."""

    guests: list[VisitGuest] = field(default_factory=list)
    programme: list[ProgrammeItem] = field(default_factory=list)
    budget: list[VisitBudgetLine] = field(default_factory=list)
    budget_total: Decimal = Decimal(0)
    files: list[VisitFile] = field(default_factory=list)
    photos: list[VisitFile] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    hidden_links: int = 0
    can_edit: bool = False
    can_add_file: bool = False
    can_write_note: bool = False
    can_escalate: bool = False
    deletable_files: set[int] = field(default_factory=set)
    obligations: list[Obligation] = field(default_factory=list)


def visit_obligations(visit: Visit) -> list[Obligation]:
    """The open deadline clocks of ``visit`` and of its parts, soonest due first, with the responsible person
    and unit joined: the visit's own (expected arrival), its guests' accommodation registrations
    (``visitors.accommodation_registration``/``document_registration``, whose subject is the
    ``AccommodationRegistration``) and its lectures' outline and review clocks (subject: the ``Lecture``).

    One query whatever the number of guests, registrations and lectures (the related subjects are
    subqueries). The reader's right to see them follows from seeing the visit: the titles name guests and
    lectures the visit page names anyway.
    """
    from meridian.clocks.choices import ObligationState

    types = ContentType.objects.get_for_models(Visit, AccommodationRegistration, Lecture)
    registrations = AccommodationRegistration.objects.filter(guest__visit_id=visit.pk).values("pk")
    lectures = Lecture.objects.filter(visit_id=visit.pk).values("pk")
    subjects = (
        Q(content_type=types[Visit], object_id=visit.pk)
        | Q(content_type=types[AccommodationRegistration], object_id__in=registrations)
        | Q(content_type=types[Lecture], object_id__in=lectures)
    )
    return list(
        Obligation.objects.filter(subjects, state=ObligationState.OPEN)
        .select_related("responsible", "unit")
        .order_by("due_at", "id")
    )


def visit_detail(*, user, visit: Visit) -> VisitDetail:
    """The visit page's data for ``user``; linked agreements only as far as they may see them, files only
    those ``permissions.can_see_visit_file`` gives them (visa copies: those who may see guests' data)."""
    budget = list(visit.budget_lines.all())
    files = [
        f
        for f in visit.files.select_related("uploaded_by")
        if permissions.can_see_visit_file(user, visit, f.kind)
    ]
    linked = list(visit.agreements.all())
    agreements = list(Agreement.objects.visible_to(user).filter(pk__in=[a.pk for a in linked]))
    return VisitDetail(
        guests=list(visit.guests.select_related("person", "person__nationality")),
        programme=list(visit.programme.all()),
        budget=budget,
        budget_total=sum((line.amount for line in budget), Decimal(0)),
        files=[f for f in files if f.kind != VisitFileKind.PHOTO],
        photos=[f for f in files if f.kind == VisitFileKind.PHOTO],
        agreements=agreements,
        hidden_links=len(linked) - len(agreements),
        can_edit=permissions.can_edit_visit(user, visit),
        can_add_file=permissions.can_add_visit_file(user, visit),
        can_write_note=permissions.can_write_visit_note(user, visit) and visit.state == VisitState.HOSTED,
        can_escalate=permissions.can_escalate_visit(user, visit)
        and visit.state in (VisitState.DRAFT, VisitState.UNDER_REVIEW),
        deletable_files={f.pk for f in files if permissions.can_delete_visit_file(user, f)},
        obligations=visit_obligations(visit),
    )


# --- choices of the filing form -----------------------------------------------------------------------------


def filing_units(*, user) -> QuerySet[OrgUnit]:
    """Units ``user`` may file a visit for: every unit for the office; the units a coordinator or
    foreign-affairs secretary handles; otherwise the units they belong to."""
    units = OrgUnit.objects.order_by("path")
    if can_write_university(user):
        return units
    ids = set(permissions.acted_unit_ids(user)) | set(standing(user).units(*Role.values))
    return units.filter(pk__in=ids)


def filing_hosts(*, user) -> QuerySet[User]:
    """Who may be named host: any active member of staff for the office; for a secretary the staff holding a
    role in a unit they handle, and themselves; anyone else only themselves."""
    # Staff only: never students or partner contacts (meridian.accounts.selectors.eligible_staff).
    users = eligible_staff().order_by("username")
    if can_write_university(user):
        return users
    units = permissions.acted_unit_ids(user)
    if units:
        return users.filter(Q(memberships__unit_id__in=units) | Q(pk=user.pk)).distinct()
    return users.filter(pk=user.pk)


def guest_people(*, user, visit: Visit | None = None, query: str = "") -> QuerySet[Person]:
    """People ``user`` may name as guests: guest records they may see (the office: all), the guests of visits
    they may see (returning guests), and the current guests of ``visit``. ``query`` narrows by name."""
    condition = Q(pk__in=Person.objects.visible_to(user).filter(kind=PersonKind.GUEST).values("pk"))
    condition |= Q(
        pk__in=VisitGuest.objects.filter(visit__in=_visible(user).values("pk")).values("person_id")
    )
    if visit is not None and visit.pk:
        condition |= Q(pk__in=visit.guests.values("person_id"))
    people: QuerySet[Person] = Person.objects.filter(condition, purged_at__isnull=True)
    if query:
        people = person_search(people, query)
    return people.select_related("nationality").order_by("family_name", "given_name", "pk")


def guest_matches(
    *,
    user,
    family_name: str,
    given_name: str = "",
    name_zh: str = "",
    nationality_id: str | None = None,
    birth_date: datetime.date | None = None,
    visit: Visit | None = None,
) -> list[Person]:
    """Guests on record that a new guest typed as ``family_name``/``given_name`` probably is: the same Latin
    names (case, accents and spacing ignored), and the same Chinese name, nationality (ISO code) and birth
    date wherever both sides know them. Only people ``user`` may name as guests (``guest_people``; ``user``
    None, the system: every guest record), at most 10, in name order."""
    from meridian.core.text import fold

    wanted = (fold(family_name), fold(given_name))
    if not wanted[0]:
        return []
    people: QuerySet[Person]
    if user is None:
        people = Person.objects.filter(kind=PersonKind.GUEST, purged_at__isnull=True)
    else:
        people = guest_people(user=user, visit=visit)
    # Accents are folded in Python; the database narrows by the first letter of the family name.
    first = family_name.strip()[:1]
    candidates = people.select_related("nationality")
    if first.isascii():
        candidates = candidates.filter(family_name__istartswith=first)
    found = []
    for person in candidates.order_by("family_name", "given_name", "pk"):
        if (fold(person.family_name), fold(person.given_name)) != wanted:
            continue
        if name_zh and person.name_zh and name_zh.strip() != person.name_zh:
            continue
        if nationality_id and person.nationality_id and nationality_id != person.nationality_id:
            continue
        if birth_date and person.birth_date and birth_date != person.birth_date:
            continue
        found.append(person)
        if len(found) == 10:
            break
    return found


# --- the partner page and the dashboard ---------------------------------------------------------------------


def partner_visits(*, partner, user, limit: int = 25) -> list[Visit]:
    """Visits whose guests came from ``partner`` that ``user`` may see, latest arrival first; closed visits
    carry their visit note's outcomes."""
    return list(
        _visible(user)
        .filter(guest_partner_id=partner.pk)
        .select_related("host_unit")
        .order_by("-arrive_on", "-id")[:limit]
    )


def partner_has_visits(*, partner, user) -> bool:
    return _visible(user).filter(guest_partner_id=partner.pk).exists()


def visits_awaiting(*, user) -> QuerySet[Visit]:
    """Visits whose approval step waits for ``user``'s decision."""
    from meridian.workflow.selectors import tasks_for

    ids = tasks_for(user=user).filter(approval__case_type="visit").values("approval__object_id")
    return Visit.objects.filter(pk__in=ids, state=VisitState.UNDER_REVIEW)


def visits_arriving(*, user, today: datetime.date | None = None, days: int = 7) -> QuerySet[Visit]:
    """Approved visits ``user`` may see whose guests arrive within ``days`` calendar days from ``today``
    (inclusive), earliest first."""
    today = today or timezone.localdate()
    return (
        _visible(user)
        .filter(state__in=UPCOMING_STATES, arrive_on__range=(today, today + datetime.timedelta(days=days)))
        .select_related("host_unit")
        .order_by("arrive_on", "id")
    )
