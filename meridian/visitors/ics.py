"""The iCalendar (RFC 5545) feeds of the public lecture calendar, built with the ``icalendar`` library.

One ``VEVENT`` per lecture with a stable ``UID`` (``lecture-<pk>@<site host>``), ``DTSTAMP`` (the lecture's
last change, as RFC 5545 §3.8.7.2 asks of an object without ``METHOD``), ``DTSTART``/``DTEND`` in UTC,
``SUMMARY``, ``LOCATION``, ``DESCRIPTION`` (speaker and organisation, organising unit, abstract), ``URL`` (the
lecture's public page), ``SEQUENCE`` and ``STATUS`` (``CONFIRMED``, or ``CANCELLED`` for a lecture cancelled
after it was published). Texts are in the feed's language, Chinese falling back to English. Nothing personal
beyond the speaker's name and organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from meridian.visitors.choices import LectureState
from meridian.visitors.models import Lecture

PRODID = "-//Meridian//Public lecture calendar//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def site_host() -> str:
    """The host the UIDs are scoped to (from ``SITE_URL``, so they never change with the request)."""
    return urlsplit(settings.SITE_URL).hostname or "meridian.invalid"


def lecture_uid(lecture: Lecture) -> str:
    return f"lecture-{lecture.pk}@{site_host()}"


def _pick(english: str, chinese: str, language: str) -> str:
    return chinese if chinese and language.startswith("zh") else english


def unit_name(unit, language: str) -> str:
    """An organising unit's name in ``language``."""
    return _pick(unit.name_en, unit.name_zh, language)


def lecture_texts(lecture: Lecture, language: str) -> dict[str, str]:
    """Title, place, abstract and unit of ``lecture`` in ``language`` (Chinese falls back to English)."""
    return {
        "title": _pick(lecture.title_en, lecture.title_zh, language),
        "place": _pick(lecture.place_en, lecture.place_zh, language),
        "abstract": _pick(lecture.abstract_en, lecture.abstract_zh, language),
        "unit": unit_name(lecture.unit, language),
    }


def speaker_text(lecture: Lecture) -> str:
    """The speaker with their organisation, "Anna Schmidt (Heidelberg University)" (brackets by language)."""
    if not lecture.speaker_affiliation:
        return lecture.speaker
    return _("%(speaker)s (%(organisation)s)") % {
        "speaker": lecture.speaker,
        "organisation": lecture.speaker_affiliation,
    }


def time_range(starts: datetime, ends: datetime) -> tuple[str, str]:
    """The start and end of a lecture as shown on the pages, in local time: ("2027-01-20 14:00", "16:00")
    when it ends on the day it starts, ("2027-01-20 14:00", "2027-03-20 16:00") when it ends on another
    day."""
    start, end = timezone.localtime(starts), timezone.localtime(ends)
    end_format = "%H:%M" if start.date() == end.date() else "%Y-%m-%d %H:%M"
    return start.strftime("%Y-%m-%d %H:%M"), end.strftime(end_format)


def _description(lecture: Lecture, texts: dict[str, str]) -> str:
    speaker = speaker_text(lecture)
    lines = [
        _("Speaker: %(speaker)s") % {"speaker": speaker},
        _("Organised by: %(unit)s") % {"unit": texts["unit"]},
    ]
    if lecture.state == LectureState.CANCELLED:
        lines.insert(0, _("This lecture is cancelled."))
    if texts["abstract"]:
        lines += ["", texts["abstract"]]
    return "\n".join(lines)


def lecture_event(lecture: Lecture, *, language: str, page_url: str) -> Event:
    """The ``VEVENT`` of one lecture; ``page_url`` is the absolute address of its public page."""
    texts = lecture_texts(lecture, language)
    event = Event()
    event.add("uid", lecture_uid(lecture))
    stamp = (lecture.updated_at or lecture.created_at).astimezone(UTC)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    if lecture.created_at:
        event.add("created", lecture.created_at.astimezone(UTC))
    event.add("dtstart", lecture.starts_at.astimezone(UTC))
    event.add("dtend", lecture.ends_at.astimezone(UTC))
    event.add("summary", texts["title"])
    event.add("location", texts["place"])
    event.add("description", _description(lecture, texts))
    if page_url:
        event.add("url", page_url)
    event.add("sequence", lecture.sequence)
    event.add("status", "CANCELLED" if lecture.state == LectureState.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def build_calendar(
    lectures: Iterable[Lecture], *, language: str, name: str, page_url: Callable[[Lecture], str]
) -> bytes:
    """The whole feed as bytes (UTF-8, CRLF lines folded at 75 octets by the library). ``name`` is the
    calendar's display name; ``page_url(lecture)`` gives each event's ``URL``."""
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        for lecture in lectures:
            calendar.add_component(lecture_event(lecture, language=language, page_url=page_url(lecture)))
        return calendar.to_ical()
