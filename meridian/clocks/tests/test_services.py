"""Opening, meeting and waiving clocks; one-off notices; ladders; the sync from data; the site calendar."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from meridian.clocks import calendar, services
from meridian.clocks.models import Ladder, Obligation, ObligationEvent
from meridian.clocks.services import ObligationError
from meridian.clocks.sources import ClockSource, sources
from meridian.clocks.tests.conftest import NOW as FIXED_NOW
from meridian.core.models import Activity


def test_opening_twice_returns_the_same_clock_and_updates_it(open_clock, people):
    first = open_clock()
    again = open_clock(due_in=timedelta(days=25), responsible="coordinator")
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.due_at == FIXED_NOW + timedelta(days=25)
    assert again.responsible == people.coordinator
    assert Obligation.objects.count() == 1


def test_the_title_and_the_case_are_stored_in_both_languages(open_clock, org):
    clock = open_clock()
    assert (clock.title, clock.title_zh) == ("Filing deadline", "申报截止")
    assert (clock.subject_label, clock.subject_label_zh) == ("Department of Computing", "计算机系")
    with translation.override("zh-hans"):
        assert clock.text_title == "申报截止"
        assert clock.text_subject == "计算机系"


def test_a_new_key_starts_a_fresh_clock(open_clock):
    first = open_clock(key="2026-06-30")
    second = open_clock(key="2027-06-30")
    assert first.pk != second.pk


def test_a_closed_clock_is_not_reopened_or_changed(open_clock):
    clock = open_clock()
    services.obligation_meet(obligation=clock, note="Filed.")
    again = open_clock(due_in=timedelta(days=99))
    assert again.pk == clock.pk
    assert again.state == "met"
    assert again.due_at == FIXED_NOW + timedelta(days=20)


def test_bad_input_is_refused_and_nothing_is_stored(rule, org):
    with pytest.raises(ObligationError, match="no deadline rule"):
        services.obligation_open(subject=org.computing, rule="nope", due_at=FIXED_NOW, title="x")
    with pytest.raises(ObligationError, match="time zone"):
        services.obligation_open(
            subject=org.computing, rule=rule, due_at=timezone.make_naive(FIXED_NOW), title="x"
        )
    assert not Obligation.objects.exists()


def test_meet_is_logged_once_and_a_waived_clock_cannot_be_met(open_clock, people):
    clock = open_clock()
    met = services.obligation_meet(obligation=clock, actor=people.officer, note="Done")
    assert (met.state, met.closed_by, met.note) == ("met", people.officer, "Done")
    services.obligation_meet(obligation=clock)  # already met: nothing changes
    assert list(clock.events.values_list("kind", flat=True)) == ["met"]
    other = open_clock(key="b")
    services.obligation_waive(obligation=other, actor=people.officer, reason="Not needed")
    with pytest.raises(ObligationError, match="already waived"):
        services.obligation_meet(obligation=other)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("officer", True),
        ("coordinator", True),  # coordinates engineering, which includes computing
        ("other_coordinator", False),
        ("leadership", False),
        ("staff", False),
        ("student", False),
        ("outsider", False),
    ],
)
def test_who_may_waive(open_clock, people, who, allowed):
    clock = open_clock()
    actor = getattr(people, who)
    if allowed:
        waived = services.obligation_waive(obligation=clock, actor=actor, reason="Partner withdrew")
        assert (waived.state, waived.note, waived.closed_by) == ("waived", "Partner withdrew", actor)
        activity = Activity.objects.get(verb="deadline_waived")
        assert activity.comment == "Partner withdrew" and "Filing deadline" in activity.message
        assert "申报截止" in activity.message_zh
    else:
        with pytest.raises(PermissionDenied):
            services.obligation_waive(obligation=clock, actor=actor, reason="Partner withdrew")
        clock.refresh_from_db()
        assert clock.state == "open"


def test_waiving_needs_a_reason_and_an_open_clock(open_clock, people):
    clock = open_clock()
    with pytest.raises(ObligationError, match="Say why"):
        services.obligation_waive(obligation=clock, actor=people.officer, reason="  ")
    services.obligation_waive(obligation=clock, actor=people.officer, reason="Because")
    with pytest.raises(ObligationError, match="already waived"):
        services.obligation_waive(obligation=clock, actor=people.officer, reason="Again")


def test_a_one_off_notice_is_logged_once(open_clock):
    clock = open_clock()
    assert services.obligation_log_once(obligation=clock, step_key="notice:1") is True
    assert services.obligation_log_once(obligation=clock, step_key="notice:1") is False
    assert ObligationEvent.objects.filter(kind="notice").count() == 1


def test_the_ladder_is_copied_from_the_rule_once_and_administrators_change_it(rule, people):
    ladder = services.ladder_for(rule)
    assert [s.key for s in ladder.steps.all()] == ["-10days:responsible", "-3days:unit", "+1days:office"]
    assert (ladder.grace_amount, ladder.grace_unit) == (2, "days")
    services.ladder_update(
        ladder=ladder,
        actor=people.admin,
        grace_amount=5,
        grace_unit="working_days",
        steps=[(-5, "working_days", "responsible"), (-1, "days", "office")],
    )
    ladder = services.ladder_for(rule)
    assert [s.key for s in ladder.steps.all()] == ["-5working_days:responsible", "-1days:office"]
    assert Ladder.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.ladder_update(
            ladder=ladder, actor=people.officer, grace_amount=0, grace_unit="days", steps=[]
        )
    with pytest.raises(ObligationError, match="unit and an audience"):
        services.ladder_update(
            ladder=ladder,
            actor=people.admin,
            grace_amount=0,
            grace_unit="days",
            steps=[(-1, "weeks", "unit")],
        )
    assert services.ladder_for(rule).steps.count() == 2  # the refused change left the ladder as it was


def test_the_sync_opens_what_the_data_wants_and_meets_the_rest(rule, org, people):
    wanted = {"units": [org.computing, org.humanities]}

    def items(today):
        for unit in wanted["units"]:
            yield {
                "subject": unit,
                "key": "k",
                "title": "Report",
                "due_on": today + timedelta(days=30),
                "unit": unit,
            }

    sources.register(ClockSource(rule=rule, wanted=items, met_note="Filed."))
    try:
        first = services.clocks_sync(today=date(2026, 3, 2), rule=rule)
        assert (first.opened, first.met) == (2, 0)
        again = services.clocks_sync(today=date(2026, 3, 2), rule=rule)
        assert (again.opened, again.met) == (0, 0)
        wanted["units"] = [org.computing]
        last = services.clocks_sync(today=date(2026, 3, 2), rule=rule)
        assert (last.opened, last.met) == (0, 1)
    finally:
        sources.unregister(rule)
    humanities = Obligation.objects.get(object_id=org.humanities.pk)
    assert (humanities.state, humanities.note) == ("met", "Filed.")
    computing = Obligation.objects.get(object_id=org.computing.pk)
    assert computing.state == "open"
    assert computing.due_at == calendar.day_end(date(2026, 4, 1))


def test_administrators_keep_the_site_calendar(people, db):
    entry = services.calendar_day_create(
        actor=people.admin, day=date(2026, 3, 3), kind="closure", name_en="Sports day", name_zh="运动会"
    )
    assert calendar.is_working_day(date(2026, 3, 3)) is False
    with pytest.raises(ObligationError, match="already in the site calendar"):
        services.calendar_day_create(actor=people.admin, day=date(2026, 3, 3), kind="working", name_en="x")
    with pytest.raises(PermissionDenied):
        services.calendar_day_create(actor=people.officer, day=date(2026, 3, 4), kind="closure", name_en="x")
    with pytest.raises(ObligationError):
        services.calendar_day_create(actor=people.admin, day=date(2026, 3, 5), kind="closure", name_en="  ")
    services.calendar_day_delete(actor=people.admin, entry=entry)
    assert calendar.is_working_day(date(2026, 3, 3)) is True
