"""Agreement deadlines on the clock engine: the renewal decision, with reminders and escalation.

An active agreement with an end date has one open "renewal decision" obligation (rule ``agreements.renewal``,
keyed by the end date) due at the end of its decision date: the end date minus the notice period when it has
one, otherwise the end date. Its default ladder reminds the agreement's coordinator at each of
``settings.REMINDER_DAYS`` (180, 90 and 30) days before, escalates to the responsible unit's coordinators at
the last of them and to the International Office a week before; administrators change it on the ladders page.

The daily job (``agreements_deadlines_sync``) works from the data, so it needs no hook in the services:
it expires active agreements past their end date (auto-renewing ones stay active and their coordinators are
told once), opens the obligation of every active agreement with a future end date, and marks met the
obligations of agreements that were renewed, terminated or expired or got a new end date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from meridian.accounts.selectors import unit_coordinators
from meridian.agreements.choices import AgreementState
from meridian.agreements.models import Agreement
from meridian.clocks import calendar
from meridian.clocks.choices import Audience
from meridian.clocks.rules import ClockRule, Step, clock_rules
from meridian.clocks.services import (
    SyncReport,
    clocks_sync,
    obligation_log_once,
    obligation_open,
    obligations_meet_for,
)
from meridian.clocks.sources import ClockSource, Wanted, sources
from meridian.core.notifications import notify
from meridian.core.registry import ScheduledJob, registry

RULE = "agreements.renewal"
EXPIRED = "expired"


def renewal_decision_date(agreement: Agreement) -> date | None:
    """The last day to decide on renewal: end date minus the notice period (days), or the end date."""
    end = agreement.end_date
    if end is None:
        return None
    return end - timedelta(days=agreement.renewal_notice_days or 0)


def _end(agreement: Agreement) -> date:
    """The end date of an agreement known to have one (every query here selects only those)."""
    end = agreement.end_date
    if end is None:
        raise ValueError(f"Agreement {agreement.number} has no end date.")
    return end


def _decision(agreement: Agreement) -> date:
    return _end(agreement) - timedelta(days=agreement.renewal_notice_days or 0)


def default_ladder() -> tuple[Step, ...]:
    """The coordinator at each REMINDER_DAYS, the unit's coordinators at the last, the office a week out."""
    days = sorted({int(d) for d in settings.REMINDER_DAYS if int(d) > 0}, reverse=True)
    steps = [Step(offset=-d, unit="days", audience=Audience.RESPONSIBLE) for d in days]
    if days:
        steps.append(Step(offset=-days[-1], unit="days", audience=Audience.UNIT))
    steps.append(Step(offset=-min(7, days[-1]) if days else -7, unit="days", audience=Audience.OFFICE))
    return tuple(steps)


def _context(agreement: Agreement, kind: str, today: date) -> dict:
    return {
        "agreement": agreement,
        "kind": kind,
        "days": None if kind == EXPIRED else (_end(agreement) - today).days,
        "url": settings.SITE_URL.rstrip("/") + agreement.get_absolute_url(),
        "university_name": settings.UNIVERSITY_NAME,
    }


def _message(agreement: Agreement, kind: str, today: date, *, escalation: bool = False):
    """(subject, body) builders rendered in whichever language notify asks for."""
    context = _context(agreement, kind, today)

    def subject() -> str:
        text = render_to_string("agreements/email/reminder_subject.txt", context).strip()
        return _("Escalation: %(subject)s") % {"subject": text} if escalation else text

    def body() -> str:
        text = render_to_string("agreements/email/reminder.txt", context).strip()
        if escalation:
            note = _(
                "You receive this as the escalation of the renewal decision: it is still open and falls due "
                "on %(date)s."
            ) % {"date": _decision(agreement).isoformat()}
            text = f"{note}\n\n{text}"
        return text

    return subject, body


def renewal_message(obligation, step, now: datetime):
    """The reminder text of the renewal clock: the agreement's own reminder e-mail, escalations marked."""
    agreement = obligation.subject
    today = timezone.localtime(now).date()
    kind = str(max((_end(agreement) - today).days, 0))
    return _message(agreement, kind, today, escalation=step.audience != Audience.RESPONSIBLE)


def _title(agreement: Agreement):
    number = agreement.number
    return lambda: _("Renewal decision for agreement %(number)s") % {"number": number}


def wanted_renewals(today: date) -> Iterator[Wanted]:
    """The renewal obligations that should be open: active agreements whose end date is today or later."""
    rows = (
        Agreement.objects.filter(state=AgreementState.ACTIVE, end_date__isnull=False, end_date__gte=today)
        .select_related("home_coordinator", "responsible_unit")
        .order_by("end_date", "pk")
    )
    for agreement in rows.iterator(chunk_size=1000):
        yield Wanted(
            subject=agreement,
            key=_end(agreement).isoformat(),
            title=_title(agreement),
            due_on=_decision(agreement),
            responsible=agreement.home_coordinator,
            unit=agreement.responsible_unit,
        )


def notice_recipients(agreement: Agreement) -> list:
    """Coordinators who reach the responsible unit, plus the agreement's own coordinator."""
    users = list(unit_coordinators(unit=agreement.responsible_unit))
    if agreement.home_coordinator is not None and agreement.home_coordinator.is_active:
        users.append(agreement.home_coordinator)
    return users


def _emails(users) -> str:
    return ", ".join(sorted({u.email.strip().lower() for u in users if u.email and u.email.strip()}))


def agreements_lapse(*, today: date, report=None) -> int:
    """Handle active agreements past their end date; returns the notices sent.

    One that does not renew automatically is expired (a lifecycle move by the system) and its coordinators are
    told. One that renews automatically stays active, and its coordinators are told once per end date that it
    renewed and that the record needs its new end date. Either way the renewal decision is met.
    """
    from meridian.agreements.services import agreement_expire

    sent = 0
    lapsed = Agreement.objects.filter(
        state=AgreementState.ACTIVE, end_date__isnull=False, end_date__lt=today
    ).order_by("end_date", "pk")
    for pk in list(lapsed.values_list("pk", flat=True)):
        with transaction.atomic():
            agreement = (
                Agreement.objects.select_for_update(of=("self",))
                .select_related("responsible_unit", "home_coordinator")
                .get(pk=pk)
            )
            end = agreement.end_date
            if agreement.state != AgreementState.ACTIVE or end is None or end >= today:
                continue
            key = end.isoformat()
            users = notice_recipients(agreement)
            if agreement.auto_renew:
                obligation = obligation_open(
                    subject=agreement,
                    rule=RULE,
                    due_at=calendar.day_end(_decision(agreement)),
                    title=_title(agreement),
                    responsible=agreement.home_coordinator,
                    unit=agreement.responsible_unit,
                    key=key,
                )
                if not obligation_log_once(
                    obligation=obligation, step_key=f"renewed-automatically:{key}", recipients=_emails(users)
                ):
                    continue
                note = "The agreement renewed automatically."
            else:
                agreement = agreement_expire(
                    agreement=agreement,
                    actor=None,
                    today=today,
                    comment=f"End date {key} has passed.",
                )
                note = "The agreement expired."
            obligations_meet_for(subject=agreement, rule=RULE, note=note)
            subject, body = _message(agreement, EXPIRED, today)
            notify(
                recipients=users,
                subject=subject,
                body=body,
                url=agreement.get_absolute_url(),
                verb="agreements.expired",
                target=agreement,
            )
        if users:
            sent += 1
        if report is not None:
            report(f"{agreement.number}: {EXPIRED} notice (end {key}) → {_emails(users) or 'no recipients'}")
    return sent


def agreements_deadlines_sync(*, today: date | None = None, report=None) -> tuple[int, SyncReport]:
    """The daily job: lapse past agreements, then open and close renewal obligations from the data."""
    today = today or timezone.localdate()
    notices = agreements_lapse(today=today, report=report)
    return notices, clocks_sync(today=today, rule=RULE)


@task()
def agreements_deadlines_task(today_iso: str | None = None) -> dict[str, int]:
    """Background form of ``agreements_deadlines_sync``; idempotent."""
    notices, result = agreements_deadlines_sync(today=date.fromisoformat(today_iso) if today_iso else None)
    return {"notices": notices, "opened": result.opened, "met": result.met}


clock_rules.register(
    ClockRule(
        code=RULE,
        label=gettext_lazy("Agreement renewal decision"),
        description=gettext_lazy(
            "Due at the end of the notice period (or the end date): renew, let it end, or give notice."
        ),
        ladder=default_ladder(),
        grace_amount=1,
        grace_unit="days",
        message=renewal_message,
    )
)
sources.register(
    ClockSource(
        rule=RULE,
        wanted=wanted_renewals,
        met_note="The agreement was renewed, terminated or expired, or its end date changed.",
    )
)
registry.scheduled_jobs.add(
    ScheduledJob(key="agreements.deadlines", task=lambda: agreements_deadlines_task, at=time(0, 30))
)
