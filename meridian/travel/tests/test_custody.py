"""The passport register: registering, issuing for a trip (window, state, holder, region), returning, sending,
cancelling, losing; who may do it; what the list, page and export show to whom."""

from __future__ import annotations

import datetime
from typing import cast

import pytest
from django.urls import reverse
from django.utils import timezone

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.people.choices import DocumentType, PersonKind
from meridian.people.models import AccessLog, IdentityDocument
from meridian.people.tests.factories import IdentityDocumentFactory, make_person
from meridian.reference.tests.factories import country
from meridian.travel.choices import CustodyAction, CustodyState, MemberRole, TripState
from meridian.travel.models import ExternalApproval, TripMember
from meridian.travel.services import custody as services
from meridian.travel.tests.factories import make_trip

TODAY = timezone.localdate


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


def holder_in(unit, *, user=None, family_name="Wang", number="E12345678"):
    """A staff person of ``unit`` with an official passport (number ``number``) valid for years."""
    person = make_person(
        kind=PersonKind.STAFF, unit=unit, family_name=family_name, given_name="Wu", user=user
    )
    IdentityDocumentFactory(
        person=person,
        kind=DocumentType.OFFICIAL_PASSPORT,
        number=number,
        issuing_country=country("CN", "China", "中国", alpha3="CHN", region_code="142"),
        expiry_date=days(3650),
    )
    return person


def item_for(person, actor):
    """The person's (first) document, taken into custody by ``actor``."""
    return services.custody_register(document=person.documents.first(), actor=actor, location="Safe A")


def authorised_trip(
    unit, applicant, person, *, depart_in=3, length=5, state=TripState.AUTHORISED, approved=None, **fields
):
    """A trip led by ``person``; when externally approved, with its approval document on record approving
    ``approved`` (Person list; default every member), as ``external_approval_record`` leaves it."""
    trip = make_trip(
        unit=unit,
        applicant=applicant,
        state=state,
        leader=person,
        depart_on=days(depart_in),
        return_on=days(depart_in + length - 1),
        **fields,
    )
    if state == TripState.AUTHORISED:
        people = (
            [p.pk for p in approved]
            if approved is not None
            else list(trip.members.order_by("order", "id").values_list("person_id", flat=True))
        )
        ExternalApproval.objects.create(
            trip=trip,
            document_number=f"外办〔{TODAY().year}〕{trip.pk}号",
            issued_on=TODAY(),
            authority="Provincial Foreign Affairs Office",
            approved_people=people,
            approved_itinerary="Germany, Heidelberg",
        )
    return trip


@pytest.fixture
def holder(org):
    return holder_in(org.computing)


@pytest.fixture
def item(holder, people):
    return item_for(holder, people.officer)


# --- services --------------------------------------------------------------------------------------------


def test_registering_takes_the_document_into_custody_with_a_movement(item, holder, org):
    assert (item.state, item.holder, item.unit, item.location) == (
        "in_custody",
        holder,
        org.computing,
        "Safe A",
    )
    assert list(item.movements.values_list("action", flat=True)) == [CustodyAction.REGISTER]


def test_only_official_passports_and_permits_are_registered(org, people):
    person = make_person(kind=PersonKind.STAFF, unit=org.computing)
    ordinary = cast(
        IdentityDocument,
        IdentityDocumentFactory(person=person, kind=DocumentType.PASSPORT, issuing_country=country()),
    )
    with pytest.raises(DomainError, match="Only official passports"):
        services.custody_register(document=ordinary, actor=people.officer)


def test_a_document_is_registered_once(item, holder, people):
    with pytest.raises(DomainError, match="already in the register"):
        services.custody_register(document=holder.documents.first(), actor=people.officer)


@pytest.mark.parametrize("who", ["coordinator", "staff", "leadership"])
def test_only_the_office_registers_and_moves_documents(holder, people, who, org):
    with pytest.raises(PermissionDeniedError):
        services.custody_register(document=holder.documents.first(), actor=getattr(people, who))
    item = item_for(holder, people.officer)
    trip = authorised_trip(org.computing, people.staff, holder)
    with pytest.raises(PermissionDeniedError):
        services.custody_issue(item=item, actor=getattr(people, who), trip=trip, on=TODAY())


def test_issuing_for_an_authorised_trip_sets_the_due_back_date(item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=3)
    issued = services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    assert issued.state == CustodyState.ISSUED
    assert issued.trip == trip
    assert issued.issued_on == TODAY()
    # passport_return.days_after_return = 7 calendar days after the planned return
    assert issued.due_back_on == trip.return_on + datetime.timedelta(days=7)
    movement = issued.movements.first()
    assert movement is not None and movement.action == CustodyAction.ISSUE


def test_issuing_too_early_is_refused_with_the_first_possible_day(item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=10)
    with pytest.raises(DomainError) as caught:
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    assert "at most 7 days before departure" in caught.value.message
    assert (trip.depart_on - datetime.timedelta(days=7)).isoformat() in caught.value.message
    item.refresh_from_db()
    assert item.state == CustodyState.IN_CUSTODY


def test_the_issue_window_follows_the_rule_parameter(item, holder, people, org, monkeypatch):
    from meridian.travel import rules

    real = rules.parameter
    monkeypatch.setattr(
        rules,
        "parameter",
        lambda code, name: (
            14 if (code, name) == ("passport_issue", "days_before_departure") else real(code, name)
        ),
    )
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=10)
    assert services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY()).state == "issued"


@pytest.mark.parametrize("state", [TripState.DRAFT, TripState.UNDER_REVIEW, TripState.APPROVED])
def test_issuing_needs_the_external_approval(item, holder, people, org, state):
    trip = authorised_trip(org.computing, people.staff, holder, state=state)
    with pytest.raises(DomainError, match="external approval"):
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())


def test_issuing_for_a_trip_the_holder_does_not_travel_on_is_refused(item, people, org):
    trip = authorised_trip(
        org.computing, people.staff, make_person(kind=PersonKind.STAFF, unit=org.computing)
    )
    with pytest.raises(DomainError, match="does not travel on trip"):
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())


def test_a_member_left_out_of_the_approval_document_gets_no_passport(item, holder, people, org):
    """The approval document (批件) names only the leader: the second member's passport stays in the safe."""
    member = holder_in(org.computing, family_name="Zhao", number="E87654321")
    member_item = item_for(member, people.officer)
    trip = authorised_trip(org.computing, people.staff, holder, approved=[holder])
    TripMember.objects.create(trip=trip, person=member, role=MemberRole.MEMBER, unit=org.computing, order=1)
    document = trip.external_approval.document_number
    with pytest.raises(DomainError) as caught:
        services.custody_issue(item=member_item, actor=people.officer, trip=trip, on=TODAY())
    assert caught.value.code == "not_approved"
    assert "ZHAO Wu is not among the people approved by approval document" in caught.value.message
    assert document in caught.value.message and trip.number in caught.value.message
    member_item.refresh_from_db()
    assert member_item.state == CustodyState.IN_CUSTODY and member_item.trip is None
    assert not member_item.movements.filter(action=CustodyAction.ISSUE).exists()
    # The approved leader's passport is issued as before.
    assert services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY()).state == "issued"


def test_no_document_is_issued_while_the_approval_document_is_not_on_record(item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder)
    ExternalApproval.objects.filter(trip=trip).delete()
    with pytest.raises(DomainError, match="approval document of trip .* is not on record"):
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    item.refresh_from_db()
    assert item.state == CustodyState.IN_CUSTODY


def _change_after_approval(trip, people, proposed):
    """Freeze the trip as approved, then request and approve a change of it (after the approval document)."""
    from meridian.travel.services import changes
    from meridian.travel.services.trips import trip_snapshot
    from meridian.workflow.services import case_move

    trip.approved_snapshot = trip_snapshot(trip)
    trip.save(update_fields=["approved_snapshot"])
    change = changes.change_create(trip=trip, actor=people.staff, reason="Plans changed", proposed=proposed)
    case_move(case=change, actor=people.staff, move="submit")
    case_move(case=change, actor=people.officer, move="approve")
    change.refresh_from_db()
    trip.refresh_from_db()
    return change


def trip_members_snapshot(trip) -> list[dict]:
    from meridian.travel.services.trips import trip_snapshot

    return trip_snapshot(trip)["members"]


def _renew(trip, people, approved):
    from meridian.travel.services.external import external_approval_renew

    return external_approval_renew(
        trip=trip,
        actor=people.officer,
        document_number="外办〔新〕2号",
        issued_on=TODAY(),
        authority="Provincial Foreign Affairs Office",
        approved_people=[p.pk for p in approved],
        approved_itinerary="Germany, Heidelberg",
    )


def test_a_member_added_by_a_change_after_the_approval_needs_a_new_approval(item, holder, people, org):
    """Change approved after the approval document adds an interpreter: no passport is issued for the trip —
    neither to the newcomer nor to the leader the old document approves — until the office records the
    authority's approval of the change; then both are."""
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=5)
    newcomer = holder_in(org.computing, family_name="Chen", number="E11112222")
    newcomer_item = item_for(newcomer, people.officer)
    members = [
        *trip_members_snapshot(trip),
        {"person": newcomer.pk, "role": MemberRole.INTERPRETER, "post": "Interpreter"},
    ]
    change = _change_after_approval(trip, people, {"members": members})
    assert trip.state == TripState.AUTHORISED and trip.members.filter(person=newcomer).exists()
    document = trip.external_approval.document_number
    for refused in (newcomer_item, item):
        with pytest.raises(DomainError) as caught:
            services.custody_issue(item=refused, actor=people.officer, trip=trip, on=TODAY())
        assert caught.value.code == "approval_predates_change"
        message = caught.value.message
        assert f"Approval document {document} of trip {trip.number} predates change {change.number}:" in (
            message
        )
        assert f"the authority's approval of change {change.number} must be recorded" in message
        refused.refresh_from_db()
        assert refused.state == CustodyState.IN_CUSTODY and refused.trip is None
        assert not refused.movements.filter(action=CustodyAction.ISSUE).exists()
    _renew(trip, people, [holder, newcomer])
    assert services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY()).state == "issued"
    assert (
        services.custody_issue(item=newcomer_item, actor=people.officer, trip=trip, on=TODAY()).state
        == "issued"
    )


def test_new_dates_after_the_approval_stop_every_issue_until_the_new_approval(item, holder, people, org):
    """Only the dates change (the leader stays approved by name): the passport is still refused, since the
    approval document approves the old dates; a new document that leaves the leader out keeps it refused."""
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=5, members=1)
    other = trip.members.exclude(person=holder).get().person
    change = _change_after_approval(
        trip,
        people,
        {
            "depart_on": days(6).isoformat(),
            "return_on": days(10).isoformat(),
            "itinerary": [
                {"day": days(n).isoformat(), "country": "DE", "city": "Berlin", "is_transit": False}
                for n in range(6, 11)
            ],
        },
    )
    assert trip.depart_on == days(6) and holder.pk in trip.external_approval.approved_people
    with pytest.raises(DomainError, match=f"predates change {change.number}"):
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    _renew(trip, people, [other])
    with pytest.raises(DomainError) as caught:
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    assert caught.value.code == "not_approved"
    item.refresh_from_db()
    assert item.state == CustodyState.IN_CUSTODY


def test_a_budget_only_change_after_the_approval_does_not_stop_the_issue(item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=5)
    budget = [{"kind": "travel", "amount": "7000", "currency": "CNY"}]
    _change_after_approval(trip, people, {"budget": budget})
    assert services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY()).state == "issued"


def test_the_page_shows_the_refusal_while_a_change_awaits_the_authority(client, item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=5)
    change = _change_after_approval(trip, people, {"return_on": days(10).isoformat()})
    client.force_login(people.officer)
    url = reverse("travel:custody_action", args=[item.pk, "issue"])
    page = client.post(url, {"on": TODAY().isoformat(), "trip": trip.pk}, follow=True).content.decode()
    assert f"the authority&#x27;s approval of change {change.number} must be recorded" in page
    item.refresh_from_db()
    assert item.state == CustodyState.IN_CUSTODY


def test_the_page_shows_the_refusal_of_a_person_the_document_does_not_approve(client, holder, people, org):
    member = holder_in(org.computing, family_name="Zhao", number="E87654321")
    member_item = item_for(member, people.officer)
    trip = authorised_trip(org.computing, people.staff, holder, approved=[holder])
    TripMember.objects.create(trip=trip, person=member, role=MemberRole.MEMBER, unit=org.computing, order=1)
    client.force_login(people.officer)
    url = reverse("travel:custody_action", args=[member_item.pk, "issue"])
    page = client.post(url, {"on": TODAY().isoformat(), "trip": trip.pk}, follow=True).content.decode()
    assert "is not among the people approved by approval document" in page
    member_item.refresh_from_db()
    assert member_item.state == CustodyState.IN_CUSTODY


def test_a_passport_is_not_issued_for_hong_kong(item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder, region="hk_macao")
    with pytest.raises(DomainError, match="Hong Kong and Macao"):
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())


def test_a_document_expiring_during_the_trip_is_not_issued(item, holder, people, org):
    document = item.document
    document.expiry_date = days(4)
    document.save()
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=2, length=5)
    with pytest.raises(DomainError, match="expires on"):
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())


def test_an_issued_document_cannot_be_issued_again_or_sent_or_cancelled(item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder)
    services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    with pytest.raises(DomainError, match="Issued to the holder"):
        services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    with pytest.raises(DomainError, match="cannot be sent out"):
        services.custody_send(item=item, actor=people.officer, note="German embassy")
    with pytest.raises(DomainError, match="cannot be cancelled"):
        services.custody_cancel(item=item, actor=people.officer, note="Left the university")


def test_return_brings_the_document_back_and_clears_the_due_date(item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder)
    services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    back = services.custody_return(item=item, actor=people.officer, note="Stamp pages scanned")
    assert (back.state, back.due_back_on) == (CustodyState.IN_CUSTODY, None)
    assert [m.action for m in back.movements.order_by("id")] == ["register", "issue", "return"]
    with pytest.raises(DomainError, match="cannot be returned"):
        services.custody_return(item=item, actor=people.officer)


def test_sending_to_an_embassy_needs_its_name_and_comes_back_with_a_return(item, people):
    with pytest.raises(DomainError, match="which embassy"):
        services.custody_send(item=item, actor=people.officer, note="  ")
    sent = services.custody_send(item=item, actor=people.officer, note="Embassy of Germany, visa")
    assert sent.state == CustodyState.AT_AUTHORITY
    assert services.custody_return(item=item, actor=people.officer).state == CustodyState.IN_CUSTODY


def test_cancelled_and_lost_documents_are_final(item, people):
    with pytest.raises(DomainError, match="why"):
        services.custody_cancel(item=item, actor=people.officer, note="")
    services.custody_cancel(item=item, actor=people.officer, note="Holder retired")
    with pytest.raises(DomainError, match="cannot be reported lost"):
        services.custody_lost(item=item, actor=people.officer, note="Not found")


def test_an_issued_document_can_be_reported_lost(item, holder, people, org):
    trip = authorised_trip(org.computing, people.staff, holder)
    services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    lost = services.custody_lost(item=item, actor=people.officer, note="Stolen in Frankfurt")
    assert (lost.state, lost.due_back_on) == (CustodyState.LOST, None)


def test_movements_cannot_be_dated_in_the_future(item, people):
    with pytest.raises(DomainError, match="future"):
        services.custody_send(item=item, actor=people.officer, note="Embassy", on=days(1))


# --- pages -----------------------------------------------------------------------------------------------


def test_the_list_shows_masked_numbers_and_logs_the_view(client, item, people):
    client.force_login(people.officer)
    page = client.get(reverse("travel:custody_list")).content.decode()
    assert "E12*****78" in page
    assert "E12345678" not in page
    assert AccessLog.objects.filter(
        user=people.officer, action="view", document_ref=item.document_id
    ).exists()


def test_coordinators_see_their_units_documents_only(client, item, people, org):
    other = item_for(holder_in(org.humanities, family_name="Zhao", number="E99999999"), people.officer)
    client.force_login(people.coordinator)
    page = client.get(reverse("travel:custody_list")).content.decode()
    assert "WANG Wu" in page and "ZHAO Wu" not in page
    assert client.get(reverse("travel:custody_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("travel:custody_detail", args=[item.pk])).status_code == 200


def test_leadership_sees_the_register_without_numbers(client, item, people):
    client.force_login(people.leadership)
    page = client.get(reverse("travel:custody_detail", args=[item.pk])).content.decode()
    assert "WANG Wu" in page
    assert "E12*****78" not in page


def test_an_outsider_sees_nothing(client, item, people):
    client.force_login(people.outsider)
    assert "WANG Wu" not in client.get(reverse("travel:custody_list")).content.decode()
    assert client.get(reverse("travel:custody_detail", args=[item.pk])).status_code == 404


def test_filters_overdue_and_expiring(client, item, holder, people, org):
    soon = item_for(holder_in(org.computing, family_name="Qian", number="E55555555"), people.officer)
    soon.document.expiry_date = days(60)
    soon.document.save()
    trip = authorised_trip(org.computing, people.staff, holder)
    services.custody_issue(item=item, actor=people.officer, trip=trip, on=TODAY())
    type(item).objects.filter(pk=item.pk).update(due_back_on=days(-1))
    client.force_login(people.officer)
    overdue = client.get(reverse("travel:custody_list"), {"overdue": "true"}).content.decode()
    assert "WANG Wu" in overdue and "QIAN Wu" not in overdue and "overdue" in overdue
    expiring = client.get(reverse("travel:custody_list"), {"expiring_months": "6"}).content.decode()
    assert "QIAN Wu" in expiring and "WANG Wu" not in expiring


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"expiring_months": "abc"}, "Expires within (months)"),
        ({"unit": "abc"}, "Unit"),
        ({"state": "bogus"}, "Where it is"),
        ({"expiring_months": "6", "state": ["in_custody", "bogus"]}, "Where it is"),
    ],
)
def test_invalid_filters_list_nothing_and_the_export_refuses_them(client, item, people, params, label):
    client.force_login(people.officer)
    response = client.get(reverse("travel:custody_list"), params)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="filter-errors"' in page and f"<strong>{label}:</strong>" in page
    assert "WANG Wu" not in page and "0 documents" in page
    assert reverse("travel:custody_export") not in page  # no export of a list that is not shown
    results = client.get(
        reverse("travel:custody_list"), params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert 'id="filter-errors"' in results.content.decode() and "WANG Wu" not in results.content.decode()
    export = client.get(reverse("travel:custody_export"), params)
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/plain")
    body = export.content.decode()
    assert body.startswith("The filters are not valid: ") and label in body and "WANG Wu" not in body


def test_valid_filters_still_export(client, item, people):
    client.force_login(people.officer)
    response = client.get(reverse("travel:custody_export"), {"expiring_months": "6", "state": "in_custody"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_the_csv_export_is_for_the_office(client, item, people):
    client.force_login(people.coordinator)
    assert client.get(reverse("travel:custody_export")).status_code == 403
    client.force_login(people.officer)
    response = client.get(reverse("travel:custody_export"))
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "WANG Wu" in body and "E12*****78" in body and "E12345678" not in body


def test_the_office_issues_from_the_page_and_a_refusal_is_shown(client, item, holder, people, org):
    early = authorised_trip(org.computing, people.staff, holder, depart_in=20)
    client.force_login(people.officer)
    url = reverse("travel:custody_action", args=[item.pk, "issue"])
    response = client.post(url, {"on": TODAY().isoformat(), "trip": early.pk}, follow=True)
    assert "at most 7 days before departure" in response.content.decode()
    trip = authorised_trip(org.computing, people.staff, holder, depart_in=2)
    client.post(url, {"on": TODAY().isoformat(), "trip": trip.pk})
    item.refresh_from_db()
    assert (item.state, item.trip) == (CustodyState.ISSUED, trip)


def test_a_coordinator_cannot_move_documents_from_the_page(client, item, people):
    client.force_login(people.coordinator)
    url = reverse("travel:custody_action", args=[item.pk, "send"])
    assert client.post(url, {"on": TODAY().isoformat(), "note": "Embassy"}).status_code == 403
    item.refresh_from_db()
    assert item.state == CustodyState.IN_CUSTODY


def test_the_office_registers_a_document_from_the_form(client, holder, people):
    client.force_login(people.officer)
    document = holder.documents.first()
    response = client.post(
        reverse("travel:custody_register"), {"document": document.pk, "location": "Safe B"}
    )
    assert response.status_code == 302
    assert document.custody.location == "Safe B"
    client.force_login(people.coordinator)
    assert client.get(reverse("travel:custody_register")).status_code == 403


def test_the_trip_panel_lists_the_travellers_documents(item, holder, people, org, rf):
    from django.template.loader import render_to_string

    trip = authorised_trip(org.computing, people.staff, holder)
    html = render_to_string("travel/trips/panels/_custody.html", {"trip": trip, "user": people.coordinator})
    assert "WANG Wu" in html and "In the office" in html
    html = render_to_string(
        "travel/trips/panels/_custody.html", {"trip": trip, "user": people.other_coordinator}
    )
    assert "WANG Wu" not in html
