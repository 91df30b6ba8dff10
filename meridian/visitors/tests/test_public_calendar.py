"""The public lecture calendar: pages in both languages (only public lectures, filters that explain bad
values, no personal data) and the iCalendar feeds read back with the icalendar library and checked against
RFC 5545's required properties."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from meridian.core.registry import PublicNavEntry, registry
from meridian.visitors.choices import LectureState
from meridian.visitors.ics import CONTENT_TYPE
from meridian.visitors.models import Lecture
from meridian.visitors.services import lectures as services
from meridian.visitors.tests.factories_lectures import at, file_lecture, published

pytestmark = pytest.mark.django_db

EVENT_PROPERTIES = (
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "URL",
    "SEQUENCE",
    "STATUS",
)


def url(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    for event in calendar.walk("VEVENT"):
        missing = [name for name in EVENT_PROPERTIES if name not in event]
        assert not missing, missing
        for name in ("DTSTART", "DTEND", "DTSTAMP"):
            assert event.decoded(name).utcoffset() == datetime.timedelta(0)
    return calendar


def events(calendar: Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def lectures(org, people):
    """A public lecture of Computing and one of Humanities, and what the calendar must not show: a draft, an
    outline under review, a rejected one, one not open to the public, and a past lecture."""
    computing = published(org, people, days=30)
    humanities = published(
        org, people, days=40, unit=org.humanities, actor=people.officer, title_en="Poetry", title_zh=""
    )
    draft = file_lecture(org, people, title_en="Draft talk")
    pending = services.lecture_submit_for_review(
        lecture=file_lecture(org, people, title_en="Pending talk"), actor=people.coordinator
    )
    rejected = services.lecture_review_decide(
        lecture=services.lecture_submit_for_review(
            lecture=file_lecture(org, people, title_en="Rejected talk"), actor=people.coordinator
        ),
        actor=people.officer,
        approve=False,
        comment="Secret reviewer comment",
    )
    internal = services.lecture_publish(
        lecture=file_lecture(org, people, title_en="Internal seminar", is_public=False),
        actor=people.coordinator,
    )
    past = published(org, people, days=30, title_en="Past talk")
    Lecture.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=20),
        ends_at=timezone.now() - datetime.timedelta(days=20, hours=-1),
    )
    return {
        "computing": computing,
        "humanities": humanities,
        "hidden": [draft, pending, rejected, internal],
        "past": past,
    }


# --- pages --------------------------------------------------------------------------------------------------


def test_the_calendar_shows_public_lectures_only(client, lectures):
    response = client.get(url("visitors_public:calendar"))
    assert response.status_code == 200
    assert [row["lecture"] for row in response.context["upcoming"]] == [
        lectures["computing"],
        lectures["humanities"],
    ]
    assert [row["lecture"] for row in response.context["past_rows"]] == [lectures["past"]]
    page = response.content.decode()
    for hidden in ("Draft talk", "Pending talk", "Rejected talk", "Internal seminar"):
        assert hidden not in page
    assert "Secret reviewer comment" not in page
    assert "1. Grids today" not in page  # the outline is for the review, not the public
    assert response["Cache-Control"] == "public, max-age=300"


def test_the_calendar_in_chinese_with_english_fallback(client, lectures):
    response = client.get(url("visitors_public:calendar", language="zh-hans"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "转型中的电力系统" in page and "图书馆报告厅" in page
    assert "Poetry" in page  # no Chinese title: the English one
    assert "人文学院" in page
    assert 'lang="zh-hans"' in page


def test_filter_by_unit_and_month(client, org, lectures):
    response = client.get(url("visitors_public:calendar"), {"unit": "hum"})
    assert [row["lecture"] for row in response.context["upcoming"]] == [lectures["humanities"]]
    assert url("visitors_public:unit_ics", "hum") in response.content.decode()
    response = client.get(url("visitors_public:calendar"), {"unit": "eng"})  # a school shows its departments'
    assert [row["lecture"] for row in response.context["upcoming"]] == [lectures["computing"]]
    month = timezone.localtime(lectures["humanities"].starts_at).strftime("%Y-%m")
    response = client.get(url("visitors_public:calendar"), {"month": month})
    shown = [row["lecture"] for row in response.context["upcoming"]]
    assert lectures["humanities"] in shown
    assert all(timezone.localtime(x.starts_at).strftime("%Y-%m") == month for x in shown)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"unit": "nope"}, "There is no unit with the code “nope”"),
        ({"month": "2027-13"}, "is not a month"),
        ({"month": "<script>"}, "is not a month"),
        ({"page": "x"}, ""),
    ],
)
def test_bad_filters_explain_themselves(client, lectures, params, message):
    response = client.get(url("visitors_public:calendar"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "<script>" not in page
    assert len(response.context["upcoming"]) == 2


def test_bad_filters_in_chinese(client, lectures):
    response = client.get(url("visitors_public:calendar", language="zh-hans"), {"month": "March"})
    assert response.status_code == 200
    assert response.context["filters"].errors


def test_a_lecture_page_in_both_languages(client, lectures):
    lecture = lectures["computing"]
    page = client.get(url("visitors_public:lecture", lecture.pk)).content.decode()
    assert (
        "Power systems in transition" in page
        and "Prof. Anna Schmidt" in page
        and "Heidelberg University" in page
    )
    assert "How grids change." in page
    assert "Grids today" not in page
    page = client.get(url("visitors_public:lecture", lecture.pk, language="zh-hans")).content.decode()
    assert "转型中的电力系统" in page and "电网如何变化。" in page


def test_lectures_not_on_the_calendar_have_no_public_page(client, lectures):
    for lecture in lectures["hidden"]:
        assert client.get(url("visitors_public:lecture", lecture.pk)).status_code == 404


def test_a_cancelled_lecture_page_says_so(client, people, lectures):
    lecture = services.lecture_cancel(lecture=lectures["computing"], actor=people.officer)
    response = client.get(url("visitors_public:lecture", lecture.pk))
    assert response.status_code == 200
    assert "This lecture is cancelled." in response.content.decode()
    calendar_page = client.get(url("visitors_public:calendar"))
    assert lecture not in [row["lecture"] for row in calendar_page.context["upcoming"]]


def test_the_public_navigation_links_the_calendar(client, lectures):
    page = client.get(url("visitors_public:calendar")).content.decode()
    link = f'<a href="{url("visitors_public:calendar")}" data-nav="lectures" aria-current="page">Lectures</a>'
    assert link in page
    directory = client.get(url("directory:list")).content.decode()
    assert f'href="{url("visitors_public:calendar")}" data-nav="lectures">' in directory
    chinese = client.get(url("directory:list", language="zh-hans")).content.decode()
    assert f'href="{url("visitors_public:calendar", language="zh-hans")}"' in chinese


def test_a_public_nav_entry_whose_page_is_missing_is_left_out(client, lectures):
    registry.public_nav.add(PublicNavEntry(key="nowhere", label="Nowhere", url_name="nowhere:page"))
    try:
        page = client.get(url("visitors_public:calendar")).content.decode()
    finally:
        registry.public_nav.remove("nowhere")
    assert "Nowhere" not in page
    assert 'data-nav="lectures"' in page


# --- feeds --------------------------------------------------------------------------------------------------


def test_the_feed_has_one_valid_event_per_public_lecture(client, settings, lectures):
    settings.SITE_URL = "https://global.meridian.example"
    response = client.get(url("visitors_public:ics"))
    calendar = parse(response)
    found = events(calendar)
    expected = {lectures["computing"], lectures["humanities"], lectures["past"]}
    assert set(found) == {f"lecture-{x.pk}@global.meridian.example" for x in expected}
    event = found[f"lecture-{lectures['computing'].pk}@global.meridian.example"]
    lecture = lectures["computing"]
    assert str(event["SUMMARY"]) == "Power systems in transition"
    assert str(event["LOCATION"]) == "Library lecture hall"
    assert "Prof. Anna Schmidt (Heidelberg University)" in str(event["DESCRIPTION"])
    assert "Grids today" not in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == lecture.starts_at
    assert event.decoded("DTEND") == lecture.ends_at
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == lecture.sequence == 1
    assert str(event["URL"]) == "http://testserver" + url("visitors_public:lecture", lecture.pk)
    assert response["Cache-Control"] == "public, max-age=900"
    assert response["ETag"]


def test_the_feed_in_chinese(client, lectures):
    calendar = parse(client.get(url("visitors_public:ics", language="zh-hans")))
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert "转型中的电力系统" in summaries and "Poetry" in summaries
    event = events(calendar)[
        next(uid for uid in events(calendar) if uid.startswith(f"lecture-{lectures['computing'].pk}@"))
    ]
    assert str(event["LOCATION"]) == "图书馆报告厅"
    assert "计算机系" in str(event["DESCRIPTION"])  # the organising unit in Chinese
    assert "电网如何变化。" in str(event["DESCRIPTION"])
    assert "/zh-hans/" in str(event["URL"])


def test_a_cancelled_lecture_stays_in_the_feed_marked_cancelled(client, people, lectures):
    before = events(parse(client.get(url("visitors_public:ics"))))
    lecture = services.lecture_cancel(lecture=lectures["computing"], actor=people.officer)
    after = events(parse(client.get(url("visitors_public:ics"))))
    uid = next(uid for uid in after if uid.startswith(f"lecture-{lecture.pk}@"))
    assert uid in before  # the UID is stable
    assert str(after[uid]["STATUS"]) == "CANCELLED"
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])


def test_unpublished_lectures_leave_the_feed(client, people, lectures):
    services.lecture_unpublish(lecture=lectures["humanities"], actor=people.officer)
    found = events(parse(client.get(url("visitors_public:ics"))))
    assert not any(uid.startswith(f"lecture-{lectures['humanities'].pk}@") for uid in found)


def test_the_unit_feed_holds_the_unit_and_the_units_below_it(client, lectures):
    engineering = events(parse(client.get(url("visitors_public:unit_ics", "eng"))))
    assert {uid.split("@")[0] for uid in engineering} == {
        f"lecture-{lectures['computing'].pk}",
        f"lecture-{lectures['past'].pk}",
    }
    humanities = events(parse(client.get(url("visitors_public:unit_ics", "hum"))))
    assert {uid.split("@")[0] for uid in humanities} == {f"lecture-{lectures['humanities'].pk}"}
    assert client.get(url("visitors_public:unit_ics", "nope")).status_code == 404


def test_an_empty_feed_is_still_a_calendar(client, db, org):
    calendar = parse(client.get(url("visitors_public:ics")))
    assert calendar.walk("VEVENT") == []


def test_the_feed_answers_conditional_requests(client, people, lectures):
    first = client.get(url("visitors_public:ics"))
    again = client.get(url("visitors_public:ics"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    services.lecture_update(lecture=lectures["computing"], actor=people.officer, place_en="Hall B")
    changed = client.get(url("visitors_public:ics"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_the_feed_takes_no_changes(client, lectures):
    assert client.post(url("visitors_public:ics")).status_code == 405


def test_a_draft_lecture_starting_soon_is_not_published_by_accident(client, org, people):
    lecture = file_lecture(org, people, days=2, starts_at=at(2), ends_at=at(2, 16))
    assert lecture.state == LectureState.DRAFT
    assert parse(client.get(url("visitors_public:ics"))).walk("VEVENT") == []


def test_pages_for_a_signed_in_reader_are_not_kept_by_shared_caches(client, people, lectures):
    client.force_login(people.staff)
    response = client.get(url("visitors_public:calendar"))
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_past_lectures_are_paged(client, org):
    from meridian.visitors.tests.factories import make_lecture

    for i in range(21):
        make_lecture(
            unit=org.computing, days_ahead=-(i + 2), state=LectureState.PUBLISHED, title_en=f"Old {i}"
        )
    response = client.get(url("visitors_public:calendar"))
    assert len(response.context["past_rows"]) == 20
    assert "Page 1 of 2" in response.content.decode()
    second = client.get(url("visitors_public:calendar"), {"page": "2"})
    assert [row["title"] for row in second.context["past_rows"]] == ["Old 20"]
