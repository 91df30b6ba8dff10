"""Public pages' requests per second as a ratio to a bare Django view, under 50 concurrent connections.

gunicorn serves the benchmark settings on loopback (as bench/load.py does); wrk (Debian package, installed by
`make bench`) drives each address in turn with 50 keep-alive connections from 2 threads, as a browser asks
(``Accept-Encoding: gzip, br``). The bare view (``/bench/bare/``) is measured with the same tool in the same
run, so the ratio shows what a page costs on top of Django itself; a generator slower than the server would
flatten every ratio towards 1, which the bare view's own figure shows. Target: every page >= 0.5, 0 errors.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.load import HOST, ROOT, Server, free_port

CONNECTIONS = 50
THREADS = 2
TARGET_RATIO = 0.5
BARE = "/bench/bare/"


@dataclass
class Rate:
    label: str
    path: str
    rps: float
    requests: int
    errors: int
    ratio: float = 0.0

    @property
    def verdict(self) -> str:
        if self.path == BARE:
            return "reference"
        if self.errors:
            return f"FAILS: {self.errors} errors"
        return "meets target" if self.ratio >= TARGET_RATIO else "MISSES target"


def pages() -> list[tuple[str, str]]:
    """The bare view first, then the cached public pages, by URL name where possible."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override("en"):
        home = reverse("portal:home")
        partnership = reverse("portal:section", args=["global-partnership"])
        directory = reverse("directory:list")
        world_map = reverse("directory:map")
    return [
        ("bare Django view", BARE),
        ("Global Partnership page", partnership),
        ("directory", directory),
        ("Global Vision home", home),
        ("world map (SVG)", world_map),
        ("JSON feed", reverse("opendata:partners_json")),
    ]


def _wrk(port: int, path: str, seconds: float) -> tuple[float, int, int]:
    """Run wrk against ``path``: requests per second, requests, errors (socket errors and non-2xx/3xx)."""
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{max(int(seconds), 1)}s",
        "--timeout",
        "30s",
        "-H",
        "Accept-Encoding: gzip, br",
        f"http://{HOST}:{port}{path}",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    if rps is None or total is None:
        raise RuntimeError(f"wrk gave no figures for {path}: {out.strip() or 'no output'}")
    return float(rps.group(1)), int(total.group(1)), errors


def _warm(port: int, path: str) -> None:
    """One request through every worker's cache is not guaranteed, but the shared cache gets the entry."""
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (loopback only)
        response.read()


def run_ratios(*, size_name: str, seconds: float, workers: int | None, say) -> list[Rate] | None:
    """Serve, measure the bare view and each public page with wrk, report the ratios, save them as JSON."""
    if shutil.which("wrk") is None:
        say("Ratio test not run: wrk is not installed (`make bench` installs the Debian package).")
        return None
    import os

    workers = workers or 2 * (os.cpu_count() or 1) + 1
    port = free_port()
    log = Path(os.environ.get("MERIDIAN_DATA_DIR") or ROOT / "var") / "bench" / "ratio-gunicorn.log"
    targets = pages()
    rates: list[Rate] = []
    say(f"Requests per second, ratio to the bare view: wrk, {CONNECTIONS} connections, {seconds:.0f} s each")
    try:
        with Server(port=port, workers=workers, threads=4, log=log):
            for label, path in targets:
                _warm(port, path)
                _wrk(port, path, min(seconds, 3))  # every worker builds or fetches its copy first
                rps, requests, errors = _wrk(port, path, seconds)
                rates.append(Rate(label, path, rps, requests, errors))
                say(f"  {label}: {rps:.0f} req/s, {errors} errors")
                time.sleep(0.5)
    except (RuntimeError, OSError) as exc:
        say(f"Ratio test not run: {exc}")
        return None
    bare = rates[0].rps or 1.0
    for rate in rates:
        rate.ratio = round(rate.rps / bare, 2)
    report(rates)
    _save(rates, size_name=size_name)
    return rates


def report(rates: list[Rate], out=sys.stdout) -> None:
    width = max(len(r.label) for r in rates) + 2
    out.write(f"\nPublic pages, {CONNECTIONS} concurrent connections (wrk), ratio to the bare view\n")
    out.write(f"{'page':<{width}}  {'req/s':>8}  {'ratio':>6}  {'errors':>6}  result\n")
    out.write("-" * (width + 44) + "\n")
    for r in rates:
        out.write(f"{r.label:<{width}}  {r.rps:8.0f}  {r.ratio:6.2f}  {r.errors:>6}  {r.verdict}\n")
    missed = [r.label for r in rates if r.verdict not in ("reference", "meets target")]
    out.write(
        (f"Ratio targets missed: {', '.join(missed)}\n" if missed else "Every ratio target is met.\n")
        + f"(target: each page >= {TARGET_RATIO:.0%} of the bare view's requests per second, 0 errors)\n"
    )


def _save(rates: list[Rate], *, size_name: str) -> None:
    folder = Path(__file__).resolve().parent / "results"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stamp}-{size_name}-ratios.json"
    rows = [asdict(r) | {"verdict": r.verdict} for r in rates]
    path.write_text(json.dumps({"connections": CONNECTIONS, "rates": rows}, indent=2))
    print(f"Saved to {path.relative_to(folder.parent.parent)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os

    parser = argparse.ArgumentParser(prog="python -m bench.ratios", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small data set (a tenth of the size)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of wrk per page")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 2 × cores + 1)")
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
    rates = run_ratios(size_name=size.name, seconds=args.seconds, workers=args.workers, say=say)
    return 0 if rates is None or not any(r.errors for r in rates) else 1


if __name__ == "__main__":
    sys.exit(main())
