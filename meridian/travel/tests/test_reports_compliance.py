"""Compliance selectors read by the rule pack: overdue reports per person, the unit suspension rule, and the
outcomes shown on a partner's page."""

from __future__ import annotations

import datetime
from typing import cast

import pytest

from meridian.agreements.models import Agreement
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.people.choices import PersonKind
from meridian.people.tests.factories import make_person
from meridian.reference.tests.factories import country
from meridian.travel.choices import CustodyState, ReportState
from meridian.travel.models import CustodyItem, TripOutcome
from meridian.travel.selectors import compliance
from meridian.travel.selectors.outcomes import partner_trip_outcomes
from meridian.travel.services import reports
from meridian.travel.tests.test_custody import holder_in, item_for
from meridian.travel.tests.test_reports import returned_trip

DAY = datetime.date(2026, 11, 30)


@pytest.fixture
def report(org, people):
    trip = returned_trip(org, people)
    report = reports.report_prepare(trip=trip, actor=people.staff)
    report.due_on = DAY - datetime.timedelta(days=1)
    report.save()
    return report


def test_travellers_with_an_overdue_report_are_found(report):
    travellers = set(report.trip.members.values_list("person_id", flat=True))
    bystander = make_person(kind=PersonKind.STAFF)
    assert (
        compliance.persons_with_overdue_reports(person_ids=[*travellers, bystander.pk], today=DAY)
        == travellers
    )
    # Due today is not overdue yet.
    assert compliance.persons_with_overdue_reports(person_ids=travellers, today=report.due_on) == set()


def test_a_submitted_report_is_no_longer_overdue(report):
    report.state = ReportState.SUBMITTED
    report.save()
    travellers = report.trip.members.values_list("person_id", flat=True)
    assert compliance.persons_with_overdue_reports(person_ids=travellers, today=DAY) == set()


def test_a_report_overdue_beyond_the_grace_suspends_the_unit(report, org):
    assert compliance.unit_suspension_reasons(unit_id=org.computing.pk, today=DAY) == []
    later = report.due_on + datetime.timedelta(days=15)  # 15 days past: beyond the 14 days of grace
    assert (
        compliance.unit_suspension_reasons(unit_id=org.computing.pk, today=later - datetime.timedelta(days=1))
        == []
    )
    reasons = compliance.unit_suspension_reasons(unit_id=org.computing.pk, today=later)
    assert reasons == [
        f"The report of trip {report.trip.number} was due on {report.due_on.isoformat()} (15 days ago)."
    ]
    assert compliance.unit_suspension_reasons(unit_id=org.humanities.pk, today=later) == []


def test_a_passport_overdue_beyond_the_grace_suspends_the_unit(org, people):
    item = item_for(holder_in(org.computing), people.officer)
    CustodyItem.objects.filter(pk=item.pk).update(state=CustodyState.ISSUED, due_back_on=DAY)
    assert (
        compliance.unit_suspension_reasons(unit_id=org.computing.pk, today=DAY + datetime.timedelta(days=14))
        == []
    )
    reasons = compliance.unit_suspension_reasons(
        unit_id=org.computing.pk, today=DAY + datetime.timedelta(days=20)
    )
    assert reasons == [
        f"The official or service passport of WANG Wu was due back on {DAY.isoformat()} (20 days ago)."
    ]
    CustodyItem.objects.filter(pk=item.pk).update(state=CustodyState.IN_CUSTODY)
    assert (
        compliance.unit_suspension_reasons(unit_id=org.computing.pk, today=DAY + datetime.timedelta(days=20))
        == []
    )


def test_the_grace_comes_from_the_rule_set_or_defaults_to_14(report, org, monkeypatch):
    from meridian.travel import rules

    def no_such_rule(code, name):
        raise KeyError(code)

    monkeypatch.setattr(rules, "parameter", no_such_rule)
    assert compliance.suspension_grace_days() == 14
    monkeypatch.setattr(rules, "parameter", lambda code, name: 3)
    assert compliance.unit_suspension_reasons(
        unit_id=org.computing.pk, today=report.due_on + datetime.timedelta(4)
    )


def test_partner_outcomes_follow_trip_visibility(report, org, people):
    partner = cast(Partner, PartnerFactory(name="Universität Heidelberg", country=country()))
    agreement = cast(
        Agreement, AgreementFactory(state="active", responsible_unit=org.computing, partners=[partner])
    )
    TripOutcome.objects.create(
        trip=report.trip, kind="agreement", description="MoU signed", partner=partner, agreement=agreement
    )
    TripOutcome.objects.create(trip=report.trip, kind="contact", description="Unrelated")
    rows = partner_trip_outcomes(partner_id=partner.pk, user=people.coordinator)
    assert [r.description for r in rows] == ["MoU signed"]
    assert getattr(rows[0], "visible_agreement") == agreement  # set by partner_trip_outcomes()
    assert partner_trip_outcomes(partner_id=partner.pk, user=people.other_coordinator) == []
    assert len(partner_trip_outcomes(partner_id=partner.pk, user=people.leadership)) == 1
    # The compliance module re-exports it.
    assert compliance.partner_trip_outcomes is partner_trip_outcomes
