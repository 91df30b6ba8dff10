"""`meridian import`: reading options, saved mappings, taking the file's values, the plan row by row."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from meridian.core.tabular.tests.helpers import csv_bytes
from meridian.imports.models import ColumnMapping
from meridian.imports.services import mapping_save
from meridian.imports.tests.kinds import MERGE_KEY
from meridian.reference.models import Country
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

Partner = apps.get_model("partners", "Partner")
ODD_HEADERS = ["Spalte A", "Spalte B", "Spalte C"]
ODD_MAPPING = {"Spalte A": "name", "Spalte B": "country", "Spalte C": "city"}
MERGE_HEADERS = ["Code", "Alpha-3", "English name", "Chinese name"]


@pytest.fixture
def odd_file(tmp_path, db):
    country("AT", "Austria", "奥地利")
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes(ODD_HEADERS, [["Universität Wien", "AT", "Wien"]]))
    return path


@pytest.fixture
def merge_file(tmp_path, merge_kind):
    Country.objects.create(code="QY", alpha3="QYY", name_en="Quuxland", name_zh="库克斯兰")
    path = tmp_path / "countries.csv"
    path.write_bytes(
        csv_bytes(
            MERGE_HEADERS, [["QZ", "QZZ", "Quuxland", "库克斯兰"], ["QW", "QWW", "Wuxland", "乌克斯兰"]]
        )
    )
    return path


def test_dry_run_prints_how_the_file_was_read_and_the_plan_row_by_row(merge_file, capsys):
    call_command("import", MERGE_KEY, str(merge_file), "--dry-run")
    out = capsys.readouterr().out.splitlines()
    assert "Text encoding: UTF-8 with BOM (utf-8-sig)" in out  # the label, as on the page
    assert "Header row: 1" in out
    assert "Sample names: QZ | QW" in out  # no "name" field: the first text column
    assert "Columns: Code → code, Alpha-3 → alpha3, English name → name_en, Chinese name → name_zh" in out
    plan = out[out.index("row 2: update QZ (matched by code); changes: Chinese name") :]
    assert plan[:5] == [
        "row 2: update QZ (matched by code); changes: Chinese name",
        "    conflict in English name: “Old Quuxland” → “Quuxland” (keeps the stored value)",
        "    possible duplicate of Quuxland (#QY): same English name",
        "row 3: create QW",
        "Dry run: 1 to create, 1 to update, 0 unchanged, 1 with conflicts to decide.",
    ]
    assert out[-1] == "Rows with conflicts to decide: 2"
    assert Country.objects.get(pk="QZ").name_zh == ""


def test_take_file_values_takes_the_file_for_every_conflict(merge_file, capsys):
    call_command("import", MERGE_KEY, str(merge_file), "--dry-run", "--take-file-values")
    out = capsys.readouterr().out
    assert "row 2: update QZ (matched by code); changes: English name, Chinese name" in out
    assert "conflict in English name: “Old Quuxland” → “Quuxland” (takes the file's value)" in out
    assert Country.objects.get(pk="QZ").name_en == "Old Quuxland"

    call_command("import", MERGE_KEY, str(merge_file))
    assert Country.objects.get(pk="QZ").name_en == "Old Quuxland"  # the default keeps stored values
    call_command("import", MERGE_KEY, str(merge_file), "--take-file-values")
    stored = Country.objects.get(pk="QZ")
    assert (stored.name_en, stored.name_zh) == ("Quuxland", "库克斯兰")


def test_a_saved_mapping_reads_a_file_with_unknown_headers(odd_file, people, capsys):
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import", "partners", str(odd_file), "--dry-run")
    assert "A required column was not recognised" in capsys.readouterr().out

    mapping_save(actor=people.officer, kind="partners", name="Austrian list", mapping=ODD_MAPPING)
    call_command("import", "partners", str(odd_file), "--mapping", "Austrian list", "--user", "officer")
    assert "Imported: 1 created" in capsys.readouterr().out
    assert Partner.objects.get().city == "Wien"


def test_an_unknown_mapping_name_lists_the_saved_ones(odd_file, people):
    with pytest.raises(CommandError, match="none is saved yet"):
        call_command("import", "partners", str(odd_file), "--mapping", "Erasmus")
    mapping_save(actor=people.officer, kind="partners", name="Austrian list", mapping=ODD_MAPPING)
    mapping_save(actor=people.officer, kind="partners", name="DAAD list", mapping=ODD_MAPPING)
    with pytest.raises(CommandError) as caught:
        call_command("import", "partners", str(odd_file), "--mapping", "Erasmus")
    assert str(caught.value) == "No saved mapping called “Erasmus”. Saved mappings: Austrian list, DAAD list"
    assert Partner.objects.count() == 0


def test_save_mapping_keeps_the_columns_used(tmp_path, people, capsys):
    country("AT", "Austria", "奥地利")
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes(["Name", "Country", "Stadt"], [["Universität Wien", "AT", "Wien"]]))
    with pytest.raises(CommandError, match="needs --user"):
        call_command("import", "partners", str(path), "--dry-run", "--save-mapping", "Plain")
    call_command("import", "partners", str(path), "--dry-run", "--save-mapping", "Plain", "--user", "officer")
    assert "Saved the column mapping as 'Plain'." in capsys.readouterr().out
    saved = ColumnMapping.objects.get()
    assert (saved.kind, saved.mapping, saved.owner) == (
        "partners",
        {"Name": "name", "Country": "country"},
        people.officer,
    )


def test_encoding_and_sheet_options(tmp_path, capsys):
    country("AT", "Austria", "奥地利")
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes(["Name", "Country"], [["Universität Wien", "AT"]], encoding="cp1252"))
    call_command("import", "partners", str(path), "--dry-run", "--encoding", "cp1252")
    out = capsys.readouterr().out
    assert "Text encoding: Windows-1252 (Western European) (cp1252)" in out
    assert "Sample names: Universität Wien" in out
    with pytest.raises(CommandError, match="Unknown text encoding 'klingon'"):
        call_command("import", "partners", str(path), "--encoding", "klingon")


def test_a_saved_mapping_that_does_not_fit_the_file_is_warned_about(tmp_path, people, capsys):
    country("AT", "Austria", "奥地利")
    mapping_save(actor=people.officer, kind="partners", name="Austrian list", mapping=ODD_MAPPING)
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes(["Name", "Country", "Spalte C"], [["Universität Wien", "AT", "Wien"]]))
    call_command("import", "partners", str(path), "--dry-run", "--mapping", "Austrian list")
    captured = capsys.readouterr()
    assert (
        "The saved mapping “Austrian list” was applied only in part: these of its columns are not in the "
        "file: “Spalte A”, “Spalte B”." in captured.err
    )
    path.write_bytes(csv_bytes(["Hochschule", "Land"], [["Universität Wien", "AT"]]))
    with pytest.raises(CommandError):
        call_command("import", "partners", str(path), "--dry-run", "--mapping", "Austrian list")
    assert "The saved mapping “Austrian list” was not applied: none of its columns is in the file" in (
        capsys.readouterr().err
    )
    path.write_bytes(csv_bytes(ODD_HEADERS, [["Universität Wien", "AT", "Wien"]]))
    call_command("import", "partners", str(path), "--dry-run", "--mapping", "Austrian list")
    assert "mapping" not in capsys.readouterr().err
