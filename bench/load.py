"""`python -m bench.load [--quick] [--load-seconds 60] [--clients 200]`: the public pages under load.

Starts the app with gunicorn on a free loopback port over the benchmark database, lets many concurrent
clients (threads with keep-alive connections, one cookie jar each, like readers' browsers) request the
public "Global Vision" pages for a fixed time, and reports throughput, p50 / p95 latency and errors. Only
127.0.0.1 is ever contacted. Pages the portal does not offer (yet) are reported as "not available". A
missed target or an error is reported, never fatal: the exit status is 0 unless the server cannot start.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HOST = "127.0.0.1"  # loopback only: the load never leaves this machine
MAX_CLIENTS = 1000
MAX_SECONDS = 600
# Each client stops after this many requests even if time remains, so a run is bounded in count as well.
MAX_REQUESTS_PER_CLIENT = 200_000
REQUEST_TIMEOUT_S = 30.0
STARTUP_TIMEOUT_S = 90.0
# A browser's User-Agent: the load stands for readers, who are counted, not for bots, who are not.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Target:
    label: str
    path: str
    weight: int = 1


@dataclass
class TargetFigures:
    label: str
    path: str
    requests: int
    errors: int
    p50: float
    p95: float


@dataclass
class LoadResult:
    clients: int
    seconds: float
    workers: int
    requests: int
    errors: int
    throughput: float
    p50: float
    p95: float
    p99: float
    max_ms: float
    error_kinds: dict[str, int]
    targets: list[TargetFigures]
    unavailable: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "no errors" if not self.errors else f"FAILS: {self.errors} errors"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _candidates() -> list[Target]:
    """The public pages a visitor reads, by URL name where the portal provides one."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    from meridian.partners.models import Partner

    def url(name: str, fallback: str | None, language: str | None = None, **kwargs) -> str | None:
        try:
            with translation.override(language or "en"):
                return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return fallback

    targets: list[Target] = []
    for language in ("en", "zh-hans"):
        prefix = f"/{language}/global-vision"
        home = url("portal:home", f"{prefix}/", language)
        directory = url("directory:list", f"{prefix}/partners/", language)
        targets += [
            Target(f"home ({language})", home, 3),
            Target(f"Global Partnership page ({language})", f"{prefix}/global-partnership/", 3),
            Target(f"directory ({language})", directory, 2),
        ]
        if language == "en":
            targets += [
                Target("directory ?country=DE", f"{directory}?country=DE", 1),
                Target("directory ?type=university", f"{directory}?type=university", 1),
                Target("directory ?q=univ", f"{directory}?q=univ", 1),
                Target("directory ?q=大学", f"{directory}?q=%E5%A4%A7%E5%AD%A6", 1),
                Target("directory ?channel=research&page=2", f"{directory}?channel=research&page=2", 1),
            ]
    # A handful of public partners, spread over the table, for the partner pages.
    public = list(Partner.objects.filter(is_public=True).order_by("pk").values_list("pk", flat=True))
    for pk in public[:: max(len(public) // 8, 1)][:8]:
        path = url("directory:partner", None, "en", pk=pk)
        if path:
            targets.append(Target(f"partner page {pk}", path, 1))
    feed = url("opendata:partners_json", "/open-data/partners.json")
    targets.append(Target("JSON feed", feed, 1))
    return [t for t in targets if t.path]


def _get(conn: http.client.HTTPConnection, path: str, cookies: dict[str, str]) -> int:
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/json",
        "Accept-Encoding": "identity",
    }
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    if response.will_close:
        conn.close()
    return response.status


def probe(port: int, targets: list[Target]) -> tuple[list[Target], list[str]]:
    """Keep the pages that answer 200 once; the others are reported as not available."""
    available, unavailable = [], []
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        for target in targets:
            try:
                status = _get(conn, target.path, {})
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status = exc.__class__.__name__
            if status == 200:
                available.append(target)
            else:
                unavailable.append(f"{target.label} ({target.path}): {status}")
    finally:
        conn.close()
    return available, unavailable


class Server:
    """gunicorn serving the benchmark settings on loopback; stopped (only this process) on exit."""

    def __init__(self, *, port: int, workers: int, threads: int, log: Path) -> None:
        self.port, self.workers, self.threads, self.log = port, workers, threads, log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "meridian.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=gthread",
            f"--threads={self.threads}",
            "--keep-alive=30",
            "--timeout=120",
            "--graceful-timeout=10",
            "--log-level=warning",
        ]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped (exit {self.process.returncode}); see {self.log}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/healthz")
                ok = conn.getresponse().status == 200
                conn.close()
                if ok:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT_S:.0f} s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def drive(port: int, targets: list[Target], *, clients: int, seconds: float) -> tuple[dict, float]:
    """Run `clients` threads for `seconds`; returns per-target timings and errors, and the wall time."""
    plan = [t for t in targets for _ in range(t.weight)]
    timings: dict[str, list[float]] = {t.label: [] for t in targets}
    errors: dict[str, Counter] = {t.label: Counter() for t in targets}
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(number: int) -> None:
        rng = random.Random(number)
        order = plan[:]
        rng.shuffle(order)
        mine: dict[str, list[float]] = {t.label: [] for t in targets}
        failed: dict[str, Counter] = {t.label: Counter() for t in targets}
        cookies: dict[str, str] = {}
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        start.wait()
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline[0]:
                break
            target = order[i % len(order)]
            begin = time.perf_counter()
            try:
                status = _get(conn, target.path, cookies)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status = exc.__class__.__name__
            elapsed = (time.perf_counter() - begin) * 1000
            mine[target.label].append(elapsed)
            if status != 200:
                failed[target.label][str(status)] += 1
        conn.close()
        with lock:
            for label in timings:
                timings[label] += mine[label]
                errors[label] += failed[label]

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S + 10)
    return {"timings": timings, "errors": errors}, time.monotonic() - began


def _pct(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def summarise(
    raw: dict, wall: float, *, clients: int, workers: int, unavailable: list[str], targets
) -> LoadResult:
    everything = sorted(v for values in raw["timings"].values() for v in values)
    kinds: Counter = Counter()
    for counter in raw["errors"].values():
        kinds += counter
    per_target = [
        TargetFigures(
            t.label,
            t.path,
            len(raw["timings"][t.label]),
            sum(raw["errors"][t.label].values()),
            round(statistics.median(raw["timings"][t.label]), 1) if raw["timings"][t.label] else 0.0,
            round(_pct(raw["timings"][t.label], 95), 1),
        )
        for t in targets
    ]
    return LoadResult(
        clients=clients,
        seconds=round(wall, 1),
        workers=workers,
        requests=len(everything),
        errors=sum(kinds.values()),
        throughput=round(len(everything) / wall, 1) if wall else 0.0,
        p50=round(statistics.median(everything), 1) if everything else 0.0,
        p95=round(_pct(everything, 95), 1),
        p99=round(_pct(everything, 99), 1),
        max_ms=round(everything[-1], 1) if everything else 0.0,
        error_kinds=dict(kinds),
        targets=per_target,
        unavailable=unavailable,
    )


def _pad(text: str, width: int) -> str:
    """Left-justify in terminal columns: a Chinese character takes two."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - columns, 0)


def report(result: LoadResult, out=sys.stdout) -> None:
    out.write(
        f"\nLoad: {result.clients} clients for {result.seconds:.0f} s against gunicorn "
        f"({result.workers} workers) on {HOST}\n"
    )
    if result.targets:
        width = max(len(_pad(t.label, 0)) for t in result.targets) + 2
        out.write(f"{_pad('page', width)}  {'requests':>8}  {'errors':>6}  {'p50 ms':>8}  {'p95 ms':>8}\n")
        out.write("-" * (width + 40) + "\n")
        for t in result.targets:
            out.write(f"{_pad(t.label, width)}  {t.requests:>8}  {t.errors:>6}  {t.p50:8.1f}  {t.p95:8.1f}\n")
    for line in result.unavailable:
        out.write(f"not available: {line}\n")
    out.write(
        f"\nthroughput {result.throughput:.0f} req/s, {result.requests} requests, "
        f"p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms, p99 {result.p99:.1f} ms, "
        f"max {result.max_ms:.0f} ms, "
        f"errors {result.errors}"
        + (f" {result.error_kinds}" if result.errors else "")
        + f"\nLoad result: {result.verdict} (target: zero errors)\n"
    )


def run_load(*, size_name: str, seconds: float, clients: int, workers: int | None, say) -> LoadResult | None:
    """Serve, probe, drive and stop; Django must already be set up on the bench settings with data."""
    seconds = min(max(seconds, 1.0), MAX_SECONDS)
    clients = min(max(clients, 1), MAX_CLIENTS)
    workers = workers or 2 * (os.cpu_count() or 1) + 1
    port = free_port()
    log = Path(os.environ.get("MERIDIAN_DATA_DIR") or ROOT / "var") / "bench" / "load-gunicorn.log"
    targets = _candidates()
    say(f"Starting gunicorn ({workers} workers) on {HOST}:{port} ...")
    try:
        with Server(port=port, workers=workers, threads=4, log=log):
            available, unavailable = probe(port, targets)
            if not available:
                say("No public page answered: the load test is not available.")
                for line in unavailable:
                    say(f"  not available: {line}")
                return None
            # Every worker loads its code, caches and map data on its first requests: not what readers see.
            warmup = min(5.0, max(seconds / 4, 1.0))
            say(f"Warming up for {warmup:.0f} s, then driving {clients} clients for {seconds:.0f} s ...")
            drive(port, available, clients=min(clients, 2 * workers), seconds=warmup)
            raw, wall = drive(port, available, clients=clients, seconds=seconds)
    except RuntimeError as exc:
        say(f"Load test not run: {exc}")
        return None
    result = summarise(
        raw, wall, clients=clients, workers=workers, unavailable=unavailable, targets=available
    )
    report(result)
    if result.errors:
        say(f"Server log: {log}")
    _save(result, size_name=size_name)
    return result


def _save(result: LoadResult, *, size_name: str) -> None:
    folder = Path(__file__).resolve().parent / "results"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stamp}-{size_name}-load.json"
    path.write_text(json.dumps(asdict(result) | {"verdict": result.verdict}, indent=2, ensure_ascii=False))
    print(f"Saved to {path.relative_to(folder.parent.parent)}", flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--load-seconds", type=float, default=60.0, help=f"duration (at most {MAX_SECONDS})")
    parser.add_argument(
        "--clients", type=int, default=200, help=f"concurrent clients (at most {MAX_CLIENTS})"
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 2 × cores + 1)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small data set (a tenth of the size)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_SIZE"] = "quick" if args.quick else "full"

    import django

    django.setup()
    from bench.dataset import FULL, QUICK, ensure_dataset
    from bench.run import collect_static

    def say(message: str) -> None:
        print(message, flush=True)

    size = QUICK if args.quick else FULL
    ensure_dataset(size, say=say)
    collect_static()
    run_load(
        size_name=size.name, seconds=args.load_seconds, clients=args.clients, workers=args.workers, say=say
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
