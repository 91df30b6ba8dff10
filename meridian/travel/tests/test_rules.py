"""The official-travel rule pack: every rule passing and failing, with its message and source; the live check
agrees with the saved check; blocking messages and justifications; results stored with the version."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import cast

import pytest
from django.utils import translation

from meridian.people.choices import DocumentType, PersonKind
from meridian.people.models import IdentityDocument
from meridian.people.tests.factories import IdentityDocumentFactory, make_person
from meridian.reference.tests.factories import country
from meridian.travel import rules
from meridian.travel.casework import evaluation_date
from meridian.travel.choices import BudgetKind, MemberRole, TripFileKind
from meridian.travel.models import (
    BudgetLine,
    CountryStandard,
    ExchangeRate,
    ItineraryItem,
    TripFile,
    TripMember,
)
from meridian.travel.tests.factories import germany, make_trip
from meridian.workflow.rulepack import ruleset_publish

TODAY = datetime.date(2026, 12, 1)  # the factory's trips depart on 2027-03-01 (90 days later) for 5 days


@pytest.fixture(autouse=True)
def _quiet_compliance(monkeypatch):
    """Compliance records are checked in their own tests below."""
    monkeypatch.setattr(rules, "_suspension_reasons", lambda unit_id, today: [])
    monkeypatch.setattr(rules, "_overdue_reports", lambda person_ids, today: set())


def france():
    return country(
        "FR", "France", "法国", region_code="150", region_en="Europe", region_zh="欧洲", subregion_code="155"
    )


def egypt():
    return country(
        "EG",
        "Egypt",
        "埃及",
        region_code="002",
        region_en="Africa",
        region_zh="非洲",
        subregion_code="015",
        subregion_en="Northern Africa",
        subregion_zh="北非",
    )


def usa():
    return country(
        "US",
        "United States",
        "美国",
        region_code="019",
        region_en="Americas",
        region_zh="美洲",
        subregion_code="021",
        subregion_en="Northern America",
        subregion_zh="北美洲",
    )


def brazil():
    return country(
        "BR",
        "Brazil",
        "巴西",
        region_code="019",
        region_en="Americas",
        region_zh="美洲",
        subregion_code="419",
        subregion_en="Latin America and the Caribbean",
        subregion_zh="拉丁美洲和加勒比海地区",
    )


def japan():
    return country(
        "JP", "Japan", "日本", region_code="142", region_en="Asia", region_zh="亚洲", subregion_code="030"
    )


def check(trip) -> dict[str, dict]:
    with evaluation_date(TODAY):
        return {r["code"]: r for r in rules.trip_check(trip=trip, save=False)}


def result(trip, code: str) -> dict:
    return check(trip)[code]


def admin_trip(org, people, **fields):
    fields.setdefault("delegation_kind", "administrative")
    return make_trip(unit=org.engineering, applicant=people.staff, **fields)


def set_itinerary(trip, places: list[tuple]) -> None:
    """places: (country, city, is_transit) one per day from departure."""
    trip.itinerary.all().delete()
    for i, (place, city, transit) in enumerate(places):
        ItineraryItem.objects.create(
            trip=trip,
            day=trip.depart_on + datetime.timedelta(days=i),
            country=place,
            city=city,
            is_transit=transit,
        )


def add_members(trip, n: int, **member) -> list:
    added = []
    for i in range(n):
        person = make_person(kind=PersonKind.STAFF, unit=trip.unit, family_name=f"Wang{i}", given_name="Wu")
        added.append(
            TripMember.objects.create(
                trip=trip, person=person, role=MemberRole.MEMBER, unit=trip.unit, order=10 + i, **member
            )
        )
    return added


# --- delegation size ---------------------------------------------------------------------------------------


def test_delegation_size_allows_six_and_refuses_seven(org, people):
    trip = admin_trip(org, people, members=5)
    r = result(trip, "delegation_size")
    assert r["outcome"] == "pass" and "6 people" in r["message"]
    add_members(trip, 1)
    r = result(trip, "delegation_size")
    assert r["outcome"] == "fail" and r["severity"] == "block" and r["blocking"]
    assert r["message"] == (
        "The delegation has 7 people including the interpreter; an administrative delegation has at most 6."
    )
    assert "South China University of Technology" in r["source"]["document"]
    assert r["source"]["url"].startswith("https://xxgk.scut.edu.cn/")


def test_academic_exchange_is_exempt_from_the_delegation_limits(org, people):
    trip = make_trip(unit=org.engineering, applicant=people.staff, members=8, delegation_kind="academic")
    results = check(trip)
    for code in ("delegation_size", "country_count", "days_per_countries", "same_continent", "unit_leaders"):
        assert results[code]["outcome"] == "not_applicable", code
        assert "厅字〔2016〕17号" in results[code]["message"]


def test_the_academic_exemption_is_a_parameter(org, people, monkeypatch):
    trip = make_trip(unit=org.engineering, applicant=people.staff, members=8, delegation_kind="academic")
    ruleset_publish(
        context="travel",
        actor=people.admin,
        settings={"delegation_size": {"parameters": {"exempt_academic": False}}},
        note="Province applies the limit to everyone",
    )
    assert result(trip, "delegation_size")["outcome"] == "fail"


# --- countries, days, continents ----------------------------------------------------------------------------


def test_country_count_counts_transits(org, people):
    trip = admin_trip(org, people)
    de, fr, jp = germany(), france(), japan()
    set_itinerary(trip, [(jp, "Tokyo", True), (de, "Berlin", False), (fr, "Paris", False)])
    r = result(trip, "country_count")
    assert r["outcome"] == "pass" and "3 countries" in r["message"]
    set_itinerary(
        trip, [(jp, "Tokyo", True), (de, "Berlin", False), (fr, "Paris", False), (egypt(), "Cairo", True)]
    )
    r = result(trip, "country_count")
    assert r["outcome"] == "fail"
    assert (
        "visits 4 countries or territories, transits counted (Japan, Germany, France, Egypt)" in r["message"]
    )
    assert "at most 3" in r["message"]


def test_days_per_number_of_countries_count_departure_and_arrival(org, people):
    # One country: 5 days allowed; 2027-03-01..05 are 5 days counting both ends.
    trip = admin_trip(org, people)
    assert result(trip, "days_per_countries")["outcome"] == "pass"
    trip = admin_trip(org, people, return_on=datetime.date(2027, 3, 6))
    r = result(trip, "days_per_countries")
    assert r["outcome"] == "fail"
    assert r["message"] == (
        "The trip lasts 6 days counting the departure and arrival days; with 1 countries an administrative "
        "delegation stays at most 5 days."
    )


def test_two_countries_allow_eight_days(org, people):
    trip = admin_trip(org, people, return_on=datetime.date(2027, 3, 8))
    set_itinerary(trip, [(germany(), "Berlin", False)] * 4 + [(france(), "Paris", False)] * 4)
    assert result(trip, "days_per_countries")["outcome"] == "pass"
    trip.return_on = datetime.date(2027, 3, 9)
    trip.save()
    assert result(trip, "days_per_countries")["outcome"] == "fail"


def test_africa_or_latin_america_adds_a_day(org, people):
    trip = admin_trip(org, people, return_on=datetime.date(2027, 3, 6))
    set_itinerary(trip, [(egypt(), "Cairo", False)] * 6)
    r = result(trip, "days_per_countries")
    assert r["outcome"] == "pass" and "extra day for Latin America or Africa" in r["message"]
    trip = admin_trip(org, people, return_on=datetime.date(2027, 3, 7))
    set_itinerary(trip, [(brazil(), "São Paulo", False)] * 7)
    r = result(trip, "days_per_countries")
    assert r["outcome"] == "fail" and "at most 6 days" in r["message"]


def test_destinations_on_one_continent(org, people):
    trip = admin_trip(org, people)
    set_itinerary(trip, [(germany(), "Berlin", False), (japan(), "Tokyo", True), (france(), "Paris", False)])
    r = result(trip, "same_continent")
    assert r["outcome"] == "pass" and "Europe" in r["message"]
    set_itinerary(trip, [(usa(), "Boston", False), (brazil(), "Rio", False)])
    r = result(trip, "same_continent")
    assert r["outcome"] == "fail"
    assert "more than one continent (Northern America, Latin America and the Caribbean)" in r["message"]


def test_leaders_of_one_unit_do_not_travel_together(org, people):
    trip = admin_trip(org, people)
    trip.members.update(is_unit_leader=True)
    assert result(trip, "unit_leaders")["outcome"] == "pass"
    add_members(trip, 1, is_unit_leader=True)
    r = result(trip, "unit_leaders")
    assert r["outcome"] == "fail"
    assert "are leaders of the same unit (School of Engineering)" in r["message"]
    assert "ZHANG San" in r["message"] and "WANG0 Wu" in r["message"]


# --- lead time, invitation, paper, HR -----------------------------------------------------------------------


def test_lead_time_by_destination(org, people):
    trip = admin_trip(org, people, depart_on=datetime.date(2027, 1, 20), return_on=datetime.date(2027, 1, 24))
    set_itinerary(trip, [(japan(), "Tokyo", False)])
    r = result(trip, "lead_time")  # 50 days before, one country needs 45
    assert r["outcome"] == "pass"
    set_itinerary(trip, [(germany(), "Berlin", False)])  # Schengen: 60 days
    r = result(trip, "lead_time")
    assert r["outcome"] == "fail" and r["severity"] == "justify" and r["blocking"]
    assert r["message"] == (
        "The trip departs in 50 days; an application for a Schengen country reaches the office at least 60 "
        "days before departure."
    )
    set_itinerary(trip, [(usa(), "Boston", False)])
    assert "90 days" in result(trip, "lead_time")["message"]


def test_a_justification_lifts_a_justify_rule(org, people):
    trip = admin_trip(org, people, depart_on=datetime.date(2027, 1, 20), return_on=datetime.date(2027, 1, 24))
    assert result(trip, "lead_time")["blocking"]
    trip.justifications = {"lead_time": "The conference confirmed the paper late."}
    trip.save()
    r = result(trip, "lead_time")
    assert r["outcome"] == "fail" and not r["blocking"]
    assert r["justification"] == "The conference confirmed the paper late."


def test_invitation_from_a_counterpart_with_its_letter(org, people):
    trip = admin_trip(org, people)
    r = result(trip, "counterpart_invitation")
    assert (
        r["outcome"] == "fail"
        and r["message"] == "Upload the invitation letter of the inviting organisation."
    )
    TripFile.objects.create(
        trip=trip,
        kind=TripFileKind.INVITATION,
        file="x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    assert result(trip, "counterpart_invitation")["outcome"] == "pass"
    trip.inviter_is_counterpart = False
    trip.save()
    r = result(trip, "counterpart_invitation")
    assert r["outcome"] == "fail" and "not a counterpart organisation" in r["message"] and r["blocking"]


def test_conference_trips_name_their_paper(org, people):
    trip = admin_trip(org, people, purpose="conference", paper_title="")
    r = result(trip, "conference_paper")
    assert (
        r["outcome"] == "fail" and r["message"] == "A conference trip needs the title of the paper presented."
    )
    trip.paper_title = "Graph learning"
    trip.save()
    assert result(trip, "conference_paper")["message"] == "Paper: Graph learning"
    trip.purpose = "lecture"
    trip.save()
    assert result(trip, "conference_paper")["outcome"] == "not_applicable"


def test_thirty_days_or_more_add_the_hr_step_as_a_warning(org, people):
    trip = admin_trip(org, people, return_on=datetime.date(2027, 3, 29))  # 29 days
    assert result(trip, "hr_step")["outcome"] == "pass"
    trip.return_on = datetime.date(2027, 3, 30)
    trip.save()
    r = result(trip, "hr_step")
    assert r["outcome"] == "fail" and r["severity"] == "warn" and not r["blocking"]
    assert "30 days or more need the approval of human resources" in r["message"]
    assert "Guangdong University of Technology" in r["source"]["document"]


# --- people: overlaps, documents, compliance ----------------------------------------------------------------


def test_overlapping_trips_of_one_person(org, people):
    trip = admin_trip(org, people)
    leader = trip.members.get().person
    other = make_trip(
        unit=org.engineering,
        applicant=people.staff,
        leader=leader,
        depart_on=datetime.date(2027, 3, 5),
        return_on=datetime.date(2027, 3, 9),
    )
    r = result(trip, "overlapping_trips")
    assert r["outcome"] == "fail"
    assert f"is on trip {other.number} from 2027-03-05 to 2027-03-09" in r["message"]
    other.state = "cancelled"
    other.save()
    assert result(trip, "overlapping_trips")["outcome"] == "pass"
    other.state = "closed"  # closed without ever leaving
    other.save()
    assert result(trip, "overlapping_trips")["outcome"] == "pass"
    other.departed_on = other.depart_on
    other.save()
    assert result(trip, "overlapping_trips")["outcome"] == "fail"


def test_passport_valid_six_months_beyond_the_return(org, people):
    trip = admin_trip(org, people)
    leader = trip.members.get().person
    r = result(trip, "travel_document")
    # Flagged, not blocking by default: a first official passport is applied for after approval.
    assert r["outcome"] == "fail" and r["severity"] == "warn" and not r["blocking"]
    assert "ZHANG San has no Official or service passport on record." in r["message"]
    doc = cast(
        IdentityDocument,
        IdentityDocumentFactory(
            person=leader,
            issuing_country=country("CN", "China", "中国"),
            kind=DocumentType.OFFICIAL_PASSPORT,
            expiry_date=datetime.date(2027, 9, 4),
        ),
    )
    r = result(trip, "travel_document")
    assert r["outcome"] == "fail" and "expires on 2027-09-04, before 2027-09-05" in r["message"]
    doc.expiry_date = datetime.date(2027, 9, 5)
    doc.save()
    assert result(trip, "travel_document")["outcome"] == "pass"


def test_hong_kong_trips_need_the_permit(org, people):
    trip = admin_trip(org, people, region="hk_macao")
    leader = trip.members.get().person
    IdentityDocumentFactory(
        person=leader,
        issuing_country=country("CN", "China", "中国"),
        kind=DocumentType.OFFICIAL_PASSPORT,
        expiry_date=datetime.date(2035, 1, 1),
    )
    r = result(trip, "travel_document")
    assert r["outcome"] == "fail" and "Travel permit to Hong Kong and Macao" in r["message"]


def test_unit_suspension_blocks(org, people, monkeypatch):
    trip = admin_trip(org, people)
    assert result(trip, "unit_suspension")["outcome"] == "pass"
    monkeypatch.setattr(
        rules, "_suspension_reasons", lambda unit_id, today: ["Passport of ZHANG San overdue."]
    )
    r = result(trip, "unit_suspension")
    assert r["outcome"] == "fail" and r["blocking"]
    assert r["message"] == "The unit's official trips are suspended: Passport of ZHANG San overdue."
    assert "South China Agricultural University" in r["source"]["document"]


def test_overdue_trip_report_blocks_new_applications(org, people, monkeypatch):
    trip = admin_trip(org, people)
    leader = trip.members.get().person
    monkeypatch.setattr(rules, "_overdue_reports", lambda person_ids, today: {leader.pk} & set(person_ids))
    r = result(trip, "overdue_reports")
    assert r["outcome"] == "fail"
    assert r["message"].startswith("ZHANG San: a trip report of an earlier trip is overdue")


def test_compliance_rules_read_the_compliance_selectors(org, people, monkeypatch):
    monkeypatch.undo()
    from meridian.travel.models import TripReport

    trip = admin_trip(org, people)
    leader = trip.members.get().person
    earlier = make_trip(
        unit=org.engineering,
        applicant=people.staff,
        leader=leader,
        state="returned",
        depart_on=datetime.date(2026, 9, 1),
        return_on=datetime.date(2026, 9, 5),
    )
    TripReport.objects.create(
        trip=earlier, inviter="x", members="x", dates="x", due_on=datetime.date(2026, 10, 1)
    )
    results = check(trip)
    assert results["overdue_reports"]["outcome"] == "fail"
    assert results["unit_suspension"]["outcome"] == "fail"  # 61 days overdue > 14 days of grace


# --- budget -------------------------------------------------------------------------------------------------


def _budget(trip, kind, amount, currency="CNY", persons=1, days=1, place=None):
    return BudgetLine.objects.create(
        trip=trip,
        kind=kind,
        amount=Decimal(amount),
        currency=currency,
        persons=persons,
        days=days,
        country=place,
    )


def test_budget_within_the_standards_with_exchange_rates(org, people):
    trip = admin_trip(org, people)
    de = germany()
    CountryStandard.objects.create(
        country=de,
        currency="EUR",
        accommodation=Decimal("100"),
        meals=Decimal("50"),
        incidentals=Decimal("20"),
        valid_from=datetime.date(2020, 1, 1),
    )
    CountryStandard.objects.create(
        country=de,
        city="Heidelberg",
        currency="EUR",
        accommodation=Decimal("150"),
        meals=Decimal("50"),
        incidentals=Decimal("20"),
        valid_from=datetime.date(2020, 1, 1),
    )
    ExchangeRate.objects.create(
        currency="EUR", cny_per_unit=Decimal("8"), valid_from=datetime.date(2026, 1, 1)
    )
    # 2 people × 4 nights at 1,200 CNY = 150 EUR: the Heidelberg standard.
    _budget(trip, BudgetKind.ACCOMMODATION, "9600", persons=2, days=4, place=de)
    _budget(trip, BudgetKind.MEALS, "250", currency="EUR", persons=1, days=5)
    r = result(trip, "budget_standards")
    assert r["outcome"] == "pass", r["message"]
    assert r["source"]["document"].startswith("财行〔2013〕516号")
    _budget(trip, BudgetKind.INCIDENTALS, "1000", persons=1, days=5, place=de)  # 200 CNY/day > 160
    r = result(trip, "budget_standards")
    assert r["outcome"] == "fail" and r["severity"] == "block"
    assert r["message"] == (
        "Incidentals in Germany: 200.00 CNY per person per day, the standard is 160.00 CNY."
    )


def test_budget_without_a_standard_only_warns(org, people):
    trip = admin_trip(org, people)
    _budget(trip, BudgetKind.ACCOMMODATION, "900", place=germany())
    r = result(trip, "budget_standards")
    assert r["outcome"] == "fail" and r["severity"] == "warn" and not r["blocking"]
    assert r["message"] == "Not checked against the standards: no spending standard is known for Germany."


def test_budget_standard_valid_on_departure(org, people):
    trip = admin_trip(org, people)
    de = germany()
    CountryStandard.objects.create(
        country=de,
        currency="CNY",
        accommodation=Decimal("500"),
        meals=Decimal("1"),
        incidentals=Decimal("1"),
        valid_from=datetime.date(2020, 1, 1),
    )
    CountryStandard.objects.create(
        country=de,
        currency="CNY",
        accommodation=Decimal("900"),
        meals=Decimal("1"),
        incidentals=Decimal("1"),
        valid_from=datetime.date(2027, 6, 1),
    )
    _budget(trip, BudgetKind.ACCOMMODATION, "800", place=de)
    assert (
        result(trip, "budget_standards")["outcome"] == "fail"
    )  # the later, higher standard is not yet valid


# --- plan ---------------------------------------------------------------------------------------------------


def test_outside_the_plan_needs_a_justification(org, people):
    trip = admin_trip(org, people)
    r = result(trip, "annual_plan")
    assert r["outcome"] == "fail" and r["severity"] == "justify" and r["blocking"]
    assert "not matched to a line of the unit's annual plan" in r["message"]
    trip.justifications = {"annual_plan": "Invitation to sign the agreement arrived in November."}
    trip.save()
    assert not result(trip, "annual_plan")["blocking"]
    academic = make_trip(unit=org.engineering, applicant=people.staff)
    assert result(academic, "annual_plan")["outcome"] == "not_applicable"


# --- interface ----------------------------------------------------------------------------------------------


def test_blocking_messages_list_blocks_and_missing_justifications_only(org, people):
    trip = admin_trip(org, people, members=7, return_on=datetime.date(2027, 3, 30))
    with evaluation_date(TODAY):
        messages = rules.blocking_messages(trip)
    assert any("has 8 people" in m for m in messages)
    assert any("annual plan" in m for m in messages)
    assert not any("human resources" in m for m in messages)  # a warning never blocks


def test_live_check_agrees_with_the_saved_check(org, people):
    trip = admin_trip(org, people, members=2)
    saved = check(trip)
    members = [
        {"person": m.person, "role": m.role, "is_unit_leader": m.is_unit_leader} for m in trip.members.all()
    ]
    itinerary = [
        {"day": i.day, "country": i.country, "city": i.city, "is_transit": i.is_transit}
        for i in trip.itinerary.all()
    ]
    budget = [
        {"kind": b.kind, "amount": b.amount, "currency": b.currency, "persons": b.persons, "days": b.days}
        for b in trip.budget_lines.all()
    ]
    fields = {
        name: getattr(trip, name)
        for name in (
            "unit",
            "region",
            "delegation_kind",
            "purpose",
            "paper_title",
            "depart_on",
            "return_on",
            "inviter_is_counterpart",
            "plan_line",
            "justifications",
        )
    }
    with evaluation_date(TODAY):
        live = {
            r["code"]: r
            for r in rules.check_data(
                fields=fields, members=members, itinerary=itinerary, budget=budget, trip=trip
            )
        }
    assert {c: (r["outcome"], r["message"]) for c, r in live.items()} == {
        c: (r["outcome"], r["message"]) for c, r in saved.items()
    }


def test_check_data_on_an_unsaved_form_with_country_codes(org, people):
    person = make_person(kind=PersonKind.STAFF, unit=org.engineering)
    usa()
    with evaluation_date(TODAY):
        results = {
            r["code"]: r
            for r in rules.check_data(
                fields={
                    "unit": org.engineering.pk,
                    "delegation_kind": "administrative",
                    "purpose": "negotiation",
                    "depart_on": datetime.date(2027, 1, 10),
                    "return_on": datetime.date(2027, 1, 16),
                },
                members=[{"person": person.pk, "role": "leader"}],
                itinerary=[{"day": datetime.date(2027, 1, 10), "country": "US", "city": "Boston"}],
                budget=[],
            )
        }
    assert results["days_per_countries"]["outcome"] == "fail"
    assert (
        results["lead_time"]["outcome"] == "fail" and "the United States" in results["lead_time"]["message"]
    )


def test_saved_check_stores_results_in_both_languages_with_the_version(org, people):
    trip = admin_trip(org, people)
    with evaluation_date(TODAY):
        rules.trip_check(trip=trip, save=True)
    trip.refresh_from_db()
    assert trip.rules_version == 1 and trip.rules_checked_at is not None
    size = next(r for r in trip.rule_results if r["code"] == "delegation_size")
    assert size["i18n"]["en"]["label"] == "Delegation size"
    assert set(size["i18n"]) == {"en", "zh-hans"}


def test_parameter_reads_the_current_rule_set(org, people):
    assert rules.parameter("unit_suspension", "grace_days") == 14
    assert rules.parameter("publicity", "working_days") == 5
    ruleset_publish(
        context="travel",
        actor=people.admin,
        settings={"publicity": {"parameters": {"working_days": "7"}}},
        note="Province: 7 days",
    )
    assert rules.parameter("publicity", "working_days") == 7
    assert set(rules.DEFAULT_PARAMETERS) >= {
        "publicity",
        "passport_issue",
        "passport_return",
        "trip_report",
        "unit_suspension",
    }


def test_messages_in_chinese(org, people):
    trip = admin_trip(org, people, members=6)
    with translation.override("zh-hans"), evaluation_date(TODAY):
        results = {r["code"]: r for r in rules.trip_check(trip=trip, save=False)}
    assert results["delegation_size"]["label"]  # rendered, whatever the catalogue holds


def test_a_switched_off_rule_is_not_evaluated(org, people):
    trip = admin_trip(org, people, members=7)
    ruleset_publish(
        context="travel", actor=people.admin, settings={"delegation_size": {"enabled": False}}, note="off"
    )
    assert "delegation_size" not in check(trip)


def test_the_region_matches_the_itinerary(org, people):
    hong_kong = country("HK", "Hong Kong", "香港", alpha3="HKG", region_code="142")
    trip = admin_trip(org, people, region="hk_macao")  # the factory's itinerary is in Germany
    r = result(trip, "region_itinerary")
    assert r["outcome"] == "fail" and r["severity"] == "block"
    assert "Germany" in r["message"] and "Hong Kong or Macao" in r["message"]
    set_itinerary(trip, [(hong_kong, "Hong Kong", False)] * 3)
    assert result(trip, "region_itinerary")["outcome"] == "pass"
    trip.region = "abroad"
    trip.save(update_fields=["region"])
    assert result(trip, "region_itinerary")["outcome"] == "fail"
    set_itinerary(trip, [(hong_kong, "Hong Kong", True), (germany(), "Berlin", False)])
    assert result(trip, "region_itinerary")["outcome"] == "pass"  # a transit through Hong Kong is fine
