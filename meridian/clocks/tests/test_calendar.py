"""Working days: the official Chinese schedule through chinesecalendar, the site's entries, the fallback."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from meridian.clocks import calendar
from meridian.clocks.choices import CalendarDayKind
from meridian.clocks.models import CalendarDay


def aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 10, 1), False),  # National Day
        (date(2025, 9, 28), True),  # Sunday worked in exchange for the National Day holiday (2025 schedule)
        (date(2025, 10, 11), True),  # Saturday worked in exchange (2025 schedule)
        (date(2026, 2, 16), False),  # Spring Festival eve, 2026 schedule
        (date(2026, 2, 14), True),  # Saturday worked in exchange for the Spring Festival (2026 schedule)
        (date(2026, 3, 2), True),  # an ordinary Monday
        (date(2026, 3, 7), False),  # an ordinary Saturday
    ],
)
def test_official_holidays_and_adjusted_working_days(day, working):
    assert calendar.is_working_day(day) is working


@pytest.mark.django_db
def test_working_days_skip_the_national_day_holiday():
    # 30 September 2025 (Tuesday) + 1 working day: 1–8 October are the holiday, 9 October is the next.
    assert calendar.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert calendar.add_working_days(date(2025, 10, 9), -1) == date(2025, 9, 30)
    # The Saturday worked in exchange counts: 10 October (Friday) + 1 is Saturday 11 October.
    assert calendar.add_working_days(date(2025, 10, 10), 1) == date(2025, 10, 11)
    assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert calendar.add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)


@pytest.mark.django_db
def test_a_site_closure_and_an_extra_working_day_override_the_package():
    CalendarDay.objects.create(date=date(2026, 3, 3), kind=CalendarDayKind.CLOSURE, name_en="Sports day")
    CalendarDay.objects.create(date=date(2026, 3, 7), kind=CalendarDayKind.WORKING, name_en="Open day")
    calendar.forget_site_calendar()
    assert calendar.is_working_day(date(2026, 3, 3)) is False
    assert calendar.is_working_day(date(2026, 3, 7)) is True
    # Monday 2 March + 1 working day skips the closed Tuesday.
    assert calendar.add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 4)
    # Friday 6 March + 1 working day is the Saturday the site works.
    assert calendar.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 7)


@pytest.mark.django_db
def test_beyond_the_package_range_weekends_and_site_entries_only():
    first, last = calendar.calendar_supported_years()
    assert first <= 2026 <= last
    beyond = last + 4
    assert not calendar.calendar_is_exact(beyond)
    new_year = date(beyond, 1, 1)
    expected = new_year.weekday() < 5  # the official holiday is unknown, only the weekend counts
    assert calendar.is_working_day(new_year) is expected
    CalendarDay.objects.create(date=new_year, kind=CalendarDayKind.CLOSURE, name_en="New Year")
    calendar.forget_site_calendar()
    assert calendar.is_working_day(new_year) is False


@pytest.mark.django_db
def test_due_from_counts_hours_calendar_days_and_working_days():
    start = aware(2025, 9, 30, 15, 30)
    assert calendar.due_from(start, 24, "hours") == aware(2025, 10, 1, 15, 30)
    assert calendar.due_from(start, 3, "days") == aware(2025, 10, 3, 15, 30)
    assert calendar.due_from(start, 1, "working_days") == aware(2025, 10, 9, 15, 30)
    with pytest.raises(ValueError, match="Unknown due unit"):
        calendar.due_from(start, 1, "weeks")


@pytest.mark.django_db
def test_ladder_steps_in_days_fall_due_at_the_start_of_the_day():
    due = calendar.day_end(date(2025, 10, 9))
    assert calendar.step_time(due, -30, "days") == aware(2025, 9, 9, 0, 0)
    assert calendar.step_time(due, -2, "working_days") == aware(2025, 9, 29, 0, 0)
    assert calendar.step_time(due, -6, "hours") == aware(2025, 10, 9, 17, 59, 59)


@pytest.mark.django_db
def test_a_site_that_closes_everything_gets_a_clear_error():
    assert calendar.add_working_days(date(2026, 3, 2), 1, site={}) == date(2026, 3, 3)
    closed = {date(2026, 3, 2).fromordinal(date(2026, 3, 2).toordinal() + i): "closure" for i in range(1, 60)}
    with pytest.raises(ValueError, match="No 1 working days"):
        calendar.add_working_days(date(2026, 3, 2), 1, site=closed)
