"""The dashboard's recent-activity query reads the newest rows along an index on both database engines,
instead of sorting the whole activity table (its cost must not grow with the table)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meridian.core.activity import RECENT_WINDOWS
from meridian.core.models import Activity

pytestmark = pytest.mark.django_db

ROWS = 20_000  # enough that a planner with fresh statistics prefers the index to a scan and a sort
INDEX = "core_activity_newest"


@pytest.fixture
def many_activities(people):
    """``ROWS`` activity entries about a partner, one a minute, with the planner's statistics refreshed."""
    from meridian.partners.tests.factories import PartnerFactory

    partner = PartnerFactory()
    partner_type = ContentType.objects.get_for_model(partner)
    start = timezone.now() - timedelta(minutes=ROWS)
    Activity.objects.bulk_create(
        [
            Activity(
                actor=people.officer,
                verb="updated",
                message=f"entry {i}",
                content_type=partner_type,
                object_id=partner.pk,
                created_at=start + timedelta(minutes=i),
            )
            for i in range(ROWS)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Activity._meta.db_table}")


def _newest_window_sql() -> tuple[str, tuple]:
    """The query the dashboard narrows the table with: the newest ``RECENT_WINDOWS[0]`` ids."""
    window = RECENT_WINDOWS[0]
    return Activity.objects.order_by("-created_at", "-id").values("pk")[:window].query.sql_with_params()


def _sqlite_plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def _postgres_nodes(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
    plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    nodes, todo = [], [plan]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def _assert_uses_the_index(sql: str, params, *, window: bool = True) -> None:
    """The activity table is only read along ``INDEX`` (or by primary key for the ids the index gave); a
    sort orders at most the window's rows, never the table."""
    if connection.vendor == "sqlite":
        plan = _sqlite_plan(sql, params)
        assert INDEX in plan, plan
        steps = plan.split(" | ")
        scans = [step for step in steps if step.startswith("SCAN")]
        assert all(f"INDEX {INDEX}" in step for step in scans), plan  # never a scan of the table itself
        if not window:
            assert "TEMP B-TREE" not in plan, plan
        elif "TEMP B-TREE" in plan:  # the outer sort orders the window's rows, found by primary key
            assert "LIST SUBQUERY" in plan and "USING INTEGER PRIMARY KEY" in plan, plan
    else:
        nodes = _postgres_nodes(sql, params)
        scans = [n for n in nodes if n.get("Relation Name") == Activity._meta.db_table]
        assert scans, nodes
        assert all(n["Node Type"] in ("Index Scan", "Index Only Scan") for n in scans), scans
        assert {n.get("Index Name") for n in scans} == {INDEX}, scans
        # No sort reads the whole table: a sort may only order the few rows of the window.
        sorts = [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")]
        assert all(n.get("Plan Rows", 0) <= RECENT_WINDOWS[0] for n in sorts), sorts


def test_the_newest_window_is_read_along_the_index(many_activities):
    _assert_uses_the_index(*_newest_window_sql(), window=False)


def _assert_reads_by_primary_key(sql: str) -> None:
    """The rows are fetched by primary key (the ids the window gave), never by a scan of the table."""
    if connection.vendor == "sqlite":
        plan = _sqlite_plan(sql, ())
        assert "USING INTEGER PRIMARY KEY" in plan, plan
        assert not any(step.startswith("SCAN core_activity") for step in plan.split(" | ")), plan
    else:
        # Looked up by primary key, or read along the newest-first index and filtered by the ids (the planner
        # may walk the index from the newest row: the ids are the newest, so it stops at once).
        nodes = _postgres_nodes(sql, ())
        table = Activity._meta.db_table
        scans = [n for n in nodes if n.get("Relation Name") == table]
        assert scans, nodes
        assert all(n["Node Type"] in ("Index Scan", "Bitmap Heap Scan") for n in scans), scans
        index_nodes = [
            n
            for n in nodes
            if n["Node Type"] in ("Index Scan", "Bitmap Index Scan")
            and n.get("Index Name", "").startswith(table)
        ]
        assert index_nodes and {n["Index Name"] for n in index_nodes} <= {f"{table}_pkey", INDEX}, nodes
        sorts = [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")]
        assert all(n.get("Plan Rows", 0) <= RECENT_WINDOWS[0] for n in sorts), sorts


def test_the_dashboard_query_reads_the_table_along_the_index(many_activities, people):
    """The officer's dashboard timeline reads the newest ids along the index, then those rows by primary key
    (no scan and sort of the table), and the first window (the newest rows) is enough for the officer."""
    from meridian.dashboard.selectors import RECENT_ACTIVITY, recent_activity

    with CaptureQueriesContext(connection) as queries:
        rows = recent_activity(user=people.officer)
    assert [row.activity.message for row in rows] == [f"entry {ROWS - 1 - i}" for i in range(RECENT_ACTIVITY)]
    reads = [q["sql"] for q in queries.captured_queries if "core_activity" in q["sql"]]
    assert len(reads) == 2, reads
    assert f"LIMIT {RECENT_WINDOWS[0]}" in reads[0]
    _assert_uses_the_index(reads[0], (), window=False)
    _assert_reads_by_primary_key(reads[1])
