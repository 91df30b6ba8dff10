"""Every change to deadline clocks: opening, meeting, waiving, the reminder run, the sync, the site calendar.

Services are keyword-only, run in a transaction, lock the row they change and raise ``ObligationError`` with a
message a person can act on. E-mail goes through ``meridian.core.notifications.notify`` (after commit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meridian.accounts.choices import Role
from meridian.accounts.models import OrgUnit, User
from meridian.accounts.selectors import unit_coordinators
from meridian.clocks import calendar, permissions
from meridian.clocks.choices import Audience, CalendarDayKind, DueUnit, EventKind, ObligationState
from meridian.clocks.models import CalendarDay, Ladder, LadderStep, Obligation, ObligationEvent
from meridian.clocks.rules import ClockRule, clock_rules
from meridian.clocks.sources import Wanted, as_wanted, sources
from meridian.core.activity import activity_record
from meridian.core.i18n import localised
from meridian.core.notifications import notify

Text = Callable[[], str] | str
AUDIENCE_ORDER: dict[str, int] = {Audience.RESPONSIBLE: 0, Audience.UNIT: 1, Audience.OFFICE: 2}


class ObligationError(Exception):
    """A change to a clock that is not allowed; the message says why."""


def _both(text: Text) -> tuple[str, str]:
    if callable(text):
        with translation.override("en"):
            english = str(text())
        with translation.override("zh-hans"):
            chinese = str(text())
        return english, chinese
    return str(text), str(text)


def _rule(code: str) -> ClockRule:
    rule = clock_rules.get(code)
    if rule is None:
        raise ObligationError(_("There is no deadline rule %(rule)s.") % {"rule": code})
    return rule


# --- ladders ------------------------------------------------------------------------------------------------


def ladder_for(rule: str) -> Ladder:
    """The rule's ladder, copied from the rule's default on first use. ``ObligationError`` for no rule."""
    ladder = Ladder.objects.filter(rule=rule).prefetch_related("steps").first()
    if ladder is not None:
        return ladder
    spec = _rule(rule)
    try:
        with transaction.atomic():
            ladder = Ladder.objects.create(
                rule=rule, grace_amount=spec.grace_amount, grace_unit=spec.grace_unit
            )
            LadderStep.objects.bulk_create(
                [
                    LadderStep(ladder=ladder, offset=s.offset, unit=s.unit, audience=s.audience)
                    for s in spec.ladder
                ]
            )
    except IntegrityError:
        pass  # another process made it at the same moment
    return Ladder.objects.prefetch_related("steps").get(rule=rule)


def ladder_update(
    *,
    ladder: Ladder,
    actor: User,
    grace_amount: int,
    grace_unit: str,
    steps: Iterable[tuple[int, str, str]],
) -> Ladder:
    """Replace a ladder's grace and steps (``(offset, unit, audience)`` each). Administrators only.

    Steps already sent stay in each clock's log; a changed step is a new step and goes out when it falls due.
    Raises ``PermissionDenied`` or ``ObligationError`` (duplicate or invalid step).
    """
    if not permissions.can_manage_ladders(actor):
        raise PermissionDenied(_("Only administrators change escalation ladders."))
    rows = list(dict.fromkeys((int(o), str(u), str(a)) for o, u, a in steps))
    for offset, unit, audience in rows:
        if unit not in DueUnit.values or audience not in Audience.values:
            raise ObligationError(_("Each step needs a unit and an audience from the lists."))
        if abs(offset) > 3650:
            raise ObligationError(_("A step may be at most 3650 units from the due time."))
    if grace_unit not in DueUnit.values or grace_amount < 0:
        raise ObligationError(_("The grace period needs a unit from the list and a number of zero or more."))
    with transaction.atomic():
        locked = Ladder.objects.select_for_update().get(pk=ladder.pk)
        locked.grace_amount, locked.grace_unit, locked.updated_by = grace_amount, grace_unit, actor
        locked.save(update_fields=["grace_amount", "grace_unit", "updated_by", "updated_at"])
        locked.steps.all().delete()
        LadderStep.objects.bulk_create(
            [LadderStep(ladder=locked, offset=o, unit=u, audience=a) for o, u, a in rows]
        )
        _reschedule(Obligation.objects.filter(rule=locked.rule))
    return Ladder.objects.prefetch_related("steps").get(pk=ladder.pk)


def _reschedule(obligations: models.QuerySet[Obligation]) -> None:
    """Have the next clock run work out these open clocks' step times again (ladder or calendar changed)."""
    obligations.filter(state=ObligationState.OPEN).update(next_action_at=None)


# --- obligations --------------------------------------------------------------------------------------------


def _subject_fields(subject: models.Model) -> dict[str, str]:
    with translation.override("en"):
        label = str(subject)
    with translation.override("zh-hans"):
        label_zh = str(subject)
    url = subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""
    return {"subject_label": label[:300], "subject_label_zh": label_zh[:300], "subject_url": url[:300]}


def obligation_open(
    *,
    subject: models.Model,
    rule: str,
    due_at: datetime,
    title: Text,
    responsible: User | None = None,
    unit: OrgUnit | None = None,
    key: str = "",
) -> Obligation:
    """Open the clock of ``rule`` on ``subject`` (any saved model instance), due at ``due_at`` (aware).

    Idempotent per (subject, rule, key): an existing obligation is returned; while it is open its due time,
    title, responsible person, unit and the subject's name are brought up to date. A different ``key`` (for
    example the new end date) starts a fresh clock. ``title`` is stored in English and Chinese (give a
    callable that builds translated text). Raises ``ObligationError`` for an unknown rule, a naive due
    time or an unsaved subject.
    """
    obligation, _created = _open(
        subject=subject, rule=rule, due_at=due_at, title=title, responsible=responsible, unit=unit, key=key
    )
    return obligation


def _fields(
    *, subject: models.Model, due_at: datetime, title: Text, responsible: User | None, unit: OrgUnit | None
) -> dict[str, object]:
    """The stored values an obligation on ``subject`` should have (title and case name in both languages)."""
    if subject.pk is None:
        raise ObligationError(_("A deadline needs a saved case or person."))
    if timezone.is_naive(due_at):
        raise ObligationError(_("A due time needs a time zone."))
    title_en, title_zh = _both(title)
    return {
        "title": title_en[:300],
        "title_zh": title_zh[:300],
        "due_at": due_at,
        "responsible_id": responsible.pk if responsible is not None else None,
        "unit_id": unit.pk if unit is not None else None,
        **_subject_fields(subject),
    }


def _open(
    *,
    subject: models.Model,
    rule: str,
    due_at: datetime,
    title: Text,
    responsible: User | None,
    unit: OrgUnit | None,
    key: str,
    wanted: dict[str, object] | None = None,
) -> tuple[Obligation, bool]:
    _rule(rule)
    if wanted is None:
        wanted = _fields(subject=subject, due_at=due_at, title=title, responsible=responsible, unit=unit)
    content_type = ContentType.objects.get_for_model(subject)
    lookup = {"content_type": content_type, "object_id": subject.pk, "rule": rule, "key": key[:100]}
    with transaction.atomic():
        existing = Obligation.objects.select_for_update().filter(**lookup).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return Obligation.objects.create(**lookup, **wanted), True
            except IntegrityError:
                existing = Obligation.objects.select_for_update().get(**lookup)
        if existing.state == ObligationState.OPEN:
            changed = [name for name, value in wanted.items() if getattr(existing, name) != value]
            if changed:
                for name in changed:
                    setattr(existing, name, wanted[name])
                if "due_at" in changed:
                    existing.next_action_at = None  # the next run works out the ladder anew
                    changed.append("next_action_at")
                existing.save(update_fields=changed)
        return existing, False


def _close(obligation: Obligation, *, state: str, kind: str, actor: User | None, note: str) -> Obligation:
    locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if locked.state != ObligationState.OPEN:
        raise ObligationError(
            _("This deadline is already %(state)s.") % {"state": locked.get_state_display().lower()}
        )
    locked.state = state
    locked.closed_at = timezone.now()
    locked.closed_by = actor if actor is not None and actor.is_authenticated else None
    locked.note = note
    locked.save(update_fields=["state", "closed_at", "closed_by", "note"])
    ObligationEvent.objects.create(obligation=locked, kind=kind, actor=locked.closed_by, comment=note)
    return locked


def obligation_meet(*, obligation: Obligation, actor: User | None = None, note: str = "") -> Obligation:
    """Mark an open obligation met. Meeting a met one changes nothing; a missed or waived one raises
    ``ObligationError``."""
    with transaction.atomic():
        current = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if current.state == ObligationState.MET:
            return current
        return _close(current, state=ObligationState.MET, kind=EventKind.MET, actor=actor, note=note)


def obligations_meet_for(
    *, subject: models.Model, rule: str, note: str = "", except_key: str | None = None
) -> int:
    """Mark met every open obligation of ``rule`` on ``subject`` (except the one keyed ``except_key``)."""
    rows = Obligation.objects.filter(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        rule=rule,
        state=ObligationState.OPEN,
    )
    if except_key is not None:
        rows = rows.exclude(key=except_key)
    count = 0
    for obligation in rows:
        with transaction.atomic():
            try:
                _close(obligation, state=ObligationState.MET, kind=EventKind.MET, actor=None, note=note)
                count += 1
            except ObligationError:
                continue
    return count


def obligation_waive(*, obligation: Obligation, actor: User, reason: str) -> Obligation:
    """Waive an open obligation, giving the reason (kept on the clock and in the case's activity).

    Raises ``PermissionDenied`` unless ``actor`` may waive it (see permissions.can_waive_obligation),
    ``ObligationError`` when the reason is empty or the clock is no longer open.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ObligationError(_("Say why the deadline is waived."))
    with transaction.atomic():
        current = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if current.state != ObligationState.OPEN:
            raise ObligationError(
                _("This deadline is already %(state)s.") % {"state": current.get_state_display().lower()}
            )
        if not permissions.can_waive_obligation(actor, current):
            raise PermissionDenied(_("You may not waive this deadline."))
        waived = _close(
            current, state=ObligationState.WAIVED, kind=EventKind.WAIVED, actor=actor, note=reason
        )
        if waived.subject is not None:
            title_en, title_zh = waived.title, waived.title_zh or waived.title
            activity_record(
                target=waived.subject,
                verb="deadline_waived",
                message=lambda: _("Deadline waived: %(title)s") % {"title": localised(title_en, title_zh)},
                actor=actor,
                comment=reason,
            )
    return waived


def obligation_log_once(
    *, obligation: Obligation, step_key: str, recipients: str = "", comment: str = ""
) -> bool:
    """Log a one-off notice about a clock under ``step_key``; ``False`` when it was logged before.

    For notices outside the ladder that must go out once whatever the clock's state (for example "renewed
    automatically"): call it first, and send the notice only when it returns ``True``, in the same
    transaction.
    """
    if not step_key or len(step_key) > 60:
        raise ObligationError(_("A one-off notice needs a key of at most 60 characters."))
    if ObligationEvent.objects.filter(obligation=obligation, step_key=step_key).exists():
        return False
    try:
        with transaction.atomic():
            ObligationEvent.objects.create(
                obligation=obligation,
                kind=EventKind.NOTICE,
                step_key=step_key,
                recipients=recipients,
                comment=comment,
            )
    except IntegrityError:
        return False
    return True


# --- the reminder run ---------------------------------------------------------------------------------------


@dataclass
class ClockRunReport:
    """What one run did: messages sent per audience step, steps skipped, obligations marked missed."""

    sent: int = 0
    skipped: int = 0
    missed: int = 0
    lines: list[str] = field(default_factory=list)


def audience_users(obligation: Obligation, audience: str) -> list[User]:
    """The people a step reaches. The responsible person falls back to the unit's coordinators, and those to
    the International Office's officers, so a step never goes nowhere while someone could act."""
    if audience == Audience.RESPONSIBLE:
        person = obligation.responsible
        if person is not None and person.is_active:
            return [person]
        audience = Audience.UNIT
    if audience == Audience.UNIT and obligation.unit is not None:
        found = list(unit_coordinators(unit=obligation.unit))
        if found:
            return found
    return list(
        User.objects.filter(is_active=True, memberships__role=Role.OFFICER).distinct().order_by("username")
    )


def _default_message(obligation: Obligation, step: LadderStep, now: datetime) -> tuple[Text, Text]:
    title_en, title_zh = obligation.title, obligation.title_zh or obligation.title
    case_en, case_zh = obligation.subject_label, obligation.subject_label_zh or obligation.subject_label
    due = timezone.localtime(obligation.due_at).strftime("%Y-%m-%d %H:%M")
    escalation = step.audience != Audience.RESPONSIBLE
    overdue = obligation.due_at <= now

    def subject() -> str:
        values = {"title": localised(title_en, title_zh), "case": localised(case_en, case_zh)}
        if escalation:
            return _("Escalation: %(title)s — %(case)s") % values
        return _("Reminder: %(title)s — %(case)s") % values

    def body() -> str:
        values = {"title": localised(title_en, title_zh), "case": localised(case_en, case_zh), "due": due}
        lines = [
            (_("%(title)s for %(case)s was due at %(due)s and is not met.") % values)
            if overdue
            else (_("%(title)s for %(case)s is due at %(due)s.") % values)
        ]
        if escalation:
            lines.append(_("You receive this because the deadline is not yet met by the person responsible."))
        return "\n\n".join(lines)

    return subject, body


def _grace_end(obligation: Obligation, ladder: Ladder, site) -> datetime:
    if ladder.grace_amount == 0:
        return obligation.due_at
    return calendar.due_from(obligation.due_at, ladder.grace_amount, ladder.grace_unit, site=site)


def _run_one(pk: int, ladder: Ladder, now: datetime, site, result: ClockRunReport) -> None:
    steps = list(ladder.steps.all())
    try:
        with transaction.atomic():
            obligation = (
                Obligation.objects.select_for_update(of=("self",))
                .select_related("responsible", "unit")
                .filter(pk=pk, state=ObligationState.OPEN)
                .first()
            )
            if obligation is None:
                return
            done = set(obligation.events.exclude(step_key="").values_list("step_key", flat=True))
            latest: dict[str, tuple[datetime, LadderStep]] = {}
            upcoming: list[datetime] = []
            for step in steps:
                if step.key in done:
                    continue
                at = calendar.step_time(obligation.due_at, step.offset, step.unit, site=site)
                if at > now:
                    upcoming.append(at)
                    continue
                previous = latest.get(step.audience)
                if previous is None or at > previous[0]:
                    if previous is not None:
                        _skip(obligation, previous[1], result)
                    latest[step.audience] = (at, step)
                else:
                    _skip(obligation, step, result)
            for audience in sorted(latest, key=lambda a: AUDIENCE_ORDER.get(a, 9)):
                _send(obligation, latest[audience][1], now, result)
            grace_end = _grace_end(obligation, ladder, site)
            if grace_end <= now:
                _close(obligation, state=ObligationState.MISSED, kind=EventKind.MISSED, actor=None, note="")
                result.missed += 1
                result.lines.append(f"{obligation.subject_label}: {obligation.title} missed")
                return
            # The next run that has work for this clock: its next step still to come, or the end of grace.
            later = [t for t in upcoming if t > now] + [grace_end]
            obligation.next_action_at = min(later)
            obligation.save(update_fields=["next_action_at"])
    except IntegrityError:
        # Another run logged the same step at the same moment; that run sends it.
        return


def _skip(obligation: Obligation, step: LadderStep, result: ClockRunReport) -> None:
    ObligationEvent.objects.create(
        obligation=obligation, kind=EventKind.SKIPPED, step_key=step.key, audience=step.audience
    )
    result.skipped += 1


def _send(obligation: Obligation, step: LadderStep, now: datetime, result: ClockRunReport) -> None:
    rule = clock_rules.get(obligation.rule)
    build = rule.message if rule is not None and rule.message is not None else _default_message
    subject, body = build(obligation, step, now)
    users = audience_users(obligation, step.audience)
    kind = EventKind.REMINDER if step.audience == Audience.RESPONSIBLE else EventKind.ESCALATION
    notify(
        recipients=users,
        subject=subject,
        body=body,
        url=obligation.subject_url,
        verb=f"clocks.{kind}",
        target=obligation,
    )
    emails = sorted({u.email.strip().lower() for u in users if u.is_active and u.email})
    ObligationEvent.objects.create(
        obligation=obligation,
        kind=kind,
        step_key=step.key,
        audience=step.audience,
        recipients=", ".join(emails),
    )
    result.sent += 1
    who = ", ".join(emails) or "no recipients"
    result.lines.append(f"{obligation.subject_label}: {obligation.title} — {kind} {step.key} → {who}")


def clocks_run(*, now: datetime | None = None) -> ClockRunReport:
    """Send every due reminder and escalation once and mark open obligations past due plus grace as missed.

    For each open obligation, each ladder step whose time has come goes out once (the log guards repeats, and
    a unique constraint guards two overlapping runs). When several steps for one audience are due at once
    (the job did not run for a while) only the latest is sent; the earlier ones are logged as skipped.
    Idempotent: a second run at the same time sends nothing. Only clocks whose ``next_action_at`` has come
    (or is not worked out yet) are read, so an hourly run stays cheap with many thousands of open clocks.
    """
    now = now or timezone.now()
    site = calendar.site_calendar()
    result = ClockRunReport()
    rules = Obligation.objects.filter(state=ObligationState.OPEN).values_list("rule", flat=True).distinct()
    for code in sorted(set(rules)):
        if code not in clock_rules:
            continue
        ladder = ladder_for(code)
        candidates = (
            Obligation.objects.filter(state=ObligationState.OPEN, rule=code)
            .filter(Q(next_action_at__isnull=True) | Q(next_action_at__lte=now))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)
        )
        for pk in list(candidates):
            _run_one(pk, ladder, now, site, result)
    return result


# --- the sync from data -------------------------------------------------------------------------------------


SYNCED = (
    "title",
    "title_zh",
    "due_at",
    "responsible_id",
    "unit_id",
    "subject_label",
    "subject_label_zh",
    "subject_url",
)


def _synced(fields: dict[str, object]) -> tuple[object, ...]:
    return tuple(fields[name] for name in SYNCED)


@dataclass
class SyncReport:
    opened: int = 0
    met: int = 0


def _wanted_due(wanted: Wanted) -> datetime:
    if wanted.due_at is not None:
        return wanted.due_at
    if wanted.due_on is None:
        raise ObligationError(_("A deadline needs a due date or a due time."))
    return calendar.day_end(wanted.due_on)


def clocks_sync(*, today: date | None = None, rule: str | None = None) -> SyncReport:
    """Bring the obligations of every registered source (or only ``rule``'s) in line with the data.

    Each wanted obligation is opened (or updated, see ``obligation_open``); each open obligation of the rule
    that is no longer wanted is marked met with the source's note. Idempotent.
    """
    today = today or timezone.localdate()
    report = SyncReport()
    for source in sources:
        if rule is not None and source.rule != rule:
            continue
        keep: set[int] = set()
        # What is stored now, to skip the unchanged without a query each (the job walks every active case).
        stored = {
            (row[1], row[2], row[3]): row
            for row in Obligation.objects.filter(rule=source.rule).values_list(
                "pk", "content_type_id", "object_id", "key", "state", *SYNCED
            )
        }
        for item in source.wanted(today):
            wanted = as_wanted(item)
            due_at = _wanted_due(wanted)
            fields = _fields(
                subject=wanted.subject,
                due_at=due_at,
                title=wanted.title,
                responsible=wanted.responsible,
                unit=wanted.unit,
            )
            content_type_id = ContentType.objects.get_for_model(wanted.subject).pk
            row = stored.get((content_type_id, wanted.subject.pk, wanted.key[:100]))
            if row is not None and (row[4] != ObligationState.OPEN or tuple(row[5:]) == _synced(fields)):
                keep.add(row[0])
                continue
            obligation, created = _open(
                subject=wanted.subject,
                rule=source.rule,
                due_at=due_at,
                title=wanted.title,
                responsible=wanted.responsible,
                unit=wanted.unit,
                key=wanted.key,
                wanted=fields,
            )
            report.opened += created
            keep.add(obligation.pk)
        open_ids = set(
            Obligation.objects.filter(rule=source.rule, state=ObligationState.OPEN).values_list(
                "pk", flat=True
            )
        )
        for pk in sorted(open_ids - keep):
            with transaction.atomic():
                try:
                    _close(
                        Obligation(pk=pk),
                        state=ObligationState.MET,
                        kind=EventKind.MET,
                        actor=None,
                        note=source.met_note,
                    )
                    report.met += 1
                except ObligationError:
                    continue
    return report


# --- the site calendar --------------------------------------------------------------------------------------


def calendar_day_create(*, actor: User, day: date, kind: str, name_en: str, name_zh: str = "") -> CalendarDay:
    """Add a site closure or extra working day. Administrators only; one entry per date.

    Raises ``PermissionDenied`` or ``ObligationError`` (date already entered, unknown kind, empty name).
    Open clocks keep their due times; the new entry counts for every date computed from now on.
    """
    if not permissions.can_manage_site_calendar(actor):
        raise PermissionDenied(_("Only administrators change the site calendar."))
    if kind not in CalendarDayKind.values:
        raise ObligationError(_("Choose whether the day is a closure or an extra working day."))
    entry = CalendarDay(
        date=day, kind=kind, name_en=name_en.strip(), name_zh=name_zh.strip(), created_by=actor
    )
    try:
        entry.full_clean()
    except ValidationError as exc:
        if "date" in exc.message_dict:
            raise ObligationError(
                _("%(date)s is already in the site calendar.") % {"date": day.isoformat()}
            ) from exc
        raise ObligationError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
    with transaction.atomic():
        entry.save()
        _reschedule(Obligation.objects.all())
        transaction.on_commit(calendar.forget_site_calendar)
    calendar.forget_site_calendar()
    return entry


def calendar_day_delete(*, actor: User, entry: CalendarDay) -> None:
    """Remove a site calendar entry (administrators only); the package's schedule applies to it again."""
    if not permissions.can_manage_site_calendar(actor):
        raise PermissionDenied(_("Only administrators change the site calendar."))
    with transaction.atomic():
        CalendarDay.objects.filter(pk=entry.pk).delete()
        _reschedule(Obligation.objects.all())
        transaction.on_commit(calendar.forget_site_calendar)
    calendar.forget_site_calendar()
