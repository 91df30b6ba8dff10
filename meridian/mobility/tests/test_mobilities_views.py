"""Staff pages of mobilities: the list (filters, sorting, paging, query count, export of the same filters) for
every role, the page of one mobility for every role (a partner contact gets 404: they use the partner
portal), moves through the page, planned dates, arrival and registration, files with their checks, and both
languages."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from meridian.mobility.choices import MobilityFileKind, MobilityState, MobilityType, Semester
from meridian.mobility.models import Mobility, MobilityFile
from meridian.mobility.tests.factories import make_learning_agreement, make_mobility, student_user
from meridian.mobility.tests.factories_mobilities import PDF, complete_application, incoming_mobility, pdf
from meridian.people.choices import AccessAction
from meridian.people.models import AccessLog

pytestmark = pytest.mark.django_db


def list_url() -> str:
    return reverse("mobility:mobility_list")


def export_url() -> str:
    return reverse("mobility:mobility_export")


def detail(mobility: Mobility) -> str:
    return reverse("mobility:mobility_detail", args=[mobility.pk])


@pytest.fixture
def spread(world, org):
    """Four mobilities: outgoing from computing to the partner, incoming to engineering from the partner,
    incoming to humanities from the other partner (spring, summer school), outgoing 2098 from engineering."""
    student = student_user(org.computing, "stu-out")
    return {
        "out": make_mobility(
            partner=world.partner, home_unit=org.computing, person=student.person, student=student
        ),
        "in": incoming_mobility(world, org, state=MobilityState.APPLIED),
        "hum": make_mobility(
            partner=world.other_partner,
            home_unit=org.humanities,
            person=student_user(org.humanities, "stu-hum", family_name="Zhao").person,
            direction="incoming",
            semester=Semester.SPRING,
            mobility_type=MobilityType.SUMMER_SCHOOL,
            state=MobilityState.ACCEPTED,
        ),
        "old": make_mobility(
            partner=world.partner,
            home_unit=org.engineering,
            person=student_user(org.engineering, "stu-old", family_name="Qian").person,
            academic_year=2098,
            state=MobilityState.COMPLETED,
        ),
    }


def numbers(response) -> set[str]:
    return {m.number for m in response.context["rows"]}


class TestListByRole:
    @pytest.mark.parametrize(
        ("who", "expected"),
        [
            ("officer", {"out", "in", "hum", "old"}),
            ("admin", {"out", "in", "hum", "old"}),
            ("leadership", {"out", "in", "hum", "old"}),
            ("coordinator", {"out", "in", "old"}),  # engineering and its computing department
            ("other_coordinator", {"hum"}),
        ],
    )
    def test_rows(self, client, people, spread, who, expected):
        client.force_login(getattr(people, who))
        response = client.get(list_url())
        assert response.status_code == 200
        assert numbers(response) == {spread[k].number for k in expected}

    @pytest.mark.parametrize("who", ["staff", "student", "outsider"])
    def test_refused_to_others(self, client, people, spread, who):
        client.force_login(getattr(people, who))
        assert client.get(list_url()).status_code == 403
        assert client.get(export_url()).status_code == 403

    @pytest.mark.parametrize("who", ["contact", "viewer", "other_contact"])
    def test_refused_to_partner_contacts(self, client, world, spread, who):
        client.force_login(getattr(world, who))
        assert client.get(list_url()).status_code == 403
        assert client.get(export_url()).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(list_url())
        assert response.status_code == 302 and "/login" in response["Location"]


class TestFilters:
    @pytest.fixture(autouse=True)
    def _officer(self, client, people):
        client.force_login(people.officer)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"direction": "incoming"}, {"in", "hum"}),
            ({"direction": "outgoing"}, {"out", "old"}),
            ({"state": ["applied", "accepted"]}, {"in", "hum"}),
            ({"academic_year": "2098"}, {"old"}),
            ({"semester": "spring"}, {"hum"}),
            ({"mobility_type": "summer_school"}, {"hum"}),
            ({"q": "Schmidt"}, {"in"}),
            ({"q": "Zhao"}, {"hum"}),
            ({"q": "Université"}, {"hum"}),
        ],
    )
    def test_each_filter(self, client, spread, query, expected):
        response = client.get(list_url(), query)
        assert response.context["filter_valid"]
        assert numbers(response) == {spread[k].number for k in expected}

    def test_year_choices_after_the_class_fields_were_built(self, client, spread):
        # The API schema builds the filter class's form fields once; each list still offers its own years.
        from meridian.mobility.filters_mobilities import MobilityFilter

        assert MobilityFilter.base_filters["academic_year"].field is not None
        response = client.get(list_url(), {"academic_year": "2098"})
        assert response.context["filter_valid"]
        assert numbers(response) == {spread["old"].number}

    def test_partner_and_school(self, client, spread, world, org):
        response = client.get(list_url(), {"partner": world.other_partner.pk})
        assert numbers(response) == {spread["hum"].number}
        response = client.get(list_url(), {"home_unit": org.engineering.pk})  # with its departments
        assert numbers(response) == {spread[k].number for k in ("out", "in", "old")}

    def test_a_school_outside_the_coordinators_reach_is_not_offered(self, client, people, spread, org):
        client.force_login(people.coordinator)
        response = client.get(list_url(), {"home_unit": org.humanities.pk})
        assert not response.context["filter_valid"]
        assert response.context["rows"] == []
        assert "filter-errors" in response.content.decode()

    @pytest.mark.parametrize(
        "query", [{"state": "flying"}, {"academic_year": "1900"}, {"direction": "sideways"}]
    )
    def test_invalid_values_list_nothing_and_say_why(self, client, spread, query):
        response = client.get(list_url(), query)
        assert response.status_code == 200
        assert not response.context["filter_valid"] and response.context["rows"] == []
        assert response.context["filter_errors"]

    def test_sorting(self, client, spread):
        response = client.get(list_url(), {"ordering": "number"})
        listed = [m.number for m in response.context["rows"]]
        assert listed == sorted(listed)
        response = client.get(list_url(), {"ordering": "-number"})
        assert [m.number for m in response.context["rows"]] == sorted(listed, reverse=True)

    def test_paging(self, client, world, org, people):
        person = student_user(org.computing, "many").person
        for _ in range(27):
            make_mobility(partner=world.partner, home_unit=org.computing, person=person)
        first = client.get(list_url())
        assert len(first.context["rows"]) == 25
        second = client.get(list_url(), {"page": 2})
        assert len(second.context["rows"]) == 2

    def test_query_count_does_not_grow_with_rows(self, client, world, org):
        person = student_user(org.computing, "count").person
        make_mobility(partner=world.partner, home_unit=org.computing, person=person)
        with CaptureQueriesContext(connection) as few:
            client.get(list_url())
        for _ in range(12):
            other = student_user(org.computing, f"count{_}").person
            make_mobility(partner=world.other_partner, home_unit=org.engineering, person=other)
        with CaptureQueriesContext(connection) as many:
            client.get(list_url())
        assert len(many) == len(few)

    def test_htmx_gets_the_results_only(self, client, spread):
        response = client.get(list_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
        assert b"<html" not in response.content and b"mobility-table" in response.content


class TestExport:
    def test_csv_has_the_filtered_rows_of_the_users_reach(self, client, people, spread):
        client.force_login(people.coordinator)
        response = client.get(export_url(), {"format": "csv", "direction": "outgoing"})
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][0] == "Number"
        assert {r[0] for r in rows[1:]} == {spread["out"].number, spread["old"].number}

    def test_xlsx_by_the_other_school(self, client, people, spread):
        client.force_login(people.other_coordinator)
        response = client.get(export_url(), {"format": "xlsx"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert values == [spread["hum"].number]

    def test_leadership_exports_without_identity_documents(self, client, people, spread):
        client.force_login(people.leadership)
        response = client.get(export_url(), {"format": "csv"})
        text = response.content.decode("utf-8-sig")
        assert spread["in"].number in text and "Passport" not in text

    def test_bad_format_and_bad_filters_are_refused(self, client, people, spread):
        client.force_login(people.officer)
        assert client.get(export_url(), {"format": "pdf"}).status_code == 400
        response = client.get(export_url(), {"format": "csv", "state": "flying"})
        assert response.status_code == 400 and "not valid" in response.content.decode()


class TestDetailByRole:
    @pytest.mark.parametrize(
        ("who", "status"),
        [
            ("officer", 200),
            ("admin", 200),
            ("leadership", 200),
            ("coordinator", 200),
            ("other_coordinator", 404),
            ("staff", 404),
            ("student", 404),
            ("outsider", 404),
        ],
    )
    def test_staff_roles(self, client, people, spread, who, status):
        client.force_login(getattr(people, who))
        assert client.get(detail(spread["in"])).status_code == status

    @pytest.mark.parametrize("who", ["contact", "viewer", "other_contact"])
    def test_partner_contacts_get_404_they_use_the_partner_portal(self, client, world, spread, who):
        user = getattr(world, who)
        if who != "other_contact":  # visible to them (their partner's), yet not served on the staff page
            assert spread["in"] in Mobility.objects.visible_to(user)
        client.force_login(user)
        assert client.get(detail(spread["in"])).status_code == 404
        assert client.get(detail(spread["out"])).status_code == 404

    def test_the_outgoing_student_sees_their_own_only(self, client, spread):
        client.force_login(spread["out"].student)
        response = client.get(detail(spread["out"]))
        assert response.status_code == 200
        assert "mobility/portal_base.html" in [t.name for t in response.templates]
        assert client.get(detail(spread["in"])).status_code == 404

    def test_leadership_reads_but_has_no_moves(self, client, people, spread):
        client.force_login(people.leadership)
        text = client.get(detail(spread["in"])).content.decode()
        assert "data-move=" not in text and 'id="dates"' not in text

    def test_handlers_see_the_moves_possible_now_and_why_others_are_not(self, client, people, world, org):
        mobility = incoming_mobility(world, org, state=MobilityState.NOMINATED)
        client.force_login(people.officer)
        text = client.get(detail(mobility)).content.decode()
        assert 'data-move="invite"' in text and 'data-move="cancel"' in text
        assert 'class="move-unavailable" data-move="accept"' in text
        assert "The student has not completed the application yet." in text

    def test_learning_agreements_are_listed(self, client, people, spread):
        la = make_learning_agreement(spread["out"])
        client.force_login(people.officer)
        text = client.get(detail(spread["out"])).content.decode()
        assert 'id="mobility-learning"' in text and "No learning agreement yet." not in text
        assert reverse("mobility:la_detail", args=[la.pk]) in text

    def test_chinese(self, client, people, spread):
        client.force_login(people.officer)
        client.cookies["django_language"] = "zh-hans"
        response = client.get(detail(spread["in"]))
        assert response.status_code == 200 and '<html lang="zh-hans">' in response.content.decode()
        assert client.get(list_url()).status_code == 200


class TestMovesOnThePage:
    def test_officer_invites(self, client, people, world, org):
        mobility = incoming_mobility(world, org)
        client.force_login(people.officer)
        response = client.post(reverse("mobility:mobility_move", args=[mobility.pk, "invite"]))
        assert response.status_code == 302 and response["Location"].endswith("#lifecycle")
        mobility.refresh_from_db()
        assert mobility.state == MobilityState.INVITED and mobility.student_id is not None

    def test_unknown_move_is_a_clear_error(self, client, people, spread):
        client.force_login(people.officer)
        response = client.post(
            reverse("mobility:mobility_move", args=[spread["in"].pk, "teleport"]), follow=True
        )
        assert "is not a move" in response.content.decode()

    def test_moves_need_post(self, client, people, spread):
        client.force_login(people.officer)
        assert (
            client.get(reverse("mobility:mobility_move", args=[spread["in"].pk, "accept"])).status_code == 405
        )

    def test_invisible_mobility_answers_404(self, client, people, spread):
        client.force_login(people.other_coordinator)
        response = client.post(
            reverse("mobility:mobility_move", args=[spread["in"].pk, "reject"]), {"comment": "x"}
        )
        assert response.status_code == 404

    def test_a_partner_coordinator_decides_through_it_and_returns_to_the_portal(self, client, world, spread):
        client.force_login(world.contact)
        response = client.post(reverse("mobility:mobility_move", args=[spread["out"].pk, "accept"]))
        assert response.status_code == 302
        assert response["Location"] == reverse("mobility:partner_mobility", args=[spread["out"].pk])
        spread["out"].refresh_from_db()
        assert spread["out"].state == MobilityState.ACCEPTED

    @pytest.mark.parametrize("who", ["viewer", "other_contact"])
    def test_other_partner_contacts_may_not(self, client, world, spread, who):
        client.force_login(getattr(world, who))
        response = client.post(reverse("mobility:mobility_move", args=[spread["out"].pk, "accept"]))
        assert response.status_code == (403 if who == "viewer" else 404)
        spread["out"].refresh_from_db()
        assert spread["out"].state == MobilityState.NOMINATED

    def test_arrival_then_registration(self, client, people, world, org):
        mobility = incoming_mobility(world, org, state=MobilityState.ACCEPTED, letter_number="ACC-2099-0001")
        client.force_login(people.coordinator)
        arrived = timezone.localdate() - datetime.timedelta(days=3)
        response = client.post(
            reverse("mobility:mobility_move", args=[mobility.pk, "start"]),
            {"actual_start": arrived.isoformat()},
        )
        assert response.status_code == 302
        mobility.refresh_from_db()
        assert mobility.state == MobilityState.ACTIVE and mobility.actual_start == arrived
        url = reverse("mobility:mobility_registration", args=[mobility.pk])
        before = (arrived - datetime.timedelta(days=1)).isoformat()
        client.post(url, {"registered_on": before})
        mobility.refresh_from_db()
        assert mobility.registered_on is None
        future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
        client.post(url, {"registered_on": future})
        mobility.refresh_from_db()
        assert mobility.registered_on is None
        client.post(url, {"registered_on": arrived.isoformat()})
        mobility.refresh_from_db()
        assert mobility.registered_on == arrived

    def test_registration_is_refused_before_arrival_and_to_readers(self, client, people, world, org):
        mobility = incoming_mobility(world, org, state=MobilityState.ACCEPTED)
        url = reverse("mobility:mobility_registration", args=[mobility.pk])
        client.force_login(people.officer)
        assert client.post(url, {"registered_on": timezone.localdate().isoformat()}).status_code == 403
        Mobility.objects.filter(pk=mobility.pk).update(state=MobilityState.ACTIVE)
        client.force_login(people.leadership)
        assert client.post(url, {"registered_on": timezone.localdate().isoformat()}).status_code == 403


class TestPlannedDates:
    def url(self, mobility):
        return reverse("mobility:mobility_dates", args=[mobility.pk])

    def test_saved_by_the_school(self, client, people, spread):
        client.force_login(people.coordinator)
        mobility = spread["in"]
        response = client.post(
            self.url(mobility),
            {
                "planned_start": "2099-09-01",
                "planned_end": "2100-01-31",
                "months": "5",
                "version": mobility.version,
            },
        )
        assert response.status_code == 302
        mobility.refresh_from_db()
        assert mobility.planned_start == datetime.date(2099, 9, 1) and str(mobility.months) == "5.0"

    def test_end_before_start_is_refused(self, client, people, spread):
        client.force_login(people.officer)
        mobility = spread["in"]
        response = client.post(
            self.url(mobility), {"planned_start": "2099-09-01", "planned_end": "2099-08-01"}
        )
        assert response.status_code == 200
        assert "The end lies before the start." in response.content.decode()
        mobility.refresh_from_db()
        assert mobility.planned_start is None

    @pytest.mark.parametrize("months", ["1e308", "nan", "25", "0", "4.55", "abc"])
    def test_months_out_of_range_are_refused_on_the_field(self, client, people, spread, months):
        client.force_login(people.officer)
        mobility = spread["in"]
        before = mobility.months
        response = client.post(self.url(mobility), {"months": months, "version": mobility.version})
        assert response.status_code == 200 and "months" in response.context["dates_form"].errors
        field = re.search(r'<input[^>]*name="months"[^>]*>', response.content.decode())
        assert field and 'min="0.1"' in field.group(0) and 'max="24"' in field.group(0)
        mobility.refresh_from_db()
        assert mobility.months == before

    def test_stale_save_is_refused(self, client, people, spread):
        client.force_login(people.officer)
        mobility = spread["in"]
        data = {"planned_start": "2099-09-01", "version": mobility.version}
        Mobility.objects.filter(pk=mobility.pk).update(version=mobility.version + 1)
        response = client.post(self.url(mobility), data)
        assert response.status_code == 409
        mobility.refresh_from_db()
        assert mobility.planned_start is None

    @pytest.mark.parametrize("who", ["leadership"])
    def test_readers_may_not(self, client, people, spread, who):
        client.force_login(getattr(people, who))
        assert client.post(self.url(spread["in"]), {"planned_start": "2099-09-01"}).status_code == 403

    def test_the_student_may_not(self, client, spread):
        client.force_login(spread["out"].student)
        assert client.post(self.url(spread["out"]), {"planned_start": "2099-09-01"}).status_code == 403


class TestFiles:
    @pytest.fixture
    def applied(self, world, org, people):
        from meridian.mobility.services.incoming import invitation_send

        mobility = incoming_mobility(world, org, state=MobilityState.APPLIED)
        invitation_send(mobility=mobility, actor=people.officer)
        return complete_application(mobility)

    def file_of(self, mobility, kind):
        return mobility.files.get(kind=kind)

    @pytest.mark.parametrize(
        ("who", "passport", "transcript"),
        [
            ("officer", 200, 200),
            ("coordinator", 200, 200),
            ("leadership", 404, 200),
            ("other_coordinator", 404, 404),
            ("staff", 404, 404),
        ],
    )
    def test_downloads_by_role(self, client, people, applied, who, passport, transcript):
        client.force_login(getattr(people, who))
        for kind, status in (
            (MobilityFileKind.PASSPORT, passport),
            (MobilityFileKind.TRANSCRIPT, transcript),
        ):
            record = self.file_of(applied, kind)
            response = client.get(reverse("mobility:mobility_file", args=[applied.pk, record.pk]))
            assert response.status_code == status, (who, kind)
            if status == 200:
                assert b"".join(response.streaming_content) == PDF
                assert response["Cache-Control"] == "private, no-store"

    @pytest.mark.parametrize(("who", "status"), [("contact", 200), ("viewer", 404), ("other_contact", 404)])
    def test_partner_contacts(self, client, world, applied, who, status):
        client.force_login(getattr(world, who))
        record = self.file_of(applied, MobilityFileKind.PASSPORT)
        assert (
            client.get(reverse("mobility:mobility_file", args=[applied.pk, record.pk])).status_code == status
        )

    def test_the_student_downloads_their_own(self, client, applied):
        client.force_login(applied.student)
        record = self.file_of(applied, MobilityFileKind.PASSPORT)
        assert client.get(reverse("mobility:mobility_file", args=[applied.pk, record.pk])).status_code == 200

    def test_passport_copy_download_is_logged(self, client, people, applied):
        client.force_login(people.officer)
        record = self.file_of(applied, MobilityFileKind.PASSPORT)
        client.get(reverse("mobility:mobility_file", args=[applied.pk, record.pk]))
        assert AccessLog.objects.filter(
            user=people.officer, action=AccessAction.DOWNLOAD, person=applied.person
        ).exists()

    def test_a_file_of_another_mobility_answers_404(self, client, people, applied, spread):
        client.force_login(people.officer)
        record = self.file_of(applied, MobilityFileKind.TRANSCRIPT)
        assert (
            client.get(reverse("mobility:mobility_file", args=[spread["out"].pk, record.pk])).status_code
            == 404
        )

    def test_upload_by_the_office(self, client, people, spread):
        client.force_login(people.officer)
        url = reverse("mobility:mobility_file_add", args=[spread["in"].pk])
        response = client.post(url, {"kind": MobilityFileKind.INSURANCE, "file": pdf("insurance.pdf")})
        assert response.status_code == 302
        assert spread["in"].files.filter(kind=MobilityFileKind.INSURANCE).count() == 1

    def test_upload_checks_the_content(self, client, people, spread):
        client.force_login(people.officer)
        url = reverse("mobility:mobility_file_add", args=[spread["in"].pk])
        fake = SimpleUploadedFile("insurance.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf")
        response = client.post(url, {"kind": MobilityFileKind.INSURANCE, "file": fake}, follow=True)
        assert "is not a PDF, Word, Excel, PNG or JPEG file" in response.content.decode()
        assert not MobilityFile.objects.filter(mobility=spread["in"]).exists()

    def test_the_student_uploads_their_kinds_only(self, client, spread):
        mobility = spread["out"]
        client.force_login(mobility.student)
        url = reverse("mobility:mobility_file_add", args=[mobility.pk])
        client.post(url, {"kind": MobilityFileKind.ACCEPTANCE, "file": pdf()})
        assert not mobility.files.exists()
        client.post(url, {"kind": MobilityFileKind.INSURANCE, "file": pdf()})
        assert mobility.files.filter(kind=MobilityFileKind.INSURANCE).count() == 1

    @pytest.mark.parametrize("who", ["leadership"])
    def test_readers_may_not_upload(self, client, people, spread, who):
        client.force_login(getattr(people, who))
        url = reverse("mobility:mobility_file_add", args=[spread["in"].pk])
        assert client.post(url, {"kind": MobilityFileKind.OTHER, "file": pdf()}).status_code == 403
