"""Filters of the lecture pages (staff and public), so every page shows a lecture the same way.

``{{ lecture|lecture_when }}``: its time range in local time, "2027-01-20 14:00 – 16:00", with the end's
date too when it ends on another day ("2027-01-20 14:00 – 2027-03-20 16:00"), as ``<time>`` elements.
``{{ lecture|lecture_speaker }}``: the speaker with their organisation in brackets of the page's language.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from meridian.visitors import ics
from meridian.visitors.models import Lecture

register = template.Library()


@register.filter
def lecture_when(lecture: Lecture) -> SafeString:
    start, end = ics.time_range(lecture.starts_at, lecture.ends_at)
    return format_html(
        '<time datetime="{}">{}</time> – <time datetime="{}">{}</time>',
        lecture.starts_at.isoformat(),
        start,
        lecture.ends_at.isoformat(),
        end,
    )


@register.filter
def lecture_speaker(lecture: Lecture) -> str:
    return ics.speaker_text(lecture)
