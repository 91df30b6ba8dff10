"""Documents of visits read back from PDF after the tryout: the hosting standard's cap beside the line's
allowance, the host's name in the script of the document, the English letter on one page for up to three
guests, Chinese tables whose headers and dates do not break, and the verification page's "kind of document"
label."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from meridian.documents.models import GeneratedDocument
from meridian.documents.tests.helpers import pdf_reader, pdf_text, read
from meridian.people.choices import Gender
from meridian.people.tests.factories import IdentityDocumentFactory
from meridian.visitors import documents as D
from meridian.visitors.choices import BudgetKind, StandardBasis
from meridian.visitors.models import HostingStandard, Visit, VisitBudgetLine
from meridian.visitors.tests.factories import germany, make_guest
from meridian.visitors.tests.factories_documents import document_visit

pytestmark = pytest.mark.django_db


def _generate(visit: Visit, code: str, actor) -> GeneratedDocument:
    return D.visit_document_generate(visit=visit, template_code=code, actor=actor)


def _zh_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def host(people):
    """The host as the demo has her: Latin first and last name, Chinese display name."""
    user = people.staff
    user.first_name, user.last_name, user.display_name = "Sun", "Li", "孙丽"
    user.save()
    return user


@pytest.fixture
def issued(org, people, host) -> Visit:
    return document_visit(org, people, state="invitation_issued", invitation_number="INV-2027-0009")


def _third_guest(visit: Visit) -> None:
    guest = make_guest(visit, family_name="Schmidt2", given_name="Lena", name_zh="莉娜", gender=Gender.FEMALE)
    guest.person.birth_date = datetime.date(1990, 1, 9)
    guest.person.save()
    IdentityDocumentFactory(
        person=guest.person,
        issuing_country=germany(),
        number="C03Z55Q88",
        expiry_date=visit.depart_on + datetime.timedelta(days=900),
    )


class TestInvitationLetterEnglish:
    def test_contact_in_latin_script_and_on_behalf_of_the_unit(self, issued, people):
        text = pdf_text(read(_generate(issued, D.LETTER_EN, people.officer)))
        assert "Contact: Sun Li" in text and "孙丽" not in text
        assert "On behalf of the Department of Computing" in text

    def test_chinese_letter_names_the_host_in_chinese(self, issued, people):
        text = pdf_text(read(_generate(issued, D.LETTER_ZH, people.officer)))
        assert "联系人：孙丽" in text

    @pytest.mark.parametrize("guests", [1, 2, 3])
    def test_fits_one_page_with_the_signature(self, org, people, host, guests):
        visit = document_visit(org, people, state="invitation_issued", invitation_number="INV-2027-0010")
        if guests == 1:
            visit.guests.exclude(is_head=True).delete()
        elif guests == 3:
            _third_guest(visit)
        data = read(_generate(visit, D.LETTER_EN, people.officer))
        assert len(pdf_reader(data).pages) == 1
        text = pdf_text(data)
        assert "Yours sincerely" in text and "(seal)" in text
        assert text.count("Head of the delegation") == 1 if guests > 1 else True


class TestChineseTables:
    def test_approval_form_headers_and_dates_do_not_break(self, issued, people):
        text = pdf_text(read(_generate(issued, D.APPROVAL_FORM, people.officer)))
        for header in ("序号", "性别", "国籍", "出生日期", "护照有效期至", "停留天数"):
            assert header in text, header
        assert _zh_date(issued.arrive_on) in text and _zh_date(issued.depart_on) in text
        assert "国家（地区）" in text

    def test_reception_plan_headers_and_dates_do_not_break(self, issued, people):
        text = pdf_text(read(_generate(issued, D.RECEPTION_PLAN, people.officer)))
        for header in ("序号", "性别", "人数", "天数", "按标准可列支", "我方参加人员"):
            assert header in text, header
        for day in (issued.arrive_on, issued.depart_on):
            assert _zh_date(day) in text


class TestHostingStandardOnTheForms:
    """The standard's cap is per its basis (per guest per day …); the line's allowance is computed from it."""

    @pytest.fixture
    def visit(self, issued):
        issued.budget_lines.all().delete()
        VisitBudgetLine.objects.create(
            visit=issued, kind=BudgetKind.ACCOMMODATION, amount=Decimal("1200"), persons=1, days=3
        )
        HostingStandard.objects.create(
            kind=BudgetKind.ACCOMMODATION,
            basis=StandardBasis.PER_PERSON_DAY,
            cap=500,
            valid_from=datetime.date(2000, 1, 1),
        )
        return issued

    def test_reception_plan_shows_the_cap_with_its_basis_and_the_allowance(self, visit, people):
        text = pdf_text(read(_generate(visit, D.RECEPTION_PLAN, people.officer)))
        assert "500.00元（每人每天）" in text
        assert "1,500.00" in text
        assert "1,500.00（每人每天）" not in text

    def test_reception_report_too(self, visit, people):
        visit.state = "hosted"
        visit.save(update_fields=["state"])
        text = pdf_text(read(_generate(visit, D.RECEPTION_REPORT, people.officer)))
        assert "500.00元 每人每天" in text and "1,500.00" in text and "符合" in text


class TestVerificationPage:
    def test_the_kind_of_document_label(self, client, issued, people):
        """ "Document type" here is the kind of generated document (文件类型), not an identity document
        (证件类型): a translation context tells them apart."""
        document = _generate(issued, D.LETTER_EN, people.officer)
        assert "Document type" in client.get(document.verify_path).content.decode()
        html = client.get(document.verify_path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert 'lang="zh-hans"' in html and document.serial in html
        assert "证件类型" not in html
