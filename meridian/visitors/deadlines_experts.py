"""Deadlines of foreign experts' hiring cases on the clock engine, opened and closed from the data.

The lengths are parameters of the ``experts`` rule pack (rule ``deadlines``; defaults from the work-permit
service guide, design note "Foreign experts"):

- ``visitors.expert.permit``: apply for the work permit at least 90 days (``permit_lead_days``) before the
  contract starts. Open while the case is before "permit applied" (need, candidate, qualified); met when the
  application is recorded (or the case is cancelled).
- ``visitors.expert.residence``: the residence permit within 30 days (``residence_permit_days``) of entry.
  Open while the expert has arrived without a residence permit; met when it is recorded. Its reminders
  repeat the warning that leaving China before the residence permit is issued voids the visa.
- ``visitors.expert.change``: each reported change (``ExpertChange``) is filed with the authorities within
  10 working days (``change_working_days``, Chinese public holidays and adjusted working days counted by the
  clocks calendar): due ``ExpertChange.due_on``, met when ``reported_on`` is recorded.
- ``visitors.expert.renewal``: start the renewal at least 30 days (``renewal_days``) before the contract or
  the permit ends (``ExpertHiring.permit_ends_on()``), while employed; met when the renewal starts, and
  opened afresh for the new end date once it is complete.

The responsible person is the case's member of staff (else whoever filed it); escalation goes to the host
unit's secretaries and then the International Office. The daily clock sync runs these sources; the
experts services and moves run them right after a change (``expert_clocks_sync``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.clocks.calendar import add_working_days
from meridian.clocks.choices import Audience
from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.services import SyncReport, clocks_sync
from meridian.clocks.sources import ClockSource, Wanted, sources
from meridian.core.i18n import localised
from meridian.visitors.choices import ExpertState
from meridian.visitors.models import ExpertChange, ExpertHiring

PERMIT = "visitors.expert.permit"
RESIDENCE = "visitors.expert.residence"
CHANGE = "visitors.expert.change"
RENEWAL = "visitors.expert.renewal"
RULES = (PERMIT, RESIDENCE, CHANGE, RENEWAL)

BEFORE_APPLICATION = (ExpertState.NEED, ExpertState.CANDIDATE, ExpertState.QUALIFIED)
EMPLOYED_STATES = (ExpertState.EMPLOYED, ExpertState.CHANGE_FILED)
CLOSED_STATES = (ExpertState.LEFT, ExpertState.CANCELLED)

VISA_WARNING = gettext_lazy(
    "Leaving China before the residence permit is issued voids the visa: the expert must stay until the "
    "residence permit is in hand."
)


def _days(name: str) -> int:
    from meridian.visitors.rules_experts import parameter

    return int(parameter("deadlines", name))


# --- due dates ---------------------------------------------------------------------------------------------


def permit_due(hiring: ExpertHiring, *, days: int | None = None) -> date | None:
    """The last day to apply for the work permit: the contract start minus ``permit_lead_days`` days
    (``days`` given: that many instead of reading the rule set)."""
    if hiring.contract_starts_on is None:
        return None
    lead = _days("permit_lead_days") if days is None else days
    return hiring.contract_starts_on - timedelta(days=lead)


def residence_due(hiring: ExpertHiring, *, days: int | None = None) -> date | None:
    """The last day to obtain the residence permit: entry plus ``residence_permit_days`` calendar days."""
    if hiring.entered_on is None:
        return None
    within = _days("residence_permit_days") if days is None else days
    return hiring.entered_on + timedelta(days=within)


def change_due(happened_on: date) -> date:
    """The last day to report a change that happened on ``happened_on``: ``change_working_days`` working days
    later (the day itself not counted; Chinese public holidays and adjusted working days as the clocks'
    calendar knows them, with the site's own closures)."""
    return add_working_days(happened_on, _days("change_working_days"))


def renewal_due(hiring: ExpertHiring, *, days: int | None = None) -> date | None:
    """The last day to start the renewal: the earlier of the contract's and the permit's end minus
    ``renewal_days`` days."""
    ends = hiring.permit_ends_on()
    if ends is None:
        return None
    return ends - timedelta(days=_days("renewal_days") if days is None else days)


# --- sources -----------------------------------------------------------------------------------------------


def _responsible(hiring: ExpertHiring) -> Any:
    return hiring.supervisor or hiring.created_by


def _rows(states) -> Iterator[ExpertHiring]:
    return (
        ExpertHiring.objects.filter(state__in=states)
        .select_related("supervisor", "created_by", "host_unit", "person")
        .order_by("pk")
        .iterator(chunk_size=500)
    )


def _title(template: Any, hiring: ExpertHiring):
    number = hiring.number
    return lambda: str(template) % {"number": number}


def wanted_permit(today: date) -> Iterator[Wanted]:
    """Cases before the permit application, due ``permit_lead_days`` before the contract start."""
    lead = _days("permit_lead_days")
    for hiring in _rows(BEFORE_APPLICATION):
        due = permit_due(hiring, days=lead)
        if due is None or hiring.permit_applied_on is not None:
            continue
        yield Wanted(
            subject=hiring,
            key=hiring.contract_starts_on.isoformat(),
            title=_title(gettext_lazy("Apply for the work permit of %(number)s"), hiring),
            due_on=due,
            responsible=_responsible(hiring),
            unit=hiring.host_unit,
        )


def wanted_residence(today: date) -> Iterator[Wanted]:
    """Experts who have entered China and have no residence permit yet."""
    within = _days("residence_permit_days")
    for hiring in _rows([ExpertState.ARRIVED]):
        due = residence_due(hiring, days=within)
        if due is None or hiring.residence_permit_on is not None:
            continue
        assert hiring.entered_on is not None  # residence_due() gave a date
        yield Wanted(
            subject=hiring,
            key=hiring.entered_on.isoformat(),
            title=_title(gettext_lazy("Residence permit of %(number)s"), hiring),
            due_on=due,
            responsible=_responsible(hiring),
            unit=hiring.host_unit,
        )


def wanted_changes(today: date) -> Iterator[Wanted]:
    """Each change not yet reported, of a case still open; the clock sits on the hiring case."""
    rows = (
        ExpertChange.objects.filter(reported_on__isnull=True)
        .exclude(hiring__state__in=CLOSED_STATES)
        .select_related("hiring", "hiring__supervisor", "hiring__created_by", "hiring__host_unit")
        .order_by("pk")
    )
    for change in rows.iterator(chunk_size=500):
        hiring = change.hiring
        yield Wanted(
            subject=hiring,
            key=f"change:{change.pk}",
            title=_title(gettext_lazy("Report the change of %(number)s to the authorities"), hiring),
            due_on=change.due_on,
            responsible=_responsible(hiring),
            unit=hiring.host_unit,
        )


def wanted_renewal(today: date) -> Iterator[Wanted]:
    """Employed experts: the renewal is due ``renewal_days`` before the contract or permit ends."""
    before = _days("renewal_days")
    for hiring in _rows(EMPLOYED_STATES):
        due = renewal_due(hiring, days=before)
        if due is None:
            continue
        ends = hiring.permit_ends_on()
        assert ends is not None  # renewal_due() gave a date
        yield Wanted(
            subject=hiring,
            key=ends.isoformat(),
            title=_title(gettext_lazy("Start the renewal of %(number)s"), hiring),
            due_on=due,
            responsible=_responsible(hiring),
            unit=hiring.host_unit,
        )


def expert_clocks_sync(*, today: date | None = None) -> SyncReport:
    """Open and close the four expert clocks from the data (idempotent); returns the combined report."""
    today = today or timezone.localdate()
    total = SyncReport()
    for rule in RULES:
        result = clocks_sync(today=today, rule=rule)
        total.opened += result.opened
        total.met += result.met
    return total


# --- rules and their reminders -----------------------------------------------------------------------------


def _residence_message(obligation: Any, step: Any, now: datetime):
    """Reminders of the residence-permit clock: the due date and the warning about leaving China."""
    title_en, title_zh = obligation.title, obligation.title_zh or obligation.title
    due = timezone.localtime(obligation.due_at).strftime("%Y-%m-%d")

    def subject() -> str:
        return _("Reminder: %(title)s") % {"title": localised(title_en, title_zh)}

    def body() -> str:
        first = _("%(title)s is due by %(due)s.") % {"title": localised(title_en, title_zh), "due": due}
        return f"{first}\n\n{VISA_WARNING}"

    return subject, body


def _ladder(before: int, unit_after: int, office_after: int, unit: str = "days") -> tuple[Step, ...]:
    """Remind the responsible person ``before`` ahead and on the day, the unit ``unit_after`` late, the
    office ``office_after`` late."""
    return (
        Step(-before, unit, Audience.RESPONSIBLE),
        Step(0, unit, Audience.RESPONSIBLE),
        Step(unit_after, unit, Audience.UNIT),
        Step(office_after, unit, Audience.OFFICE),
    )


clock_rules.register(
    ClockRule(
        code=PERMIT,
        label=gettext_lazy("Foreign expert: apply for the work permit"),
        description=gettext_lazy("At least three months before the contract starts."),
        ladder=_ladder(30, 0, 7),
        grace_amount=60,
        grace_unit="days",
    )
)
clock_rules.register(
    ClockRule(
        code=RESIDENCE,
        label=gettext_lazy("Foreign expert: residence permit after entry"),
        description=gettext_lazy(
            "Within 30 days of entry. Leaving China before the residence permit is issued voids the visa."
        ),
        ladder=_ladder(10, 0, 2),
        grace_amount=30,
        grace_unit="days",
        message=_residence_message,
    )
)
clock_rules.register(
    ClockRule(
        code=CHANGE,
        label=gettext_lazy("Foreign expert: report a change"),
        description=gettext_lazy("Within 10 working days of the change."),
        ladder=_ladder(3, 0, 2, "working_days"),
        grace_amount=30,
        grace_unit="days",
    )
)
clock_rules.register(
    ClockRule(
        code=RENEWAL,
        label=gettext_lazy("Foreign expert: start the renewal"),
        description=gettext_lazy("At least one month before the contract or the work permit ends."),
        ladder=_ladder(30, 0, 7),
        grace_amount=30,
        grace_unit="days",
    )
)
sources.register(
    ClockSource(rule=PERMIT, wanted=wanted_permit, met_note="The work permit application was recorded.")
)
sources.register(
    ClockSource(rule=RESIDENCE, wanted=wanted_residence, met_note="The residence permit was recorded.")
)
sources.register(
    ClockSource(rule=CHANGE, wanted=wanted_changes, met_note="The change was reported to the authorities.")
)
sources.register(
    ClockSource(rule=RENEWAL, wanted=wanted_renewal, met_note="The renewal was started or the expert left.")
)
