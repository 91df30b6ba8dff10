"""`python -m bench.imports`: partner import rows per CPU-second, dry run and commit, SQLite and PostgreSQL.

A realistic partner file (every column: names in three languages, type, country, city, province, website,
ROR ID, Erasmus code, PIC, SCHAC code, status, date, tags, public flag, notes, coordinates) of 1,000, 10,000
and 100,000 rows is checked (dry run) and then imported (commit) through ``run_import``, the path the upload
page and the background job take. CPU time is this process's (``time.process_time``); the database's own
work in another process (PostgreSQL) is not included, so the wall-clock time is printed too.

The figures are measured on a database of their own, emptied and migrated at the start: a SQLite file in the
bench folder and, when reachable, a database next to the one named by ``BENCH_IMPORTS_PG_URL`` (default
``postgres://postgres@127.0.0.1:5432/test``; the database ``<name>_bench_imports`` is created). The last
line of each database compares a 1,000-row commit into an empty table with one into the table the large
files filled: a ratio near 1 shows the cost does not depend on how many partners are stored.

Run by ``make bench`` (``bench.run``) after the page timings; ``--quick`` stops at 10,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

DRY_RUN_TARGET_S = 10.0  # CPU seconds for 100,000 rows
COMMIT_TARGET_S = 30.0
FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test"

HEADERS = [
    "Name", "English name", "Chinese name", "Acronym", "Type", "Country", "City", "Province", "Website",
    "ROR ID", "Erasmus code", "PIC", "SCHAC code", "Status", "Cooperating since", "Tags", "Public", "Notes",
    "Latitude", "Longitude",
]  # fmt: skip
# (ISO code, Erasmus country prefix, cities): countries that hold Erasmus codes, as most partner lists are.
_COUNTRIES = [
    ("DE", "D", ["Heidelberg", "München", "Köln", "Dresden"]),
    ("FR", "F", ["Paris", "Lyon", "Grenoble", "Toulouse"]),
    ("IT", "I", ["Bologna", "Milano", "Torino", "Padova"]),
    ("ES", "E", ["Barcelona", "Madrid", "Sevilla", "Valencia"]),
    ("AT", "A", ["Wien", "Graz", "Innsbruck", "Linz"]),
    ("NL", "NL", ["Utrecht", "Leiden", "Delft", "Groningen"]),
    ("PL", "PL", ["Kraków", "Warszawa", "Gdańsk", "Poznań"]),
    ("DK", "DK", ["København", "Aarhus", "Odense", "Aalborg"]),
    ("SE", "S", ["Uppsala", "Lund", "Göteborg", "Umeå"]),
    ("FI", "SF", ["Helsinki", "Turku", "Tampere", "Oulu"]),
]
_PATTERNS = [
    ("University of {c}", "{c}大学", "大学"),
    ("{c} Institute of Technology", "{c}理工学院", "大学"),
    ("{c} Medical Centre", "{c}医学中心", "医院"),
    ("Institute for Advanced Study {c}", "{c}高等研究院", "研究机构"),
    ("{c} Industrial Holdings", "{c}实业集团", "企业"),
]
_STATUSES = ["活跃", "Active", "潜在", "prospect", "休眠", "former"]
_TAGS = ["Erasmus+", "双学位", "summer school", "joint research", "CSC", "exchange", "科研合作", "short term"]
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def _letters(number: int, width: int) -> str:
    out = []
    for _ in range(width):
        number, rest = divmod(number, 26)
        out.append(_ALPHABET[rest])
    return "".join(reversed(out))


def _ror_id(number: int) -> str:
    # "0" + six letters or digits + two digits; the two digits are not a checksum here, which is enough.
    return f"0{_letters(number, 6)}{number % 100:02d}"


def partner_rows(count: int, *, start: int = 0) -> list[list[str]]:
    """``count`` distinct partner rows with every column filled the way offices fill them.

    Rows ``start`` … ``start + count - 1`` of one endless, reproducible sequence: two calls with different
    ranges never name the same partner (names, identifiers and domains all differ).
    """
    rows = []
    first = date(1995, 1, 1)
    for number in range(start, start + count):
        code, prefix, cities = _COUNTRIES[number % len(_COUNTRIES)]
        city = cities[(number // len(_COUNTRIES)) % len(cities)]
        english, chinese, kind = _PATTERNS[number % len(_PATTERNS)]
        serial = _letters(number, 5).upper()
        domain = f"{city.lower().replace('ö', 'o').replace('ü', 'u')}-{serial.lower()}.example.org"
        tags = [_TAGS[number % len(_TAGS)], _TAGS[(number // 7) % len(_TAGS)]]
        rows.append(
            [
                f"{english.format(c=city)} {serial}",
                f"{english.format(c=city)} {serial}",
                f"{chinese.format(c=city)}{serial}",
                f"U{serial}",
                kind,
                code,
                city,
                "",
                f"www.{domain}" if number % 3 else f"https://www.{domain}/",
                _ror_id(number),
                f"{prefix:<3}{serial}{number % 100:02d}",
                f"{900000000 + number:09d}",
                domain.removeprefix("www."),
                _STATUSES[number % len(_STATUSES)],
                (first + timedelta(days=number % 9000)).strftime("%Y/%m/%d" if number % 2 else "%Y-%m-%d"),
                "、".join(dict.fromkeys(tags)),
                "是" if number % 4 else "否",
                f"Imported from the {2000 + number % 25} partner list." if number % 5 == 0 else "",
                f"{45 + (number % 1000) / 100:.4f}",
                f"{5 + (number % 1500) / 100:.4f}",
            ]
        )
    return rows


def partner_file(count: int, *, start: int = 0) -> bytes:
    """A UTF-8 CSV (with BOM, as Excel saves it) of ``partner_rows(count, start=start)``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(partner_rows(count, start=start))
    return buffer.getvalue().encode("utf-8-sig")


@dataclass
class Timing:
    rows: int
    cpu_s: float
    wall_s: float

    @property
    def rate(self) -> float:
        return self.rows / self.cpu_s if self.cpu_s else float("inf")


def timed(call: Callable[[], object], rows: int) -> Timing:
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return Timing(rows, time.process_time() - cpu, time.perf_counter() - wall)


class ConcurrentWriter:
    """Another user writing (a small transaction every 0.2 s) while an import commits: how long each write
    waited for the lock, and whether any failed ("database is locked" would be a server error)."""

    def __init__(self, interval_s: float = 0.2) -> None:
        self.interval_s = interval_s
        self.waits: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import connection, transaction

        from meridian.partners.models import Tag

        number = 0
        try:
            while not self._stop.wait(self.interval_s):
                number += 1
                started = time.perf_counter()
                try:
                    with transaction.atomic():
                        Tag.objects.create(name=f"bench concurrent writer {number}")
                except Exception as exc:  # noqa: BLE001 - a failed write is the finding
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                else:
                    self.waits.append(time.perf_counter() - started)
        finally:
            Tag.objects.filter(name__startswith="bench concurrent writer").delete()
            connection.close()

    def __enter__(self) -> ConcurrentWriter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        longest = max(self.waits, default=0.0)
        failed = f" ({self.failures[0]})" if self.failures else ""
        return f"{len(self.waits)} times (longest wait {longest:.2f} s), {len(self.failures)} failed{failed}"


def _figures(timing: Timing) -> str:
    return f"{timing.cpu_s:7.2f} s CPU, {timing.wall_s:.2f} s wall, {timing.rate:,.0f} rows/s"


def _import(data: bytes, *, commit: bool):
    from meridian.core.tabular.runner import run_import
    from meridian.partners.import_rows import PartnerImporter

    report = run_import(importer=PartnerImporter, file=io.BytesIO(data), actor=None, commit=commit)
    if report.problems:
        first = report.problems[0]
        raise RuntimeError(f"the bench file was refused: row {first.row} {first.column}: {first.message}")
    if commit and not report.committed:
        raise RuntimeError("the bench file was not committed")
    return report


def _prepare_database(say: Callable[[str], None]) -> None:
    from django.core.management import call_command

    from bench.dataset import _drop_all_tables

    _drop_all_tables()
    call_command("migrate", verbosity=0, interactive=False)
    from meridian.reference.models import Country

    if not Country.objects.exists():
        call_command("load-reference", verbosity=0, stdout=io.StringIO())
    say("  database emptied and migrated")


def measure_database(sizes: tuple[int, ...], say: Callable[[str], None]) -> list[tuple[str, Timing]]:
    """Dry run and commit of each size, then the 1,000-row commit again into the filled table."""
    from django.db import connection

    from meridian.partners.models import Partner

    _prepare_database(say)
    results: list[tuple[str, Timing]] = []
    start = 0
    for size in sizes:
        data = partner_file(size, start=start)
        start += size
        dry = timed(lambda data=data: _import(data, commit=False), size)
        results.append((f"dry run {size:>7,}", dry))
        say(f"  dry run {size:>7,} rows: {_figures(dry)}")
        with ConcurrentWriter() as writer:
            done = timed(lambda data=data: _import(data, commit=True), size)
        results.append((f"commit  {size:>7,}", done))
        say(f"  commit  {size:>7,} rows: {_figures(done)}")
        say(f"    meanwhile another connection wrote {writer.summary()}")
    stored = Partner.objects.count()
    again = timed(lambda: _import(partner_file(sizes[0], start=start), commit=True), sizes[0])
    results.append((f"commit  {sizes[0]:>7,} into {stored:,} stored", again))
    say(f"  commit  {sizes[0]:>7,} rows into {stored:,} stored partners: {again.cpu_s:.2f} s CPU")
    connection.close()
    return results


def report(vendor: str, results: list[tuple[str, Timing]], out=sys.stdout) -> None:
    """Rows per CPU-second, the 100,000-row targets, linearity and the stored-partner ratio."""
    print(f"\nPartner import on {vendor} (rows per CPU-second, one core):", file=out)
    print(f"  {'':36} {'rows':>8} {'CPU s':>8} {'wall s':>8} {'rows/s':>9}", file=out)
    for name, timing in results:
        print(
            f"  {name:36} {timing.rows:>8,} {timing.cpu_s:>8.2f} {timing.wall_s:>8.2f} {timing.rate:>9,.0f}",
            file=out,
        )
    by_name = {name.strip(): timing for name, timing in results if " into " not in name}
    for phase, target in (("dry run", DRY_RUN_TARGET_S), ("commit", COMMIT_TARGET_S)):
        timings = sorted((t for n, t in by_name.items() if n.startswith(phase)), key=lambda t: t.rows)
        if len(timings) >= 2:
            small, large = timings[0], timings[-1]
            per_row = (large.cpu_s / large.rows) / (small.cpu_s / small.rows) if small.cpu_s else 0
            print(
                f"  {phase}: CPU per row at {large.rows:,} rows is {per_row:.2f} × that at "
                f"{small.rows:,} rows (1.00 = linear)",
                file=out,
            )
        full = next((t for t in timings if t.rows == 100_000), None)
        if full is not None:
            verdict = "meets target" if full.cpu_s <= target else "MISSES target"
            limit = f"target ≤ {target:.0f} s"
            print(f"  {phase} of 100,000 rows: {full.cpu_s:.1f} s CPU ({limit}): {verdict}", file=out)
    first = next((t for n, t in results if n.startswith("commit") and " into " not in n), None)
    again = next((t for n, t in results if " into " in n), None)
    if first and again and first.cpu_s:
        name = next(n for n, _t in results if " into " in n).split(" into ")[1]
        print(
            f"  commit of {again.rows:,} rows into {name} / into an empty table: "
            f"{again.cpu_s / first.cpu_s:.2f} × (1.00 = independent of stored partners)",
            file=out,
        )


def _pg_bench_url(base: str) -> str | None:
    """The bench database next to ``base`` (created when missing); None when the server is not reachable."""
    try:
        import psycopg
    except ImportError:
        return None
    import dj_database_url

    config = dj_database_url.parse(base)
    name = f"{config['NAME']}_bench_imports"
    params = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432, "user": config["USER"]}
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    try:
        with psycopg.connect(dbname=config["NAME"], connect_timeout=3, autocommit=True, **params) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return base.rsplit("/", 1)[0] + "/" + name


def _worker(url: str, sizes: tuple[int, ...]) -> int:
    os.environ["BENCH_DATABASE_URL"] = url
    os.environ["BENCH_SIZE"] = "imports"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection

    vendor = connection.vendor
    print(f"Import benchmark on {vendor} ({connection.settings_dict['NAME']}) ...", flush=True)
    results = measure_database(sizes, say=lambda message: print(message, flush=True))
    report(vendor, results)
    return 0


def run_all(*, quick: bool = False, say: Callable[[str], None] = print) -> int:
    """Each database in a process of its own (settings are per process); returns non-zero on a failure."""
    sizes = QUICK_SIZES if quick else FULL_SIZES
    root = Path(__file__).resolve().parent.parent
    data_dir = Path(os.environ.get("MERIDIAN_DATA_DIR") or root / "var").resolve()
    (data_dir / "bench").mkdir(parents=True, exist_ok=True)
    urls = [f"sqlite:///{data_dir / 'bench' / 'bench-imports.sqlite3'}"]
    pg = _pg_bench_url(os.environ.get("BENCH_IMPORTS_PG_URL", DEFAULT_PG_URL))
    if pg is None:
        say("PostgreSQL is not reachable: the import benchmark runs on SQLite only.")
    else:
        urls.append(pg)
    failed = 0
    for url in urls:
        command = [sys.executable, "-m", "bench.imports", "--worker", url, "--sizes", *map(str, sizes)]
        failed |= subprocess.call(command, cwd=root)
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 rows only")
    parser.add_argument("--worker", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", nargs="+", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args.worker, tuple(args.sizes or FULL_SIZES))
    return run_all(quick=args.quick)


if __name__ == "__main__":
    sys.exit(main())
