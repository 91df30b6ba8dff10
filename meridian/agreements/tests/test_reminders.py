"""End-date reminders on the deadline clocks: what coordinators receive, and when, as the days go by."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from meridian.agreements import services
from meridian.agreements.deadlines import RULE
from meridian.clocks.models import Obligation
from meridian.core.models import NotificationPreference

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def active(make_agreement, people):
    def make(days_left: int, **fields):
        return make_agreement(
            state="active",
            start_date=datetime.date(2024, 1, 1),
            end_date=TODAY + datetime.timedelta(days=days_left),
            home_coordinator=people.staff,
            title_zh="学生交流协议",
            **fields,
        )

    return make


def send(capture, today=TODAY) -> int:
    with capture(execute=True):
        return services.reminders_send(today=today)


def notices() -> list:
    """The reminder, escalation and end-date e-mails (not the lifecycle's own "is now expired" message)."""
    return [m for m in mail.outbox if m.subject.startswith(("Agreement ", "Escalation:"))]


def renewal(agreement) -> Obligation:
    return Obligation.objects.get(object_id=agreement.pk, rule=RULE, key=agreement.end_date.isoformat())


@pytest.mark.parametrize("days_left", [180, 90])
def test_early_reminders_go_to_the_agreements_coordinator(
    people, active, django_capture_on_commit_callbacks, days_left
):
    agreement = active(days_left)
    assert send(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["staff@meridian.example"]]
    message = mail.outbox[0]
    assert agreement.number in message.subject
    assert f"in {days_left} days" in message.body
    assert agreement.get_absolute_url() in message.body
    assert renewal(agreement).events.get(kind="reminder").step_key == f"-{days_left}days:responsible"


def test_thirty_days_before_the_unit_coordinators_get_the_escalation(
    people, active, django_capture_on_commit_callbacks
):
    agreement = active(30)
    assert send(django_capture_on_commit_callbacks) == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    # The engineering coordinator reaches the computing department; the staff member is home coordinator.
    assert sorted(by_recipient) == ["coordinator@meridian.example", "staff@meridian.example"]
    assert by_recipient["coordinator@meridian.example"].subject.startswith("Escalation:")
    assert "in 30 days" in by_recipient["coordinator@meridian.example"].body
    assert not by_recipient["staff@meridian.example"].subject.startswith("Escalation:")
    assert agreement.number in by_recipient["staff@meridian.example"].subject


def test_a_chinese_reader_gets_the_reminder_in_chinese(people, active, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=people.staff, language="zh-hans")
    active(90)
    send(django_capture_on_commit_callbacks)
    assert "学生交流协议" in mail.outbox[0].body


def test_nothing_before_the_first_threshold(active, django_capture_on_commit_callbacks):
    agreement = active(181)
    assert send(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    # The clock is open all the same, due at the end of the agreement's last day.
    assert renewal(agreement).state == "open"


def test_running_twice_sends_nothing_twice(active, django_capture_on_commit_callbacks):
    active(90)
    active(-1)
    assert send(django_capture_on_commit_callbacks) == 2
    assert send(django_capture_on_commit_callbacks) == 0
    assert send(django_capture_on_commit_callbacks, TODAY + datetime.timedelta(days=1)) == 0
    # One reminder to the coordinator of the first; the expiry notice to both coordinators of the second.
    assert len(notices()) == 3


def test_missed_days_catch_up_with_only_the_most_recent_reminder(active, django_capture_on_commit_callbacks):
    agreement = active(85)  # the job did not run at 180 or 90 days
    assert send(django_capture_on_commit_callbacks) == 1
    clock = renewal(agreement)
    assert list(clock.events.values_list("kind", "step_key")) == [
        ("skipped", "-180days:responsible"),
        ("reminder", "-90days:responsible"),
    ]
    # Sixty days later the 30-day reminder and its escalation are due, and only those.
    assert send(django_capture_on_commit_callbacks, TODAY + datetime.timedelta(days=60)) == 2
    assert sorted(
        clock.events.filter(kind__in=["reminder", "escalation"]).values_list("step_key", flat=True)
    ) == [
        "-30days:responsible",
        "-30days:unit",
        "-90days:responsible",
    ]


def test_a_new_end_date_restarts_the_reminders(active, django_capture_on_commit_callbacks):
    agreement = active(30)
    send(django_capture_on_commit_callbacks)
    old = renewal(agreement)
    agreement.end_date = TODAY + datetime.timedelta(days=170)
    agreement.save()
    assert send(django_capture_on_commit_callbacks) == 1
    old.refresh_from_db()
    assert old.state == "met"
    assert renewal(agreement).state == "open"
    assert renewal(agreement).events.get(kind="reminder").step_key == "-180days:responsible"


def test_expiry_moves_the_agreement_to_expired_and_tells_the_coordinators(
    active, django_capture_on_commit_callbacks
):
    agreement = active(-1)
    assert send(django_capture_on_commit_callbacks) == 1
    agreement.refresh_from_db()
    assert agreement.state == "expired"
    assert sorted(m.to[0] for m in notices()) == ["coordinator@meridian.example", "staff@meridian.example"]
    assert "has expired" in notices()[0].subject
    assert "now marked as expired" in notices()[0].body


def test_expiry_meets_the_open_renewal_decision(active, django_capture_on_commit_callbacks):
    agreement = active(5)
    send(django_capture_on_commit_callbacks)
    assert renewal(agreement).state == "open"
    send(django_capture_on_commit_callbacks, TODAY + datetime.timedelta(days=6))
    agreement.refresh_from_db()
    assert agreement.state == "expired"
    clock = renewal(agreement)
    assert (clock.state, clock.note) == ("met", "The agreement expired.")


def test_auto_renewing_agreement_stays_active_with_a_notice_message(
    active, django_capture_on_commit_callbacks
):
    agreement = active(-1, auto_renew=True, renewal_notice_days=60)
    assert send(django_capture_on_commit_callbacks) == 1
    agreement.refresh_from_db()
    assert agreement.state == "active"
    assert "renewed automatically" in notices()[0].subject
    assert "notice must be given 60 days" in notices()[0].body
    assert send(django_capture_on_commit_callbacks) == 0
    assert renewal(agreement).state == "met"


def test_a_notice_period_moves_the_decision_date_forward(active, django_capture_on_commit_callbacks):
    # Notice 60 days before the end: the decision falls due 60 days earlier, so the 90-day reminder is due
    # when the agreement still has 150 days to run.
    agreement = active(150, auto_renew=True, renewal_notice_days=60)
    assert send(django_capture_on_commit_callbacks) == 1
    clock = renewal(agreement)
    assert clock.due_at.date() == agreement.end_date - datetime.timedelta(days=60)
    assert "in 150 days" in mail.outbox[0].body


def test_only_active_agreements_with_an_end_date(make_agreement, django_capture_on_commit_callbacks):
    make_agreement(state="approved", end_date=TODAY + datetime.timedelta(days=10))
    make_agreement(state="active", end_date=None)
    assert send(django_capture_on_commit_callbacks) == 0
    assert not Obligation.objects.exists()


def test_command_prints_what_it_sent(active, capsys, django_capture_on_commit_callbacks):
    agreement = active(90)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-reminders", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert f"{agreement.number}" in out
    assert "reminder -90days:responsible → staff@meridian.example" in out
    assert "1 reminder message(s) sent." in out
    assert len(mail.outbox) == 1


def test_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today must be a date"):
        call_command("send-reminders", "--today", "31/01/2026")
