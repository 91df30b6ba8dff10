"""The lifecycle of a call through the workflow engine (open guarded by ``call_problems``, close, cancel with
a reason, who may move it) and the scheduled job that closes calls after their deadline."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.registry import registry
from meridian.mobility.choices import CallState
from meridian.mobility.models import Call
from meridian.mobility.services import calls as services
from meridian.mobility.tests.test_calls_services import draft, make_call, ready
from meridian.workflow.models import TransitionLog
from meridian.workflow.services import case_move, moves_for

pytestmark = pytest.mark.django_db


class TestMoves:
    def test_open_is_refused_with_every_reason_then_taken_when_ready(self, org, people, world):
        call = draft(org, people.officer)
        with pytest.raises(TransitionError) as caught:
            services.call_move(call=call, actor=people.officer, move="open")
        assert "Add at least one destination." in caught.value.message
        assert "Add at least one selection criterion." in caught.value.message
        assert Call.objects.get(pk=call.pk).state == CallState.DRAFT
        [option] = [m for m in moves_for(case=call, user=people.officer) if m.name == "open"]
        assert not option.available and "Add at least one destination." in option.reasons[0]

        ready(call, world, people.officer)
        opened = services.call_move(call=call, actor=people.officer, move="open")
        assert opened.state == CallState.OPEN and opened.published_at is not None
        entry = TransitionLog.objects.get(object_id=call.pk, action="open")
        assert (entry.from_state, entry.to_state, entry.actor) == ("draft", "open", people.officer)

    def test_a_school_coordinator_runs_the_school_s_call_and_nobody_else_does(self, org, people, world):
        call = ready(draft(org, people.coordinator, unit=org.engineering), world, people.coordinator)
        for outsider in (
            people.other_coordinator,
            people.staff,
            people.leadership,
            people.student,
            world.contact,
        ):
            with pytest.raises(PermissionDeniedError):
                services.call_move(call=call, actor=outsider, move="open")
            assert moves_for(case=call, user=outsider) == []
        services.call_move(call=call, actor=people.coordinator, move="open")
        services.call_move(call=call, actor=people.coordinator, move="close")
        assert Call.objects.get(pk=call.pk).state == CallState.CLOSED

    def test_cancel_needs_a_reason_and_gives_the_places_back(self, org, people, world):
        call = ready(draft(org, people.officer), world, people.officer)
        with pytest.raises(ValidationError):
            services.call_move(call=call, actor=people.officer, move="cancel")
        services.call_move(call=call, actor=people.officer, move="cancel", comment="No funding this year")
        assert Call.objects.get(pk=call.pk).state == CallState.CANCELLED
        other = draft(org, people.officer)
        services.destination_add_from_condition(
            call=other, condition=world.outgoing, places=2, actor=people.officer
        )

    def test_allocation_is_a_system_move_and_finish_waits_for_the_publicity(self, org, people):
        call = make_call(unit=org.intl_office, state=CallState.CLOSED)
        assert "allocated" not in {m.name for m in moves_for(case=call, user=people.officer)}
        with pytest.raises(PermissionDeniedError):
            case_move(case=call, actor=people.officer, move="allocated")
        published = make_call(unit=org.intl_office, state=CallState.PUBLISHED)
        [finish] = [m for m in moves_for(case=published, user=people.officer) if m.name == "finish"]
        assert not finish.available and finish.reasons == ["Publish the results first."]

    def test_an_open_call_cannot_be_reopened_or_opened_twice(self, org, people):
        call = make_call(unit=org.intl_office, state=CallState.OPEN)
        with pytest.raises(TransitionError):
            services.call_move(call=call, actor=people.officer, move="open")


class TestCloseJob:
    def test_calls_past_their_deadline_are_closed_once(self, org, people):
        now = timezone.now()
        past = make_call(
            unit=org.intl_office,
            opens_at=now - datetime.timedelta(days=30),
            closes_at=now - datetime.timedelta(minutes=5),
        )
        running = make_call(unit=org.intl_office)
        draft_past = make_call(
            unit=org.intl_office,
            state=CallState.DRAFT,
            opens_at=now - datetime.timedelta(days=30),
            closes_at=now - datetime.timedelta(minutes=5),
        )
        assert services.calls_close_due(now=now) == 1
        assert services.calls_close_due(now=now) == 0
        states = dict(Call.objects.values_list("pk", "state"))
        assert states == {
            past.pk: CallState.CLOSED,
            running.pk: CallState.OPEN,
            draft_past.pk: CallState.DRAFT,
        }
        entry = TransitionLog.objects.get(object_id=past.pk, action="close")
        # Nothing English is stored: the call's history gives the reason in the reader's language.
        assert entry.actor is None and entry.comment == ""
        from meridian.mobility.views.calls import _log_rows

        assert _log_rows(past)[0]["comment"] == "The application deadline has passed."
        with translation.override("zh-hans"):
            assert "截止" in str(_log_rows(past)[0]["comment"])

    def test_an_extended_deadline_keeps_the_call_open(self, org, people):
        now = timezone.now()
        call = make_call(unit=org.intl_office, closes_at=now + datetime.timedelta(hours=1))
        assert services.calls_close_due(now=now) == 0
        assert services.calls_close_due(now=now + datetime.timedelta(hours=2)) == 1
        assert Call.objects.get(pk=call.pk).state == CallState.CLOSED

    def test_the_job_is_registered_and_runs(self, org, django_capture_on_commit_callbacks):
        from meridian.mobility.tasks_calls import calls_close_task

        job = registry.scheduled_jobs.get("mobility.calls_close")
        assert job.task() is calls_close_task and job.every == datetime.timedelta(minutes=15)
        now = timezone.now()
        make_call(
            unit=org.intl_office,
            opens_at=now - datetime.timedelta(days=30),
            closes_at=now - datetime.timedelta(minutes=5),
        )
        with django_capture_on_commit_callbacks(execute=True):
            result = calls_close_task.enqueue(now.isoformat())
        assert result.return_value == {"closed": 1}
