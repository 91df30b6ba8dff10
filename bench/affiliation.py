"""`python -m bench.affiliation`: precision and recall of the affiliation matcher's `chosen` match.

The registry is the ROR education subset of ../shared/data less a held-out share (their strings are the
negatives), imported through the real pipeline into a SQLite database of its own (var/bench/
bench-affiliation.sqlite3), so the look-up benchmark's synthetic registry is left as it is. The evaluation
set is generated at run time with a fixed seed (meridian/reference/affiliation_eval.py); nothing is stored in
the project. `make bench` runs it in a child process after the page benchmarks.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 20261201
POSITIVES = 1500
NEGATIVES = 500
HELD_OUT = 1500
PRECISION_TARGET = 0.95
RECALL_TARGET = 0.85
ROR_FILE = "ror_education_subset.csv"
_MARKER = f"affiliation-eval-{SEED}-{HELD_OUT}.csv"


def _shared_ror() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR).parent / "shared" / "data" / ROR_FILE


def ensure_registry(ror: Path, *, say) -> tuple[list[dict], list[dict]]:
    """Import the ROR file less the held-out rows once; later runs reuse the database."""
    from django.core.management import call_command

    from meridian.reference.affiliation_eval import read_ror, split_rows, write_ror
    from meridian.reference.models import Country, Institution, RegistryImport
    from meridian.reference.registry_import import registry_import
    from meridian.reference.services import reference_load

    call_command("migrate", verbosity=0, interactive=False)
    if not Country.objects.exists():
        reference_load()
    loaded, held_out = split_rows(read_ror(ror), seed=SEED, held_out=HELD_OUT)
    if RegistryImport.objects.filter(file_name=_MARKER).exists():
        say(
            f"Registry of the affiliation evaluation is ready ({Institution.objects.count():,} institutions)."
        )
        return loaded, held_out
    say(f"Importing {len(loaded):,} ROR records ({len(held_out):,} held out as negatives) ...")
    Institution.objects.all().delete()
    RegistryImport.objects.all().delete()
    with tempfile.TemporaryDirectory() as folder:
        registry_import(source="ror", path=write_ror(loaded, Path(folder) / _MARKER))
    return loaded, held_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.affiliation", description=__doc__.splitlines()[0])
    parser.add_argument("--ror", type=Path, help=f"ROR CSV file (default ../shared/data/{ROR_FILE})")
    parser.add_argument("--positives", type=int, default=POSITIVES)
    parser.add_argument("--negatives", type=int, default=NEGATIVES)
    parser.add_argument("--misses", type=int, default=15, help="misses to print")
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_SIZE"] = "affiliation"
    os.environ.pop("BENCH_DATABASE_URL", None)

    import django

    django.setup()
    from meridian.reference.affiliation import match_affiliation
    from meridian.reference.affiliation_eval import build_cases, evaluate

    ror = args.ror or _shared_ror()
    if not ror.exists():
        print(f"Affiliation matcher: skipped, {ror} is not there.")
        return 0
    loaded, held_out = ensure_registry(ror, say=lambda message: print(message, flush=True))
    cases = build_cases(loaded, held_out, seed=SEED, positives=args.positives, negatives=args.negatives)
    timings: list[float] = []

    def timed(**kwargs):
        begin = time.perf_counter()
        result = match_affiliation(**kwargs)
        timings.append((time.perf_counter() - begin) * 1000)
        return result

    outcome = evaluate(cases, match=timed)
    timings.sort()
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
    print(
        f"\nAffiliation matcher ({outcome.positives} positive and {outcome.negatives} negative cases, "
        f"seed {SEED}):\n"
        f"  precision of chosen {outcome.precision:.3f} (target >= {PRECISION_TARGET}), "
        f"recall {outcome.recall:.3f} (target >= {RECALL_TARGET})\n"
        f"  chosen {outcome.chosen}: right {outcome.correct}, wrong institution {outcome.wrong}, "
        f"on a negative {outcome.false_positives}; time per string p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms"
    )
    print(
        "  by style (right / cases): " + ", ".join(f"{s} {r}/{n}" for s, (n, r) in outcome.per_style.items())
    )
    for case, got in outcome.misses[: args.misses]:
        print(
            f"  miss [{case.style}] {case.affiliation!r}: "
            f"expected {case.expected or 'none'}, chose {got or 'none'}"
        )
    met = outcome.precision >= PRECISION_TARGET and outcome.recall >= RECALL_TARGET
    print("  " + ("Both targets are met." if met else "Affiliation matcher MISSES its target."))
    return 0


def report_affiliation(*, say) -> None:
    """Run the evaluation in a child process (its own database), printing what it prints."""
    say("Evaluating the affiliation matcher ...")
    env = {key: value for key, value in os.environ.items() if key != "BENCH_DATABASE_URL"}
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run([sys.executable, "-m", "bench.affiliation"], cwd=root, env=env, check=False)
    if completed.returncode:
        say(f"Affiliation matcher evaluation failed (exit code {completed.returncode}).")


if __name__ == "__main__":
    sys.exit(main())
