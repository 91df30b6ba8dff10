"""`python -m bench.run [--quick]`: p50 / p95 server time per scenario on a large synthetic data set.

Requests go through Django's test client, so the time is the server's own (middleware, view, database,
template) without network or WSGI server overhead. The public "Global Vision" pages are measured as an
anonymous visitor; then (unless `--no-load`) bench/load.py drives many concurrent clients against them through
gunicorn on loopback. The affiliation matcher's precision and recall are measured on a registry of its own
(bench/affiliation.py). The staff pages' server CPU at 1,000,000 activity rows and the cold public JSON feed
are measured by bench/staff.py. A missed target is reported, not fatal; only errors fail the run. Public
pages the portal does not offer (yet) are reported as "not available".
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.load import add_arguments as load_arguments
from bench.load import run_load

LOOKUP_TARGET_MS = 20.0  # registry look-up p95 with 120,000 institutions (issue 10)
PAGE_TARGET_MS = 150.0
PUBLIC_PAGE_TARGET_MS = 50.0  # cached public pages
PUBLIC_SEARCH_TARGET_MS = 100.0  # the public directory's search
MIN_SAMPLES = 5


@dataclass
class Scenario:
    name: str
    target_ms: float | None
    call: Callable[[], None]


@dataclass
class Result:
    name: str
    p50: float
    p95: float
    target_ms: float | None
    samples: int = 0

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return "reference"
        return "meets target" if self.p95 < self.target_ms else "MISSES target"


class BenchError(Exception):
    """A scenario answered with an error: the benchmark itself failed."""


def _lookup_queries(limit: int = 60) -> list[str]:
    """Varied look-ups: names, name and word prefixes, acronyms, domains, e-mail addresses, identifiers."""
    from meridian.reference.models import Institution

    queries: list[str] = []
    step = max(Institution.objects.count() // limit, 1)
    sample = Institution.objects.order_by("pk").prefetch_related("domains", "names")[: limit * step : step]
    for inst in sample:
        words = inst.name.split()
        longest = max(words, key=len)
        domain = next((d.domain for d in inst.domains.all()), "")
        acronym = next((n.value for n in inst.names.all() if n.kind == "acronym"), "")
        queries += [inst.name, longest[:4], " ".join(w[:3] for w in words[:2]), inst.name.lower()[:9]]
        if domain:
            queries += [domain, f"someone@{domain}"]
        if acronym:
            queries.append(acronym)
        if inst.ror_id:
            queries.append(f"https://ror.org/{inst.ror_id}")
        if inst.pic:
            queries.append(inst.pic)
    queries += ["university", "univ of", "technology", "大学", "institute of science", "zzzz-not-there"]
    # Accents, full width, Chinese script variants and a typed Erasmus code are folded before the search.
    queries += ["UNIVERSITÉ DE", "ｕｎｉｖｅｒｓｉｔｙ", "東京大學", "d heidelb01"]
    return queries


def _scenarios(client) -> list[Scenario]:
    from django.urls import reverse

    from meridian.reference.selectors import registry_lookup

    lookups = itertools.cycle(_lookup_queries())
    countries = itertools.cycle(["", "DE", "US", "FR", "JP", "GB"])
    partner_filters = itertools.cycle(
        [
            {},
            {"country": "US"},
            {"type": "university"},
            {"status": "active"},
            {"q": "univ"},
            {"type": "university", "status": "active", "page": "3"},
            {"active": "yes"},
            {"expiring": "180"},
            {"channel": "research"},
            {"ordering": "-country"},
            {"region": "150"},
            {"q": "ka", "country": "DE"},
        ]
    )
    agreement_filters = itertools.cycle(
        [
            {},
            {"state": "active"},
            {"expiring_within": "90"},
            {"kind": "student_exchange"},
            {"channel": "research"},
            {"q": "exchange"},
            {"state": "active", "page": "5"},
            {"country": "DE"},
            {"ordering": "end_date"},
            {"state": ["active", "approved"], "kind": "mou"},
        ]
    )
    api_filters = itertools.cycle(
        [{}, {"country": "US"}, {"type": "university"}, {"page": "4"}, {"q": "tech"}]
    )

    def get(url: str, params: dict | None = None) -> None:
        response = client.get(url, params or {})
        if response.status_code != 200:
            raise BenchError(f"GET {url} {params or ''} answered {response.status_code}")

    lookup_url = reverse("reference:lookup")
    return [
        Scenario(
            "registry look-up (selector)",
            LOOKUP_TARGET_MS,
            lambda: registry_lookup(query=next(lookups), limit=10, country=next(countries) or None),
        ),
        Scenario("registry look-up (view)", LOOKUP_TARGET_MS, lambda: get(lookup_url, {"q": next(lookups)})),
        Scenario(
            "partner list (filtered)",
            PAGE_TARGET_MS,
            lambda: get(reverse("partners:list"), next(partner_filters)),
        ),
        Scenario(
            "agreement list", PAGE_TARGET_MS, lambda: get(reverse("agreements:list"), next(agreement_filters))
        ),
        Scenario("dashboard", PAGE_TARGET_MS, lambda: get(reverse("dashboard:home"))),
        Scenario("API partner list", PAGE_TARGET_MS, lambda: get("/api/v1/partners/", next(api_filters))),
        Scenario("bare Django view", None, lambda: get(reverse("bench-bare"))),
    ]


def _public_scenarios(client) -> tuple[list[Scenario], list[str]]:
    """The public pages an anonymous visitor reads; those that do not answer 200 yet are "not available"."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    def url(name: str, fallback: str, language: str) -> str:
        try:
            with translation.override(language):
                return reverse(name)
        except NoReverseMatch:
            return fallback

    searches = itertools.cycle(
        [
            {"q": "univ"},
            {"q": "大学"},
            {"q": "technology"},
            {"q": "ka", "country": "DE"},
            {"q": "medical", "type": "university"},
            {"q": "institute", "page": "2"},
            {"q": "zzzz-not-there"},
            {"q": "理工"},
        ]
    )
    candidates: list[tuple[str, float, str, Callable[[], dict]]] = []
    for language in ("en", "zh-hans"):
        candidates += [
            (
                f"public: Global Partnership page ({language})",
                PUBLIC_PAGE_TARGET_MS,
                f"/{language}/global-vision/global-partnership/",
                dict,
            ),
            (
                f"public: Global Vision home ({language})",
                PUBLIC_PAGE_TARGET_MS,
                url("portal:home", f"/{language}/global-vision/", language),
                dict,
            ),
        ]
    directory = url("directory:list", "/en/global-vision/partners/", "en")
    candidates += [
        ("public: directory", PUBLIC_PAGE_TARGET_MS, directory, dict),
        ("public: directory search (?q=)", PUBLIC_SEARCH_TARGET_MS, directory, lambda: next(searches)),
    ]

    def get(path: str, params: dict) -> None:
        response = client.get(path, params)
        if response.status_code != 200:
            raise BenchError(f"GET {path} {params or ''} answered {response.status_code}")

    scenarios, unavailable = [], []
    for name, target, path, params in candidates:
        try:
            status = client.get(path, params()).status_code
        except Exception as exc:  # a half-built page must not stop the benchmark of the rest
            status = exc.__class__.__name__
        if status == 200:
            scenarios.append(Scenario(name, target, lambda p=path, q=params: get(p, q())))
        else:
            unavailable.append(f"{name} ({path}): {status}")
    return scenarios, unavailable


def collect_static() -> None:
    """Collect every time: new static files (the portal's) must be in the manifest the pages read."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def measure(scenario: Scenario, *, requests: int, warmup: int, budget_s: float) -> Result:
    """p50 / p95 of `requests` calls after `warmup` ones; a very slow scenario stops at its time budget."""
    started = time.monotonic()
    for _ in range(warmup):
        scenario.call()
        if time.monotonic() - started > budget_s / 4:
            break
    timings: list[float] = []
    measuring = time.monotonic()
    while len(timings) < requests:
        begin = time.perf_counter()
        scenario.call()
        timings.append((time.perf_counter() - begin) * 1000)
        if len(timings) >= MIN_SAMPLES and time.monotonic() - measuring > budget_s:
            break
    timings.sort()
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
    return Result(scenario.name, statistics.median(timings), p95, scenario.target_ms, samples=len(timings))


def report(results: list[Result], out=sys.stdout, unavailable: list[str] = ()) -> None:
    width = max(len(r.name) for r in results)
    out.write(f"\n{'scenario':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'target':>9}  {'n':>4}  result\n")
    out.write("-" * (width + 51) + "\n")
    for r in results:
        target = f"< {r.target_ms:.0f}" if r.target_ms else "—"
        out.write(
            f"{r.name:<{width}}  {r.p50:8.1f}  {r.p95:8.1f}  {target:>9}  {r.samples:>4}  {r.verdict}\n"
        )
    for line in unavailable:
        out.write(f"not available: {line}\n")
    missed = [r.name for r in results if r.verdict.startswith("MISSES")]
    out.write("\n" + (f"Targets missed: {', '.join(missed)}\n" if missed else "Every target is met.\n"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a data set a tenth of the size, fewer requests")
    parser.add_argument("--requests", type=int, help="measured requests per scenario (default 200, quick 50)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per scenario first")
    parser.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="seconds per scenario before a slow one stops early (n < requests)",
    )
    parser.add_argument("--no-load", action="store_true", help="skip the load test of the public pages")
    parser.add_argument(
        "--no-ratios", action="store_true", help="skip the public pages' requests per second (wrk)"
    )
    parser.add_argument("--ratio-seconds", type=float, default=10.0, help="seconds of wrk per public page")
    load_arguments(parser)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_SIZE"] = "quick" if args.quick else "full"

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.dataset import FULL, QUICK, ensure_dataset
    from bench.deadlines import deadline_scenarios, ensure_obligations, report_ratios
    from bench.inbox import ensure_cases, inbox_scenarios
    from bench.mobility import ensure_applications, mobility_scenarios, report_mobility
    from bench.search import measure_tenth, report_search, search_scenarios
    from bench.travel_rules import ensure_rule_trip, report_ratio, rule_scenarios
    from bench.travel_trips import ensure_trips, report_trip_ratios, trip_scenarios
    from meridian.accounts.models import User

    def say(message: str) -> None:
        print(message, flush=True)

    size = QUICK if args.quick else FULL
    requests = max(args.requests or (50 if args.quick else 200), MIN_SAMPLES)
    say(f"Benchmark database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    started = time.monotonic()
    ensure_dataset(size, say=say)
    ensure_obligations(size.name, say=say)
    ensure_cases(size.name, say=say)
    ensure_trips(size.name, say=say)
    ensure_rule_trip(say=say)
    ensure_applications(size.name, say=say)
    from bench.staff import ensure_activity

    ensure_activity(size.name, say=say)
    collect_static()
    say(
        f"Ready in {time.monotonic() - started:.0f} s. Measuring {requests} requests per scenario "
        f"after {args.warmup} warm-up requests, signed in as an International Office officer ..."
    )

    client = Client()
    client.force_login(User.objects.get(username="demo-officer"))
    results = []
    public, unavailable = _public_scenarios(Client())
    try:
        coordinator = Client()
        coordinator.force_login(User.objects.get(username="demo-coordinator"))
        deadlines = deadline_scenarios(
            client, coordinator, scenario=Scenario, error=BenchError, target_ms=PAGE_TARGET_MS
        )
        inbox = inbox_scenarios(
            client, coordinator, scenario=Scenario, error=BenchError, target_ms=PAGE_TARGET_MS
        )
        travel = trip_scenarios(
            client, coordinator, scenario=Scenario, error=BenchError, target_ms=PAGE_TARGET_MS
        ) + rule_scenarios(scenario=Scenario, error=BenchError)
        exchange = mobility_scenarios(
            client, coordinator, scenario=Scenario, error=BenchError, target_ms=PAGE_TARGET_MS
        )
        searches = search_scenarios(scenario=Scenario, error=BenchError)
        for scenario in _scenarios(client) + searches + deadlines + inbox + travel + exchange + public:
            result = measure(scenario, requests=requests, warmup=args.warmup, budget_s=args.budget)
            results.append(result)
            say(f"  {scenario.name}: {result.samples} requests, p95 {result.p95:.1f} ms")
    except BenchError as exc:
        say(f"Benchmark failed: {exc}")
        return 1
    report(results, unavailable=unavailable)
    from bench import staff

    say("Staff pages (server CPU) and the cold public JSON feed ...")
    cold_feed = staff.measure_cold_feed(say=say)
    staff.report(staff.measure_staff_pages(client, requests=min(requests, 100), say=say), cold_feed)
    report_ratios(results, sys.stdout)
    report_trip_ratios(results, sys.stdout)
    report_ratio(results, sys.stdout)
    report_mobility(results, sys.stdout)
    report_search(results, None if args.quick else measure_tenth(requests=requests, say=say), sys.stdout)
    from bench.jobs import report_drain

    report_drain(size.name, say=say)
    from bench.imports import run_all as run_import_bench

    if run_import_bench(quick=args.quick, say=say):
        say("The import benchmark failed.")
        return 1
    from bench.affiliation import report_affiliation

    report_affiliation(say=say)
    _save(results, size=size.name, vendor=connection.vendor, requests=requests)
    if not args.no_ratios:
        from bench.ratios import run_ratios

        rates = run_ratios(size_name=size.name, seconds=args.ratio_seconds, workers=args.workers, say=say)
        if rates and any(r.errors for r in rates):
            say("The public pages answered with errors under 50 connections.")
            return 1
    if not args.no_load:
        run_load(
            size_name=size.name,
            seconds=args.load_seconds,
            clients=args.clients,
            workers=args.workers,
            say=say,
        )
    return 0


def _save(results: list[Result], *, size: str, vendor: str, requests: int) -> None:
    """Keep the figures as JSON under bench/results/ (not committed) to compare runs over time."""
    folder = Path(__file__).resolve().parent / "results"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stamp}-{size}-{vendor}.json"
    rows = [asdict(r) | {"verdict": r.verdict} for r in results]
    path.write_text(
        json.dumps({"size": size, "database": vendor, "requests": requests, "results": rows}, indent=2)
    )
    print(f"Saved to {path.relative_to(folder.parent.parent)}")


if __name__ == "__main__":
    sys.exit(main())
