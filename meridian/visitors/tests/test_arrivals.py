"""Arrivals and accommodation registrations (services): the ``arrive`` move, due times in Asia/Shanghai,
hotels and stays without a night, corrections, moves, new documents, recording and waiving a registration."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from meridian.clocks.models import Obligation
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.visitors import casework
from meridian.visitors.choices import AccommodationKind, RegistrationReason, RegistrationState
from meridian.visitors.deadlines import DOCUMENT_RULE, REGISTRATION_RULE
from meridian.visitors.models import AccommodationRegistration
from meridian.visitors.services import arrivals
from meridian.visitors.tests.factories_arrivals import arriving_visit
from meridian.workflow.services import case_move

SHANGHAI = ZoneInfo("Asia/Shanghai")


def clock_of(registration, rule=REGISTRATION_RULE) -> Obligation:
    return Obligation.objects.get(
        object_id=registration.pk, rule=rule, content_type__model="accommodationregistration"
    )


def arrive(visit, actor):
    return case_move(case=visit, actor=actor, move="arrive")


class TestDueTimes:
    def test_24_hours_after_a_late_evening_arrival_in_shanghai(self):
        arrived = datetime.datetime(2027, 3, 1, 22, 30, tzinfo=SHANGHAI)
        due = arrivals.registration_due(reason=RegistrationReason.ARRIVAL, occurred_at=arrived)
        assert timezone.localtime(due).isoformat() == "2027-03-02T22:30:00+08:00"

    def test_the_same_instant_given_in_utc_is_due_at_the_same_local_time(self):
        arrived = datetime.datetime(2027, 3, 1, 14, 30, tzinfo=datetime.UTC)  # 22:30 in Shanghai
        due = arrivals.registration_due(reason=RegistrationReason.ADDRESS_CHANGE, occurred_at=arrived)
        assert timezone.localtime(due).strftime("%Y-%m-%d %H:%M %z") == "2027-03-02 22:30 +0800"

    def test_the_hours_are_a_setting(self, settings):
        settings.VISITORS_REGISTRATION_HOURS = 72
        arrived = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)
        due = arrivals.registration_due(reason=RegistrationReason.ARRIVAL, occurred_at=arrived)
        assert timezone.localtime(due).isoformat() == "2027-03-04T09:00:00+08:00"

    @pytest.mark.parametrize("value", [0, "many", 1000])
    def test_a_bad_setting_is_a_configuration_error(self, settings, value):
        settings.VISITORS_REGISTRATION_HOURS = value
        with pytest.raises(ImproperlyConfigured):
            arrivals.registration_hours()

    def test_a_new_document_is_due_at_the_end_of_the_tenth_day(self):
        obtained = datetime.datetime(2027, 3, 1, 0, 0, tzinfo=SHANGHAI)
        due = arrivals.registration_due(reason=RegistrationReason.NEW_DOCUMENT, occurred_at=obtained)
        assert timezone.localtime(due).isoformat() == "2027-03-11T23:59:59+08:00"


class TestArriveMove:
    def test_the_move_records_each_guest_and_opens_24_hour_registrations_for_the_host(self, org, people):
        visit = arriving_visit(org, people, guests=2)
        before = timezone.now()
        arrive(visit, people.staff)
        visit.refresh_from_db()
        assert visit.state == "arrived" and visit.arrived_on == timezone.localdate()
        registrations = list(AccommodationRegistration.objects.filter(guest__visit=visit))
        assert len(registrations) == 2
        for registration in registrations:
            guest = registration.guest
            assert guest.arrived_at is not None and guest.arrived_at >= before
            assert registration.occurred_at == guest.arrived_at
            assert registration.due_at == guest.arrived_at + datetime.timedelta(hours=24)
            assert (registration.state, registration.reason) == ("open", "arrival")
            assert registration.address == "Guest house, 1 Campus Road, Room 305"
            obligation = clock_of(registration)
            assert (obligation.state, obligation.responsible, obligation.unit) == (
                "open",
                people.staff,
                org.computing,
            )
            assert obligation.due_at == registration.due_at
            assert obligation.title.startswith("Register ") and "with the police" in obligation.title
            assert obligation.subject_url.endswith(f"/guests/{guest.pk}/arrival/")

    def test_a_guest_recorded_earlier_keeps_their_time_and_registration(self, org, people):
        visit = arriving_visit(org, people, guests=2)
        first = visit.guests.get(is_head=True)
        early = timezone.now() - datetime.timedelta(hours=30)
        arrivals.guest_arrival_record(
            guest=first,
            arrived_at=early,
            accommodation=AccommodationKind.ON_CAMPUS,
            address="Room 1",
            actor=people.staff,
        )
        arrive(visit, people.coordinator)
        first.refresh_from_db()
        visit.refresh_from_db()
        assert first.arrived_at == early
        assert first.registrations.count() == 1
        assert visit.arrived_on == timezone.localtime(early).date()

    def test_a_hotel_registers_its_guests_so_no_clock_runs(self, org, people):
        visit = arriving_visit(org, people, accommodation=AccommodationKind.HOTEL)
        arrive(visit, people.staff)
        registration = AccommodationRegistration.objects.get(guest__visit=visit)
        assert registration.state == RegistrationState.BY_HOTEL
        assert not Obligation.objects.filter(rule=REGISTRATION_RULE, object_id=registration.pk).exists()

    def test_no_overnight_stay_needs_no_registration(self, org, people):
        visit = arriving_visit(org, people, accommodation=AccommodationKind.NONE)
        arrive(visit, people.staff)
        assert AccommodationRegistration.objects.get(guest__visit=visit).state == RegistrationState.WAIVED


@pytest.fixture
def arrived(org, people):
    visit = arriving_visit(org, people)
    arrive(visit, people.staff)
    visit.refresh_from_db()
    return visit


def registration_of(visit, reason="arrival") -> AccommodationRegistration:
    return AccommodationRegistration.objects.filter(guest__visit=visit, reason=reason).latest("pk")


class TestMarkDone:
    def test_recording_the_registration_closes_the_clock_at_once(self, arrived, people):
        registration = registration_of(arrived)
        done = arrivals.registration_mark_done(
            registration=registration,
            registered_at=timezone.now(),
            receipt_number=" 4401-77 ",
            actor=people.staff,
        )
        assert (done.state, done.receipt_number, done.registered_by) == (
            "registered",
            "4401-77",
            people.staff,
        )
        assert clock_of(registration).state == "met"

    def test_a_naive_local_time_is_read_in_shanghai(self, arrived, people):
        registration = registration_of(arrived)
        local = timezone.localtime().replace(tzinfo=None, second=0, microsecond=0)
        done = arrivals.registration_mark_done(
            registration=registration, registered_at=local, actor=people.staff
        )
        assert timezone.localtime(done.registered_at).replace(tzinfo=None) == local

    def test_refused_in_the_future_twice_or_for_a_stranger(self, arrived, people):
        registration = registration_of(arrived)
        with pytest.raises(ValidationError) as error:
            arrivals.registration_mark_done(
                registration=registration,
                registered_at=timezone.now() + datetime.timedelta(hours=2),
                actor=people.staff,
            )
        assert "registered_at" in error.value.message_dict
        with pytest.raises(PermissionDeniedError):
            arrivals.registration_mark_done(
                registration=registration, registered_at=timezone.now(), actor=people.other_coordinator
            )
        with pytest.raises(PermissionDeniedError):
            arrivals.registration_mark_done(
                registration=registration, registered_at=timezone.now(), actor=people.leadership
            )
        registration.refresh_from_db()
        assert registration.state == "open"
        arrivals.registration_mark_done(
            registration=registration, registered_at=timezone.now(), actor=people.officer
        )
        with pytest.raises(TransitionError):
            arrivals.registration_mark_done(
                registration=registration, registered_at=timezone.now(), actor=people.officer
            )


class TestWaive:
    def test_the_unit_waives_with_a_reason_and_the_clock_closes(self, arrived, people):
        registration = registration_of(arrived)
        with pytest.raises(ValidationError):
            arrivals.registration_waive(registration=registration, reason="  ", actor=people.coordinator)
        waived = arrivals.registration_waive(
            registration=registration, reason="Left for Beijing the same evening", actor=people.coordinator
        )
        assert (waived.state, waived.note) == ("waived", "Left for Beijing the same evening")
        assert clock_of(registration).state == "met"

    def test_the_host_alone_may_not_waive(self, arrived, people):
        with pytest.raises(PermissionDeniedError):
            arrivals.registration_waive(registration=registration_of(arrived), reason="x", actor=people.staff)


class TestGuestArrival:
    def test_correcting_the_time_moves_the_due_time_and_the_clock(self, arrived, people):
        guest = arrived.guests.get()
        corrected = timezone.now() - datetime.timedelta(hours=5)
        arrivals.guest_arrival_record(
            guest=guest,
            arrived_at=corrected,
            accommodation=AccommodationKind.ON_CAMPUS,
            address="Guest house, Room 410",
            actor=people.staff,
        )
        registration = registration_of(arrived)
        assert guest.registrations.count() == 1
        assert registration.due_at == corrected + datetime.timedelta(hours=24)
        assert registration.address == "Guest house, Room 410"
        assert clock_of(registration).due_at == registration.due_at

    def test_a_hotel_wrongly_assumed_is_corrected_and_the_clock_opens(self, org, people):
        visit = arriving_visit(org, people, accommodation=AccommodationKind.HOTEL)
        arrive(visit, people.staff)
        guest = visit.guests.get()
        arrived_at = guest.arrived_at
        assert arrived_at is not None
        arrivals.guest_arrival_record(
            guest=guest,
            arrived_at=arrived_at,
            accommodation=AccommodationKind.PRIVATE,
            address="12 Lotus Lane",
            actor=people.staff,
        )
        registration = registration_of(visit)
        assert registration.state == "open"
        assert clock_of(registration).state == "open"
        # and back to a hotel: the clock closes again
        arrivals.guest_arrival_record(
            guest=guest,
            arrived_at=arrived_at,
            accommodation=AccommodationKind.HOTEL,
            actor=people.staff,
        )
        assert registration_of(visit).state == "by_hotel"
        assert clock_of(registration).state == "met"

    def test_a_registration_already_made_stays(self, arrived, people):
        registration = registration_of(arrived)
        arrivals.registration_mark_done(
            registration=registration, registered_at=timezone.now(), actor=people.staff
        )
        guest = arrived.guests.get()
        arrivals.guest_arrival_record(
            guest=guest,
            arrived_at=timezone.now() - datetime.timedelta(hours=3),
            accommodation=AccommodationKind.HOTEL,
            actor=people.staff,
        )
        assert registration_of(arrived).state == "registered"

    def test_an_early_member_of_the_delegation_before_the_move(self, org, people):
        visit = arriving_visit(org, people, guests=2)
        guest = visit.guests.get(is_head=True)
        arrivals.guest_arrival_record(
            guest=guest,
            arrived_at=timezone.now(),
            accommodation=AccommodationKind.ON_CAMPUS,
            address="Room 2",
            actor=people.coordinator,
        )
        visit.refresh_from_db()
        assert visit.state == "approved"
        assert registration_of(visit).state == "open"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"arrived_at": "future"}, "arrived_at"),
            ({"accommodation": "castle"}, "accommodation"),
            ({"address": ""}, "address"),
            ({"arrived_at": "long_before"}, "arrived_at"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_stored(self, org, people, change, field):
        visit = arriving_visit(org, people)
        guest = visit.guests.get()
        values: dict[str, Any] = {
            "arrived_at": timezone.now(),
            "accommodation": AccommodationKind.ON_CAMPUS,
            "address": "Room 3",
        }
        values.update(change)
        if values["arrived_at"] == "future":
            values["arrived_at"] = timezone.now() + datetime.timedelta(hours=3)
        elif values["arrived_at"] == "long_before":
            values["arrived_at"] = timezone.now() - datetime.timedelta(days=40)
        with pytest.raises(ValidationError) as error:
            arrivals.guest_arrival_record(guest=guest, actor=people.staff, **values)
        assert field in error.value.message_dict
        guest.refresh_from_db()
        assert guest.arrived_at is None and not guest.registrations.exists()

    def test_refused_before_approval_and_for_those_who_do_not_handle_the_visit(self, org, people):
        draft = arriving_visit(org, people, state="under_review")
        with pytest.raises(TransitionError):
            arrivals.guest_arrival_record(
                guest=draft.guests.get(),
                arrived_at=timezone.now(),
                accommodation=AccommodationKind.HOTEL,
                actor=people.officer,
            )
        visit = arriving_visit(org, people)
        for user in (people.other_coordinator, people.leadership, people.student):
            with pytest.raises(PermissionDeniedError):
                arrivals.guest_arrival_record(
                    guest=visit.guests.get(),
                    arrived_at=timezone.now(),
                    accommodation=AccommodationKind.HOTEL,
                    actor=user,
                )


class TestInChina:
    def test_a_new_passport_or_visa_opens_a_10_day_registration(self, arrived, people):
        guest = arrived.guests.get()
        today = timezone.localdate()
        registration = arrivals.guest_new_document_record(guest=guest, occurred_on=today, actor=people.staff)
        assert registration.reason == "new_document" and registration.state == "open"
        assert timezone.localtime(registration.due_at).date() == today + datetime.timedelta(days=10)
        assert timezone.localtime(registration.due_at).time() == datetime.time(23, 59, 59)
        assert registration.address == "Guest house, 1 Campus Road, Room 305"  # where the guest stays
        obligation = clock_of(registration, DOCUMENT_RULE)
        assert obligation.state == "open" and obligation.due_at == registration.due_at
        assert "new passport or visa" in obligation.title

    def test_a_new_document_is_refused_before_arrival_or_dated_before_it(self, org, people, arrived):
        waiting = arriving_visit(org, people)
        with pytest.raises(TransitionError):
            arrivals.guest_new_document_record(
                guest=waiting.guests.get(), occurred_on=timezone.localdate(), actor=people.staff
            )
        guest = arrived.guests.get()
        for day in (
            timezone.localdate() - datetime.timedelta(days=3),
            timezone.localdate() + datetime.timedelta(days=1),
        ):
            with pytest.raises(ValidationError):
                arrivals.guest_new_document_record(guest=guest, occurred_on=day, actor=people.staff)
        assert not guest.registrations.filter(reason="new_document").exists()

    def test_a_move_opens_a_24_hour_registration_at_the_new_address(self, arrived, people):
        guest = arrived.guests.get()
        moved = timezone.now()
        registration = arrivals.guest_address_change_record(
            guest=guest,
            occurred_at=moved,
            accommodation=AccommodationKind.PRIVATE,
            address="8 Lotus Lane, flat 2",
            actor=people.coordinator,
        )
        assert (registration.reason, registration.state) == ("address_change", "open")
        assert registration.due_at == moved + datetime.timedelta(hours=24)
        assert clock_of(registration).state == "open"
        with pytest.raises(ValidationError):
            arrivals.guest_address_change_record(
                guest=guest,
                occurred_at=guest.arrived_at - datetime.timedelta(hours=1),
                accommodation=AccommodationKind.PRIVATE,
                address="x",
                actor=people.staff,
            )

    def test_a_move_to_a_hotel_is_registered_by_the_hotel(self, arrived, people):
        registration = arrivals.guest_address_change_record(
            guest=arrived.guests.get(),
            occurred_at=timezone.now(),
            accommodation=AccommodationKind.HOTEL,
            address="Riverside Hotel",
            actor=people.staff,
        )
        assert registration.state == "by_hotel"


class TestEvaluationDate:
    """The arrive move of a job, the demo or a test acting as of another day records the arrival on that day
    (``casework.evaluation_date``), not on the real one."""

    @staticmethod
    def _noon(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))

    def test_an_arrival_moved_as_of_an_earlier_day_is_dated_that_day(self, org, people):
        day = timezone.localdate() - datetime.timedelta(days=3)
        visit = arriving_visit(org, people, guests=2, days_ago=3)
        with casework.evaluation_date(day):
            arrive(visit, people.staff)
        visit.refresh_from_db()
        assert visit.arrived_on == day
        for registration in AccommodationRegistration.objects.filter(guest__visit=visit):
            assert registration.guest.arrived_at == self._noon(day) == registration.occurred_at
            assert registration.due_at == self._noon(day) + datetime.timedelta(hours=24)
            assert clock_of(registration).due_at == registration.due_at

    def test_a_later_evaluation_day_dates_the_arrival_and_lets_that_day_s_events_be_recorded(
        self, org, people
    ):
        day = timezone.localdate() + datetime.timedelta(days=2)
        visit = arriving_visit(org, people, arrive_on=day)
        guest = visit.guests.get()
        with casework.evaluation_date(day):
            arrive(visit, people.staff)
            moved = self._noon(day) + datetime.timedelta(hours=3)
            registration = arrivals.guest_address_change_record(
                guest=guest,
                occurred_at=moved,
                accommodation=AccommodationKind.PRIVATE,
                address="8 Lotus Lane",
                actor=people.staff,
            )
            document = arrivals.guest_new_document_record(guest=guest, occurred_on=day, actor=people.staff)
            with pytest.raises(ValidationError):  # still refused after the evaluation day
                arrivals.guest_new_document_record(
                    guest=guest, occurred_on=day + datetime.timedelta(days=1), actor=people.staff
                )
        visit.refresh_from_db()
        guest.refresh_from_db()
        assert visit.arrived_on == day and guest.arrived_at == self._noon(day)
        assert registration.due_at == moved + datetime.timedelta(hours=24)
        assert timezone.localtime(document.due_at).date() == day + datetime.timedelta(days=10)

    def test_on_the_real_day_the_arrival_is_now(self, org, people):
        visit = arriving_visit(org, people)
        before = timezone.now()
        with casework.evaluation_date(timezone.localdate()):
            arrive(visit, people.staff)
        arrived_at = visit.guests.get().arrived_at
        assert arrived_at is not None and before <= arrived_at <= timezone.now()
