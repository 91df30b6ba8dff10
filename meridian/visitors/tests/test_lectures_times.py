"""A lecture's time: the plausibility limits (ends after it starts, at most 14 days long, starts in the future
and within 3 years), who may change a lecture once it has started (the office only), the time range as every
page shows it (the end's date when it ends on another day), and the punctuation of the lecture and
statistics templates."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meridian.core.errors import TransitionError
from meridian.visitors.choices import LectureState
from meridian.visitors.models import Lecture
from meridian.visitors.services import lectures as services
from meridian.visitors.tests.factories import make_lecture
from meridian.visitors.tests.factories_lectures import at, file_lecture, published

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "visitors"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _started(lecture: Lecture, days: int = 3) -> Lecture:
    """``lecture`` as it stands ``days`` days after it started."""
    starts = timezone.now() - datetime.timedelta(days=days)
    Lecture.objects.filter(pk=lecture.pk).update(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    return Lecture.objects.get(pk=lecture.pk)


# --- the limits ---------------------------------------------------------------------------------------------


def test_an_end_before_the_start_says_what_to_do(org, people):
    with pytest.raises(ValidationError) as exc:
        file_lecture(org, people, starts_at=at(30, 14), ends_at=at(30, 12))
    assert exc.value.message_dict["ends_at"] == ["The lecture must end after it starts."]


def test_a_lecture_lasts_at_most_fourteen_days(org, people):
    with pytest.raises(ValidationError) as exc:
        file_lecture(org, people, starts_at=at(30), ends_at=at(30) + datetime.timedelta(days=14, minutes=1))
    assert exc.value.message_dict["ends_at"] == ["A lecture may last at most 14 days: check the end date."]
    lecture = file_lecture(org, people, starts_at=at(30), ends_at=at(30) + datetime.timedelta(days=14))
    with pytest.raises(ValidationError) as exc:
        services.lecture_update(lecture=lecture, actor=people.coordinator, ends_at=at(60))
    assert "ends_at" in exc.value.message_dict
    assert Lecture.objects.get(pk=lecture.pk).ends_at == at(44)


@pytest.mark.parametrize("actor", ["coordinator", "officer"])
def test_a_new_lecture_cannot_start_in_the_past(org, people, actor):
    with pytest.raises(ValidationError) as exc:
        file_lecture(org, people, actor=getattr(people, actor), starts_at=at(-2000), ends_at=at(-2000, 16))
    assert exc.value.message_dict["starts_at"] == ["A new lecture must start in the future."]
    assert not Lecture.objects.exists()


@pytest.mark.parametrize(
    "starts",
    [
        timezone.make_aware(datetime.datetime(9999, 1, 1, 10, 0)),
        at(3 * 366 + 2),
    ],
)
def test_a_lecture_starts_within_three_years(org, people, starts):
    with pytest.raises(ValidationError) as exc:
        file_lecture(org, people, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
    (message,) = exc.value.message_dict["starts_at"]
    assert message.startswith("A lecture must start within 3 years, by ")
    assert services.latest_start().isoformat() in message
    lecture = file_lecture(org, people, starts_at=at(3 * 365 - 2), ends_at=at(3 * 365 - 2, 16))
    with pytest.raises(ValidationError):
        services.lecture_update(lecture=lecture, actor=people.coordinator, starts_at=starts)


def test_latest_start_on_the_29th_of_february():
    assert services.latest_start(datetime.date(2028, 2, 29)) == datetime.date(2031, 2, 28)
    assert services.latest_start(datetime.date(2027, 5, 4)) == datetime.date(2030, 5, 4)


# --- changing a lecture that has started --------------------------------------------------------------------


def test_only_the_office_changes_a_lecture_that_has_started(org, people):
    lecture = _started(file_lecture(org, people))
    with pytest.raises(TransitionError) as exc:
        services.lecture_update(lecture=lecture, actor=people.coordinator, place_en="Room 9")
    assert "only the International Office" in exc.value.message
    assert Lecture.objects.get(pk=lecture.pk).place_en == "Library lecture hall"
    # The office corrects the record after the fact, keeping or correcting the past date.
    services.lecture_update(lecture=lecture, actor=people.officer, place_en="Room 9")
    earlier = lecture.starts_at - datetime.timedelta(days=1)
    updated = services.lecture_update(
        lecture=lecture,
        actor=people.officer,
        starts_at=earlier,
        ends_at=earlier + datetime.timedelta(hours=1),
    )
    assert (updated.place_en, updated.starts_at) == ("Room 9", earlier)


def test_organisers_cannot_move_a_lecture_into_the_past_but_the_office_can(org, people):
    lecture = file_lecture(org, people)
    past = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.lecture_update(
            lecture=lecture,
            actor=people.coordinator,
            starts_at=past,
            ends_at=past + datetime.timedelta(hours=1),
        )
    assert "only the International Office records past lectures" in exc.value.message_dict["starts_at"][0]
    moved = services.lecture_update(
        lecture=lecture, actor=people.officer, starts_at=past, ends_at=past + datetime.timedelta(hours=1)
    )
    assert moved.starts_at == past


def test_the_edit_page_of_a_started_lecture_is_for_the_office(client, org, people):
    lecture = _started(file_lecture(org, people))
    edit = reverse("visitors:lecture_edit", args=[lecture.pk])
    client.force_login(people.coordinator)
    response = client.get(edit, follow=True)
    assert response.redirect_chain[-1][0] == reverse("visitors:lecture_detail", args=[lecture.pk])
    page = response.content.decode()
    assert "only the International Office may change its record now" in page
    assert f'href="{edit}"' not in page
    client.force_login(people.officer)
    assert client.get(edit).status_code == 200
    assert (
        f'href="{edit}"' in client.get(reverse("visitors:lecture_detail", args=[lecture.pk])).content.decode()
    )


def test_the_form_shows_the_messages_of_the_limits(client, org, people):
    client.force_login(people.coordinator)
    starts = at(30, 14)
    data = {
        "unit": org.computing.pk,
        "speaker": "Prof. Anna Schmidt",
        "title_en": "Kept title",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place_en": "Hall A",
    }
    response = client.post(reverse("visitors:lecture_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The lecture must end after it starts." in page and "ends after it starts" not in page
    data.update(starts_at="2020-05-01T10:00", ends_at="2020-05-01T12:00")
    assert (
        "A new lecture must start in the future."
        in client.post(reverse("visitors:lecture_create"), data).content.decode()
    )
    data.update(starts_at="9999-05-01T10:00", ends_at="9999-05-01T12:00")
    response = client.post(reverse("visitors:lecture_create"), data)
    assert response.status_code == 400 and "A lecture must start within 3 years" in response.content.decode()
    assert not Lecture.objects.exists()


# --- the time range on every page ---------------------------------------------------------------------------


def _long_lecture(org) -> Lecture:
    """A published public lecture of two months, stored before the 14-day limit (as the tryout found it)."""
    lecture = make_lecture(
        unit=org.computing, state=LectureState.PUBLISHED, title_en="Long course", sequence=1
    )
    starts = at(40, 14)
    Lecture.objects.filter(pk=lecture.pk).update(starts_at=starts, ends_at=at(99, 16))
    return Lecture.objects.get(pk=lecture.pk)


def test_a_lecture_ending_on_another_day_shows_the_end_date_everywhere(client, org, people):
    lecture = _long_lecture(org)
    start, end = at(40).date().isoformat(), at(99).date().isoformat()
    expected = f"{start} 14:00 – {end} 16:00"
    public = [
        reverse("visitors_public:calendar"),
        reverse("visitors_public:lecture", args=[lecture.pk]),
    ]
    for url in public:
        assert expected in _text(client.get(url).content.decode()), url
    client.force_login(people.officer)
    staff = [
        reverse("visitors:lecture_list"),
        reverse("visitors:lecture_detail", args=[lecture.pk]),
        reverse("visitors:lecture_review", args=[lecture.pk]),
    ]
    for url in staff:
        assert expected in _text(client.get(url).content.decode()), url
    feed = client.get(reverse("visitors_public:ics")).content.decode()
    assert "DTEND:" + at(99, 16).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ") in feed


def test_a_lecture_on_one_day_shows_the_end_time_only(client, org, people):
    lecture = published(org, people, starts_at=at(30, 14), ends_at=at(30, 16))
    day = at(30).date().isoformat()
    page = _text(client.get(reverse("visitors_public:lecture", args=[lecture.pk])).content.decode())
    assert f"{day} 14:00 – 16:00" in page
    client.force_login(people.coordinator)
    page = _text(client.get(reverse("visitors:lecture_detail", args=[lecture.pk])).content.decode())
    assert f"{day} 14:00 – 16:00" in page
    assert "Prof. Anna Schmidt (Heidelberg University)" in page


def test_the_visit_panel_shows_the_time_range(client, org, people):
    from meridian.visitors.tests.factories_lectures import scholar_visit

    visit = scholar_visit(org, people, starts_in=30, days=3)
    file_lecture(org, people, visit=visit, starts_at=at(31, 9), ends_at=at(32, 11))
    client.force_login(people.staff)
    page = _text(client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode())
    assert f"{at(31).date().isoformat()} 09:00 – {at(32).date().isoformat()} 11:00" in page


# --- punctuation --------------------------------------------------------------------------------------------


def _outside_translations(source: str) -> str:
    """What a template shows besides translated strings, variables and markup."""
    source = re.sub(r"\{% blocktranslate.*?\{% endblocktranslate %\}", "", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", "", source, flags=re.S)
    return re.sub(r"<[^>]*>", "", source, flags=re.S)


@pytest.mark.parametrize(
    "path",
    sorted(
        str(p.relative_to(TEMPLATES))
        for folder in ("lectures", "public", "stats")
        for p in (TEMPLATES / folder).glob("*.html")
    ),
)
def test_templates_put_punctuation_inside_translated_strings(path):
    """A Chinese page would show "搜索:" for ``{% translate "Search" %}:``; punctuation goes in the msgid."""
    shown = _outside_translations((TEMPLATES / path).read_text())
    assert not re.findall(r"[:,.;()!?]", shown), path
