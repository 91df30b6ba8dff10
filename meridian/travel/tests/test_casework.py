"""Official trips on the workflow engine: the declaration, filing through the services, and the guards of the
lifecycle (publicity before submission, no approval after the fact, closing only when everything is back)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from meridian.core.errors import PermissionDeniedError, StaleEditError, TransitionError
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.travel import casework
from meridian.travel.casework import CHANGE_TYPE, LONG_STAY_TYPE, TRIP_TYPE
from meridian.travel.choices import (
    CustodyState,
    MemberRole,
    NoticePhase,
    NoticeState,
    ReportState,
    TripFileKind,
    TripState,
)
from meridian.travel.models import PublicityNotice, Trip, TripReport
from meridian.travel.services import trips as services
from meridian.travel.tests.factories import germany, make_trip
from meridian.workflow.registry import case_types
from meridian.workflow.services import case_move

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FUTURE = datetime.date.today() + datetime.timedelta(days=120)


def _invitation():
    return SimpleUploadedFile("invitation.pdf", PDF, content_type="application/pdf")


def _data(unit, *, depart=FUTURE, days=5):
    leader = make_person(
        kind=PersonKind.STAFF, unit=unit, family_name="Wang", given_name="Wu", name_zh="王五"
    )
    de = germany()
    itinerary = [
        {"day": depart + datetime.timedelta(days=i), "country": de, "city": "Berlin", "activity": "Talks"}
        for i in range(days)
    ]
    return {
        "title": "Conference in Berlin",
        "purpose": "conference",
        "task": "Present a paper.",
        "paper_title": "Power grids",
        "depart_on": depart,
        "return_on": depart + datetime.timedelta(days=days - 1),
        "inviter_name": "TU Berlin",
        "funding_source": "unit_budget",
        "members": [{"person": leader, "role": MemberRole.LEADER, "post": "Professor"}],
        "itinerary": itinerary,
        "budget": [{"kind": "travel", "amount": Decimal("8000")}],
    }


class TestDeclaration:
    def test_case_types_are_registered_with_every_state_reachable(self):
        for case_type in (TRIP_TYPE, CHANGE_TYPE, LONG_STAY_TYPE):
            assert case_types.get(case_type.code) is case_type
            assert case_type.reachable_states() == case_type.state_codes

    def test_chain_conditions_can_read_the_documented_fields(self, org, people):
        trip = make_trip(
            unit=org.computing, applicant=people.staff, members=2, funding_source="research_funds"
        )
        values = {f.name: f.value(trip) for f in TRIP_TYPE.fields}
        assert values["members"] == 3
        assert values["countries"] == 1
        assert values["days"] == 5
        assert values["research_funds"] is True
        assert values["any_student"] is False
        assert values["budget_total"] == Decimal("9000")


class TestFiling:
    def test_staff_member_files_for_themselves(self, org, people):
        trip = services.trip_create(actor=people.staff, unit=org.computing, **_data(org.computing))
        assert trip.number.startswith(f"TRV-{FUTURE.year}-")
        assert trip.applicant == people.staff
        assert trip.state == TripState.DRAFT
        assert trip.members.get().role == MemberRole.LEADER
        assert trip.itinerary.count() == 5

    def test_secretary_files_on_behalf_of_a_person_of_their_unit(self, org, people):
        trip = services.trip_create(
            actor=people.coordinator, applicant=people.staff, unit=org.computing, **_data(org.computing)
        )
        assert trip.created_by == people.coordinator
        assert trip.applicant == people.staff

    def test_a_foreign_affairs_secretary_post_acts_for_the_unit_like_its_coordinator(self, org, people):
        from meridian.accounts.choices import Role
        from meridian.accounts.services import membership_grant, user_create
        from meridian.workflow.choices import PostKind
        from meridian.workflow.models import UnitPost

        secretary = user_create(username="secretary", email="secretary@meridian.example", password="x-secret")
        membership_grant(user=secretary, unit=org.engineering, role=Role.STAFF)
        UnitPost.objects.create(unit=org.engineering, user=secretary, post=PostKind.SECRETARY)
        trip = services.trip_create(
            actor=secretary, applicant=people.staff, unit=org.computing, **_data(org.computing)
        )
        assert trip.created_by == secretary
        assert Trip.objects.visible_to(secretary).filter(pk=trip.pk).exists()
        other = make_trip(unit=org.humanities, applicant=people.other_coordinator)
        assert not Trip.objects.visible_to(secretary).filter(pk=other.pk).exists()

    def test_staff_member_cannot_file_for_someone_else(self, org, people):
        with pytest.raises(PermissionDeniedError):
            services.trip_create(
                actor=people.staff, applicant=people.coordinator, unit=org.computing, **_data(org.computing)
            )

    def test_staff_member_cannot_file_for_a_unit_they_do_not_belong_to(self, org, people):
        with pytest.raises(PermissionDeniedError, match="a unit you belong to"):
            services.trip_create(actor=people.staff, unit=org.humanities, **_data(org.humanities))

    def test_partner_contact_and_outsider_cannot_file(self, org, people):
        with pytest.raises(PermissionDeniedError):
            services.trip_create(actor=people.outsider, unit=org.computing, **_data(org.computing))

    def test_itinerary_outside_the_dates_is_refused_and_nothing_is_stored(self, org, people):
        data = _data(org.computing)
        data["itinerary"][0]["day"] = FUTURE - datetime.timedelta(days=3)
        with pytest.raises(ValidationError, match="outside the trip's dates"):
            services.trip_create(actor=people.staff, unit=org.computing, **data)
        assert not Trip.objects.exists()

    def test_two_leaders_are_refused(self, org, people):
        data = _data(org.computing)
        other = make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Zhao")
        data["members"].append({"person": other, "role": MemberRole.LEADER})
        with pytest.raises(ValidationError, match="one leader"):
            services.trip_create(actor=people.staff, unit=org.computing, **data)

    def test_stale_edit_is_refused(self, org, people):
        trip = services.trip_create(actor=people.staff, unit=org.computing, **_data(org.computing))
        services.trip_update(trip=trip, actor=people.staff, expected_version=1, title="Changed once")
        with pytest.raises(StaleEditError):
            services.trip_update(trip=trip, actor=people.coordinator, expected_version=1, title="Stale")
        assert Trip.objects.get().title == "Changed once"

    def test_only_drafts_are_edited(self, org, people):
        trip = make_trip(unit=org.computing, applicant=people.staff, state=TripState.UNDER_REVIEW)
        with pytest.raises(PermissionDeniedError):
            services.trip_update(trip=trip, actor=people.officer, title="Too late")

    def test_files_are_checked_by_content(self, org, people):
        trip = make_trip(unit=org.computing, applicant=people.staff)
        fake = SimpleUploadedFile("invitation.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        from meridian.core.errors import DomainError

        with pytest.raises(DomainError, match="not a PDF"):
            services.trip_file_add(trip=trip, actor=people.staff, kind=TripFileKind.INVITATION, uploaded=fake)
        record = services.trip_file_add(
            trip=trip, actor=people.staff, kind=TripFileKind.INVITATION, uploaded=_invitation()
        )
        assert record.content_type == "application/pdf"

    def test_the_applicant_cannot_add_the_external_approval_scan(self, org, people):
        trip = make_trip(unit=org.computing, applicant=people.staff, state=TripState.APPROVED)
        with pytest.raises(PermissionDeniedError):
            services.trip_file_add(
                trip=trip, actor=people.staff, kind=TripFileKind.EXTERNAL_APPROVAL, uploaded=_invitation()
            )


class TestLifecycle:
    def _trip(self, org, people, **fields):
        fields.setdefault("depart_on", FUTURE)
        fields.setdefault("return_on", FUTURE + datetime.timedelta(days=4))
        return make_trip(unit=org.computing, applicant=people.staff, **fields)

    def test_publicity_needs_the_invitation_letter(self, org, people):
        trip = self._trip(org, people)
        with pytest.raises(TransitionError, match="Invitation letter"):
            case_move(case=trip, actor=people.staff, move="start_publicity")

    def test_publicity_starts_with_the_letter_and_publishes_a_notice(self, org, people):
        trip = self._trip(org, people)
        services.trip_file_add(
            trip=trip, actor=people.staff, kind=TripFileKind.INVITATION, uploaded=_invitation()
        )
        case_move(case=trip, actor=people.staff, move="start_publicity")
        trip.refresh_from_db()
        assert trip.state == TripState.PUBLICITY
        notice = trip.notices.get()
        assert notice.phase == NoticePhase.BEFORE and notice.state == NoticeState.RUNNING

    def test_submission_waits_for_the_notice(self, org, people):
        trip = self._trip(org, people, state=TripState.PUBLICITY)
        with pytest.raises(TransitionError, match="Publish the publicity notice first"):
            case_move(case=trip, actor=people.staff, move="submit")

    def test_submission_after_the_notice_ran(self, org, people):
        trip = self._trip(org, people, state=TripState.PUBLICITY)
        _notice(trip, NoticePhase.BEFORE, NoticeState.COMPLETED)
        case_move(case=trip, actor=people.staff, move="submit")
        trip.refresh_from_db()
        assert trip.state == TripState.UNDER_REVIEW

    def test_a_trip_changed_after_its_notice_needs_a_new_one(self, org, people):
        trip = self._trip(org, people, state=TripState.DRAFT)
        _notice(trip, NoticePhase.BEFORE, NoticeState.COMPLETED)
        services.trip_update(trip=trip, actor=people.staff, task="A different task than the one publicised.")
        with pytest.raises(TransitionError, match="changed after its publicity notice"):
            case_move(case=trip, actor=people.staff, move="submit")

    def test_an_unchanged_trip_returned_for_correction_is_resubmitted_without_a_new_notice(self, org, people):
        trip = self._trip(org, people, state=TripState.DRAFT)
        _notice(trip, NoticePhase.BEFORE, NoticeState.COMPLETED)
        case_move(case=trip, actor=people.staff, move="submit")
        trip.refresh_from_db()
        assert trip.state == TripState.UNDER_REVIEW

    def test_an_upheld_objection_stops_submission(self, org, people):
        trip = self._trip(org, people, state=TripState.PUBLICITY)
        notice = _notice(trip, NoticePhase.BEFORE, NoticeState.COMPLETED)
        notice.objections.create(text="The trip duplicates another one.", upheld=True)
        with pytest.raises(TransitionError, match="objection to the publicity notice was upheld"):
            case_move(case=trip, actor=people.staff, move="submit")

    def test_approval_after_the_trip_has_begun_is_refused(self, org, people):
        begun = datetime.date.today() - datetime.timedelta(days=1)
        trip = self._trip(
            org,
            people,
            state=TripState.UNDER_REVIEW,
            depart_on=begun,
            return_on=begun + datetime.timedelta(4),
        )
        with pytest.raises(TransitionError, match="after the trip has begun"):
            case_move(case=trip, actor=people.officer, move="approve", start_approval=False)
        trip.refresh_from_db()
        assert trip.state == TripState.UNDER_REVIEW

    def test_approval_freezes_what_was_approved(self, org, people):
        trip = self._trip(org, people, state=TripState.UNDER_REVIEW)
        case_move(case=trip, actor=people.officer, move="approve", start_approval=False)
        trip.refresh_from_db()
        assert trip.approved_snapshot["depart_on"] == FUTURE.isoformat()
        assert trip.approved_snapshot["members"][0]["role"] == MemberRole.LEADER

    def test_authorisation_needs_the_external_approval(self, org, people):
        trip = self._trip(org, people, state=TripState.APPROVED)
        with pytest.raises(TransitionError, match="approval document"):
            case_move(case=trip, actor=people.officer, move="authorise")

    def test_departure_job_moves_authorised_trips_on_their_day(self, org, people):
        trip = self._trip(org, people, state=TripState.AUTHORISED)
        assert services.trips_depart_due(today=FUTURE - datetime.timedelta(days=1)) == 0
        assert services.trips_depart_due(today=FUTURE) == 1
        trip.refresh_from_db()
        assert trip.state == TripState.ABROAD and trip.departed_on == FUTURE

    def test_return_prepares_the_report(self, org, people):
        trip = self._trip(org, people, state=TripState.ABROAD)
        with casework.evaluation_date(FUTURE + datetime.timedelta(days=4)):
            case_move(case=trip, actor=people.staff, move="come_back")
        report = TripReport.objects.get(trip=trip)
        assert report.state == ReportState.DRAFT
        assert report.due_on is not None and report.due_on > FUTURE

    def test_closing_needs_report_passports_and_after_notice(self, org, people):
        trip = self._trip(org, people, state=TripState.RETURNED)
        with pytest.raises(TransitionError) as refused:
            case_move(case=trip, actor=people.officer, move="close")
        message = str(refused.value)
        assert "report" in message and "after-return" in message
        TripReport.objects.create(trip=trip, inviter="x", members="x", dates="x", state=ReportState.ACCEPTED)
        _notice(trip, NoticePhase.AFTER, NoticeState.COMPLETED)
        case_move(case=trip, actor=people.officer, move="close")
        trip.refresh_from_db()
        assert trip.state == TripState.CLOSED
        assert not trip.custody_items.filter(state=CustodyState.ISSUED).exists()

    def test_cancel_needs_a_comment_and_is_not_for_others(self, org, people):
        trip = self._trip(org, people)
        with pytest.raises(ValidationError, match="needs a comment"):
            case_move(case=trip, actor=people.staff, move="cancel")
        from meridian.core.errors import PermissionDeniedError as Denied

        with pytest.raises(Denied):
            case_move(case=trip, actor=people.other_coordinator, move="cancel", comment="No")
        case_move(case=trip, actor=people.coordinator, move="cancel", comment="Conference cancelled")
        trip.refresh_from_db()
        assert trip.state == TripState.CANCELLED


def _notice(trip, phase, state):
    """A notice as ``notice_publish`` writes it (its text is what the trip reads like now)."""
    from meridian.travel.services.publicity import notice_texts

    today = datetime.date.today()
    text, text_zh = notice_texts(trip, phase, today, today, 5)
    return PublicityNotice.objects.create(
        trip=trip,
        phase=phase,
        state=state,
        starts_on=today,
        ends_on=today,
        working_days=5,
        text=text,
        text_zh=text_zh,
    )
