"""The runner's bulk hooks and the one-signal-per-model rule of bulk writes (``meridian.core.bulk``)."""

from __future__ import annotations

import pytest
from django.db import connection

from meridian.core import bulk
from meridian.core.models import Activity, Notification
from meridian.core.tabular import columns as c
from meridian.core.tabular.engine import BulkRowError, PlannedRow, RowImporter
from meridian.core.tabular.report import CREATE
from meridian.core.tabular.runner import DEFAULT_MAX_ROWS, max_rows, run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes


@pytest.fixture
def received():
    senders: list[type] = []

    def receiver(sender, **kwargs) -> None:
        senders.append(sender)

    bulk.records_changed.connect(receiver, dispatch_uid="test-received")
    yield senders
    bulk.records_changed.disconnect(dispatch_uid="test-received")


def test_changes_inside_the_block_are_sent_once_per_model_at_its_end(received):
    with bulk.one_signal_per_model():
        assert bulk.change_deferred(Activity) is True
        assert bulk.change_deferred(Activity) is True
        bulk.records_changed_in_bulk(Notification)
        with bulk.one_signal_per_model():  # nested: sent by the outer block
            bulk.records_changed_in_bulk(Activity)
        assert received == []
    assert received == [Activity, Notification]


def test_outside_a_block_a_bulk_change_is_sent_at_once(received):
    assert bulk.change_deferred(Activity) is False
    bulk.records_changed_in_bulk(Activity)
    assert received == [Activity]


def test_a_block_that_fails_sends_nothing(received):
    with pytest.raises(RuntimeError), bulk.one_signal_per_model():
        bulk.records_changed_in_bulk(Activity)
        raise RuntimeError("rolled back")
    assert received == []
    assert bulk.change_deferred(Activity) is False  # the block is over


class _Importer(RowImporter):
    """Plans in memory; its bulk form records what it was given and where it ran."""

    kind = "test"
    plans_in_memory = True
    calls: list[tuple[str, object]] = []
    refuse_row: int | None = None

    @classmethod
    def declared_columns(cls) -> list[c.Column]:
        return [c.Column("name", "Name", "名称", required=True)]

    def resolve(self, column, value):
        raise AssertionError("no look-up columns")

    def plan(self, number, values):
        return PlannedRow(row=number, action=CREATE, label=values["name"], fields=values)

    def check(self, planned):
        if planned.fields["name"] == "bad":
            self.report.problem(planned.row, "Name", "refused by the check")
            return False
        return True

    def apply(self, planned):
        raise AssertionError("the bulk form is used")

    def stage_bulk(self, plans):
        self.calls.append(("stage", (connection.in_atomic_block, [p.row for p in plans])))

    def apply_bulk(self, plans, progress=None):
        self.calls.append(("apply", (connection.in_atomic_block, [p.row for p in plans])))
        if self.refuse_row is not None:
            raise BulkRowError(self.refuse_row, ValueError("taken meanwhile"))
        return {p.row: 100 + p.row for p in plans}


def _run(rows, *, commit: bool):
    _Importer.calls = []
    file = as_file(csv_bytes(["Name"], [[name] for name in rows]))
    return run_import(importer=_Importer, file=file, actor=None, commit=commit)


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_plans_and_checks_only():
    report = _run(["a", "bad", "b"], commit=False)
    assert [(p.row, p.reason) for p in report.problems] == [(3, "refused by the check")]
    assert [row.row for row in report.created] == [2, 4]
    assert _Importer.calls == []  # neither staged nor applied


@pytest.mark.django_db(transaction=True)
def test_a_commit_stages_outside_and_applies_inside_one_transaction():
    report = _run(["a", "b"], commit=True)
    assert report.committed
    assert _Importer.calls == [("stage", (False, [2, 3])), ("apply", (True, [2, 3]))]
    assert [row.object_id for row in report.created] == [102, 103]


@pytest.mark.django_db(transaction=True)
def test_a_row_refused_by_the_bulk_form_is_named_and_nothing_is_kept():
    _Importer.refuse_row = 3
    try:
        report = _run(["a", "b"], commit=True)
    finally:
        _Importer.refuse_row = None
    assert not report.committed
    assert [(p.row, p.reason) for p in report.problems] == [(3, "could not be saved: taken meanwhile")]
    assert [row.object_id for row in report.created] == [None, None]


def test_the_row_limit_defaults_to_two_hundred_thousand(settings):
    del settings.IMPORT_MAX_ROWS
    assert DEFAULT_MAX_ROWS == 200_000 == max_rows()
