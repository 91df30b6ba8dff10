"""End-date reminders: 180, 90 and 30 days before the end and on expiry, each sent once per end date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from meridian.accounts.selectors import unit_coordinators
from meridian.agreements.choices import AgreementState, ReminderKind
from meridian.agreements.models import Agreement, ReminderSent

EXPIRED = ReminderKind.EXPIRED.value
LANGUAGES = ("en", "zh-hans")


def due_reminder(*, agreement: Agreement, today: date) -> str | None:
    """The reminder due today: the most recent threshold reached, or "expired" once the end date passed."""
    if agreement.end_date is None:
        return None
    left = (agreement.end_date - today).days
    if left < 0:
        return EXPIRED
    reached = [d for d in settings.REMINDER_DAYS if left <= d]
    return str(min(reached)) if reached else None


def reminder_recipients(*, agreement: Agreement) -> list[str]:
    """Coordinators who reach the responsible unit, plus the agreement's home coordinator."""
    emails = [u.email for u in unit_coordinators(unit=agreement.responsible_unit)]
    if agreement.home_coordinator is not None and agreement.home_coordinator.is_active:
        emails.append(agreement.home_coordinator.email)
    return sorted({e.strip().lower() for e in emails if e and e.strip()})


def _render(agreement: Agreement, kind: str, today: date) -> tuple[str, str]:
    """One message holding every language: subjects joined by " / ", bodies one after another."""
    subjects, bodies = [], []
    context = {
        "agreement": agreement,
        "kind": kind,
        "days": None if kind == EXPIRED else (agreement.end_date - today).days,
        # A full link needs the public address of the site; without it the path alone is shown.
        "url": getattr(settings, "SITE_URL", "").rstrip("/") + agreement.get_absolute_url(),
        "university_name": settings.UNIVERSITY_NAME,
    }
    for language in LANGUAGES:
        with translation.override(language):
            subject = render_to_string("agreements/email/reminder_subject.txt", context).strip()
            if subject not in subjects:
                subjects.append(subject)
            bodies.append(render_to_string("agreements/email/reminder.txt", context).strip())
    return " / ".join(subjects), "\n\n----------------------------------------\n\n".join(bodies) + "\n"


def _send(subject: str, body: str, recipients: list[str]) -> None:
    EmailMessage(subject=subject, body=body, to=recipients).send()


def send_due_reminders(*, today: date | None = None, report: Callable[[str], None] | None = None) -> int:
    """Send each due reminder once (ReminderSent guards repeats); expire lapsed agreements unless renewing."""
    from meridian.agreements.services import agreement_expire

    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(settings.REMINDER_DAYS, default=0))
    candidates = (
        Agreement.objects.filter(state=AgreementState.ACTIVE, end_date__isnull=False, end_date__lte=horizon)
        .select_related("responsible_unit", "home_coordinator")
        .order_by("end_date", "pk")
    )
    sent = 0
    for agreement in candidates:
        kind = due_reminder(agreement=agreement, today=today)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                locked = (
                    Agreement.objects.select_for_update(of=("self",))
                    .select_related("responsible_unit", "home_coordinator")
                    .get(pk=agreement.pk)
                )
                if locked.state != AgreementState.ACTIVE or locked.end_date != agreement.end_date:
                    continue
                if ReminderSent.objects.filter(
                    agreement=locked, kind=kind, end_date=locked.end_date
                ).exists():
                    continue
                recipients = reminder_recipients(agreement=locked)
                ReminderSent.objects.create(
                    agreement=locked, kind=kind, end_date=locked.end_date, recipients=", ".join(recipients)
                )
                if kind == EXPIRED and not locked.auto_renew:
                    locked = agreement_expire(
                        agreement=locked,
                        actor=None,
                        today=today,
                        comment=f"End date {locked.end_date.isoformat()} has passed.",
                    )
                subject, body = _render(locked, kind, today)
                if recipients:
                    transaction.on_commit(lambda s=subject, b=body, r=recipients: _send(s, b, r))
        except IntegrityError:
            # Another run recorded the same reminder at the same moment; it sends that e-mail.
            continue
        if recipients:
            sent += 1
        if report is not None:
            who = ", ".join(recipients) or "no recipients"
            report(f"{locked.number}: {kind} reminder (end {locked.end_date.isoformat()}) → {who}")
    return sent
