"""What travel adds to the shared screens: the navigation entry and section pages per role, dashboard tiles,
the partner page's trips panel, the partner merge hook, the trip search, the case starter and the inbox."""

import datetime
import re
from pathlib import Path
from typing import cast

import pytest
from django.urls import reverse
from django.utils import timezone

from meridian.core.registry import registry
from meridian.core.templatetags.meridian import nav_items
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.people.choices import DocumentType
from meridian.people.models import IdentityDocument
from meridian.people.tests.factories import IdentityDocumentFactory
from meridian.travel import extensions
from meridian.travel.choices import CustodyState
from meridian.travel.models import CustodyItem, Trip, TripOutcome, TripReport
from meridian.travel.tests.factories import germany, make_trip
from meridian.workflow.testing import partner_contact_user

# Section pages each role may use (``stats`` and ``rules`` only once their views are installed).
PAGES = {
    "admin": {"trips", "abroad", "custody", "plans", "long_stays", "notices", "stats", "rules"},
    "officer": {"trips", "abroad", "custody", "plans", "long_stays", "notices", "stats"},
    "leadership": {"trips", "abroad", "plans", "long_stays", "notices", "stats"},
    "coordinator": {"trips", "abroad", "custody", "plans", "long_stays", "notices"},
    "staff": {"trips", "notices"},
    "student": {"trips"},
    "outsider": set(),
}


def _installed(keys: set[str]) -> set[str]:
    by_key = {page.key: page for page in extensions.SECTION_PAGES}
    return {key for key in keys if extensions.routable(by_key[key].url_name)}


class TestNavigation:
    @pytest.mark.parametrize("role", list(PAGES))
    def test_section_pages_per_role(self, people, role):
        user = getattr(people, role)
        assert {link.key for link in extensions.section_pages(user)} == _installed(PAGES[role])

    @pytest.mark.parametrize("role", list(PAGES))
    def test_one_entry_in_the_main_navigation(self, people, role):
        keys = [item.key for item in nav_items(getattr(people, role))]
        assert ("travel" in keys) is bool(PAGES[role])
        assert not any(
            key.startswith("travel_") for key in keys
        )  # the section's pages are not in the top row

    def test_partner_contact_sees_no_travel(self, org, people):
        contact = partner_contact_user(org)
        assert "travel" not in [item.key for item in nav_items(contact)]
        assert extensions.section_pages(contact) == []

    @pytest.mark.parametrize("role", [r for r in PAGES if PAGES[r]])
    def test_every_link_opens(self, client, people, role):
        user = getattr(people, role)
        client.force_login(user)
        links = extensions.section_pages(user)
        assert links
        for link in links:
            response = client.get(link.url)
            assert response.status_code not in (403, 404, 500), f"{role} {link.key}: {response.status_code}"

    def test_main_entry_marks_travel_pages_current(self, client, people):
        client.force_login(people.officer)
        page = client.get(reverse("travel:trip_list"))
        assert page.status_code == 200
        assert 'data-nav="travel" aria-current="page"' in page.content.decode()

    def test_section_menu_tag_lists_the_pages(self, rf, people):
        from django.template import Context, Template

        request = rf.get("/")
        request.user = people.coordinator
        html = Template("{% load travel_extensions %}{% travel_section_nav %}").render(
            Context({"request": request})
        )
        assert "Who is abroad" in html and "Passports" in html
        assert "Travel rules" not in html


class TestDashboard:
    def _overdue(self, org, people):
        today = timezone.localdate()
        trip = make_trip(
            unit=org.humanities,
            applicant=people.other_coordinator,
            state="returned",
            title="Late report trip",
            depart_on=today - datetime.timedelta(days=60),
            return_on=today - datetime.timedelta(days=55),
        )
        TripReport.objects.create(
            trip=trip, inviter="X", members="Y", dates="Z", due_on=today - datetime.timedelta(days=30)
        )
        leader = trip.members.first()
        assert leader is not None
        holder = leader.person
        document = cast(
            IdentityDocument,
            IdentityDocumentFactory(
                person=holder, issuing_country=germany(), kind=DocumentType.OFFICIAL_PASSPORT
            ),
        )
        CustodyItem.objects.create(
            document=document,
            holder=holder,
            unit=org.humanities,
            state=CustodyState.ISSUED,
            trip=trip,
            due_back_on=today - datetime.timedelta(days=40),
        )
        return trip

    def test_office_sees_overdue_reports_passports_and_suspended_units(self, client, org, people):
        trip = self._overdue(org, people)
        client.force_login(people.officer)
        page = client.get(reverse("dashboard:home"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Overdue trip reports and passports" in html
        assert trip.number in html
        assert "1 overdue trip report" in html
        assert "1 passport or permit not back" in html
        assert "School of Humanities" in html.split("Approvals suspended for:")[1][:300]

    def test_others_do_not_see_the_office_tile(self, client, org, people):
        self._overdue(org, people)
        for user in (people.staff, people.coordinator, people.leadership):
            client.force_login(user)
            assert (
                "Overdue trip reports and passports"
                not in client.get(reverse("dashboard:home")).content.decode()
            )

    def test_my_trips_and_people_abroad(self, org, people):
        make_trip(unit=org.computing, applicant=people.staff, state="abroad", members=1)
        make_trip(unit=org.computing, applicant=people.staff, state="closed")
        tiles = {t.key: t for t in registry.dashboard_tiles}
        staff = type(people.staff).objects.get(pk=people.staff.pk)
        assert tiles["travel_mine"].visible(staff)
        assert tiles["travel_mine"].context(staff)["value"] == 1  # the closed trip does not count
        officer = type(people.officer).objects.get(pk=people.officer.pk)
        assert extensions.abroad_count(officer) == 2
        assert not tiles["travel_mine"].visible(officer)
        other = type(people.other_coordinator).objects.get(pk=people.other_coordinator.pk)
        assert extensions.abroad_count(other) == 0

    def test_trips_waiting_for_me(self, org, people):
        from meridian.workflow.chains import approval_start, chain_create
        from meridian.workflow.registry import case_types

        chain_create(
            actor=people.admin,
            case_type="trip",
            name="Trips",
            steps=[{"label": "International Office", "assignee_kind": "international_office"}],
        )
        trip = make_trip(unit=org.computing, applicant=people.staff, state="under_review")
        approval_start(case=trip, case_type=case_types.get("trip"), actor=people.staff)
        tile = registry.dashboard_tiles.get("travel_waiting")
        officer = type(people.officer).objects.get(pk=people.officer.pk)
        assert tile.visible(officer) and tile.context(officer)["value"] == 1
        staff = type(people.staff).objects.get(pk=people.staff.pk)
        assert not tile.visible(staff)


class TestInbox:
    def test_trip_task_and_starter_show_in_the_inbox(self, client, org, people):
        from meridian.workflow.chains import approval_start, chain_create
        from meridian.workflow.registry import case_types

        chain_create(
            actor=people.admin,
            case_type="trip",
            name="Trips",
            steps=[{"label": "International Office check", "assignee_kind": "international_office"}],
        )
        trip = make_trip(unit=org.computing, applicant=people.staff, state="under_review", title="Grid talks")
        approval_start(case=trip, case_type=case_types.get("trip"), actor=people.staff)
        client.force_login(people.officer)
        html = client.get("/inbox/").content.decode()
        assert "Grid talks" in html and "International Office check" in html
        assert "File an official trip" in html
        client.force_login(people.other_coordinator)
        assert "Grid talks" not in client.get("/inbox/").content.decode()

    def test_case_starter_per_role(self, org, people):
        starter = registry.case_starters.get("trip")
        assert starter.visible(people.staff) and starter.visible(people.student)
        assert not starter.visible(people.outsider)
        assert not starter.visible(partner_contact_user(org))


class TestPartnerPage:
    def test_panel_lists_visible_trips_with_outcomes(self, client, org, people):
        partner = cast(Partner, PartnerFactory(country=germany()))
        invited = make_trip(
            unit=org.computing, applicant=people.staff, inviter_partner=partner, title="Invited"
        )
        concerning = make_trip(unit=org.computing, applicant=people.staff, title="Concerning")
        concerning.partners.add(partner)
        hidden = make_trip(unit=org.humanities, applicant=people.other_coordinator, title="Hidden trip")
        hidden.partners.add(partner)
        TripOutcome.objects.create(trip=invited, kind="contact", partner=partner, description="Met the dean")
        TripOutcome.objects.create(trip=hidden, kind="project", partner=partner, description="Secret project")
        make_trip(unit=org.computing, applicant=people.staff, title="Unrelated")
        client.force_login(people.coordinator)
        html = client.get(reverse("partners:detail", args=[partner.pk])).content.decode()
        section = html.split('id="trips"')[1]
        assert "Invited" in section and "Concerning" in section and "Met the dean" in section
        assert "Hidden trip" not in section and "Secret project" not in section and "Unrelated" not in section
        assert "Invited by this partner" in section and "Concerns this partner" in section

    def test_panel_hidden_from_partner_contacts(self, org):
        panel = registry.partner_panels.get("trips")
        assert not panel.visible(PartnerFactory(), partner_contact_user(org))

    def test_merge_moves_trips_and_outcomes(self, org, people):
        from meridian.partners.services import partner_merge

        survivor, duplicate = cast(Partner, PartnerFactory()), cast(Partner, PartnerFactory())
        invited = make_trip(unit=org.computing, applicant=people.staff, inviter_partner=duplicate)
        both = make_trip(unit=org.computing, applicant=people.staff)
        both.partners.add(survivor, duplicate)
        only = make_trip(unit=org.computing, applicant=people.staff)
        only.partners.add(duplicate)
        outcome = TripOutcome.objects.create(trip=invited, kind="contact", partner=duplicate, description="x")
        count = registry.partner_merge_hooks.get("travel").count
        assert count is not None
        assert count(duplicate) == 3
        partner_merge(survivor=survivor, duplicate=duplicate, actor=people.officer)
        assert Trip.objects.get(pk=invited.pk).inviter_partner_id == survivor.pk
        assert list(both.partners.values_list("pk", flat=True)) == [survivor.pk]
        assert list(only.partners.values_list("pk", flat=True)) == [survivor.pk]
        outcome.refresh_from_db()
        assert outcome.partner_id == survivor.pk


class TestSearch:
    def test_finds_visible_trips_by_number_title_and_inviter(self, org, people):
        mine = make_trip(
            unit=org.computing, applicant=people.staff, title="Grid conference", inviter_name="TU Wien"
        )
        make_trip(unit=org.humanities, applicant=people.other_coordinator, title="Grid archive")
        hits = extensions.search_trips(people.coordinator, "grid", 10)
        assert [h.title for h in hits] == [f"{mine.number} Grid conference"]
        assert [h.title for h in extensions.search_trips(people.coordinator, "wien", 10)] == [hits[0].title]
        assert extensions.search_trips(people.coordinator, mine.number, 10)[0].url == mine.get_absolute_url()
        assert len(extensions.search_trips(people.officer, "grid", 10)) == 2
        assert extensions.search_trips(people.outsider, "grid", 10) == []

    def test_search_page_shows_trips(self, client, org, people):
        make_trip(unit=org.computing, applicant=people.staff, title="Grid conference")
        client.force_login(people.staff)
        assert "Grid conference" in client.get(reverse("search:home"), {"q": "grid"}).content.decode()


# --- narrow screens: wide tables and the section menu -----------------------------------------------------

TRAVEL_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "travel"
PROJECT_CSS = Path(__file__).resolve().parents[2] / "core" / "static" / "core" / "meridian.css"
# Wrappers that let a table scroll sideways on its own (``map-table`` holds the abroad page's narrow country
# list next to the map and scrolls it vertically).
TABLE_WRAPPERS = ('<div class="table-wrap">', '<div class="map-table">')


def unwrapped_tables(html: str) -> list[str]:
    """The opening tags of tables not placed directly in a scrolling wrapper."""
    found = []
    for match in re.finditer(r"<table\b[^>]*>", html):
        before = html[: match.start()].rstrip()
        if not before.endswith(TABLE_WRAPPERS):
            found.append(match.group(0))
    return found


def css_rule(selector: str) -> str:
    """The declarations of ``selector``'s rule in the project style sheet (outside media queries)."""
    css = re.sub(r"/\*.*?\*/", "", PROJECT_CSS.read_text(encoding="utf-8"), flags=re.S)
    match = re.search(rf"(?m)^{re.escape(selector)}\s*\{{([^}}]*)\}}", css)
    assert match is not None, f"no rule for {selector}"
    return match.group(1)


class TestNarrowScreens:
    def test_every_table_of_the_travel_templates_scrolls_in_a_wrapper(self):
        offenders = {
            str(path.relative_to(TRAVEL_TEMPLATES)): tables
            for path in sorted(TRAVEL_TEMPLATES.rglob("*.html"))
            if (tables := unwrapped_tables(path.read_text(encoding="utf-8")))
        }
        assert offenders == {}

    def test_the_wrapper_scrolls_the_table_and_keeps_hidden_labels_inside(self):
        wrapper = css_rule(".table-wrap")
        assert "overflow-x: auto" in wrapper
        # Visually hidden (absolutely positioned) header text would otherwise widen the page.
        assert "position: relative" in wrapper
        assert "min-width: 0" in css_rule(".grid > *")  # a wrapped table in a grid cell does not widen it

    def test_the_section_menu_is_a_row_of_links_without_bullets(self, rf, people):
        from django.template import Context, Template

        request = rf.get(reverse("travel:trip_list"))
        request.user = people.officer
        html = Template("{% load travel_extensions %}{% travel_section_nav %}").render(
            Context({"request": request})
        )
        assert '<nav class="subnav' in html and "<ul" in html
        menu = css_rule(".subnav ul")
        assert "list-style: none" in menu and "padding: 0" in menu and "gap:" in menu
        assert "display: flex" in menu and "flex-wrap: wrap" in menu
