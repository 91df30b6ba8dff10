"""A visiting scholar's visit from filing to its closure, in English and in Simplified Chinese.

The School of Engineering's foreign-affairs secretary files, for a lecturer of its Department of Computing, a
visiting-scholar visit of a professor of a partner university (programme, budget, a visa invitation by the
university's letter) and sends the guest their personal self-service link. The guest, who has no account,
opens it in a browser of their own, reads the consent statement (PIPL) and fills in the bilingual form:
passport with its scan, photo, a CV covering the last ten years, itinerary and needs; on a phone the form fits
the screen. The secretary reads the rule checks on the visit page — passport, CV and itinerary now pass, the
lead time does not (a visit with a visa invitation is filed two months ahead) — writes the justification and
submits. The dean and the International Office approve from their inboxes; the office locks the guest's data
and issues the invitation. The invitation letters (English and Chinese) are downloaded and read back with the
guest's names in both scripts and the passport number; the QR address printed on the letter opens the public
verification page, which confirms the letter without showing the passport number. The secretary records that
the visa is granted; the guest arrives; the accommodation registration with the police is due within 24 hours
and shows on the visit page, the registrations list and the deadlines page; the secretary records it. The
guest leaves, the secretary writes the visit note and closes the visit, which then shows on the partner's
page with its outcomes.

The guest's arrival has to wait for the visit's arrival date: that step runs through the same service the
page calls, on that date (``visitors.casework.evaluation_date``); every step a person takes happens in the
browser.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.clocks.models import Obligation
from meridian.documents.models import GeneratedDocument
from meridian.documents.tests.helpers import pdf_link_targets, pdf_text
from meridian.partners.tests.factories import PartnerFactory
from meridian.visitors.casework import evaluation_date
from meridian.visitors.models import AccommodationRegistration, Visit, VisitGuest
from meridian.visitors.services.standards import standards_install_defaults
from meridian.visitors.tests.factories import germany
from meridian.workflow.chains import unit_post_add
from meridian.workflow.services import case_move, chain_create
from tests.browser.helpers import (
    approve_step,
    download,
    expect_success,
    follow,
    no_horizontal_overflow,
    pdf_file,
    pick,
    png_file,
    sign_in_as,
    translated,
    upload,
)

DEAN_STEP = "Dean of the host school"
OFFICE_STEP = "International Office review"
STEPS = [
    {"order": 1, "label": DEAN_STEP, "assignee_kind": "unit_leader"},
    {"order": 2, "label": OFFICE_STEP, "assignee_kind": "international_office"},
]
TITLE = "Lectures on power-grid resilience"
FAMILY, GIVEN, NAME_ZH = "Schmidt", "Anna", "施安娜"
LATIN = "SCHMIDT Anna"
PASSPORT = "C4J7X2K91"
JUSTIFICATION = "Professor Schmidt could confirm her dates only this week; the lecture series is fixed."
OUTCOMES = "Two lectures held; a joint doctoral supervision agreed."
FOLLOW_UP = "Draft the co-supervision agreement by March."
PARTNER_EN, PARTNER_ZH = "Heidelberg University", "海德堡大学"


# --- steps ------------------------------------------------------------------------------------------------


def visit_url(visit: Visit) -> re.Pattern[str]:
    return re.compile(rf"/visitors/{visit.pk}/(#[\w-]+)?$")


def state_badge(page: Page):
    return page.locator(".page-head .badge[class*='state-']")


def expect_state(page: Page, state: str, label: str, language: str) -> None:
    expect(state_badge(page)).to_have_class(re.compile(rf"\bstate-{state}\b"))
    expect(state_badge(page)).to_have_text(translated(label, language))


def move(page: Page, visit: Visit, name: str, comment: str = "") -> None:
    """Take a lifecycle move from the visit page's "next steps" panel."""
    form = page.locator(f"#lifecycle form[data-move={name}]")
    expect(form).to_have_count(1)
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    follow(page, form.locator("button[type=submit]"), visit_url(visit))
    expect_success(page)


def open_from_inbox(page: Page, visit: Visit, step: str) -> None:
    inbox = page.locator("nav.mainnav a[data-nav=inbox]")
    expect(inbox.locator(".badge.count")).to_have_text("1")
    follow(page, inbox, re.compile(r"/inbox/"))
    row = page.locator("table.inbox tbody tr", has_text=visit.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(step)
    follow(page, row.locator("a").first, visit_url(visit))


def rule(page: Page, code: str):
    return page.locator(f"#rule-results #rule-{code}")


def letter(page: Page, code: str) -> bytes:
    """Download the newest file of an invitation letter from the visit's documents panel."""
    link = page.locator(f"#visit-documents tr[data-template='{code}'] a[href*='/download/']")
    expect(link).to_have_count(1)
    data = download(page, link)
    assert data.startswith(b"%PDF-"), data[:20]
    return data


def post(page: Page, button) -> None:
    """Click a button that posts its form and wait for the next page; the post must be accepted (a 403
    here is Django's CSRF check refusing the browser's request)."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted, page.expect_navigation():
        button.click()
    response = posted.value
    assert response.status < 400, (
        f"POST {response.url} answered {response.status}; Origin: {response.request.headers.get('origin')}"
    )


def add_row(page: Page, kind: str) -> None:
    """The filing page adds a row by posting what was typed and showing it again with one more row."""
    with page.expect_navigation():
        page.locator(f"#{kind}-set button[name=add_row][value={kind}]").click()


# --- the cast and the case ------------------------------------------------------------------------------


@pytest.fixture
def journey(org, people, settings, live_server):
    """The partner university, the School of Engineering's dean, a two-step approval chain for visits and
    the office's hosting-standards table (its default figures)."""
    settings.SITE_URL = live_server.url  # the address printed in the letters' QR codes points here
    partner = PartnerFactory(name=PARTNER_EN, name_en=PARTNER_EN, name_zh=PARTNER_ZH, country=germany())
    dean = user_create(username="dean", email="dean@meridian.example", password=PASSWORD)
    membership_grant(user=dean, unit=org.engineering, role=Role.STAFF)
    unit_post_add(actor=people.admin, unit=org.engineering, user=dean, post="leader")
    chain_create(actor=people.admin, case_type="visit", name="Visits", steps=STEPS)
    assert standards_install_defaults(actor=people.officer) > 0
    return {"partner": partner, "dean": dean, "germany": germany()}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db(transaction=True)
def test_secretary_files_a_visiting_scholar_whose_visit_runs_to_its_closure(
    new_page, live_server, org, people, journey, language
):
    partner, germany_ = journey["partner"], journey["germany"]
    today = timezone.localdate()
    # Forty days ahead: a visit with a visa invitation is filed 60 days ahead, so the lead-time rule asks
    # for a written justification.
    arrive, depart = today + timedelta(days=40), today + timedelta(days=44)

    # --- the secretary files the visit ---------------------------------------------------------------------
    secretary = new_page()
    sign_in_as(secretary, people.coordinator.username, language)
    secretary.goto("/visitors/new/")
    expect(secretary.locator("#visit-form")).to_be_visible()
    secretary.fill("#id_title", TITLE)
    secretary.select_option("#id_category", "visiting_scholar")
    secretary.select_option("#id_host_unit", str(org.computing.pk))
    pick(secretary, "host", people.staff.username)
    secretary.fill("#id_arrive_on", arrive.isoformat())
    secretary.fill("#id_depart_on", depart.isoformat())
    secretary.fill("#id_purpose", "Two lectures on power-grid resilience and talks on joint supervision.")
    pick(secretary, "guest_partner", PARTNER_EN)
    secretary.select_option("#id_guest_country", str(germany_.pk))
    secretary.fill("#id_guests-0-family_name", FAMILY)
    secretary.fill("#id_guests-0-given_name", GIVEN)
    secretary.fill("#id_guests-0-name_zh", NAME_ZH)
    secretary.select_option("#id_guests-0-nationality", str(germany_.pk))
    secretary.fill("#id_guests-0-position", "Professor of electrical engineering")
    secretary.select_option("#id_guests-0-rank", "professor")
    secretary.select_option("#id_reception_level", "unit_leader")
    secretary.fill("#id_reception_leader", "Dean of the School of Engineering")
    secretary.select_option("#id_invitation_kind", "letter")
    secretary.select_option("#id_accommodation", "on_campus")
    secretary.fill("#id_accommodation_address", "Guest house, building 3, room 204")
    secretary.fill("#id_funding_note", "ENG-2026-31")

    programme = [
        (arrive, "transfer", "Arrival and welcome dinner", "Guest house"),
        (arrive + timedelta(days=1), "lecture", "Lecture: resilient power grids", "Library lecture hall"),
        (arrive + timedelta(days=2), "meeting", "Talks on joint doctoral supervision", "Room 101"),
    ]
    for index, (day, kind, title, place) in enumerate(programme):
        if index:
            add_row(secretary, "programme")
        secretary.fill(f"#id_programme-{index}-day", day.isoformat())
        secretary.select_option(f"#id_programme-{index}-kind", kind)
        secretary.fill(f"#id_programme-{index}-title", title)
        secretary.fill(f"#id_programme-{index}-place", place)
    budget = [("accommodation", "4", "1600"), ("meals", "5", "1000"), ("honoraria", "1", "4000")]
    for index, (kind, days, amount) in enumerate(budget):
        if index:
            add_row(secretary, "budget")
        secretary.select_option(f"#id_budget-{index}-kind", kind)
        secretary.fill(f"#id_budget-{index}-persons", "1")
        secretary.fill(f"#id_budget-{index}-days", days)
        secretary.fill(f"#id_budget-{index}-amount", amount)
    # What was typed before the rows were added is still there.
    expect(secretary.locator("#id_title")).to_have_value(TITLE)
    expect(secretary.locator("#id_guests-0-name_zh")).to_have_value(NAME_ZH)

    follow(secretary, secretary.locator("#visit-form button[name=save]"), re.compile(r"/visitors/\d+/$"))
    expect_success(secretary)
    visit = Visit.objects.get(title=TITLE)
    assert (visit.host, visit.created_by, visit.host_unit) == (
        people.staff,
        people.coordinator,
        org.computing,
    )
    assert (visit.guest_partner, visit.invitation_kind) == (partner, "letter")
    assert visit.programme.count() == 3 and visit.budget_lines.count() == 3
    expect_state(secretary, "draft", "Draft", language)
    partner_name = PARTNER_EN if language == "en" else PARTNER_ZH  # the partner's name in the page's language
    expect(secretary.locator("#organisation")).to_contain_text(partner_name)

    # Before the guest has entered anything, the invitation-package rules only warn.
    expect(rule(secretary, "passport_validity")).to_have_attribute("data-outcome", "fail")
    expect(rule(secretary, "passport_validity")).to_have_attribute("data-severity", "warn")
    expect(rule(secretary, "cv_ten_years")).to_have_attribute("data-severity", "warn")
    expect(rule(secretary, "budget_standards")).to_have_attribute("data-outcome", "pass")

    # --- the guest's personal link ----------------------------------------------------------------------
    guest = visit.guests.get()
    panel_row = secretary.locator("section#guests tr", has_text=re.compile(f"{FAMILY}|{NAME_ZH}")).filter(
        has=secretary.locator("form[action$='/link/']")
    )
    expect(panel_row).to_have_count(1)
    follow(
        secretary,
        panel_row.locator("form[action$='/link/'] input[value=issue] ~ button"),
        re.compile(r"/link/$"),
    )
    link = secretary.locator("#guest-link").input_value()
    assert link.startswith("http") and "/visitors/guest/" in link, link

    # --- the guest, without an account, fills in the form in a browser of their own ---------------------
    visitor = new_page()
    response = visitor.goto(link)
    assert response is not None and response.status == 200
    if language != "en":
        post(visitor, visitor.locator(".guest-language button[value=zh-hans]"))
        expect(visitor.locator("html")).to_have_attribute("lang", language)
    expect(visitor.locator("main h1")).to_have_text(translated("Your data for the visit", language))
    expect(visitor.locator("main dl.props")).to_contain_text(re.compile(rf"{LATIN} ?[(（]{NAME_ZH}[)）]"))
    expect(visitor.locator("main dl.props")).to_contain_text(f"{arrive.isoformat()} – {depart.isoformat()}")
    expect(visitor.locator("#consent [lang=zh-Hans]")).not_to_be_empty()
    expect(visitor.locator("#consent [lang=en]")).not_to_be_empty()
    expect(visitor.locator("label[for=id_document_number]")).to_contain_text(
        translated("Document number", language)
    )
    expect(visitor.locator("#id_family_name")).to_have_value(FAMILY)
    expect(visitor.locator("#id_name_zh")).to_have_value(NAME_ZH)

    visitor.select_option("#id_gender", index=1)
    visitor.fill("#id_birth_date", "1975-03-14")
    visitor.fill("#id_birth_place", "Mannheim")
    visitor.select_option("#id_document_kind", "passport")
    visitor.fill("#id_document_number", PASSPORT)
    visitor.select_option("#id_issuing_country", str(germany_.pk))
    visitor.fill("#id_issue_date", (today - timedelta(days=400)).isoformat())
    visitor.fill("#id_expiry_date", (today + timedelta(days=9 * 365)).isoformat())
    visitor.set_input_files("#id_scan", files=[upload("passport.pdf", pdf_file(), "application/pdf")])
    visitor.set_input_files("#id_photo", files=[upload("photo.png", png_file((40, 90, 160)), "image/png")])
    cv = [
        ("2019-10", "", "Heidelberg University", "Professor"),
        ("2013-04", "2019-09", "Technical University of Munich", "Associate professor"),
        ("2010-01", "2013-03", "ETH Zurich", "Postdoctoral researcher"),
    ]
    for index, (start, end, organisation, position) in enumerate(cv):
        visitor.fill(f"#id_cv-{index}-start", start)
        visitor.fill(f"#id_cv-{index}-end", end)
        visitor.fill(f"#id_cv-{index}-organisation", organisation)
        visitor.fill(f"#id_cv-{index}-position", position)
    visitor.fill("#id_arrival_date", arrive.isoformat())
    visitor.fill("#id_arrival_flight", "LH 720")
    visitor.fill("#id_arrival_port", "Beijing Capital International Airport")
    visitor.fill("#id_departure_date", depart.isoformat())
    visitor.fill("#id_departure_flight", "LH 721")
    visitor.fill("#id_exit_port", "Beijing Capital International Airport")
    visitor.fill("#id_dietary_needs", "Vegetarian")
    visitor.check("#id_consent")
    post(visitor, visitor.locator("main form button.primary[type=submit]"))
    expect(visitor).to_have_url(re.compile(r"\?saved=1$"))
    expect(visitor.locator(".message.success")).to_have_count(1)
    expect(visitor.locator("main")).to_contain_text(translated("Documents on record:", language))
    expect(visitor.locator("main")).not_to_contain_text(PASSPORT)  # shown masked, even to its holder

    guest.refresh_from_db()
    assert guest.submitted_at is not None and len(guest.cv) == 3
    assert guest.person.consents.count() == 1
    assert guest.person.documents.get().expiry_date == today + timedelta(days=9 * 365)
    assert guest.files.filter(kind="photo").count() == 1

    # On a phone the form fits the screen.
    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(link)
    expect(phone.locator("#id_family_name")).to_be_visible()
    no_horizontal_overflow(phone)

    # --- the secretary reads the rule checks, justifies the lead time and submits -------------------------
    secretary.goto(f"/visitors/{visit.pk}/")
    for code in ("passport_validity", "cv_ten_years", "itinerary_exit", "budget_standards"):
        expect(rule(secretary, code)).to_have_attribute("data-outcome", "pass")
    lead_time = rule(secretary, "lead_time")
    expect(lead_time).to_have_attribute("data-outcome", "fail")
    expect(lead_time).to_have_attribute("data-severity", "justify")
    expect(lead_time.locator("p").first).to_contain_text("60")  # days, for a visit with a visa invitation
    source = translated("Northwest A&F University: rules for short visits of foreigners", language)
    expect(lead_time).to_contain_text(source)
    expect(lead_time).to_contain_text(translated("A written justification is needed.", language))
    secretary.fill("#justify-lead_time", JUSTIFICATION)
    follow(
        secretary,
        secretary.locator("form.justify-form:has(#justify-lead_time) button[type=submit]"),
        visit_url(visit),
    )
    expect_success(secretary)
    expect(lead_time).to_contain_text(JUSTIFICATION)
    expect(secretary.locator("#rule-results [role=status]")).to_contain_text(
        translated("No rule stops the visit.", language)
    )

    move(secretary, visit, "submit", "Filed for Dr Li, who hosts Professor Schmidt.")
    expect_state(secretary, "under_review", "Under approval", language)
    expect(secretary.locator("#case-approval li[data-state=open]")).to_contain_text(DEAN_STEP)

    # --- approvals from the inboxes -------------------------------------------------------------------------
    dean = new_page()
    sign_in_as(dean, journey["dean"].username, language)
    open_from_inbox(dean, visit, DEAN_STEP)
    expect(dean.locator("#rule-results #rule-lead_time")).to_contain_text(JUSTIFICATION)
    approve_step(dean, DEAN_STEP, "The school supports the visit.")
    expect(dean.locator("#case-approval li[data-state=open]")).to_contain_text(OFFICE_STEP)

    officer = new_page()
    sign_in_as(officer, people.officer.username, language)
    open_from_inbox(officer, visit, OFFICE_STEP)
    approve_step(officer, OFFICE_STEP, "In order.")
    expect_state(officer, "approved", "Approved", language)
    expect(officer.locator("#case-approval li[data-state=open]")).to_have_count(0)

    # --- the office locks the guest's data and issues the invitation ---------------------------------------
    lock = officer.locator("section#guests form[action$='/lock/']")
    expect(lock.locator("input[name=action]")).to_have_value("lock")
    expect(lock.locator("input[name=confirm_failing]")).to_have_count(0)  # every check passes
    follow(officer, lock.locator("button[type=submit]"), re.compile(rf"/guests/{guest.pk}/$"))
    expect_success(officer)
    expect(officer.locator("#documents")).not_to_contain_text(PASSPORT)  # masked on the guest page too
    follow(officer, officer.locator(f"main a[href='/visitors/{visit.pk}/']").first, visit_url(visit))
    # The guest's link now shows their data read-only.
    visitor.goto(link)
    expect(visitor.locator("main h1")).to_have_text(translated("Your data is locked", language))
    expect(visitor.locator("#id_family_name")).to_have_count(0)
    move(officer, visit, "issue_invitation")
    expect_state(officer, "invitation_issued", "Invitation issued", language)
    visit.refresh_from_db()
    assert re.fullmatch(rf"INV-{today.year}-\d{{4}}", visit.invitation_number), visit.invitation_number
    expect(officer.locator("#summary")).to_contain_text(visit.invitation_number)

    # --- the invitation letters, read back, and the QR verification -----------------------------------------
    english = letter(officer, "visit-invitation-en")
    text = pdf_text(english)
    for expected in ("Letter of Invitation", LATIN, NAME_ZH, PARTNER_EN, PASSPORT, visit.invitation_number):
        assert expected in text, (expected, text[:800])
    chinese = pdf_text(letter(officer, "visit-invitation-zh"))
    for expected in ("邀请函", LATIN, NAME_ZH, PARTNER_ZH, "德国", PASSPORT, visit.invitation_number):
        assert expected in chinese, (expected, chinese[:800])

    document = GeneratedDocument.objects.get(template__code="visit-invitation-en")
    links = {url for page_links in pdf_link_targets(english) for url in page_links}
    assert len(links) == 1, links
    verify_url = links.pop()
    assert verify_url.startswith(f"{live_server.url}/documents/verify/{document.serial}/"), verify_url
    embassy = new_page(locale="zh-CN" if language != "en" else "en-GB")
    response = embassy.goto(verify_url)
    assert response is not None and response.status == 200
    expect(embassy.locator("#serial")).to_have_text(document.serial)
    expect(embassy.locator("#verification .message.success")).to_be_visible()
    expect(embassy.locator("#holder")).not_to_be_empty()
    page_text = embassy.locator("body").inner_text()
    assert PASSPORT not in page_text and PASSPORT[-4:] not in page_text, page_text
    assert LATIN not in page_text, page_text  # the holder's name is masked

    # --- visas, arrival and the accommodation registration ------------------------------------------------
    secretary.goto(f"/visitors/{visit.pk}/")
    move(secretary, visit, "confirm_visa")
    expect_state(secretary, "visa_confirmed", "Visa confirmed", language)

    # The guest arrives on the visit's first day; the secretary records it (the page's move, on that day).
    with evaluation_date(arrive), translation.override(language):
        case_move(case=Visit.objects.get(pk=visit.pk), actor=people.coordinator, move="arrive")
    # The browser acts on the real clock: the guest arrived an hour ago, as the server sees it.
    arrived = timezone.now() - timedelta(hours=1)
    VisitGuest.objects.filter(pk=guest.pk).update(arrived_at=arrived)
    AccommodationRegistration.objects.filter(guest=guest).update(
        occurred_at=arrived, due_at=arrived + timedelta(hours=24)
    )
    Obligation.objects.filter(rule="visitors.accommodation_registration", state="open").update(
        due_at=arrived + timedelta(hours=24)
    )
    registration = AccommodationRegistration.objects.get(guest=guest)
    guest.refresh_from_db()
    assert registration.state == "open" and registration.accommodation == "on_campus"
    assert guest.arrived_at is not None and registration.due_at - guest.arrived_at == timedelta(hours=24)
    due = timezone.localtime(registration.due_at).strftime("%Y-%m-%d %H:%M")
    clock = Obligation.objects.get(rule="visitors.accommodation_registration", state="open")
    assert clock.due_at == registration.due_at and clock.responsible == people.staff

    secretary.reload()
    expect_state(secretary, "arrived", "Guests arrived", language)
    on_visit = secretary.locator(f"#arrivals [data-registration='{registration.pk}']")
    expect(on_visit.locator(".badge")).to_have_class(re.compile(r"\bstate-open\b"))
    expect(on_visit.locator("time")).to_have_text(due)

    secretary.goto("/deadlines/")
    deadline = secretary.locator("#deadlines tbody tr", has_text=LATIN)
    expect(deadline).to_have_count(1)
    expect(deadline.locator("time")).to_have_text(due)
    expect(deadline.locator(".badge")).to_have_class(re.compile(r"\bclock-open\b"))
    # It leads to the guest's arrival page, where the registration is recorded.
    expect(deadline.locator("td:nth-child(3) a")).to_have_attribute(
        "href", f"/visitors/{visit.pk}/guests/{guest.pk}/arrival/"
    )

    secretary.goto("/visitors/registrations/")
    listed = secretary.locator(f"tr[data-registration='{registration.pk}']")
    expect(listed).to_contain_text(visit.number)
    expect(listed.locator("time")).to_have_text(due)
    expect(listed.locator(".badge.registration-state")).to_have_class(re.compile(r"\bstate-open\b"))
    listed.locator("details summary").click()
    listed.locator("input[name=receipt_number]").fill("GA-2026-118842")
    follow(secretary, listed.locator("form button[type=submit]"), re.compile(r"/visitors/registrations/"))
    expect_success(secretary)
    expect(listed.locator(".badge.registration-state")).to_have_class(re.compile(r"\bstate-registered\b"))
    expect(listed).to_contain_text("GA-2026-118842")
    clock.refresh_from_db()
    assert clock.state == "met"

    # --- departure, the visit note and the closure -------------------------------------------------------
    secretary.goto(f"/visitors/{visit.pk}/")
    expect(secretary.locator(f"#arrivals [data-registration='{registration.pk}'] .badge")).to_have_class(
        re.compile(r"\bstate-registered\b")
    )
    move(secretary, visit, "finish")
    expect_state(secretary, "hosted", "Hosted", language)
    why = secretary.locator("#lifecycle .move-unavailable[data-move=close] .help")
    expect(why).to_contain_text(translated("Write the visit note (outcomes and follow-up) first.", language))
    note = secretary.locator("#note-form")
    note.locator("textarea[name=outcomes]").fill(OUTCOMES)
    note.locator("textarea[name=follow_up]").fill(FOLLOW_UP)
    note.locator("input[name=photos]").set_input_files(
        files=[upload("lecture.png", png_file((30, 160, 60)), "image/png")]
    )
    follow(secretary, note.locator("button[type=submit]"), visit_url(visit))
    expect_success(secretary)
    expect(secretary.locator("#note")).to_contain_text(OUTCOMES)
    expect(secretary.locator("#note img")).to_have_count(1)

    move(secretary, visit, "close", "Everything is filed.")
    expect_state(secretary, "closed", "Closed", language)
    expect(secretary.locator("#lifecycle form[data-move]")).to_have_count(0)
    actions = secretary.locator("#history [data-action]").evaluate_all(
        "items => items.map(i => i.dataset.action)"
    )
    for expected in ("submit", "approve", "issue_invitation", "confirm_visa", "arrive", "finish", "close"):
        assert expected in actions, actions

    # --- the partner's page shows the visit and what came of it ---------------------------------------------
    follow(secretary, secretary.locator("#organisation a", has_text=partner_name), re.compile(r"/partners/"))
    row = secretary.locator(f"#visits tr[data-visit='{visit.number}']")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_class(re.compile(r"\bstate-closed\b"))
    expect(row.locator(".badge")).to_have_text(translated("Closed", language))
    expect(secretary.locator(f"#visits li[data-outcome='{visit.number}']")).to_contain_text(OUTCOMES)
    visit.refresh_from_db()
    assert visit.state == "closed" and visit.note_submitted_at is not None
