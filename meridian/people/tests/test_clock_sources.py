"""Identity-document expiry feeds the deadline clocks: which obligations should be open on a given day."""

import datetime

from meridian.people.clock_sources import CLOCK_RULES, RULE, clock_items
from meridian.people.tests.factories import IdentityDocumentFactory, make_person

TODAY = datetime.date(2027, 1, 1)


def _doc(person, germany, expiry, kind="passport"):
    return IdentityDocumentFactory(person=person, issuing_country=germany, expiry_date=expiry, kind=kind)


def test_documents_expiring_within_the_notice_period_open_a_clock(org, people, germany):
    person = make_person(user=people.staff, unit=org.computing)
    soon = _doc(person, germany, datetime.date(2027, 3, 1))
    _doc(make_person(), germany, datetime.date(2028, 1, 1))  # beyond 180 days
    items = list(clock_items(TODAY))
    assert len(items) == 1
    item = items[0]
    assert (item["rule"], item["subject"], item["due_on"]) == (RULE, person, datetime.date(2027, 3, 1))
    assert (item["responsible"], item["unit"], item["key"]) == (
        people.staff,
        org.computing,
        f"{soon.pk}:2027-03-01",
    )
    assert item["title"]() == "Passport expires on 2027-03-01"
    assert soon.number not in item["title"]()


def test_permits_are_due_a_month_before_they_end(germany):
    _doc(make_person(), germany, datetime.date(2027, 4, 30), kind="residence_permit")
    (item,) = clock_items(TODAY)
    assert item["due_on"] == datetime.date(2027, 3, 31)


def test_a_renewed_document_closes_its_clock(germany):
    person = make_person()
    _doc(person, germany, datetime.date(2027, 3, 1))
    assert len(list(clock_items(TODAY))) == 1
    _doc(person, germany, datetime.date(2037, 2, 1))  # the new passport
    assert list(clock_items(TODAY)) == []


def test_an_expired_unrenewed_document_stays_wanted_so_it_is_missed_not_met(germany):
    _doc(make_person(), germany, datetime.date(2026, 12, 1))
    assert len(list(clock_items(TODAY))) == 1
    assert list(clock_items(datetime.date(2027, 3, 1))) == []  # long gone


def test_the_rule_declares_an_escalation_ladder():
    (rule,) = CLOCK_RULES
    assert rule["code"] == RULE
    assert [audience for _o, _u, audience in rule["ladder"]] == ["responsible", "unit", "office"]
