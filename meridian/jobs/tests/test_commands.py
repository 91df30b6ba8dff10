"""`meridian serve-all` keeps its three programs together: when one stops, it stops the others."""

import sys
import time

import pytest
from django.core.management import CommandError, call_command

from meridian.jobs.management.commands import worker

serve_all = __import__("meridian.jobs.management.commands.serve-all", fromlist=["Command"])


def test_serve_all_starts_the_web_server_a_worker_and_the_scheduler():
    programs = serve_all.Command().programs(
        bind="127.0.0.1:9000", workers=2, timeout=300, worker=True, scheduler=True
    )
    assert list(programs) == ["web", "worker", "scheduler"]
    assert programs["web"][1:4] == ["-m", "gunicorn", "meridian.wsgi:application"]
    assert "127.0.0.1:9000" in programs["web"] and programs["worker"][-1] == "worker"
    assert programs["scheduler"][-1] == "scheduler"
    # The app writes the access log (without query strings); gunicorn's messages use the app's log format.
    assert "--access-logfile" not in programs["web"]
    config = programs["web"].index("--config")
    assert programs["web"][config + 1] == "python:meridian.core.observability.gunicorn"


def test_serve_all_gives_the_web_workers_a_fresh_metrics_folder(monkeypatch, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    seen = {}

    class Child:
        def __init__(self, argv, env):
            seen[argv[0]] = env["PROMETHEUS_MULTIPROC_DIR"]
            self.returncode = None

        def poll(self):
            return 1

        def wait(self, timeout=None):
            return 1

    monkeypatch.setattr(serve_all.Command, "programs", lambda self, **kw: {"web": ["web"]})
    monkeypatch.setattr(serve_all.subprocess, "Popen", Child)
    with pytest.raises(CommandError, match="web stopped"):
        call_command("serve-all")
    assert seen == {"web": str(folder)}
    assert not list(folder.glob("*.db"))  # the last run's figures are gone


def test_when_one_program_dies_everything_stops(monkeypatch, tmp_path):
    marker = tmp_path / "stopped"
    sleeper = (
        "import signal, sys, time, pathlib\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "signal.signal(signal.SIGTERM, lambda *a: (marker.write_text('yes'), sys.exit(0)))\n"
        "time.sleep(60)\n"
    )
    programs = {
        "web": [sys.executable, "-c", sleeper],
        "scheduler": [sys.executable, "-c", "import time, sys; time.sleep(1); sys.exit(3)"],
    }
    monkeypatch.setattr(serve_all.Command, "programs", lambda self, **kw: programs)
    started = time.monotonic()
    with pytest.raises(CommandError, match=r"scheduler stopped \(exit status 3\)"):
        call_command("serve-all")
    assert time.monotonic() - started < 30
    # The other program was asked to stop (SIGTERM) and did.
    assert marker.read_text() == "yes"


def test_worker_ids_are_unique_per_process():
    first, second = worker.default_worker_id(), worker.default_worker_id()
    assert first != second and len(first) <= 64
