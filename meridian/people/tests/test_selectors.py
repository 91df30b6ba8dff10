"""Selectors: people search, expiring documents for the deadline clocks, detail for each role."""

import datetime

from django.utils import timezone

from meridian.people import selectors
from meridian.people.models import Person
from meridian.people.tests.factories import IdentityDocumentFactory, make_person


def test_search_matches_every_word_in_either_script(cast):
    base = Person.objects.all()
    assert list(selectors.person_search(base, "王力")) == [cast.staff_person]
    assert list(selectors.person_search(base, "li wang")) == [cast.staff_person]
    assert list(selectors.person_search(base, "anna rossi")) == []


def test_expiring_documents_between_today_and_the_limit(germany):
    today = datetime.date(2027, 1, 1)
    person = make_person()
    soon = IdentityDocumentFactory(
        person=person, issuing_country=germany, expiry_date=datetime.date(2027, 3, 1)
    )
    IdentityDocumentFactory(person=person, issuing_country=germany, expiry_date=datetime.date(2026, 12, 31))
    IdentityDocumentFactory(person=person, issuing_country=germany, expiry_date=datetime.date(2027, 9, 1))
    erased = make_person(purged_at=timezone.now())
    IdentityDocumentFactory(person=erased, issuing_country=germany, expiry_date=datetime.date(2027, 2, 1))
    found = selectors.identity_documents_expiring(before=datetime.date(2027, 7, 1), today=today)
    assert list(found) == [soon]


def test_detail_gives_documents_only_to_those_who_may_see_them(people, cast):
    assert len(selectors.person_detail(user=people.officer, person=cast.guest).documents) == 1
    leader = selectors.person_detail(user=people.leadership, person=cast.guest)
    assert leader.documents == [] and leader.consents == [] and not leader.can_view_documents


def test_access_log_list_is_empty_for_everyone_but_administrators(people, cast):
    from meridian.people.services import access_log_record

    access_log_record(actor=people.officer, action="view", person=cast.guest)
    assert selectors.access_log_list(user=people.admin).count() == 1
    assert selectors.access_log_list(user=people.officer).count() == 0


def test_erased_person_reads_as_erased(cast):
    Person.objects.filter(pk=cast.guest.pk).update(purged_at=timezone.now(), family_name="", name_zh="")
    person = Person.objects.get(pk=cast.guest.pk)
    assert person.display_name == f"Erased person #{person.pk}"
