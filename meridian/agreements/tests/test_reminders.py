import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from meridian.agreements import services
from meridian.agreements.models import ReminderSent

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


@pytest.mark.parametrize("days_left", [180, 90, 30])
def test_reminder_on_the_day_goes_to_unit_coordinators_and_home_coordinator(
    people, active, django_capture_on_commit_callbacks, days_left
):
    agreement = active(days_left)
    assert send(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # The engineering coordinator reaches the computing department; the staff member is home coordinator.
    assert sorted(message.to) == ["coordinator@meridian.example", "staff@meridian.example"]
    assert agreement.number in message.subject
    assert f"in {days_left} days" in message.body
    assert "学生交流协议" in message.body  # the Chinese part of the bilingual message
    assert agreement.get_absolute_url() in message.body
    assert ReminderSent.objects.get(agreement=agreement).kind == str(days_left)


def test_nothing_before_the_first_threshold(active, django_capture_on_commit_callbacks):
    active(181)
    assert send(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_running_twice_sends_nothing_twice(active, django_capture_on_commit_callbacks):
    active(90)
    active(-1)
    assert send(django_capture_on_commit_callbacks) == 2
    assert send(django_capture_on_commit_callbacks) == 0
    assert send(django_capture_on_commit_callbacks, TODAY + datetime.timedelta(days=1)) == 0
    assert len(mail.outbox) == 2


def test_missed_days_catch_up_with_only_the_most_recent_reminder(active, django_capture_on_commit_callbacks):
    agreement = active(85)  # cron did not run at 180 or 90 days
    assert send(django_capture_on_commit_callbacks) == 1
    assert list(ReminderSent.objects.values_list("kind", flat=True)) == ["90"]
    # Sixty days later the 30-day reminder is due, and only that one.
    assert send(django_capture_on_commit_callbacks, TODAY + datetime.timedelta(days=60)) == 1
    assert sorted(agreement.reminders.values_list("kind", flat=True)) == ["30", "90"]


def test_a_new_end_date_restarts_the_reminders(active, django_capture_on_commit_callbacks):
    agreement = active(30)
    send(django_capture_on_commit_callbacks)
    agreement.end_date = TODAY + datetime.timedelta(days=170)
    agreement.save()
    assert send(django_capture_on_commit_callbacks) == 1
    assert agreement.reminders.count() == 2


def test_expiry_moves_the_agreement_to_expired_and_tells_the_coordinators(
    active, django_capture_on_commit_callbacks
):
    agreement = active(-1)
    assert send(django_capture_on_commit_callbacks) == 1
    agreement.refresh_from_db()
    assert agreement.state == "expired"
    move = agreement.transitions.get()
    assert (move.action, move.actor) == ("expire", None)
    assert "has expired" in mail.outbox[0].subject
    assert "now marked as expired" in mail.outbox[0].body


def test_auto_renewing_agreement_stays_active_with_a_notice_message(
    active, django_capture_on_commit_callbacks
):
    agreement = active(-1, auto_renew=True, renewal_notice_days=60)
    assert send(django_capture_on_commit_callbacks) == 1
    agreement.refresh_from_db()
    assert agreement.state == "active"
    assert "renewed automatically" in mail.outbox[0].subject
    assert "notice must be given 60 days" in mail.outbox[0].body
    assert send(django_capture_on_commit_callbacks) == 0


def test_only_active_agreements_with_an_end_date(make_agreement, django_capture_on_commit_callbacks):
    make_agreement(state="approved", end_date=TODAY + datetime.timedelta(days=10))
    make_agreement(state="active", end_date=None)
    assert send(django_capture_on_commit_callbacks) == 0


def test_command_prints_what_it_sent(active, capsys, django_capture_on_commit_callbacks):
    agreement = active(30)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-reminders", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert f"{agreement.number}: 30 reminder" in out
    assert "coordinator@meridian.example" in out
    assert "1 reminder e-mail(s) sent." in out
    assert len(mail.outbox) == 1
