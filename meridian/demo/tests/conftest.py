"""The demo data set, built once for every module of this package (the test scheduler keeps the package on one
worker): a first build rolled back, then the `demo-data` command on the empty database, then the command again
(a no-op). Everything is rolled back when the package's last test has run."""

import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.db import transaction

from meridian.demo.builder import build_demo

PASSWORD = "demo password for tests"
WATCHED_LOGGERS = ("meridian.demo.travel", "meridian.demo.visitors", "meridian.demo.mobility")


class _Notes(logging.Handler):
    """Collects what the demo logs as warnings (steps a service refused)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class DemoWorld:
    first: dict[str, list]  # what the first, rolled-back build made
    second: dict[str, list]  # what the command made on the empty database
    output: str  # the command's output on the empty database
    again: str  # its output on the second start
    notes: dict[str, list[str]] = field(default_factory=dict)  # warnings per logger, from the kept build


def snapshot() -> dict[str, list]:
    """Numbers and states of what the demo builds, sorted."""
    from meridian.agreements.models import Agreement
    from meridian.mobility.models import Application, Mobility
    from meridian.partners.models import Partner
    from meridian.travel.models import Trip
    from meridian.visitors.models import Visit

    return {
        "partners": list(Partner.objects.order_by("name").values_list("name", "status", "is_public")),
        "agreements": list(Agreement.objects.order_by("number").values_list("number", "title_en", "state")),
        "trips": sorted(Trip.objects.values_list("number", "state")),
        "visits": sorted(Visit.objects.values_list("number", "state")),
        "applications": sorted(Application.objects.values_list("number", "state")),
        "mobilities": sorted(Mobility.objects.values_list("number", "state")),
    }


@pytest.fixture(scope="package")
def demo_world(django_db_setup, django_db_blocker) -> Iterator[DemoWorld]:
    previous = os.environ.get("DEMO_ADMIN_PASSWORD")
    os.environ["DEMO_ADMIN_PASSWORD"] = PASSWORD
    handlers = {name: _Notes() for name in WATCHED_LOGGERS}
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            from meridian.partners.models import Partner

            with transaction.atomic():
                assert not Partner.objects.exists()
                build_demo(password=PASSWORD)
                first = snapshot()
                transaction.set_rollback(True)
            assert not Partner.objects.exists()
            for name, handler in handlers.items():
                logging.getLogger(name).addHandler(handler)
            out = io.StringIO()
            call_command("demo-data", stdout=out)
            for name, handler in handlers.items():
                logging.getLogger(name).removeHandler(handler)
            second = snapshot()
            again = io.StringIO()
            call_command("demo-data", stdout=again)  # the second start: nothing is added
            yield DemoWorld(
                first=first,
                second=second,
                output=out.getvalue(),
                again=again.getvalue(),
                notes={name: handler.messages for name, handler in handlers.items()},
            )
            transaction.set_rollback(True)
    finally:
        for name, handler in handlers.items():
            logging.getLogger(name).removeHandler(handler)
        if previous is None:
            os.environ.pop("DEMO_ADMIN_PASSWORD", None)
        else:
            os.environ["DEMO_ADMIN_PASSWORD"] = previous
