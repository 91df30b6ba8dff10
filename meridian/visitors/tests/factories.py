"""Factories of the visitors tests. ``make_visit`` builds a complete visit (guests, programme, budget)
directly in the database, in any state, without running the services (tests of moves use the services);
``make_hiring`` a foreign expert's hiring case; ``make_lecture`` a lecture."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import cast

import factory
from django.utils import timezone

from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.visitors.choices import (
    BudgetKind,
    GuestRank,
    ProgrammeKind,
    VisitCategory,
)
from meridian.visitors.models import ExpertHiring, Lecture, ProgrammeItem, Visit, VisitBudgetLine, VisitGuest

FUTURE = datetime.date.today() + datetime.timedelta(days=120)


def germany():
    return country("DE", "Germany", "德国", region_code="150", region_en="Europe", region_zh="欧洲")


class VisitFactory(factory.django.DjangoModelFactory):
    """Needs ``host_unit`` and ``host``."""

    class Meta:
        model = Visit

    number = factory.Sequence(lambda n: f"VIS-2099-{n:04d}")
    title = factory.Sequence(lambda n: f"Lecture visit {n}")
    category = VisitCategory.VISITING_SCHOLAR
    purpose = "Give two lectures on power systems and discuss a joint laboratory."
    arrive_on = FUTURE
    depart_on = FUTURE + datetime.timedelta(days=4)
    guest_organisation = "Heidelberg University"
    state = "draft"


def make_guest(visit: Visit, *, head: bool = False, rank: str = GuestRank.PROFESSOR, **person) -> VisitGuest:
    """A guest of ``visit``: a guest Person (German unless ``nationality`` is given)."""
    fields = {
        "kind": PersonKind.GUEST,
        "family_name": "Schmidt",
        "given_name": "Anna",
        "nationality": germany(),
    }
    fields.update(person)
    guest = make_person(**fields)
    return VisitGuest.objects.create(
        visit=visit, person=guest, is_head=head, rank=rank, position="Professor", order=visit.guests.count()
    )


def make_visit(*, host_unit, host, state: str = "draft", guests: int = 1, **fields) -> Visit:
    """A visit hosted by ``host`` of ``host_unit`` with ``guests`` guests (the first is the head when there
    are several), one programme item per day and a budget of one accommodation and one meals line."""
    visit = cast(Visit, VisitFactory(host_unit=host_unit, host=host, created_by=host, state=state, **fields))
    for i in range(guests):
        make_guest(visit, head=(i == 0 and guests > 1), family_name=f"Schmidt{i}" if i else "Schmidt")
    day = visit.arrive_on
    while day <= visit.depart_on:
        ProgrammeItem.objects.create(
            visit=visit,
            day=day,
            kind=ProgrammeKind.MEETING,
            title="Talks with the host school",
            place="Room 101",
        )
        day += datetime.timedelta(days=1)
    nights = max(visit.days - 1, 1)
    VisitBudgetLine.objects.create(
        visit=visit,
        kind=BudgetKind.ACCOMMODATION,
        persons=max(guests, 1),
        days=nights,
        amount=Decimal("300") * nights,
    )
    VisitBudgetLine.objects.create(
        visit=visit,
        kind=BudgetKind.MEALS,
        persons=max(guests, 1),
        days=visit.days,
        amount=Decimal("100") * visit.days,
    )
    return visit


class ExpertHiringFactory(factory.django.DjangoModelFactory):
    """Needs ``host_unit``."""

    class Meta:
        model = ExpertHiring

    number = factory.Sequence(lambda n: f"FEX-2099-{n:04d}")
    position = "Associate professor of electrical engineering"
    contract_starts_on = FUTURE
    contract_ends_on = FUTURE + datetime.timedelta(days=730)
    annual_salary = Decimal("400000")
    permit_category = "B"
    degree = "doctorate"
    experience_years = 5
    state = "need"


def make_hiring(*, host_unit, candidate: bool = True, **fields) -> ExpertHiring:
    """A hiring case of ``host_unit``, with a foreign-expert Person as candidate unless ``candidate`` is
    False."""
    if candidate and "person" not in fields:
        fields["person"] = make_person(
            kind=PersonKind.FOREIGN_EXPERT,
            family_name="Miller",
            given_name="John",
            nationality=germany(),
            birth_date=datetime.date(1985, 5, 1),
        )
    return cast(ExpertHiring, ExpertHiringFactory(host_unit=host_unit, **fields))


def make_lecture(*, unit, visit: Visit | None = None, days_ahead: int = 30, **fields) -> Lecture:
    """A lecture of ``unit`` ``days_ahead`` days from now, 90 minutes long."""
    starts = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=days_ahead
    )
    values = {
        "speaker": "Prof. Anna Schmidt",
        "speaker_affiliation": "Heidelberg University",
        "title_en": "Power systems in transition",
        "title_zh": "转型中的电力系统",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(minutes=90),
        "place_en": "Library lecture hall",
        "place_zh": "图书馆报告厅",
    }
    values.update(fields)
    return cast(Lecture, Lecture.objects.create(unit=unit, visit=visit, **values))
