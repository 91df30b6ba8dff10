"""The trip report: pre-filled and due in working days, edited by the right people, refused on submission
while sections or photos are missing, accepted or returned by the office; photos and outcomes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.clocks import calendar
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.partners.tests.factories import PartnerFactory
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.travel.choices import MemberRole, ReportState, TripState
from meridian.travel.models import TripMember
from meridian.travel.services import reports as services
from meridian.travel.tests.factories import make_trip

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"

FILLED: dict[str, Any] = {
    "tasks_done": "Gave the keynote; met the dean.",
    "outcomes": "A joint summer school is planned.",
    "discipline": "All rules observed.",
    "costs": Decimal("18500.00"),
    "paid_by": "Unit budget",
    "follow_up": "Draft the summer-school agreement.",
}


def photo(data: bytes = PNG, name: str = "p.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def returned_trip(org, people, **fields):
    """A returned trip of the computing department filed by the staff member (the applicant)."""
    trip = make_trip(
        unit=org.computing,
        applicant=people.staff,
        state=TripState.RETURNED,
        depart_on=datetime.date(2026, 9, 21),
        return_on=datetime.date(2026, 9, 25),
        returned_on=datetime.date(2026, 9, 25),
        **fields,
    )
    interpreter = make_person(kind=PersonKind.STAFF, unit=org.computing, family_name="Sun", given_name="Li")
    TripMember.objects.create(
        trip=trip, person=interpreter, role=MemberRole.INTERPRETER, post="Lecturer", order=5
    )
    return trip


def complete(report, actor, photos: int = 3):
    report = services.report_update(report=report, actor=actor, **FILLED)
    for _ in range(photos):
        services.report_photo_add(report=report, actor=actor, uploaded=photo())
    return report


@pytest.fixture
def trip(org, people):
    return returned_trip(org, people)


@pytest.fixture
def report(trip, people):
    return services.report_prepare(trip=trip, actor=people.staff)


def test_the_report_is_prefilled_from_the_trip_and_due_in_working_days(report, trip):
    assert report.state == ReportState.DRAFT
    assert report.inviter == "Heidelberg University"
    assert "ZHANG San — Leader — Professor" in report.members
    assert "SUN Li — Interpreter — Lecturer" in report.members
    assert report.dates == "2026-09-21 – 2026-09-25"
    # 15 working days after 25 September 2026 skip the National Day week (1–7 October; 10 October is worked).
    assert report.due_on == calendar.add_working_days(datetime.date(2026, 9, 25), 15)
    assert report.due_on == datetime.date(2026, 10, 22)


def test_preparing_twice_returns_the_same_report(report, trip, people):
    services.report_update(report=report, actor=people.staff, tasks_done="Something")
    again = services.report_prepare(trip=trip, actor=people.officer)
    assert again.pk == report.pk and again.tasks_done == "Something"


def test_the_due_date_follows_the_parameter(trip, people, monkeypatch):
    from meridian.travel import rules

    real = rules.parameter
    monkeypatch.setattr(
        rules, "parameter", lambda c, n: 5 if (c, n) == ("trip_report", "working_days") else real(c, n)
    )
    report = services.report_prepare(trip=trip, actor=people.staff)
    assert report.due_on == datetime.date(2026, 10, 9)  # 1–7 October are holidays


def test_submission_lists_everything_missing(report, people):
    services.report_photo_add(report=report, actor=people.staff, uploaded=photo())
    with pytest.raises(DomainError) as caught:
        services.report_submit(report=report, actor=people.staff)
    message = caught.value.message
    assert "Fill in “tasks done”." in message
    assert "Fill in “who paid”." in message
    assert "Add at least 3 photos (1 so far)." in message
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_two_photos_are_not_enough(report, people):
    report = complete(report, people.staff, photos=2)
    with pytest.raises(DomainError, match="at least 3 photos"):
        services.report_submit(report=report, actor=people.staff)


def test_a_complete_report_is_submitted_then_accepted_by_the_office(report, people):
    report = complete(report, people.staff)
    submitted = services.report_submit(report=report, actor=people.staff)
    assert (submitted.state, submitted.submitted_by) == (ReportState.SUBMITTED, people.staff)
    with pytest.raises(PermissionDeniedError):
        services.report_update(report=submitted, actor=people.staff, tasks_done="late change")
    with pytest.raises(PermissionDeniedError):
        services.report_accept(report=submitted, actor=people.coordinator)
    accepted = services.report_accept(report=submitted, actor=people.officer)
    assert accepted.state == ReportState.ACCEPTED
    with pytest.raises(DomainError, match="Only a submitted report"):
        services.report_return(report=accepted, actor=people.officer, comment="More photos")


def test_the_office_returns_a_report_with_a_comment(report, people):
    report = services.report_submit(report=complete(report, people.staff), actor=people.staff)
    with pytest.raises(DomainError, match="needs correcting"):
        services.report_return(report=report, actor=people.officer, comment=" ")
    back = services.report_return(report=report, actor=people.officer, comment="Add the costs per person.")
    assert back.state == ReportState.DRAFT
    assert services.report_update(report=back, actor=people.staff, paid_by="Unit budget and inviter").paid_by


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("staff", True),  # the applicant
        ("coordinator", True),  # the unit's foreign-affairs secretary
        ("officer", True),
        ("other_coordinator", False),
        ("leadership", False),
        ("student", False),
    ],
)
def test_who_edits_the_report(report, people, who, allowed):
    user = getattr(people, who)
    if allowed:
        assert (
            services.report_update(report=report, actor=user, follow_up=f"by {who}").follow_up == f"by {who}"
        )
    else:
        with pytest.raises(PermissionDeniedError):
            services.report_update(report=report, actor=user, follow_up="x")


def test_a_pdf_or_a_renamed_file_is_refused_as_a_photo(report, people):
    with pytest.raises(DomainError, match="not a JPEG or PNG photo"):
        services.report_photo_add(report=report, actor=people.staff, uploaded=photo(PDF, "report.pdf"))
    with pytest.raises(DomainError, match="not a PDF, Word, Excel, PNG or JPEG"):
        services.report_photo_add(
            report=report, actor=people.staff, uploaded=photo(b"MZ\x90\x00evil", "x.png")
        )
    assert report.photos.count() == 0
    jpeg = services.report_photo_add(report=report, actor=people.staff, uploaded=photo(JPEG, "a.jpg"))
    assert jpeg.content_type == "image/jpeg"


def test_costs_must_be_an_amount(report, people):
    with pytest.raises(DomainError, match="negative"):
        services.report_update(report=report, actor=people.staff, costs="-5")


def test_an_outcome_links_a_visible_partner(report, trip, people):
    partner = PartnerFactory(name="Heidelberg", country=country())
    outcome = services.outcome_add(
        trip=trip, actor=people.staff, kind="contact", description="Met Prof. Weber", partner=partner
    )
    assert outcome.partner == partner
    with pytest.raises(DomainError, match="Describe"):
        services.outcome_add(trip=trip, actor=people.staff, kind="contact", description=" ")
    with pytest.raises(PermissionDeniedError):
        services.outcome_add(trip=trip, actor=people.other_coordinator, kind="contact", description="x")


# --- pages -----------------------------------------------------------------------------------------------


def test_the_page_saves_and_refuses_an_incomplete_submission(client, report, trip, people):
    client.force_login(people.staff)
    url = reverse("travel:report_edit", args=[trip.pk])
    page = client.get(url).content.decode()
    assert "Still missing before you can submit" in page and "ZHANG San" in page
    data = {
        "inviter": report.inviter,
        "members": report.members,
        "dates": report.dates,
        "tasks_done": "Keynote given.",
        "version": report.version,
        "submit": "1",
    }
    page = client.post(url, data, follow=True).content.decode()
    assert "The report cannot be submitted yet" in page and "Add at least 3 photos (0 so far)." in page
    report.refresh_from_db()
    assert (report.tasks_done, report.state) == ("Keynote given.", ReportState.DRAFT)


def test_the_page_uploads_photos_and_refuses_a_non_image(client, report, trip, people):
    client.force_login(people.staff)
    url = reverse("travel:report_photo_add", args=[trip.pk])
    page = client.post(url, {"file": photo(PDF, "minutes.pdf")}, follow=True).content.decode()
    assert "is not a JPEG or PNG photo" in page
    client.post(url, {"file": photo(), "caption": "At the lab"})
    assert report.photos.count() == 1


def test_the_photo_minimum_is_asked_for_only_while_photos_are_missing(client, report, trip, people):
    required = "At least 3 photos are required."
    url = reverse("travel:report_edit", args=[trip.pk])
    client.force_login(people.staff)
    assert required in client.get(url).content.decode()
    for _ in range(2):
        services.report_photo_add(report=report, actor=people.staff, uploaded=photo())
    assert required in client.get(url).content.decode()
    services.report_photo_add(report=report, actor=people.staff, uploaded=photo())
    page = client.get(url).content.decode()
    assert required not in page and 'id="photos-required"' not in page
    assert page.count('alt="Trip photo"') == 3


def test_photos_are_shown_only_to_those_who_see_the_trip(client, report, trip, people):
    stored = services.report_photo_add(report=report, actor=people.staff, uploaded=photo())
    url = reverse("travel:report_photo", args=[trip.pk, stored.pk])
    client.force_login(people.coordinator)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    for who in ("other_coordinator", "outsider"):
        client.force_login(getattr(people, who))
        assert client.get(url).status_code == 404
        assert client.get(reverse("travel:report_edit", args=[trip.pk])).status_code == 404


def test_the_office_reviews_from_the_page(client, report, trip, people):
    services.report_submit(report=complete(report, people.staff), actor=people.staff)
    client.force_login(people.coordinator)
    client.post(reverse("travel:report_review", args=[trip.pk, "accept"]))
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    client.force_login(people.officer)
    assert "Accept the report" in client.get(reverse("travel:report_edit", args=[trip.pk])).content.decode()
    client.post(reverse("travel:report_review", args=[trip.pk, "accept"]))
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED


def test_the_trip_panel_shows_state_and_overdue(report, trip, people):
    from django.template.loader import render_to_string

    html = render_to_string("travel/trips/panels/_report.html", {"trip": trip, "user": people.staff})
    assert "Draft" in html and "due 2026-10-22" in html and "overdue" in html and "Write the report" in html


# --- "passport returned" against the passport register ----------------------------------------------------


def issued_to(trip, person, *, due_back=datetime.date(2026, 10, 2)):
    """``person``'s official passport, in the register and issued for ``trip`` (as ``custody_issue`` leaves
    it; the trip is past, so the issue window is not in the way)."""
    from typing import cast

    from meridian.people.choices import DocumentType
    from meridian.people.models import IdentityDocument
    from meridian.people.tests.factories import IdentityDocumentFactory
    from meridian.travel.models import CustodyItem, CustodyMovement

    document = cast(
        IdentityDocument,
        IdentityDocumentFactory(
            person=person,
            kind=DocumentType.OFFICIAL_PASSPORT,
            number="E12345678",
            issuing_country=country("CN", "China", "中国", alpha3="CHN", region_code="142"),
            expiry_date=datetime.date(2035, 1, 1),
        ),
    )
    issued_on = trip.depart_on - datetime.timedelta(days=2)
    item = CustodyItem.objects.create(
        document=document,
        holder=person,
        unit=person.unit,
        state="issued",
        trip=trip,
        issued_on=issued_on,
        due_back_on=due_back,
    )
    CustodyMovement.objects.create(item=item, action="issue", on=issued_on, trip=trip)
    return item


def _leader(trip):
    return trip.members.get(role=MemberRole.LEADER).person


def test_a_report_saying_the_passport_is_back_is_refused_while_the_register_shows_it_out(trip, people):
    item = issued_to(trip, _leader(trip))
    report = services.report_prepare(trip=trip, actor=people.staff)
    assert report.passport_returned is False  # pre-filled from the register: still out
    report = complete(report, people.staff)
    report = services.report_update(report=report, actor=people.staff, passport_returned=True)
    with pytest.raises(DomainError) as caught:
        services.report_submit(report=report, actor=people.staff)
    message = caught.value.message
    assert caught.value.code == "passport_not_returned"
    assert "the official or service passport of ZHANG San (due back 2026-10-02)" in message
    assert "untick" in message
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    # Once the office records the return, the same report goes through.
    from meridian.travel.services.custody import custody_return

    custody_return(item=item, actor=people.officer)
    assert services.report_submit(report=report, actor=people.staff).state == ReportState.SUBMITTED


def test_a_report_saying_no_is_submitted_while_the_passport_is_out(trip, people):
    issued_to(trip, _leader(trip))
    report = complete(services.report_prepare(trip=trip, actor=people.staff), people.staff)
    assert services.report_submit(report=report, actor=people.staff).state == ReportState.SUBMITTED


def test_the_checkbox_is_prefilled_from_the_register(trip, people, org):
    from meridian.travel.models import TripReport
    from meridian.travel.services.custody import custody_return

    # Nothing issued for the trip: nothing to say "returned".
    assert services.report_prepare(trip=trip, actor=people.staff).passport_returned is False
    TripReport.objects.filter(trip=trip).delete()
    # Issued and back in custody (and later issued for another trip: still back for this one).
    item = issued_to(trip, _leader(trip))
    custody_return(item=item, actor=people.officer)
    other = make_trip(unit=org.computing, applicant=people.staff, state=TripState.AUTHORISED)
    type(item).objects.filter(pk=item.pk).update(state="issued", trip=other)
    trip.refresh_from_db()
    assert services.report_prepare(trip=trip, actor=people.staff).passport_returned is True


def test_the_panel_shows_what_the_register_says(trip, people):
    from django.template.loader import render_to_string

    from meridian.travel.services.custody import custody_return

    item = issued_to(trip, _leader(trip))
    report = services.report_update(
        report=services.report_prepare(trip=trip, actor=people.staff),
        actor=people.staff,
        passport_returned=True,
    )

    def panel() -> str:
        return render_to_string("travel/trips/panels/_report.html", {"trip": trip, "user": people.staff})

    html = panel()
    assert "The passport register shows documents issued for this trip still out:" in html
    assert "ZHANG San (Official or service passport, due back 2026-10-02)" in html
    assert f'data-passport-out="{item.holder_id}"' in html
    assert "data-passport-contradiction" in html and "the register disagrees" in html
    custody_return(item=item, actor=people.officer)
    html = panel()
    assert "data-passports-out" not in html and "data-passport-contradiction" not in html
    assert "every document issued for this trip back in the office" in html
    assert report.passport_returned


def test_a_fellow_traveller_sees_how_many_documents_are_out_but_not_whose(trip, people, org):
    from django.template.loader import render_to_string

    issued_to(trip, _leader(trip))
    services.report_prepare(trip=trip, actor=people.staff)
    fellow = make_person(kind=PersonKind.STUDENT, unit=org.computing, family_name="Ma", user=people.student)
    TripMember.objects.create(trip=trip, person=fellow, role=MemberRole.MEMBER, order=6)
    html = render_to_string("travel/trips/panels/_report.html", {"trip": trip, "user": people.student})
    assert "data-passports-out" in html and "1 document of another traveller" in html
    assert "data-passport-out=" not in html and "due back 2026-10-02" not in html
    # The applicant, who writes the report, sees whose it is.
    html = render_to_string("travel/trips/panels/_report.html", {"trip": trip, "user": people.staff})
    assert "ZHANG San (Official or service passport, due back 2026-10-02)" in html
    assert "data-passports-hidden" not in html
