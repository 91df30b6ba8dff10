"""``meridian.core.bulk.update_rows`` and ``records_updated_in_bulk``: grouped UPDATEs of given rows and
columns, values converted as ``save()`` converts them, and the signal that tells other contexts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from meridian.core.bulk import records_updated, records_updated_in_bulk, update_rows
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["city", "cooperating_since", "latitude", "updated_at", "is_public", "owner_unit_id", "notes"]


def _values(partner: Partner) -> dict:
    partner.refresh_from_db()
    return {
        name: getattr(partner, name) for name in [*COLUMNS, "name", "longitude", "version", "search_text"]
    }


def test_update_rows_sets_the_given_columns_of_the_given_rows_only(org):
    first, second, untouched = PartnerFactory.create_batch(3, latitude=Decimal("1.000000"), longitude=None)
    before = {p.pk: _values(p) for p in (first, second, untouched)}
    when = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    update_rows(
        Partner,
        COLUMNS,
        [
            (
                first.pk,
                ["Aarhus", date(2019, 3, 1), Decimal("49.398750"), when, True, org.computing.pk, "a\nb"],
            ),
            (second.pk, ["", None, Decimal("-8.5"), when, False, None, ""]),
        ],
    )
    assert _values(first) == {
        **before[first.pk],
        "city": "Aarhus",
        "cooperating_since": date(2019, 3, 1),
        "latitude": Decimal("49.398750"),
        "updated_at": when,
        "is_public": True,
        "owner_unit_id": org.computing.pk,
        "notes": "a\nb",
    }
    assert _values(second) == {
        **before[second.pk],
        "city": "",
        "cooperating_since": None,
        "latitude": Decimal("-8.500000"),
        "updated_at": when,
        "is_public": False,
        "owner_unit_id": None,
        "notes": "",
    }
    assert _values(untouched) == before[untouched.pk]


def test_update_rows_takes_a_text_with_quotes_and_unicode_as_a_value():
    partner = PartnerFactory()
    name = 'O\'Brien "Institute"; DROP TABLE partners_partner; -- 海德堡 😀'
    update_rows(Partner, ["name"], [(partner.pk, [name])])
    partner.refresh_from_db()
    assert partner.name == name


def test_update_rows_of_nothing_runs_no_query(django_assert_num_queries):
    partner = PartnerFactory(city="Heidelberg")
    with django_assert_num_queries(0):
        update_rows(Partner, ["city"], [])
    partner.refresh_from_db()
    assert partner.city == "Heidelberg"


def test_update_rows_refuses_a_row_with_too_few_values():
    partner = PartnerFactory(city="Heidelberg")
    with pytest.raises(ValueError):
        update_rows(Partner, ["city", "notes"], [(partner.pk, ["Mannheim"])])
    partner.refresh_from_db()
    assert partner.city == "Heidelberg"


def test_records_updated_in_bulk_sends_the_records_once_and_nothing_for_none():
    received: list[tuple[type, list]] = []

    def receiver(sender, records, **kwargs):
        received.append((sender, records))

    records_updated.connect(receiver, sender=Partner, dispatch_uid="test-records-updated")
    try:
        partners = PartnerFactory.create_batch(2)
        records_updated_in_bulk(Partner, [])
        assert received == []
        records_updated_in_bulk(Partner, tuple(partners))
        assert received == [(Partner, partners)]
    finally:
        records_updated.disconnect(sender=Partner, dispatch_uid="test-records-updated")
