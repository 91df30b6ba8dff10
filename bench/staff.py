"""Staff pages at scale, and the public JSON feed built cold.

``ensure_activity`` grows the bench data set's activity table to 1,000,000 rows (100,000 for ``--quick``)
with multi-row inserts (``executemany`` in batches), once: later runs find the rows there (the database
file lives under the bench's data folder). ``measure_staff_pages`` then reads every staff page as an
International Office officer and reports the p95 of the **server's CPU time** per request
(``time.process_time`` of this process: Django, the templates and, on SQLite, the database's own work;
PostgreSQL's CPU is spent in its own processes and is not counted), each as a ratio to a bare Django view in
the same run. Target: p95 ≤ 100 ms at 10,000 partners / 30,000 agreements / 1,000,000 activity rows.

``measure_cold_feed`` builds the public JSON feed with no cached entry (every cache emptied first) for the
data set's public partners with their agreements (7,000 of 10,000 in the full set). Target: under 2 s.

``python -m bench.staff [--quick]`` runs only these two measurements; ``make bench`` runs them with the rest.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

STAFF_TARGET_MS = 100.0  # p95 server CPU per staff page (issue 11)
FEED_TARGET_S = 2.0  # a cold JSON feed of 7,000 public partners (issue 11)
ACTIVITY_ROWS = {"full": 1_000_000, "quick": 100_000}
ACTIVITY_BATCH = 20_000


@dataclass
class CpuResult:
    name: str
    p50: float
    p95: float
    samples: int
    target_ms: float | None

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return "reference"
        return "meets target" if self.p95 <= self.target_ms else "MISSES target"


def ensure_activity(size_name: str, *, say: Callable[[str], None]) -> int:
    """Add activity rows until the table holds the size's count; returns the count. Rows name the data
    set's agreements and partners (about one in ten internal), newest last inserted, spread over 5 years."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from meridian.accounts.models import User
    from meridian.agreements.models import Agreement
    from meridian.core.models import Activity
    from meridian.partners.models import Partner

    wanted = ACTIVITY_ROWS[size_name]
    present = Activity.objects.count()
    if present >= wanted:
        say(f"Activity: {present:,} rows (built earlier).")
        return present
    missing = wanted - present
    say(f"Activity: adding {missing:,} rows (once) ...")
    started = time.monotonic()
    types = ContentType.objects.get_for_models(Agreement, Partner)
    agreements = list(Agreement.objects.values_list("pk", flat=True))
    partners = list(Partner.objects.values_list("pk", flat=True))
    actors = list(User.objects.filter(is_active=True).values_list("pk", flat=True)[:20]) or [None]
    table = connection.ops.quote_name(Activity._meta.db_table)
    columns = "created_at, actor_id, verb, message, message_zh, comment, content_type_id, object_id, internal"
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    oldest = timezone.now() - timedelta(days=5 * 365)
    step = timedelta(days=5 * 365) / wanted
    verbs = [
        ("updated", "Updated", "已更新"),
        ("commented", "Commented", "已评论"),
        ("state", "Moved", "已移动"),
    ]
    adapt = connection.ops.adapt_datetimefield_value
    agreement_type, partner_type = types[Agreement].pk, types[Partner].pk
    for start in range(present, wanted, ACTIVITY_BATCH):
        rows = []
        for i in range(start, min(wanted, start + ACTIVITY_BATCH)):
            verb, en, zh = verbs[i % 3]
            if i % 4 == 0 and partners:
                content_type, object_id = partner_type, partners[i % len(partners)]
            else:
                content_type, object_id = agreement_type, agreements[(i * 7) % len(agreements)]
            rows.append(
                (
                    adapt(oldest + step * i),
                    actors[i % len(actors)],
                    verb,
                    f"{en} record {object_id}",
                    f"{zh}记录{object_id}",
                    "",
                    content_type,
                    object_id,
                    i % 10 == 0,
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    say(f"  {missing:,} rows in {time.monotonic() - started:.0f} s")
    return wanted


def _pages(client) -> list[tuple[str, Callable[[], object]]]:
    """(name, request) for every staff page measured; each request cycles through realistic parameters."""
    from django.db.models import Count
    from django.urls import reverse

    from meridian.agreements.models import Agreement, AgreementPartner
    from meridian.partners.models import Partner

    busiest_partner = (
        AgreementPartner.objects.values("partner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("partner_id", flat=True)
        .first()
    )
    partner_ids = itertools.cycle(
        [busiest_partner, *Partner.objects.order_by("?").values_list("pk", flat=True)[:20]]
    )
    agreement_ids = itertools.cycle(Agreement.objects.order_by("?").values_list("pk", flat=True)[:20])
    searches = itertools.cycle(["univ", "exchange", "ka", "大学", "technology", "agreement 12"])
    lookups = itertools.cycle(["university", "tech", "instit", "大学", "medical"])
    partner_filters = itertools.cycle([{}, {"q": "univ"}, {"status": "active"}, {"page": "5"}])
    agreement_filters = itertools.cycle([{}, {"state": "active"}, {"q": "exchange"}, {"page": "5"}])

    def get(path: str, params: dict | None = None) -> None:
        response = client.get(path, params or {})
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} {params or ''} answered {response.status_code}")

    return [
        ("dashboard", lambda: get(reverse("dashboard:home"))),
        ("partner list", lambda: get(reverse("partners:list"), next(partner_filters))),
        ("agreement list", lambda: get(reverse("agreements:list"), next(agreement_filters))),
        ("partner detail", lambda: get(reverse("partners:detail", args=[next(partner_ids)]))),
        ("agreement detail", lambda: get(reverse("agreements:detail", args=[next(agreement_ids)]))),
        ("search", lambda: get(reverse("search:home"), {"q": next(searches)})),
        ("inbox", lambda: get(reverse("workflow:inbox"))),
        ("registry look-up", lambda: get(reverse("reference:lookup"), {"q": next(lookups)})),
    ]


def _cpu_ms(
    call: Callable[[], object], *, requests: int, warmup: int, budget_s: float
) -> tuple[list[float], int]:
    for _ in range(warmup):
        call()
    timings: list[float] = []
    started = time.monotonic()
    while len(timings) < requests:
        begin = time.process_time()
        call()
        timings.append((time.process_time() - begin) * 1000)
        if len(timings) >= 5 and time.monotonic() - started > budget_s:
            break
    return sorted(timings), len(timings)


def _result(name: str, timings: list[float], samples: int, target: float | None) -> CpuResult:
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
    return CpuResult(name, statistics.median(timings), p95, samples, target)


def measure_staff_pages(
    client, *, requests: int, warmup: int = 5, budget_s: float = 30.0, say: Callable[[str], None] = print
) -> list[CpuResult]:
    """p95 server CPU (ms) per staff page and of the bare view, signed in as ``client``'s user."""
    from django.urls import reverse

    results = []
    bare = reverse("bench-bare")
    for name, call in [*_pages(client), ("bare Django view", lambda: client.get(bare))]:
        timings, samples = _cpu_ms(call, requests=requests, warmup=warmup, budget_s=budget_s)
        target = None if name == "bare Django view" else STAFF_TARGET_MS
        results.append(_result(f"staff: {name}", timings, samples, target))
        say(f"  staff: {name}: {samples} requests, p95 CPU {results[-1].p95:.1f} ms")
    return results


def measure_cold_feed(*, repeats: int = 3, say: Callable[[str], None] = print) -> tuple[float, int]:
    """The slowest of ``repeats`` cold builds of the public JSON feed (seconds, wall clock) and its number of
    partners; before each build the process's entries and the shared cache are emptied."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from meridian.portal.publiccache import clear_local

    client = Client()
    url = reverse("opendata:partners_json")
    worst, count = 0.0, 0
    for _ in range(repeats):
        clear_local()
        cache.clear()
        begin = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - begin
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        count = int(response.json()["count"])
        worst = max(worst, elapsed)
    say(f"  cold JSON feed: {count:,} partners, slowest of {repeats} builds {worst:.2f} s")
    return worst, count


def report(results: list[CpuResult], feed: tuple[float, int] | None, out=sys.stdout) -> list[str]:
    """Print the staff pages' CPU figures with their ratio to the bare view, and the cold feed; returns the
    names of missed targets."""
    bare = next((r for r in results if r.target_ms is None), None)
    width = max([len(r.name) for r in results] + [30])
    out.write(
        f"\n{'staff page (server CPU)':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'× bare':>7}  target\n"
    )
    out.write("-" * (width + 52) + "\n")
    missed = []
    for r in results:
        ratio = f"{r.p95 / bare.p95:7.1f}" if bare and bare.p95 > 0 else "      —"
        target = f"≤ {r.target_ms:.0f} ms" if r.target_ms else "—"
        out.write(f"{r.name:<{width}}  {r.p50:8.1f}  {r.p95:8.1f}  {ratio}  {target}  {r.verdict}\n")
        if r.verdict.startswith("MISSES"):
            missed.append(r.name)
    if feed is not None:
        seconds, count = feed
        verdict = "meets target" if seconds < FEED_TARGET_S else "MISSES target"
        out.write(
            f"\ncold public JSON feed: {count:,} partners built in {seconds:.2f} s "
            f"(target < {FEED_TARGET_S:.0f} s): {verdict}\n"
        )
        if verdict.startswith("MISSES"):
            missed.append("cold public JSON feed")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.staff", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small data set, 100,000 activity rows")
    parser.add_argument("--requests", type=int, default=40, help="measured requests per page")
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_SIZE"] = "quick" if args.quick else "full"
    import django

    django.setup()
    from django.test import Client

    from bench.dataset import FULL, QUICK, ensure_dataset
    from bench.run import collect_static
    from meridian.accounts.models import User

    size = QUICK if args.quick else FULL
    ensure_dataset(size, say=print)
    ensure_activity(size.name, say=print)
    collect_static()
    feed = measure_cold_feed(say=print)
    client = Client()
    client.force_login(User.objects.get(username="demo-officer"))
    results = measure_staff_pages(client, requests=args.requests, say=print)
    report(results, feed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
