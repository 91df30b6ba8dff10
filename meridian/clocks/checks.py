"""System checks: warn when the holiday calendar does not know this year or the next."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils import timezone


@checks.register("clocks")
def check_calendar_range(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """clocks.W001 (this year) / clocks.I001 (next year): ``chinesecalendar`` lacks that year's schedule.

    The State Council publishes next year's schedule in the last weeks of a year, so a missing next year is
    reported as information (shown at start-up, not failing ``check --fail-level WARNING``) and a missing
    current year as a warning.

    Working-day deadlines in such a year count Monday to Friday plus the site's own entries only. Upgrade the
    package when the State Council has published the schedule, or enter the year's holidays and adjusted
    working days in the site calendar and list the year in ``CLOCKS_SITE_CALENDAR_YEARS``.
    """
    from meridian.clocks.calendar import calendar_supported_years

    first, last = calendar_supported_years()
    covered_by_site = set(getattr(settings, "CLOCKS_SITE_CALENDAR_YEARS", ()))
    year = timezone.localdate().year
    messages: list[checks.CheckMessage] = []
    for wanted in (year, year + 1):
        if first <= wanted <= last or wanted in covered_by_site:
            continue
        level = checks.Warning if wanted == year else checks.Info
        messages.append(
            level(
                f"The Chinese holiday calendar (chinesecalendar) covers {first}–{last}, not {wanted}: "
                f"working-day deadlines in {wanted} count Monday to Friday plus the site calendar only.",
                hint=(
                    "Upgrade chinesecalendar once the official schedule is published, or enter the year's "
                    "holidays and adjusted working days on the site calendar page and add the year to "
                    "CLOCKS_SITE_CALENDAR_YEARS."
                ),
                id="clocks.W001" if wanted == year else "clocks.I001",
            )
        )
    return messages
