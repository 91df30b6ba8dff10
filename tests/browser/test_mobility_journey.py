"""A student's exchange semester from the call to the recognition of their credits, in English and in
Simplified Chinese.

The International Office files a call for the coming academic year, draws its two destinations from the
cooperation conditions of two exchange agreements, adds the selection criteria, a question and the committee,
and opens it. A student of the Department of Computing signs in, lands on the student portal, opens the call
and applies: ranks both destinations (reordering them with the arrow button), fills in the studies, language
and motivation, answers the call's question (the draft saves itself meanwhile), uploads a transcript and a
language certificate and submits. The office closes applications; the School of Engineering pre-approves from
its queue; a committee member scores the student and a higher-scored rival; the office computes the ranking,
allocates the places and publishes the results. The student reads why: the rival took the only place at their
first choice, they have a place at their second; they accept it. After the publicity period the office
nominates them to the partner, whose coordinator signs in, lands on the partner portal and accepts the
nomination. The student fills in and signs the learning agreement; the home coordinator approves it, and the
partner's coordinator approves it in the partner portal. The office records the departure and the return,
takes the transcript's courses from the learning agreement, enters the partner's grade, converts it with the
partner's table, recognises the course, exports the record and completes the mobility. On a phone the
student's and the partner's portal pages fit the screen.

The world (agreements and their conditions, the people, the partner's grade table, the rival's approved
application) is made with factories. Every step the people take happens in the browser, with one exception:
the publicity period (公示, five working days) cannot be shortened in the interface, so the test sets the
call's ``publicity_ends_on`` to yesterday directly before the office nominates.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from conftest import PASSWORD
from meridian.agreements.tests.factories import AgreementFactory
from meridian.mobility.choices import ApplicationState, CallState, LearningAgreementState, MobilityState
from meridian.mobility.models import Application, Call, LearningAgreement, Mobility
from meridian.mobility.services.recognition import conversion_table_save
from meridian.mobility.tests.factories import make_application, make_condition, partner_contact, student_user
from meridian.partners.tests.factories import PartnerFactory
from tests.browser.helpers import (
    HAN,
    download,
    no_horizontal_overflow,
    pdf_file,
    pick,
    sign_in_as,
    switch_language,
    translated,
    upload,
)

FIRST_EN, FIRST_ZH = "Example University of Technology", "示例工业大学"  # one place: the rival's
SECOND_EN, SECOND_ZH = "Example University", "示例大学"  # one place: the student's
TITLE_EN, TITLE_ZH = "Semester abroad, autumn", "秋季学期海外交流"
QUESTION_EN, QUESTION_ZH = "Which courses do you plan to take?", "你计划修读哪些课程？"
ANSWER = "Power systems and control engineering."
MOTIVATION = "I want to study power systems at a partner with a strong grid research group."
COURSE_CODE, COURSE_TITLE = "EE-410", "Power System Dynamics"
HOME_CODE, HOME_TITLE = "DQ301", "电力系统分析"
PARTNER_GRADE, HOME_GRADE = "14", "85"  # the partner's French scale (out of 20) → our 0–100 marks


# --- steps ------------------------------------------------------------------------------------------------


class Journey:
    """The language of this run and the labels the people read and click, from the server's catalogue."""

    def __init__(self, language: str) -> None:
        self.language = language

    def t(self, text: str) -> str:
        """``text`` as the interface shows it in this run's language; in Chinese it must be Chinese."""
        value = translated(text, self.language)
        if self.language != "en":
            assert HAN.search(value), f"“{text}” is not translated into Chinese (shown as “{value}”)"
        return value

    def button(self, scope: Page | Locator, label: str) -> Locator:
        """The one button labelled ``label`` (in this run's language) inside ``scope``."""
        found = scope.get_by_role("button", name=self.t(label), exact=True)
        expect(found).to_have_count(1)
        return found

    def heading(self, page: Page, text: str) -> None:
        expect(page.locator("main h1")).to_have_text(self.t(text))


def submit(page: Page, button: Locator, url: str | re.Pattern[str] | None = None) -> None:
    """Click a button that posts its form; the post must be accepted and the next page load."""
    with (
        page.expect_response(lambda r: r.request.method == "POST") as posted,
        page.expect_navigation(url=url or re.compile(".*")),
    ):
        button.click()
    response = posted.value
    assert response.status < 400, f"POST {response.url} answered {response.status}"


def swap(page: Page, button: Locator) -> None:
    """Click a button whose form the page posts in the background and shows the answer in place."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        button.click()
    assert posted.value.status < 400, f"POST {posted.value.url} answered {posted.value.status}"


def open_link(page: Page, link: Locator, url: str | re.Pattern[str] | None = None) -> None:
    expect(link).to_have_count(1)
    with page.expect_navigation(url=url or re.compile(".*")):
        link.click()


def succeeded(page: Page) -> None:
    expect(page.locator(".message.error")).to_have_count(0)
    expect(page.locator(".message.success")).to_have_count(1)


def portal_sign_in(page: Page, username: str, language: str, landing: str) -> None:
    """Sign in through the login form and land on the portal page ``landing`` (not the staff dashboard)."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url=re.compile(rf"{re.escape(landing)}$")):
        page.click("main form button[type=submit]")
    if language != "en":
        switch_language(page, language)
    expect(page).to_have_url(re.compile(rf"{re.escape(landing)}$"))
    expect(page.locator("nav.subnav.mobility-subnav")).to_have_count(0)  # no staff menu in the portal


def section(page: Page, key: str) -> None:
    """Open a page of the student-exchange section from its menu."""
    open_link(page, page.locator(f"nav.mobility-subnav a[data-nav='mobility-{key}']"))


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- the world ----------------------------------------------------------------------------------------------


@pytest.fixture
def exchange(org, people):
    """Two partners, each with an active exchange agreement of the School of Engineering and one outgoing
    place for the coming academic year; the second partner's coordinator with a portal account and its grade
    table; the student and a rival, both of the Department of Computing."""
    year = timezone.localdate().year + 1
    first = PartnerFactory(name="Technische Universität Beispiel", name_en=FIRST_EN, name_zh=FIRST_ZH)
    second = PartnerFactory(name="Université Exemple", name_en=SECOND_EN, name_zh=SECOND_ZH)
    conditions = []
    for partner in (first, second):
        agreement = AgreementFactory(
            responsible_unit=org.engineering,
            partners=[partner],
            state="active",
            home_coordinator=people.coordinator,
            end_date=date(year + 3, 12, 31),
        )
        conditions.append(make_condition(agreement, partner, places=1, year=year))
    contact = partner_contact(second, "ue-coordinator", org=org)
    conversion_table_save(
        partner=second,
        actor=people.officer,
        name="Barème sur 20",
        basis="table",
        home_scale="0–100",
        rows=[
            {"partner_grade": "16", "home_grade": "92", "passing": True},
            {"partner_grade": "14", "home_grade": "85", "passing": True},
            {"partner_grade": "12", "home_grade": "76", "passing": True},
            {"partner_grade": "10", "home_grade": "65", "passing": True},
            {"partner_grade": "8", "home_grade": "50", "passing": False},
        ],
    )
    student = student_user(org.computing, "liming", family_name="Li", given_name="Ming", name_zh="李明")
    rival = student_user(org.computing, "wangfang", family_name="Wang", given_name="Fang", name_zh="王芳")
    return {
        "year": year,
        "first": first,
        "second": second,
        "conditions": conditions,
        "contact": contact,
        "student": student,
        "rival": rival,
    }


# --- the journey -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db(transaction=True)
def test_a_student_goes_on_exchange_from_the_call_to_the_recognition_of_credits(
    new_page, org, people, exchange, language
):
    j = Journey(language)
    first, second = exchange["first"], exchange["second"]
    second_name = SECOND_EN if language == "en" else SECOND_ZH  # partners are named in the page's language
    first_name = FIRST_EN if language == "en" else FIRST_ZH
    now = timezone.now()

    # --- the office files the call and opens it -------------------------------------------------------------
    office = new_page()
    sign_in_as(office, people.officer.username, language)
    open_link(office, office.locator("nav.mainnav a[data-nav=mobility]"), re.compile(r"/exchange/calls/$"))
    j.heading(office, "Calls for applications")
    open_link(office, office.get_by_role("link", name=j.t("New call"), exact=True), re.compile(r"/new/$"))
    j.heading(office, "New call")
    office.fill("#id_title_en", TITLE_EN)
    office.fill("#id_title_zh", TITLE_ZH)
    office.select_option("#id_unit", str(org.engineering.pk))
    office.fill("#id_academic_year", str(exchange["year"]))
    office.select_option("#id_semester", "autumn")
    office.fill("#id_opens_at", local_input(now - timedelta(hours=1)))
    office.fill("#id_closes_at", local_input(now + timedelta(days=14)))
    office.fill("#id_max_preferences", "2")
    office.fill("#id_min_grade", "3.0")
    office.fill("#id_grade_scale", "4")
    office.fill("#id_language", "en")
    office.select_option("#id_min_cefr", "B2")
    office.check("input[name=required_documents][value=transcript]")
    office.check("input[name=required_documents][value=language]")
    office.fill("#id_description_en", "One semester of study at a partner university.")
    submit(office, j.button(office.locator("main form.call-form"), "File the call"), re.compile(r"/edit/$"))
    succeeded(office)
    call = Call.objects.get(title_en=TITLE_EN)
    assert (call.state, call.unit, call.academic_year) == (CallState.DRAFT, org.engineering, exchange["year"])
    problems = office.locator("#call-problems")
    expect(problems).to_contain_text(j.t("Add at least one destination."))

    # Destinations come from the agreements' cooperation conditions, with the places they have left.
    destinations = office.locator("#call-destinations")
    for condition in exchange["conditions"]:
        expect(
            destinations.locator(f"#condition-choices tr[data-condition='{condition.pk}']")
        ).to_be_visible()
        destinations.locator("#id_destination-new-condition").select_option(str(condition.pk))
        destinations.locator("#id_destination-new-places").fill("1")
        swap(office, j.button(destinations, "Add the destination"))
        destinations = office.locator("#call-destinations")
        expect(destinations.locator(".message.success")).to_have_text(j.t("The destination was added."))
    expect(destinations.locator("tr[data-destination]")).to_have_count(2)
    expect(destinations).to_contain_text(second_name)

    criteria = [
        ("grades", "Grades", "成绩", "60", "grades"),
        ("motivation", "Motivation", "动机", "40", "reviewers"),
    ]
    for code, label_en, label_zh, weight, source in criteria:
        part = office.locator("#call-criteria")
        part.locator("#id_criterion-new-code").fill(code)
        part.locator("#id_criterion-new-label_en").fill(label_en)
        part.locator("#id_criterion-new-label_zh").fill(label_zh)
        part.locator("#id_criterion-new-weight").fill(weight)
        part.locator("#id_criterion-new-max_points").fill("10")
        part.locator("#id_criterion-new-source").select_option(source)
        swap(office, j.button(part, "Add the criterion"))
        expect(office.locator("#call-criteria .message.success")).to_have_text(
            j.t("The criterion was added.")
        )
    expect(office.locator("#call-criteria tr[data-criterion]")).to_have_count(2)

    part = office.locator("#call-questions")
    part.locator("#id_question-new-text_en").fill(QUESTION_EN)
    part.locator("#id_question-new-text_zh").fill(QUESTION_ZH)
    part.locator("#id_question-new-kind").select_option("text")
    swap(office, j.button(part, "Add the question"))
    expect(office.locator("#call-questions li[data-question]")).to_have_count(1)

    part = office.locator("#call-reviewers")
    pick(office, "reviewer-new-user", people.staff.username)
    swap(office, j.button(part, "Add the member"))
    expect(office.locator("#call-reviewers li[data-reviewer]")).to_have_count(1)

    expect(office.locator("#call-problems")).to_contain_text(
        j.t("Nothing is missing: the call can be opened on its page.")
    )
    open_link(office, office.locator("#call-problems a"), re.compile(rf"/calls/{call.pk}/(#.*)?$"))
    submit(office, j.button(office.locator("#call-moves"), "Open the call"))
    succeeded(office)
    expect(office.locator("#call-state")).to_have_text(j.t("Open for applications"))
    call.refresh_from_db()
    assert call.state == CallState.OPEN
    first_destination = call.destinations.get(partner=first)
    second_destination = call.destinations.get(partner=second)

    # A rival of the same department applied too and was pre-approved (their part of the journey is not the
    # point here): a better grade average, and only the first destination.
    rival = make_application(
        call,
        exchange["rival"],
        state=ApplicationState.PRE_APPROVED,
        preferences=[first_destination],
        grade_average=Decimal("3.90"),
        submitted_at=timezone.now(),
    )

    # --- the student applies in the student portal ----------------------------------------------------------
    student = new_page()
    portal_sign_in(student, exchange["student"].username, language, "/exchange/my/")
    j.heading(student, "My exchange")
    expect(student.locator("#calls h2")).to_have_text(j.t("Open calls"))
    call_title = TITLE_EN if language == "en" else TITLE_ZH
    open_link(
        student, student.locator("#calls a", has_text=call_title), re.compile(rf"/my/calls/{call.pk}/$")
    )
    expect(student.locator("#destinations")).to_contain_text(first_name)
    submit(
        student, j.button(student.locator("main .page-head"), "Apply"), re.compile(r"/my/applications/\d+/$")
    )
    application = Application.objects.get(call=call, student=exchange["student"])
    expect(student.locator("#todo h2")).to_have_text(j.t("To do before you submit"))
    expect(student.locator("#todo-list")).to_contain_text(j.t("Rank at least one destination."))

    # Ranked the wrong way round first, then put in order with the arrow button.
    student.select_option("#id_preference_1", str(second_destination.pk))
    student.select_option("#id_preference_2", str(first_destination.pk))
    student.locator("li[data-rank='1'] button[data-move=down]").click()
    expect(student.locator("#id_preference_1")).to_have_value(str(first_destination.pk))
    expect(student.locator("#id_preference_2")).to_have_value(str(second_destination.pk))
    student.fill("#id_programme", "Electrical Engineering")
    student.fill("#id_year_of_study", "2")
    student.fill("#id_grade_average", "3.60")
    student.select_option("#id_language", "en")
    student.select_option("#id_cefr_level", "C1")
    student.fill("#id_language_certificate", "IELTS 7.0")
    student.check("input[name=clean_record][value=yes]")
    student.fill("#id_motivation", MOTIVATION)
    question = call.questions.get()
    student.fill(f"#id_answer_{question.pk}", ANSWER)
    # The draft saves itself a moment after the changes; the to-do list then asks only for the documents.
    expect(student.locator("#autosave-status.saved")).to_be_visible(timeout=10000)
    expect(student.locator("#todo-list li")).to_have_count(2, timeout=10000)
    document = j.t("Upload the required document: %(document)s.")
    expect(student.locator("#todo-list li").first).to_have_text(
        document % {"document": j.t("Transcript of records")}
    )
    application.refresh_from_db()
    assert (application.motivation, application.grade_average) == (MOTIVATION, Decimal("3.60"))
    for kind, name in (("transcript", "transcript.pdf"), ("language", "ielts.pdf")):
        student.select_option("#id_upload-kind", kind)
        student.set_input_files("#id_upload-file", files=[upload(name, pdf_file(), "application/pdf")])
        submit(student, j.button(student.locator("#documents"), "Upload the document"))
        succeeded(student)
        expect(student.locator("#documents .file-list")).to_contain_text(name)
    expect(student.locator("#todo-complete")).to_be_visible()
    submit(student, j.button(student.locator("#application-form"), "Submit the application"))
    succeeded(student)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert list(application.preferences.order_by("rank").values_list("destination", flat=True)) == [
        first_destination.pk,
        second_destination.pk,
    ]
    assert application.answers == {str(question.pk): ANSWER}
    assert sorted(application.files.values_list("kind", flat=True)) == ["language", "transcript"]
    expect(student.locator("#summary")).to_contain_text(MOTIVATION)

    # The office closes applications.
    office.reload()
    submit(office, j.button(office.locator("#call-moves"), "Close applications"))
    succeeded(office)
    expect(office.locator("#call-state")).to_have_text(j.t("Closed: selection"))

    # --- the school pre-approves ----------------------------------------------------------------------------
    school = new_page()
    sign_in_as(school, people.coordinator.username, language)
    open_link(school, school.locator("nav.mainnav a[data-nav=mobility]"))
    section(school, "school")
    j.heading(school, "School pre-approval")
    row = school.locator(f"#queue-table tr[data-application='{application.number}']")
    expect(row).to_contain_text("李明")
    submit(school, j.button(row.locator("form[data-move=pre_approve]"), "Approve"))
    succeeded(school)
    expect(row).to_have_count(0)
    application.refresh_from_db()
    assert application.state == ApplicationState.PRE_APPROVED

    # --- a committee member scores both applications -----------------------------------------------------
    reviewer = new_page()
    sign_in_as(reviewer, people.staff.username, language)
    open_link(reviewer, reviewer.locator("nav.mainnav a[data-nav=mobility]"))
    section(reviewer, "reviews")
    j.heading(reviewer, "My reviews")
    for scored, points in ((application, "8"), (rival, "9")):
        open_link(
            reviewer,
            reviewer.locator(f"#review-table tr[data-application='{scored.number}'] a"),
            re.compile(rf"/applications/{scored.pk}/review/$"),
        )
        reviewer.fill("#id_points_motivation", points)
        reviewer.fill("#id_comment", "Clear plan of study.")
        submit(
            reviewer,
            j.button(reviewer.locator("#review-form"), "Submit the review"),
            re.compile(r"/reviews/$"),
        )
        succeeded(reviewer)
    expect(reviewer.locator("#review-table .badge.state-accepted")).to_have_count(2)

    # --- the office ranks, allocates and publishes ----------------------------------------------------------
    office.reload()
    open_link(office, office.locator("#call-links a[data-link=ranking]"), re.compile(r"/ranking/$"))
    j.heading(office, "Ranking")
    submit(office, j.button(office.locator("main .page-head"), "Compute the ranking"))
    succeeded(office)
    # Rival: 3.9/4 × 60 + 9/10 × 40 = 94.5; the student: 3.6/4 × 60 + 8/10 × 40 = 86.
    expect(office.locator(f"#ranking-table tr[data-application='{rival.number}'] td").first).to_have_text("1")
    expect(
        office.locator(f"#ranking-table tr[data-application='{application.number}'] td").first
    ).to_have_text("2")
    open_link(office, office.locator("main .page-head a[href$='/allocation/']"), re.compile(r"/allocation/$"))
    j.heading(office, "Allocation of places")
    submit(office, j.button(office.locator("main .page-head"), "Allocate the places"))
    succeeded(office)
    expect(office.locator("#fill-table tbody tr")).to_have_count(2)
    application.refresh_from_db()
    assert application.state == ApplicationState.OFFERED and application.offered == second_destination
    open_link(
        office, office.locator(f"main a[href='/exchange/calls/{call.pk}/']"), re.compile(r"/calls/\d+/$")
    )
    submit(office, j.button(office.locator("#call-moves"), "Publish the results (publicity)"))
    succeeded(office)
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED and call.publicity_ends_on is not None

    # --- the student reads why and accepts the place --------------------------------------------------------
    student.goto("/exchange/my/")
    offers = student.locator("#offers")
    expect(offers.locator("h2")).to_have_text(j.t("Places offered to you"))
    expect(offers).to_contain_text(second_name)
    open_link(
        student,
        offers.get_by_role("link", name=j.t("Answer the offer")),
        re.compile(rf"/my/applications/{application.pk}/#offer$"),
    )
    why = student.locator("#allocation li")
    expect(why).to_have_count(2)
    taken = translated(
        "Preference %(n)s: the places at %(destination)s went to higher-ranked applicants (last place: rank "
        "%(rank)s).",
        language,
    ) % {"n": 1, "destination": first_name, "rank": 1}
    offered = translated("Preference %(n)s: you were offered a place at %(destination)s.", language) % {
        "n": 2,
        "destination": second_name,
    }
    expect(why.nth(0)).to_have_text(taken)
    expect(why.nth(1)).to_have_text(offered)
    submit(student, j.button(student.locator("#offer"), "Accept the place"))
    succeeded(student)
    application.refresh_from_db()
    assert application.state == ApplicationState.ACCEPTED

    # --- the office nominates the student to the partner after the publicity --------------------------------
    # The publicity period (five working days) cannot be shortened in the interface: it ended yesterday.
    Call.objects.filter(pk=call.pk).update(publicity_ends_on=timezone.localdate() - timedelta(days=1))
    office.reload()
    open_link(office, office.locator("#call-links a[data-link=nominate]"), re.compile(r"/nominate/$"))
    group = office.locator(f"#partner-{second.pk}")
    expect(group).to_contain_text(application.number)
    nominate = group.locator("form button[type=submit]")
    expect(nominate).to_have_text(j.t("Nominate all for %(partner)s") % {"partner": second_name})
    submit(office, nominate, re.compile(r"/nominate/$"))
    succeeded(office)
    mobility = Mobility.objects.get(person=exchange["student"].person)
    assert (mobility.state, mobility.partner, mobility.home_unit) == (
        MobilityState.NOMINATED,
        second,
        org.computing,
    )
    expect(office.locator(f"#partner-{second.pk} #mobility-{mobility.pk}")).to_be_visible()

    # --- the partner's coordinator accepts the nomination in the partner portal -----------------------------
    partner = new_page()
    portal_sign_in(partner, exchange["contact"].username, language, "/exchange/partner/")
    expect(partner.locator("main h1")).to_have_text(second_name)
    expect(partner.locator("#waiting h2")).to_have_text(j.t("Our nominations waiting for your decision"))
    open_link(
        partner,
        partner.locator(f"#waiting-{mobility.pk} a"),
        re.compile(rf"/partner/mobilities/{mobility.pk}/$"),
    )
    expect(partner.locator("#student")).to_contain_text("LI Ming")
    submit(partner, j.button(partner.locator("#decision"), "Accept the student"))
    succeeded(partner)
    expect(partner.locator("#mobility-state")).to_have_text(j.t("Accepted"))
    mobility.refresh_from_db()
    assert mobility.state == MobilityState.ACCEPTED

    # --- the learning agreement: the student, the home coordinator, the partner's coordinator ---------------
    student.goto("/exchange/my/")
    expect(student.locator("#mobilities h2")).to_have_text(j.t("My mobilities"))
    open_link(
        student, student.locator("#mobilities a", has_text=second_name), re.compile(r"/mobilities/\d+/$")
    )
    submit(
        student,
        j.button(student.locator("#mobility-learning"), "Start the learning agreement"),
        re.compile(r"/learning-agreements/\d+/courses/$"),
    )
    j.heading(student, "Courses of the learning agreement")
    student.fill("#id_rows-0-receiving_code", COURSE_CODE)
    student.fill("#id_rows-0-receiving_title", COURSE_TITLE)
    student.fill("#id_rows-0-receiving_credits", "6")
    student.select_option("#id_rows-0-receiving_credit_system", "ects")
    student.fill("#id_rows-0-sending_code", HOME_CODE)
    student.fill("#id_rows-0-sending_title", HOME_TITLE)
    student.fill("#id_rows-0-sending_credits", "3")
    submit(student, j.button(student.locator("#la-course-form"), "Save the courses"), re.compile(r"/\d+/$"))
    succeeded(student)
    la = LearningAgreement.objects.get(mobility=mobility)
    expect(student.locator("#la-rows")).to_contain_text(COURSE_TITLE)
    submit(student, j.button(student.locator("#la-actions"), "Sign and send for approval"))
    succeeded(student)
    expect(student.locator("#la-state")).to_have_text(j.t("Signed by the student, awaiting the coordinators"))

    section(school, "mobilities")
    open_link(school, school.locator(f"a[href='/exchange/mobilities/{mobility.pk}/']").first)
    open_link(school, school.locator(f"#mobility-learning a[href='/exchange/learning-agreements/{la.pk}/']"))
    approve = school.locator("#la-sign button")
    expect(approve).to_have_text(j.t("Approve for the %(party)s institution") % {"party": j.t("sending")})
    submit(school, approve)
    succeeded(school)
    expect(school.locator("#la-signed")).to_be_visible()

    partner.goto("/exchange/partner/")
    open_link(partner, partner.locator(f"#la-{la.pk} a"), re.compile(rf"/learning-agreements/{la.pk}/$"))
    expect(partner.locator("nav.subnav.mobility-subnav")).to_have_count(0)  # the portal's frame
    approve = partner.locator("#la-sign button")
    expect(approve).to_have_text(j.t("Approve for the %(party)s institution") % {"party": j.t("receiving")})
    submit(partner, approve)
    succeeded(partner)
    expect(partner.locator(".message.success")).to_have_text(
        j.t("Approved. All three parties have signed: the agreement is in force.")
    )
    expect(partner.locator("#la-state")).to_have_text(j.t("Approved by all three parties"))
    la.refresh_from_db()
    assert la.state == LearningAgreementState.APPROVED
    assert None not in (la.student_signed_at, la.sending_signed_at, la.receiving_signed_at)

    # --- departure and return -------------------------------------------------------------------------------
    office.goto(f"/exchange/mobilities/{mobility.pk}/")
    departed = timezone.localdate() - timedelta(days=120)
    returned = timezone.localdate() - timedelta(days=2)
    move = office.locator("#lifecycle form[data-move=start]")
    move.locator("input[name=actual_start]").fill(departed.isoformat())
    submit(office, j.button(move, "Record the departure or arrival"))
    succeeded(office)
    expect(office.locator("#mobility-state")).to_have_text(j.t("In mobility"))
    move = office.locator("#lifecycle form[data-move=end]")
    move.locator("input[name=actual_end]").fill(returned.isoformat())
    submit(office, j.button(move, "Record the end of the stay"))
    succeeded(office)
    mobility.refresh_from_db()
    assert (mobility.state, mobility.actual_start, mobility.actual_end) == (
        MobilityState.RETURNED,
        departed,
        returned,
    )

    # --- transcript, grade conversion, recognition, export --------------------------------------------------
    open_link(
        office, office.locator("#mobility-learning a[href$='/recognition/']"), re.compile(r"/recognition/$")
    )
    j.heading(office, "Transcript and recognition")
    submit(
        office, j.button(office.locator("#recognition-tools"), "Take the courses from the learning agreement")
    )
    succeeded(office)
    expect(office.locator("#id_results-0-partner_title")).to_have_value(COURSE_TITLE)
    expect(office.locator("#id_results-0-home_title")).to_have_value(HOME_TITLE)
    office.fill("#id_results-0-partner_grade", PARTNER_GRADE)
    submit(office, j.button(office.locator("#recognition-form"), "Save"))
    submit(office, j.button(office.locator("#recognition-tools"), "Convert the grades"))
    expect(office.locator("#id_results-0-converted_grade")).to_have_value(HOME_GRADE)
    office.select_option("#id_results-0-decision", "recognised")
    submit(office, j.button(office.locator("#recognition-form"), "Save"))
    succeeded(office)
    result = mobility.results.get()
    assert (result.partner_grade, result.converted_grade, result.decision) == (
        PARTNER_GRADE,
        HOME_GRADE,
        "recognised",
    )
    assert result.decided_by == people.officer

    exported = download(office, office.locator("#export-csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][:2] == [j.t("Student number"), j.t("Name")], rows[0]
    assert len(rows) == 2, rows
    record = rows[1]
    for expected in (HOME_CODE, HOME_TITLE, HOME_GRADE, COURSE_TITLE, PARTNER_GRADE, j.t("Recognised")):
        assert any(expected in cell for cell in record), (expected, record)

    open_link(
        office, office.locator("main .page-head a", has_text=j.t("The mobility")), re.compile(r"/\d+/$")
    )
    submit(office, j.button(office.locator("#lifecycle"), "Complete (transcript and recognition done)"))
    succeeded(office)
    mobility.refresh_from_db()
    assert mobility.state == MobilityState.COMPLETED

    # --- on a phone the portal pages fit the screen ---------------------------------------------------------
    phone = new_page(viewport={"width": 390, "height": 844})
    portal_sign_in(phone, exchange["student"].username, language, "/exchange/my/")
    for path in (
        "/exchange/my/",
        f"/exchange/my/applications/{application.pk}/",
        f"/exchange/mobilities/{mobility.pk}/",
    ):
        phone.goto(path)
        expect(phone.locator("main h1")).to_be_visible()
        no_horizontal_overflow(phone)
    phone = new_page(viewport={"width": 390, "height": 844})
    portal_sign_in(phone, exchange["contact"].username, language, "/exchange/partner/")
    for path in (
        "/exchange/partner/",
        f"/exchange/partner/mobilities/{mobility.pk}/",
        f"/exchange/learning-agreements/{la.pk}/",
        "/exchange/partner/factsheet/",
    ):
        phone.goto(path)
        expect(phone.locator("main h1")).to_be_visible()
        no_horizontal_overflow(phone)
