"""Prometheus metrics: requests and their latencies, and the gauges apps register (``metric_gauges``).

Request metrics are recorded by the middleware in every web process. Under gunicorn each worker is a process
of its own: when ``PROMETHEUS_MULTIPROC_DIR`` names a folder (``meridian serve-all`` sets one), every worker
writes its figures to files there and a scrape, answered by any one worker, adds up all of them, so the counts
are the server's, not one worker's. Without it the figures are the one process's own (``runserver``, tests).
The registered gauges are read from the database at each scrape, so any process gives the same answer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

import meridian
from meridian.core.registry import registry
from meridian.env import private_dir

logger = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; requests may run up to the web server's timeout (300 s by default), exports and imports included.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

# Not in prometheus_client's global registry: each scrape builds its own (see ``scrape_registry``).
REQUESTS = Counter(
    "meridian_http_requests",
    "HTTP requests answered, by method, view (URL name) and status class.",
    ["method", "view", "status"],
    registry=None,
)
LATENCY = Histogram(
    "meridian_http_request_duration_seconds",
    "Time from receiving a request to returning its response, by view (URL name), in seconds.",
    ["view"],
    buckets=LATENCY_BUCKETS,
    registry=None,
)


def method_label(method: str) -> str:
    """The HTTP method for labels and logs: one of ``METHODS``, anything else as ``"OTHER"``."""
    method = method.upper()
    return method if method in METHODS else "OTHER"


def status_class(status: int) -> str:
    """``"2xx"`` for 200–299 and so on; ``"other"`` outside 100–599."""
    return f"{status // 100}xx" if 100 <= status <= 599 else "other"


def observe_request(*, method: str, view: str, status: int, seconds: float) -> None:
    """Count one answered request (``method`` from ``method_label``) and its duration in seconds."""
    REQUESTS.labels(method=method, view=view, status=status_class(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


def multiprocess_dir() -> str | None:
    """The folder of the multi-process figures (``PROMETHEUS_MULTIPROC_DIR``), or None when not in use."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class RegisteredGauges:
    """A collector for the gauges apps register, plus ``meridian_build_info`` and the read errors."""

    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily(
            "meridian_build_info", "The running Meridian version (always 1).", labels=["version"]
        )
        info.add_metric([meridian.__version__], 1)
        yield info
        errors = 0
        for entry in registry.metric_gauges:
            family = GaugeMetricFamily(f"meridian_{entry.key}", entry.help, labels=list(entry.labels))
            try:
                for labels, value in entry.samples():
                    family.add_metric([str(label) for label in labels], float(value))
            except Exception:
                # One broken figure must not hide the others (or the request metrics).
                logger.exception("The metric meridian_%s could not be read", entry.key)
                errors += 1
                continue
            yield family
        yield GaugeMetricFamily(
            "meridian_metric_read_errors",
            "Registered figures that could not be read in this scrape (details in the log).",
            value=errors,
        )


def scrape_registry() -> CollectorRegistry:
    """A registry holding everything one scrape reports (built afresh per scrape, so nothing accumulates)."""
    scrape = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape.register(REQUESTS)
        scrape.register(LATENCY)
    scrape.register(RegisteredGauges())
    return scrape


def render() -> bytes:
    """The current metrics in the Prometheus text exposition format 0.0.4 (legacy names only), UTF-8."""
    return generate_latest(scrape_registry())


def prepare_multiprocess_dir(default: Path) -> Path:
    """Make ready the folder of the multi-process figures before the web server's workers start.

    Uses ``PROMETHEUS_MULTIPROC_DIR`` when set, else ``default``; creates it readable by the service user
    only (0700) and deletes the figure files (``*.db``) a previous run left: counts start from zero with each
    start of the server, as Prometheus expects of a restarted target. The caller passes the returned folder
    to the web server as ``PROMETHEUS_MULTIPROC_DIR``. Raises ``OSError`` when it cannot be made or cleared.
    """
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or default)
    private_dir(folder)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    return folder
