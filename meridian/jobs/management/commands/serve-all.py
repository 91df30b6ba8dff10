"""`meridian serve-all`: the web server, one background worker and the scheduler, in one command.

A small supervisor instead of a process manager with its own configuration file: it starts the three as child
processes, stops all of them on Ctrl-C or SIGTERM, and stops the rest (exiting with an error) when one of them
dies, so that a half-running system is never left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meridian.core.observability.metrics import prepare_multiprocess_dir

STOP_GRACE_SECONDS = 20


def meridian_command(*args: str) -> list[str]:
    """The argv that runs a `meridian` management command with this interpreter."""
    script = Path(sys.executable).with_name("meridian")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from meridian.cli import main; main()", *args]


class Command(BaseCommand):
    help = "Run the web server (gunicorn), one background worker and the scheduler together until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address of the web server.")
        parser.add_argument("--workers", type=int, default=3, help="Web server processes (default: 3).")
        parser.add_argument("--timeout", type=int, default=300, help="Web request timeout in seconds.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start a background worker.")
        parser.add_argument("--no-scheduler", action="store_true", help="Do not start the scheduler.")

    def programs(self, *, bind: str, workers: int, timeout: int, worker: bool, scheduler: bool) -> dict:
        # The app writes the access log (one line per request, with its request id and without query strings);
        # the configuration module routes gunicorn's own messages through the app's log format.
        web = [
            sys.executable, "-m", "gunicorn", "meridian.wsgi:application", "--bind", bind,
            "--workers", str(workers), "--timeout", str(timeout),
            "--config", "python:meridian.core.observability.gunicorn",
            "--forwarded-allow-ips", "127.0.0.1",
        ]  # fmt: skip
        programs = {"web": web}
        if worker:
            programs["worker"] = meridian_command("worker")
        if scheduler:
            programs["scheduler"] = meridian_command("scheduler")
        return programs

    def handle(
        self,
        *args,
        bind: str,
        workers: int,
        timeout: int,
        no_worker: bool,
        no_scheduler: bool,
        **options,
    ) -> None:
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        programs = self.programs(
            bind=bind, workers=workers, timeout=timeout, worker=not no_worker, scheduler=not no_scheduler
        )
        # Every web worker writes its request metrics there and /metrics adds them up (README, "Metrics").
        try:
            metrics_dir = prepare_multiprocess_dir(Path(settings.DATA_DIR) / "metrics")
        except OSError as exc:
            raise CommandError(f"The metrics folder cannot be prepared: {exc}") from exc
        self.stdout.write(f"Request metrics of all web workers are kept in {metrics_dir}")
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        children: dict[str, subprocess.Popen] = {}
        stopping = {"asked": False}

        def ask_stop(signum: int, frame: object) -> None:
            stopping["asked"] = True

        previous = {signum: signal.signal(signum, ask_stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        failed = None
        try:
            for name, argv in programs.items():
                self.stdout.write(f"Starting {name}: {' '.join(argv)}")
                children[name] = subprocess.Popen(argv, env=env)  # noqa: S603 - our own interpreter and commands
            while not stopping["asked"]:
                for name, child in children.items():
                    if child.poll() is not None:
                        failed = (name, child.returncode)
                        break
                if failed:
                    break
                time.sleep(0.5)
        finally:
            self._stop(children)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if failed:
            raise CommandError(f"{failed[0]} stopped (exit status {failed[1]}); everything was stopped.")
        self.stdout.write("Stopped.")

    def _stop(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                child.kill()
                child.wait()
