"""Lectures: the outline-review rule (needed or not, days ahead from the rule pack), the moves (submit,
decide, publish, unpublish, cancel, edit) and the review clocks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meridian.clocks.models import Obligation
from meridian.clocks.services import clocks_sync
from meridian.core.errors import PermissionDeniedError, StaleEditError, TransitionError
from meridian.core.models import Notification
from meridian.visitors import rules_lectures
from meridian.visitors.choices import LectureReview, LectureState
from meridian.visitors.deadlines_lectures import OUTLINE_RULE, REVIEW_RULE
from meridian.visitors.models import Lecture
from meridian.visitors.selectors import lectures as selectors
from meridian.visitors.services import lectures as services
from meridian.visitors.tests.factories import make_guest
from meridian.visitors.tests.factories_lectures import (
    approved,
    at,
    chinese_guest,
    file_lecture,
    published,
    scholar_visit,
    staff_user,
)
from meridian.workflow.rulepack import ruleset_publish

pytestmark = pytest.mark.django_db


def set_rule(people, **parameters) -> None:
    enabled = parameters.pop("enabled", True)
    ruleset_publish(
        context="visitors",
        actor=people.admin,
        settings={rules_lectures.CODE: {"enabled": enabled, "parameters": parameters}},
    )


# --- the rule -----------------------------------------------------------------------------------------------


def test_the_rule_is_a_settings_only_entry_of_the_visitors_pack_with_a_source():
    from meridian.workflow.rulepack import rule_packs

    pack = rule_packs.get("visitors")
    assert rules_lectures.CODE in [d.code for d in pack.settings_only]
    definition = pack.get(rules_lectures.CODE)
    assert definition.defaults() == {"review_required": True, "days_ahead": 7}
    assert definition.source.url.startswith("https://")


def test_a_public_lecture_by_a_foreign_speaker_needs_review_due_seven_days_ahead(org, people):
    lecture = file_lecture(org, people, days=30)
    assert rules_lectures.review_needed(lecture)
    assert lecture.review_due_on == timezone.localdate(lecture.starts_at) - datetime.timedelta(days=7)


def test_no_review_for_a_lecture_closed_to_the_public(org, people):
    lecture = file_lecture(org, people, is_public=False)
    assert not rules_lectures.review_needed(lecture)
    assert lecture.review_due_on is None


def test_no_review_for_a_chinese_national_speaker(org, people):
    visit = scholar_visit(org, people)
    guest = chinese_guest(visit)
    lecture = file_lecture(org, people, visit=visit, guest=guest, starts_at=at(31), ends_at=at(31, 16))
    assert not rules_lectures.review_needed(lecture)
    foreign = file_lecture(
        org,
        people,
        visit=visit,
        guest=visit.guests.exclude(pk=guest.pk).first(),
        starts_at=at(31),
        ends_at=at(31, 16),
    )
    assert rules_lectures.review_needed(foreign)


def test_days_ahead_follows_the_rule_parameter(org, people):
    set_rule(people, days_ahead="15")
    lecture = file_lecture(org, people, days=30)
    assert rules_lectures.days_ahead() == 15
    assert lecture.review_due_on == timezone.localdate(lecture.starts_at) - datetime.timedelta(days=15)
    # A lecture 10 days away is inside the 15-day window: too late to submit, so it cannot be published.
    late = file_lecture(org, people, days=10)
    with pytest.raises(TransitionError, match="15 days before the lecture"):
        services.lecture_submit_for_review(lecture=late, actor=people.coordinator)


@pytest.mark.parametrize("settings_", [{"review_required": "no"}, {"enabled": False}])
def test_switching_the_review_off_lets_lectures_publish_directly(org, people, settings_):
    set_rule(people, **settings_)
    lecture = file_lecture(org, people)
    assert lecture.review_due_on is None
    lecture = services.lecture_publish(lecture=lecture, actor=people.coordinator)
    assert lecture.state == LectureState.PUBLISHED
    assert Lecture.objects.public().filter(pk=lecture.pk).exists()


# --- submitting and deciding ------------------------------------------------------------------------------


def test_submitting_needs_the_outline(org, people):
    lecture = file_lecture(org, people, outline="")
    with pytest.raises(ValidationError) as exc:
        services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)
    assert "outline" in exc.value.message_dict
    lecture.refresh_from_db()
    assert lecture.review == LectureReview.NOT_NEEDED


def test_submitting_tells_the_office_and_the_office_decides(org, people):
    lecture = file_lecture(org, people)
    lecture = services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)
    assert lecture.review == LectureReview.PENDING
    assert Notification.objects.filter(recipient=people.officer, verb="visitors.lecture_review").exists()
    with pytest.raises(PermissionDeniedError):
        services.lecture_review_decide(lecture=lecture, actor=people.coordinator, approve=True)
    lecture = services.lecture_review_decide(
        lecture=lecture, actor=people.officer, approve=True, comment="Fine."
    )
    assert (lecture.review, lecture.reviewed_by, lecture.review_comment) == (
        LectureReview.APPROVED,
        people.officer,
        "Fine.",
    )
    assert Notification.objects.filter(
        recipient=people.coordinator, verb="visitors.lecture_review_decided"
    ).exists()


def test_a_rejection_needs_a_reason_and_the_outline_can_be_submitted_again(org, people):
    lecture = services.lecture_submit_for_review(lecture=file_lecture(org, people), actor=people.coordinator)
    with pytest.raises(ValidationError):
        services.lecture_review_decide(lecture=lecture, actor=people.officer, approve=False, comment=" ")
    lecture = services.lecture_review_decide(
        lecture=lecture, actor=people.officer, approve=False, comment="Section 3 is off topic."
    )
    assert lecture.review == LectureReview.REJECTED
    with pytest.raises(TransitionError, match="not approved"):
        services.lecture_publish(lecture=lecture, actor=people.coordinator)
    lecture = services.lecture_update(
        lecture=lecture, actor=people.coordinator, outline="1. Grids. 2. Storage."
    )
    lecture = services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)
    assert lecture.review == LectureReview.PENDING
    with pytest.raises(TransitionError, match="already"):
        services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)


def test_deciding_twice_is_refused(org, people):
    lecture = approved(file_lecture(org, people), people)
    with pytest.raises(TransitionError):
        services.lecture_review_decide(lecture=lecture, actor=people.officer, approve=False, comment="No")


def test_a_lecture_that_needs_no_review_is_not_submitted(org, people):
    lecture = file_lecture(org, people, is_public=False)
    with pytest.raises(TransitionError, match="needs no outline review"):
        services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)


# --- publishing ---------------------------------------------------------------------------------------------


def test_publishing_a_public_lecture_needs_the_approved_review(org, people):
    lecture = file_lecture(org, people)
    with pytest.raises(TransitionError, match="submit the outline for review by"):
        services.lecture_publish(lecture=lecture, actor=people.coordinator)
    lecture = services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)
    with pytest.raises(TransitionError, match="under review"):
        services.lecture_publish(lecture=lecture, actor=people.coordinator)
    lecture = services.lecture_review_decide(lecture=lecture, actor=people.officer, approve=True)
    lecture = services.lecture_publish(lecture=lecture, actor=people.coordinator)
    assert (lecture.state, lecture.sequence) == (LectureState.PUBLISHED, 1)
    assert list(Lecture.objects.public()) == [lecture]


def test_a_lecture_inside_the_review_window_that_was_not_reviewed_cannot_be_published(org, people):
    lecture = file_lecture(org, people, days=3)
    with pytest.raises(TransitionError) as exc:
        services.lecture_publish(lecture=lecture, actor=people.coordinator)
    assert "It was not reviewed, so it cannot be published" in exc.value.message
    assert lecture.review_due_on is not None
    assert lecture.review_due_on.isoformat() in exc.value.message
    with pytest.raises(TransitionError, match="had to be submitted by"):
        services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)
    lecture.refresh_from_db()
    assert lecture.state == LectureState.DRAFT


def test_a_lecture_closed_to_the_public_publishes_without_review(org, people):
    lecture = services.lecture_publish(
        lecture=file_lecture(org, people, is_public=False), actor=people.coordinator
    )
    assert lecture.state == LectureState.PUBLISHED
    assert not Lecture.objects.public().exists()


def test_unpublish_and_cancel_bump_the_sequence(org, people):
    lecture = published(org, people)
    lecture = services.lecture_unpublish(lecture=lecture, actor=people.coordinator)
    assert (lecture.state, lecture.sequence) == (LectureState.DRAFT, 2)
    lecture = services.lecture_publish(lecture=lecture, actor=people.coordinator)
    lecture = services.lecture_cancel(lecture=lecture, actor=people.coordinator, reason="Flight cancelled")
    assert (lecture.state, lecture.sequence) == (LectureState.CANCELLED, 4)
    assert list(selectors.feed_lectures()) == [lecture]
    with pytest.raises(TransitionError):
        services.lecture_cancel(lecture=lecture, actor=people.coordinator)
    with pytest.raises(TransitionError):
        services.lecture_update(lecture=lecture, actor=people.coordinator, place_en="Room 2")


def test_a_draft_never_published_leaves_no_trace_in_the_feed_when_cancelled(org, people):
    lecture = services.lecture_cancel(lecture=file_lecture(org, people), actor=people.coordinator)
    assert lecture.sequence == 0
    assert not selectors.feed_lectures().exists()


# --- editing ------------------------------------------------------------------------------------------------


def test_changing_the_place_of_a_published_lecture_keeps_it_published(org, people):
    lecture = published(org, people)
    lecture = services.lecture_update(
        lecture=lecture, actor=people.coordinator, expected_version=lecture.version, place_en="Room 2"
    )
    assert (lecture.state, lecture.review, lecture.sequence, lecture.place_en) == (
        LectureState.PUBLISHED,
        LectureReview.APPROVED,
        2,
        "Room 2",
    )


def test_changing_the_approved_outline_puts_the_review_back_and_unpublishes(org, people):
    lecture = published(org, people)
    lecture = services.lecture_update(lecture=lecture, actor=people.coordinator, outline="A new outline")
    assert (lecture.state, lecture.review) == (LectureState.DRAFT, LectureReview.NOT_NEEDED)
    assert not Lecture.objects.public().exists()


def test_the_outline_under_review_cannot_change(org, people):
    lecture = services.lecture_submit_for_review(lecture=file_lecture(org, people), actor=people.coordinator)
    with pytest.raises(TransitionError, match="under review"):
        services.lecture_update(lecture=lecture, actor=people.coordinator, outline="Other")
    # Practical details may still change while the office reads it.
    lecture = services.lecture_update(lecture=lecture, actor=people.coordinator, place_zh="二号厅")
    assert lecture.review == LectureReview.PENDING


def test_moving_the_lecture_moves_the_due_date(org, people):
    lecture = file_lecture(org, people, days=30)
    lecture = services.lecture_update(
        lecture=lecture, actor=people.coordinator, starts_at=at(40), ends_at=at(40, 16)
    )
    assert lecture.review_due_on == timezone.localdate() + datetime.timedelta(days=33)


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(org, people):
    lecture = file_lecture(org, people)
    version = lecture.version
    services.lecture_update(
        lecture=lecture, actor=people.coordinator, expected_version=version, place_en="Room 2"
    )
    with pytest.raises(StaleEditError) as exc:
        services.lecture_update(
            lecture=lecture, actor=people.officer, expected_version=version, place_en="Room 3"
        )
    assert [c.field for c in exc.value.changes] == ["place_en"]
    lecture.refresh_from_db()
    assert lecture.place_en == "Room 2"


def test_bad_values_are_refused_per_field(org, people):
    with pytest.raises(ValidationError) as exc:
        file_lecture(org, people, speaker=" ", title_en="", ends_at=at(30, 10))
    assert set(exc.value.message_dict) == {"speaker", "title_en", "ends_at"}
    assert not Lecture.objects.exists()


# --- lectures of a visit ------------------------------------------------------------------------------------


def test_a_visit_lecture_is_held_during_the_visit_by_one_of_its_guests(org, people):
    visit = scholar_visit(org, people, starts_in=30, days=3)
    guest = visit.guests.first()
    with pytest.raises(ValidationError) as exc:
        file_lecture(org, people, visit=visit, guest=guest, starts_at=at(40), ends_at=at(40, 16))
    assert "starts_at" in exc.value.message_dict
    other = scholar_visit(org, people)
    with pytest.raises(ValidationError) as exc:
        file_lecture(
            org, people, visit=visit, guest=other.guests.first(), starts_at=at(31), ends_at=at(31, 16)
        )
    assert "guest" in exc.value.message_dict
    lecture = file_lecture(org, people, visit=visit, guest=guest, starts_at=at(31), ends_at=at(31, 16))
    assert lecture.visit == visit


def test_the_host_files_lectures_of_their_visit_but_other_staff_cannot(org, people):
    visit = scholar_visit(org, people, starts_in=30)
    lecture = file_lecture(org, people, actor=people.staff, visit=visit, starts_at=at(31), ends_at=at(31, 16))
    assert lecture.created_by == people.staff
    with pytest.raises(PermissionDeniedError):
        file_lecture(org, people, actor=people.staff, starts_at=at(31), ends_at=at(31, 16))
    with pytest.raises(PermissionDeniedError):
        file_lecture(org, people, actor=staff_user(org), visit=visit, starts_at=at(31), ends_at=at(31, 16))
    with pytest.raises(PermissionDeniedError):
        services.lecture_publish(lecture=lecture, actor=people.other_coordinator)


def test_guest_defaults_give_the_speaker_and_the_organisation(org, people):
    visit = scholar_visit(org, people)
    guest = make_guest(visit, family_name="Meier", given_name="Jonas")
    assert services.guest_defaults(guest) == {
        "speaker": "Jonas Meier",
        "speaker_affiliation": "Heidelberg University",
    }


# --- clocks -------------------------------------------------------------------------------------------------


def obligation(lecture, rule) -> Obligation:
    return Obligation.objects.get(object_id=lecture.pk, rule=rule, state="open")


def test_the_organiser_is_reminded_until_the_outline_is_submitted_and_the_office_until_it_decides(
    org, people
):
    lecture = file_lecture(org, people, days=30)
    not_needed = file_lecture(org, people, is_public=False)
    clocks_sync(rule=OUTLINE_RULE)
    clocks_sync(rule=OUTLINE_RULE)  # idempotent
    clock = obligation(lecture, OUTLINE_RULE)
    assert (clock.responsible, clock.unit, timezone.localdate(clock.due_at)) == (
        people.coordinator,
        org.computing,
        lecture.review_due_on,
    )
    assert not Obligation.objects.filter(object_id=not_needed.pk).exists()
    lecture = services.lecture_submit_for_review(lecture=lecture, actor=people.coordinator)
    assert not Obligation.objects.filter(rule=OUTLINE_RULE, state="open").exists()
    clocks_sync(rule=REVIEW_RULE)
    review_clock = obligation(lecture, REVIEW_RULE)
    assert review_clock.responsible is None
    assert timezone.localdate(review_clock.due_at) == timezone.localdate(
        lecture.starts_at
    ) - datetime.timedelta(days=1)
    lecture = services.lecture_review_decide(
        lecture=lecture, actor=people.officer, approve=False, comment="No."
    )
    assert not Obligation.objects.filter(rule=REVIEW_RULE, state="open").exists()
    # The rejected outline is to be submitted again: a new clock of a new round.
    clocks_sync(rule=OUTLINE_RULE)
    again = obligation(lecture, OUTLINE_RULE)
    assert again.key != clock.key


def test_the_clocks_close_when_the_lecture_is_cancelled(org, people):
    lecture = file_lecture(org, people, days=30)
    clocks_sync(rule=OUTLINE_RULE)
    services.lecture_cancel(lecture=lecture, actor=people.coordinator)
    assert not Obligation.objects.filter(rule=OUTLINE_RULE, state="open").exists()
    clocks_sync(rule=OUTLINE_RULE)
    assert not Obligation.objects.filter(rule=OUTLINE_RULE, state="open").exists()
