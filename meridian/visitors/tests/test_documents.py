"""Documents of visits: the "visit" source's context in both languages, the default templates read back from
PDF, passport numbers only where they belong (never on the public verification page), when each document may
be generated, who may generate and download, and the visit page's documents panel."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from meridian.core.errors import PermissionDeniedError
from meridian.documents import services
from meridian.documents.models import DocumentTemplate, GeneratedDocument
from meridian.documents.rendering import mask_name
from meridian.documents.services import DocumentRefusedError
from meridian.documents.tests.helpers import pdf_text, read
from meridian.people.models import AccessLog
from meridian.visitors import documents as visit_documents
from meridian.visitors.choices import BudgetKind, InvitationKind, StandardBasis
from meridian.visitors.document_templates.context import visit_document_context
from meridian.visitors.document_templates.fields import visit_document_sample
from meridian.visitors.models import HostingStandard, Visit
from meridian.visitors.panels import visit_panels
from meridian.visitors.tests.factories_documents import BIRTH_DATES, PASSPORTS, document_visit
from meridian.workflow.testing import partner_contact_user

pytestmark = pytest.mark.django_db

D = visit_documents
NO_PASSPORT = (D.APPROVAL_FORM, D.GUARANTEE, D.RECEPTION_PLAN)


@pytest.fixture
def visit(org, people) -> Visit:
    return document_visit(org, people, state="approved")


@pytest.fixture
def issued(org, people) -> Visit:
    return document_visit(org, people, state="invitation_issued", invitation_number="INV-2027-0007")


def _generate(visit: Visit, code: str, actor, language: str | None = None) -> GeneratedDocument:
    return D.visit_document_generate(visit=visit, template_code=code, actor=actor, language=language)


def _zh_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _same_shape(sample: Any, real: Any, where: str = "") -> None:
    """Same keys and value types all the way down (list items compared when both lists have some)."""
    assert type(sample) is type(real), where
    if isinstance(sample, dict):
        assert sample.keys() == real.keys(), where
        for key in sample:
            _same_shape(sample[key], real[key], f"{where}.{key}")
    elif isinstance(sample, list) and sample and real:
        _same_shape(sample[0], real[0], f"{where}[0]")


# --- templates and context ---------------------------------------------------------------------------------


class TestDefaultTemplates:
    def test_every_default_is_installed(self):
        codes = set(DocumentTemplate.objects.filter(source="visit").values_list("code", flat=True))
        assert codes == {d.code for d in D.DEFAULT_TEMPLATES}
        assert {D.LETTER_EN, D.LETTER_ZH} <= codes

    @pytest.mark.parametrize("default", D.DEFAULT_TEMPLATES, ids=lambda d: d.code)
    def test_renders_against_its_sample(self, default):
        template = DocumentTemplate.objects.get(code=default.code)
        assert template.current_version is not None
        language = template.output_languages()[0]
        text = pdf_text(
            services.document_preview(template=template, version=template.current_version, language=language)
        )
        assert "SCHMIDT Anna" in text

    def test_the_sample_has_the_shape_of_a_real_context(self, issued):
        context = visit_document_context(issued)
        sample = visit_document_sample()
        _same_shape(sample, context)


class TestContext:
    def test_both_languages_come_from_one_record(self, issued):
        context = visit_document_context(issued)
        assert (context["category_en"], context["category_zh"]) == (
            "Visiting scholar giving lectures",
            "来校讲学学者",
        )
        assert (context["state_en"], context["state_zh"]) == ("Invitation issued", "已发邀请函")
        assert (context["country_en"], context["country_zh"]) == ("Germany", "德国")
        assert context["host_unit"] == {"name_en": "Department of Computing", "name_zh": "计算机系"}
        assert context["university"]["name_zh"] == "子午线大学"
        head = context["head"]
        assert head["name"] == "SCHMIDT Anna 安娜·施密特" and head["is_head"]
        assert (head["gender_en"], head["gender_zh"]) == ("Female", "女")
        assert (head["nationality_en"], head["nationality_zh"]) == ("Germany", "德国")
        assert head["birth_date"] == BIRTH_DATES[0].isoformat()
        assert head["passport"]["kind_zh"] == "普通护照" and head["passport"]["exists"]
        assert context["guest_count"] == 2 and context["days"] == 5
        assert context["invitation"]["number"] == "INV-2027-0007"
        assert context["invitation"]["kind_zh"] == "被授权单位邀请函"
        assert (context["reception"]["level_zh"], context["reception"]["leader"]) == (
            "学院（单位）负责人",
            "Prof. Li Si, Dean",
        )
        assert len(context["programme"]) == 5
        assert context["programme"][0]["items"][0]["kind_zh"] == "会谈"
        assert context["budget_total"] == "1,700.00"
        assert context["costs_covered_zh"] == "住宿费、伙食费"

    def test_passport_numbers_only_when_revealed(self, issued):
        assert not any(number in repr(visit_document_context(issued)) for number in PASSPORTS)
        seen: list = []
        context = visit_document_context(issued, reveal=seen.append)
        assert [g["passport"]["number"] for g in context["guests"]] == list(PASSPORTS)
        assert len(seen) == 2

    def test_budget_lines_are_set_against_the_hosting_standards(self, issued):
        HostingStandard.objects.create(
            kind=BudgetKind.ACCOMMODATION,
            basis=StandardBasis.PER_PERSON_DAY,
            cap=100,
            valid_from=datetime.date(2000, 1, 1),
        )
        HostingStandard.objects.create(
            kind=BudgetKind.MEALS,
            basis=StandardBasis.PER_VISIT,
            cap=5000,
            valid_from=datetime.date(2000, 1, 1),
        )
        lines = {line["kind"]: line for line in visit_document_context(issued)["budget"]}
        # accommodation: 1,200 for 2 guests × 4 nights at 100 a night = 800: over the standard
        assert (lines["accommodation"]["standard"], lines["accommodation"]["within"]) == ("800.00", False)
        assert (lines["meals"]["standard"], lines["meals"]["within"]) == ("5,000.00", True)


# --- the documents read back -------------------------------------------------------------------------------


class TestInvitationLetter:
    def test_english_letter_has_names_passports_and_the_verification_url(self, issued, people):
        document = _generate(issued, D.LETTER_EN, people.officer)
        text = pdf_text(read(document))
        assert "Letter of Invitation" in text and "INV-2027-0007" in text
        assert "SCHMIDT Anna" in text and "安娜·施密特" in text and "SCHMIDT1 Hans" in text
        assert PASSPORTS[0] in text and PASSPORTS[1] in text
        # A long address may wrap at a slash in the PDF; the text extractor then puts a space there.
        assert document.verify_url in text.replace("/ ", "/")
        assert "Department of Computing" in text and "Germany" in text
        assert document.valid_until == issued.depart_on

    def test_chinese_twin_carries_the_same_data(self, issued, people):
        document = _generate(issued, D.LETTER_ZH, people.officer)
        text = pdf_text(read(document))
        assert "邀请函" in text and "INV-2027-0007" in text
        assert "SCHMIDT Anna" in text and "安娜·施密特" in text
        assert PASSPORTS[0] in text and BIRTH_DATES[0].isoformat() in text
        assert _zh_date(issued.arrive_on) in text and "德国" in text and "计算机系" in text
        # A long address may wrap at a slash in the PDF; the text extractor then puts a space there.
        assert document.verify_url in text.replace("/ ", "/")

    def test_printing_passport_numbers_is_logged(self, issued, people):
        _generate(issued, D.LETTER_EN, people.officer)
        entries = AccessLog.objects.filter(action="unmask", user=people.officer)
        assert entries.count() == 2
        assert all(issued.number in entry.purpose for entry in entries)

    def test_verification_page_confirms_the_letter_without_passport_data(self, client, issued, people):
        document = _generate(issued, D.LETTER_EN, people.officer)
        response = client.get(document.verify_path)
        assert response.status_code == 200
        html = response.content.decode()
        assert document.serial in html
        assert "Meridian University, Department of Computing" in html and "子午线大学计算机系" in html
        assert issued.depart_on.isoformat() in html  # valid until the departure
        assert timezone.localdate().isoformat() in html  # issue date
        assert mask_name(D.visit_holder(issued)) in html
        assert "SCH**** An** 安*·施**" in html  # the names are masked …
        for secret in (*PASSPORTS, "SCHMIDT", "Anna", "安娜·施密特"):  # … and passports never shown
            assert secret not in html
        for born in BIRTH_DATES:
            assert born.isoformat() not in html and _zh_date(born) not in html
            assert born.strftime("%d %B %Y").lstrip("0") not in html


class TestOtherDocuments:
    @pytest.mark.parametrize("code", NO_PASSPORT)
    def test_documents_that_must_not_carry_passport_numbers(self, issued, people, code):
        text = pdf_text(read(_generate(issued, code, people.officer)))
        assert "SCHMIDT Anna" in text
        assert not any(number in text for number in PASSPORTS)
        assert not AccessLog.objects.filter(action="unmask").exists()

    def test_data_sheet_carries_the_passport_data(self, visit, people):
        text = pdf_text(read(_generate(visit, D.DATA_SHEET, people.officer)))
        assert "邀请函申请信息表" in text and "Visa Invitation Application Data Sheet" in text
        assert PASSPORTS[0] in text and PASSPORTS[1] in text and "Schmidt" in text

    def test_approval_form_and_reception_plan_content(self, issued, people):
        form = pdf_text(read(_generate(issued, D.APPROVAL_FORM, people.coordinator)))
        assert "邀请外国人来华审批表" in form and "被授权单位邀请函" in form and "学院（单位）负责人" in form
        plan = pdf_text(read(_generate(issued, D.RECEPTION_PLAN, people.coordinator)))
        assert "外宾接待方案" in plan and "Talks with the host school" in plan and "1,700.00" in plan
        guarantee = pdf_text(read(_generate(issued, D.GUARANTEE, people.officer)))
        assert "担保函" in guarantee and "特此担保" in guarantee

    def test_reception_report_after_the_visit(self, org, people):
        hosted = document_visit(org, people, state="hosted", outcomes="Agreed on a joint laboratory.")
        hosted.arrived_on, hosted.left_on = hosted.arrive_on, hosted.arrive_on + datetime.timedelta(days=2)
        hosted.save()
        text = pdf_text(read(_generate(hosted, D.RECEPTION_REPORT, people.staff)))
        assert "外事接待报告单" in text and "报销凭证" in text
        assert "3天" in text and "Agreed on a joint laboratory." in text and "财务审核" in text


# --- when documents may be generated ----------------------------------------------------------------------


class TestStates:
    def test_no_invitation_letter_before_the_invitation_is_issued(self, visit, people):
        with pytest.raises(DocumentRefusedError, match="Not now: the visit is “Approved”") as caught:
            _generate(visit, D.LETTER_EN, people.officer)
        assert "when the office issues the invitation" in caught.value.message
        assert not GeneratedDocument.objects.exists()

    def test_reception_report_only_once_hosted(self, visit, people):
        with pytest.raises(DocumentRefusedError, match="Once the guests have left"):
            _generate(visit, D.RECEPTION_REPORT, people.officer)

    def test_nothing_for_a_cancelled_visit(self, org, people):
        cancelled = document_visit(org, people, state="cancelled")
        assert all(D.refusal(cancelled, d.code) for d in D.DEFAULT_TEMPLATES)

    def test_invitation_documents_need_an_invitation(self, org, people):
        plain = document_visit(org, people, invitation_kind=InvitationKind.NONE)
        with pytest.raises(DocumentRefusedError, match="This visit needs no visa invitation"):
            _generate(plain, D.APPROVAL_FORM, people.officer)
        assert D.refusal(plain, D.RECEPTION_PLAN) == ""

    def test_data_sheet_only_for_authorised_or_verified_invitations(self, org, people):
        letter = document_visit(org, people, invitation_kind=InvitationKind.LETTER)
        assert "not used for this kind of visa invitation" in D.refusal(letter, D.DATA_SHEET)

    def test_data_sheet_needs_locked_guest_data(self, visit, people):
        visit.guests.update(locked_at=None)
        with pytest.raises(DocumentRefusedError, match="locked by the office"):
            _generate(visit, D.DATA_SHEET, people.officer)

    def test_refusal_is_shown_through_the_page(self, client, visit, people):
        client.force_login(people.coordinator)
        url = reverse("visitors:visit_documents", args=[visit.pk])
        response = client.post(url, {"template": D.LETTER_EN, "language": "en", "next": url}, follow=True)
        assert "Not now: the visit is “Approved”" in response.content.decode()
        assert not GeneratedDocument.objects.exists()

    def test_the_source_gives_the_platform_the_same_reason(self, visit, issued, people):
        assert D.SOURCE.refusal(people.officer, issued, D.LETTER_EN) is None
        reason = D.SOURCE.refusal(people.officer, visit, D.LETTER_EN)
        assert reason == D.refusal(visit, D.LETTER_EN) and reason.startswith("Not now")
        with pytest.raises(DocumentRefusedError, match="Not now: the visit is “Approved”"):
            services.document_generate(template_code=D.LETTER_EN, subject=visit, actor=people.officer)
        assert not GeneratedDocument.objects.exists()


def _post(client, visit, code=D.RECEPTION_PLAN, language="zh", **extra):
    return client.post(
        reverse("visitors:visit_documents", args=[visit.pk]),
        {"template": code, "language": language},
        **extra,
    )


def _colleague(org):
    """Another staff member of the host unit, who does not handle the visit."""
    from meridian.accounts.choices import Role
    from meridian.accounts.services import membership_grant, user_create

    colleague = user_create(username="colleague", email="colleague@meridian.example", password="x-colleague")
    membership_grant(user=colleague, unit=org.computing, role=Role.STAFF)
    return colleague


# --- the platform's generic generate endpoint ------------------------------------------------------------


def _platform_post(client, visit, code=D.LETTER_EN, language="en", **extra):
    url = reverse("documents:generate", args=["visit", visit.pk])
    return client.post(url, {"template": code, "language": language}, **extra)


class TestPlatformEndpoint:
    def test_generates_the_invitation_letter_once_issued(self, client, issued, people):
        client.force_login(people.officer)
        response = _platform_post(client, issued)
        assert response.status_code == 302
        document = GeneratedDocument.objects.for_subject(issued).get()
        assert document.template.code == D.LETTER_EN and document.language == "en"
        text = pdf_text(read(document))
        assert "Letter of Invitation" in text and PASSPORTS[0] in text and PASSPORTS[1] in text
        # printing the passport numbers is logged for the user who generated, as on the visit's page
        entries = AccessLog.objects.filter(action="unmask", user=people.officer)
        assert entries.count() == 2 and all(D.LETTER_EN in entry.purpose for entry in entries)

    def test_no_passport_numbers_on_other_templates(self, client, issued, people):
        client.force_login(people.officer)
        assert _platform_post(client, issued, D.RECEPTION_PLAN, "zh").status_code == 302
        text = pdf_text(read(GeneratedDocument.objects.for_subject(issued).get()))
        assert "SCHMIDT Anna" in text and not any(number in text for number in PASSPORTS)
        assert not AccessLog.objects.filter(action="unmask").exists()

    def test_refuses_with_the_reason_before_the_invitation_is_issued(self, client, visit, people):
        client.force_login(people.officer)
        response = _platform_post(client, visit, follow=True)
        assert response.status_code == 200  # a message on the page, not a 403
        html = response.content.decode()
        assert "Not now: the visit is “Approved”" in html
        assert "Generated when the office issues the invitation" in html
        assert "You may not generate documents" not in html
        assert not GeneratedDocument.objects.exists()

    def test_same_reason_as_the_visit_documents_page(self, client, visit, people):
        client.force_login(people.officer)
        platform = [str(m) for m in _platform_post(client, visit, follow=True).context["messages"]]
        own = [str(m) for m in _post(client, visit, D.LETTER_EN, "en", follow=True).context["messages"]]
        assert platform == own == [D.refusal(visit, D.LETTER_EN)]

    def test_refusal_in_chinese(self, client, visit, people):
        client.force_login(people.officer)
        response = _platform_post(client, visit, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
        messages = [str(m) for m in response.context["messages"]]
        assert len(messages) == 1 and "已批准" in messages[0] and "Not now" not in messages[0]
        assert not GeneratedDocument.objects.exists()

    @pytest.mark.parametrize(
        "role", ["colleague", "other_coordinator", "student", "leadership", "outsider", "partner"]
    )
    def test_others_still_get_404(self, client, org, people, issued, role):
        users = {"partner": partner_contact_user, "colleague": _colleague}
        user = users[role](org) if role in users else getattr(people, role)
        client.force_login(user)
        assert _platform_post(client, issued).status_code == 404
        assert not GeneratedDocument.objects.exists()
        with pytest.raises(PermissionDeniedError):
            services.document_generate(template_code=D.LETTER_EN, subject=issued, actor=user)

    def test_anonymous_is_sent_to_sign_in(self, client, issued):
        response = _platform_post(client, issued)
        assert response.status_code == 302 and "login" in response.url
        assert not GeneratedDocument.objects.exists()


# --- only the office issues what binds the university -----------------------------------------------------

OFFICE_ONLY = (D.LETTER_EN, D.LETTER_ZH, D.DATA_SHEET, D.GUARANTEE)


class TestOnlyTheOfficeIssues:
    """A unit secretary or the host must not print a second valid invitation letter (with passport numbers)
    beside the one the office issued, nor the papers that bind the university."""

    @pytest.mark.parametrize("role", ["coordinator", "staff"])
    def test_the_visit_documents_page_refuses_the_unit(self, client, issued, people, role):
        first = _generate(issued, D.LETTER_EN, people.officer)
        client.force_login(getattr(people, role))
        for code, language in ((D.LETTER_EN, "en"), (D.LETTER_ZH, "zh"), (D.DATA_SHEET, "bilingual")):
            response = _post(client, issued, code, language, follow=True)
            messages = [str(m) for m in response.context["messages"]]
            assert len(messages) == 1 and messages[0].startswith("Only the International Office"), code
        assert list(GeneratedDocument.objects.for_subject(issued)) == [first]
        assert not AccessLog.objects.filter(action="unmask", user=getattr(people, role)).exists()
        # what the office issued stays readable to the unit
        assert client.get(reverse("documents:download", args=[first.pk])).status_code == 200

    @pytest.mark.parametrize("code", OFFICE_ONLY)
    def test_the_platform_endpoint_refuses_the_unit_secretary(self, client, issued, people, code):
        client.force_login(people.coordinator)
        language = DocumentTemplate.objects.get(code=code).output_languages()[0]
        response = _platform_post(client, issued, code, language, follow=True)
        assert response.status_code == 200
        messages = [str(m) for m in response.context["messages"]]
        assert len(messages) == 1 and messages[0].startswith("Only the International Office")
        assert not GeneratedDocument.objects.exists()

    @pytest.mark.parametrize("code", OFFICE_ONLY)
    def test_the_service_refuses_and_the_office_generates(self, issued, people, code):
        with pytest.raises(DocumentRefusedError, match="Only the International Office"):
            _generate(issued, code, people.staff)
        assert _generate(issued, code, people.officer).template.code == code

    def test_the_unit_keeps_its_own_forms(self, client, issued, people):
        client.force_login(people.coordinator)
        assert _post(client, issued, D.APPROVAL_FORM, "zh").status_code == 302
        assert _post(client, issued, D.RECEPTION_PLAN, "zh").status_code == 302
        assert GeneratedDocument.objects.for_subject(issued).count() == 2

    def test_letters_in_further_languages_are_the_offices(self):
        assert D.office_only("visit-invitation-de") and D.office_only(D.GUARANTEE)
        assert not D.office_only(D.RECEPTION_PLAN) and not D.office_only(D.APPROVAL_FORM)

    def test_the_panel_offers_no_letter_button_to_the_unit(self, client, issued, people):
        client.force_login(people.coordinator)
        html = client.get(reverse("visitors:visit_documents", args=[issued.pk])).content.decode()
        assert 'name="template" value="visit-invitation-en"' not in html
        assert 'name="template" value="visit-reception-plan"' in html
        assert "Only the International Office issues this document" in html
        client.force_login(people.officer)
        html = client.get(reverse("visitors:visit_documents", args=[issued.pk])).content.decode()
        assert 'name="template" value="visit-invitation-en"' in html


# --- permissions -------------------------------------------------------------------------------------------


class TestPermissions:
    @pytest.mark.parametrize("role", ["officer", "coordinator", "staff"])
    def test_office_unit_secretary_and_host_generate_and_download(self, client, people, visit, role):
        client.force_login(getattr(people, role))
        assert _post(client, visit).status_code == 302
        document = GeneratedDocument.objects.for_subject(visit).get()
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 200
        assert client.get(reverse("visitors:visit_documents", args=[visit.pk])).status_code == 200

    @pytest.mark.parametrize("role", ["other_coordinator", "student", "leadership", "outsider", "partner"])
    def test_others_get_404(self, client, org, people, visit, role):
        document = _generate(visit, D.RECEPTION_PLAN, people.officer)
        user = partner_contact_user(org) if role == "partner" else getattr(people, role)
        client.force_login(user)
        assert _post(client, visit).status_code == 404
        assert client.get(reverse("visitors:visit_documents", args=[visit.pk])).status_code == 404
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
        assert GeneratedDocument.objects.for_subject(visit).count() == 1

    def test_other_staff_may_not_generate_through_the_service(self, org, people, visit):
        with pytest.raises(PermissionDeniedError):
            _generate(visit, D.RECEPTION_PLAN, _colleague(org))

    def test_anonymous_is_sent_to_sign_in(self, client, visit):
        assert _post(client, visit).status_code == 302
        assert not GeneratedDocument.objects.exists()

    def test_unknown_template_is_refused_with_a_message(self, client, people, visit):
        client.force_login(people.officer)
        response = client.post(
            reverse("visitors:visit_documents", args=[visit.pk]),
            {"template": "trip-itinerary", "language": "en"},
            follow=True,
        )
        assert "There is no such template for visits." in response.content.decode()


# --- the panel ---------------------------------------------------------------------------------------------


def _panels(visit, user) -> dict[str, Any]:
    request = RequestFactory().get(f"/visitors/{visit.pk}/")
    request.user = user
    return {panel["key"]: panel for panel in visit_panels(request, visit)}


class TestPanel:
    def test_registered_for_those_who_handle_the_visit(self, visit, people):
        panel = _panels(visit, people.coordinator)["documents"]
        assert panel["template"] == "visitors/documents/_panel.html"
        rows = {row.template.code: row for row in panel["context"]["visit_docs"].rows}
        assert rows[D.RECEPTION_PLAN].available and rows[D.APPROVAL_FORM].available
        # the data sheet and the letters are the office's
        assert (
            not rows[D.DATA_SHEET].available and "Only the International Office" in rows[D.DATA_SHEET].reason
        )
        assert not rows[D.LETTER_EN].available and "Only the International Office" in rows[D.LETTER_EN].reason
        office = {
            row.template.code: row
            for row in _panels(visit, people.officer)["documents"]["context"]["visit_docs"].rows
        }
        assert office[D.DATA_SHEET].available
        assert not office[D.LETTER_EN].available and "Not now" in office[D.LETTER_EN].reason
        assert "documents" not in _panels(visit, people.other_coordinator)
        assert "documents" not in _panels(visit, people.leadership)

    def test_page_lists_buttons_rules_and_files(self, client, visit, people):
        _generate(visit, D.RECEPTION_PLAN, people.coordinator)
        client.force_login(people.coordinator)
        html = client.get(reverse("visitors:visit_documents", args=[visit.pk])).content.decode()
        assert 'id="visit-documents"' in html
        assert 'name="template" value="visit-reception-plan"' in html
        assert 'name="template" value="visit-invitation-en"' not in html  # not before the invitation
        assert "Generated when the office issues the invitation" in html
        assert ".pdf</a>" in html

    def test_page_in_chinese(self, client, visit, people):
        client.force_login(people.coordinator)
        response = client.get(
            reverse("visitors:visit_documents", args=[visit.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.status_code == 200
        assert "邀请外国人来华审批表" in response.content.decode()

    def test_visit_page_shows_the_panel(self, client, visit, people):
        client.force_login(people.staff)
        html = client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
        assert 'id="visit-documents"' in html
        assert reverse("visitors:visit_documents", args=[visit.pk]) in html
