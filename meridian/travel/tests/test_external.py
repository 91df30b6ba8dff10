"""The external approval (批件): recorded by the office for an approved trip, with approved people taken from
the delegation and a content-checked scan; recording it moves the trip to "externally approved"."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.travel.choices import TripFileKind, TripState
from meridian.travel.models import ExternalApproval
from meridian.travel.services.external import external_approval_record
from meridian.travel.tests.factories import make_trip

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ISSUED = datetime.date.today() - datetime.timedelta(days=1)
FUTURE = datetime.date.today() + datetime.timedelta(days=90)


def _trip(org, people, state=TripState.APPROVED):
    return make_trip(
        unit=org.computing,
        applicant=people.staff,
        state=state,
        members=1,
        depart_on=FUTURE,
        return_on=FUTURE + datetime.timedelta(days=3),
    )


def _record(trip, actor, **overrides):
    values: dict[str, Any] = {
        "document_number": "粤外办〔2026〕123号",
        "issued_on": ISSUED,
        "authority": "Provincial Foreign Affairs Office",
        "approved_people": list(trip.members.values_list("person_id", flat=True)),
        "approved_itinerary": "Germany, Heidelberg",
    }
    values.update(overrides)
    return external_approval_record(trip=trip, actor=actor, **values)


def test_the_office_records_it_and_the_trip_is_externally_approved(org, people):
    trip = _trip(org, people)
    scan = SimpleUploadedFile("approval.pdf", PDF, content_type="application/pdf")
    record = _record(trip, people.officer, scan=scan)
    trip.refresh_from_db()
    assert trip.state == TripState.AUTHORISED
    assert record.scan.kind == TripFileKind.EXTERNAL_APPROVAL
    assert record.approved_people == list(trip.members.order_by("order").values_list("person_id", flat=True))
    assert trip.transitions.filter(action="authorise").exists()


def test_only_an_approved_trip(org, people):
    trip = _trip(org, people, state=TripState.UNDER_REVIEW)
    with pytest.raises(TransitionError, match="approved"):
        _record(trip, people.officer)
    assert not ExternalApproval.objects.exists()


def test_only_the_office(org, people):
    trip = _trip(org, people)
    for user in (people.staff, people.coordinator, people.leadership):
        with pytest.raises(PermissionDeniedError):
            _record(trip, user)
    trip.refresh_from_db()
    assert trip.state == TripState.APPROVED


def test_approved_people_must_be_members(org, people):
    trip = _trip(org, people)
    stranger = make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Stranger")
    with pytest.raises(ValidationError, match="members of the delegation"):
        _record(trip, people.officer, approved_people=[stranger.pk])
    with pytest.raises(ValidationError):
        _record(trip, people.officer, approved_people=[])
    trip.refresh_from_db()
    assert trip.state == TripState.APPROVED and not ExternalApproval.objects.exists()


def test_a_refused_scan_stores_nothing(org, people):
    trip = _trip(org, people)
    fake = SimpleUploadedFile("approval.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError):
        _record(trip, people.officer, scan=fake)
    trip.refresh_from_db()
    assert trip.state == TripState.APPROVED and not ExternalApproval.objects.exists()
    assert not trip.files.exists()


def test_the_page_is_prefilled_and_records(client, org, people):
    trip = _trip(org, people)
    url = reverse("travel:external_record", args=[trip.pk])
    client.force_login(people.staff)
    assert client.get(url).status_code == 403
    client.force_login(people.other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(people.officer)
    page = client.get(url).content.decode()
    assert page.count('name="approved_people"') == 2 and page.count("checked") == 2
    assert "Heidelberg" in page
    member_ids = list(trip.members.values_list("person_id", flat=True))
    response = client.post(
        url,
        {
            "document_number": "A-1",
            "issued_on": ISSUED.isoformat(),
            "authority": "Ministry",
            "approved_people": member_ids[:1],
            "approved_itinerary": "Heidelberg",
            "scan": SimpleUploadedFile("approval.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    trip.refresh_from_db()
    assert trip.state == TripState.AUTHORISED
    assert trip.external_approval.approved_people == member_ids[:1]


def test_the_panel_shows_the_record_and_the_button(rf, org, people):
    trip = _trip(org, people)
    request = rf.get("/")
    request.user = people.officer
    html = render_to_string("travel/trips/panels/_external.html", {"trip": trip, "request": request})
    assert reverse("travel:external_record", args=[trip.pk]) in html
    request.user = people.staff
    html = render_to_string("travel/trips/panels/_external.html", {"trip": trip, "request": request})
    assert reverse("travel:external_record", args=[trip.pk]) not in html
    _record(
        trip, people.officer, scan=SimpleUploadedFile("approval.pdf", PDF, content_type="application/pdf")
    )
    trip.refresh_from_db()
    html = render_to_string("travel/trips/panels/_external.html", {"trip": trip, "request": request})
    assert (
        "粤外办〔2026〕123号" in html
        and "approval.pdf" in html
        and "Provincial Foreign Affairs Office" in html
    )


def test_the_trip_page_shows_the_panels(client, org, people):
    trip = _trip(org, people)
    _record(
        trip, people.officer, scan=SimpleUploadedFile("approval.pdf", PDF, content_type="application/pdf")
    )
    client.force_login(people.staff)
    page = client.get(reverse("travel:trip_detail", args=[trip.pk])).content.decode()
    assert "粤外办〔2026〕123号" in page
    scan = trip.files.get(kind=TripFileKind.EXTERNAL_APPROVAL)
    assert reverse("travel:trip_file", args=[trip.pk, scan.pk]) in page
    assert reverse("travel:change_create", args=[trip.pk]) in page


def _panel(trip, user, rf) -> str:
    request = rf.get("/")
    request.user = user
    return render_to_string("travel/trips/panels/_external.html", {"trip": trip, "request": request})


def _approve_change(trip, people, proposed):
    from meridian.travel.services import changes
    from meridian.workflow.services import case_move

    change = changes.change_create(trip=trip, actor=people.staff, reason="Plans changed", proposed=proposed)
    case_move(case=change, actor=people.staff, move="submit")
    case_move(case=change, actor=people.officer, move="approve")
    change.refresh_from_db()
    trip.refresh_from_db()
    return change


def _snapshotted(org, people):
    from meridian.travel.services.trips import trip_snapshot

    trip = _trip(org, people)
    trip.approved_snapshot = trip_snapshot(trip)
    trip.save(update_fields=["approved_snapshot"])
    return trip


def test_the_panel_warns_of_the_members_the_document_does_not_approve(rf, org, people):
    trip = _trip(org, people)
    leader, member = [m.person for m in trip.members.order_by("order", "id")]
    _record(trip, people.officer, approved_people=[leader.pk])
    trip.refresh_from_db()
    html = _panel(trip, people.staff, rf)
    assert "Members not approved by the approval document:" in html
    assert f'data-not-approved-person="{member.pk}">{member}</span>' in html
    assert f'data-not-approved-person="{leader.pk}"' not in html
    assert "No passport or permit is issued to them" in html


def test_the_panel_has_no_warning_when_everyone_is_approved(rf, org, people):
    trip = _trip(org, people)
    _record(trip, people.officer)
    trip.refresh_from_db()
    html = _panel(trip, people.staff, rf)
    assert "data-not-approved" not in html and "data-change-after-approval" not in html


def test_the_panel_says_the_document_predates_a_change_approved_after_it(rf, org, people):
    from meridian.travel.choices import MemberRole

    trip = _snapshotted(org, people)
    _record(trip, people.officer)
    newcomer = make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Chen", given_name="Liu")
    members = [*trip.approved_snapshot["members"], {"person": newcomer.pk, "role": MemberRole.INTERPRETER}]
    change = _approve_change(trip, people, {"members": members})
    assert trip.state == TripState.AUTHORISED
    html = _panel(trip, people.staff, rf)
    assert f'data-change-after-approval="{change.number}"' in html
    assert f"Approval document 粤外办〔2026〕123号 predates change {change.number}, approved on" in html
    assert "Obtain the authority's approval of the change." in html
    assert change.get_absolute_url() in html
    # The member the change added is not approved by the document.
    assert f'data-not-approved-person="{newcomer.pk}"' in html


def test_a_budget_only_change_does_not_touch_the_approval_document(rf, org, people):
    trip = _snapshotted(org, people)
    _record(trip, people.officer)
    _approve_change(trip, people, {"budget": [{"kind": "travel", "amount": "7000", "currency": "CNY"}]})
    html = _panel(trip, people.staff, rf)
    assert "data-change-after-approval" not in html and "data-not-approved" not in html


# --- the authority's new approval of a change approved after the document ------------------------------


def _with_change_after_approval(org, people):
    """An externally approved trip (document on record with a scan) and an approved change adding an
    interpreter after it."""
    from meridian.travel.choices import MemberRole

    trip = _snapshotted(org, people)
    _record(
        trip, people.officer, scan=SimpleUploadedFile("approval.pdf", PDF, content_type="application/pdf")
    )
    newcomer = make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Chen", given_name="Liu")
    members = [*trip.approved_snapshot["members"], {"person": newcomer.pk, "role": MemberRole.INTERPRETER}]
    change = _approve_change(trip, people, {"members": members})
    return trip, change, newcomer


def _renew(trip, actor, **overrides):
    from meridian.travel.services.external import external_approval_renew

    values: dict[str, Any] = {
        "document_number": "粤外办〔2026〕456号",
        "issued_on": datetime.date.today(),
        "authority": "Provincial Foreign Affairs Office",
        "approved_people": list(trip.members.values_list("person_id", flat=True)),
        "approved_itinerary": "Germany, Heidelberg and Berlin",
    }
    values.update(overrides)
    return external_approval_renew(trip=trip, actor=actor, **values)


def test_the_new_approval_replaces_the_document_and_clears_the_warning(rf, org, people):
    from meridian.core.models import Activity
    from meridian.travel.services.external import can_renew_external, changes_after_approval

    trip, change, newcomer = _with_change_after_approval(org, people)
    old = trip.external_approval
    old_scan, old_recorded_at = old.scan, old.recorded_at
    moves = trip.transitions.count()
    assert can_renew_external(people.officer, trip) and not can_renew_external(people.staff, trip)
    scan = SimpleUploadedFile("approval-2.pdf", PDF, content_type="application/pdf")
    record = _renew(trip, people.officer, scan=scan)
    trip.refresh_from_db()
    assert trip.state == TripState.AUTHORISED and trip.transitions.count() == moves  # no state move
    assert ExternalApproval.objects.filter(trip=trip).count() == 1 and record.pk == old.pk
    record.refresh_from_db()
    assert record.document_number == "粤外办〔2026〕456号"
    assert record.approved_people == list(trip.members.order_by("order").values_list("person_id", flat=True))
    assert newcomer.pk in record.approved_people
    assert record.approved_itinerary == "Germany, Heidelberg and Berlin"
    assert record.recorded_at > change.state_changed_at > old_recorded_at
    assert record.recorded_by == people.officer
    assert record.scan.original_name == "approval-2.pdf" and record.scan != old_scan
    assert trip.files.filter(kind=TripFileKind.EXTERNAL_APPROVAL).count() == 2  # the old scan is kept
    assert changes_after_approval(trip, record) == [] and not can_renew_external(people.officer, trip)
    entry = Activity.objects.filter(verb="external_approval_renewed").get()
    assert "粤外办〔2026〕123号" in entry.message and "粤外办〔2026〕456号" in entry.message
    assert change.number in entry.message
    html = _panel(trip, people.staff, rf)
    assert "data-change-after-approval" not in html and "data-not-approved" not in html
    assert "粤外办〔2026〕456号" in html and "data-no-issue" not in html


def test_the_new_approval_without_a_scan_leaves_the_record_without_one(org, people):
    trip, _change, _newcomer = _with_change_after_approval(org, people)
    record = _renew(trip, people.officer)
    record.refresh_from_db()
    assert record.scan is None
    assert trip.files.filter(kind=TripFileKind.EXTERNAL_APPROVAL).count() == 1


def test_the_new_approval_is_refused_without_a_later_change(org, people):
    trip = _trip(org, people)
    _record(trip, people.officer)
    trip.refresh_from_db()
    with pytest.raises(TransitionError, match="No approved change postdates approval document"):
        _renew(trip, people.officer)
    assert trip.external_approval.document_number == "粤外办〔2026〕123号"


def test_the_new_approval_is_for_the_office_and_an_externally_approved_trip(org, people):
    from meridian.travel.models import Trip

    trip, _change, _newcomer = _with_change_after_approval(org, people)
    for user in (people.staff, people.coordinator, people.leadership):
        with pytest.raises(PermissionDeniedError):
            _renew(trip, user)
    Trip.objects.filter(pk=trip.pk).update(state=TripState.ABROAD)
    trip.refresh_from_db()
    with pytest.raises(TransitionError, match="externally approved trip"):
        _renew(trip, people.officer)
    assert trip.external_approval.document_number == "粤外办〔2026〕123号"


def test_the_new_approval_is_checked_like_the_first(org, people):
    trip, _change, _newcomer = _with_change_after_approval(org, people)
    stranger = make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Stranger")
    with pytest.raises(ValidationError) as caught:
        _renew(
            trip,
            people.officer,
            document_number=" ",
            issued_on=ISSUED - datetime.timedelta(days=1),
            approved_people=[stranger.pk],
        )
    errors = caught.value.message_dict
    assert set(errors) == {"document_number", "issued_on", "approved_people"}
    assert "cannot be dated before the one it replaces" in errors["issued_on"][0]
    fake = SimpleUploadedFile("approval.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError):
        _renew(trip, people.officer, scan=fake)
    record = ExternalApproval.objects.get(trip=trip)
    assert record.document_number == "粤外办〔2026〕123号"
    assert trip.files.filter(kind=TripFileKind.EXTERNAL_APPROVAL).count() == 1


def test_the_panel_offers_the_office_the_new_approval(client, rf, org, people):
    trip, change, _newcomer = _with_change_after_approval(org, people)
    url = reverse("travel:external_record", args=[trip.pk])
    html = _panel(trip, people.staff, rf)
    assert "No passport or permit is issued for this trip until" in html and url not in html
    client.force_login(people.staff)
    assert url not in client.get(trip.get_absolute_url()).content.decode()
    client.force_login(people.officer)
    page = client.get(trip.get_absolute_url()).content.decode()
    assert f'href="{url}" data-renew-external' in page


def test_the_page_records_the_new_approval(client, org, people):
    trip, change, newcomer = _with_change_after_approval(org, people)
    url = reverse("travel:external_record", args=[trip.pk])
    client.force_login(people.staff)
    assert client.get(url).status_code == 403
    client.force_login(people.other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(people.officer)
    page = client.get(url).content.decode()
    assert "<h1>Record the authority's new approval</h1>" in page
    assert (
        'data-renewing="粤外办〔2026〕123号"' in page
        and f'data-change-after-approval="{change.number}"' in page
    )
    assert page.count('name="approved_people"') == 3 and page.count("checked") == 3  # the newcomer too
    member_ids = list(trip.members.order_by("order", "id").values_list("person_id", flat=True))
    response = client.post(
        url,
        {
            "document_number": "B-2",
            "issued_on": datetime.date.today().isoformat(),
            "authority": "Ministry",
            "approved_people": member_ids,
            "approved_itinerary": "Heidelberg",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == trip.get_absolute_url()
    assert "The new approval document is recorded" in response.content.decode()
    trip.refresh_from_db()
    assert trip.state == TripState.AUTHORISED
    assert trip.external_approval.document_number == "B-2"
    assert newcomer.pk in trip.external_approval.approved_people
    # Nothing is left to approve: the page sends the office back to the trip.
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == trip.get_absolute_url()
    assert "a new approval is recorded only when a change" in response.content.decode()


def test_the_page_shows_a_date_before_the_replaced_document_as_an_error(client, org, people):
    trip, _change, _newcomer = _with_change_after_approval(org, people)
    client.force_login(people.officer)
    response = client.post(
        reverse("travel:external_record", args=[trip.pk]),
        {
            "document_number": "B-2",
            "issued_on": (ISSUED - datetime.timedelta(days=3)).isoformat(),
            "authority": "Ministry",
            "approved_people": list(trip.members.values_list("person_id", flat=True)),
            "approved_itinerary": "Heidelberg",
        },
    )
    assert response.status_code == 200
    assert "cannot be dated before the one it replaces" in response.content.decode()
    assert ExternalApproval.objects.get(trip=trip).document_number == "粤外办〔2026〕123号"
