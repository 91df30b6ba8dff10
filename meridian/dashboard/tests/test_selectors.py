import datetime

import pytest

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.activity import activity_record
from meridian.dashboard.selectors import dashboard_for, recent_activity
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

TODAY = datetime.date(2026, 6, 1)


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


def test_officer_sees_every_figure(data, people):
    board = dashboard_for(user=people.officer, today=TODAY, days=180)
    assert board.headline.partners == 3
    assert board.headline.active_partners == 2
    assert board.headline.countries == 2
    assert board.headline.active_agreements == 4
    assert board.headline.expiring == 2
    assert [(b.key, b.count) for b in board.by_country] == [("DE", 2), ("FR", 1)]
    assert board.by_country[0].percent == 100 and board.by_country[1].percent == 50
    assert {(b.key, b.count) for b in board.by_type} == {("university", 2), ("enterprise", 1)}
    assert [(b.key, b.count) for b in board.by_state] == [("draft", 1), ("active", 4)]


def test_expiring_is_soonest_first_with_days_left(data, people):
    board = dashboard_for(user=people.officer, today=TODAY, days=180)
    assert [a.pk for a in board.expiring] == [data["eng"][1].pk, data["eng"][0].pk]
    assert [a.days_remaining for a in board.expiring] == [10, 30]


def test_expiring_window_is_configurable(data, people):
    board = dashboard_for(user=people.officer, today=TODAY, days=20)
    assert [a.pk for a in board.expiring] == [data["eng"][1].pk]
    assert board.headline.expiring == 1


def test_coordinator_sees_only_agreements_of_their_units(data, people):
    board = dashboard_for(user=people.coordinator, today=TODAY, days=180)
    assert board.headline.partners == 3  # the partner registry is shared by university staff
    assert board.headline.active_agreements == 2
    assert sum(b.count for b in board.by_state) == 2
    assert {a.pk for a in board.expiring} == {a.pk for a in data["eng"]}


def test_student_sees_public_partners_and_no_agreements(data, people):
    board = dashboard_for(user=people.student, today=TODAY, days=180)
    assert board.headline.partners == 1
    assert board.headline.countries == 1
    assert [(b.key, b.count) for b in board.by_country] == [("DE", 1)]
    assert board.headline.active_agreements == 0
    assert board.by_state == []
    assert board.expiring == []


def test_top_fifteen_countries_only(org, people):
    for i in range(17):
        code = f"{chr(65 + i)}Q"
        PartnerFactory.create_batch(
            20 - i, country=country(code, f"Country {code}", f"国家{code}", alpha3=f"{code}Z")
        )
    board = dashboard_for(user=people.officer, today=TODAY)
    assert len(board.by_country) == 15
    assert board.headline.countries == 17
    assert board.by_country[0].key == "AQ" and board.by_country[0].count == 20


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
    assert rows[0].kind == "partner"
