"""The hosting-standards table: validation (cap, dates, overlapping rows), who may write it, the default table
and the history of changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from meridian.core.errors import PermissionDeniedError
from meridian.visitors.choices import BudgetKind, GuestRank, StandardBasis
from meridian.visitors.models import HostingStandard
from meridian.visitors.services import standards as service


def row(**fields) -> dict:
    values = {
        "kind": BudgetKind.MEALS,
        "rank": "",
        "basis": StandardBasis.PER_PERSON_DAY,
        "cap": Decimal("300"),
        "valid_from": date(2026, 1, 1),
        "valid_until": None,
        "note": "",
    }
    values.update(fields)
    return values


def test_the_office_adds_a_row(people):
    saved = service.standard_save(actor=people.officer, **row(note="  Finance notice 2026  "))
    saved.refresh_from_db()
    assert saved.cap == Decimal("300.00") and saved.note == "Finance notice 2026"
    assert saved.updated_by == people.officer


@pytest.mark.parametrize("cap", [Decimal("0"), Decimal("-5")])
def test_a_cap_is_more_than_zero(people, cap):
    with pytest.raises(ValidationError) as error:
        service.standard_save(actor=people.officer, **row(cap=cap))
    assert "cap" in error.value.message_dict
    assert not HostingStandard.objects.exists()


def test_validity_cannot_end_before_it_starts(people):
    with pytest.raises(ValidationError) as error:
        service.standard_save(actor=people.officer, **row(valid_until=date(2025, 12, 31)))
    assert "valid_until" in error.value.message_dict


def test_overlapping_rows_for_the_same_kind_standing_and_basis_are_refused(people):
    service.standard_save(actor=people.officer, **row(valid_until=date(2026, 12, 31)))
    with pytest.raises(ValidationError) as error:
        service.standard_save(actor=people.officer, **row(valid_from=date(2026, 6, 1)))
    assert "2026-01-01" in error.value.message_dict["valid_from"][0]
    with pytest.raises(ValidationError):  # an open-ended row from before also meets it
        service.standard_save(actor=people.officer, **row(valid_from=date(2025, 1, 1)))
    assert HostingStandard.objects.count() == 1


def test_rows_that_do_not_overlap_are_accepted(people):
    first = service.standard_save(actor=people.officer, **row(valid_until=date(2026, 12, 31)))
    service.standard_save(actor=people.officer, **row(valid_from=date(2027, 1, 1)))
    service.standard_save(actor=people.officer, **row(rank=GuestRank.MINISTER))
    service.standard_save(actor=people.officer, **row(basis=StandardBasis.PER_PERSON))
    service.standard_save(actor=people.officer, **row(kind=BudgetKind.GIFTS))
    # Changing a row does not clash with itself.
    service.standard_save(actor=people.officer, standard=first, cap=Decimal("320"))
    assert HostingStandard.objects.count() == 5


@pytest.mark.parametrize("who", ["coordinator", "staff", "leadership", "outsider"])
def test_only_the_office_writes_the_table(people, who):
    user = getattr(people, who)
    with pytest.raises(PermissionDeniedError):
        service.standard_save(actor=user, **row())
    with pytest.raises(PermissionDeniedError):
        service.standards_install_defaults(actor=user)
    kept = HostingStandard.objects.create(**row())
    with pytest.raises(PermissionDeniedError):
        service.standard_delete(actor=user, standard=kept)
    assert HostingStandard.objects.count() == 1


def test_defaults_fill_an_empty_table_only(people):
    assert service.standards_install_defaults(actor=people.officer) == len(service.DEFAULT_TABLE)
    kinds = set(HostingStandard.objects.values_list("kind", flat=True))
    assert kinds == {"accommodation", "meals", "gifts", "honoraria", "transport"}
    assert service.standards_install_defaults(actor=people.officer) == 0
    assert HostingStandard.objects.count() == len(service.DEFAULT_TABLE)


def test_defaults_leave_a_kept_table_alone(db):
    HostingStandard.objects.create(**row())
    assert service.standards_install_defaults() == 0
    assert HostingStandard.objects.count() == 1


def test_the_default_table_has_no_overlapping_rows(people):
    service.standards_install_defaults()
    for saved in HostingStandard.objects.all():
        service.standard_save(actor=people.officer, standard=saved, note="checked")  # validates the row


def test_history_lists_additions_changes_and_deletions_newest_first(people):
    saved = service.standard_save(actor=people.officer, **row())
    service.standard_save(actor=people.admin, standard=saved, cap=Decimal("350"))
    service.standard_delete(actor=people.officer, standard=saved)
    history = service.standards_history()
    assert [e.action for e in history] == ["deleted", "changed", "added"]
    change = history[1]
    assert change.who == str(people.admin)
    assert [(c.field, c.before, c.after) for c in change.changes] == [("cap", "300.00", "350.00")]
    assert "Meals" in history[2].row and "open-ended" in history[2].row
