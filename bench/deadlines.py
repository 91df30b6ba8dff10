"""Deadlines view on a large number of open clocks: 100,000 open obligations (10,000 with ``--quick``).

The obligations are added to the bench database once (and again whenever their number is not the wanted one),
spread over the agreements of the data set, every unit, a few people, and due dates from a month ago to a year
ahead. The scenarios read the deadlines view as an officer (everything) and as a unit coordinator (their
units), with the filters people use; ``report_ratios`` prints each one's p95 as a multiple of the bare view's.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

OBLIGATIONS = {"full": 100_000, "quick": 10_000}
KEY_PREFIX = "bench-"
BATCH = 5000
RULE = "agreements.renewal"


def ensure_obligations(size_name: str, *, say: Callable[[str], None]) -> int:
    """Make sure the bench database holds exactly the wanted number of bench obligations; returns it."""
    from meridian.clocks.models import Obligation

    wanted = OBLIGATIONS[size_name]
    present = Obligation.objects.filter(key__startswith=KEY_PREFIX, state="open").count()
    if present == wanted:
        say(f"Deadlines: {wanted:,} open obligations are ready (built earlier).")
        return wanted
    say(f"Deadlines: building {wanted:,} open obligations ...")
    _build(wanted)
    return wanted


@transaction.atomic
def _build(n: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from meridian.accounts.models import OrgUnit, User
    from meridian.agreements.models import Agreement
    from meridian.clocks.models import Obligation

    Obligation.objects.filter(key__startswith=KEY_PREFIX).delete()
    rng = random.Random(2026)
    agreements = list(Agreement.objects.values_list("pk", "number", "responsible_unit_id"))
    units = list(OrgUnit.objects.values_list("pk", flat=True))
    people = list(User.objects.filter(username__startswith="demo-").values_list("pk", flat=True)) + [None] * 4
    content_type = ContentType.objects.get_for_model(Agreement)
    now = timezone.now()
    for start in range(0, n, BATCH):
        rows = []
        for i in range(start, min(n, start + BATCH)):
            pk, number, unit_id = agreements[i % len(agreements)]
            rows.append(
                Obligation(
                    content_type=content_type,
                    object_id=pk,
                    subject_label=f"{number} Agreement",
                    subject_label_zh=f"{number} 协议",
                    subject_url=f"/agreements/{pk}/",
                    rule=RULE,
                    key=f"{KEY_PREFIX}{i}",
                    title=f"Renewal decision for agreement {number}",
                    title_zh=f"协议 {number} 续签决定",
                    due_at=now + timedelta(hours=rng.randint(-24 * 30, 24 * 365)),
                    responsible_id=rng.choice(people),
                    unit_id=unit_id if rng.random() < 0.7 else rng.choice(units),
                    opened_at=now,
                )
            )
        Obligation.objects.bulk_create(rows, batch_size=BATCH)


def deadline_scenarios(client, coordinator_client, *, scenario, error, target_ms: float) -> list:
    """The deadlines view as an officer and as a coordinator, cycling through the filters people use.

    ``scenario`` and ``error`` are bench.run's Scenario and BenchError (passed in: run.py runs as __main__).
    """
    from django.urls import reverse

    def get(who, path: str, params: dict) -> None:
        response = who.get(path, params)
        if response.status_code != 200:
            raise error(f"GET {path} {params or ''} answered {response.status_code}")

    from meridian.accounts.models import OrgUnit

    url = reverse("clocks:list")
    today = timezone.localdate()
    unit = OrgUnit.objects.order_by("pk").values_list("pk", flat=True).last()
    officer_filters = itertools.cycle(
        [
            {},
            {"overdue": "on"},
            {"page": "40"},
            {"rule": RULE},
            {"unit": str(unit)},
            {"due_before": (today + timedelta(days=30)).isoformat()},
            {"state": "open", "overdue": "on", "page": "3"},
        ]
    )
    coordinator_filters = itertools.cycle([{}, {"overdue": "on"}, {"page": "5"}])
    return [
        scenario(
            "deadlines view (officer, all units)",
            target_ms,
            lambda: get(client, url, next(officer_filters)),
        ),
        scenario(
            "deadlines view (coordinator, own units)",
            target_ms,
            lambda: get(coordinator_client, url, next(coordinator_filters)),
        ),
    ]


def report_ratios(results, out) -> None:
    """Each deadlines and inbox scenario's p95 as a multiple of the bare view's, measured in the same run."""
    bare = next((r for r in results if r.target_ms is None and "bare" in r.name), None)
    if bare is None or bare.p95 <= 0:
        return
    for r in results:
        if r.name.startswith(("deadlines view", "inbox")):
            out.write(
                f"{r.name}: p95 {r.p95:.1f} ms = {r.p95 / bare.p95:.1f}× the bare view ({bare.p95:.1f} ms)\n"
            )
