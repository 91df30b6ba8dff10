"""What visitors adds to the shared screens: the navigation entry and section pages per role, dashboard
tiles, the partner page's visits panel (with the visit notes' outcomes), the partner merge hook, the visit
search and the "file a visit" case starter."""

from __future__ import annotations

import datetime
from typing import cast

import pytest
from django.urls import reverse
from django.utils import timezone

from meridian.core.registry import registry
from meridian.core.templatetags.meridian import nav_items
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.visitors import extensions
from meridian.visitors.choices import VisitState
from meridian.visitors.models import Visit
from meridian.visitors.tests.factories import make_visit
from meridian.workflow.testing import partner_contact_user

# Section pages each role may use (each only once its view is installed).
PAGES = {
    "admin": {
        "visits",
        "registrations",
        "lectures",
        "experts",
        "expert_records",
        "stats",
        "rules",
        "standards",
    },
    "officer": {"visits", "registrations", "lectures", "experts", "expert_records", "stats", "standards"},
    "leadership": {"visits", "registrations", "lectures", "experts", "expert_records", "stats"},
    "coordinator": {"visits", "registrations", "lectures", "experts", "expert_records", "stats"},
    "staff": {"visits", "lectures"},
    "student": set(),
    "outsider": set(),
}


def _installed(keys: set[str]) -> set[str]:
    by_key = {page.key: page for page in extensions.SECTION_PAGES}
    return {key for key in keys if extensions.routable(by_key[key].url_name)}


def _fresh(user):
    """The user without cached standing or dashboard figures."""
    return type(user).objects.get(pk=user.pk)


class TestNavigation:
    @pytest.mark.parametrize("role", list(PAGES))
    def test_section_pages_per_role(self, people, role):
        user = getattr(people, role)
        assert {link.key for link in extensions.section_pages(user)} == _installed(PAGES[role])

    @pytest.mark.parametrize("role", list(PAGES))
    def test_one_entry_in_the_main_navigation(self, people, role):
        keys = [item.key for item in nav_items(getattr(people, role))]
        assert ("visitors" in keys) is ("visits" in PAGES[role])

    def test_partner_contacts_and_anonymous_see_nothing(self, org):
        from django.contrib.auth.models import AnonymousUser

        contact = partner_contact_user(org)
        assert "visitors" not in [item.key for item in nav_items(contact)]
        assert extensions.section_pages(contact) == []
        assert extensions.section_pages(AnonymousUser()) == []

    @pytest.mark.parametrize("role", ["admin", "officer", "coordinator", "staff"])
    def test_every_link_opens(self, client, people, role):
        user = getattr(people, role)
        client.force_login(user)
        for link in extensions.section_pages(user):
            response = client.get(link.url)
            assert response.status_code not in (403, 404, 500), f"{role} {link.key}: {response.status_code}"

    def test_section_menu_marks_the_current_page(self, client, people):
        client.force_login(people.officer)
        body = client.get(reverse("visitors:visit_list")).content.decode()
        assert 'data-nav="visitors-visits" aria-current="page"' in body
        assert 'data-nav="visitors" aria-current="page"' in body

    def test_a_page_not_installed_is_left_out(self, people, monkeypatch):
        monkeypatch.setattr(
            extensions,
            "SECTION_PAGES",
            (
                *extensions.SECTION_PAGES,
                extensions.SectionPage("x", "X", "visitors:no_such_page", lambda u: True),
            ),
        )
        assert "x" not in {link.key for link in extensions.section_pages(people.admin)}


class TestDashboard:
    def test_visits_arriving_this_week(self, org, people):
        soon = timezone.localdate() + datetime.timedelta(days=3)
        make_visit(
            host_unit=org.computing,
            host=people.staff,
            state=VisitState.APPROVED,
            arrive_on=soon,
            depart_on=soon + datetime.timedelta(days=1),
        )
        make_visit(host_unit=org.computing, host=people.staff, state=VisitState.APPROVED)  # in four months
        tile = registry.dashboard_tiles.get("visitors_arriving")
        coordinator = _fresh(people.coordinator)
        assert tile.visible(coordinator) and tile.context(coordinator)["value"] == 1
        assert "arrive_from=" in tile.context(coordinator)["url"]
        assert not tile.visible(_fresh(people.other_coordinator))

    def test_visits_waiting_for_me(self, client, org, people):
        from meridian.workflow.chains import approval_start, chain_create
        from meridian.workflow.registry import case_types

        chain_create(
            actor=people.admin,
            case_type="visit",
            name="Visits",
            steps=[{"label": "International Office", "assignee_kind": "international_office"}],
        )
        visit = make_visit(host_unit=org.computing, host=people.staff, state=VisitState.UNDER_REVIEW)
        approval_start(case=visit, case_type=case_types.get("visit"), actor=people.staff)
        tile = registry.dashboard_tiles.get("visitors_awaiting")
        officer = _fresh(people.officer)
        assert tile.visible(officer) and tile.context(officer)["value"] == 1
        assert not tile.visible(_fresh(people.staff))
        client.force_login(people.officer)
        html = client.get(reverse("dashboard:home")).content.decode()
        assert visit.number in html  # the "Visits this week" card lists it

    def test_case_starter_per_role(self, org, people):
        starter = registry.case_starters.get("visit")
        assert starter.visible(people.staff) and starter.visible(people.coordinator)
        assert not starter.visible(people.student)
        assert not starter.visible(people.outsider)
        assert not starter.visible(partner_contact_user(org))


class TestPartnerPage:
    @pytest.fixture
    def partner(self):
        return cast(Partner, PartnerFactory())

    @pytest.fixture
    def visits(self, org, people, partner):
        closed = make_visit(
            host_unit=org.computing,
            host=people.staff,
            guest_partner=partner,
            title="Lab visit",
            state=VisitState.CLOSED,
            outcomes="Joint laboratory agreed",
            note_submitted_at=timezone.now(),
        )
        hidden = make_visit(
            host_unit=org.humanities,
            host=people.other_coordinator,
            guest_partner=partner,
            title="Hidden visit",
            state=VisitState.CLOSED,
            outcomes="Secret outcome",
            note_submitted_at=timezone.now(),
        )
        make_visit(host_unit=org.computing, host=people.staff, title="Unrelated visit")
        return closed, hidden

    def test_panel_lists_visible_visits_with_outcomes(self, client, people, partner, visits):
        client.force_login(people.coordinator)
        html = client.get(reverse("partners:detail", args=[partner.pk])).content.decode()
        section = html.split('id="visits"')[1]
        assert "Lab visit" in section and "Joint laboratory agreed" in section
        assert "Hidden visit" not in section and "Secret outcome" not in section
        assert "Unrelated visit" not in section
        client.force_login(people.officer)
        section = (
            client.get(reverse("partners:detail", args=[partner.pk])).content.decode().split('id="visits"')[1]
        )
        assert "Hidden visit" in section and "Secret outcome" in section

    @pytest.mark.parametrize(
        ("role", "shown"),
        [
            ("officer", True),
            ("leadership", True),
            ("coordinator", True),
            ("staff", True),  # hosts the visit
            ("colleague", False),  # other staff of the unit: no visit of this partner to see
            ("student", False),
            ("partner_contact", False),
        ],
    )
    def test_panel_only_for_those_who_may_see_visits(self, org, people, partner, visits, role, shown):
        from meridian.accounts.choices import Role
        from meridian.accounts.services import membership_grant, user_create

        if role == "colleague":
            user = user_create(username="colleague", email="c@meridian.example", password="x-colleague")
            membership_grant(user=user, unit=org.computing, role=Role.STAFF)
        elif role == "partner_contact":
            user = partner_contact_user(org)
        else:
            user = getattr(people, role)
        panel = registry.partner_panels.get("visits")
        assert panel.visible(partner, user) is shown
        if shown:
            titles = {v.title for v in panel.context(partner, user)["visits"]}
            assert "Lab visit" in titles

    def test_merge_moves_visits_to_the_survivor(self, org, people):
        from meridian.partners.services import partner_merge

        survivor, duplicate = cast(Partner, PartnerFactory()), cast(Partner, PartnerFactory())
        moved = make_visit(host_unit=org.computing, host=people.staff, guest_partner=duplicate)
        hook = registry.partner_merge_hooks.get("visitors")
        assert hook.count is not None and hook.count(duplicate) == 1
        partner_merge(survivor=survivor, duplicate=duplicate, actor=people.officer)
        assert Visit.objects.get(pk=moved.pk).guest_partner_id == survivor.pk


class TestSearch:
    def test_finds_visible_visits_by_number_title_and_organisation(self, org, people):
        mine = make_visit(
            host_unit=org.computing, host=people.staff, title="Grid talks", guest_organisation="KIT"
        )
        make_visit(host_unit=org.humanities, host=people.other_coordinator, title="Grid archive")
        hits = extensions.search_visits(people.coordinator, "grid", 10)
        assert [h.title for h in hits] == [f"{mine.number} Grid talks"]
        assert extensions.search_visits(people.coordinator, "kit", 10)[0].url == mine.get_absolute_url()
        assert len(extensions.search_visits(people.officer, "grid", 10)) == 2
        assert extensions.search_visits(people.outsider, "grid", 10) == []
        assert extensions.search_visits(people.officer, "  ", 10) == []
