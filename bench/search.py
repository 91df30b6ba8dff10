"""Search of partners and agreements: p95 at the data set's size and at a tenth of it, and their ratio.

What is timed is what a list page asks the database for a query: the first page of matches (20, in the
list's order) and their number, as the International Office officer sees them. The queries are substrings
of stored values, typed as people type them (other case, full-width forms, Traditional characters).

The tenth-size figures come from the quick data set (built once, in its own database) measured by a child
process, so one `make bench` prints both sizes. Target: p95 < 50 ms at the large size, ratio near 1 (the
index answers; a table scan would grow about 10 × with 10 × data).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable

TARGET_MS = 50.0
PARTNERS = "search: partners (substring, 20 + count)"
AGREEMENTS = "search: agreements (substring, 20 + count)"
BROAD = "search: agreements, broad words (many matches)"
SHORT = "search: partners, 2-character words (no index)"
NAMES = (PARTNERS, AGREEMENTS, BROAD, SHORT)
SAMPLES = 15

# Words found in a large share of the synthetic names: the cost follows the number of matches.
BROAD_QUERIES = ["university of", "medical", "理工大学", "research agreement", "合作協議"]
SHORT_QUERIES = ["大学", "ka", "理工", "lo"]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def partner_queries(partners) -> list[str]:
    """What people type to find one organisation: its city in capitals or full-width letters, its Chinese
    name in Traditional characters, its web domain, or something that is not there."""
    import opencc

    traditional = opencc.OpenCC("s2t")
    queries = []
    for p in partners:
        queries += [p.city.upper(), _full_width(p.city), traditional.convert(p.name_zh), p.website_domain]
    return queries + ["zzzz-not-there"]


def agreement_queries(agreements) -> list[str]:
    """An agreement's number (part of it, other case, full-width), its title, its partner's city."""
    queries = []
    for number, title, city in agreements:
        queries += [number.split("-")[-1].lower(), _full_width(number), title.lower(), city.upper()]
    return queries + ["zzzz-not-there"]


def search_scenarios(*, scenario, error) -> list:
    """The search scenarios on the bench data set, signed in as the bench officer."""
    from meridian.accounts.models import User
    from meridian.agreements.models import Agreement
    from meridian.core.search_index import search_filter
    from meridian.partners.models import Partner

    officer = User.objects.get(username="demo-officer")
    step = max(Partner.objects.count() // SAMPLES, 1)
    partners = list(Partner.objects.order_by("pk")[::step][:SAMPLES])
    step = max(Agreement.objects.count() // SAMPLES, 1)
    agreements = list(
        Agreement.objects.order_by("pk").values_list("number", "title_en", "parties__partner__city")[::step][
            :SAMPLES
        ]
    )

    def run(model, order: tuple[str, ...], queries: list[str]) -> Callable[[], None]:
        cycle = itertools.cycle(queries)
        base = model.objects.visible_to(officer)

        def call() -> None:
            found = search_filter(base, next(cycle))
            page = list(found.order_by(*order)[:20])
            count = found.count()
            if count < len(page):
                raise error("search counted fewer matches than it listed")

        return call

    return [
        scenario(PARTNERS, TARGET_MS, run(Partner, ("name", "pk"), partner_queries(partners))),
        scenario(AGREEMENTS, TARGET_MS, run(Agreement, ("number",), agreement_queries(agreements))),
        scenario(BROAD, None, run(Agreement, ("number",), BROAD_QUERIES)),
        scenario(SHORT, None, run(Partner, ("name", "pk"), SHORT_QUERIES)),
    ]


def measure_here(*, requests: int, warmup: int, budget_s: float) -> dict[str, float]:
    """p95 of each search scenario on the current bench database, {name: ms}."""
    from bench.run import BenchError, Scenario, measure

    results = {}
    for item in search_scenarios(scenario=Scenario, error=BenchError):
        results[item.name] = measure(item, requests=requests, warmup=warmup, budget_s=budget_s).p95
    return results


def measure_tenth(*, requests: int, say: Callable[[str], None]) -> dict[str, float] | None:
    """The same scenarios on the quick data set (a tenth of the full one), measured by a child process.

    SQLite: the quick data set has its own file already. PostgreSQL: a database named after the bench
    database with ``_tenth`` appended, created when missing. Returns None when the child fails.
    """
    env = dict(os.environ, BENCH_SIZE="quick")
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        url = _tenth_database(url)
        env["BENCH_DATABASE_URL"] = url
    say("Search at a tenth of the size: measuring on the quick data set (built once) ...")
    child = subprocess.run(
        [sys.executable, "-m", "bench.search", "--requests", str(requests)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        say(f"  failed: {child.stderr.strip().splitlines()[-1:] or child.returncode}")
        return None
    return json.loads(child.stdout.strip().splitlines()[-1])


def _tenth_database(url: str) -> str:
    """`url` with ``_tenth`` after the database name; the database is created if it does not exist."""
    from django.db import connection

    base, _, name = url.rpartition("/")
    name, sep, query = name.partition("?")
    tenth = f"{name}_tenth"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [tenth])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{tenth}"')
    return f"{base}/{tenth}{sep}{query}"


def report_search(results, tenth: dict[str, float] | None, out) -> None:
    """p95 of partner and agreement search at the large size and at a tenth of it, and their ratio."""
    here = {r.name: r.p95 for r in results if r.name in NAMES}
    if not here:
        return
    out.write("\nSearch p95 (ms): large size / a tenth of it / ratio\n")
    for name in NAMES:
        if name not in here:
            continue
        small = (tenth or {}).get(name)
        if small:
            out.write(f"  {name}: {here[name]:.1f} / {small:.1f} / {here[name] / small:.1f}×\n")
        else:
            out.write(f"  {name}: {here[name]:.1f} / — / —\n")


def main(argv: list[str] | None = None) -> int:
    """Child process: build (once) the data set of BENCH_SIZE, print the search p95s as one JSON line."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.search")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from bench.dataset import FULL, QUICK, ensure_dataset

    size = QUICK if os.environ.get("BENCH_SIZE") == "quick" else FULL
    ensure_dataset(size, say=lambda message: print(message, file=sys.stderr, flush=True))
    print(json.dumps(measure_here(requests=args.requests, warmup=20, budget_s=60.0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
