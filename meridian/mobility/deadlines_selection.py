"""Deadline clock of an offered exchange place: the student accepts or declines it by ``offer_expires_on``.

``mobility.offer_answer`` (unit: days): one clock per offered place of a call whose results are published,
due at the end of its ``offer_expires_on``, the student responsible. The daily sync (and the hourly offer
job in ``tasks_selection``) opens it and marks it met once the student answers, withdraws or the offer is
re-allocated; an offer left unanswered is marked missed when it falls due, and the job then expires it and
gives the place to the waiting list.

Default ladder (administrators change it on the deadlines pages): the student 3 days before and on the
last day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.clocks.choices import Audience
from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.sources import ClockSource, Wanted, sources
from meridian.mobility.choices import ApplicationState, CallState
from meridian.mobility.models import Application
from meridian.partners.models import Partner

OFFER_RULE = "mobility.offer_answer"
OFFER_LADDER = (
    Step(-3, "days", Audience.RESPONSIBLE),
    Step(0, "days", Audience.RESPONSIBLE),
)
MET_NOTE = "The student answered the offer, withdrew, or the place was re-allocated."


def _title(number: str, destination: Partner | None) -> Callable[[], str]:
    # The partner's name is read when the title is rendered, in that language (its Chinese name in Chinese).
    return lambda: (
        _("Accept or decline the exchange place at %(destination)s (%(number)s)")
        % {
            "destination": str(destination) if destination is not None else "",
            "number": number,
        }
    )


def wanted_offer_answers(today: date) -> Iterator[Wanted]:
    """Offered places of published calls that carry an answer deadline."""
    offers = (
        Application.objects.filter(
            state=ApplicationState.OFFERED,
            offer_expires_on__isnull=False,
            call__state__in=[CallState.PUBLISHED, CallState.FINISHED],
        )
        .select_related("student", "unit", "offered__partner")
        .order_by("offer_expires_on", "pk")
        .iterator(chunk_size=500)
    )
    for application in offers:
        destination = application.offered.partner if application.offered is not None else None
        yield Wanted(
            subject=application,
            key="",
            title=_title(application.number, destination),
            due_on=application.offer_expires_on,
            responsible=application.student,
            unit=application.unit,
        )


clock_rules.register(
    ClockRule(
        code=OFFER_RULE,
        label=gettext_lazy("Student's answer to an offered exchange place"),
        description=gettext_lazy(
            "Once the results of a call are published, each student offered a place accepts or declines "
            "it by the date on the offer; unanswered offers expire and the place goes to the waiting list. "
            "The student is reminded."
        ),
        ladder=OFFER_LADDER,
    )
)
sources.register(ClockSource(rule=OFFER_RULE, wanted=wanted_offer_answers, met_note=MET_NOTE))
