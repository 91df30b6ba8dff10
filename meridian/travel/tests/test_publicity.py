"""Publicity notices (公示): working-day counting under the Chinese holiday calendar, the notice text, the
notice board and objections with their permissions, the daily completion job, and the submission guard."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.travel.casework import evaluation_date
from meridian.travel.choices import BudgetKind, NoticePhase, NoticeState, TripState
from meridian.travel.models import BudgetLine, NoticeObjection, PublicityNotice
from meridian.travel.services import publicity
from meridian.travel.tests.factories import make_trip
from meridian.workflow.services import case_move
from meridian.workflow.testing import partner_contact_user

D = datetime.date
# Tuesday before National Day 2026: 29 and 30 September are working days, 1–7 October are the holiday,
# Saturday 10 October is worked in exchange (调休).
BEFORE_NATIONAL_DAY = D(2026, 9, 29)


def _login(client, user):
    client.force_login(user)
    return client


def _trip(org, people, **fields):
    fields.setdefault("depart_on", D(2027, 3, 1))
    fields.setdefault("return_on", D(2027, 3, 5))
    leader = make_person(
        kind=PersonKind.STAFF, unit=org.computing, family_name="Wang", given_name="Wu", name_zh="王五"
    )
    trip = make_trip(unit=org.computing, applicant=people.staff, leader=leader, **fields)
    BudgetLine.objects.create(trip=trip, kind=BudgetKind.REGISTRATION, amount=Decimal("450"), currency="EUR")
    return trip


def _publish(trip, day=BEFORE_NATIONAL_DAY, phase=NoticePhase.BEFORE, actor=None):
    with evaluation_date(day):
        return publicity.notice_publish(trip=trip, phase=phase, actor=actor)


@pytest.fixture
def rules_pass(monkeypatch):
    """The rule pack is tested on its own; here it lets every trip pass."""
    monkeypatch.setattr("meridian.travel.rules.blocking_messages", lambda trip: [])


@pytest.mark.django_db
class TestWorkingDays:
    def test_the_count_skips_national_day_and_includes_the_swapped_saturday(self):
        # 29, 30 September, then 8, 9 and the working Saturday 10 October.
        assert publicity.notice_end_date(BEFORE_NATIONAL_DAY, 5) == D(2026, 10, 10)

    def test_a_working_publication_day_counts_as_the_first_day(self):
        monday = D(2026, 11, 30)
        assert publicity.notice_end_date(monday, 5) == D(2026, 12, 4)
        assert publicity.notice_end_date(monday, 1) == monday

    def test_a_notice_published_on_a_holiday_starts_counting_on_the_next_working_day(self):
        # Published on 1 October (holiday): 8, 9, 10, 12, 13 October.
        assert publicity.notice_end_date(D(2026, 10, 1), 5) == D(2026, 10, 13)

    def test_a_site_closure_is_not_counted(self, people):
        from meridian.clocks.services import calendar_day_create

        # A university closure on Wednesday 2 December 2026 pushes the end from Friday to Monday.
        calendar_day_create(actor=people.admin, day=D(2026, 12, 2), kind="closure", name_en="Anniversary")
        assert publicity.notice_end_date(D(2026, 11, 30), 5) == D(2026, 12, 7)

    def test_the_length_follows_the_rule_parameter(self, monkeypatch):
        monkeypatch.setattr(publicity, "_parameter", lambda name, default: 3)
        assert publicity.publicity_working_days() == 3

    def test_the_published_notice_uses_the_parameter_and_the_calendar(self, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        assert notice.starts_on == BEFORE_NATIONAL_DAY
        assert notice.ends_on == D(2026, 10, 10)
        assert notice.working_days == 5
        assert notice.state == NoticeState.RUNNING


class TestNoticeText:
    def test_the_text_lists_people_places_task_inviter_and_budget_per_currency(self, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        assert "WANG Wu" in notice.text
        assert "Professor" in notice.text
        assert "Germany" in notice.text
        assert "Heidelberg" in notice.text
        assert "Present a paper" in notice.text
        assert "Heidelberg University" in notice.text
        assert "CNY 9,000.00" in notice.text and "EUR 450.00" in notice.text
        assert "2026-10-10" in notice.text
        # The Chinese version names people, units and countries in Chinese.
        assert "王五" in notice.text_zh
        assert "德国" in notice.text_zh
        assert org.computing.name_zh in notice.text_zh

    def test_a_second_running_notice_is_refused(self, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        _publish(trip)
        with pytest.raises(TransitionError):
            _publish(trip)

    def test_withdrawing_the_publicity_withdraws_the_notice(self, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        with evaluation_date(BEFORE_NATIONAL_DAY):
            case_move(case=trip, actor=people.staff, move="withdraw_publicity")
        notice.refresh_from_db()
        trip.refresh_from_db()
        assert trip.state == TripState.DRAFT
        assert notice.state == NoticeState.WITHDRAWN


class TestObjections:
    def test_any_member_of_staff_objects_and_the_office_resolves(self, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        objection = publicity.objection_raise(
            notice=notice, actor=people.other_coordinator, text="Duplicate trip"
        )
        with pytest.raises(PermissionDeniedError):
            publicity.objection_resolve(
                objection=objection, actor=people.coordinator, upheld=True, resolution="x"
            )
        publicity.objection_resolve(
            objection=objection, actor=people.officer, upheld=False, resolution="Checked"
        )
        objection.refresh_from_db()
        assert objection.resolved_by == people.officer and objection.upheld is False

    def test_an_objection_needs_text_and_a_member_of_staff(self, org, people):
        notice = _publish(_trip(org, people, state=TripState.PUBLICITY))
        with pytest.raises(ValidationError):
            publicity.objection_raise(notice=notice, actor=people.staff, text="  ")
        with pytest.raises(PermissionDeniedError):
            publicity.objection_raise(notice=notice, actor=people.student, text="No")
        assert not NoticeObjection.objects.exists()

    def test_a_resolution_needs_text(self, org, people):
        notice = _publish(_trip(org, people, state=TripState.PUBLICITY))
        objection = publicity.objection_raise(notice=notice, actor=people.staff, text="Wrong dates")
        with pytest.raises(ValidationError):
            publicity.objection_resolve(objection=objection, actor=people.officer, upheld=True, resolution="")


class TestBoardPages:
    def test_staff_see_the_board_students_and_partner_contacts_do_not(self, client, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY, title="Visit to Heidelberg")
        notice = _publish(trip)
        for user in (people.other_coordinator, people.leadership, people.officer):
            client.logout()
            response = _login(client, user).get(reverse("travel:notice_board"))
            assert response.status_code == 200
            assert "Visit to Heidelberg" in response.content.decode()
            assert client.get(reverse("travel:notice_detail", args=[notice.pk])).status_code == 200
        for user in (people.student, partner_contact_user(org), people.outsider):
            client.logout()
            _login(client, user)
            assert client.get(reverse("travel:notice_board")).status_code == 403
            assert client.get(reverse("travel:notice_detail", args=[notice.pk])).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, org, people):
        response = client.get(reverse("travel:notice_board"))
        assert response.status_code == 302 and "login" in response["Location"]

    def test_objection_and_resolution_through_the_page(self, client, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        url = reverse("travel:notice_detail", args=[notice.pk])
        _login(client, people.other_coordinator)
        response = client.post(url, {"action": "object", "text": ""})
        assert response.status_code == 200 and not NoticeObjection.objects.exists()
        client.post(url, {"action": "object", "text": "The budget is too high."})
        objection = NoticeObjection.objects.get()
        # The objector cannot resolve.
        assert (
            client.post(
                url, {"action": "resolve", "objection": objection.pk, "upheld": "1", "resolution": "x"}
            ).status_code
            == 403
        )
        client.logout()
        _login(client, people.officer)
        page = client.get(url).content.decode()
        assert "The budget is too high." in page and "Resolve the objection" in page
        client.post(
            url, {"action": "resolve", "objection": objection.pk, "upheld": "1", "resolution": "Budget cut"}
        )
        objection.refresh_from_db()
        assert objection.upheld and objection.resolution == "Budget cut"
        assert "Upheld" in client.get(url).content.decode()


class TestCompletionAndSubmission:
    def test_the_job_completes_notices_once_their_last_day_has_passed(self, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        assert publicity.notices_complete_due(today=D(2026, 10, 10)) == 0
        assert publicity.notices_complete_due(today=D(2026, 10, 11)) == 1
        assert publicity.notices_complete_due(today=D(2026, 10, 12)) == 0
        notice.refresh_from_db()
        assert notice.state == NoticeState.COMPLETED
        assert "no objection" in notice.outcome

    def test_the_job_is_registered_and_runs(self, org, people, django_capture_on_commit_callbacks):
        from meridian.core.registry import registry
        from meridian.travel.notice_board import notices_complete_task

        job = registry.scheduled_jobs.get("travel.notices_complete")
        assert job.task() is notices_complete_task and job.at is not None
        _publish(_trip(org, people, state=TripState.PUBLICITY))
        with django_capture_on_commit_callbacks(execute=True):
            result = notices_complete_task.enqueue("2026-10-11")
        assert result.return_value == {"completed": 1}

    def test_submission_waits_until_the_notice_has_run(self, org, people, rules_pass):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        _publish(trip)
        with evaluation_date(D(2026, 10, 9)), pytest.raises(TransitionError, match="runs until 2026-10-10"):
            case_move(case=trip, actor=people.staff, move="submit")
        publicity.notices_complete_due(today=D(2026, 10, 11))
        with evaluation_date(D(2026, 10, 11)):
            case_move(case=trip, actor=people.staff, move="submit")
        trip.refresh_from_db()
        assert trip.state == TripState.UNDER_REVIEW

    def test_an_open_objection_holds_the_notice_until_resolved(self, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        objection = publicity.objection_raise(notice=notice, actor=people.staff, text="Check the dates")
        assert publicity.notices_complete_due(today=D(2026, 10, 11)) == 0
        with evaluation_date(D(2026, 10, 12)):
            publicity.objection_resolve(
                objection=objection, actor=people.officer, upheld=False, resolution="Fine"
            )
        notice.refresh_from_db()
        assert notice.state == NoticeState.COMPLETED
        assert "Check the dates" in notice.outcome and "Fine" in notice.outcome

    def test_an_upheld_objection_blocks_submission(self, org, people, rules_pass):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        objection = publicity.objection_raise(notice=notice, actor=people.staff, text="Duplicate")
        with evaluation_date(BEFORE_NATIONAL_DAY):
            publicity.objection_resolve(
                objection=objection, actor=people.officer, upheld=True, resolution="Agreed"
            )
        assert publicity.notices_complete_due(today=D(2026, 10, 11)) == 1
        notice.refresh_from_db()
        assert notice.state == NoticeState.COMPLETED and "upheld" in notice.outcome
        with (
            evaluation_date(D(2026, 10, 11)),
            pytest.raises(TransitionError, match="objection to the publicity notice was upheld"),
        ):
            case_move(case=trip, actor=people.staff, move="submit")
        trip.refresh_from_db()
        assert trip.state == TripState.PUBLICITY


class TestAfterReturn:
    def test_the_after_return_notice_from_the_trip(self, client, org, people):
        trip = _trip(org, people, state=TripState.ABROAD)
        with pytest.raises(TransitionError):
            _publish(trip, day=D(2027, 3, 6), phase=NoticePhase.AFTER, actor=people.staff)
        trip.state = TripState.RETURNED
        trip.returned_on = D(2027, 3, 5)
        trip.save()
        with pytest.raises(PermissionDeniedError):
            _publish(trip, day=D(2027, 3, 6), phase=NoticePhase.AFTER, actor=people.other_coordinator)
        assert publicity.after_notice_due(trip) == D(2027, 4, 4)
        assert publicity.can_publish_after(people.staff, trip)
        _login(client, people.staff)
        response = client.post(reverse("travel:notice_publish_after", args=[trip.pk]))
        notice = PublicityNotice.objects.get(trip=trip, phase=NoticePhase.AFTER)
        assert response.status_code == 302 and response["Location"] == reverse(
            "travel:notice_detail", args=[notice.pk]
        )
        assert notice.state == NoticeState.RUNNING
        assert not publicity.can_publish_after(people.staff, trip)
        # A second one is refused with the reason on the trip page (see the test below).
        response = client.post(reverse("travel:notice_publish_after", args=[trip.pk]))
        assert response.status_code == 302 and response["Location"] == trip.get_absolute_url()

    def test_publishing_again_answers_with_a_message_on_the_trip_page(self, client, org, people):
        trip = _trip(org, people, state=TripState.RETURNED, returned_on=D(2027, 3, 5))
        url = reverse("travel:notice_publish_after", args=[trip.pk])
        _login(client, people.staff)
        client.post(url)
        response = client.post(url, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain == [(trip.get_absolute_url(), 302)]
        assert "The after-return notice of this trip is running or has run already." in (
            response.content.decode()
        )
        assert PublicityNotice.objects.filter(trip=trip, phase=NoticePhase.AFTER).count() == 1
        # Someone who reads the trip but may not publish its notices is still refused.
        _login(client, people.leadership)
        assert client.post(url).status_code == 403

    def test_an_objection_to_a_notice_that_has_ended_answers_with_a_message(self, client, org, people):
        trip = _trip(org, people, state=TripState.PUBLICITY)
        notice = _publish(trip)
        PublicityNotice.objects.filter(pk=notice.pk).update(state=NoticeState.COMPLETED)
        _login(client, people.coordinator)
        url = reverse("travel:notice_detail", args=[notice.pk])
        response = client.post(url, {"action": "object", "text": "Too late?"})
        assert response.status_code == 200 and not NoticeObjection.objects.exists()
        assert 'class="message error"' in response.content.decode()

    def test_the_panel_shows_notices_and_the_publish_button(self, rf, org, people):
        from django.template.loader import render_to_string

        trip = _trip(org, people, state=TripState.RETURNED, returned_on=D(2027, 3, 5))
        request = rf.get("/")
        request.user = people.staff
        html = render_to_string("travel/trips/panels/_publicity.html", {"trip": trip, "request": request})
        assert "Publish the after-return notice" in html and "2027-04-04" in html
        request.user = people.other_coordinator
        html = render_to_string("travel/trips/panels/_publicity.html", {"trip": trip, "request": request})
        assert "Publish the after-return notice" not in html
