"""A log capture built from the real ``LOGGING`` pieces (filter and formatter) for the observability tests."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.module_loading import import_string

from meridian.core.observability.logs import logging_config


class Capture:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        """Every line parsed as JSON (fails the test on a line that is not one JSON object)."""
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def by_logger(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["logger"] == name]


@contextmanager
def captured_logs(log_format: str = "json", level: int = logging.INFO) -> Iterator[Capture]:
    """Attach to the root logger a handler configured as ``logging_config(log_format=...)`` configures it."""
    config = logging_config(log_format=log_format)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(import_string(config["filters"]["context"]["()"])())
    formatter_config = config["formatters"]["meridian"]
    if "()" in formatter_config:
        handler.setFormatter(import_string(formatter_config["()"])())
    else:
        handler.setFormatter(logging.Formatter(formatter_config["format"]))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield Capture(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
