"""Pages of learning agreements: who may open and do what (role × action from one table), the one page for
all three parties (portal frame for students and partner contacts), the course form with its errors, the
one-click suggestions, the moves, the generated PDF, the catalogue page, and both languages."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from meridian.documents.rendering import render_body
from meridian.mobility.choices import LearningAgreementState, MobilityState
from meridian.mobility.documents_learning import (
    SOURCE_KEY,
    TEMPLATE_DIR,
    learning_agreement_context,
    learning_agreement_sample,
)
from meridian.mobility.models import CourseEquivalence, LearningAgreement
from meridian.mobility.services import learning as services
from meridian.mobility.tests.factories import make_learning_agreement, make_mobility, student_user

pytestmark = pytest.mark.django_db
L = LearningAgreementState
LOGIN = "login"


@pytest.fixture
def student(org):
    return student_user(org.computing, "stu-la", member_number="2023001234")


@pytest.fixture
def mobility(world, org, student):
    return make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=student.person,
        student=student,
        state=MobilityState.ACCEPTED,
    )


@pytest.fixture
def users(world, people, org, student):
    return {
        "officer": people.officer,
        "leadership": people.leadership,
        "coordinator": people.coordinator,
        "other_coordinator": people.other_coordinator,
        "staff": people.staff,
        "student": student,
        "other_student": student_user(org.computing, "stu-other", family_name="Wang"),
        "contact": world.contact,
        "viewer": world.viewer,
        "other_contact": world.other_contact,
        "anonymous": None,
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def status(response) -> int | str:
    if response.status_code == 302 and "/login" in response["Location"]:
        return LOGIN
    return response.status_code


MATRIX: dict[str, dict[str, int | str]] = {
    "detail": {
        "officer": 200,
        "leadership": 200,
        "coordinator": 200,
        "other_coordinator": 404,
        "staff": 404,
        "student": 200,
        "other_student": 404,
        "contact": 200,
        "viewer": 200,
        "other_contact": 404,
        "anonymous": LOGIN,
    },
    "sign": {
        "officer": 302,
        "leadership": 403,
        "coordinator": 302,
        "other_coordinator": 404,
        "staff": 404,
        "student": 403,
        "other_student": 404,
        "contact": 302,
        "viewer": 403,
        "other_contact": 404,
        "anonymous": LOGIN,
    },
    "courses": {
        "officer": 200,
        "leadership": 403,
        "coordinator": 200,
        "other_coordinator": 404,
        "staff": 404,
        "student": 200,
        "other_student": 404,
        "contact": 403,
        "viewer": 403,
        "other_contact": 404,
        "anonymous": LOGIN,
    },
    "create": {
        "officer": 302,
        "leadership": 403,
        "coordinator": 302,
        "other_coordinator": 404,
        "staff": 404,
        "student": 302,
        "other_student": 404,
        "contact": 403,
        "viewer": 403,
        "other_contact": 404,
        "anonymous": LOGIN,
    },
    "pdf": {
        "officer": 302,
        "leadership": 403,
        "coordinator": 302,
        "other_coordinator": 404,
        "staff": 404,
        "student": 302,
        "other_student": 404,
        "contact": 302,
        "viewer": 403,
        "other_contact": 404,
        "anonymous": LOGIN,
    },
}
ROLES = list(MATRIX["detail"])


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_agreement_page(mobility, users, role):
    la = make_learning_agreement(mobility)
    response = client_for(users[role]).get(reverse("mobility:la_detail", args=[la.pk]))
    assert status(response) == MATRIX["detail"][role]


@pytest.mark.parametrize("role", ROLES)
def test_who_signs(mobility, users, role):
    la = make_learning_agreement(mobility, state=L.SUBMITTED, student_signed_at=mobility.created_at)
    response = client_for(users[role]).post(reverse("mobility:la_sign", args=[la.pk]))
    assert status(response) == MATRIX["sign"][role]
    la.refresh_from_db()
    signed = la.sending_signed_by or la.receiving_signed_by
    assert (signed == users[role]) if MATRIX["sign"][role] == 302 else signed is None


@pytest.mark.parametrize("role", ROLES)
def test_who_edits_the_courses(mobility, users, role):
    la = make_learning_agreement(mobility)
    response = client_for(users[role]).get(reverse("mobility:la_courses", args=[la.pk]))
    assert status(response) == MATRIX["courses"][role]


@pytest.mark.parametrize("role", ROLES)
def test_who_starts_an_agreement(mobility, users, role):
    response = client_for(users[role]).post(reverse("mobility:la_create", args=[mobility.pk]))
    assert status(response) == MATRIX["create"][role]
    made = LearningAgreement.objects.filter(mobility=mobility).first()
    if MATRIX["create"][role] == 302:
        assert response["Location"] == reverse("mobility:la_courses", args=[made.pk])
    else:
        assert made is None


@pytest.mark.parametrize("role", ROLES)
def test_who_generates_the_pdf(mobility, users, role):
    la = make_learning_agreement(mobility)
    response = client_for(users[role]).post(reverse("mobility:la_pdf", args=[la.pk]))
    assert status(response) == MATRIX["pdf"][role]
    if MATRIX["pdf"][role] == 302:
        assert "/download/" in response["Location"]


def test_one_page_for_three_parties_in_their_frames(mobility, student, people, world):
    la = make_learning_agreement(mobility, state=L.SUBMITTED, student_signed_at=mobility.created_at)
    url = reverse("mobility:la_detail", args=[la.pk])
    staff = client_for(people.coordinator).get(url).content.decode()
    partner = client_for(world.contact).get(url).content.decode()
    own = client_for(student).get(url).content.decode()
    viewer = client_for(world.viewer).get(url).content.decode()
    assert "mobility-subnav" in staff  # the staff frame carries the section menu
    for page in (partner, own, viewer):
        assert "mobility-subnav" not in page  # the portal frame: no staff menu
    assert 'id="la-sign"' in staff and "Approve for the sending institution" in staff
    assert 'id="la-sign"' in partner and "Approve for the receiving institution" in partner
    assert 'id="la-sign"' not in own and 'id="la-sign"' not in viewer
    assert 'id="la-reject"' in partner and 'id="la-reject"' not in viewer
    assert "Power Systems 1" in viewer and "电力系统1" in viewer


def test_student_writes_sends_and_the_page_shows_signatures(mobility, student, people, world):
    client = client_for(student)
    response = client.post(reverse("mobility:la_create", args=[mobility.pk]))
    la = LearningAgreement.objects.get(mobility=mobility)
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="la-course-form"' in page.content.decode()
    data = formset_data(
        la,
        [
            {
                "receiving_code": "EE400",
                "receiving_title": "Power Systems",
                "receiving_credits": "6",
                "sending_code": "DQ300",
                "sending_title": "电力系统",
                "sending_credits": "3",
            },
        ],
    )
    response = client.post(reverse("mobility:la_courses", args=[la.pk]), data)
    assert response.status_code == 302
    assert la.courses.get().receiving_title == "Power Systems"
    response = client.post(reverse("mobility:la_move", args=[la.pk, "submit"]))
    la.refresh_from_db()
    assert la.state == L.SUBMITTED
    client_for(world.contact).post(reverse("mobility:la_sign", args=[la.pk]))
    client_for(people.coordinator).post(reverse("mobility:la_sign", args=[la.pk]))
    la.refresh_from_db()
    assert la.state == L.APPROVED
    page = client.get(reverse("mobility:la_detail", args=[la.pk])).content.decode()
    assert "Approved by all three parties" in page
    assert timezone.localtime(la.receiving_signed_at).strftime("%Y-%m-%d %H:%M") in page
    assert "Tub-Coordinator" in page and "LI Ming 李明" in page


def formset_data(la, rows, *, version=None) -> dict[str, str]:
    data = {
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "80",
        "version": str(la.version if version is None else version),
    }
    for index, values in enumerate(rows):
        values = {"receiving_credit_system": "ects", "sending_credit_system": "cn", **values}
        for key, value in values.items():
            data[f"rows-{index}-{key}"] = value
    return data


def test_course_form_shows_the_errors_and_stores_nothing(mobility, student):
    la = make_learning_agreement(mobility)
    client = client_for(student)
    rows = [{"receiving_title": "Power Systems", "receiving_credits": "75"}]
    response = client.post(reverse("mobility:la_courses", args=[la.pk]), formset_data(la, rows))
    assert response.status_code == 400
    assert (
        "Row 1: the credits at the receiving institution must be more than 0 and at most 60."
        in response.content.decode()
    )
    assert la.courses.count() == 2
    stale = client.post(
        reverse("mobility:la_courses", args=[la.pk]), formset_data(la, rows, version=la.version - 1)
    )
    assert stale.status_code == 400 and "Someone else saved" in stale.content.decode()


def test_suggestion_added_with_one_click(world, org, mobility, student, people):
    done = make_mobility(
        partner=world.partner, home_unit=org.engineering, person=student.person, state=MobilityState.ACTIVE
    )
    old = make_learning_agreement(done, state=L.SUBMITTED, courses=1, student_signed_at=done.created_at)
    services.la_sign(learning_agreement=old, actor=people.coordinator)
    services.la_sign(learning_agreement=old, actor=world.contact)
    entry = CourseEquivalence.objects.get()
    la = services.la_create(mobility=mobility, actor=student)
    client = client_for(student)
    page = client.get(reverse("mobility:la_detail", args=[la.pk])).content.decode()
    assert f'data-equivalence="{entry.pk}"' in page
    response = client.post(reverse("mobility:la_suggestion_add", args=[la.pk]), {"equivalence": entry.pk})
    assert response.status_code == 302
    assert la.courses.get().equivalence == entry
    assert (
        client_for(world.contact)
        .post(reverse("mobility:la_suggestion_add", args=[la.pk]), {"equivalence": entry.pk})
        .status_code
        == 403
    )


def test_reject_and_revise_through_the_page(mobility, student, world):
    la = make_learning_agreement(mobility, state=L.SUBMITTED, student_signed_at=mobility.created_at)
    partner = client_for(world.contact)
    response = partner.post(reverse("mobility:la_move", args=[la.pk, "reject"]), {"reason": ""}, follow=True)
    assert "Say why the agreement is rejected." in response.content.decode()
    partner.post(reverse("mobility:la_move", args=[la.pk, "reject"]), {"reason": "Course full"})
    la.refresh_from_db()
    assert la.state == L.REJECTED
    page = client_for(student).get(reverse("mobility:la_detail", args=[la.pk])).content.decode()
    assert "Course full" in page and 'data-move="reopen"' in page
    client_for(student).post(reverse("mobility:la_move", args=[la.pk, "reopen"]))
    la.refresh_from_db()
    assert la.state == L.DRAFT
    assert client_for(student).post(reverse("mobility:la_move", args=[la.pk, "approve"])).status_code == 404


def test_the_pdf_lists_rows_and_signatures_in_both_languages(mobility, student, people, world):
    la = make_learning_agreement(mobility, state=L.SUBMITTED, student_signed_at=mobility.created_at)
    services.la_sign(learning_agreement=la, actor=world.contact)
    la = services.la_sign(learning_agreement=la, actor=people.coordinator)
    context = learning_agreement_context(la)
    assert [c["receiving_title"] for c in context["courses"]] == ["Power Systems 1", "Power Systems 2"]
    assert [s["party"] for s in context["signatures"]] == ["student", "sending", "receiving"]
    assert all(s["signed_at"] for s in context["signatures"])
    assert context["signatures"][0]["name"] == "LI Ming 李明"
    assert context["student"]["number"] == "2023001234"
    body = render_body((TEMPLATE_DIR / "learning_agreement.jinja").read_text(encoding="utf-8"), context)
    for text in (
        "Learning Agreement · 学习协议",
        "Power Systems 2",
        "电力系统1",
        "Signed on · 签署时间",
        "Tub-Coordinator",
    ):
        assert text in body
    client = client_for(world.viewer)  # a partner's viewer downloads what a party generated
    response = client_for(student).post(reverse("mobility:la_pdf", args=[la.pk]))
    download = client.get(response["Location"])
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Power Systems 1" in text and "MOB-" in text
    assert client_for(world.other_contact).get(response["Location"]).status_code == 404


def test_sample_has_the_shape_of_the_context(mobility):
    la = make_learning_agreement(mobility)
    context, sample = learning_agreement_context(la), learning_agreement_sample()
    assert set(context) == set(sample)
    assert set(context["courses"][0]) == set(sample["courses"][0])
    assert set(context["signatures"][0]) == set(sample["signatures"][0])
    from meridian.documents.sources import sources

    assert sources.get(SOURCE_KEY).model() is LearningAgreement


def test_a_change_page_highlights_added_and_removed_rows(mobility, student, people, world):
    la = make_learning_agreement(mobility, state=L.SUBMITTED, student_signed_at=mobility.created_at)
    services.la_sign(learning_agreement=la, actor=world.contact)
    services.la_sign(learning_agreement=la, actor=people.coordinator)
    client = client_for(student)
    response = client.post(reverse("mobility:la_change_create", args=[mobility.pk]))
    change = LearningAgreement.objects.get(mobility=mobility, version_number=2)
    assert response["Location"] == reverse("mobility:la_courses", args=[change.pk])
    rows = [
        {
            "receiving_code": "EE400",
            "receiving_title": "Power Systems 1",
            "receiving_credits": "6.0",
            "sending_code": "DQ300",
            "sending_title": "电力系统1",
            "sending_credits": "3.0",
        },
        {
            "receiving_code": "EE401",
            "receiving_title": "Power Systems 2",
            "receiving_credits": "6.0",
            "sending_code": "DQ301",
            "sending_title": "电力系统2",
            "sending_credits": "3.0",
            "change": "removed",
            "change_reason": "Not offered",
        },
        {
            "receiving_code": "EE499",
            "receiving_title": "Grid Lab",
            "receiving_credits": "5",
            "sending_title": "电网实验",
            "sending_credits": "2",
            "change": "added",
            "change_reason": "Instead",
        },
    ]
    response = client.post(reverse("mobility:la_courses", args=[change.pk]), formset_data(change, rows))
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("mobility:la_detail", args=[change.pk])).content.decode()
    assert "<del>EE401 Power Systems 2</del>" in page and "<ins>EE499 Grid Lab</ins>" in page
    assert "Not offered" in page and 'data-change="removed"' in page


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", 200),
        ("coordinator", 200),
        ("staff", 200),
        ("student", 403),
        ("contact", 403),
        ("anonymous", LOGIN),
    ],
)
def test_who_reads_the_catalogue(users, role, expected):
    assert status(client_for(users[role]).get(reverse("mobility:equivalence_list"))) == expected


def test_catalogue_filters_and_withdrawal(world, org, people, student):
    CourseEquivalence.objects.create(
        partner=world.partner,
        partner_title="Power Systems",
        home_title="电力系统",
        partner_credits=6,
        home_unit=org.engineering,
    )
    CourseEquivalence.objects.create(
        partner=world.partner,
        partner_title="Optics",
        home_title="光学",
        partner_credits=5,
        home_unit=org.humanities,
    )
    CourseEquivalence.objects.create(
        partner=world.other_partner,
        partner_title="Poetry",
        home_title="诗歌",
        partner_credits=4,
        home_unit=org.humanities,
    )
    client = client_for(people.coordinator)
    url = reverse("mobility:equivalence_list")
    assert "Poetry" in client.get(url).content.decode()
    page = client.get(url, {"partner": world.partner.pk}).content.decode()
    assert "Power Systems" in page and "Optics" in page and "Poetry" not in page
    page = client.get(url, {"q": "光学"}).content.decode()
    assert "Optics" in page and "Power Systems" not in page
    page = client.get(url, {"school": org.engineering.pk}).content.decode()
    assert "Power Systems" in page and "Optics" not in page
    assert client.get(url, {"partner": "999999"}).status_code == 400
    optics = CourseEquivalence.objects.get(partner_title="Optics")
    power = CourseEquivalence.objects.get(partner_title="Power Systems")
    assert client.post(reverse("mobility:equivalence_withdraw", args=[optics.pk])).status_code == 403
    for answer in ("maybe", "", "2"):  # only 1 (withdraw) or 0 (offer again): anything else changes nothing
        response = client.post(
            reverse("mobility:equivalence_withdraw", args=[power.pk]), {"withdrawn": answer}
        )
        assert response.status_code == 400 and "is not an answer here" in response.content.decode()
    power.refresh_from_db()
    assert not power.withdrawn
    assert client.post(reverse("mobility:equivalence_withdraw", args=[power.pk])).status_code == 302
    power.refresh_from_db()
    assert power.withdrawn
    assert f'data-equivalence="{power.pk}"' not in client.get(url).content.decode()
    assert f'data-equivalence="{power.pk}"' in client.get(url, {"status": "withdrawn"}).content.decode()


def test_pages_in_chinese(mobility, student, world):
    la = make_learning_agreement(mobility)
    for user in (student, world.contact):
        client = client_for(user)
        client.cookies["django_language"] = "zh-hans"
        page = client.get(reverse("mobility:la_detail", args=[la.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = page.content.decode()
        assert page.status_code == 200 and 'lang="zh-hans"' in html
        with translation.override("zh-hans"):
            expected = translation.gettext("Signatures")
        assert expected in html
        if expected == "Signatures":  # the Chinese catalogue of this page is not compiled in yet
            pytest.skip("Chinese translations of the learning pages are not compiled yet")


def test_catalogue_page_queries_do_not_grow_with_rows(world, org, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(people.coordinator)
    url = reverse("mobility:equivalence_list")

    def add(count, start):
        for i in range(start, start + count):
            partner = world.partner if i % 2 else world.other_partner
            unit = org.engineering if i % 3 else org.humanities
            CourseEquivalence.objects.create(
                partner=partner,
                partner_title=f"Course {i}",
                home_title=f"课程{i}",
                partner_credits=5,
                home_unit=unit,
            )

    add(2, 0)
    client.get(url)  # warm the caches (standing, menus)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(20, 2)
    with CaptureQueriesContext(connection) as many:
        assert "Course 21" in client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_agreement_page_queries_do_not_grow_with_courses(mobility, student, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_learning_agreement(mobility, courses=1)
    client = client_for(world.contact)
    client.get(reverse("mobility:la_detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mobility:la_detail", args=[small.pk]))
    big = make_learning_agreement(mobility, courses=12, version_number=2)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("mobility:la_detail", args=[big.pk]))
    assert len(many.captured_queries) <= len(few.captured_queries) + 2  # the second version's list entry
