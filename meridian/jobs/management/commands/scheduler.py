"""`meridian scheduler`: enqueue the registered periodic tasks when they are due."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from meridian.core.registry import registry
from meridian.jobs.scheduler import scheduler_tick


class Command(BaseCommand):
    help = (
        "Enqueue periodic tasks when due (each once per due slot, even with several schedulers running). "
        "Runs until stopped; --once makes a single pass."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Make one pass and exit.")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between passes (default: 30)."
        )

    def handle(self, *args, once: bool = False, interval: float = 30.0, **options) -> None:
        self.running = True
        if once:
            self._pass()
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop)
        keys = ", ".join(entry.key for entry in registry.scheduled_jobs) or "none"
        self.stdout.write(f"Scheduler started; scheduled jobs: {keys}")
        while self.running:
            close_old_connections()
            self._pass()
            deadline = time.monotonic() + max(interval, 0.1)
            while self.running and time.monotonic() < deadline:
                time.sleep(min(0.5, interval))
        self.stdout.write("Scheduler stopped.")

    def _pass(self) -> None:
        for key in scheduler_tick():
            self.stdout.write(f"Enqueued {key}")

    def _stop(self, signum: int, frame: object) -> None:
        self.running = False
