"""How ``run_import`` reads a file: reading options in, and the report's account of how the file was read.

The reader is replaced by a fixed table here, so that these tests are about the runner's own part: passing
the encoding, sheet and header scoring to the reader, applying the column mapping, and reporting encoding,
sheet, header row, headers, mapping, a sample of names and whether the column-mapping step is needed.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from meridian.core.tabular import columns as c
from meridian.core.tabular import runner
from meridian.core.tabular.readers import ImportFileError
from meridian.core.tabular.report import ImportReport
from meridian.core.tabular.runner import ReadOptions

DECLARED = [
    c.Column("code", "Code", "代码", required=True),
    c.Column("name", "Name", "名称", required=True),
    c.Column("founded", "Founded", "成立年份", c.INT),
    c.Column("city", "City", "城市"),
]


def _table(headers, rows, **extra):
    def stream():
        yield from rows

    fields = {
        "format": "csv",
        "headers": headers,
        "rows": stream(),
        "header_row": 1,
        "encoding": "utf-8",
        "sheet": "",
        "sheets": [],
    }
    fields.update(extra)
    return SimpleNamespace(**fields)


@pytest.fixture
def reader(monkeypatch):
    """Replace the reader with one returning ``reader.table``; ``reader.calls`` records its arguments."""
    state = SimpleNamespace(table=None, calls=[])

    def open_table(stream, **kwargs):
        state.calls.append(kwargs)
        if isinstance(state.table, Exception):
            raise state.table
        return state.table

    monkeypatch.setattr(runner, "open_table", open_table)
    return state


def _read(options=ReadOptions()):
    report = ImportReport(kind="test")
    result = runner._read(io.BytesIO(), report, DECLARED, options)
    return report, result


def test_options_and_header_scoring_reach_the_reader(reader):
    reader.table = _table(["Code", "Name"], [(2, ["A", "Alpha"])])
    _read(ReadOptions(encoding="cp950", sheet="Partners"))
    (call,) = reader.calls
    assert call["encoding"] == "cp950" and call["sheet"] == "Partners"
    # The header score is the columns' own, bound to this kind's declared columns.
    score = call["header_score"]
    assert score(["Code", "Name"]) == c.header_score(DECLARED, ["Code", "Name"]) > score(["foo", "bar"]) == 0


def test_report_says_how_the_file_was_read_with_a_sample_of_names(reader):
    rows = [(4, ["A1", "Åbo Akademi", "1918"]), (5, ["", "", ""]), (6, ["B2", "Universität Wien", ""])]
    rows += [(7 + n, [f"C{n}", f"Name {n}", ""]) for n in range(6)]
    reader.table = _table(
        ["Code", "名称", "Founded"],
        rows,
        format="xlsx",
        encoding="",
        sheet="Partners",
        sheets=["Lists", "Partners"],
        header_row=3,
    )
    report, result = _read()
    assert result is not None
    assert (report.file_format, report.sheet, report.sheets, report.header_row) == (
        "xlsx",
        "Partners",
        ["Lists", "Partners"],
        3,
    )
    assert report.headers == ["Code", "名称", "Founded"]
    assert report.mapping == {"Code": "code", "名称": "name", "Founded": "founded"}
    # The "name" column is sampled, not the first text column ("Code"); blank rows are skipped; five at most.
    assert report.sample == ["Åbo Akademi", "Universität Wien", "Name 0", "Name 1", "Name 2"]
    assert not report.needs_mapping and report.ok


def test_without_a_name_column_the_first_text_column_is_sampled(reader):
    declared = [c.Column("year", "Year", "年份", c.INT), c.Column("code", "Code", "代码"), DECLARED[3]]
    reader.table = _table(
        ["Year", "City", "Code"], [(2, ["2020", "Zürich", "X"]), (3, ["2021", "Genève", "Y"])]
    )
    report = ImportReport(kind="test")
    assert runner._read(io.BytesIO(), report, declared, ReadOptions()) is not None
    assert report.sample == ["Zürich", "Genève"]


def test_a_missing_required_column_asks_for_the_mapping_step(reader):
    reader.table = _table(["Kennung", "Hochschule", "Ort"], [(2, ["A1", "Universität Wien", "Wien"])])
    report, result = _read()
    assert result is None
    assert report.needs_mapping
    assert report.headers == ["Kennung", "Hochschule", "Ort"]
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (1, "Code / 代码", "this required column is missing"),
        (1, "Name / 名称", "this required column is missing"),
    ]
    # Nothing names the institutions, so the first column is sampled to check the encoding by eye.
    assert report.sample == ["A1"]
    # Survives the round trip through the batch's stored report.
    again = ImportReport.from_dict(report.to_dict())
    assert again.needs_mapping and again.headers == ["Kennung", "Hochschule", "Ort"]


def test_the_chosen_mapping_reads_the_file(reader):
    reader.table = _table(
        ["Kennung", "Hochschule", "Ort", "Bemerkung"], [(2, ["A1", "Universität Wien", "Wien", "x"])]
    )
    mapping = {"Kennung": "code", "Hochschule": "name", "Ort": "city", "Bemerkung": ""}
    report, result = _read(ReadOptions(mapping=mapping))
    assert result is not None and report.ok and not report.needs_mapping
    found, headers, rows = result
    assert {index: column.field for index, column in found.items()} == {0: "code", 1: "name", 2: "city"}
    assert headers == {"code": "Kennung", "name": "Hochschule", "city": "Ort"}
    assert rows == [(2, ["A1", "Universität Wien", "Wien", "x"])]
    assert report.mapping == {"Kennung": "code", "Hochschule": "name", "Ort": "city"}
    assert report.ignored_columns == ["Bemerkung"]
    assert report.sample == ["Universität Wien"]


def test_a_file_that_cannot_be_read_is_one_problem(reader):
    reader.table = ImportFileError("The text encoding is unclear: Big5 or GB18030?")
    report, result = _read()
    assert result is None and not report.needs_mapping
    assert [str(p) for p in report.problems] == ["The text encoding is unclear: Big5 or GB18030?"]
