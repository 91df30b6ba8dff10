"""The visitors rule pack: every rule passing, failing and not applying, with its message; parameters
published through the rule set change the outcome; blocking messages and justifications; results stored
with their version; the per-guest checks and the CV helper."""

from __future__ import annotations

import datetime
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from meridian.people.choices import DocumentType
from meridian.people.models import Person
from meridian.people.tests.factories import IdentityDocumentFactory
from meridian.visitors import rules
from meridian.visitors.casework import evaluation_date
from meridian.visitors.choices import BudgetKind, GuestRank, InvitationKind, ReceptionLevel, StandardBasis
from meridian.visitors.models import HostingStandard, Visit, VisitBudgetLine, VisitGuest
from meridian.visitors.services.standards import standards_install_defaults
from meridian.visitors.tests.factories import FUTURE, germany, make_visit
from meridian.workflow.models import TransitionLog
from meridian.workflow.rulepack import ruleset_publish

TODAY = FUTURE - timedelta(days=100)  # factory visits arrive on FUTURE and stay 5 days


def check(visit: Visit, today: date = TODAY) -> dict[str, dict]:
    visit.refresh_from_db()
    with evaluation_date(today):
        return {r["code"]: r for r in rules.visit_check(visit=visit)}


def result(visit: Visit, code: str, today: date = TODAY) -> dict:
    return check(visit, today)[code]


def publish(people, code: str, **parameters) -> None:
    ruleset_publish(
        context="visitors", actor=people.admin, settings={code: {"parameters": parameters}}, note="test"
    )


@pytest.fixture
def visit(org, people) -> Visit:
    return make_visit(host_unit=org.engineering, host=people.staff)


def invitation_visit(org, people, **fields) -> Visit:
    fields.setdefault("invitation_kind", InvitationKind.LETTER)
    return make_visit(host_unit=org.engineering, host=people.staff, **fields)


def passport(guest, expiry: date, kind: str = DocumentType.PASSPORT):
    return IdentityDocumentFactory(
        person=guest.person, issuing_country=germany(), kind=kind, expiry_date=expiry
    )


def ten_year_cv(today: date = TODAY) -> list[dict]:
    return [
        {
            "from": f"{today.year - 11}-01",
            "to": f"{today.year - 5}-12",
            "organisation": "TU Berlin",
            "position": "x",
        },
        {"from": f"{today.year - 4}-01", "to": "", "organisation": "Heidelberg University", "position": "y"},
    ]


def complete_guest(guest, visit: Visit) -> None:
    """Give a guest everything the invitation package needs."""
    passport(guest, visit.depart_on + timedelta(days=800))
    guest.cv = ten_year_cv()
    guest.arrival_date = visit.arrive_on
    guest.departure_date = visit.depart_on
    guest.exit_port = "Guangzhou Baiyun"
    guest.save()


# --- the factory visit passes ----------------------------------------------------------------------------


def test_a_plain_visit_is_not_stopped_by_any_rule(visit):
    results = check(visit)
    assert list(results) == list(rules.VISIT_RULES)
    assert not [r for r in results.values() if r["blocking"]]
    with evaluation_date(TODAY):
        assert rules.blocking_messages(visit) == []


# --- lead time -------------------------------------------------------------------------------------------


def test_lead_time_passes_a_month_ahead(visit):
    r = result(visit, "lead_time")
    assert r["outcome"] == "pass" and "100 days" in r["message"]


def test_lead_time_fails_less_than_a_month_ahead(visit):
    r = result(visit, "lead_time", FUTURE - timedelta(days=20))
    assert r["outcome"] == "fail" and r["severity"] == "justify" and r["blocking"]
    assert "20 days" in r["message"] and "30 days" in r["message"]
    assert r["source"]["url"].startswith("http://food.nwsuaf.edu.cn")


def test_lead_time_never_counts_negative_days_for_a_past_arrival(visit):
    r = result(visit, "lead_time", FUTURE + timedelta(days=3))
    assert r["outcome"] == "fail" and "-3 day" not in r["message"]
    assert f"The arrival date ({FUTURE.isoformat()}) is before the visit is filed" in r["message"]


def test_lead_time_needs_two_months_with_a_visa_invitation(org, people):
    visit = invitation_visit(org, people)
    r = result(visit, "lead_time", FUTURE - timedelta(days=45))
    assert r["outcome"] == "fail" and "60 days" in r["message"] and "visa invitation" in r["message"]
    assert result(visit, "lead_time", FUTURE - timedelta(days=61))["outcome"] == "pass"


def test_lead_time_needs_three_months_for_an_official_delegation(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff, category="official_delegation")
    assert result(visit, "lead_time", FUTURE - timedelta(days=70))["outcome"] == "fail"
    assert result(visit, "lead_time", FUTURE - timedelta(days=90))["outcome"] == "pass"


def test_lead_time_counts_from_the_submission_once_submitted(visit):
    submitted = timezone.make_aware(datetime.datetime.combine(FUTURE - timedelta(days=40), datetime.time(10)))
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Visit),
        object_id=visit.pk,
        case_type="visit",
        action="submit",
        from_state="draft",
        to_state="under_review",
        at=submitted,
    )
    Visit.objects.filter(pk=visit.pk).update(state="approved")
    # Checked again ten days before arrival: the lead time is still the 40 days it had when filed.
    r = result(visit, "lead_time", FUTURE - timedelta(days=10))
    assert r["outcome"] == "pass" and "40 days" in r["message"]


def test_lead_time_parameters_come_from_the_published_rule_set(visit, people):
    publish(people, "lead_time", days_default=120)
    r = result(visit, "lead_time")
    assert r["outcome"] == "fail" and "120 days" in r["message"]
    assert rules.parameter("lead_time", "days_default") == 120


# --- hosting length --------------------------------------------------------------------------------------


def test_hosting_length_passes_within_the_limit(visit):
    r = result(visit, "hosting_length")
    assert r["outcome"] == "pass" and "5 days" in r["message"]


def test_hosting_length_fails_beyond_the_limit(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff, depart_on=FUTURE + timedelta(days=9))
    r = result(visit, "hosting_length")
    assert r["outcome"] == "fail" and r["severity"] == "justify"
    assert "10 days" in r["message"] and "7 days" in r["message"]
    publish(people, "hosting_length", max_days=12)
    assert result(visit, "hosting_length")["outcome"] == "pass"


def test_hosting_length_does_not_apply_on_a_reciprocal_basis(org, people):
    visit = make_visit(
        host_unit=org.engineering, host=people.staff, depart_on=FUTURE + timedelta(days=20), reciprocal=True
    )
    assert result(visit, "hosting_length")["outcome"] == "not_applicable"


# --- budget within the standards -------------------------------------------------------------------------


def test_budget_without_standards_only_warns(visit):
    r = result(visit, "budget_standards")
    assert r["outcome"] == "fail" and r["severity"] == "warn" and not r["blocking"]
    assert "Accommodation" in r["message"] and "Meals" in r["message"]


def test_budget_within_the_default_standards_passes(visit):
    standards_install_defaults()
    assert result(visit, "budget_standards")["outcome"] == "pass"


def test_budget_line_over_its_cap_fails_naming_the_line_amount_and_cap(visit):
    standards_install_defaults()
    line = visit.budget_lines.get(kind=BudgetKind.ACCOMMODATION)  # 1 guest, 4 nights
    line.amount = Decimal("2400")
    line.save()
    r = result(visit, "budget_standards")
    assert r["outcome"] == "fail" and r["severity"] == "block" and r["blocking"]
    assert (
        "Accommodation" in r["message"] and "2,400.00 CNY" in r["message"] and "2,000.00 CNY" in r["message"]
    )


def test_budget_cap_counts_guests_and_days(visit):
    standards_install_defaults()
    line = visit.budget_lines.get(kind=BudgetKind.ACCOMMODATION)
    line.amount, line.persons = Decimal("2400"), 2  # 2 guests × 4 nights × 500
    line.save()
    assert result(visit, "budget_standards")["outcome"] == "pass"


def test_budget_per_visit_cap(visit):
    standards_install_defaults()
    VisitBudgetLine.objects.create(visit=visit, kind=BudgetKind.TRANSPORT, amount=Decimal("6000"), persons=3)
    r = result(visit, "budget_standards")
    assert r["outcome"] == "fail" and "Transport" in r["message"] and "5,000.00 CNY" in r["message"]


def test_budget_uses_the_row_for_the_most_senior_guests_standing(org, people):
    standards_install_defaults()
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    visit.guests.update(rank=GuestRank.MINISTER)
    line = visit.budget_lines.get(kind=BudgetKind.ACCOMMODATION)
    line.amount = Decimal("3600")  # 900 a night: over the general 500, within the minister's 1000
    line.save()
    assert result(visit, "budget_standards")["outcome"] == "pass"
    visit.guests.update(rank=GuestRank.PROFESSOR)
    assert result(visit, "budget_standards")["outcome"] == "fail"


def test_budget_ignores_rows_not_valid_on_the_arrival_date(visit):
    HostingStandard.objects.create(
        kind=BudgetKind.ACCOMMODATION,
        basis=StandardBasis.PER_PERSON_DAY,
        cap=Decimal("10"),
        valid_from=date(2020, 1, 1),
        valid_until=FUTURE - timedelta(days=1),
    )
    HostingStandard.objects.create(
        kind=BudgetKind.MEALS,
        basis=StandardBasis.PER_PERSON_DAY,
        cap=Decimal("10"),
        valid_from=FUTURE + timedelta(1),
    )
    r = result(visit, "budget_standards")
    assert r["severity"] == "warn"  # neither row applies: nothing to check against


def test_budget_tolerance_parameter(visit, people):
    standards_install_defaults()
    line = visit.budget_lines.get(kind=BudgetKind.ACCOMMODATION)
    line.amount = Decimal("2400")  # 600 a night against 500
    line.save()
    assert result(visit, "budget_standards")["outcome"] == "fail"
    publish(people, "budget_standards", tolerance_percent="25")
    assert result(visit, "budget_standards")["outcome"] == "pass"


def test_budget_does_not_apply_without_a_budget(visit):
    visit.budget_lines.all().delete()
    assert result(visit, "budget_standards")["outcome"] == "not_applicable"


# --- reception rank --------------------------------------------------------------------------------------


def test_reception_by_the_host_suits_a_professor(visit):
    assert result(visit, "reception_rank")["outcome"] == "pass"


def test_a_minister_received_by_the_host_fails(visit):
    visit.guests.update(rank=GuestRank.MINISTER)
    r = result(visit, "reception_rank")
    assert r["outcome"] == "fail" and r["severity"] == "justify" and r["blocking"]
    assert "University president or party secretary" in r["message"]
    Visit.objects.filter(pk=visit.pk).update(reception_level=ReceptionLevel.UNIVERSITY_HEAD)
    assert result(visit, "reception_rank")["outcome"] == "pass"


def test_the_most_senior_guest_sets_the_level(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff, guests=3)
    last = visit.guests.order_by("order")[2]  # not the head
    VisitGuest.objects.filter(pk=last.pk).update(rank=GuestRank.VICE_MINISTER)
    r = result(visit, "reception_rank")
    assert r["outcome"] == "fail" and "Vice-minister" in r["message"]


def test_reception_far_above_the_guests_standing_warns(visit):
    Visit.objects.filter(pk=visit.pk).update(reception_level=ReceptionLevel.UNIVERSITY_HEAD)
    r = result(visit, "reception_rank")
    assert r["outcome"] == "fail" and r["severity"] == "warn" and not r["blocking"]


def test_reception_levels_are_parameters(visit, people):
    publish(people, "reception_rank", level_professor="unit_leader")
    assert result(visit, "reception_rank")["outcome"] == "fail"


def test_reception_does_not_apply_without_guests(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff, guests=0)
    assert result(visit, "reception_rank")["outcome"] == "not_applicable"


# --- passport --------------------------------------------------------------------------------------------


def test_passport_rule_does_not_apply_without_a_visa_invitation(visit):
    assert result(visit, "passport_validity")["outcome"] == "not_applicable"


def test_missing_passport_warns_before_approval_and_blocks_after(org, people):
    visit = invitation_visit(org, people)
    r = result(visit, "passport_validity")
    assert r["outcome"] == "fail" and r["severity"] == "warn" and not r["blocking"]
    assert "No passport on record for: SCHMIDT Anna" in r["message"]
    Visit.objects.filter(pk=visit.pk).update(state="approved")
    r = result(visit, "passport_validity")
    assert r["severity"] == "block" and r["blocking"]


def test_passport_expiring_within_six_months_of_departure_fails(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    passport(guest, visit.depart_on + timedelta(days=90))
    r = result(visit, "passport_validity")
    assert r["outcome"] == "fail" and r["blocking"]
    assert "SCHMIDT Anna" in r["message"] and "6 months" in r["message"]
    assert str(visit.depart_on + timedelta(days=90)) not in r["message"]  # the expiry date is not shown


def test_passport_valid_long_enough_passes_and_the_months_are_a_parameter(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    passport(guest, visit.depart_on + timedelta(days=90), kind=DocumentType.OFFICIAL_PASSPORT)
    assert result(visit, "passport_validity")["outcome"] == "fail"
    publish(people, "passport_validity", months=2)
    assert result(visit, "passport_validity")["outcome"] == "pass"


def test_passport_is_measured_from_the_guests_own_departure(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    passport(guest, visit.depart_on + timedelta(days=200))
    assert result(visit, "passport_validity")["outcome"] == "pass"
    guest.departure_date = visit.depart_on + timedelta(days=30)
    guest.save()
    assert result(visit, "passport_validity")["outcome"] == "fail"


# --- itinerary -------------------------------------------------------------------------------------------


def test_itinerary_rule_does_not_apply_without_a_visa_invitation(visit):
    assert result(visit, "itinerary_exit")["outcome"] == "not_applicable"


def test_itinerary_with_the_exit_inside_the_visit_passes(org, people):
    visit = invitation_visit(org, people)
    complete_guest(visit.guests.get(), visit)
    assert result(visit, "itinerary_exit")["outcome"] == "pass"


def test_itinerary_missing_warns_before_approval(org, people):
    visit = invitation_visit(org, people)
    r = result(visit, "itinerary_exit")
    assert r["outcome"] == "fail" and r["severity"] == "warn" and "No itinerary entered" in r["message"]


def test_itinerary_without_the_exit_fails(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    guest.arrival_date, guest.departure_date = visit.arrive_on, visit.depart_on
    guest.save()
    r = result(visit, "itinerary_exit")
    assert r["outcome"] == "fail" and r["blocking"] and "does not show the exit" in r["message"]
    guest.departure_flight = "LH 721"
    guest.save()
    assert result(visit, "itinerary_exit")["outcome"] == "pass"


def test_itinerary_far_outside_the_visit_fails_and_the_margin_is_a_parameter(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    complete_guest(guest, visit)
    guest.arrival_date = visit.arrive_on - timedelta(days=5)
    guest.save()
    r = result(visit, "itinerary_exit")
    assert r["outcome"] == "fail" and str(guest.arrival_date) in r["message"]
    publish(people, "itinerary_exit", days_around=5)
    assert result(visit, "itinerary_exit")["outcome"] == "pass"


# --- CV --------------------------------------------------------------------------------------------------


def test_cv_rule_does_not_apply_without_a_visa_invitation(visit):
    assert result(visit, "cv_ten_years")["outcome"] == "not_applicable"


def test_cv_covering_ten_years_passes(org, people):
    visit = invitation_visit(org, people)
    complete_guest(visit.guests.get(), visit)
    assert result(visit, "cv_ten_years")["outcome"] == "pass"


def test_cv_with_a_long_gap_fails_naming_the_months(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    y = TODAY.year
    guest.cv = [
        {"from": f"{y - 11}-01", "to": f"{y - 5}-06", "organisation": "A", "position": "x"},
        {"from": f"{y - 4}-01", "to": "", "organisation": "B", "position": "y"},
    ]
    guest.save()
    r = result(visit, "cv_ten_years")
    assert r["outcome"] == "fail" and r["blocking"]
    assert f"{y - 5}-07–{y - 5}-12" in r["message"]
    publish(people, "cv_ten_years", max_gap_months=6)
    assert result(visit, "cv_ten_years")["outcome"] == "pass"


def test_cv_with_unreadable_rows_fails(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    guest.cv = [*ten_year_cv(), {"from": "last year", "to": "", "organisation": "C", "position": "z"}]
    guest.save()
    r = result(visit, "cv_ten_years")
    assert r["outcome"] == "fail" and "a row without valid months (YYYY-MM): row 3." in r["message"]


def test_cv_missing_warns_before_approval(org, people):
    visit = invitation_visit(org, people)
    r = result(visit, "cv_ten_years")
    assert r["severity"] == "warn" and "No CV entered" in r["message"]


def test_cv_gaps_of_a_complete_cv_is_empty():
    rows = [{"from": "2010-01", "to": "2018-03"}, {"from": "2018-02", "to": ""}]
    assert rules.cv_gaps(rows, years=10, today=date(2026, 5, 20)) == []


def test_cv_gaps_lists_every_uncovered_stretch():
    rows = [{"from": "2017-01", "to": "2019-03"}, {"from": "2019-05", "to": "2025-12"}]
    assert rules.cv_gaps(rows, years=10, today=date(2026, 5, 20)) == [
        (date(2016, 6, 1), date(2016, 12, 31)),  # the window starts with June 2016
        (date(2019, 4, 1), date(2019, 4, 30)),
        (date(2026, 1, 1), date(2026, 5, 31)),
    ]


def test_cv_gaps_of_nothing_is_the_whole_period_and_bad_rows_are_left_out():
    rows = [{"from": "2020-13", "to": ""}, {"from": "2021-05", "to": "2020-01"}, {"to": "2022-01"}]
    assert rules.cv_gaps(rows, years=1, today=date(2026, 5, 20)) == [(date(2025, 6, 1), date(2026, 5, 31))]
    assert rules.cv_invalid_rows(rows) == [1, 2, 3]


def test_cv_gaps_longer_than_leaves_out_the_short_gaps():
    rows = [{"from": "2017-01", "to": "2019-03"}, {"from": "2019-05", "to": "2025-12"}]
    assert rules.cv_gaps(rows, years=10, today=date(2026, 5, 20), longer_than=1) == [
        (date(2016, 6, 1), date(2016, 12, 31)),
        (date(2026, 1, 1), date(2026, 5, 31)),
    ]
    assert rules.cv_gaps(rows, years=10, today=date(2026, 5, 20), longer_than=7) == []


# --- per-guest checks ------------------------------------------------------------------------------------


def test_guest_checks_return_the_invitation_package_rules(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    complete_guest(guest, visit)
    with evaluation_date(TODAY):
        results = rules.guest_checks(guest)
    assert [r["code"] for r in results] == list(rules.GUEST_RULES)
    assert all(r["outcome"] == "pass" for r in results)


def test_guest_checks_count_missing_data_as_a_failure(org, people):
    visit = invitation_visit(org, people)
    with evaluation_date(TODAY):
        results = {r["code"]: r for r in rules.guest_checks(visit.guests.get())}
    assert results["passport_validity"]["blocking"] and results["cv_ten_years"]["blocking"]


def test_guest_checks_take_unsaved_data(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    complete_guest(guest, visit)
    data = {"passport_expiry": visit.depart_on + timedelta(days=30), "cv": [], "exit_port": " "}
    with evaluation_date(TODAY):
        results = {r["code"]: r for r in rules.guest_checks(guest, data=data)}
    assert {r["outcome"] for r in results.values()} == {"fail"}
    guest.refresh_from_db()
    assert guest.cv and guest.exit_port  # nothing was stored


def test_guest_checks_concern_only_that_guest(org, people):
    visit = invitation_visit(org, people, guests=2)
    first, second = visit.guests.order_by("order")
    complete_guest(first, visit)
    with evaluation_date(TODAY):
        assert all(r["outcome"] == "pass" for r in rules.guest_checks(first))
        assert all(r["outcome"] == "fail" for r in rules.guest_checks(second))


# --- blocking messages, justifications, stored results, languages ----------------------------------------


def test_blocking_messages_list_a_justify_rule_until_it_is_justified(visit):
    with evaluation_date(FUTURE - timedelta(days=10)):
        messages = rules.blocking_messages(visit)
        assert len(messages) == 1 and "10 days" in messages[0]
        visit.justifications = {"lead_time": "The minister's visit was announced at short notice."}
        assert rules.blocking_messages(visit) == []
        r = {x["code"]: x for x in rules.visit_check(visit=visit)}["lead_time"]
    assert r["justification"].startswith("The minister's") and not r["blocking"]


def test_a_justification_does_not_lift_a_block_rule(visit):
    standards_install_defaults()
    VisitBudgetLine.objects.create(visit=visit, kind=BudgetKind.GIFTS, amount=Decimal("5000"))
    visit.justifications = {"budget_standards": "A special gift."}
    with evaluation_date(TODAY):
        messages = rules.blocking_messages(visit)
    assert len(messages) == 1 and "Gifts" in messages[0]


def test_visit_check_stores_results_in_both_languages_with_the_version(visit, people):
    publish(people, "hosting_length", max_days=9)
    with evaluation_date(TODAY):
        rules.visit_check(visit=visit, save=True)
    visit.refresh_from_db()
    assert visit.rules_version == 2 and visit.rules_checked_at is not None
    stored = {r["code"]: r for r in visit.rule_results}
    assert set(stored["lead_time"]["i18n"]) == {"en", "zh-hans"}
    assert "(at most 9 days)" in stored["hosting_length"]["message"]


def test_a_switched_off_rule_is_not_evaluated(visit, people):
    ruleset_publish(
        context="visitors", actor=people.admin, settings={"lead_time": {"enabled": False}}, note="off"
    )
    assert "lead_time" not in check(visit)


def test_messages_render_in_the_readers_language(org, people):
    visit = invitation_visit(org, people)
    visit.guests.update(rank=GuestRank.MINISTER)
    Person.objects.filter(pk=visit.guests.get().person_id).update(name_zh="施安娜")
    english = result(visit, "reception_rank")["message"]
    with translation.override("zh-hans"):
        chinese = result(visit, "reception_rank")["message"]
    assert "SCHMIDT Anna (施安娜)" in english
    assert "施安娜" in chinese and "SCHMIDT" not in chinese


# --- the guest form and the rule pack give one verdict -----------------------------------------------------


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def cv_with_a_two_month_gap(today: date) -> list[dict]:
    """Ten years and more, but for the two months that ended 22 months before this month."""
    now = today.year * 12 + today.month - 1
    return [
        {
            "from": _month(now - 21),
            "to": "",
            "organisation": "Heidelberg University",
            "position": "Professor",
        },
        {
            "from": _month(now - 130),
            "to": _month(now - 24),
            "organisation": "TU Munich",
            "position": "Lecturer",
        },
    ]


def _verdicts(guest, cv, itinerary, expiry) -> tuple[set[str], set[str]]:
    """(fields the guest form refuses, guest rules the rule pack fails) on the same data."""
    from meridian.visitors.services.guests import entry_errors

    form = set(entry_errors(guest=guest, cv=cv, itinerary=itinerary, passport_expiry=expiry))
    data = {"cv": cv, "passport_expiry": expiry, **itinerary}
    pack = {r["code"] for r in rules.guest_checks(guest, data=data) if r["outcome"] == "fail"}
    return form, pack


def test_the_guest_form_and_the_rule_pack_agree_and_follow_a_published_change(org, people):
    visit = invitation_visit(org, people)
    guest = VisitGuest.objects.select_related("visit", "person").get(visit=visit)
    with evaluation_date(TODAY):
        cv = cv_with_a_two_month_gap(TODAY)
        expiry = rules.add_months(visit.depart_on, 5)
        itinerary = {
            "arrival_date": visit.arrive_on - timedelta(days=3),
            "departure_date": visit.depart_on,
            "departure_flight": "LH 723",
            "exit_port": "",
        }
        form, pack = _verdicts(guest, cv, itinerary, expiry)
        assert form == {"cv", "expiry_date", "arrival_date"}
        assert pack == {"cv_ten_years", "passport_validity", "itinerary_exit"}
        ruleset_publish(
            context="visitors",
            actor=people.admin,
            settings={
                "cv_ten_years": {"parameters": {"max_gap_months": 2}},
                "passport_validity": {"parameters": {"months": 4}},
                "itinerary_exit": {"parameters": {"days_around": 3}},
            },
            note="looser",
        )
        assert _verdicts(guest, cv, itinerary, expiry) == (set(), set())
        publish(people, "passport_validity", months=5)  # valid exactly 5 months after: not "more than"
        assert _verdicts(guest, cv, itinerary, expiry) == ({"expiry_date"}, {"passport_validity"})


def test_the_guest_form_asks_for_the_exit_the_rule_needs(org, people):
    visit = invitation_visit(org, people)
    guest = VisitGuest.objects.select_related("visit", "person").get(visit=visit)
    itinerary = {
        "arrival_date": visit.arrive_on,
        "departure_date": None,
        "departure_flight": "",
        "exit_port": "",
    }
    with evaluation_date(TODAY):
        form, pack = _verdicts(guest, ten_year_cv(), itinerary, visit.depart_on + timedelta(days=800))
    assert form == {"departure_date", "exit_port"} and pack == {"itinerary_exit"}


def test_without_an_invitation_neither_refuses(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)  # no visa invitation
    guest = VisitGuest.objects.select_related("visit", "person").get(visit=visit)
    itinerary = {"arrival_date": visit.arrive_on, "departure_date": visit.depart_on, "exit_port": "PEK"}
    with evaluation_date(TODAY):
        assert _verdicts(guest, cv_with_a_two_month_gap(TODAY), itinerary, visit.depart_on) == (set(), set())


def test_the_self_service_form_follows_the_published_rules(client, org, people):
    """Through the guest's link: refused with the defaults, saved once the rules allow the same data."""
    from meridian.visitors.tests.factories_guests import form_data, guest_visit, issue

    visit = guest_visit(org, people)
    guest = VisitGuest.objects.select_related("visit", "person").get(visit=visit)
    path = issue(guest, people.officer)
    today = timezone.localdate()
    data = form_data(
        guest,
        cv=cv_with_a_two_month_gap(today),
        expiry_date=rules.add_months(visit.depart_on, 5).isoformat(),
    )
    refused = client.post(path, data)
    assert refused.status_code == 200
    assert "months after you leave China" in refused.content.decode()
    assert "without gaps" in refused.content.decode()
    assert VisitGuest.objects.get(pk=guest.pk).submitted_at is None
    results = {
        r["code"]: r["outcome"]
        for r in rules.guest_checks(
            guest,
            data={
                "cv": cv_with_a_two_month_gap(today),
                "passport_expiry": rules.add_months(visit.depart_on, 5),
            },
        )
    }
    assert results["cv_ten_years"] == results["passport_validity"] == "fail"
    publish(people, "cv_ten_years", max_gap_months=2)
    publish(people, "passport_validity", months=4)
    assert client.post(path, data).status_code == 302
    stored = VisitGuest.objects.select_related("visit", "person").get(pk=guest.pk)
    assert stored.submitted_at is not None
    assert all(r["outcome"] == "pass" for r in rules.guest_checks(stored))


def test_counts_meet_their_nouns_in_the_singular_and_the_plural(org, people):
    visit = invitation_visit(org, people)  # no guest data yet: every closing sentence is shown
    assert "no gap longer than 1 month." in result(visit, "cv_ten_years")["message"]
    publish(people, "passport_validity", months=1)
    publish(people, "itinerary_exit", days_around=1)
    publish(people, "cv_ten_years", max_gap_months=3, years=1)
    passport, itinerary = result(visit, "passport_validity"), result(visit, "itinerary_exit")
    assert "more than 1 month beyond" in passport["message"]
    assert "or 1 day either side" in itinerary["message"]
    cv = result(visit, "cv_ten_years")["message"]
    assert "the last 1 year with no gap longer than 3 months." in cv
    for message in (passport["message"], itinerary["message"], cv):
        assert not re.search(r"\b1 (months|days|years)\b", message)


def test_cv_rows_without_valid_months_are_counted(org, people):
    visit = invitation_visit(org, people)
    guest = visit.guests.get()
    bad = {"from": "last year", "to": "", "organisation": "C", "position": "z"}
    guest.cv = [*ten_year_cv(), bad, bad]
    guest.save()
    assert "rows without valid months (YYYY-MM): rows 3, 4." in result(visit, "cv_ten_years")["message"]
