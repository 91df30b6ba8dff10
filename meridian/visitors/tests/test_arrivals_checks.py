"""Checks of the arrival pages found by the tryout: arrival times within the visit (at most
``casework.EARLY_ARRIVAL_DAYS`` early, not after the departure), moves and new documents within the guest's
stay, a corrected arrival never left after later registrations, the registrations list's filter values (page
and API), the police sheet's "accommodation" label in its own translation context, and no half-width
punctuation outside translated strings in the templates."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from meridian.visitors import casework
from meridian.visitors.choices import AccommodationKind, RegistrationReason
from meridian.visitors.services import arrivals
from meridian.visitors.tests.factories_arrivals import arriving_visit, open_registration, passport_of
from meridian.workflow.services import case_move

TODAY = timezone.localdate


def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """Local time ``hour:minute`` on today + ``days`` (days < 0: in the past)."""
    day = TODAY() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def arrived_visit(org, people, *, arrive: int, depart: int):
    """A visit of ``people.staff`` planned from today + ``arrive`` to today + ``depart`` days, moved to
    ``arrived`` as of its first day (the guest arrived at noon that day)."""
    visit = arriving_visit(
        org,
        people,
        arrive_on=TODAY() + datetime.timedelta(days=arrive),
        depart_on=TODAY() + datetime.timedelta(days=depart),
    )
    with casework.evaluation_date(visit.arrive_on):
        case_move(case=visit, actor=people.staff, move="arrive")
    visit.refresh_from_db()
    return visit


def correct(guest, when, actor):
    return arrivals.guest_arrival_record(
        guest=guest, arrived_at=when, accommodation=AccommodationKind.ON_CAMPUS, address="Room 9", actor=actor
    )


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


class TestArrivalWithinTheVisit:
    def test_an_arrival_weeks_before_the_visit_is_refused_and_nothing_changes(self, org, people):
        visit = arrived_visit(org, people, arrive=-2, depart=3)
        guest = visit.guests.get()
        before = (guest.arrived_at, guest.registrations.get().due_at)
        errors = refusal(lambda: correct(guest, at(-30, 10), people.staff))
        assert "expected on" in errors["arrived_at"][0] and "3 days earlier" in errors["arrived_at"][0]
        guest.refresh_from_db()
        assert (guest.arrived_at, guest.registrations.get().due_at) == before

    def test_up_to_three_days_early_is_accepted_four_is_not(self, org, people):
        visit = arriving_visit(org, people, arrive_on=TODAY() - datetime.timedelta(days=1))
        guest = visit.guests.get()
        assert "arrived_at" in refusal(lambda: correct(guest, at(-5, 23, 30), people.staff))
        correct(guest, at(-4, 0, 30), people.staff)
        guest.refresh_from_db()
        assert guest.arrived_at == at(-4, 0, 30)

    def test_an_arrival_after_the_departure_is_refused(self, org, people):
        visit = arrived_visit(org, people, arrive=-6, depart=-2)
        with casework.evaluation_date(visit.depart_on):  # the guests left on the planned day
            case_move(case=visit, actor=people.staff, move="finish")
        guest = visit.guests.get()
        errors = refusal(lambda: correct(guest, at(-1, 9), people.staff))
        assert "after the visit ends" in errors["arrived_at"][0]
        correct(guest, at(-2, 9), people.staff)  # the departure day itself is still part of the visit

    def test_a_move_or_a_new_document_after_the_visit_is_refused(self, org, people):
        visit = arrived_visit(org, people, arrive=-5, depart=-1)
        guest = visit.guests.get()
        errors = refusal(
            lambda: arrivals.guest_address_change_record(
                guest=guest,
                occurred_at=at(0, 0, 5),
                accommodation=AccommodationKind.PRIVATE,
                address="8 Lotus Lane",
                actor=people.staff,
            )
        )
        assert "after the visit ends" in errors["occurred_at"][0]
        errors = refusal(
            lambda: arrivals.guest_new_document_record(guest=guest, occurred_on=TODAY(), actor=people.staff)
        )
        assert "after the visit ends" in errors["occurred_on"][0]
        assert guest.registrations.count() == 1

    def test_the_page_keeps_the_form_and_says_why(self, client, org, people):
        visit = arrived_visit(org, people, arrive=-2, depart=3)
        guest = visit.guests.get()
        client.force_login(people.staff)
        typed = (TODAY() - datetime.timedelta(days=29)).isoformat() + "T10:00"
        response = client.post(
            reverse("visitors:guest_arrival", args=[visit.pk, guest.pk]),
            {
                "action": "arrival",
                "arrived_at": typed,
                "accommodation": "private",
                "address": "12 Lotus Lane",
            },
        )
        text = response.content.decode()
        assert response.status_code == 400
        assert "an arrival can be recorded at most 3 days earlier" in text
        assert f'value="{typed}"' in text and "12 Lotus Lane" in text
        guest.refresh_from_db()
        assert guest.arrived_at == at(-2, 12)


class TestCorrectionAndLaterRegistrations:
    @pytest.fixture
    def visit(self, org, people):
        return arrived_visit(org, people, arrive=-4, depart=2)

    def test_a_move_before_the_arrival_is_refused(self, visit, people):
        guest = visit.guests.get()
        errors = refusal(
            lambda: arrivals.guest_address_change_record(
                guest=guest,
                occurred_at=at(-4, 11),
                accommodation=AccommodationKind.PRIVATE,
                address="8 Lotus Lane",
                actor=people.staff,
            )
        )
        assert "before the guest's arrival" in errors["occurred_at"][0]

    def test_a_later_arrival_than_a_move_is_refused_naming_it_and_nothing_changes(self, visit, people):
        guest = visit.guests.get()
        move = arrivals.guest_address_change_record(
            guest=guest,
            occurred_at=at(-3, 10),
            accommodation=AccommodationKind.PRIVATE,
            address="8 Lotus Lane",
            actor=people.staff,
        )
        errors = refusal(lambda: correct(guest, at(-2, 9), people.staff))
        message = errors["arrived_at"][0]
        assert (
            "Change of address of " + timezone.localtime(move.occurred_at).strftime("%Y-%m-%d %H:%M")
            in message
        )
        guest.refresh_from_db()
        assert guest.arrived_at == at(-4, 12)
        correct(guest, at(-3, 9), people.staff)  # before the move: accepted
        guest.refresh_from_db()
        assert guest.arrived_at == at(-3, 9)

    def test_a_move_marked_as_not_needed_no_longer_stands_in_the_way(self, visit, people):
        guest = visit.guests.get()
        move = arrivals.guest_address_change_record(
            guest=guest,
            occurred_at=at(-3, 10),
            accommodation=AccommodationKind.PRIVATE,
            address="8 Lotus Lane",
            actor=people.staff,
        )
        arrivals.registration_waive(
            registration=move, reason="Recorded by mistake.", actor=people.coordinator
        )
        correct(guest, at(-2, 9), people.staff)
        guest.refresh_from_db()
        assert guest.arrived_at == at(-2, 9)

    def test_a_new_document_counts_by_its_day(self, visit, people):
        guest = visit.guests.get()
        arrivals.guest_new_document_record(
            guest=guest, occurred_on=TODAY() - datetime.timedelta(days=3), actor=people.staff
        )
        errors = refusal(lambda: correct(guest, at(-2, 9), people.staff))
        assert "New passport or visa of " in errors["arrived_at"][0]
        correct(guest, at(-3, 20), people.staff)  # the same day: the document may be obtained that evening
        assert guest.registrations.filter(reason=RegistrationReason.NEW_DOCUMENT).count() == 1


class TestRegistrationFilters:
    @pytest.fixture
    def rows(self, org, people):
        visit = arriving_visit(org, people, state="arrived")
        guest = visit.guests.get()
        guest.arrived_at = timezone.now() - datetime.timedelta(hours=30)
        guest.save()
        return {
            "late": open_registration(guest, hours_ago=30, due_in=-6),
            "moved": open_registration(guest, reason=RegistrationReason.ADDRESS_CHANGE, due_in=20),
        }

    def listed(self, client, params) -> str:
        return client.get(reverse("visitors:registrations"), params).content.decode()

    @pytest.mark.parametrize("value", ["zzz", "2", "maybe", "tru"])
    def test_an_unknown_overdue_value_is_refused_with_the_list_s_message(self, client, people, rows, value):
        client.force_login(people.officer)
        text = self.listed(client, {"overdue": value})
        assert 'id="filter-errors"' in text and "Overdue only: Choose yes or no" in text
        assert "data-registration=" not in text

    @pytest.mark.parametrize("value", ["on", "true", "True", "1", "yes"])
    def test_yes_values_list_the_overdue_only_and_keep_the_box_ticked(self, client, people, rows, value):
        client.force_login(people.officer)
        text = self.listed(client, {"overdue": value})
        assert f'data-registration="{rows["late"].pk}"' in text
        assert f'data-registration="{rows["moved"].pk}"' not in text
        assert re.search(r'<input type="checkbox" name="overdue"[^>]*checked', text)

    @pytest.mark.parametrize("value", ["false", "0", "off", ""])
    def test_no_values_do_not_narrow_the_list(self, client, people, rows, value):
        client.force_login(people.officer)
        text = self.listed(client, {"overdue": value})
        assert 'id="filter-errors"' not in text
        assert all(f'data-registration="{r.pk}"' in text for r in rows.values())

    def test_the_reason_filter(self, client, people, rows):
        client.force_login(people.officer)
        text = self.listed(client, {"reason": "address_change"})
        assert f'data-registration="{rows["moved"].pk}"' in text
        assert f'data-registration="{rows["late"].pk}"' not in text
        text = self.listed(client, {"reason": "holiday"})
        assert 'id="filter-errors"' in text and "Reason: " in text and "data-registration=" not in text

    @pytest.mark.parametrize("page", ["zzz", "0", "-1", "1.5"])
    def test_a_page_that_is_not_a_number_is_refused(self, client, people, rows, page):
        client.force_login(people.officer)
        text = self.listed(client, {"page": page})
        assert 'id="filter-errors"' in text and "Page: Enter a whole number" in text

    def test_the_api_uses_the_same_checks(self, client, people, rows):
        client.force_login(people.officer)
        url = "/api/v1/visitors/registrations/"
        response = client.get(url, {"overdue": "zzz"})
        assert response.status_code == 400 and "overdue" in response.content.decode()
        response = client.get(url, {"reason": "holiday"})
        assert response.status_code == 400 and "reason" in response.content.decode()
        data = client.get(url, {"reason": "address_change"}).json()
        assert [r["id"] for r in data["results"]] == [rows["moved"].pk]
        data = client.get(url, {"overdue": "on"}).json()
        assert [r["id"] for r in data["results"]] == [rows["late"].pk]


class TestPoliceSheetWording:
    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_the_accommodation_is_not_labelled_as_its_cost(self, client, org, people, language):
        visit = arriving_visit(org, people, state="arrived")
        guest = visit.guests.get()
        passport_of(guest)
        registration = open_registration(guest)
        client.force_login(people.staff)
        with translation.override(language):
            url = reverse("visitors:police_sheet", args=[registration.pk])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        text = response.content.decode()
        assert response.status_code == 200
        assert f'lang="{language}"' in text and "Guest house, Room 305" in text
        assert "住宿费" not in text  # the budget's "accommodation" (its cost)

    def test_the_labels_carry_their_context(self):
        from meridian.visitors.views import arrivals as views

        form = views.ArrivalForm()
        with translation.override("zh-hans"):
            assert str(form.fields["accommodation"].label) != "住宿费"


TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "visitors" / "arrivals"


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_half_width_punctuation_outside_translated_strings(path):
    """Chinese pages must not show "：" as ":" etc.: punctuation belongs inside the translated phrase."""
    text = path.read_text()
    text = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}", "", text, flags=re.S)
    for pattern in (r"{%.*?%}", r"{{.*?}}", r"<[^>]*>", r"&\w+;"):
        text = re.sub(pattern, "", text, flags=re.S)
    assert not re.findall(r"[:(),.;]", text), path.name
