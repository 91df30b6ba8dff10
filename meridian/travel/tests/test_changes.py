"""Change requests of approved trips: the difference from the approved version, routing only the change,
applying it on approval, and refusing approval after the fact."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.travel.casework import evaluation_date
from meridian.travel.choices import ChangeState, MemberRole, TripState
from meridian.travel.models import TripChange
from meridian.travel.services import changes
from meridian.travel.services.trips import trip_snapshot
from meridian.travel.tests.factories import make_trip
from meridian.workflow.services import case_move

D = datetime.date
TODAY = datetime.date.today()
START = TODAY + datetime.timedelta(days=60)


def _trip(org, people, state=TripState.APPROVED):
    trip = make_trip(
        unit=org.computing,
        applicant=people.staff,
        state=state,
        members=1,
        depart_on=START,
        return_on=START + datetime.timedelta(days=4),
    )
    trip.approved_snapshot = trip_snapshot(trip)
    trip.save(update_fields=["approved_snapshot"])
    return trip


def _postponed(trip, *, shift=2, add=None, drop_member=False):
    """The approved version moved ``shift`` days later, optionally with a person added or a member dropped."""
    snapshot = trip.approved_snapshot
    depart = D.fromisoformat(snapshot["depart_on"]) + datetime.timedelta(days=shift)
    back = D.fromisoformat(snapshot["return_on"]) + datetime.timedelta(days=shift)
    members = [dict(m) for m in snapshot["members"]]
    if drop_member:
        members = [m for m in members if m["role"] == MemberRole.LEADER]
    if add is not None:
        members.append({"person": add.pk, "role": MemberRole.INTERPRETER, "post": "Interpreter"})
    itinerary = [
        {**item, "day": (D.fromisoformat(item["day"]) + datetime.timedelta(days=shift)).isoformat()}
        for item in snapshot["itinerary"]
    ]
    return {"depart_on": depart, "return_on": back, "members": members, "itinerary": itinerary}


class TestCreate:
    def test_the_change_holds_both_versions_and_its_number(self, org, people):
        trip = _trip(org, people)
        change = changes.change_create(
            trip=trip, actor=people.staff, reason="Flight moved", proposed=_postponed(trip)
        )
        assert change.number == f"CHG-{TODAY.year}-0001"
        assert change.state == ChangeState.DRAFT
        assert change.approved == trip.approved_snapshot
        assert change.proposed["depart_on"] == (START + datetime.timedelta(days=2)).isoformat()
        assert change.proposed["budget"] == trip.approved_snapshot["budget"]

    def test_only_one_open_change_per_trip(self, org, people):
        trip = _trip(org, people)
        changes.change_create(trip=trip, actor=people.staff, reason="One", proposed=_postponed(trip))
        with pytest.raises(TransitionError, match="still open"):
            changes.change_create(
                trip=trip, actor=people.coordinator, reason="Two", proposed=_postponed(trip, shift=3)
            )

    def test_not_before_approval_and_not_by_others(self, org, people):
        draft = _trip(org, people, state=TripState.UNDER_REVIEW)
        with pytest.raises(TransitionError):
            changes.change_create(trip=draft, actor=people.staff, reason="x", proposed=_postponed(draft))
        trip = _trip(org, people)
        with pytest.raises(PermissionDeniedError):
            changes.change_create(
                trip=trip, actor=people.other_coordinator, reason="x", proposed=_postponed(trip)
            )
        assert not TripChange.objects.exists()

    def test_a_request_that_changes_nothing_or_is_inconsistent_is_refused(self, org, people):
        trip = _trip(org, people)
        with pytest.raises(ValidationError, match="changes nothing"):
            changes.change_create(
                trip=trip, actor=people.staff, reason="x", proposed=_postponed(trip, shift=0)
            )
        bad = _postponed(trip)
        bad["itinerary"][0]["day"] = (START - datetime.timedelta(days=5)).isoformat()
        with pytest.raises(ValidationError, match="outside the trip's dates"):
            changes.change_create(trip=trip, actor=people.staff, reason="x", proposed=bad)
        with pytest.raises(ValidationError):
            changes.change_create(trip=trip, actor=people.staff, reason="", proposed=_postponed(trip))


class TestDifference:
    def test_dates_members_itinerary_and_budget(self, org, people):
        trip = _trip(org, people)
        newcomer = make_person(
            kind=PersonKind.STAFF, unit=org.computing, family_name="Chen", given_name="Liu"
        )
        proposed = _postponed(trip, shift=1, add=newcomer, drop_member=True)
        proposed["itinerary"][0]["city"] = "Frankfurt"
        proposed["budget"] = [{"kind": "travel", "amount": Decimal("7000"), "currency": "CNY"}]
        change = changes.change_create(
            trip=trip, actor=people.coordinator, reason="Smaller team", proposed=proposed
        )
        rows = changes.change_difference(change)
        by_section: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            by_section.setdefault(row["section"], []).append(row)
        assert [r["change"] for r in by_section["dates"]] == ["changed"]
        member_changes = {(r["change"], r["label"]) for r in by_section["members"]}
        assert ("added", str(newcomer)) in member_changes
        assert any(kind == "removed" for kind, _label in member_changes)
        # Shifted by one day: the first approved day disappears, a new last day appears, the new first is
        # Frankfurt.
        itinerary = {r["label"]: r for r in by_section["itinerary"]}
        assert itinerary[START.isoformat()]["change"] == "removed"
        assert "Frankfurt" in itinerary[(START + datetime.timedelta(days=1)).isoformat()]["after"]
        assert itinerary[(START + datetime.timedelta(days=5)).isoformat()]["change"] == "added"
        totals = [r for r in by_section["budget"] if r["label"] == "Budget total"]
        assert totals[0]["before"] == "CNY 9,000.00" and totals[0]["after"] == "CNY 7,000.00"
        assert changes.change_days(change) == 5
        assert changes.change_start_date(change) == START + datetime.timedelta(days=1)

    def test_no_difference_is_an_empty_list(self, org, people):
        trip = _trip(org, people)
        change = TripChange(trip=trip, approved=trip.approved_snapshot, proposed=trip.approved_snapshot)
        assert changes.change_difference(change) == []


class TestLifecycle:
    def _submitted(self, org, people, **kwargs):
        trip = _trip(org, people, state=TripState.AUTHORISED)
        newcomer = make_person(
            kind=PersonKind.STAFF, unit=org.computing, family_name="Chen", given_name="Liu"
        )
        change = changes.change_create(
            trip=trip,
            actor=people.staff,
            reason="Add an interpreter",
            proposed=_postponed(trip, add=newcomer, **kwargs),
        )
        case_move(case=change, actor=people.staff, move="submit")
        change.refresh_from_db()
        assert change.state == ChangeState.UNDER_REVIEW
        return trip, change, newcomer

    def test_approval_applies_the_change_to_the_trip(self, org, people):
        trip, change, newcomer = self._submitted(org, people)
        case_move(case=change, actor=people.officer, move="approve")
        change.refresh_from_db()
        trip.refresh_from_db()
        assert change.state == ChangeState.APPROVED
        assert trip.depart_on == START + datetime.timedelta(days=2)
        assert trip.members.filter(person=newcomer, role=MemberRole.INTERPRETER).exists()
        assert trip.itinerary.order_by("day").first().day == START + datetime.timedelta(days=2)
        assert trip.approved_snapshot["depart_on"] == trip.depart_on.isoformat()
        assert trip.state == TripState.AUTHORISED
        assert trip.budget_lines.get().amount == Decimal("9000")

    def test_approval_after_the_fact_is_refused(self, org, people):
        trip, change, _newcomer = self._submitted(org, people)
        with (
            evaluation_date(START + datetime.timedelta(days=2)),
            pytest.raises(TransitionError, match="after the fact"),
        ):
            case_move(case=change, actor=people.officer, move="approve")
        change.refresh_from_db()
        trip.refresh_from_db()
        assert change.state == ChangeState.UNDER_REVIEW
        assert trip.depart_on == START
        with (
            evaluation_date(START + datetime.timedelta(days=2)),
            pytest.raises(TransitionError, match="after the fact"),
        ):
            changes.change_apply(change=change, actor=people.officer)

    def test_submission_after_the_fact_is_refused(self, org, people):
        trip = _trip(org, people)
        change = changes.change_create(
            trip=trip, actor=people.staff, reason="Later", proposed=_postponed(trip)
        )
        with evaluation_date(START + datetime.timedelta(days=3)), pytest.raises(TransitionError):
            case_move(case=change, actor=people.staff, move="submit")

    def test_a_new_change_may_follow_a_decided_one(self, org, people):
        trip, change, _newcomer = self._submitted(org, people)
        case_move(case=change, actor=people.officer, move="reject", comment="Not needed")
        trip.refresh_from_db()
        assert changes.can_request_change(people.staff, trip)


class TestAfterExternalApproval:
    """A change approved once the approval document (批件) is on record leaves the document behind: the
    activity says so, so the office obtains the authority's approval of the change."""

    def _approval(self, trip):
        from meridian.travel.models import ExternalApproval

        return ExternalApproval.objects.create(
            trip=trip,
            document_number="粤外办〔2026〕77号",
            issued_on=TODAY,
            authority="Provincial Foreign Affairs Office",
            approved_people=[m["person"] for m in trip.approved_snapshot["members"]],
            approved_itinerary="Germany, Heidelberg",
        )

    def _entries(self, trip):
        from django.contrib.contenttypes.models import ContentType

        from meridian.core.models import Activity

        return Activity.objects.filter(
            content_type=ContentType.objects.get_for_model(trip),
            object_id=trip.pk,
            verb="change_after_external_approval",
        )

    def _approve(self, trip, people, proposed):
        change = changes.change_create(trip=trip, actor=people.staff, reason="Plans", proposed=proposed)
        case_move(case=change, actor=people.staff, move="submit")
        case_move(case=change, actor=people.officer, move="approve")
        change.refresh_from_db()
        return change

    def test_a_change_of_dates_or_people_is_recorded_in_the_activity(self, org, people):
        trip = _trip(org, people, state=TripState.AUTHORISED)
        self._approval(trip)
        change = self._approve(trip, people, _postponed(trip))
        entry = self._entries(trip).get()
        assert entry.actor == people.officer
        assert change.number in entry.message and "粤外办〔2026〕77号" in entry.message
        assert "obtain the authority's approval of the change" in entry.message
        assert change.number in entry.message_zh  # rendered in both languages (catalogue merged later)
        trip.refresh_from_db()
        assert trip.state == TripState.AUTHORISED
        assert trip.external_approval.recorded_at < change.state_changed_at

    def test_no_entry_for_a_budget_change_or_a_trip_not_yet_externally_approved(self, org, people):
        trip = _trip(org, people, state=TripState.AUTHORISED)
        self._approval(trip)
        self._approve(trip, people, {"budget": [{"kind": "travel", "amount": "7000", "currency": "CNY"}]})
        assert not self._entries(trip).exists()
        approved = _trip(org, people, state=TripState.APPROVED)
        self._approve(approved, people, _postponed(approved))
        assert not self._entries(approved).exists()


class TestPages:
    def test_the_form_starts_from_the_approved_version_and_saves(self, client, org, people):
        trip = _trip(org, people)
        url = reverse("travel:change_create", args=[trip.pk])
        client.force_login(people.other_coordinator)
        assert client.get(url).status_code == 404
        client.force_login(people.staff)
        page = client.get(url).content.decode()
        assert f'value="{START.isoformat()}"' in page
        assert "Heidelberg" in page
        snapshot = trip.approved_snapshot
        later = START + datetime.timedelta(days=1)
        data = {
            "reason": "Conference moved by a day",
            "depart_on": START.isoformat(),
            "return_on": (START + datetime.timedelta(days=5)).isoformat(),
            "members-TOTAL_FORMS": str(len(snapshot["members"])),
            "members-INITIAL_FORMS": "0",
            "itinerary-TOTAL_FORMS": "1",
            "itinerary-INITIAL_FORMS": "0",
            "itinerary-0-day": later.isoformat(),
            "itinerary-0-country": snapshot["itinerary"][0]["country"],
            "itinerary-0-city": "Mannheim",
            "itinerary-0-activity": "Talks",
            "budget-TOTAL_FORMS": "1",
            "budget-INITIAL_FORMS": "0",
            "budget-0-kind": "travel",
            "budget-0-amount": "9000",
            "budget-0-currency": "CNY",
            "budget-0-persons": "2",
            "budget-0-days": "1",
        }
        for i, m in enumerate(snapshot["members"]):
            data[f"members-{i}-person"] = m["person"]
            data[f"members-{i}-role"] = m["role"]
            data[f"members-{i}-post"] = m["post"]
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        change = TripChange.objects.get()
        assert response["Location"] == reverse("travel:change_detail", args=[change.pk])
        detail = client.get(response["Location"]).content.decode()
        assert "Conference moved by a day" in detail
        assert "<ins>" in detail and "Mannheim" in detail and "<del>" in detail
        assert "Submit the change for approval" in detail
        client.force_login(people.other_coordinator)
        assert client.get(response["Location"]).status_code == 404

    def test_the_form_as_a_browser_posts_it_ignores_the_untouched_extra_rows(self, client, org, people):
        """The extra rows' selects post the option they show (role, kind of budget line): untouched, the
        rows are left out instead of failing on their required fields."""
        from meridian.travel.tests.test_trips_views import browser_post_data

        trip = _trip(org, people)
        url = reverse("travel:change_create", args=[trip.pk])
        client.force_login(people.staff)
        page = client.get(url).content.decode()
        later = (START + datetime.timedelta(days=5)).isoformat()
        data = browser_post_data(page, "change-form", reason="Stay a day longer", return_on=later)
        extra_member, extra_budget = len(trip.approved_snapshot["members"]), 1
        assert data[f"members-{extra_member}-role"] == ["member"]
        assert data[f"budget-{extra_budget}-kind"] == ["travel"]
        assert data[f"budget-{extra_budget}-amount"] == [""]
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()
        change = TripChange.objects.get()
        assert len(change.proposed["members"]) == len(trip.approved_snapshot["members"])
        assert len(change.proposed["budget"]) == len(trip.approved_snapshot["budget"])
        assert len(change.proposed["itinerary"]) == len(trip.approved_snapshot["itinerary"])

    def test_the_panel_offers_a_change_only_where_allowed(self, rf, org, people):
        trip = _trip(org, people)
        request = rf.get("/")
        request.user = people.staff
        html = render_to_string("travel/trips/panels/_changes.html", {"trip": trip, "request": request})
        assert reverse("travel:change_create", args=[trip.pk]) in html
        request.user = people.leadership
        html = render_to_string("travel/trips/panels/_changes.html", {"trip": trip, "request": request})
        assert reverse("travel:change_create", args=[trip.pk]) not in html
        changes.change_create(trip=trip, actor=people.staff, reason="Later", proposed=_postponed(trip))
        request.user = people.staff
        html = render_to_string("travel/trips/panels/_changes.html", {"trip": trip, "request": request})
        assert f"CHG-{TODAY.year}-0001" in html
        assert reverse("travel:change_create", args=[trip.pk]) not in html


def test_countries_in_another_language(org, people):
    """The difference names countries in the reader's language."""
    from django.utils import translation

    trip = _trip(org, people)
    proposed = _postponed(trip, shift=0)
    proposed["itinerary"][0]["country"] = country("FR", "France", "法国").pk
    change = changes.change_create(trip=trip, actor=people.staff, reason="Paris first", proposed=proposed)
    with translation.override("zh-hans"):
        rows = changes.change_difference(change)
    assert "法国" in rows[0]["after"]
