"""The office's overdue tile lists a passport whose encrypted number no configured key decrypts, instead of
failing (and with it the dashboard): the tile never reads document numbers."""

import datetime
from typing import cast

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from meridian.people.choices import DocumentType
from meridian.people.crypto import PersonalDataKeyError
from meridian.people.models import IdentityDocument
from meridian.people.tests.factories import IdentityDocumentFactory
from meridian.travel import extensions
from meridian.travel.choices import CustodyState
from meridian.travel.models import CustodyItem, TripReport
from meridian.travel.tests.factories import germany, make_trip


def _overdue_passport_under_a_lost_key(org, people):
    today = timezone.localdate()
    trip = make_trip(
        unit=org.humanities,
        applicant=people.other_coordinator,
        state="returned",
        title="Lost key trip",
        depart_on=today - datetime.timedelta(days=60),
        return_on=today - datetime.timedelta(days=55),
    )
    TripReport.objects.create(
        trip=trip, inviter="X", members="Y", dates="Z", due_on=today - datetime.timedelta(days=30)
    )
    leader = trip.members.first()
    assert leader is not None
    # Written under a key that has since been removed from PERSONAL_DATA_KEYS.
    with override_settings(PERSONAL_DATA_KEYS=["a key that was removed too early"]):
        document = cast(
            IdentityDocument,
            IdentityDocumentFactory(
                person=leader.person, issuing_country=germany(), kind=DocumentType.OFFICIAL_PASSPORT
            ),
        )
    CustodyItem.objects.create(
        document=document,
        holder=leader.person,
        unit=org.humanities,
        state=CustodyState.ISSUED,
        trip=trip,
        due_back_on=today - datetime.timedelta(days=40),
    )
    return trip, document


def test_the_tile_lists_the_passport_without_decrypting_it(org, people):
    trip, document = _overdue_passport_under_a_lost_key(org, people)
    try:
        IdentityDocument.objects.get(pk=document.pk)
    except PersonalDataKeyError:
        pass
    else:  # pragma: no cover - the setup must reproduce the lost key
        raise AssertionError("the document number should not be decryptable")
    values = extensions.overdue_context(people.officer)
    assert [item.holder_id for item in values["passports"]] == [document.person_id]
    assert values["passport_total"] == 1
    # Its unit is suspended all the same: the overdue passport exists, only its number is unreadable.
    assert [unit.pk for unit in values["suspended"]] == [org.humanities.pk]


def test_the_dashboard_shows_the_tile(client, org, people):
    trip, _document = _overdue_passport_under_a_lost_key(org, people)
    client.force_login(people.officer)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    html = response.content.decode()
    tile = html.split('id="travel-overdue"')[1].split("</section>")[0]
    assert "1 passport or permit not back" in tile and trip.number in tile
    assert "School of Humanities" in tile.split("Approvals suspended for:")[1]
