"""Documents of official trips: the default templates, read back from PDF and DOCX, who may generate them, the
documents panel of the trip page and the reimbursement pack."""

from __future__ import annotations

import datetime
import io

import pytest
import segno
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from pypdf import PdfWriter

from meridian.documents import services
from meridian.documents.models import DocumentTemplate, GeneratedDocument
from meridian.documents.tests.helpers import pdf_reader, pdf_text, read
from meridian.people.choices import DocumentType, Gender, PersonKind
from meridian.people.tests.factories import IdentityDocumentFactory, make_person
from meridian.travel import documents as trip_documents
from meridian.travel.choices import TripFileKind, TripState
from meridian.travel.models import ExternalApproval, Trip, TripFile
from meridian.travel.tests.factories import germany, make_trip

pytestmark = pytest.mark.django_db

APPROVAL_NUMBER = "粤外办批〔2027〕88号"


# --- helpers ----------------------------------------------------------------------------------------------


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    segno.make("passport stamp page").save(out, kind="png", scale=8)
    return out.getvalue()


def _file(trip: Trip, kind: str, data: bytes, content_type: str, name: str) -> TripFile:
    record = TripFile(
        trip=trip, kind=kind, original_name=name, content_type=content_type, size=len(data), sha256="0" * 64
    )
    record.file.save(name, ContentFile(data), save=False)
    record.save()
    return record


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a DOCX file (the forms keep most fields in tables)."""
    from docx import Document

    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _trip(org, people, *, state: str = TripState.AUTHORISED, approval: bool = True, **fields) -> Trip:
    leader = make_person(
        kind=PersonKind.STAFF,
        unit=org.computing,
        family_name="Zhang",
        given_name="San",
        name_zh="张三",
        gender=Gender.MALE,
        birth_date=datetime.date(1975, 4, 12),
    )
    trip = make_trip(
        unit=org.computing, applicant=people.staff, state=state, leader=leader, members=1, **fields
    )
    if approval:
        ExternalApproval.objects.create(
            trip=trip,
            document_number=APPROVAL_NUMBER,
            issued_on=datetime.date(2027, 2, 10),
            authority="广东省人民政府外事办公室",
            approved_itinerary="Germany, 2027-03-01 to 2027-03-05",
            approved_people=[{"name": "张三"}],
        )
    return trip


@pytest.fixture
def trip(org, people) -> Trip:
    return _trip(org, people)


def _generate(trip: Trip, code: str, actor, language: str | None = None) -> GeneratedDocument:
    return services.document_generate(template_code=code, subject=trip, actor=actor, language=language)


# --- templates ---------------------------------------------------------------------------------------------


class TestDefaultTemplates:
    def test_every_default_is_installed(self):
        codes = set(DocumentTemplate.objects.filter(source="trip").values_list("code", flat=True))
        assert codes == {d.code for d in trip_documents.DEFAULT_TEMPLATES}
        assert len(codes) == 9

    @pytest.mark.parametrize("default", trip_documents.DEFAULT_TEMPLATES, ids=lambda d: d.code)
    def test_renders_against_its_sample(self, default):
        template = DocumentTemplate.objects.get(code=default.code)
        assert template.current_version is not None
        for language in template.output_languages():
            data = services.document_preview(
                template=template, version=template.current_version, language=language
            )
            if template.fmt == "docx":
                text = docx_text(data)
                assert "TRV-2027-0001" in text or "张三" in text
            else:
                text = pdf_text(data)
                assert "张三" in text or "ZHANG San" in text

    @pytest.mark.parametrize("default", trip_documents.DEFAULT_TEMPLATES, ids=lambda d: d.code)
    def test_renders_for_a_real_trip(self, default, trip, people):
        template = DocumentTemplate.objects.get(code=default.code)
        for language in template.output_languages():
            document = _generate(trip, default.code, people.coordinator, language)
            data = read(document)
            if template.fmt == "docx":
                text = docx_text(data)
                assert trip.number in text
                assert "张三" in text
            else:
                text = pdf_text(data)
                assert "ZHANG San" in text or "张三" in text, text[:300]
                if language != "en":
                    assert "计算机系" in text or "子午线大学" in text or "德国" in text


class TestContents:
    def test_personnel_form_shows_unit_members_and_approval(self, trip, people):
        text = pdf_text(read(_generate(trip, trip_documents.PERSONNEL_FORM, people.officer)))
        assert "出国(境)人员审批表" in text
        assert "计算机系" in text and "Department of Computing" in text
        assert "张三" in text and "ZHANG San" in text and "LI0 Si" in text
        assert APPROVAL_NUMBER in text
        assert "参加国际会议" in text
        assert "出国 · 教学科研人员学术交流" in text  # the region, not the trip state "abroad" (在外)

    def test_itinerary_twins_come_from_the_same_record(self, trip, people):
        zh = pdf_text(read(_generate(trip, trip_documents.ITINERARY, people.officer, "zh")))
        en = pdf_text(read(_generate(trip, trip_documents.ITINERARY, people.officer, "en")))
        assert "出访日程表" in zh and "德国" in zh and "2027年3月1日" in zh
        assert "Itinerary of the Delegation" in en and "Germany" in en and "1 March 2027" in en
        assert "出访日程" not in en

    def test_record_filing_form_has_one_block_per_member(self, trip, people):
        text = pdf_text(read(_generate(trip, trip_documents.RECORD_FILING, people.officer)))
        assert "因公临时出国人员备案表" in text
        assert text.count("拼音姓名") == 2
        assert APPROVAL_NUMBER in text

    def test_task_budget_form_totals_the_budget(self, trip, people):
        text = pdf_text(read(_generate(trip, trip_documents.TASK_BUDGET, people.officer)))
        assert "因公临时出国任务和预算审批意见表" in text
        assert "国际旅费" in text and "9,000.00" in text and "单位经费" in text

    def test_docx_forms_open_and_carry_the_number(self, trip, people):
        for code in (trip_documents.PERSONNEL_FORM_DOCX, trip_documents.TASK_BUDGET_DOCX):
            text = docx_text(read(_generate(trip, code, people.officer)))
            assert trip.number in text
        personnel = docx_text(read(_generate(trip, trip_documents.PERSONNEL_FORM_DOCX, people.officer)))
        assert "张三 ZHANG San" in personnel and "LI0 Si" in personnel and "计算机系" in personnel

    def test_request_memo_addresses_the_authority(self, trip, people):
        text = pdf_text(read(_generate(trip, trip_documents.REQUEST_MEMO, people.officer)))
        assert "关于计算机系张三等2人赴德国参加国际会议的请示" in text
        assert "广东省人民政府外事办公室" in text and "妥否，请批示" in text

    def test_notice_without_a_published_notice_says_five_working_days(self, trip, people):
        text = pdf_text(read(_generate(trip, trip_documents.NOTICE, people.officer, "zh")))
        assert "行前公示" in text and "5个工作日" in text

    def test_notice_outcome_reports_objections(self, trip, people):
        from meridian.travel.models import NoticeObjection, PublicityNotice

        notice = PublicityNotice.objects.create(
            trip=trip,
            phase="before",
            state="completed",
            starts_on=datetime.date(2027, 1, 11),
            ends_on=datetime.date(2027, 1, 15),
            working_days=5,
            text="…",
        )
        NoticeObjection.objects.create(notice=notice, text="Why two people?", upheld=False)
        zh = pdf_text(read(_generate(trip, trip_documents.NOTICE_OUTCOME, people.officer, "zh")))
        en = pdf_text(read(_generate(trip, trip_documents.NOTICE_OUTCOME, people.officer, "en")))
        assert "收到异议1件" in zh and "均不成立" in zh and "2027年1月11日" in zh
        assert "1 objection was raised; none was upheld" in en

    def test_passport_numbers_never_reach_the_context(self, trip):
        leader = trip.members.get(role="leader").person
        IdentityDocumentFactory(
            person=leader, issuing_country=germany(), kind=DocumentType.OFFICIAL_PASSPORT, number="SE1234567"
        )
        context = trip_documents.trip_document_context(trip)
        assert "SE1234567" not in repr(context)
        assert context["leader"]["name_zh"] == "张三"
        assert context["budget_totals"] == [{"currency": "CNY", "amount": "9,000.00"}]
        assert context["external_approval"]["number"] == APPROVAL_NUMBER

    def test_chinese_labels_of_equal_codes_do_not_mix(self, org, people):
        trip = _trip(org, people, state=TripState.ABROAD, funding_source="other")
        trip.budget_lines.update(kind="other")
        context = trip_documents.trip_document_context(trip)
        assert (context["region_zh"], context["state_zh"]) == ("出国", "在外")
        assert (context["funding_zh"], context["budget"][0]["kind_zh"]) == ("其他", "其他费用")


# --- permissions -------------------------------------------------------------------------------------------


def _post_generate(client, trip, code=trip_documents.PERSONNEL_FORM, language="bilingual"):
    return client.post(
        reverse("documents:generate", args=["trip", trip.pk]), {"template": code, "language": language}
    )


class TestPermissions:
    @pytest.mark.parametrize("role", ["coordinator", "officer", "staff"])
    def test_applicant_coordinator_and_office_generate(self, client, people, trip, role):
        client.force_login(getattr(people, role))
        response = _post_generate(client, trip)
        assert response.status_code == 302
        assert GeneratedDocument.objects.for_subject(trip).count() == 1

    @pytest.mark.parametrize("role", ["other_coordinator", "student", "outsider", "leadership"])
    def test_others_get_404(self, client, people, trip, role):
        client.force_login(getattr(people, role))
        assert _post_generate(client, trip).status_code == 404
        assert GeneratedDocument.objects.for_subject(trip).count() == 0

    def test_download_is_refused_to_another_units_coordinator(self, client, people, trip):
        document = _generate(trip, trip_documents.PERSONNEL_FORM, people.coordinator)
        client.force_login(people.other_coordinator)
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
        client.force_login(people.staff)
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 200


# --- the panel ---------------------------------------------------------------------------------------------


def _panel(trip, user) -> str:
    request = RequestFactory().get(f"/travel/{trip.pk}/")
    request.user = user
    return render_to_string(
        "travel/trips/panels/_documents.html", {"trip": trip, "request": request, "user": user}
    )


class TestPanel:
    def test_coordinator_sees_each_template_in_its_languages_and_the_pack(self, people, trip):
        _generate(trip, trip_documents.ITINERARY, people.coordinator, "zh")
        html = _panel(trip, people.coordinator)
        assert 'id="trip-documents"' in html
        for default in trip_documents.DEFAULT_TEMPLATES:
            assert f'value="{default.code}"' in html
        assert html.count('value="trip-itinerary"') == 2  # English and Chinese
        assert reverse("travel:reimbursement_pack", args=[trip.pk]) in html
        assert ".pdf</a>" in html  # the itinerary generated above can be downloaded

    def test_no_pack_before_external_approval(self, org, people):
        draft = _trip(org, people, state=TripState.APPROVED, approval=False)
        html = _panel(draft, people.coordinator)
        assert 'value="trip-personnel-approval"' in html
        assert "reimbursement-pack.pdf" not in html

    def test_hidden_from_another_units_coordinator(self, people, trip):
        assert "trip-documents" not in _panel(trip, people.other_coordinator)


# --- reimbursement pack ------------------------------------------------------------------------------------


class TestReimbursementPack:
    def _files(self, trip):
        scan = _file(trip, TripFileKind.EXTERNAL_APPROVAL, _pdf(2), "application/pdf", "pijian.pdf")
        trip.external_approval.scan = scan
        trip.external_approval.save()
        _file(trip, TripFileKind.PASSPORT_STAMPS, _png(), "image/png", "stamps-1.png")
        _file(trip, TripFileKind.PASSPORT_STAMPS, _pdf(1), "application/pdf", "stamps-2.pdf")

    def test_pack_is_form_then_scan_then_stamp_pages(self, client, people, trip):
        self._files(trip)
        client.force_login(people.coordinator)
        response = client.get(reverse("travel:reimbursement_pack", args=[trip.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert f"{trip.number}-reimbursement-pack.pdf" in response["Content-Disposition"]
        form = GeneratedDocument.objects.for_subject(trip).get(template__code=trip_documents.PERSONNEL_FORM)
        form_pages = len(pdf_reader(read(form)).pages)
        assert 1 <= form_pages <= 2
        pages = pdf_reader(response.content).pages
        assert len(pages) == form_pages + 2 + 1 + 1
        assert "出国(境)人员审批表" in pages[0].extract_text()

    def test_second_download_reuses_the_form(self, client, people, trip):
        self._files(trip)
        client.force_login(people.staff)
        client.get(reverse("travel:reimbursement_pack", args=[trip.pk]))
        client.get(reverse("travel:reimbursement_pack", args=[trip.pk]))
        assert GeneratedDocument.objects.for_subject(trip).count() == 1

    def test_missing_scan_is_explained(self, client, people, trip):
        client.force_login(people.coordinator)
        response = client.get(reverse("travel:reimbursement_pack", args=[trip.pk]))
        assert response.status_code == 409
        assert "The scan of the approval document is missing" in response.content.decode()

    def test_word_scan_is_refused_with_a_message(self, client, people, trip):
        _file(trip, TripFileKind.EXTERNAL_APPROVAL, b"PK\x03\x04docx", "application/msword", "pijian.doc")
        client.force_login(people.coordinator)
        response = client.get(reverse("travel:reimbursement_pack", args=[trip.pk]))
        assert response.status_code == 409
        assert "pijian.doc is not a PDF or an image" in response.content.decode()

    def test_not_before_external_approval(self, client, org, people):
        early = _trip(org, people, state=TripState.APPROVED, approval=False)
        client.force_login(people.coordinator)
        response = client.get(reverse("travel:reimbursement_pack", args=[early.pk]))
        assert response.status_code == 409
        assert "once the trip is externally approved" in response.content.decode()

    @pytest.mark.parametrize("role", ["other_coordinator", "student", "leadership"])
    def test_others_get_404(self, client, people, trip, role):
        self._files(trip)
        client.force_login(getattr(people, role))
        assert client.get(reverse("travel:reimbursement_pack", args=[trip.pk])).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, client, trip):
        response = client.get(reverse("travel:reimbursement_pack", args=[trip.pk]))
        assert response.status_code == 302

    def test_trip_page_shows_the_panel(self, client, people, trip):
        client.force_login(people.coordinator)
        html = client.get(trip.get_absolute_url()).content.decode()
        assert 'id="trip-documents"' in html
        assert reverse("travel:reimbursement_pack", args=[trip.pk]) in html
