import datetime

import pytest
from django.utils import timezone

from meridian.agreements import selectors, services

TODAY = timezone.localdate()


def test_counts_by_state_are_restricted_to_visible(people, org, make_agreement):
    make_agreement(state="active")
    make_agreement(state="active")
    make_agreement(state="draft", unit=org.humanities)
    counts = selectors.agreement_counts_by_state(user=people.officer)
    assert counts["active"] == 2 and counts["draft"] == 1 and counts["terminated"] == 0
    assert selectors.agreement_counts_by_state(user=people.staff)["draft"] == 0
    assert sum(selectors.agreement_counts_by_state(user=people.student).values()) == 0


def test_agreements_expiring(people, make_agreement):
    soon = make_agreement(state="active", end_date=TODAY + datetime.timedelta(days=10))
    later = make_agreement(state="active", end_date=TODAY + datetime.timedelta(days=60))
    make_agreement(state="active", end_date=TODAY + datetime.timedelta(days=200))
    make_agreement(state="draft", end_date=TODAY + datetime.timedelta(days=5))
    assert list(selectors.agreements_expiring(user=people.coordinator, days=90)) == [soon, later]
    assert list(selectors.agreements_expiring(user=people.other_coordinator, days=90)) == []


def test_detail_collects_everything_for_the_page(people, make_agreement):
    umbrella = make_agreement(state="active")
    agreement = make_agreement(state="active", umbrella=umbrella)
    services.agreement_update(agreement=agreement, actor=people.officer, title_en="Changed title")
    detail = selectors.agreement_detail(user=people.coordinator, agreement=umbrella)
    assert detail.addenda == [agreement]
    assert detail.actions == ["renew"]
    other = selectors.agreement_detail(user=people.officer, agreement=agreement)
    # It runs until 2030: expiring is offered only with the reason it is not possible yet.
    assert other.actions == ["terminate", "renew"]
    expire = next(m for m in other.moves if m.name == "expire")
    assert not expire.available
    assert expire.reasons == [
        f"Agreement {agreement.number} runs until 2030-01-01 and cannot expire before then; "
        "terminate it instead."
    ]
    assert other.history[0].changes[0].after == "Changed title"
    assert other.activity[0].verb == "updated"
    assert [p.partner.country.code for p in other.parties] == ["DE"]


@pytest.mark.parametrize("limit", [500, 0])
def test_public_facts_by_partner_are_the_same_named_in_the_query_or_kept_after_reading(
    monkeypatch, partner, other_partner, make_agreement, limit
):
    """Over PARTNER_IN_LIST_LIMIT partners, the look-ups read every active agreement and keep the wanted
    partners' (a long IN list made SQLite probe it for every row): the answer must not change."""
    monkeypatch.setattr(selectors, "PARTNER_IN_LIST_LIMIT", limit)
    make_agreement(
        state="active", title_en="Older", start_date=datetime.date(2020, 1, 1), channels=["research"]
    )
    make_agreement(state="active", title_en="Newer", start_date=datetime.date(2024, 1, 1))
    make_agreement(state="draft", title_en="Draft")
    make_agreement(state="active", title_en="Other's", partners=[other_partner], channels=["joint_education"])
    wanted = [partner.pk]
    records = selectors.public_agreements_by_partner(wanted)
    assert list(records) == [partner.pk]
    assert [row["title"] for row in records[partner.pk]] == ["Newer", "Older"]
    assert selectors.public_channels_by_partner(wanted) == {partner.pk: ["research", "student_exchange"]}
    both = selectors.public_channels_by_partner([partner.pk, other_partner.pk])
    assert both[other_partner.pk] == ["joint_education"]
