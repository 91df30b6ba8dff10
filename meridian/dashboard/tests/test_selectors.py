import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.activity import activity_record
from meridian.core.registry import DashboardTile, registry
from meridian.dashboard.selectors import dashboard_for, recent_activity
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

TODAY = timezone.localdate()


@pytest.fixture
def data(org, people):
    de, fr = country("DE", "Germany", "德国"), country("FR", "France", "法国", alpha3="FRA")
    public_de = PartnerFactory(country=de, is_public=True, status="active")
    hidden_de = PartnerFactory(country=de, is_public=False, status="prospect", kind="enterprise")
    hidden_fr = PartnerFactory(country=fr, is_public=False, status="active")
    eng_active_soon = AgreementFactory(
        responsible_unit=org.engineering,
        partners=[public_de],
        state="active",
        end_date=TODAY + datetime.timedelta(days=30),
    )
    eng_active_later = AgreementFactory(
        responsible_unit=org.computing,
        partners=[hidden_fr],
        state="active",
        end_date=TODAY + datetime.timedelta(days=10),
    )
    hum_draft = AgreementFactory(responsible_unit=org.humanities, partners=[hidden_de], state="draft")
    hum_active_far = AgreementFactory(
        responsible_unit=org.humanities,
        partners=[hidden_de],
        state="active",
        end_date=TODAY + datetime.timedelta(days=900),
    )
    hum_expired = AgreementFactory(
        responsible_unit=org.humanities,
        partners=[hidden_fr],
        state="active",
        end_date=TODAY - datetime.timedelta(days=1),
    )
    return {
        "partners": [public_de, hidden_de, hidden_fr],
        "eng": [eng_active_soon, eng_active_later],
        "hum": [hum_draft, hum_active_far, hum_expired],
    }


def tiles(user) -> dict:
    """Each visible tile's values by key."""
    board = dashboard_for(user=user)
    return {t.key: t.context for t in board.stats + board.cards}


def bars(tile: dict) -> list[tuple[str, int]]:
    return [(row["label"], row["count"]) for row in tile["rows"]]


def test_officer_sees_every_figure(data, people):
    board = tiles(people.officer)
    assert board["partners"]["value"] == 3
    # Active partners: status active (public_de, hidden_fr) or party to an active agreement (hidden_de).
    assert board["active_partners"]["value"] == 3
    assert board["countries"]["value"] == 2
    assert board["active_agreements"]["value"] == 4
    assert board["expiring_agreements"]["value"] == 2
    assert bars(board["partners_by_country"]) == [("Germany", 2), ("France", 1)]
    assert [r["percent"] for r in board["partners_by_country"]["rows"]] == [100, 50]
    assert set(bars(board["partners_by_type"])) == {("University", 2), ("Enterprise", 1)}
    assert [r["url"].split("?")[1] for r in board["agreements_by_state"]["rows"]] == [
        "state=draft",
        "state=active",
    ]
    assert [r["count"] for r in board["agreements_by_state"]["rows"]] == [1, 4]


def test_stats_come_before_sections_in_registry_order(data, people):
    board = dashboard_for(user=people.officer)
    assert [t.key for t in board.stats][:5] == [
        "partners", "active_partners", "active_agreements", "expiring_agreements", "countries"
    ]  # fmt: skip
    assert all(t.kind == "stat" for t in board.stats) and all(t.kind == "card" for t in board.cards)
    assert [t.key for t in board.cards][-1] == "activity"


def test_expiring_is_soonest_first_with_days_left(data, people):
    expiring = tiles(people.officer)["agreements_expiring"]
    assert [a.pk for a in expiring["agreements"]] == [data["eng"][1].pk, data["eng"][0].pk]
    assert [a.days_remaining for a in expiring["agreements"]] == [10, 30]


def test_expiring_window_is_configurable(data, people, settings):
    settings.EXPIRING_SOON_DAYS = 20
    board = tiles(people.officer)
    assert [a.pk for a in board["agreements_expiring"]["agreements"]] == [data["eng"][1].pk]
    assert board["expiring_agreements"]["value"] == 1
    assert board["expiring_agreements"]["url"].endswith("expiring_within=20")


def test_coordinator_sees_only_agreements_of_their_units(data, people):
    board = tiles(people.coordinator)
    assert board["partners"]["value"] == 3  # the partner registry is shared by university staff
    assert board["active_agreements"]["value"] == 2
    assert sum(count for _label, count in bars(board["agreements_by_state"])) == 2
    assert {a.pk for a in board["agreements_expiring"]["agreements"]} == {a.pk for a in data["eng"]}


def test_student_sees_public_partners_and_no_agreement_tiles(data, people):
    board = tiles(people.student)
    assert board["partners"]["value"] == 1
    assert board["countries"]["value"] == 1
    assert bars(board["partners_by_country"]) == [("Germany", 1)]
    assert not {
        "active_agreements",
        "expiring_agreements",
        "agreements_by_state",
        "agreements_expiring",
    } & set(board)


def test_top_fifteen_countries_only(org, people):
    for i in range(17):
        # User-assigned codes (QM–QZ, XA–XC): the real countries arrive with the migrations.
        code = f"Q{chr(77 + i)}" if i < 14 else f"X{chr(65 + i - 14)}"
        PartnerFactory.create_batch(
            20 - i, country=country(code, f"Country {code}", f"国家{code}", alpha3=f"{code}Z")
        )
    board = tiles(people.officer)
    assert len(board["partners_by_country"]["rows"]) == 15
    assert board["partners_by_country"]["total_groups"] == 17
    assert board["countries"]["value"] == 17
    assert bars(board["partners_by_country"])[0] == ("Country QM", 20)


def test_a_tile_registered_by_another_context_appears_for_those_it_is_visible_to(people, db):
    registry.dashboard_tiles.add(
        DashboardTile(
            key="test_visits",
            title="Visits",
            template="",
            kind="stat",
            context=lambda user: {"value": 7, "url": "/visits/"},
            visible=lambda user: user == people.officer,
            order=15,
        )
    )
    try:
        assert tiles(people.officer)["test_visits"]["value"] == 7
        assert "test_visits" not in tiles(people.coordinator)
    finally:
        registry.dashboard_tiles.remove("test_visits")


def test_activity_only_about_visible_records(data, people):
    public_de, hidden_de, _ = data["partners"]
    activity_record(target=public_de, verb="created", message="public partner created", actor=people.officer)
    activity_record(target=hidden_de, verb="created", message="hidden partner created", actor=people.officer)
    activity_record(target=data["eng"][0], verb="approved", message="engineering agreement approved")
    activity_record(target=data["hum"][0], verb="submitted", message="humanities agreement submitted")
    activity_record(target=people.staff, verb="joined", message="about a user, never on the dashboard")

    def messages(user):
        return [row.activity.message for row in recent_activity(user=user)]

    assert messages(people.officer) == [
        "humanities agreement submitted",
        "engineering agreement approved",
        "hidden partner created",
        "public partner created",
    ]
    assert messages(people.coordinator) == [
        "engineering agreement approved",
        "hidden partner created",
        "public partner created",
    ]
    assert messages(people.student) == ["public partner created"]
    assert messages(people.outsider) == []


def test_activity_keeps_the_newest_fifteen(data, people):
    partner = data["partners"][0]
    for i in range(20):
        activity_record(target=partner, verb="updated", message=f"change {i}")
    rows = recent_activity(user=people.officer)
    assert len(rows) == 15
    assert rows[0].activity.message == "change 19"
    assert rows[0].url == reverse("partners:detail", args=[partner.pk])
