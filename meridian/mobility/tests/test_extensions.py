"""What student exchange registers in the shared screens, role by role: the navigation entry, the dashboard
tiles (only for those who may act, only while there is something to do), the partner page's panel, the
partner merge hook, search, the activity timeline, report datasets and public figures."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import cast

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from meridian.accounts.models import User
from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.activity import activity_record
from meridian.core.models import Activity
from meridian.core.registry import registry
from meridian.mobility.choices import ApplicationState, CallState, Direction, MobilityState, MobilityType
from meridian.mobility.models import (
    ApplicationPreference,
    CallDestination,
    CallReviewer,
    CooperationCondition,
    CourseEquivalence,
    GradeConversionTable,
    LearningAgreementCourse,
    Mobility,
    PartnerFactsheet,
    Review,
    ReviewConflict,
)
from meridian.mobility.selectors.balance import current_academic_year
from meridian.mobility.tests.factories import (
    YEAR,
    make_application,
    make_call,
    make_condition,
    make_learning_agreement,
    make_mobility,
    student_user,
)
from meridian.partners.models import Partner
from meridian.partners.services import partner_merge
from meridian.partners.tests.factories import PartnerFactory

NOW_YEAR = current_academic_year()
STAFF_ROLES = ("admin", "officer", "leadership", "coordinator", "other_coordinator", "staff")


def fresh(user):
    """The user as a new request would load it (figures are kept on the user object for a few seconds)."""
    return User.objects.get(pk=user.pk)


def tiles(user) -> set[str]:
    """The keys of the student-exchange tiles ``user`` gets on the dashboard."""
    user = fresh(user)
    return {
        entry.key
        for entry in registry.dashboard_tiles
        if entry.key.startswith("mobility") and entry.visible(user)
    }


def recent_activity(*, user) -> list:
    """The dashboard's activity timeline for ``user`` (read through the registry, as the hub reads us)."""
    return registry.dashboard_tiles.get("activity").context(user)["rows"]


def search_everything(*, user, query: str) -> list:
    """What the search page finds for ``user``, per record type ``user`` may search."""
    groups = []
    for entry in registry.search_types:
        if entry.visible(user):
            hits = entry.search(user, query, 20)
            if hits:
                groups.append(SimpleNamespace(key=entry.key, hits=hits))
    return groups


def stat(key: str, user) -> dict:
    return registry.dashboard_tiles.get(key).context(fresh(user))


def everyone(people, world) -> dict:
    users = {name: getattr(people, name) for name in (*STAFF_ROLES, "student", "outsider")}
    users.update(contact=world.contact, viewer=world.viewer, other_contact=world.other_contact)
    return users


@pytest.fixture
def student(org):
    return student_user(org.computing, "ext-student")


# --- navigation ---------------------------------------------------------------------------------------------


def test_nav_entry_for_staff_only(world, people):
    entry = registry.nav.get("mobility")
    assert entry.url_name == "mobility:call_list"
    seen = {name for name, user in everyone(people, world).items() if entry.visible(user)}
    assert seen == set(STAFF_ROLES)


def _section_links(html: str) -> list[str]:
    import re

    menu = re.search(r'<nav class="subnav mobility-subnav".*?</nav>', html, flags=re.S)
    return re.findall(r'href="([^"]+)"', menu.group(0)) if menu else []


def test_section_menu_per_role_lists_only_pages_the_reader_can_open(client, world, org, people, student):
    """Every role: the staff menu of the section shows only pages that open for the reader (leadership reads
    but keeps no grade conversion tables); students and partner contacts never get it, also on the pages
    they share with staff (a call, a learning agreement) and when their account holds a unit post."""
    from meridian.mobility.navigation import section_pages
    from meridian.workflow.choices import PostKind
    from meridian.workflow.models import UnitPost

    UnitPost.objects.create(unit=org.engineering, user=student, post=PostKind.SECRETARY)
    call = make_call(unit=org.computing, destinations=[(world.partner, 2, world.outgoing)])
    users = {**everyone(people, world), "student_with_post": student}
    for name, user in users.items():
        client.force_login(user)
        links = section_pages(fresh(user))
        if name not in STAFF_ROLES:
            assert links == [], name
            page = client.get(reverse("mobility:student_call", args=[call.pk]))
            if page.status_code == 200:
                assert _section_links(page.content.decode()) == [], name
            continue
        assert links, name
        for link in links:
            assert client.get(link.url).status_code == 200, (name, link.key)
        html = client.get(reverse("mobility:call_list")).content.decode()
        assert _section_links(html) == [link.url for link in links], name
    assert "conversion" not in {link.key for link in section_pages(fresh(people.leadership))}


def test_a_call_page_links_to_my_exchange_only_for_students(client, world, org, people, student):
    call = make_call(unit=org.computing, destinations=[(world.partner, 2, world.outgoing)])
    home = reverse("mobility:student_home")
    for user, shown in ((student, True), (world.contact, False), (people.officer, False)):
        client.force_login(user)
        response = client.get(reverse("mobility:student_call", args=[call.pk]))
        assert response.status_code == 200
        assert (f'href="{home}"' in response.content.decode()) is shown, user


# --- dashboard ----------------------------------------------------------------------------------------------


class TestTiles:
    def test_balance_alert_tiles_for_those_who_see_the_balance(self, settings, world, org, people, student):
        settings.MOBILITY_BALANCE_GAP = 3
        settings.MOBILITY_BALANCE_RATIO = 2.0
        users = everyone(people, world)
        assert not any("mobility_balance" in tiles(u) for u in users.values())  # nothing to do yet
        make_condition(world.agreement, world.partner, direction=Direction.INCOMING, places=5, year=NOW_YEAR)
        for _ in range(3):
            make_mobility(
                partner=world.partner,
                home_unit=org.engineering,
                person=student.person,
                direction=Direction.INCOMING,
                agreement=world.agreement,
                academic_year=NOW_YEAR,
            )
        seen = {name for name, user in users.items() if "mobility_balance_alerts" in tiles(user)}
        assert seen == {"admin", "officer", "leadership", "coordinator"}
        assert {name for name, user in users.items() if "mobility_balance" in tiles(user)} == seen
        values = stat("mobility_balance_alerts", people.officer)
        assert values == {"value": 1, "url": f"{reverse('mobility:balance')}?year={NOW_YEAR}&alerts=on"}

    def test_pre_approval_tile_for_the_students_school(self, world, org, people):
        call = make_call(unit=org.intl_office, destinations=[(world.partner, 2, world.outgoing)])
        submitted = make_application(
            call, student_user(org.computing, "pre1"), state=ApplicationState.SUBMITTED
        )
        make_application(call, student_user(org.computing, "pre2"), state=ApplicationState.DRAFT)
        seen = {
            name for name, user in everyone(people, world).items() if "mobility_pre_approval" in tiles(user)
        }
        assert seen == {"coordinator"}  # engineering covers computing; the office has the application list
        assert stat("mobility_pre_approval", people.coordinator) == {
            "value": 1,
            "url": reverse("mobility:school_queue"),
        }
        submitted.state = ApplicationState.PRE_APPROVED
        submitted.save()
        assert "mobility_pre_approval" not in tiles(people.coordinator)

    def test_review_tile_until_scored_and_never_with_a_conflict(self, world, org, people):
        call = make_call(
            unit=org.intl_office, state=CallState.CLOSED, destinations=[(world.partner, 2, world.outgoing)]
        )
        CallReviewer.objects.create(call=call, user=people.staff)
        one = make_application(call, student_user(org.computing, "rev1"), state=ApplicationState.PRE_APPROVED)
        two = make_application(call, student_user(org.computing, "rev2"), state=ApplicationState.PRE_APPROVED)
        make_application(call, student_user(org.computing, "rev3"), state=ApplicationState.SUBMITTED)
        seen = {name for name, user in everyone(people, world).items() if "mobility_reviews" in tiles(user)}
        assert seen == {"staff"}

        def value():
            return stat("mobility_reviews", people.staff)["value"]

        assert value() == 2
        Review.objects.create(application=one, reviewer=people.staff, points={"motivation": 8})
        assert value() == 2  # a draft review is not done
        Review.objects.filter(application=one).update(submitted_at=timezone.now())
        assert value() == 1
        ReviewConflict.objects.create(application=two, reviewer=people.staff, reason="Relative")
        assert value() == 0

    def test_incoming_nomination_tile_for_those_who_decide(self, world, org, people, student):
        make_mobility(
            partner=world.partner,
            home_unit=org.engineering,
            person=student.person,
            direction=Direction.INCOMING,
            state=MobilityState.NOMINATED,
        )
        make_mobility(  # ours, waiting for the partner: not our decision
            partner=world.partner,
            home_unit=org.engineering,
            person=student.person,
            state=MobilityState.NOMINATED,
        )
        seen = {name for name, user in everyone(people, world).items() if "mobility_incoming" in tiles(user)}
        assert seen == {"admin", "officer", "coordinator"}
        values = stat("mobility_incoming", people.officer)
        assert values["value"] == 1
        assert values["url"].startswith(reverse("mobility:mobility_list") + "?direction=incoming")

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_dashboard_renders_the_tiles(self, client, settings, world, org, people, student, language):
        settings.MOBILITY_BALANCE_GAP = 1
        make_mobility(
            partner=world.partner,
            home_unit=org.engineering,
            person=student.person,
            agreement=world.agreement,
            academic_year=NOW_YEAR,
        )
        client.force_login(people.officer)
        text = client.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'id="stat-mobility_balance_alerts"' in text and 'id="mobility-balance"' in text
        assert f'data-balance-alert="{world.partner.pk}"' in text
        with translation.override(language):
            assert translation.gettext("Exchange-balance alerts") in text


# --- the partner page ---------------------------------------------------------------------------------------


class TestPartnerPanel:
    def _panel(self, partner, user):
        from meridian.partners.selectors import partner_panels

        return next(
            (p for p in partner_panels(partner=partner, user=fresh(user)) if p.key == "mobility"), None
        )

    def test_panel_per_role(self, world, org, people, student):
        ours = make_mobility(
            partner=world.partner, home_unit=org.engineering, person=student.person, agreement=world.agreement
        )
        theirs = make_mobility(
            partner=world.partner,
            home_unit=org.humanities,
            person=student.person,
            direction=Direction.INCOMING,
            agreement=world.agreement,
        )
        officer = self._panel(world.partner, people.officer)
        assert officer is not None
        assert {m.pk for m in officer.context["mobility_recent"]} == {ours.pk, theirs.pk}
        assert set(officer.context["mobility_conditions"]) == {world.outgoing, world.incoming}
        group = officer.context["mobility_balance"].groups[0]
        assert (group.outgoing.persons, group.incoming.persons) == (1, 1)

        coordinator = self._panel(world.partner, people.coordinator)
        assert [m.pk for m in coordinator.context["mobility_recent"]] == [ours.pk]
        other = self._panel(world.partner, people.other_coordinator)
        assert [m.pk for m in other.context["mobility_recent"]] == [theirs.pk]
        assert other.context["mobility_conditions"] == []  # engineering's agreement is not theirs
        assert self._panel(world.partner, people.staff) is None  # nothing of it they may see
        for outsider in (people.student, people.outsider, world.contact, world.other_contact):
            assert self._panel(world.partner, outsider) is None

    def test_leadership_reads_but_the_panel_offers_no_edits(self, world, people):
        panel = self._panel(world.partner, people.leadership)
        assert panel is not None and panel.context["mobility_balance"] is not None

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_partner_page_shows_the_panel(self, client, world, org, people, student, language):
        mobility = make_mobility(
            partner=world.partner, home_unit=org.engineering, person=student.person, agreement=world.agreement
        )
        client.force_login(people.officer)
        text = client.get(reverse("partners:detail", args=[world.partner.pk]), HTTP_ACCEPT_LANGUAGE=language)
        text = text.content.decode()
        assert 'id="mobility"' in text and f'data-mobility="{mobility.number}"' in text
        assert f'data-condition="{world.outgoing.pk}"' in text and f'data-balance-year="{YEAR}"' in text
        with translation.override(language):
            assert translation.gettext("Latest mobilities") in text


# --- partner merge ------------------------------------------------------------------------------------------


class TestMerge:
    def test_exchange_records_follow_the_survivor(self, world, org, people, student):
        survivor, duplicate = world.partner, cast(Partner, PartnerFactory(name="TU Beispiel (duplicate)"))
        agreement = AgreementFactory(
            responsible_unit=org.engineering, partners=[survivor, duplicate], state="active"
        )
        kept = make_condition(agreement, survivor, places=4, year=YEAR)
        clash = make_condition(agreement, duplicate, places=9, year=YEAR)
        moved = make_condition(agreement, duplicate, direction=Direction.INCOMING, places=1, year=YEAR)
        mobility = make_mobility(
            partner=duplicate, home_unit=org.engineering, person=student.person, condition=clash
        )
        call = make_call(unit=org.intl_office, destinations=[(survivor, 2, kept), (duplicate, 3)])
        theirs = call.destinations.get(partner=duplicate)
        both = make_application(call, student_user(org.computing, "m1"))  # ranks survivor 1st, duplicate 2nd
        only = make_application(call, student_user(org.computing, "m2"), preferences=[theirs], offered=theirs)
        equivalence = CourseEquivalence.objects.create(
            partner=duplicate, partner_title="Power Systems", home_title="电力系统", times_approved=2
        )
        CourseEquivalence.objects.create(
            partner=survivor, partner_title="Power Systems", home_title="电力系统", times_approved=3
        )
        la = make_learning_agreement(mobility)
        LearningAgreementCourse.objects.filter(learning_agreement=la).update(equivalence=equivalence)
        table = GradeConversionTable.objects.create(partner=duplicate, name="Noten")
        PartnerFactsheet.objects.create(partner=survivor, contact_email="ours@tub.example")
        PartnerFactsheet.objects.create(partner=duplicate, contact_email="dup@tub.example")

        partner_merge(survivor=survivor, duplicate=duplicate, actor=people.officer)

        assert not CooperationCondition.objects.filter(pk=clash.pk).exists()
        assert CooperationCondition.objects.get(pk=kept.pk).places == 4  # the survivor's places stand
        assert CooperationCondition.objects.get(pk=moved.pk).partner == survivor
        mobility.refresh_from_db()
        assert (mobility.partner, mobility.condition) == (survivor, kept)
        destination = CallDestination.objects.get(call=call, partner=survivor)
        assert destination.places == 5 and not CallDestination.objects.filter(pk=theirs.pk).exists()
        assert list(both.preferences.values_list("rank", "destination")) == [(1, destination.pk)]
        only.refresh_from_db()
        assert only.offered == destination
        assert list(
            ApplicationPreference.objects.filter(application=only).values_list("rank", "destination")
        ) == [(1, destination.pk)]
        merged = CourseEquivalence.objects.get(partner=survivor)
        assert merged.times_approved == 5 and CourseEquivalence.objects.count() == 1
        assert set(LearningAgreementCourse.objects.values_list("equivalence", flat=True)) == {merged.pk}
        table.refresh_from_db()
        assert table.partner == survivor
        assert PartnerFactsheet.objects.get().contact_email == "ours@tub.example"
        notes = Activity.objects.filter(object_id=survivor.pk, verb__in=["factsheet_kept", "conditions_kept"])
        assert {a.verb for a in notes} == {"factsheet_kept", "conditions_kept"}
        factsheet_note = notes.get(verb="factsheet_kept")
        assert "dup@tub.example" in factsheet_note.comment and "was dropped" in factsheet_note.message
        assert factsheet_note.message_zh  # written in both languages

    def test_a_factsheet_without_a_clash_moves(self, world, people):
        duplicate = cast(Partner, PartnerFactory(name="Duplicate"))
        PartnerFactsheet.objects.create(partner=duplicate, contact_email="dup@example.org")
        partner_merge(survivor=world.other_partner, duplicate=duplicate, actor=people.officer)
        assert PartnerFactsheet.objects.get().partner == world.other_partner
        assert not Activity.objects.filter(verb="factsheet_kept").exists()

    def test_merge_comparison_counts(self, world, org, student):
        hook = registry.partner_merge_hooks.get("mobility")
        make_mobility(partner=world.partner, home_unit=org.engineering, person=student.person)
        assert hook.count is not None and hook.count(world.partner) == 3  # two conditions and a mobility
        assert Mobility in hook.models() and PartnerFactsheet in hook.models()


# --- search -------------------------------------------------------------------------------------------------


class TestSearch:
    @pytest.fixture
    def records(self, world, org, student):
        call = make_call(unit=org.intl_office, title_en="Zephyr exchange", destinations=[(world.partner, 2)])
        application = make_application(call, student_user(org.computing, "zephyr", family_name="Zephyrson"))
        mobility = make_mobility(
            partner=world.partner, home_unit=org.engineering, person=application.person, number="MOB-ZEPHYR-1"
        )
        draft = make_call(unit=org.engineering, state=CallState.DRAFT, title_en="Zephyr draft")
        return call, application, mobility, draft

    def _keys(self, user, query="Zephyr"):
        return {g.key: [h.title for h in g.hits] for g in search_everything(user=fresh(user), query=query)}

    def test_search_per_role(self, world, people, records):
        call, application, mobility, draft = records
        officer = self._keys(people.officer)
        assert len(officer["exchange_calls"]) == 2
        assert officer["exchange_applications"] == [f"{application.number} {application.person}"]
        assert officer["mobilities"] == [f"{mobility.number} {mobility.person}"]
        coordinator = self._keys(people.coordinator)  # engineering: its draft call, computing's students
        assert len(coordinator["exchange_calls"]) == 2 and "exchange_applications" in coordinator
        other = self._keys(people.other_coordinator)
        assert other.get("exchange_calls") == [f"{call.number} {call.title}"]  # opened calls only
        assert "exchange_applications" not in other and "mobilities" not in other
        staff = self._keys(people.staff)
        assert "exchange_applications" not in staff and "mobilities" not in staff

    def test_students_and_partner_contacts_search_none_of_it(self, world, people, records):
        for user in (people.student, records[1].student, world.contact, people.outsider):
            found = self._keys(user)
            assert not {"exchange_calls", "exchange_applications", "mobilities"} & set(found)

    def test_every_word_must_match(self, people, records):
        assert "mobilities" not in self._keys(people.officer, "Zephyr nowhere")
        assert self._keys(people.officer, "MOB-ZEPHYR Zephyrson")["mobilities"]


# --- activity, reports, figures -----------------------------------------------------------------------------


class TestActivity:
    def test_activity_of_applications_and_mobilities_reaches_staff_only(self, world, org, people, student):
        mobility = make_mobility(partner=world.partner, home_unit=org.engineering, person=student.person)
        mobility.student = student
        mobility.save()
        activity_record(target=mobility, verb="note", message="Internal remark about the nomination")
        assert any(
            row.activity.object_id == mobility.pk for row in recent_activity(user=fresh(people.officer))
        )
        assert any(
            row.activity.object_id == mobility.pk for row in recent_activity(user=fresh(people.coordinator))
        )
        for user in (student, world.contact, people.other_coordinator, people.outsider):
            rows = recent_activity(user=fresh(user))
            assert not any(row.activity.text == "Internal remark about the nomination" for row in rows)

    def test_feed_urls_point_to_the_record(self, world, org, student):
        feed = registry.activity_feeds.get("mobilities")
        assert feed.url(5) == reverse("mobility:mobility_detail", args=[5])


class TestReports:
    def test_datasets_for_the_office_and_schools(self, client, world, org, people, student):
        make_mobility(
            partner=world.partner,
            home_unit=org.engineering,
            person=student.person,
            agreement=world.agreement,
            mobility_type=MobilityType.SEMESTER,
            months=Decimal("4.5"),
        )
        dataset = registry.report_datasets.get("mobilities")
        seen = {n for n, u in everyone(people, world).items() if dataset.visible(u)}
        assert seen == {"admin", "officer", "leadership", "coordinator", "other_coordinator"}
        rows = list(dataset.rows(people.officer))
        assert rows == [
            {
                "year": f"{YEAR}/{YEAR + 1}",
                "direction": "Outgoing (we send)",
                "partner": world.partner.display_name,
                "country": world.partner.country.name_en if world.partner.country else "",
                "school": "School of Engineering",
                "mobility_type": "Semester study",
                "realised": 0,
                "planned": 1,
                "months": 4.5,
            }
        ]
        assert list(dataset.rows(people.other_coordinator)) == []
        balance = list(registry.report_datasets.get("exchange-balance").rows(people.officer))
        assert {r["partner"] for r in balance} == {
            world.partner.display_name,
            world.other_partner.display_name,
        }
        client.force_login(people.officer)
        response = client.get(reverse("reports:download", args=["exchange-balance"]))
        assert response.status_code == 200 and b"All agreements" in response.content
        client.force_login(people.staff)
        assert client.get(reverse("reports:download", args=["mobilities"])).status_code == 404


class TestPublicFigures:
    def test_exchange_students_this_academic_year(self, world, org, people, student):
        def add(direction, state, year=NOW_YEAR, mobility_type=MobilityType.SEMESTER):
            make_mobility(
                partner=world.partner,
                home_unit=org.engineering,
                person=student.person,
                direction=direction,
                state=state,
                academic_year=year,
                mobility_type=mobility_type,
            )

        add(Direction.OUTGOING, MobilityState.ACTIVE)
        add(Direction.OUTGOING, MobilityState.COMPLETED)
        add(Direction.INCOMING, MobilityState.ACCEPTED)
        add(Direction.INCOMING, MobilityState.NOMINATED)  # not yet an exchange student
        add(Direction.INCOMING, MobilityState.ACTIVE, year=NOW_YEAR - 1)
        add(Direction.OUTGOING, MobilityState.ACTIVE, mobility_type=MobilityType.STAFF_TEACHING)
        figures = {key: registry.public_figures.get(key).compute() for key in (
            "exchange_students", "exchange_students_outgoing", "exchange_students_incoming",
        )}  # fmt: skip
        assert figures == {
            "exchange_students": 3,
            "exchange_students_outgoing": 2,
            "exchange_students_incoming": 1,
        }

    def test_partners_with_places_and_the_cache_watch(self, world, org):
        this_year = AgreementFactory(
            responsible_unit=org.engineering,
            partners=[world.partner],
            state="active",
            start_date=datetime.date(NOW_YEAR, 9, 1),
            end_date=None,
        )
        make_condition(this_year, world.partner, year=None)
        assert registry.public_figures.get("exchange_place_partners").compute() == 1
        watched = registry.cache_watches.get("mobility-figures").models()
        assert Mobility in watched and CooperationCondition in watched
