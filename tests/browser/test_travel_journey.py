"""An official trip abroad from the application to its closure, in English and in Simplified Chinese.

The School of Engineering's foreign-affairs secretary files a conference trip for a lecturer of its Department
of Computing and watches the rule pack answer live (the trip leaves too soon: the lead-time rule asks for a
written justification, with its source); the secretary saves it and publishes the publicity notice (公示),
which the notice board shows. Once the notice has run the secretary submits the trip; the dean and the
International Office approve their steps from their inboxes; the officer records the external approval (批件)
with its scan, generates the personnel approval form and the task-and-budget form, downloads them and the
reimbursement pack and reads the PDFs back with their Chinese text, then issues the lecturer's official
passport from the passport register. The trip departs and returns; the passport comes back to the register;
the lecturer writes the trip report with three photos and submits it; the office accepts it; the after-return
notice runs; the officer closes the trip.

Time has to pass between some steps (the notice's working days, the departure and return dates). Those steps
run through the same services the daily jobs call, with their date arguments (``notices_complete_due``,
``trips_depart_due``, ``casework.evaluation_date``); every step a person takes happens in the browser.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from meridian.accounts.choices import Role, UnitKind
from meridian.accounts.services import membership_grant, user_create
from meridian.documents.tests.helpers import pdf_reader, pdf_text
from meridian.people.choices import DocumentType, Gender, PersonKind
from meridian.people.tests.factories import IdentityDocumentFactory, make_person
from meridian.reference.tests.factories import country
from meridian.travel.casework import evaluation_date
from meridian.travel.models import PublicityNotice, Trip
from meridian.travel.services import custody as custody_services
from meridian.travel.services import publicity
from meridian.travel.services import trips as trip_services
from meridian.workflow.chains import unit_post_add
from meridian.workflow.services import chain_create
from tests.browser.helpers import HAN, follow, switch_language, translated

DEAN_STEP = "Dean of the school"
OFFICE_STEP = "International Office review"
STEPS = [
    {"order": 1, "label": DEAN_STEP, "assignee_kind": "unit_leader"},
    {"order": 2, "label": OFFICE_STEP, "assignee_kind": "international_office"},
]
TITLE = "Paper at the International Conference on Learning Representations"
PAPER = "Graph neural networks for power-grid faults"
JUSTIFICATION = "The paper was accepted only last week; the conference dates are fixed."
APPROVAL_NUMBER = "粤外办批〔2025〕188号"
LECTURER_ZH = "李明"
LECTURER_LATIN = "LI Ming"


# --- files ------------------------------------------------------------------------------------------------


def pdf_file(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_file(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


# --- steps ------------------------------------------------------------------------------------------------


def sign_in(page: Page, username: str, language: str) -> None:
    """Sign in through the login form, land on the dashboard (or the inbox, for staff) and choose the
    interface language."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url=re.compile(r"/(dashboard|inbox)/$")):
        page.click("main form button[type=submit]")
    if language != "en":
        switch_language(page, language)


def state_badge(page: Page):
    return page.locator(".page-head .badge[class*='state-']")


def expect_state(page: Page, state: str, label: str, language: str) -> None:
    expect(state_badge(page)).to_have_class(re.compile(rf"\bstate-{state}\b"))
    expect(state_badge(page)).to_have_text(translated(label, language))


def expect_success(page: Page) -> None:
    """The page says the last action worked (and no error message is shown)."""
    expect(page.locator(".message.error")).to_have_count(0)
    expect(page.locator(".message.success")).to_have_count(1)


def move(page: Page, trip: Trip, name: str, comment: str = "") -> None:
    """Take a lifecycle move from the trip page's lifecycle panel."""
    form = page.locator(f"#lifecycle form[data-move={name}]")
    expect(form).to_have_count(1)
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    with page.expect_navigation(url=re.compile(rf"/travel/{trip.pk}/")):
        form.locator("button[type=submit]").click()
    expect_success(page)


def unavailable(page: Page, name: str):
    """A move shown disabled with the reasons it is not possible yet."""
    block = page.locator(f"#lifecycle .move-unavailable[data-move={name}]")
    expect(block.locator("button[disabled]")).to_have_count(1)
    return block.locator(f"#why-{name}")


def open_from_inbox(page: Page, trip: Trip, step: str) -> None:
    inbox = page.locator("nav.mainnav a[data-nav=inbox]")
    expect(inbox.locator(".badge.count")).to_have_text("1")
    follow(page, inbox, re.compile(r"/inbox/"))
    row = page.locator("table.inbox tbody tr", has_text=trip.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(step)
    follow(page, row.locator("a").first, re.compile(rf"/travel/{trip.pk}/$"))


def approve_step(page: Page, step: str, comment: str) -> None:
    mine = page.locator("#case-approval li[data-state=open]", has_text=step)
    form = mine.locator("form[data-step-action=approve]")
    form.locator("textarea[name=comment]").fill(comment)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def download(page: Page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    assert path is not None, info.value.failure()
    return Path(path).read_bytes()


def generate_and_download(page: Page, trip: Trip, code: str) -> bytes:
    """Generate a form from the documents panel (one button per output language; there is one here), then
    download its newest file from the same row."""
    row = page.locator("#trip-documents tbody tr").filter(
        has=page.locator(f"input[name=template][value='{code}']")
    )
    expect(row).to_have_count(1)
    buttons = row.locator("form button[type=submit]")
    expect(buttons).to_have_count(1)
    with page.expect_navigation(url=re.compile(rf"/travel/{trip.pk}/")):
        buttons.click()
    expect_success(page)
    link = row.locator("a[href*='/download/']")
    expect(link).to_have_count(1)
    data = download(page, link)
    assert data.startswith(b"%PDF-"), data[:20]
    return data


def rule_check_settled(page: Page) -> None:
    """Wait until the live rule check has answered the last change: htmx waits 700 ms after a change before
    it asks (``hx-trigger … delay:700ms``) and marks the panel with ``htmx-request`` while it asks."""
    page.wait_for_timeout(800)
    expect(page.locator("#trip-rules.htmx-request")).to_have_count(0)


def complete_notices(trip: Trip, phase: str) -> PublicityNotice:
    """The daily job, run on the first day after the notice's last working day."""
    notice = trip.notices.get(phase=phase, state="running")
    assert publicity.notices_complete_due(today=notice.ends_on + timedelta(days=1)) == 1
    notice.refresh_from_db()
    assert notice.state == "completed"
    return notice


# --- the cast and the case ------------------------------------------------------------------------------


@pytest.fixture
def journey(org, people):
    """The lecturer (a staff member of Computing, under Engineering) with a person record and an official
    passport in the office's custody; the School of Engineering's dean; a two-step chain for trips."""
    germany = country("DE", "Germany", "德国", alpha3="DEU", region_code="150")
    china = country("CN", "China", "中国", alpha3="CHN", region_code="142")
    lecturer = make_person(
        kind=PersonKind.STAFF,
        unit=org.computing,
        family_name="Li",
        given_name="Ming",
        name_zh=LECTURER_ZH,
        gender=Gender.MALE,
        birth_date=date(1982, 6, 3),
        user=people.staff,
    )
    IdentityDocumentFactory(
        person=lecturer,
        kind=DocumentType.OFFICIAL_PASSPORT,
        number="SE1234567",
        issuing_country=china,
        issue_date=date(2022, 1, 10),
        expiry_date=timezone.localdate() + timedelta(days=3650),
    )
    passport = lecturer.documents.get()
    item = custody_services.custody_register(document=passport, actor=people.officer, location="Safe A")
    dean = user_create(username="dean", email="dean@meridian.example", password=PASSWORD)
    membership_grant(user=dean, unit=org.engineering, role=Role.STAFF)
    unit_post_add(actor=people.admin, unit=org.engineering, user=dean, post="leader")
    chain_create(actor=people.admin, case_type="trip", name="Official trips", steps=STEPS)
    assert org.computing.parent_id == org.engineering.pk and org.engineering.kind == UnitKind.SCHOOL
    return {"lecturer": lecturer, "item": item, "dean": dean, "germany": germany}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db(transaction=True)
def test_secretary_files_a_conference_trip_that_runs_to_its_closure(new_page, org, people, journey, language):
    lecturer = journey["lecturer"]
    germany = journey["germany"]
    today = timezone.localdate()
    # Five days ahead: inside the passport issue window (7 days) and far too soon for a Schengen country
    # (60 days), so the lead-time rule asks for a written justification.
    depart, back = today + timedelta(days=5), today + timedelta(days=9)

    # --- the secretary fills in the application; the rules answer as the form is filled ---------------------
    secretary = new_page()
    sign_in(secretary, people.coordinator.username, language)
    secretary.goto("/travel/new/")
    expect(secretary.locator("#trip-form")).to_be_visible()
    secretary.fill("#id_title", TITLE)
    secretary.select_option("#id_applicant", str(people.staff.pk))
    secretary.select_option("#id_unit", str(org.computing.pk))
    secretary.select_option("#id_region", "abroad")
    secretary.select_option("#id_delegation_kind", "academic")
    secretary.select_option("#id_purpose", "conference")
    secretary.fill("#id_depart_on", depart.isoformat())
    secretary.fill("#id_return_on", back.isoformat())
    secretary.fill("#id_conference_name", "International Conference on Learning Representations")
    secretary.fill("#id_paper_title", PAPER)
    secretary.fill("#id_task", "Present the accepted paper and meet the Munich group.")
    secretary.fill("#id_inviter_name", "Technische Universität München")
    expect(secretary.locator("#id_inviter_is_counterpart")).to_be_checked()

    secretary.select_option("#id_members-0-person", str(lecturer.pk))
    secretary.select_option("#id_members-0-role", "leader")
    secretary.fill("#id_members-0-post", "Associate professor")

    days = [
        (depart, "Munich", "Arrival"),
        (depart + timedelta(days=1), "Munich", "Conference"),
        (back, "Munich", ""),
    ]
    add_day = secretary.locator("button[data-add-row=itinerary]")
    for index, (day, city, activity) in enumerate(days):
        if index:
            add_day.click()  # the row is cloned in place (JavaScript), not by reloading the page
        secretary.fill(f"#id_itinerary-{index}-day", day.isoformat())
        secretary.select_option(f"#id_itinerary-{index}-country", str(germany.pk))
        secretary.fill(f"#id_itinerary-{index}-city", city)
        secretary.fill(f"#id_itinerary-{index}-activity", activity)
    expect(secretary.locator("#itinerary-rows .formset-row")).to_have_count(3)
    expect(secretary.locator("#id_itinerary-TOTAL_FORMS")).to_have_value("3")

    secretary.select_option("#id_budget-0-kind", "travel")
    secretary.fill("#id_budget-0-currency", "CNY")
    secretary.fill("#id_budget-0-amount", "9000")
    secretary.locator("button[data-add-row=budget]").click()
    secretary.select_option("#id_budget-1-kind", "registration")
    secretary.fill("#id_budget-1-currency", "EUR")
    secretary.fill("#id_budget-1-amount", "450")
    secretary.select_option("#id_funding_source", "unit_budget")
    secretary.set_input_files(
        "#id_invitation", files=[upload("invitation.pdf", pdf_file(), "application/pdf")]
    )

    rules = secretary.locator("#trip-rules")
    lead_time = rules.locator("#rule-lead_time")
    expect(lead_time).to_have_attribute("data-outcome", "fail")
    expect(lead_time).to_have_attribute("data-severity", "justify")
    expect(lead_time.locator("p").first).to_contain_text("60")  # the Schengen lead time, in days
    source = translated("University rule: application lead times by destination", language)
    expect(lead_time).to_contain_text(source)
    expect(lead_time).to_contain_text(translated("A written justification is needed.", language))
    expect(rules.locator("[role=status]")).to_contain_text(re.compile(r"\b1\b"))
    if language != "en":
        assert HAN.search(lead_time.inner_text()), lead_time.inner_text()
    # The rules that pass say so too, e.g. the conference trip names its paper.
    expect(rules.locator("#rule-conference_paper")).to_have_attribute("data-outcome", "pass")

    # The justification box of that rule; the next check takes it into account.
    rule_check_settled(secretary)  # a late answer would replace the box while it is being filled in
    secretary.fill("#justification-lead_time", JUSTIFICATION)
    with secretary.expect_response(lambda response: response.url.endswith("/travel/check/")) as checked:
        secretary.fill("#id_funding_note", "ENG-2025-17")
        secretary.locator("#id_funding_note").press("Tab")
    assert checked.value.ok
    expect(lead_time).to_contain_text(JUSTIFICATION)
    expect(rules.locator("[role=status]")).to_contain_text(translated("No rule stops the trip.", language))

    follow(secretary, secretary.locator("#trip-form button[name=save]"), re.compile(r"/travel/\d+/$"))
    expect_success(secretary)
    trip = Trip.objects.get(title=TITLE)
    assert (trip.applicant, trip.created_by, trip.unit) == (people.staff, people.coordinator, org.computing)
    assert trip.itinerary.count() == 3 and trip.budget_lines.count() == 2
    assert trip.justifications == {"lead_time": JUSTIFICATION}
    expect_state(secretary, "draft", "Draft", language)
    filed_by = translated("filed on their behalf by %(who)s", language) % {"who": people.coordinator.username}
    expect(secretary.locator("#summary")).to_contain_text(filed_by)
    expect(secretary.locator("#delegation")).to_contain_text(LECTURER_ZH)
    expect(secretary.locator("#files")).to_contain_text("invitation.pdf")
    # The stored check ran again once the letter was attached: the trip page does not ask for it any more.
    expect(secretary.locator("#rules #rule-counterpart_invitation")).to_have_attribute("data-outcome", "pass")
    stored = secretary.locator("#rules #rule-lead_time")
    expect(stored).to_contain_text(JUSTIFICATION)
    expect(stored).to_contain_text(source)

    # --- the publicity notice -----------------------------------------------------------------------------
    move(secretary, trip, "start_publicity")
    expect_state(secretary, "publicity", "Publicity notice running", language)
    notice = trip.notices.get()
    # Submitting waits until the notice has run, and the page says until when.
    expect(unavailable(secretary, "submit")).to_contain_text(notice.ends_on.isoformat())

    secretary.goto("/travel/notices/")
    board_row = secretary.locator("#notice-board tbody tr", has_text=trip.number)
    expect(board_row).to_have_count(1)
    follow(secretary, board_row.locator("a"), re.compile(rf"/travel/notices/{notice.pk}/$"))
    text = secretary.locator(".notice-text")
    expect(text).to_have_attribute("lang", "en" if language == "en" else "zh-Hans")
    expect(text).to_contain_text(trip.number)
    expect(text).to_contain_text(LECTURER_ZH)
    expect(text).to_contain_text(PAPER)
    expect(secretary.locator("[data-notice-state]")).to_have_attribute("data-notice-state", "running")

    # Five working days later the daily job completes it: no objection was raised.
    complete_notices(trip, "before")
    secretary.reload()
    expect(secretary.locator("[data-notice-state]")).to_have_attribute("data-notice-state", "completed")
    expect(secretary.locator("#notice-outcome")).to_be_visible()

    # --- submission and the approval chain ---------------------------------------------------------------
    secretary.goto(f"/travel/{trip.pk}/")
    expect(secretary.locator(f"#publicity tr[data-notice='{notice.pk}'] .badge")).to_have_class(
        re.compile(r"\bstate-completed\b")
    )
    acting = translated(
        "You act on behalf of the applicant, %(person)s, as a secretary of the unit.", language
    )
    expect(secretary.locator("#lifecycle")).to_contain_text(acting % {"person": people.staff.username})
    move(secretary, trip, "submit", "Filed for Dr Li, who is at a workshop.")
    expect_state(secretary, "under_review", "Under approval", language)
    expect(secretary.locator("#case-approval li[data-state=open]")).to_contain_text(DEAN_STEP)

    dean = new_page()
    sign_in(dean, journey["dean"].username, language)
    open_from_inbox(dean, trip, DEAN_STEP)
    approve_step(dean, DEAN_STEP, "The school supports the trip.")
    expect(dean.locator("#case-approval li[data-state=open]")).to_contain_text(OFFICE_STEP)

    officer = new_page()
    sign_in(officer, people.officer.username, language)
    open_from_inbox(officer, trip, OFFICE_STEP)
    approve_step(officer, OFFICE_STEP, "In order.")
    expect_state(officer, "approved", "Approved by the university", language)
    expect(officer.locator("#case-approval li[data-state=open]")).to_have_count(0)
    trip.refresh_from_db()
    assert trip.approved_snapshot

    # --- the external approval (批件) -------------------------------------------------------------------
    follow(
        officer,
        officer.locator(f"#external-approval a[href$='/travel/{trip.pk}/external-approval/']"),
        re.compile(r"/external-approval/$"),
    )
    expect(
        officer.locator(f"#external-form input[name=approved_people][value='{lecturer.pk}']")
    ).to_be_checked()
    expect(officer.locator("#id_approved_itinerary")).to_have_value(re.compile("Munich"))
    officer.fill("#id_document_number", APPROVAL_NUMBER)
    officer.fill("#id_issued_on", today.isoformat())
    officer.fill("#id_authority", "广东省人民政府外事办公室")
    officer.set_input_files("#id_scan", files=[upload("pijian.pdf", pdf_file(), "application/pdf")])
    follow(
        officer, officer.locator("#external-form button[type=submit]"), re.compile(rf"/travel/{trip.pk}/$")
    )
    expect_success(officer)
    expect_state(officer, "authorised", "Externally approved", language)
    expect(officer.locator("#external-approval [data-document-number]")).to_have_text(APPROVAL_NUMBER)
    expect(officer.locator("#external-approval")).to_contain_text("pijian.pdf")

    # --- the forms, downloaded as PDF and read back -------------------------------------------------------
    form = pdf_text(generate_and_download(officer, trip, "trip-personnel-approval"))
    for expected in ("出国(境)人员审批表", LECTURER_ZH, LECTURER_LATIN, "计算机系", "子午线大学", "德国"):
        assert expected in form, (expected, form[:600])
    assert trip.number in form and APPROVAL_NUMBER in form and PAPER in form
    assert DEAN_STEP in form and OFFICE_STEP in form  # the approval steps as decided
    budget_form = pdf_text(generate_and_download(officer, trip, "trip-task-budget"))
    for expected in (
        "因公临时出国任务和预算审批意见表",
        LECTURER_ZH,
        "计算机系",
        "9,000.00",
        "450.00",
        "EUR",
    ):
        assert expected in budget_form, (expected, budget_form[:600])
    pack = officer.locator("#trip-documents a[href$='/reimbursement-pack.pdf']")
    pack_data = download(officer, pack)
    form_pages = len(pdf_reader(generate_and_download(officer, trip, "trip-personnel-approval")).pages)
    assert len(pdf_reader(pack_data).pages) == form_pages + 1  # the form, then the scan of the 批件
    assert "出国(境)人员审批表" in pdf_text(pack_data)

    # --- the passport is issued from the register -------------------------------------------------------
    expect(officer.locator("#custody")).to_contain_text(LECTURER_ZH)
    follow(officer, officer.locator("#custody a[href$='/travel/passports/']"), re.compile(r"/passports/$"))
    register_row = officer.locator("#results tbody tr", has_text=LECTURER_ZH)
    expect(register_row).to_have_count(1)
    expect(register_row.locator(".badge")).to_have_class(re.compile(r"\bstate-in_custody\b"))
    item_url = re.compile(rf"/travel/passports/{journey['item'].pk}/$")
    follow(officer, register_row.locator("a").first, item_url)
    issue = officer.locator("form[action$='/issue/']")
    expect(issue.locator("select[name=trip] option:checked")).to_contain_text(trip.number)
    expect(issue.locator("input[name=on]")).to_have_value(today.isoformat())
    follow(officer, issue.locator("button[type=submit]"), item_url)
    expect_success(officer)
    expect(state_badge(officer)).to_have_class(re.compile(r"\bstate-issued\b"))
    due_back = (back + timedelta(days=7)).isoformat()
    expect(officer.locator("main")).to_contain_text(due_back)

    # --- departure and return (the daily job on the departure day; the return recorded after it) --------
    assert trip_services.trips_depart_due(today=depart) == 1
    with evaluation_date(back), translation.override(language):  # the lecturer records the return
        trip_services.trip_move(trip=Trip.objects.get(pk=trip.pk), actor=people.staff, move="come_back")
    trip.refresh_from_db()
    assert (trip.state, trip.departed_on, trip.returned_on) == ("returned", depart, back)

    # The passport comes back to the office.
    officer.goto("/travel/passports/")
    register_row = officer.locator("#results tbody tr", has_text=trip.number)
    expect(register_row.locator(".badge")).to_have_class(re.compile(r"\bstate-issued\b"))
    follow(officer, register_row.locator("a").first, item_url)
    give_back = officer.locator("form[action$='/return/']")
    give_back.locator("input[name=note]").fill("Back from Munich, stamps checked.")
    follow(officer, give_back.locator("button[type=submit]"), item_url)
    expect_success(officer)
    expect(state_badge(officer)).to_have_class(re.compile(r"\bstate-in_custody\b"))

    # --- the lecturer writes the trip report with three photos -------------------------------------------
    lecturer_page = new_page()
    sign_in(lecturer_page, people.staff.username, language)
    lecturer_page.goto(f"/travel/{trip.pk}/")
    expect_state(lecturer_page, "returned", "Returned", language)
    expect(lecturer_page.locator("#report .badge")).to_have_class(re.compile(r"\bstate-draft\b"))
    report_url = re.compile(rf"/travel/{trip.pk}/report/(#\w+)?$")
    follow(lecturer_page, lecturer_page.locator("#report a[href$='/report/']"), report_url)
    expect(lecturer_page.locator("#id_members")).to_have_value(re.compile(LECTURER_ZH))
    colours = [(200, 30, 30), (30, 160, 60), (30, 60, 200)]
    for n, colour in enumerate(colours, start=1):
        photo_form = lecturer_page.locator("form[action$='/report/photos/']")
        photo_form.locator("input[name=file]").set_input_files(
            files=[upload(f"photo-{n}.png", png_file(colour), "image/png")]
        )
        photo_form.locator("input[name=caption]").fill(f"Munich, day {n}")
        follow(lecturer_page, photo_form.locator("button[type=submit]"), report_url)
        expect_success(lecturer_page)
        expect(lecturer_page.locator("#photos img")).to_have_count(n)
    lecturer_page.fill("#id_tasks_done", "Presented the paper; chaired a session on graph learning.")
    lecturer_page.fill("#id_outcomes", "Agreed a joint proposal with the Munich group.")
    lecturer_page.check("#id_passport_returned")
    lecturer_page.fill("#id_discipline", "All rules on official travel were observed.")
    lecturer_page.fill("#id_costs", "12800")
    lecturer_page.fill("#id_paid_by", "Unit budget of the Department of Computing.")
    lecturer_page.fill("#id_follow_up", "Visit of the Munich group next spring.")
    follow(lecturer_page, lecturer_page.locator("#sections button[name=submit]"), report_url)
    expect_success(lecturer_page)
    expect(lecturer_page.locator(".page-head .badge")).to_have_class(re.compile(r"\bstate-submitted\b"))

    # The office accepts it.
    officer.goto(f"/travel/{trip.pk}/report/")
    expect(officer.locator("#photos img")).to_have_count(3)
    follow(officer, officer.locator("form[action$='/report/accept/'] button"), report_url)
    expect_success(officer)
    expect(officer.locator(".page-head .badge")).to_have_class(re.compile(r"\bstate-accepted\b"))

    # --- the after-return notice, then the trip is closed --------------------------------------------------
    officer.goto(f"/travel/{trip.pk}/")
    why_not = unavailable(officer, "close")
    expect(why_not).to_contain_text(
        translated("The after-return publicity notice has not run yet.", language)
    )
    expect(why_not.locator("li")).to_have_count(1)  # the report is accepted and the passport is back

    secretary.goto(f"/travel/{trip.pk}/")
    expect(secretary.locator("#publicity [data-after-due]")).to_have_attribute(
        "data-after-due", (back + timedelta(days=30)).isoformat()
    )
    follow(secretary, secretary.locator("#publish-after button"), re.compile(r"/travel/notices/\d+/$"))
    expect_success(secretary)
    expect(secretary.locator("[data-notice-state]")).to_have_attribute("data-notice-state", "running")
    complete_notices(trip, "after")

    officer.reload()
    move(officer, trip, "close", "Everything is filed.")
    expect_state(officer, "closed", "Closed", language)
    expect(officer.locator("#lifecycle form[data-move]")).to_have_count(0)
    expect(officer.locator("#lifecycle")).to_contain_text(
        translated("There is nothing for you to do on this trip now.", language)
    )
    actions = officer.locator("#history [data-action]").evaluate_all(
        "items => items.map(i => i.dataset.action)"
    )
    for expected in ("start_publicity", "submit", "approve", "authorise", "depart", "come_back", "close"):
        assert expected in actions, actions
    trip.refresh_from_db()
    assert trip.state == "closed"
    assert trip.custody_items.get().state == "in_custody"
    assert trip.report.state == "accepted" and trip.report.photos.count() == 3
