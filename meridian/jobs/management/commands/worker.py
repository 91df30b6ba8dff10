"""`meridian worker`: run background tasks from the database queue (all queues by default)."""

from __future__ import annotations

import os
import socket

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from meridian.jobs.runtime import connections_kept_open


def default_worker_id() -> str:
    """Host, process and a random suffix: unique across a pool of workers on several servers."""
    host = socket.gethostname().split(".")[0][:32]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


class Command(BaseCommand):
    help = (
        "Run a background worker that takes tasks from the database queue. Start as many as you like, on "
        "as many servers as share the database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue", default="*", help="Queues to serve, comma-separated (default: all).")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait on an empty queue (default: 1).",
        )
        parser.add_argument("--batch", action="store_true", help="Run every queued task, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")
        parser.add_argument("--backend", default="default", help="The task backend (default: default).")

    def handle(
        self,
        *args,
        queue: str,
        interval: float,
        batch: bool,
        max_tasks: int | None,
        backend: str,
        verbosity: int = 1,
        **options,
    ) -> None:
        from django_tasks import task_backends
        from django_tasks_db import DatabaseBackend

        try:
            configured = task_backends[backend]
        except Exception as exc:
            raise CommandError(f"No task backend called {backend!r}.") from exc
        if not isinstance(configured, DatabaseBackend):
            raise CommandError(
                f"The task backend {backend!r} is {type(configured).__name__}, not the database backend: "
                "run that backend's own worker instead (see the README, 'Background jobs')."
            )
        if max_tasks is not None and max_tasks < 1:
            raise CommandError("--max-tasks must be at least 1.")
        with connections_kept_open():
            call_command(
                "db_worker",
                queue_name=queue,
                interval=interval,
                batch=batch,
                max_tasks=max_tasks,
                backend_name=backend,
                reload=False,
                startup_delay=not batch,
                worker_id=default_worker_id(),
                verbosity=verbosity,
            )
