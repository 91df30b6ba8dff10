"""Who reads which activity, history and notifications: every role x every surface, from one table.

A partner shown publicly (so students see it) has a contact, a merged duplicate and an internal note; one
of its agreements is under review. Internal entries ("Added contact …", the merge message, the review, the
note in the change history, someone else's notification) must never reach students, partner contacts or
anonymous visitors, and must reach the university's staff who may see the record.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.activity import activity_for, activity_record, activity_record_bulk
from meridian.core.models import Activity
from meridian.core.notifications import notify
from meridian.core.registry import ActivityFeed, ActivityRule, registry
from meridian.dashboard.selectors import recent_activity
from meridian.partners.models import Partner, PartnerContact
from meridian.partners.services import contact_create, partner_merge, partner_update
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from meridian.workflow.testing import partner_contact_user

CONTACT = "Added contact Anna Becker"
MERGED = "Merged Heidelberg Duplicate"
REVIEW = "Review: the legal office doubts clause 7"
NOTE = "Negotiation stalled over fees"
NOTICE = "Your review is due: clause 7"
PUBLIC = "Created partner Universität Heidelberg"

SURFACES = ["dashboard", "partner_page", "agreement_page", "agreement_api_history", "inbox"]

# (status, internal entries shown) per surface. The staff dashboard sends everyone who is not staff to their
# own landing page (302); what it would show them is tested by the outsiders' timeline test below.
# The partner is public and managed by the Department of
# Computing; the agreement is the Department of Computing's, with the partner as party. The notification is
# the officer's.
Y, N = True, False
# The humanities coordinator sees the partner's internal entries, not those of an agreement outside reach.
OWN = ("Added contact Anna Becker", "Merged Heidelberg Duplicate")
OWN_N = (*OWN, "Negotiation stalled over fees")
MATRIX = {
    #                   dashboard     partner_page  agreement_page  api_history   inbox
    "admin":            ((200, Y),    (200, Y),     (200, Y),       (200, Y),     (200, N)),
    "officer":          ((200, Y),    (200, Y),     (200, Y),       (200, Y),     (200, Y)),
    "coordinator":      ((200, Y),    (200, Y),     (200, Y),       (200, Y),     (200, N)),
    "other_coordinator": ((200, OWN), (200, OWN_N), (404, N),       (404, N),     (200, N)),
    "staff":            ((200, Y),    (200, Y),     (200, Y),       (200, Y),     (200, N)),
    "leadership":       ((200, Y),    (200, Y),     (200, Y),       (200, Y),     (200, N)),
    "student":          ((302, N),    (200, N),     (404, N),       (404, N),     (200, N)),
    "partner_contact":  ((302, N),    (200, N),     (200, N),       (404, N),     (200, N)),
    "outsider":         ((302, N),    (404, N),     (404, N),       (404, N),     (200, N)),
    "anonymous":        ((302, N),    (302, N),     (302, N),       (401, N),     (302, N)),
}  # fmt: skip

CASES = [(role, surface, *MATRIX[role][i]) for role in MATRIX for i, surface in enumerate(SURFACES)]
# Which internal markers each surface could show, had the user the right to see them.
MARKERS = {
    "dashboard": [CONTACT, MERGED, REVIEW],
    "partner_page": [CONTACT, MERGED, REVIEW, NOTE],
    "agreement_page": [REVIEW],
    "agreement_api_history": [],  # the workflow history of the review: 200 means it was served at all
    "inbox": [NOTICE],
}


@pytest.fixture
def germany(db):
    return country("DE", "Germany", "德国", region_code="150", region_en="Europe")


@pytest.fixture
def world(org, people, germany):
    partner = PartnerFactory(
        name="Universität Heidelberg", country=germany, owner_unit=org.computing, is_public=True
    )
    activity_record(target=partner, verb="created", message=PUBLIC, actor=people.officer)
    duplicate = PartnerFactory(
        name="Heidelberg Duplicate", name_en="Heidelberg Duplicate", country=germany, is_public=True
    )
    contact_create(partner=partner, actor=people.officer, name="Anna Becker", email="anna@uni-hd.example")
    partner_merge(survivor=partner, duplicate=duplicate, actor=people.officer)
    partner = Partner.objects.get(pk=partner.pk)
    partner_update(partner=partner, actor=people.officer, expected_version=partner.version, notes=NOTE)
    agreement = AgreementFactory(responsible_unit=org.computing, partners=[partner], state="active")
    activity_record(target=agreement, verb="submit", message=REVIEW, actor=people.coordinator)
    notify(recipients=[people.officer], subject=NOTICE, target=agreement, email=False)
    contact_user = partner_contact_user(org)
    PartnerContact.objects.create(partner=partner, name="Paul Contact", user=contact_user)
    return {"partner": partner, "agreement": agreement, "partner_contact": contact_user}


def _user(role, people, world):
    if role == "anonymous":
        return None
    if role == "partner_contact":
        return world["partner_contact"]
    return getattr(people, role)


def _get(surface: str, user, world) -> tuple[int, str]:
    client, api = Client(), APIClient()
    if user is not None:
        client.force_login(user)
        api.force_authenticate(user)
    urls = {
        "dashboard": lambda: client.get(reverse("dashboard:home")),
        "partner_page": lambda: client.get(reverse("partners:detail", args=[world["partner"].pk])),
        "agreement_page": lambda: client.get(reverse("agreements:detail", args=[world["agreement"].pk])),
        "agreement_api_history": lambda: api.get(f"/api/v1/agreements/{world['agreement'].pk}/history/"),
        "inbox": lambda: client.get(reverse("workflow:notifications")),
    }
    response = urls[surface]()
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    ("role", "surface", "status", "internal"), CASES, ids=[f"{r}-{s}" for r, s, *_ in CASES]
)
def test_activity_matrix(people, world, role, surface, status, internal):
    code, body = _get(surface, _user(role, people, world), world)
    assert code == status
    shown = [marker for marker in MARKERS[surface] if marker in body]
    expected = MARKERS[surface] if internal is True else list(internal or [])
    assert shown == expected


@pytest.mark.parametrize("role", ["student", "partner_contact"])
def test_outsiders_still_read_the_public_entries_of_records_they_see(people, world, role):
    """The filter hides the internal entries, not the whole timeline (the matrix could otherwise pass by
    showing nothing)."""
    messages = [row.activity.message for row in recent_activity(user=_user(role, people, world))]
    assert messages == [PUBLIC]


def test_internal_verbs_are_stored_internal(people, world):
    partner = world["partner"]
    stored = dict(
        Activity.objects.filter(object_id=partner.pk, content_type__model="partner").values_list(
            "verb", "internal"
        )
    )
    assert stored == {"created": False, "contact_added": True, "merged": True, "updated": True}
    assert Activity.objects.get(message=REVIEW).internal is True  # every agreement entry is internal


def test_a_caller_marks_an_entry_internal_whatever_its_verb(people, germany):
    partner = PartnerFactory(country=germany, is_public=True)
    activity_record(target=partner, verb="created", message="quiet word", internal=True)
    bulk = activity_record_bulk(
        targets=[partner], verb="created", message=lambda p: "bulk word", internal=True
    )
    assert bulk[0].internal and Activity.objects.get(message="quiet word").internal
    assert [row.activity.message for row in recent_activity(user=people.student)] == []
    assert {row.activity.message for row in recent_activity(user=people.staff)} == {"quiet word", "bulk word"}


def test_record_panels_never_show_activity_of_records_the_user_cannot_see(people, germany):
    """``activity_for`` applies the subject's rule even when a caller passes ids it should not have."""
    hidden = PartnerFactory(country=germany, is_public=False)
    activity_record(target=hidden, verb="created", message="about a hidden partner")
    assert list(activity_for(targets={Partner: [hidden.pk]}, user=people.student)) == []
    assert [a.message for a in activity_for(targets={Partner: [hidden.pk]}, user=people.staff)] == [
        "about a hidden partner"
    ]


def test_a_model_without_a_rule_is_not_on_the_dashboard_and_hides_internal_entries(people):
    """No declared visibility: nothing on the dashboard; its own page (which checked the record) shows the
    entries that were not written internal."""
    user_model = type(people.staff)
    registry.activity_feeds.add(ActivityFeed(key="test-users", model=lambda: user_model, url=lambda pk: "/"))
    try:
        activity_record(target=people.staff, verb="joined", message="joined")
        activity_record(target=people.staff, verb="vetted", message="vetted", internal=True)
        assert recent_activity(user=people.admin) == []
        assert [
            a.message for a in activity_for(targets={user_model: [people.staff.pk]}, user=people.admin)
        ] == ["joined"]
    finally:
        registry.activity_feeds.remove("test-users")


def test_a_rule_can_grant_internal_entries_per_record(people, germany):
    """``internal_ids`` returning ids: internal entries of those records only."""
    user_model = type(people.staff)
    registry.activity_rules.add(
        ActivityRule(
            key="test-users",
            model=lambda: user_model,
            visible_ids=lambda user: None,
            internal_verbs=("vetted",),
            internal_ids=lambda user: [people.staff.pk],
        )
    )
    registry.activity_feeds.add(ActivityFeed(key="test-users", model=lambda: user_model, url=lambda pk: "/"))
    try:
        for person in (people.staff, people.student):
            activity_record(target=person, verb="vetted", message=f"vetted {person.username}")
            activity_record(target=person, verb="joined", message=f"joined {person.username}")
        messages = {row.activity.message for row in recent_activity(user=people.officer)}
        assert messages == {"vetted staff", "joined staff", "joined student"}
    finally:
        registry.activity_feeds.remove("test-users")
        registry.activity_rules.remove("test-users")


def _plan(sql: str, params=()) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def test_the_dashboard_reads_the_newest_rows_along_the_index(people, world):
    """No sort of the whole activity table: the dashboard looks among the newest rows, read along the
    (-created_at, -id) index (SQLite's plan for them has no temporary B-tree), and stops at the limit."""
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    with CaptureQueriesContext(connection) as queries:
        rows = recent_activity(user=people.coordinator)
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "core_activity"' in q["sql"]]
    assert [r.activity.message for r in rows][:1] == [REVIEW]
    # The newest 200 ids along the index, then at most 15 of those rows by primary key.
    assert reads[0].rstrip().endswith("LIMIT 200") and reads[1].rstrip().endswith("LIMIT 15")
    newest = Activity.objects.order_by("-created_at", "-id").values("pk")[:200].query.sql_with_params()
    plan = _plan(*newest)
    assert "core_activity_newest" in plan
    assert "TEMP B-TREE" not in plan


def test_the_dashboard_widens_its_search_for_a_user_who_reads_little(people, world, germany, monkeypatch):
    """A student's only readable entry is older than the newest rows: the dashboard still finds it."""
    monkeypatch.setattr("meridian.core.activity.RECENT_WINDOWS", (2, None))
    hidden = PartnerFactory(country=germany, is_public=False)
    for i in range(5):
        activity_record(target=hidden, verb="created", message=f"hidden {i}")
    assert [row.activity.message for row in recent_activity(user=people.student)] == [PUBLIC]


def test_a_persons_internal_entries_are_for_staff_who_see_them_not_for_the_person(org, people):
    """People's rule: the subject reads their own record's activity, but not entries written internal;
    officers and the coordinator of the person's unit read both; another coordinator reads neither."""
    from meridian.people.models import Person
    from meridian.people.tests.factories import make_person

    person = make_person(user=people.student, unit=org.computing)
    activity_record(target=person, verb="updated", message="address changed")
    activity_record(target=person, verb="vetted", message="security vetting noted", internal=True)

    def read(user) -> list[str]:
        return [a.message for a in activity_for(targets={Person: [person.pk]}, user=user)]

    assert read(people.student) == ["address changed"]
    assert read(people.officer) == ["security vetting noted", "address changed"]
    assert read(people.coordinator) == ["security vetting noted", "address changed"]
    assert read(people.other_coordinator) == []
