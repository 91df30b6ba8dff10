import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from meridian.core.tabular.tests.helpers import csv_bytes, xlsx_bytes
from meridian.imports.tests.helpers import PARTNER_HEADERS_EN, PARTNER_ROWS
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

# The hub knows the kinds only through the registry; the tests reach their models by label, not by import.
Partner = apps.get_model("partners", "Partner")
Agreement = apps.get_model("agreements", "Agreement")


@pytest.fixture
def good_file(tmp_path, db):
    country("DE", "Germany", "德国")
    country("FR", "France", "法国")
    path = tmp_path / "partners.xlsx"
    path.write_bytes(xlsx_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS))
    return path


def test_dry_run_prints_counts_and_changes_nothing(good_file, capsys):
    call_command("import", "partners", str(good_file), "--dry-run")
    assert "Dry run: 2 to create, 0 to update, 0 unchanged." in capsys.readouterr().out
    assert Partner.objects.count() == 0


def test_commit_as_system_then_again_as_user(good_file, capsys, people):
    call_command("import", "partners", str(good_file))
    assert "Imported: 2 created" in capsys.readouterr().out
    assert Partner.objects.filter(created_by=None).count() == 2
    call_command("import", "partners", str(good_file), "--user", people.officer.username)
    assert "Imported: 0 created, 0 updated, 2 unchanged." in capsys.readouterr().out
    assert Partner.objects.count() == 2


def test_problems_are_printed_and_exit_status_is_an_error(tmp_path, good_file, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(["Name", "Country"], [["Good University", "DE"], ["=cmd()", "Atlantis"]]))
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import", "partners", str(bad))
    out = capsys.readouterr().out
    assert "row 3, column Name: looks like a spreadsheet formula" in out
    assert "row 3, column Country:" in out
    assert Partner.objects.count() == 0


def test_unknown_user_and_missing_file(good_file, tmp_path):
    with pytest.raises(CommandError, match="No user"):
        call_command("import", "partners", str(good_file), "--user", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "agreements", str(tmp_path / "missing.csv"))


def test_console_script_runs_the_command(good_file):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from meridian.cli import main; main()", "import", "partners", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "--dry-run" in result.stdout


def test_agreements_kind(tmp_path, org, capsys):
    Partner.objects.create(
        name="Universität Heidelberg", kind="university", country=country("DE", "Germany", "德国")
    )
    path = tmp_path / "agreements.csv"
    path.write_bytes(
        csv_bytes(
            ["英文标题", "协议类型", "合作方", "负责单位", "结束日期"],
            [["Exchange", "学生交流", "Universität Heidelberg", "eng", "2031年6月30日"]],
        )
    )
    call_command("import", "agreements", str(path))
    assert "Imported: 1 created" in capsys.readouterr().out
    agreement = Agreement.objects.get()
    assert (agreement.kind, agreement.responsible_unit, agreement.state) == (
        "student_exchange",
        org.engineering,
        "draft",
    )
