"""The partner import kind, run through the import engine: matching, creating, updating, refusing rows."""

import pytest

from meridian.core.models import Activity
from meridian.core.registry import registry
from meridian.core.tabular.report import ImportReport
from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes, xlsx_bytes
from meridian.partners.import_rows import KIND, PartnerImporter
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

PARTNER_HEADERS_EN = [
    "Name",
    "English name",
    "Chinese name",
    "Type",
    "Country",
    "City",
    "Website",
    "ROR ID",
    "Status",
    "Tags",
    "Public",
    "Latitude",
    "Longitude",
]
PARTNER_HEADERS_ZH = [
    "机构名称",
    "英文名称",
    "中文名称",
    "类型",
    "国家或地区",
    "城市",
    "网站",
    "ROR ID",
    "合作状态",
    "标签",
    "公开",
    "纬度",
    "经度",
]
PARTNER_ROWS = [
    [
        "Ruprecht-Karls-Universität Heidelberg",
        "Heidelberg University",
        "海德堡大学",
        "University",
        "DE",
        "Heidelberg",
        "https://www.uni-heidelberg.de",
        "038t36y30",
        "Active",
        "Erasmus; Europe",
        "yes",
        "49.398750",
        "8.672434",
    ],
    [
        "Sorbonne Université",
        "Sorbonne University",
        "索邦大学",
        "university",
        "France",
        "Paris",
        "https://www.sorbonne-universite.fr",
        "",
        "prospect",
        "",
        "no",
        "",
        "",
    ],
]
PARTNER_ROWS_ZH = [
    [
        "Ruprecht-Karls-Universität Heidelberg",
        "Heidelberg University",
        "海德堡大学",
        "大学",
        "德国",
        "Heidelberg",
        "https://www.uni-heidelberg.de",
        "038t36y30",
        "合作中",
        "Erasmus；Europe",
        "是",
        "49.398750",
        "8.672434",
    ],
    [
        "Sorbonne Université",
        "Sorbonne University",
        "索邦大学",
        "高校",
        "法国",
        "Paris",
        "https://www.sorbonne-universite.fr",
        "",
        "潜在",
        "",
        "否",
        "",
        "",
    ],
]


def _run(*, file, actor, commit: bool) -> ImportReport:
    """The partner kind as the import hub runs it: the handler registered for the kind, read by the runner."""
    importer = registry.import_kinds.get(KIND).handler()
    return run_import(importer=importer, kind=KIND, file=file, actor=actor, commit=commit)


def dry_run(*, file, actor) -> ImportReport:
    return _run(file=file, actor=actor, commit=False)


def commit(*, file, actor) -> ImportReport:
    return _run(file=file, actor=actor, commit=True)


GOOD_FILES = {
    "csv-en": lambda: csv_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS),
    "xlsx-en": lambda: xlsx_bytes(PARTNER_HEADERS_EN, PARTNER_ROWS),
    "csv-zh": lambda: csv_bytes(PARTNER_HEADERS_ZH, PARTNER_ROWS_ZH),
    "xlsx-zh": lambda: xlsx_bytes(PARTNER_HEADERS_ZH, PARTNER_ROWS_ZH),
    "csv-zh-gbk": lambda: csv_bytes(PARTNER_HEADERS_ZH, PARTNER_ROWS_ZH, encoding="gb18030", delimiter=";"),
}


@pytest.fixture
def countries(db):
    return country("DE", "Germany", "德国"), country("FR", "France", "法国")


def _messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_dry_run_reports_creates_and_writes_nothing(name, countries, people):
    report = dry_run(file=as_file(GOOD_FILES[name]()), actor=people.officer)
    assert report.ok, _messages(report)
    assert report.counts == {"create": 2, "update": 0, "unchanged": 0, "problems": 0}
    assert not report.committed
    assert [row.row for row in report.created] == [2, 3]
    assert Partner.objects.count() == 0
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_commit_writes_and_second_import_creates_no_duplicates(name, countries, people):
    report = commit(file=as_file(GOOD_FILES[name]()), actor=people.officer)
    assert report.committed, _messages(report)
    heidelberg = Partner.objects.get(ror_id="038t36y30")
    assert heidelberg.name_zh == "海德堡大学"
    assert heidelberg.country_id == "DE"
    assert heidelberg.status == "active"
    assert heidelberg.is_public is True
    assert str(heidelberg.latitude) == "49.398750"
    assert sorted(t.name for t in heidelberg.tags.all()) == ["Erasmus", "Europe"]
    sorbonne = Partner.objects.get(website_domain="sorbonne-universite.fr")
    assert (sorbonne.country_id, sorbonne.status, sorbonne.is_public) == ("FR", "prospect", False)

    again = commit(file=as_file(GOOD_FILES[name]()), actor=people.officer)
    assert again.committed
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "problems": 0}
    assert Partner.objects.count() == 2


def test_english_and_chinese_files_describe_the_same_partners(countries, people):
    commit(file=as_file(GOOD_FILES["csv-en"]()), actor=people.officer)
    report = dry_run(file=as_file(GOOD_FILES["xlsx-zh"]()), actor=people.officer)
    assert report.counts["unchanged"] == 2


def test_existing_partners_are_matched_blanks_filled_and_conflicts_kept(countries, people):
    by_ror = PartnerFactory(name="Uni Heidelberg (old)", ror_id="038t36y30", country=countries[0], city="")
    by_name = PartnerFactory(name="Sorbonne Université", country=countries[1], status="active", website="")
    report = dry_run(file=as_file(GOOD_FILES["csv-en"]()), actor=people.officer)
    assert report.counts == {"create": 0, "update": 2, "unchanged": 0, "problems": 0}
    assert [row.matched for row in report.rows] == ["ROR ID", "name"]
    assert "City" in report.updated[0].changes and "Name" not in report.updated[0].changes
    assert {"field": "name", "column": "Name", "stored": "Uni Heidelberg (old)",
            "incoming": "Ruprecht-Karls-Universität Heidelberg"} in report.updated[0].conflicts  # fmt: skip
    assert {"field": "status", "column": "Status", "stored": "Active", "incoming": "Prospect"} in (
        report.updated[1].conflicts
    )
    by_ror.refresh_from_db()
    assert by_ror.name == "Uni Heidelberg (old)"

    # The default keeps what is stored and fills blanks only.
    report = commit(file=as_file(GOOD_FILES["csv-en"]()), actor=people.officer)
    assert report.committed
    by_ror.refresh_from_db()
    by_name.refresh_from_db()
    assert (by_ror.name, by_ror.city) == ("Uni Heidelberg (old)", "Heidelberg")
    assert by_name.status == "active"
    assert by_name.website_domain == "sorbonne-universite.fr"

    # The user chose the file's value for these fields.
    importer = registry.import_kinds.get(KIND).handler()
    report = run_import(
        importer=importer,
        file=as_file(GOOD_FILES["csv-en"]()),
        actor=people.officer,
        commit=True,
        decisions={"2": {"name": "file"}, "3": {"status": "file"}},
    )
    assert report.committed
    by_ror.refresh_from_db()
    by_name.refresh_from_db()
    assert by_ror.name == "Ruprecht-Karls-Universität Heidelberg"
    assert by_name.status == "prospect"
    assert Partner.objects.count() == 2


def test_one_bad_row_changes_nothing_and_says_where(countries, people):
    existing = PartnerFactory(name="Sorbonne Université", country=countries[1], city="Old city")
    rows = [
        *PARTNER_ROWS,
        ["Nowhere University", "", "", "University", "Atlantis", "", "", "", "", "", "", "", ""],
    ]
    rows[1] = [*rows[1]]
    rows[1][5] = "Paris"
    report = commit(file=as_file(csv_bytes(PARTNER_HEADERS_EN, rows)), actor=people.officer)
    assert not report.committed
    assert [(p.row, p.column) for p in report.problems] == [(4, "Country")]
    assert "Atlantis" in report.problems[0].reason
    assert Partner.objects.count() == 1
    existing.refresh_from_db()
    assert existing.city == "Old city"


def test_service_rules_are_found_by_the_dry_run(countries, people):
    rows = [["Bad Identifiers", "France", "123", "91"]]
    report = dry_run(
        file=as_file(csv_bytes(["Name", "Country", "PIC", "Latitude"], rows)),
        actor=people.officer,
    )
    columns = sorted(p.column for p in report.problems)
    assert columns == ["Latitude", "PIC"]
    assert all(p.row == 2 for p in report.problems)
    assert Partner.objects.count() == 0


def test_same_partner_twice_in_a_file(countries, people):
    rows = [PARTNER_ROWS[0], [*PARTNER_ROWS[0][:7], "https://ror.org/038t36y30", *PARTNER_ROWS[0][8:]]]
    report = dry_run(file=as_file(csv_bytes(PARTNER_HEADERS_EN, rows)), actor=people.officer)
    assert [(p.row, p.column) for p in report.problems] == [(3, "ROR ID")]
    assert "row 2" in report.problems[0].reason


def test_formula_cells_are_refused(countries, people):
    rows = [
        [
            '=HYPERLINK("http://evil.example","Click")',
            "",
            "",
            "",
            "DE",
            "",
            "",
            "",
            "",
            "",
            "",
            "-33.86",
            "+151.2",
        ],
        ["Plain University", "", "", "", "FR", "@SUM(1+1)", "", "", "", "", "", "", ""],
    ]
    csv_report = dry_run(file=as_file(csv_bytes(PARTNER_HEADERS_EN, rows)), actor=people.officer)
    assert [(p.row, p.column) for p in csv_report.problems] == [(2, "Name"), (3, "City")]
    assert all("formula" in p.reason for p in csv_report.problems)

    xlsx_rows = [["Formula University", "", "", "", "DE", "", "", "", "", "", "", "=1+2", ""]]
    xlsx_report = commit(file=as_file(xlsx_bytes(PARTNER_HEADERS_EN, xlsx_rows)), actor=people.officer)
    assert [(p.row, p.column) for p in xlsx_report.problems] == [(2, "Latitude")]
    assert "formula" in xlsx_report.problems[0].reason
    assert Partner.objects.count() == 0


def test_required_column_missing(countries, people):
    report = dry_run(
        file=as_file(csv_bytes(["Name", "City", "Shoe size"], [["X", "Y", "42"]])),
        actor=people.officer,
    )
    assert report.ignored_columns == ["Shoe size"]
    assert [(p.row, p.column) for p in report.problems] == [(1, "Country / 国家")]
    assert "missing" in report.problems[0].reason


def test_required_cell_empty(countries, people):
    report = dry_run(file=as_file(csv_bytes(["Name", "Country"], [["", "DE"]])), actor=people.officer)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(2, "Name", "a value is required")]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (csv_bytes(["Name", "Country"], []), "no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV or XLSX"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "not a CSV or XLSX"),
        (xlsx_bytes(["Name"], [["x"]])[:300], "damaged"),
    ],
)
def test_bad_files(data, message, countries, people):
    PartnerFactory(name="Untouched", country=countries[0])
    report = commit(file=as_file(data), actor=people.officer)
    assert not report.committed
    assert len(report.problems) == 1 and message in report.problems[0].reason
    assert report.problems[0].row is None
    assert list(Partner.objects.values_list("name", flat=True)) == ["Untouched"]


def test_more_rows_than_the_limit_are_refused(countries, people, settings):
    from meridian.settings import IMPORT_MAX_ROWS

    assert IMPORT_MAX_ROWS == 200_000  # the default
    settings.IMPORT_MAX_ROWS = 1_000
    rows = [[f"University {n}", "DE"] for n in range(1_001)]
    report = commit(file=as_file(csv_bytes(["Name", "Country"], rows)), actor=people.officer)
    assert not report.committed
    assert "1,000" in report.problems[0].reason
    assert report.rows == []
    assert Partner.objects.count() == 0


def test_row_limit_is_a_setting(countries, people, settings):
    settings.IMPORT_MAX_ROWS = 1
    report = dry_run(file=as_file(GOOD_FILES["csv-en"]()), actor=people.officer)
    assert "more than 1 rows" in report.problems[0].reason


def test_the_registered_kind_runs_this_handler():
    assert registry.import_kinds.get(KIND).handler() is PartnerImporter


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("officer", True),
        ("admin", True),
        ("coordinator", False),
        ("staff", False),
        ("student", False),
        ("leadership", False),
        ("outsider", False),
    ],
)
def test_only_officers_and_administrators_may_import(who, allowed, people):
    assert registry.import_kinds.get(KIND).permission(getattr(people, who)) is allowed


def test_system_actor_imports(countries):
    report = commit(file=as_file(GOOD_FILES["csv-en"]()), actor=None)
    assert report.committed
    assert Partner.objects.filter(created_by=None).count() == 2
