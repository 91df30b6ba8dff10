"""The gunicorn configuration of `meridian serve-all`: a valid logging set-up, and the worker-exit hook."""

import io
import json
import logging
import logging.config
from types import SimpleNamespace

from django.conf import settings
from django.utils.log import configure_logging

from meridian.core.observability import gunicorn


def test_gunicorn_messages_go_through_the_app_log_format(monkeypatch):
    config = json.loads(json.dumps(gunicorn.logconfig_dict))
    assert config["loggers"]["gunicorn.error"] == {"handlers": [], "propagate": True}
    config["formatters"]["meridian"] = {"()": "meridian.core.observability.logs.JsonFormatter"}
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    try:
        logging.config.dictConfig(config)
        logging.getLogger("gunicorn.error").warning("Worker timeout (pid:%s)", 42)
        logging.getLogger("gunicorn.access").info('"GET /people/self-service/secret/?q=x HTTP/1.1" 200')
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    (line,) = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "Worker timeout (pid:42)"


def test_a_dead_worker_loses_its_live_figures(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    live = tmp_path / "gauge_livesum_4242.db"
    kept = tmp_path / "counter_4242.db"
    live.write_bytes(b"")
    kept.write_bytes(b"")
    gunicorn.child_exit(server=None, worker=SimpleNamespace(pid=4242))
    assert not live.exists() and kept.exists()  # counters of a finished worker still count
