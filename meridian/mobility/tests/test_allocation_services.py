"""Allocation services: a run over ranked applications, the publication with its dates, the re-allocation of
a declined or withdrawn place, the expiry job and its clock, and undoing an unpublished allocation."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from meridian.clocks.calendar import add_working_days
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.models import Notification
from meridian.mobility import casework
from meridian.mobility.choices import ApplicationState, CallState, CefrLevel
from meridian.mobility.models import AllocationRun, Application
from meridian.mobility.services.allocation import allocation_run, allocation_undo, place_released
from meridian.mobility.tasks_selection import offers_expire
from meridian.mobility.tests.factories_selection import add_destination, selection_world
from meridian.workflow.services import case_move

A = ApplicationState


def _fresh(applications):
    for a in applications:
        a.refresh_from_db()
    return applications


def _notes(application, verb_prefix="workflow."):
    return Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(Application),
        object_id=application.pk,
        verb__startswith=verb_prefix,
    )


def _publish(call, officer):
    return case_move(case=call, actor=officer, move="publish_results")


def test_allocation_run_offers_by_rank_and_explains(org, people):
    world = selection_world(org, places=(1, 1), students=3)
    with pytest.raises(PermissionDeniedError):
        allocation_run(call=world.call, actor=people.other_coordinator)
    result = allocation_run(call=world.call, actor=people.officer)
    first, second, third = _fresh(world.applications)
    one, two = world.destinations
    assert (first.state, first.offered_id, first.offered_preference) == (A.OFFERED, one.pk, 1)
    assert (second.state, second.offered_id, second.offered_preference) == (A.OFFERED, two.pk, 2)
    assert second.allocation[0] == {"preference": 1, "destination": one.pk, "outcome": "taken", "by_rank": 1}
    assert third.state == A.WAITLISTED and third.offered_id is None
    assert [i["outcome"] for i in third.allocation] == ["waitlisted", "waitlisted"]
    assert (result.offered, result.waitlisted) == (2, 1)
    world.call.refresh_from_db()
    assert world.call.state == CallState.ALLOCATED
    run = AllocationRun.objects.get(call=world.call)
    assert run.summary["places_left"] == 0 and len(run.summary["input_hash"]) == 64 and not run.reallocation
    # The student hears nothing before the results are published.
    assert not _notes(first).exists()


def test_language_requirement_of_a_destination(org, people):
    world = selection_world(org, places=(1,), students=1)
    demanding = add_destination(world.call, 5, language="de", min_cefr=CefrLevel.B2)
    application = world.applications[0]
    application.preferences.all().delete()
    application.preferences.create(destination=demanding, rank=1)
    allocation_run(call=world.call, actor=people.officer)
    application.refresh_from_db()
    assert application.state == A.WAITLISTED
    assert application.allocation == [
        {"preference": 1, "destination": demanding.pk, "outcome": "not_eligible", "by_rank": None}
    ]


def test_allocation_refuses_until_ready(org, people):
    world = selection_world(org, students=2, ranked=False)
    with pytest.raises(TransitionError, match="ranking"):
        allocation_run(call=world.call, actor=people.officer)
    Application.objects.filter(pk=world.applications[0].pk).update(state=A.SUBMITTED, rank=1)
    with pytest.raises(TransitionError, match="school"):
        allocation_run(call=world.call, actor=people.officer)
    world.call.state = CallState.OPEN
    world.call.save()
    with pytest.raises(TransitionError):
        allocation_run(call=world.call, actor=people.officer)
    assert not AllocationRun.objects.exists()


def test_run_again_moves_only_what_changed(org, people):
    world = selection_world(org, places=(1, 1), students=3)
    allocation_run(call=world.call, actor=people.officer)
    first, second, third = world.applications
    # The committee re-ranks: the third is now first.
    Application.objects.filter(pk=third.pk).update(rank=0)
    result = allocation_run(call=world.call, actor=people.officer)
    first, second, third = _fresh(world.applications)
    assert third.state == A.OFFERED and third.offered_id == world.destinations[0].pk
    assert first.state == A.OFFERED and first.offered_id == world.destinations[1].pk
    assert second.state == A.WAITLISTED
    assert result.moved == 3
    assert AllocationRun.objects.filter(call=world.call).count() == 2


def test_publication_sets_dates_and_tells_each_applicant(org, people):
    world = selection_world(org, places=(1,), students=2, offer_days=10)
    allocation_run(call=world.call, actor=people.officer)
    day = datetime.date(2026, 4, 29)  # before the May Day holidays
    with casework.evaluation_date(day):
        _publish(world.call, people.officer)
    world.call.refresh_from_db()
    end = add_working_days(day, settings.MOBILITY_PUBLICITY_WORKING_DAYS)
    assert world.call.state == CallState.PUBLISHED and world.call.results_published_at is not None
    assert world.call.publicity_ends_on == end and end > day + datetime.timedelta(days=7)
    offered, waiting = _fresh(world.applications)
    assert offered.offer_expires_on == end + datetime.timedelta(days=10)
    assert _notes(offered, "mobility.offer").count() == 1
    assert _notes(waiting, "mobility.waitlist").count() == 1


def test_the_offer_mail_is_in_the_students_language(org, people, django_capture_on_commit_callbacks):
    """The e-mail of the offer follows the student's own language: their e-mail preference, else the
    language their account prefers (Chinese here); a student without either reads English."""
    from django.core import mail
    from django.utils import translation

    from meridian.core.models import NotificationPreference

    world = selection_world(org, places=(1, 1), students=3, offer_days=10)
    chinese, english, chosen = world.applications
    type(chinese.student).objects.filter(pk=chinese.student_id).update(preferred_language="zh-hans")
    type(chosen.student).objects.filter(pk=chosen.student_id).update(preferred_language="en")
    NotificationPreference.objects.create(user=chosen.student, language="zh-hans")
    allocation_run(call=world.call, actor=people.officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _publish(world.call, people.officer)
    offers = {m.to[0]: m for m in mail.outbox if "/exchange/my/applications/" in m.body}
    with translation.override("zh-hans"):
        marker = translation.gettext("You are offered an exchange place: %(destination)s") % {
            "destination": ""
        }
    assert marker.strip() != "You are offered an exchange place:"
    assert offers[chinese.student.email].subject.startswith(marker.strip())
    assert offers[english.student.email].subject.startswith("You are offered an exchange place:")
    waiting = [m for m in mail.outbox if m.to == [chosen.student.email]]
    assert waiting and all("waiting list" not in m.subject for m in waiting)  # the preference says Chinese


def test_publication_needs_a_complete_allocation(org, people):
    world = selection_world(org, places=(1,), students=2)
    allocation_run(call=world.call, actor=people.officer)
    assert allocation_undo(call=world.call, actor=people.officer) == 2
    first, second = _fresh(world.applications)
    assert first.state == A.PRE_APPROVED and first.offered_id is None and first.allocation == []
    with pytest.raises(TransitionError, match="allocation"):
        _publish(world.call, people.officer)
    world.call.refresh_from_db()
    assert world.call.state == CallState.ALLOCATED


def test_declined_place_goes_to_the_best_waiting(org, people):
    world = selection_world(org, places=(1, 1), students=4)
    allocation_run(call=world.call, actor=people.officer)
    day = datetime.date(2026, 3, 2)
    with casework.evaluation_date(day):
        _publish(world.call, people.officer)
        first, second, third, fourth = _fresh(world.applications)
        case_move(case=second, actor=second.student, move="accept_offer")
        case_move(case=first, actor=first.student, move="decline_offer")
    first, second, third, fourth = _fresh(world.applications)
    assert first.state == A.DECLINED and second.state == A.ACCEPTED
    assert third.state == A.OFFERED and third.offered_id == world.destinations[0].pk
    assert third.offer_expires_on == day + datetime.timedelta(days=world.call.offer_days)
    assert fourth.state == A.WAITLISTED
    assert fourth.allocation[0]["by_rank"] == 3  # the place at the first destination now went to rank 3
    run = AllocationRun.objects.get(call=world.call, reallocation=True)
    assert run.summary["offered"] == 1 and run.summary["released"] == first.number
    assert _notes(third, "mobility.").count() == 2  # waiting-list notice at publication, then the offer
    assert not _notes(third, "workflow.offer").exists()


def test_withdrawal_before_publication_and_nothing_to_release(org, people):
    world = selection_world(org, places=(1,), students=3)
    allocation_run(call=world.call, actor=people.officer)
    first, second, third = _fresh(world.applications)
    # A waiting application that withdraws holds no place: nothing is re-allocated.
    case_move(case=third, actor=third.student, move="withdraw", comment="Other plans")
    assert not AllocationRun.objects.filter(reallocation=True).exists()
    case_move(case=first, actor=first.student, move="withdraw", comment="Changed my mind")
    second.refresh_from_db()
    assert second.state == A.OFFERED and second.offer_expires_on is None  # dated at publication
    assert AllocationRun.objects.filter(reallocation=True).count() == 1
    # Not published yet: the student hears nothing of the offer.
    assert not _notes(second, "mobility.").exists() and not _notes(second).exists()
    first.refresh_from_db()
    assert place_released(application=first, actor=None) is None  # nobody waits any more


def test_expiry_job_releases_the_place(org, people):
    world = selection_world(org, places=(1,), students=2)
    allocation_run(call=world.call, actor=people.officer)
    day = datetime.date(2026, 3, 2)
    with casework.evaluation_date(day):
        _publish(world.call, people.officer)
    first, second = _fresh(world.applications)
    deadline = first.offer_expires_on
    assert offers_expire(deadline)["expired"] == 0  # the last day still counts
    result = offers_expire(deadline + datetime.timedelta(days=1))
    assert result["expired"] == 1
    first, second = _fresh(world.applications)
    assert first.state == A.DECLINED
    assert second.state == A.OFFERED
    assert second.offer_expires_on == deadline + datetime.timedelta(days=1 + world.call.offer_days)
    assert offers_expire(deadline + datetime.timedelta(days=1))["expired"] == 0  # idempotent


def test_offer_answer_clock_opens_and_closes(org, people):
    from meridian.clocks.models import Obligation

    world = selection_world(org, places=(1,), students=1)
    allocation_run(call=world.call, actor=people.officer)
    assert offers_expire(datetime.date(2026, 3, 2))["opened"] == 0  # not published: no deadline yet
    with casework.evaluation_date(datetime.date(2026, 3, 2)):
        _publish(world.call, people.officer)
    application = world.applications[0]
    assert offers_expire(datetime.date(2026, 3, 2))["opened"] == 1
    obligation = Obligation.objects.get(rule="mobility.offer_answer")
    application.refresh_from_db()
    assert obligation.responsible_id == application.student_id and obligation.state == "open"
    with casework.evaluation_date(datetime.date(2026, 3, 3)):
        case_move(case=application, actor=application.student, move="accept_offer")
    assert offers_expire(datetime.date(2026, 3, 3))["met"] == 1
