"""The report's figures: rows with conflicts to decide are counted apart from the unchanged ones."""

from meridian.core.tabular.report import CREATE, UNCHANGED, UPDATE, ImportReport, RowOutcome

CONFLICT = {"field": "name_en", "column": "Name", "stored": "A", "incoming": "B"}


def _report(**kwargs) -> ImportReport:
    return ImportReport(
        kind="test",
        rows=[
            RowOutcome(row=2, action=CREATE, label="new"),
            RowOutcome(row=3, action=UPDATE, label="filled", conflicts=[CONFLICT]),
            RowOutcome(row=4, action=UNCHANGED, label="kept", conflicts=[CONFLICT]),
            RowOutcome(row=5, action=UNCHANGED, label="same"),
        ],
        **kwargs,
    )


def test_rows_with_conflicts_are_counted_apart_from_the_unchanged():
    report = _report()
    # ``counts`` stays by action; the figures people see take the conflicts apart.
    assert report.counts == {"create": 1, "update": 1, "unchanged": 2, "problems": 0}
    assert report.summary_counts == {"create": 1, "update": 1, "unchanged": 1, "conflicts": 2, "problems": 0}
    assert [row.row for row in report.with_conflicts] == [3, 4]
    assert [row.row for row in report.unchanged_settled] == [5]
    assert report.summary() == "Dry run: 1 to create, 1 to update, 1 unchanged, 2 with conflicts to decide."
    report.problem(7, "Name", "bad")
    assert report.summary() == (
        "Nothing was imported: 1 problem(s). Rows checked: 1 to create, 1 to update, 1 unchanged, "
        "2 with conflicts to decide."
    )
    assert _report(committed=True).summary() == (
        "Imported: 1 created, 1 updated, 1 unchanged, 2 with conflicts (stored values kept unless the file's "
        "were chosen)."
    )


def test_without_conflicts_the_summary_reads_as_before():
    report = ImportReport(kind="test", rows=[RowOutcome(row=2, action=UNCHANGED, label="same")])
    assert report.summary() == "Dry run: 0 to create, 0 to update, 1 unchanged."
    assert report.summary_counts["conflicts"] == 0
