"""Statistics of visitors and the annual records of foreign experts: exact figures on a small fixture, who
sees which figures, the pages with their filters (invalid ones reported, never ignored), the CSV and XLSX
exports, the report datasets and the public figures."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meridian.accounts.choices import Role
from meridian.accounts.services import membership_grant, user_create
from meridian.core.registry import registry
from meridian.people.models import Person
from meridian.reference.tests.factories import country
from meridian.visitors import statistics
from meridian.visitors.choices import ExpertState, VisitCategory, VisitState
from meridian.visitors.models import Visit
from meridian.visitors.selectors import stats
from meridian.visitors.tests.factories import make_guest, make_hiring, make_visit
from meridian.workflow.testing import partner_contact_user

D = datetime.date
TODAY = datetime.date.today()


def france():
    return country("FR", "France", "法国")


def _visit(org_unit, host, state, arrive, *, guests=1, **fields):
    return make_visit(
        host_unit=org_unit,
        host=host,
        state=state,
        guests=guests,
        arrive_on=arrive,
        depart_on=arrive + datetime.timedelta(days=2),
        **fields,
    )


@pytest.fixture
def visits(org, people):
    """2030 (a year no other test data uses): computing hosts a delegation of 3 (2 German, 1 French) in March,
    closed; engineering a hosted official delegation of 1 in March and an approved visit in May from
    "heidelberg university " (the same typed organisation); humanities a French guest in May, arrived, and a
    draft in June; 2029: one closed computing visit."""
    a = _visit(org.computing, people.staff, VisitState.CLOSED, D(2030, 3, 2), guests=2)
    make_guest(a, family_name="Dupont", nationality=france())
    b = _visit(
        org.engineering,
        people.staff,
        VisitState.HOSTED,
        D(2030, 3, 20),
        category=VisitCategory.OFFICIAL_DELEGATION,
        guest_organisation="Bundesministerium",
    )
    c = _visit(
        org.engineering,
        people.staff,
        VisitState.APPROVED,
        D(2030, 5, 5),
        guest_organisation="heidelberg  university ",
    )
    # The guest's own nationality (German) counts, not the visit's country of the guests.
    d = _visit(
        org.humanities, people.other_coordinator, VisitState.ARRIVED, D(2030, 5, 9), guest_country=france()
    )
    e = _visit(org.humanities, people.other_coordinator, VisitState.DRAFT, D(2030, 6, 1))
    f = _visit(org.computing, people.staff, VisitState.CLOSED, D(2029, 4, 1))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def rows(table):
    return [(r["key"], r["visits"], r["guests"], r["hosted"]) for r in table]


class TestVisitFigures:
    def test_office_counts_every_unit(self, people, visits):
        figures = stats.visit_stats(user=people.officer, year=2030, state="approved")
        # a, b, c, d (approved and later); the draft and 2029 are left out
        assert (figures.visits, figures.guests, figures.hosted) == (4, 6, 2)
        assert rows(figures.tables["country"]) == [("DE", 4, 5, 2), ("FR", 1, 1, 1)]
        assert [r["label"] for r in figures.tables["country"]] == ["Germany", "France"]
        assert rows(figures.tables["category"]) == [
            (VisitCategory.OFFICIAL_DELEGATION, 1, 1, 1),
            (VisitCategory.VISITING_SCHOLAR, 3, 5, 1),
        ]
        assert [(r["label"], r["visits"], r["hosted"]) for r in figures.tables["unit"]] == [
            ("School of Engineering", 2, 1),
            ("Department of Computing", 1, 1),
            ("School of Humanities", 1, 0),
        ]
        months = {r["key"]: (r["visits"], r["guests"]) for r in figures.tables["month"]}
        assert len(months) == 12
        assert months[3] == (2, 4) and months[5] == (2, 2) and months[6] == (0, 0)

    def test_typed_organisations_differing_in_case_and_spaces_are_one(self, people, visits):
        figures = stats.visit_stats(user=people.officer, year=2030, state="approved")
        # "heidelberg  university " (c) joins "Heidelberg University" (a, d), named as most visits name it
        assert [
            (r["label"], r["visits"], r["guests"], r["hosted"]) for r in figures.tables["organisation"]
        ] == [
            ("Heidelberg University", 3, 5, 1),
            ("Bundesministerium", 1, 1, 1),
        ]

    def test_state_groups(self, people, visits):
        hosted = stats.visit_stats(user=people.officer, year=2030, state="hosted")
        assert (hosted.visits, hosted.hosted) == (2, 2)
        every = stats.visit_stats(user=people.officer, year=None, state="all")
        assert every.visits == 6
        draft = stats.visit_stats(user=people.officer, year=2030, state=VisitState.DRAFT)
        assert draft.visits == 1
        with pytest.raises(KeyError):
            stats.states_for("bogus")

    def test_coordinator_counts_only_their_units(self, people, visits):
        figures = stats.visit_stats(user=people.coordinator, year=2030, state="approved")
        assert (figures.visits, figures.guests) == (3, 5)  # a, b, c: engineering and computing
        assert {r["label"] for r in figures.tables["unit"]} == {
            "School of Engineering",
            "Department of Computing",
        }
        other = stats.visit_stats(user=people.other_coordinator, year=2030, state="approved")
        assert other.visits == 1

    def test_others_count_nothing(self, people, visits):
        for user in (people.staff, people.student, people.outsider):
            assert stats.visit_stats(user=user, year=None, state="all").visits == 0

    def test_years(self, people, visits):
        years = stats.visit_years(user=people.officer)
        assert {2030, 2029, TODAY.year} <= set(years)
        assert years == sorted(years, reverse=True)


@pytest.fixture
def experts(org, people):
    """2025: computing employs a category-A German (programme "Thousand Talents", 100 000 CNY) whose work
    permit expires in 20 days and residence permit in 75; engineering employs a category-B French expert
    (programme "thousand  talents", 50 000) whose work permit expired 3 days ago; humanities a teacher without
    category, left in 2025; a computing candidate (not on staff, permit expiring in 10 days but not issued);
    a left expert whose contract ended in 2024."""
    on: dict[str, Any] = {"contract_starts_on": D(2024, 9, 1), "contract_ends_on": D(2027, 8, 31)}
    a = make_hiring(
        host_unit=org.computing,
        state=ExpertState.EMPLOYED,
        permit_category="A",
        talent_programme="Thousand Talents",
        programme_funds=Decimal("100000"),
        permit_expires_on=TODAY + datetime.timedelta(days=20),
        residence_permit_expires_on=TODAY + datetime.timedelta(days=75),
        **on,
    )
    b = make_hiring(
        host_unit=org.engineering,
        state=ExpertState.RESIDENCE_PERMIT,
        permit_category="B",
        talent_programme="thousand  talents",
        programme_funds=Decimal("50000"),
        permit_expires_on=TODAY - datetime.timedelta(days=3),
        **on,
    )
    assert b.person is not None
    b.person.nationality = france()
    b.person.save()
    c = make_hiring(
        host_unit=org.humanities, state=ExpertState.LEFT, permit_category="", left_on=D(2025, 6, 30), **on
    )
    d = make_hiring(
        host_unit=org.computing,
        state=ExpertState.CANDIDATE,
        permit_expires_on=TODAY + datetime.timedelta(days=10),
        **on,
    )
    e = make_hiring(
        host_unit=org.computing,
        state=ExpertState.LEFT,
        contract_starts_on=D(2022, 1, 1),
        contract_ends_on=D(2024, 6, 30),
        left_on=D(2024, 6, 30),
    )
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


class TestExpertRecords:
    def test_on_staff_by_category_country_and_unit(self, people, experts):
        records = stats.expert_records(user=people.officer, year=2025)
        assert records.on_staff == 3  # a, b, c; not the candidate, not the one who left in 2024
        assert [(r["key"], r["experts"]) for r in records.categories] == [("A", 1), ("B", 1), ("", 1)]
        assert [(r["key"], r["experts"]) for r in records.countries] == [("DE", 2), ("FR", 1)]
        assert [(r["label"], r["experts"]) for r in records.units] == [
            ("School of Engineering", 1),
            ("Department of Computing", 1),
            ("School of Humanities", 1),
        ]
        assert stats.expert_records(user=people.officer, year=2024).on_staff == 4  # e too; d is no staff

    def test_programmes_merge_names_and_sum_funds(self, people, experts):
        records = stats.expert_records(user=people.officer, year=2025)
        assert [(r["label"], r["experts"], r["funds"]) for r in records.programmes] == [
            ("Thousand Talents", 2, Decimal("150000")),
            ("No talent programme", 1, Decimal("0")),
        ]
        assert records.funds == Decimal("150000")

    def test_expiring_permits_by_window(self, people, experts):
        records = stats.expert_records(user=people.officer, year=2025)
        assert [(r.number, r.permit, r.days_left) for r in records.expiring] == [
            (experts["b"].number, "work", -3),
            (experts["a"].number, "work", 20),
            (experts["a"].number, "residence", 75),
        ]
        assert records.expiry == {"expired": 1, "30": 1, "60": 1, "90": 2}

    def test_coordinator_sees_their_units_only(self, people, experts):
        records = stats.expert_records(user=people.coordinator, year=2025)
        assert records.on_staff == 2
        assert {r.number for r in records.expiring} == {experts["a"].number, experts["b"].number}
        assert stats.expert_records(user=people.staff, year=2025).on_staff == 0


# --- pages --------------------------------------------------------------------------------------------------


def _other_staff(org):
    user = user_create(username="other-staff", email="other-staff@meridian.example", password="x-other")
    membership_grant(user=user, unit=org.computing, role=Role.STAFF)
    return user


PAGES = {
    "visitors:stats": "visitors:stats_export",
    "visitors:expert_records": "visitors:expert_records_export",
}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("officer", True),
        ("leadership", True),
        ("coordinator", True),
        ("other_coordinator", True),
        ("staff", False),
        ("student", False),
        ("outsider", False),
    ],
)
def test_page_permissions(client, people, role, allowed):
    client.force_login(getattr(people, role))
    for page, export in PAGES.items():
        assert client.get(reverse(page)).status_code == (200 if allowed else 403), page
        assert client.get(reverse(export, args=["unit"])).status_code == (200 if allowed else 403), export


def test_partner_contact_and_anonymous_are_refused(client, org, people):
    for name in ("visitors:stats", "visitors:expert_records"):
        anonymous = client.get(reverse(name))
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    client.force_login(partner_contact_user(org))
    assert client.get(reverse("visitors:stats")).status_code == 403
    assert client.get(reverse("visitors:expert_records")).status_code == 403


def test_stats_page_shows_the_tables(client, people, visits):
    client.force_login(people.officer)
    response = client.get(reverse("visitors:stats"), {"year": "2030"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="by-country"' in html and 'data-country="DE"' in html
    assert 'data-category="official_delegation"' in html
    assert "School of Humanities" in html
    figures = response.context["figures"]
    assert figures.visits == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "20x0"}, "Year of arrival"),
        ({"year": "1999"}, "Year of arrival"),
        ({"state": "bogus"}, "State"),
    ],
)
def test_invalid_filters_are_reported_and_nothing_is_counted(client, people, visits, params, field):
    client.force_login(people.officer)
    response = client.get(reverse("visitors:stats"), params)
    assert response.status_code == 200
    assert response.context["figures"] is None
    assert 'id="filter-errors"' in response.content.decode()
    assert [label for label, _message in response.context["filter_errors"]] == [field]
    export = client.get(reverse("visitors:stats_export", args=["country"]), params)
    assert export.status_code == 400
    assert field in export.content.decode()


def test_csv_export_content(client, people, visits):
    client.force_login(people.coordinator)
    response = client.get(reverse("visitors:stats_export", args=["country"]), {"year": "2030"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == ["ISO code", "Country or territory", "Visits", "Guests", "Visits hosted or closed"]
    assert table[1:] == [["DE", "Germany", "3", "4", "2"], ["FR", "France", "1", "1", "1"]]


def test_xlsx_export_content(client, people, visits):
    client.force_login(people.officer)
    response = client.get(
        reverse("visitors:stats_export", args=["category"]),
        {"year": "2030", "state": "hosted", "format": "xlsx"},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Code", "Category", "Visits", "Guests", "Visits hosted or closed"]
    assert values[1:] == [
        ["official_delegation", "Official or government delegation", 1, 1, 1],
        ["visiting_scholar", "Visiting scholar giving lectures", 1, 3, 1],
    ]


def test_export_refuses_an_unknown_format_and_table(client, people):
    client.force_login(people.officer)
    assert (
        client.get(reverse("visitors:stats_export", args=["country"]), {"format": "pdf"}).status_code == 400
    )
    assert client.get(reverse("visitors:stats_export", args=["nonsense"])).status_code == 404
    assert client.get(reverse("visitors:expert_records_export", args=["nonsense"])).status_code == 404


def test_expert_records_page_and_exports(client, people, experts):
    client.force_login(people.officer)
    response = client.get(reverse("visitors:expert_records"), {"year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-category="A"' in html and 'data-country="FR"' in html
    assert f'data-hiring="{experts["b"].pk}"' in html
    assert 'id="funds-total">150000.00' in html
    export = client.get(reverse("visitors:expert_records_export", args=["expiring"]), {"year": "2025"})
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row[0] for row in table[1:]] == [experts["b"].number, experts["a"].number, experts["a"].number]
    assert table[1][5] == "-3"
    xlsx = client.get(
        reverse("visitors:expert_records_export", args=["programmes"]), {"year": "2025", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert list(sheet.iter_rows(values_only=True))[1] == ("Thousand Talents", 2, 150000)


def test_expert_records_invalid_year(client, people, experts):
    client.force_login(people.officer)
    response = client.get(reverse("visitors:expert_records"), {"year": "all"})
    assert response.status_code == 200 and response.context["records"] is None
    assert 'id="filter-errors"' in response.content.decode()
    assert (
        client.get(reverse("visitors:expert_records_export", args=["unit"]), {"year": "x"}).status_code == 400
    )


def test_coordinator_expert_export_holds_only_their_units(client, people, experts):
    client.force_login(people.coordinator)
    export = client.get(reverse("visitors:expert_records_export", args=["unit"]), {"year": "2025"})
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert table[1:] == [["School of Engineering", "1"], ["Department of Computing", "1"]]


# --- registry -----------------------------------------------------------------------------------------------


def test_report_datasets_are_registered_and_scoped(people, visits, experts):
    dataset = registry.report_datasets.get("visitors-by-unit")
    assert dataset.visible(people.coordinator) and not dataset.visible(people.staff)
    rows_2030 = [r for r in dataset.rows(people.coordinator) if r["year"] == 2030]
    assert {(r["label"], r["visits"]) for r in rows_2030} == {
        ("School of Engineering", 2),
        ("Department of Computing", 1),
    }
    columns = [key for key, _label in dataset.columns]
    assert all(set(columns) <= set(r) for r in rows_2030)
    expiring = registry.report_datasets.get("foreign-experts-expiring-permits")
    assert [r["days_left"] for r in expiring.rows(people.officer)] == [-3, 20, 75]
    category = registry.report_datasets.get("foreign-experts-by-category")
    assert {(r["key"], r["experts"]) for r in category.rows(people.officer) if r["year"] == 2025} == {
        ("A", 1),
        ("B", 1),
        ("", 1),
    }
    assert not category.visible(people.student)


def test_public_figures_count_this_years_guests_and_experts(org, people):
    this_year = D(TODAY.year, 1, 10)
    hosted = _visit(org.computing, people.staff, VisitState.HOSTED, this_year, guests=3)
    make_guest(hosted, family_name="Dupont", nationality=france())
    _visit(org.computing, people.staff, VisitState.APPROVED, this_year, guests=2)  # not yet here
    make_hiring(
        host_unit=org.computing,
        state=ExpertState.EMPLOYED,
        contract_starts_on=D(TODAY.year - 1, 9, 1),
        contract_ends_on=D(TODAY.year + 1, 8, 31),
    )
    assert registry.public_figures.get("visitors_guests").compute() == 4
    assert registry.public_figures.get("visitors_countries").compute() == 2
    assert registry.public_figures.get("foreign_experts").compute() == 1
    assert statistics.guests_this_year() == 4


def test_country_falls_back_to_the_visits_country(org, people):
    visit = _visit(org.computing, people.staff, VisitState.CLOSED, D(2031, 2, 1), guest_country=france())
    Person.objects.filter(pk=visit.guests.get().person_id).update(nationality=None)
    figures = stats.visit_stats(user=people.officer, year=2031, state="all")
    assert rows(figures.tables["country"]) == [("FR", 1, 1, 1)]
    Visit.objects.filter(pk=visit.pk).update(guest_country=None)
    figures = stats.visit_stats(user=people.officer, year=2031, state="all")
    assert [(r["key"], r["label"], r["guests"]) for r in figures.tables["country"]] == [
        ("", "Not recorded", 1)
    ]


def test_pages_render_in_chinese(client, people, visits, experts):
    """Both pages render in Chinese (the project catalogue is compiled by the build; Django's own month names
    show the language is switched)."""
    client.force_login(people.officer)
    for name, year in (("visitors:stats", "2030"), ("visitors:expert_records", "2025")):
        response = client.get(reverse(name), {"year": year}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert 'lang="zh-hans"' in response.content.decode()
    response = client.get(reverse("visitors:stats"), {"year": "2030"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "三月" in response.content.decode()


def test_the_totals_have_no_stray_punctuation(client, people, visits):
    """The tryout read "3 visits hosted or closed ." : a full stop outside the translated strings, after the
    figures' closing tag, and so with a space before it once the text is read out."""
    client.force_login(people.officer)
    for name, year in (("visitors:stats", "2030"), ("visitors:expert_records", "2025")):
        html = client.get(reverse(name), {"year": year}).content.decode()
        assert not re.search(r"</\w+>\s*[.,:;]", html), name
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
        assert not re.search(r"\w \.(\s|$)", text), name
    html = client.get(reverse("visitors:stats"), {"year": "2030"}).content.decode()
    assert re.search(r'<p id="totals">4 visits counted · \d+ guests · \d visits? hosted or closed</p>', html)
