"""The exchange balance: persons and months per agreement, partner and academic year against the places of the
conditions (conditions of every year included), the alert thresholds, who may see what, the page with its
filters and exports in both languages, and a query count that does not grow with the rows."""

from __future__ import annotations

import csv
import datetime
import io
import math
from decimal import Decimal
from typing import cast

import pytest
from django.urls import reverse
from django.utils import translation

from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory
from meridian.mobility.choices import Direction, MobilityState, MobilityType
from meridian.mobility.selectors.balance import (
    academic_year_of,
    alert_count,
    balance_years,
    exchange_balance,
    imbalance_of,
    months_from_days,
    partners_with_places_count,
)
from meridian.mobility.tests.factories import YEAR, make_condition, make_mobility, student_user
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.workflow.testing import assert_flat_queries

M = MobilityState
OUT, IN = Direction.OUTGOING, Direction.INCOMING


@pytest.fixture
def thresholds(settings):
    settings.MOBILITY_BALANCE_GAP = 3
    settings.MOBILITY_BALANCE_RATIO = 2.0
    return settings


@pytest.fixture
def student(org):
    return student_user(org.computing, "balance-student")


def mob(world, org, student, direction=OUT, state=M.ACCEPTED, **fields):
    values = {"agreement": world.agreement, "months": Decimal(5)}
    values.update(fields)
    return make_mobility(
        partner=values.pop("partner", world.partner),
        home_unit=values.pop("home_unit", org.engineering),
        person=student.person,
        direction=direction,
        state=state,
        **values,
    )


def only_group(balance, partner, year=YEAR):
    found = [g for g in balance.groups if g.partner_id == partner.pk and g.year == year]
    assert len(found) == 1, [(g.partner_id, g.year) for g in balance.groups]
    return found[0]


# --- the figures ------------------------------------------------------------------------------------------


class TestFigures:
    def test_realised_and_planned_persons_and_months_against_places(self, world, org, people, student):
        for state in (M.ACCEPTED, M.ACTIVE):
            mob(world, org, student, state=state)
        for state in (M.NOMINATED, M.DOCUMENTS_REQUESTED):
            mob(world, org, student, state=state, months=Decimal(4))
        for state in (M.REJECTED, M.CANCELLED):  # never counted
            mob(world, org, student, state=state)
        mob(world, org, student, mobility_type=MobilityType.STAFF_TEACHING)  # staff places: not here
        # Actual dates win over the planned months: 150 days → 5.0 months.
        mob(
            world,
            org,
            student,
            direction=IN,
            state=M.RETURNED,
            months=Decimal(4),
            actual_start=datetime.date(YEAR, 9, 1),
            actual_end=datetime.date(YEAR + 1, 1, 28),
        )
        mob(world, org, student, direction=IN, state=M.INVITED, months=None)

        group = only_group(exchange_balance(user=people.officer, year=YEAR), world.partner)
        out, inc = group.outgoing, group.incoming
        assert (out.places, out.capacity_months) == (2, Decimal(10))
        assert (out.realised, out.planned, out.persons) == (2, 2, 4)
        assert (out.realised_months, out.planned_months, out.months) == (Decimal(10), Decimal(8), Decimal(18))
        assert out.over_places and out.over_months and out.places_left == -2
        assert (inc.places, inc.realised, inc.planned, inc.months) == (2, 1, 1, Decimal("5.0"))
        assert not inc.over_places
        assert group.difference == 2 and group.ratio == 2.0
        assert group.alerts == ["outgoing_over"]  # a gap of 2 is under the threshold of 3
        assert [r.agreement for r in group.agreements] == [world.agreement]

    def test_months_from_days_counts_thirty_day_months(self):
        assert months_from_days(150) == Decimal("5.0")
        assert months_from_days(31) == Decimal("1.0")
        assert months_from_days(46) == Decimal("1.5")  # 1.533… rounds to one decimal

    def test_agreement_comes_from_the_condition_else_no_agreement(self, world, org, people, student):
        mob(world, org, student, agreement=None, condition=world.outgoing)
        mob(world, org, student, agreement=None)
        group = only_group(exchange_balance(user=people.officer, year=YEAR), world.partner)
        rows = {r.agreement_id: r for r in group.agreements}
        assert set(rows) == {world.agreement.pk, None}
        assert rows[world.agreement.pk].outgoing.realised == 1
        assert rows[None].outgoing.realised == 1 and rows[None].no_agreement
        assert rows[None].outgoing.places == 0 and rows[None].outgoing.over_places
        assert group.outgoing.persons == 2 and group.outgoing.places == 2

    def test_conditions_without_a_year_count_for_every_year_of_the_agreement(self, world, org, people):
        agreement = cast(
            Agreement,
            AgreementFactory(
                responsible_unit=org.engineering,
                partners=[world.partner],
                state="active",
                start_date=datetime.date(YEAR - 1, 9, 1),  # academic year YEAR - 1
                end_date=datetime.date(YEAR + 2, 6, 30),  # still academic year YEAR + 1
            ),
        )
        make_condition(agreement, world.partner, direction=OUT, places=3, year=None, total_months=None)
        make_condition(
            agreement, world.partner, direction=IN, places=1, year=YEAR + 1, total_months=Decimal(9)
        )

        def row(year):
            balance = exchange_balance(user=people.officer, year=year, agreement_id=agreement.pk)
            return [(g.year, g.outgoing.places, g.incoming.places) for g in balance.groups]

        assert row(YEAR - 2) == []
        assert row(YEAR - 1) == [(YEAR - 1, 3, 0)]
        assert row(YEAR) == [(YEAR, 3, 0)]
        assert row(YEAR + 1) == [(YEAR + 1, 3, 1)]
        assert row(YEAR + 2) == []
        # Beside a condition of the year, both count; months unknown stay unknown.
        group = only_group(exchange_balance(user=people.officer, year=YEAR), world.partner)
        assert group.outgoing.places == 2 + 3 and group.outgoing.capacity_months == Decimal(10)
        every_year = next(r for r in group.agreements if r.agreement_id == agreement.pk)
        assert every_year.outgoing.capacity_months is None
        # Every year: the years with figures (and this academic year) get the every-year places.
        years = {g.year for g in exchange_balance(user=people.officer, agreement_id=agreement.pk).groups}
        assert years == {YEAR + 1}  # the only year with figures within the agreement's period

    def test_academic_years_start_in_september(self):
        assert academic_year_of(datetime.date(2026, 9, 1)) == 2026
        assert academic_year_of(datetime.date(2027, 8, 31)) == 2026
        assert academic_year_of(datetime.date(2027, 2, 1)) == 2026


# --- the alert ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outgoing", "incoming", "alert"),
    [
        (0, 0, False),
        (2, 0, False),  # gap 2 < 3, though the ratio is infinite
        (3, 0, True),  # gap 3, smaller side 0: infinite ratio
        (0, 3, True),
        (6, 3, True),  # gap 3, ratio exactly 2
        (7, 4, False),  # gap 3, ratio 1.75
        (4, 1, True),
        (5, 3, False),
        (10, 6, False),  # gap 4, ratio 1.67
        (12, 6, True),
    ],
)
def test_imbalance_needs_both_the_gap_and_the_ratio(thresholds, outgoing, incoming, alert):
    assert imbalance_of(outgoing, incoming) is alert
    assert imbalance_of(incoming, outgoing) is alert


def test_thresholds_come_from_the_settings(settings):
    settings.MOBILITY_BALANCE_GAP = 1
    settings.MOBILITY_BALANCE_RATIO = 1.5
    assert imbalance_of(3, 2) is True
    assert imbalance_of(4, 3) is False
    settings.MOBILITY_BALANCE_GAP = 5
    assert imbalance_of(4, 0) is False


class TestAlerts:
    def test_partner_year_alert_and_filters(self, thresholds, world, org, people, student):
        for _ in range(3):
            mob(world, org, student, direction=IN, state=M.NOMINATED)
        other = only_group(exchange_balance(user=people.officer, year=YEAR), world.other_partner)
        assert not other.any_alert and other.leaning == "even"

        group = only_group(exchange_balance(user=people.officer, year=YEAR), world.partner)
        assert group.incoming.persons == 3 and group.outgoing.persons == 0
        assert group.ratio == math.inf and group.ratio_label == "∞"
        assert group.alerts == ["imbalance", "incoming_over"] and group.leaning == "incoming"
        assert group.agreements[0].alerts == ["imbalance", "incoming_over"]

        alerts = exchange_balance(user=people.officer, year=YEAR, alerts_only=True)
        assert [g.partner_id for g in alerts.groups] == [world.partner.pk]
        assert alerts.alert_count == 1
        assert exchange_balance(user=people.officer, year=YEAR, leaning="outgoing").groups == []
        leaning_in = exchange_balance(user=people.officer, year=YEAR, leaning="incoming")
        assert [g.partner_id for g in leaning_in.groups] == [world.partner.pk]
        assert alert_count(user=people.officer, year=YEAR) == 1
        assert alert_count(user=people.officer, year=YEAR + 1) == 0

    def test_an_agreement_row_alert_marks_its_partner_year(self, thresholds, world, org, people, student):
        second = AgreementFactory(responsible_unit=org.engineering, partners=[world.partner], state="active")
        make_condition(second, world.partner, direction=IN, places=3)
        world.outgoing.places = 3
        world.outgoing.save()
        for _ in range(3):
            mob(world, org, student, direction=IN, state=M.ACCEPTED, agreement=second)
        for _ in range(3):
            mob(world, org, student, direction=OUT, state=M.ACCEPTED, agreement=world.agreement)
        group = only_group(exchange_balance(user=people.officer, year=YEAR), world.partner)
        assert group.alerts == [] and group.any_alert  # balanced overall, but each agreement is not
        assert exchange_balance(user=people.officer, year=YEAR, alerts_only=True).alert_count == 1


# --- who sees what ----------------------------------------------------------------------------------------


class TestVisibility:
    def test_figures_count_only_what_the_reader_may_see(self, world, org, people, student):
        mob(world, org, student)  # engineering
        mob(world, org, student, home_unit=org.humanities)
        officer = only_group(exchange_balance(user=people.officer, year=YEAR), world.partner)
        assert officer.outgoing.persons == 2
        coordinator = only_group(exchange_balance(user=people.coordinator, year=YEAR), world.partner)
        assert coordinator.outgoing.persons == 1  # engineering's own mobility only
        humanities = exchange_balance(user=people.other_coordinator, year=YEAR)
        assert sum(g.outgoing.persons for g in humanities.groups) == 1
        assert all(
            g.outgoing.places == 0 for g in humanities.groups
        )  # engineering's agreements are not theirs

    def test_partner_contacts_and_students_count_nothing_of_others(self, world, org, people, student):
        mob(world, org, student, partner=world.other_partner, agreement=world.other_agreement)
        balance = exchange_balance(user=world.contact, year=YEAR)
        assert {g.partner_id for g in balance.groups} <= {world.partner.pk}
        assert exchange_balance(user=people.outsider, year=YEAR).groups == []


# --- the page and its exports -----------------------------------------------------------------------------

PAGE_ROLES = {
    "admin": 200,
    "officer": 200,
    "leadership": 200,
    "coordinator": 200,
    "other_coordinator": 200,
    "staff": 403,
    "student": 403,
    "outsider": 403,
}


class TestPage:
    @pytest.mark.parametrize(("role", "status"), PAGE_ROLES.items())
    def test_who_may_open_the_page_and_exports(self, client, world, people, role, status):
        client.force_login(getattr(people, role))
        assert client.get(reverse("mobility:balance")).status_code == status
        assert client.get(reverse("mobility:balance_export")).status_code == status

    @pytest.mark.parametrize("who", ["contact", "viewer", "other_contact"])
    def test_partner_contacts_are_refused(self, client, world, who):
        client.force_login(getattr(world, who))
        assert client.get(reverse("mobility:balance")).status_code == 403
        assert client.get(reverse("mobility:balance_export")).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client, db):
        assert client.get(reverse("mobility:balance")).status_code == 302

    def test_page_shows_rows_alerts_and_defaults_to_this_academic_year(
        self, thresholds, client, world, org, people, student
    ):
        for _ in range(3):
            mob(world, org, student, direction=IN, state=M.NOMINATED)
        client.force_login(people.officer)
        first = client.get(reverse("mobility:balance")).content.decode()
        assert f'data-balance="{world.partner.pk}-{YEAR}"' not in first  # this year, not 2099
        text = client.get(reverse("mobility:balance"), {"year": YEAR}).content.decode()
        assert f'data-balance="{world.partner.pk}-{YEAR}"' in text
        assert "Unbalanced: the partner sends 3, we send 0." in text
        assert 'id="alert-count"' in text
        text = client.get(reverse("mobility:balance"), {"year": YEAR, "alerts": "on"}).content.decode()
        assert f'data-balance="{world.other_partner.pk}-{YEAR}"' not in text
        text = client.get(reverse("mobility:balance"), {"year": "", "partner": world.other_partner.pk})
        assert f'data-balance="{world.other_partner.pk}-{YEAR}"' in text.content.decode()

    @pytest.mark.parametrize(
        "params",
        [{"year": "abc"}, {"year": "1999"}, {"partner": "999999"}, {"direction": "sideways"}],
    )
    def test_invalid_filters_count_nothing(self, client, world, people, params):
        client.force_login(people.officer)
        text = client.get(reverse("mobility:balance"), params).content.decode()
        assert 'id="filter-errors"' in text and "data-balance=" not in text
        response = client.get(reverse("mobility:balance_export"), params)
        assert response.status_code == 400

    @pytest.mark.parametrize("year", ["2026.5", "2.026e3", "1e400", "2101", "99999999999999999999", "-2026"])
    def test_a_year_out_of_range_is_named_never_rounded(self, client, world, people, year):
        client.force_login(people.officer)
        message = "Give the year the academic year starts in, from 2000 to 2100"
        page = client.get(reverse("mobility:balance"), {"year": year})
        assert page.status_code == 200 and message in page.content.decode()
        assert "data-balance=" not in page.content.decode()
        api = client.get("/api/v1/mobility/balance/", {"year": year})
        assert api.status_code == 400 and message in api.json()["error"]["details"]["year"][0]
        assert client.get(reverse("mobility:balance_export"), {"year": year}).status_code == 400

    def test_partner_filter_offers_only_visible_partners(self, client, world, people):
        hidden = cast(Partner, PartnerFactory(name="Hidden Partner"))
        client.force_login(people.officer)
        assert client.get(reverse("mobility:balance"), {"partner": hidden.pk}).status_code == 200

    def test_export_rejects_an_unknown_format(self, client, world, people):
        client.force_login(people.officer)
        response = client.get(reverse("mobility:balance_export"), {"format": "pdf"})
        assert response.status_code == 400 and "CSV or XLSX" in response.content.decode()

    def test_csv_export_has_the_page_rows(self, thresholds, client, world, org, people, student):
        for _ in range(3):
            mob(world, org, student, direction=IN, state=M.NOMINATED)
        client.force_login(people.officer)
        response = client.get(reverse("mobility:balance_export"), {"year": YEAR, "format": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert lines[0][:3] == ["Academic year", "Partner", "Agreement"]
        total = next(
            line for line in lines if line[1] == world.partner.display_name and line[2] == "All agreements"
        )
        assert total[0] == f"{YEAR}/{YEAR + 1}"
        assert total[3] == "2" and total[10] == "0" and total[11] == "3"  # places out; incoming persons
        assert total[13] == "-3" and total[14] == "∞" and "Unbalanced" in total[15]

    def test_xlsx_export(self, client, world, people):
        client.force_login(people.officer)
        response = client.get(reverse("mobility:balance_export"), {"year": YEAR, "format": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response.content[:2] == b"PK"

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_page_in_both_languages(self, client, world, org, people, student, language):
        mob(world, org, student)
        client.force_login(people.officer)
        text = client.get(reverse("mobility:balance"), {"year": YEAR}, HTTP_ACCEPT_LANGUAGE=language)
        text = text.content.decode()
        with translation.override(language):
            for msgid in ("Exchange balance", "Outgoing (we send)", "Alerts only", "Download:"):
                assert translation.gettext(msgid) in text
        assert f'lang="{language}"' in text

    def test_query_count_does_not_grow_with_rows(self, client, world, org, people, student):
        client.force_login(people.officer)

        def add(n):
            for _ in range(n):
                partner = PartnerFactory()
                agreement = AgreementFactory(
                    responsible_unit=org.engineering, partners=[partner], state="active"
                )
                make_condition(agreement, partner, places=1)
                mob(world, org, student, partner=partner, agreement=agreement)
                mob(world, org, student, partner=partner, agreement=agreement, direction=IN, state=M.APPLIED)

        assert_flat_queries(
            fetch=lambda: client.get(reverse("mobility:balance"), {"year": YEAR}), add_rows=add
        )


def test_year_choices_and_public_place_count(world, org, people, student):
    mob(world, org, student, academic_year=YEAR + 3)
    assert {YEAR, YEAR + 3} <= set(balance_years(user=people.officer))
    assert YEAR + 3 not in balance_years(user=people.other_coordinator)
    assert partners_with_places_count(year=YEAR) == 2  # both partners' agreements are active
    world.other_agreement.state = "expired"
    world.other_agreement.save()
    assert partners_with_places_count(year=YEAR) == 1
