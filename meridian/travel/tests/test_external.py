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
