"""Helpers of the lecture tests: a visiting scholar's visit hosted by the ``staff`` member of Computing, and
lectures filed through the services (so their review due dates are set as in real use)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.reference.tests.factories import country
from meridian.visitors.models import Lecture, Visit
from meridian.visitors.services import lectures as services
from meridian.visitors.tests.factories import make_guest, make_visit


def at(days: int, hour: int = 14) -> datetime.datetime:
    """An aware local time ``days`` days from today at ``hour``:00."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def scholar_visit(org, people, *, starts_in: int = 30, days: int = 5, **fields: Any) -> Visit:
    """An approved visit of one German professor to Computing, hosted by ``people.staff``."""
    arrive = timezone.localdate() + datetime.timedelta(days=starts_in)
    return make_visit(
        host_unit=org.computing,
        host=people.staff,
        state="approved",
        arrive_on=arrive,
        depart_on=arrive + datetime.timedelta(days=days - 1),
        **fields,
    )


def file_lecture(org, people, *, days: int = 30, actor=None, unit=None, **fields: Any) -> Lecture:
    """A draft public lecture of Computing ``days`` days from now, filed by its coordinator."""
    values: dict[str, Any] = {
        "speaker": "Prof. Anna Schmidt",
        "speaker_affiliation": "Heidelberg University",
        "title_en": "Power systems in transition",
        "title_zh": "转型中的电力系统",
        "starts_at": at(days),
        "ends_at": at(days) + datetime.timedelta(minutes=90),
        "place_en": "Library lecture hall",
        "place_zh": "图书馆报告厅",
        "abstract_en": "How grids change.",
        "abstract_zh": "电网如何变化。",
        "outline": "1. Grids today. 2. Storage. 3. Markets.",
    }
    values.update(fields)
    return services.lecture_create(actor=actor or people.coordinator, unit=unit or org.computing, **values)


def approved(lecture: Lecture, people, *, actor=None) -> Lecture:
    """``lecture`` submitted (by ``actor``, default the coordinator) and approved by the officer."""
    lecture = services.lecture_submit_for_review(lecture=lecture, actor=actor or people.coordinator)
    return services.lecture_review_decide(lecture=lecture, actor=people.officer, approve=True)


def published(org, people, *, actor=None, **fields: Any) -> Lecture:
    """A public lecture, filed and published by ``actor`` (default the coordinator) after the review."""
    actor = actor or people.coordinator
    lecture = approved(file_lecture(org, people, actor=actor, **fields), people, actor=actor)
    return services.lecture_publish(lecture=lecture, actor=actor)


def chinese_guest(visit: Visit):
    china = country("CN", "China", "中国", region_code="142", region_en="Asia", region_zh="亚洲")
    return make_guest(visit, family_name="Wang", given_name="Li", nationality=china)


def staff_user(org, username: str = "staff2"):
    """Another member of staff of Computing, who hosts nothing."""
    user = user_create(username=username, email=f"{username}@meridian.example", password="x-" + username)
    membership_grant(user=user, unit=org.computing, role=Role.STAFF)
    return user
