from datetime import date

from meridian.clocks import checks
from meridian.clocks.calendar import calendar_supported_years


def _at(monkeypatch, day: date) -> None:
    monkeypatch.setattr(checks.timezone, "localdate", lambda: day)


def test_no_warning_while_this_and_next_year_are_known(monkeypatch):
    first, last = calendar_supported_years()
    _at(monkeypatch, date(last - 1, 6, 1))
    assert checks.check_calendar_range() == []


def test_informs_when_next_year_is_beyond_the_package(monkeypatch, settings):
    from django.core.checks import INFO

    _first, last = calendar_supported_years()
    settings.CLOCKS_SITE_CALENDAR_YEARS = []
    _at(monkeypatch, date(last, 11, 30))
    messages = checks.check_calendar_range()
    assert [(m.id, m.level) for m in messages] == [("clocks.I001", INFO)]
    assert str(last + 1) in messages[0].msg


def test_warns_for_both_years_and_a_site_calendar_year_silences_one(monkeypatch, settings):
    _first, last = calendar_supported_years()
    _at(monkeypatch, date(last + 1, 1, 5))
    settings.CLOCKS_SITE_CALENDAR_YEARS = []
    assert [m.id for m in checks.check_calendar_range()] == ["clocks.W001", "clocks.I001"]
    settings.CLOCKS_SITE_CALENDAR_YEARS = [last + 1]
    messages = checks.check_calendar_range()
    assert [m.id for m in messages] == ["clocks.I001"] and str(last + 2) in messages[0].msg
